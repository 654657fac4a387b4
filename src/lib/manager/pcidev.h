/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the manager reads of one PCI device: class, bridge or not, driver, driver_override, IOMMU group. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "context-internal.h"
#include "hostdev/device.h"
#include "inventory/pci-rules.h"

struct pci_dev {
        char addr[20];      /* canonical "0000:01:00.0" */
        char *bus_path;     /* "/sys/bus/pci/devices/0000:01:00.0" */
        char *path;         /* canonical "/sys/devices/pci0000:00/..." */
        int dirfd;
        unsigned vendor, device;
        uint32_t class_code; /* 0xCCSSPP */
        enum hd_pci_bridge_type bridge; /* pci_bridge_type(): no guest can have a bridge */
        char *driver;        /* bound driver, NULL when none */
        char *override;      /* driver_override, NULL when unset ("(null)") */
        int iommu_group;     /* -1: none */
};

/* Open the device at ADDR ("0000:01:00.0", "01:00.0"): -EINVAL bad address, -ENODEV absent (with a message). */
int pci_dev_open(struct hd_context *ctx, const char *addr, struct pci_dev **ret);
void pci_dev_free(struct pci_dev *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct pci_dev *, pci_dev_free)
#define _cleanup_pci_dev_ _cleanup_(pci_dev_freep)
/* Read driver and driver_override again, after a write. */
int pci_dev_refresh(struct pci_dev *d);

/* Whether the kernel has a PCI driver of that name now (/sys/bus/pci/drivers/NAME). */
bool pci_driver_exists(struct hd_context *ctx, const char *driver);

/* The addresses in an IOMMU group as text, for pci_dev_open(): iommu_group_addresses() formatted. */
int pci_group_members(struct hd_context *ctx, int group, char ***ret_addrs);

/* "vfio-pci" when NULL or empty; -EINVAL (with a message) for a name that cannot be a driver. */
int pci_stub_name(struct hd_context *ctx, const char *driver, const char **ret);
