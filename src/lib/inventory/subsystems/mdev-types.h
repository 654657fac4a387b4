/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mediated-device types a parent offers (a PCI function, a css subchannel, the AP matrix). */
#pragma once

#include <stddef.h>

#include "hostdev/device.h"

/*
 * The types under DIRFD's mdev_supported_types/, sorted by id, added to
 * *TYPES. No such folder: none, and 0. A type that cannot be read is left
 * out, not the device. Documentation/ABI/testing/sysfs-bus-vfio-mdev.
 */
int mdev_types_read(int dirfd, struct hd_mdev_type **types, size_t *n);
