/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A PCI function's configuration space as `config` gives it: capability lists, Express port type, ACS. */
#include <string.h>

#include "pci-config.h"
#include "sysfs/sysfs.h"
#include "util/macro.h"

/* PCI Local Bus 3.0 §6.1, §6.7; PCI Express Base 6.0 §7.5.3, §7.6.3. */
#define CFG_STATUS 0x06
#define CFG_STATUS_CAP_LIST 0x10
#define CFG_HEADER_TYPE 0x0e
#define CFG_HEADER_MULTI 0x80
#define CFG_CAP_PTR 0x34
#define CFG_CAP_ID_EXP 0x10
#define CFG_STD_SIZE 0x100
#define EXP_FLAGS 0x02
#define EXT_CAP_BASE 0x100

int pci_config_read(int dirfd, struct pci_config *c) {
        memset(c, 0, sizeof(*c));
        return sysfs_read_bytes_at(dirfd, "config", c->b, sizeof(c->b), &c->len, &c->size);
}

unsigned pci_config_u8(const struct pci_config *c, size_t off) {
        return off < c->len ? c->b[off] : 0;
}

unsigned pci_config_u16(const struct pci_config *c, size_t off) {
        return pci_config_u8(c, off) | pci_config_u8(c, off + 1) << 8;
}

uint32_t pci_config_u32(const struct pci_config *c, size_t off) {
        return (uint32_t)pci_config_u16(c, off) | (uint32_t)pci_config_u16(c, off + 2) << 16;
}

bool pci_config_multifunction(const struct pci_config *c) {
        return c->len > CFG_HEADER_TYPE && (c->b[CFG_HEADER_TYPE] & CFG_HEADER_MULTI);
}

int pci_config_find_cap(const struct pci_config *c, unsigned id) {
        unsigned pos;

        if (c->len < 64 || !(pci_config_u16(c, CFG_STATUS) & CFG_STATUS_CAP_LIST))
                return -1;
        pos = pci_config_u8(c, CFG_CAP_PTR) & ~3u;
        /* 48 entries at most fit between 0x40 and 0x100: more is a loop. */
        for (int ttl = 48; ttl > 0 && pos >= 0x40; ttl--) {
                if (pos + 1 >= c->len)
                        return -1;
                if (pci_config_u8(c, pos) == id)
                        return (int)pos;
                pos = pci_config_u8(c, pos + 1) & ~3u;
        }
        return 0;
}

int pci_config_find_ext_cap(const struct pci_config *c, unsigned id) {
        unsigned pos = EXT_CAP_BASE;

        if (c->size <= CFG_STD_SIZE)
                return 0; /* conventional PCI (or a PCI-X mode 1 function): no extended space */
        if (c->len <= EXT_CAP_BASE)
                return -1;
        /* Each capability is at least 8 bytes: (4096 - 256) / 8 entries at most. */
        for (int ttl = (4096 - EXT_CAP_BASE) / 8; ttl > 0 && pos >= EXT_CAP_BASE; ttl--) {
                uint32_t h;
                if (pos + 4 > c->len)
                        return -1;
                h = pci_config_u32(c, pos);
                /* An all-zero header at 0x100 is "no extended capabilities"; all ones is an absent device. */
                if (h == 0 || h == 0xffffffff)
                        return 0;
                if ((h & 0xffff) == id)
                        return (int)pos;
                pos = (h >> 20) & 0xffc;
        }
        return 0;
}

int pci_config_express_type(const struct pci_config *c) {
        int pos = pci_config_find_cap(c, CFG_CAP_ID_EXP);
        if (pos < 0)
                return -2;
        if (pos == 0)
                return -1;
        return (int)(pci_config_u16(c, (size_t)pos + EXP_FLAGS) >> 4 & 0xf);
}

const char *pci_express_type_name(int type) {
        static const char *const names[] = {
                [PCI_EXP_ENDPOINT] = "endpoint",
                [PCI_EXP_LEGACY_ENDPOINT] = "legacy endpoint",
                [PCI_EXP_ROOT_PORT] = "root port",
                [PCI_EXP_UPSTREAM] = "switch upstream port",
                [PCI_EXP_DOWNSTREAM] = "switch downstream port",
                [PCI_EXP_PCIE_TO_PCI] = "PCIe-to-PCI bridge",
                [PCI_EXP_PCI_TO_PCIE] = "PCI-to-PCIe bridge",
                [PCI_EXP_RC_END] = "root complex integrated endpoint",
                [PCI_EXP_RC_EC] = "root complex event collector",
        };
        return type >= 0 && (size_t)type < ELEMENTSOF(names) ? names[type] : NULL;
}

int pci_config_acs(const struct pci_config *c, bool *ret_found, uint16_t *ret_cap, uint16_t *ret_ctrl) {
        int pos = pci_config_find_ext_cap(c, PCI_EXT_CAP_ID_ACS);
        if (pos < 0)
                return -1;
        *ret_found = pos > 0;
        *ret_cap = pos > 0 ? (uint16_t)pci_config_u16(c, (size_t)pos + PCI_ACS_CAP) : 0;
        *ret_ctrl = pos > 0 ? (uint16_t)pci_config_u16(c, (size_t)pos + PCI_ACS_CTRL) : 0;
        return 0;
}
