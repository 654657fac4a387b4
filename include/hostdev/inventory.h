/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's devices as a tree, found in one pass, and single-device lookups. */
#pragma once

#include <stddef.h>

#include "hostdev/context.h"
#include "hostdev/device.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hd_inventory;

enum hd_scan_flags {
        HD_SCAN_INACTIVE = 1 << 0, /* also list defined, not running mediated devices */
        /*
         * Only PCI functions. Their ancestors are PCI functions too, so
         * names, parents and the tree are exactly those of a full scan.
         */
        HD_SCAN_PCI_ONLY = 1 << 1,
};

/*
 * Enumerate the host (below the context's root) in one pass. Under a root
 * prefix other than "/", a tree no kernel would make (no device in its bus/
 * and class/ folders, or devices without their subsystem link) fails with
 * -ENODATA and a message saying the tree looks incomplete.
 */
int hd_inventory_scan(struct hd_context *ctx, unsigned flags, struct hd_inventory **ret_inv);
struct hd_inventory *hd_inventory_free(struct hd_inventory *inv);

/* "computer", the root of the tree. */
struct hd_device *hd_inventory_root(const struct hd_inventory *inv);
/* Devices in tree order (parents before children, siblings by name). */
size_t hd_inventory_size(const struct hd_inventory *inv);
struct hd_device *hd_inventory_at(const struct hd_inventory *inv, size_t i);
/* By libvirt name, hashed. NULL when absent. */
struct hd_device *hd_inventory_find(const struct hd_inventory *inv, const char *name);
/* By canonical sysfs path, hashed. */
struct hd_device *hd_inventory_find_path(const struct hd_inventory *inv, const char *sysfs_path);

/*
 * One device without enumerating the host. SPEC is a libvirt name
 * ("pci_0000_01_00_0"), a PCI address ("0000:01:00.0", "01:00.0"), a sysfs
 * path, a network interface name, an mdev UUID, "scsi_hostN", a USB
 * "BUS:DEVICE", or "WWNN,WWPN" of an FC HBA. The device's parent_name is set;
 * its tree pointers are NULL.
 */
int hd_device_lookup(struct hd_context *ctx, const char *spec, struct hd_device **ret_dev);

#ifdef __cplusplus
}
#endif
