/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one place that decides what a PCI function is: a bridge or not, on a VFIO driver or not, its link speeds. */
#include <string.h>

#include "pci-config.h"
#include "pci-rules.h"
#include "sysfs/sysfs.h"
#include "util/macro.h"
#include "util/strutil.h"

#define CFG_HEADER_TYPE 0x0e

enum hd_pci_bridge_type pci_bridge_type(int header_type, uint32_t class_code) {
        if (header_type >= 0)
                switch (header_type & 0x7f) {
                case 1:
                        return HD_PCI_BRIDGE;
                case 2:
                        return HD_PCI_CARDBUS_BRIDGE;
                default:
                        return HD_PCI_NOT_BRIDGE;
                }
        if (class_code > 0xffffff)
                return HD_PCI_NOT_BRIDGE; /* no class known */
        switch (class_code >> 8) {
        case 0x0604: /* PCI-to-PCI */
        case 0x0609: /* semi-transparent PCI-to-PCI */
                return HD_PCI_BRIDGE;
        case 0x0607: /* CardBus */
                return HD_PCI_CARDBUS_BRIDGE;
        default:
                return HD_PCI_NOT_BRIDGE;
        }
}

/* Documentation/ABI/testing/sysfs-bus-pci: config; its first 64 bytes are readable by anyone. */
int pci_header_type_at(int dirfd) {
        uint8_t b[CFG_HEADER_TYPE + 1];
        size_t len = 0;
        uint64_t size;

        if (sysfs_read_bytes_at(dirfd, "config", b, sizeof(b), &len, &size) < 0 || len <= CFG_HEADER_TYPE)
                return -1;
        return b[CFG_HEADER_TYPE] & 0x7f;
}

bool pci_driver_is_vfio(const char *driver) {
        return driver && (streq(driver, "vfio-pci") || endswith(driver, "_vfio_pci"));
}

bool pci_driver_is_stub(const char *driver) {
        return pci_driver_is_vfio(driver) || (driver && streq(driver, "pci-stub"));
}

static const double pcie_speeds[] = { 2.5, 5, 8, 16, 32, 64 };

bool pcie_speed_is_known(double gts) {
        for (size_t i = 0; i < ELEMENTSOF(pcie_speeds); i++)
                if (gts == pcie_speeds[i])
                        return true;
        return false;
}

double pcie_speed_of_code(unsigned code) {
        /* Code 1 is 2.5 GT/s, each next one the next speed; 0 and codes past the table are unknown. */
        return code >= 1 && code <= ELEMENTSOF(pcie_speeds) ? pcie_speeds[code - 1] : 0;
}

bool pci_acs_enabled(uint16_t cap, uint16_t ctrl, uint16_t flags) {
        return pci_acs_missing(cap, ctrl, flags) == 0;
}

uint16_t pci_acs_missing(uint16_t cap, uint16_t ctrl, uint16_t flags) {
        /* Capabilities are required, or required only if controllable: one the register lacks is on. */
        flags &= (uint16_t)(cap | PCI_ACS_EC);
        return (uint16_t)(flags & ~ctrl);
}

static const char *const acs_names[] = { "SrcValid", "TransBlk", "ReqRedir", "CmpltRedir",
                                         "UpstreamFwd", "EgressCtrl", "DirectTrans" };

char *pci_acs_describe(uint16_t reg) {
        struct strbuf b = {};
        for (size_t i = 0; i < ELEMENTSOF(acs_names); i++)
                strbuf_appendf(&b, "%s%s%c", i ? " " : "", acs_names[i], reg & (1u << i) ? '+' : '-');
        return strbuf_steal(&b);
}

char *pci_acs_names(uint16_t flags) {
        struct strbuf b = {};
        for (size_t i = 0; i < ELEMENTSOF(acs_names); i++)
                if (flags & (1u << i))
                        strbuf_appendf(&b, "%s%s", b.len ? " " : "", acs_names[i]);
        return strbuf_steal(&b);
}

enum pci_acs_need pci_acs_need(int express_type, bool multifunction) {
        switch (express_type) {
        case PCI_EXP_ROOT_PORT:
        case PCI_EXP_DOWNSTREAM:
                return PCI_ACS_NEEDED;
        case PCI_EXP_ENDPOINT:
        case PCI_EXP_UPSTREAM:
        case PCI_EXP_LEGACY_ENDPOINT:
        case PCI_EXP_RC_END:
                /* PCIe 6.0 §6.12.1.2: ACS applies to a single-function device only as a port. */
                return multifunction ? PCI_ACS_NEEDED : PCI_ACS_NOT_NEEDED;
        default:
                /* Not PCI Express, PCIe-to-PCI, PCI-to-PCIe, event collector: the kernel assumes no isolation. */
                return PCI_ACS_NEVER;
        }
}
