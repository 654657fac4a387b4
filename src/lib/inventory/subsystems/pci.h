/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parts of the pci module (pci.c, pci-express.c, pci-sriov.c) and what they share. */
#pragma once

#include "inventory/probe.h"

/*
 * What a device's folder holds, from one listing, so that absent
 * attributes (most devices have no SR-IOV, no mdev types, no PCIe link)
 * cost no failed open.
 */
struct pci_listing {
        bool numa_node, iommu_group, config, link_attrs, sriov_totalvfs, physfn,
                mdev_supported_types;
        unsigned *virtfn; /* indices N of the virtfnN links, sorted */
        size_t n_virtfn;
};

/* is_express, link_cap, link_sta and bridge (pci-express.c). */
int pci_fill_express(int dirfd, const struct pci_listing *ls, struct hd_cap_pci *p);
/* phys_function, is_sriov_pf, max_vfs, virt_functions (pci-sriov.c). */
int pci_fill_sriov(struct hd_context *ctx, int dirfd, const struct pci_listing *ls, struct hd_cap_pci *p);
/* mdev_types (pci-sriov.c, beside the other "functions made from this one"). */
int pci_fill_mdev_types(int dirfd, struct hd_cap_pci *p);

/* The PCI address a link points to ("physfn", "virtfn0"), from its target's name. */
int pci_link_addr(int dirfd, const char *link, struct hd_pci_addr *ret);
