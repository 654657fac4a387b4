/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IOMMU groups: which PCI functions go to a guest together, and whether a group can go now. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostdev/context.h"
#include "hostdev/device.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hd_iommu_member {
        char *name;          /* as in the group's devices/ folder: a PCI address, an mdev UUID ... */
        bool is_pci;         /* addr, class_code and is_bridge are set only for PCI functions */
        struct hd_pci_addr addr;
        uint32_t class_code; /* 0xCCSSPP */
        char *driver;        /* bound driver, NULL if none */
        bool is_bridge;      /* PCI-to-PCI or CardBus bridge: header type 1 or 2, else class 0x0604, 0x0609, 0x0607 */
};

struct hd_iommu_group {
        int number;
        struct hd_iommu_member *members; /* PCI functions by address, then others by name */
        size_t n_members;
        /*
         * Whether VFIO can take the group as it is: every member that is not
         * a bridge is bound to a VFIO driver (vfio-pci or a vendor variant
         * such as mlx5_vfio_pci), to pci-stub, or to no driver.
         */
        bool viable;
        /* When not viable: the first member in the way, its driver and the remedy. NULL otherwise. */
        char *reason;
};

/* Whether the host has an IOMMU in use: IOMMU groups exist, or /sys/class/iommu has members. */
bool hd_iommu_enabled(struct hd_context *ctx);

/* Every IOMMU group, sorted by number. No IOMMU: 0 groups, return 0. */
int hd_iommu_groups(struct hd_context *ctx, struct hd_iommu_group **ret_groups, size_t *ret_n);
void hd_iommu_groups_free(struct hd_iommu_group *groups, size_t n);

/* One group by number. -ENOENT (with a message) when there is no such group. */
int hd_iommu_group_get(struct hd_context *ctx, int number, struct hd_iommu_group **ret_group);
void hd_iommu_group_free(struct hd_iommu_group *group);

/*
 * The group of the PCI function at ADDR. -ENODEV when there is no such
 * function, -ENOENT when it has no group (no IOMMU); both with a message.
 */
int hd_iommu_group_of(struct hd_context *ctx, const struct hd_pci_addr *addr, int *ret_group);

#ifdef __cplusplus
}
#endif
