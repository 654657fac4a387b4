/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The devices the host runs on: behind mounted filesystems, active swap, the default route. */
#pragma once

#include "context-internal.h"

/*
 * Read once (below the root prefix): /proc/self/mountinfo, /proc/swaps,
 * /proc/net/route and /proc/net/ipv6_route. Each block device or network
 * interface found is followed to its sysfs device (and through
 * device-mapper/md slaves and bridge/bond/VLAN lower devices); a PCI device
 * is needed by the host when one of those lies below it.
 * A root prefix without proc/ gives an empty list.
 */
struct host_uses;

int host_uses_load(struct hd_context *ctx, struct host_uses **ret);
struct host_uses *host_uses_free(struct host_uses *u);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct host_uses *, host_uses_free)
#define _cleanup_host_uses_ _cleanup_(host_uses_freep)

/* Why the device at sysfs path DEVPATH is needed ("it backs the filesystem on / (/dev/sda1)"), or NULL. */
const char *host_uses_find(const struct host_uses *u, const char *devpath);
