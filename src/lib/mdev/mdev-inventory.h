/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Defined mediated devices that are not running, as devices of the inventory (HD_SCAN_INACTIVE). */
#pragma once

#include "context-internal.h"
#include "hostdev/device.h"

/*
 * Give ADD one new device per definition that is not running: named
 * mdev_<uuid>_<parent> as libvirt names it, no sysfs path, parent_name the
 * parent's libvirt name ("computer" when the parent is absent), one mdev
 * capability with active=false, the definition's type, attributes and
 * autostart. ADD takes the device, even when it fails.
 */
int mdev_add_inactive(struct hd_context *ctx, int (*add)(void *userdata, struct hd_device *d), void *userdata);
