/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A PCI function's configuration space as `config` gives it: capability lists, Express port type, ACS. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PCI Express Base 6.0 §7.5.3.2, Device/Port Type of the Express capability's flags. */
enum pci_express_type {
        PCI_EXP_ENDPOINT = 0x0,
        PCI_EXP_LEGACY_ENDPOINT = 0x1,
        PCI_EXP_ROOT_PORT = 0x4,
        PCI_EXP_UPSTREAM = 0x5,
        PCI_EXP_DOWNSTREAM = 0x6,
        PCI_EXP_PCIE_TO_PCI = 0x7, /* PCI Express to PCI/PCI-X bridge */
        PCI_EXP_PCI_TO_PCIE = 0x8, /* PCI/PCI-X to PCI Express bridge */
        PCI_EXP_RC_END = 0x9,      /* root complex integrated endpoint */
        PCI_EXP_RC_EC = 0xa,       /* root complex event collector */
};

struct pci_config {
        uint8_t b[4096];
        size_t len;    /* bytes read: 64 for an unprivileged reader, 256 or 4096 for root */
        uint64_t size; /* the attribute's size: 256 conventional, 4096 with extended space */
};

/*
 * All of `config` that this reader may see, in one read
 * (Documentation/ABI/testing/sysfs-bus-pci: config; the first 64 bytes
 * are readable by anyone, the rest by root).
 */
int pci_config_read(int dirfd, struct pci_config *c);

/* Little-endian reads; bytes past what was read are 0. */
unsigned pci_config_u8(const struct pci_config *c, size_t off);
unsigned pci_config_u16(const struct pci_config *c, size_t off);
uint32_t pci_config_u32(const struct pci_config *c, size_t off);

/* Header type byte 0x0e, bit 7: the device has several functions (the kernel's pdev->multifunction). */
bool pci_config_multifunction(const struct pci_config *c);

/*
 * Offset of capability ID in the standard list: > 0 found, 0 the list
 * ends without it, -1 the list cannot be walked (no list, or past what
 * this reader may read).
 */
int pci_config_find_cap(const struct pci_config *c, unsigned id);
/*
 * Offset of extended capability ID (from 0x100 on): > 0 found, 0 absent
 * (or no extended space: a 256-byte `config`), -1 unknown (the extended
 * space exists but this reader got less of it: not root).
 */
int pci_config_find_ext_cap(const struct pci_config *c, unsigned id);
/* The Device/Port Type of the Express capability; -1 not PCI Express, -2 unknown (unreadable). */
int pci_config_express_type(const struct pci_config *c);
/* "root port", "downstream port", "PCIe-to-PCI bridge" ...; NULL for an unknown type. */
const char *pci_express_type_name(int type);

/* Access Control Services, extended capability 0x000d (PCI Express Base 6.0 §7.7.8). */
#define PCI_EXT_CAP_ID_ACS 0x000d
#define PCI_ACS_CAP 0x04  /* ACS Capability register, 16 bits */
#define PCI_ACS_CTRL 0x06 /* ACS Control register, 16 bits */
/* The registers of the ACS capability; *RET_FOUND false when it has none. -1 as pci_config_find_ext_cap. */
int pci_config_acs(const struct pci_config *c, bool *ret_found, uint16_t *ret_cap, uint16_t *ret_ctrl);
