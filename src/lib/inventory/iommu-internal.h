/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What iommu.c gives the rest of the library: whether the IOMMU is on, a group's member addresses, address order. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "context-internal.h"
#include "hostdev/device.h"

/* qsort comparator of struct hd_pci_addr: domain, bus, slot, function. */
int pci_addr_compare(const void *a, const void *b);

/*
 * The PCI addresses in /sys/kernel/iommu_groups/GROUP/devices, sorted.
 * Entries that are not PCI functions are left out. -ENOENT when the group
 * is gone.
 */
int iommu_group_addresses(struct hd_context *ctx, int group, struct hd_pci_addr **ret,
                          size_t *ret_n);

/*
 * Whether an IOMMU is on: /sys/class/iommu lists a unit, or
 * /sys/kernel/iommu_groups has a group (what VFIO needs; libvirt's
 * virHostHasIOMMU looks at the groups). *RET_UNIT (may be NULL): the
 * unit's name, else the first group's, for messages.
 */
bool iommu_enabled(struct hd_context *ctx, char **ret_unit);
