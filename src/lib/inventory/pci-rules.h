/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one place that decides what a PCI function is: a bridge or not, on a VFIO driver or not, its link speeds. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "hostdev/device.h"

/*
 * What kind of bridge a function is. The kernel's own test is the header
 * type in configuration space (pci_is_bridge(): type 1 PCI-to-PCI, type 2
 * CardBus; vfio-pci's probe refuses every function whose header type is
 * not 0), and libvirt's node device XML prints it from there too. So
 * HEADER_TYPE (byte 0x0e of `config`, -1 when it could not be read) decides;
 * without it, the class code: base class 0x06 with subclass 0x04
 * (PCI-to-PCI) or 0x09 (semi-transparent PCI-to-PCI) is a PCI bridge, 0x07
 * a CardBus bridge (PCI Code and ID Assignment Specification, class 06h).
 */
enum hd_pci_bridge_type pci_bridge_type(int header_type, uint32_t class_code);
/* Byte 0x0e of the function's `config` below DIRFD (bit 7, multi-function, cleared); -1 when unreadable. */
int pci_header_type_at(int dirfd);

/*
 * A VFIO driver QEMU can open: vfio-pci, or a vendor variant built on
 * vfio-pci-core. The kernel names every variant after its module,
 * KBUILD_MODNAME, whose dashes become underscores: mlx5_vfio_pci,
 * hisi_acc_vfio_pci, pds_vfio_pci, virtio_vfio_pci, nvgrace_gpu_vfio_pci,
 * qat_vfio_pci (drivers/vfio/pci/). vfio-pci itself keeps its dash.
 */
bool pci_driver_is_vfio(const char *driver);
/*
 * A driver that leaves the IOMMU group to VFIO: the VFIO drivers and
 * pci-stub (which sets driver_managed_dma, as vfio-pci does; older kernels
 * listed it in vfio's driver allow-list). Xen's pciback is not one.
 */
bool pci_driver_is_stub(const char *driver);

/* A PCIe link speed of libvirt's enum, in GT/s: 2.5, 5, 8, 16, 32, 64. */
bool pcie_speed_is_known(double gts);
/* The speed of a Link Capabilities / Link Status speed code (PCI Express Base 6.0 §7.5.3.6); 0 when unknown. */
double pcie_speed_of_code(unsigned code);

/*
 * ACS (Access Control Services) bits of the ACS Capability and Control
 * registers (PCI Express Base 6.0 §7.7.8.2, .3), named as lspci names them.
 */
enum {
        PCI_ACS_SV = 0x0001, /* SrcValid: source validation */
        PCI_ACS_TB = 0x0002, /* TransBlk: translation blocking */
        PCI_ACS_RR = 0x0004, /* ReqRedir: P2P request redirect */
        PCI_ACS_CR = 0x0008, /* CmpltRedir: P2P completion redirect */
        PCI_ACS_UF = 0x0010, /* UpstreamFwd: upstream forwarding */
        PCI_ACS_EC = 0x0020, /* EgressCtrl: P2P egress control */
        PCI_ACS_DT = 0x0040, /* DirectTrans: direct translated P2P */
};
/* What the kernel asks of a port before it puts the devices below it in groups of their own (REQ_ACS_FLAGS, drivers/iommu/iommu.c). */
#define PCI_ACS_ISOLATION (PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)

/*
 * The kernel's test of one function (pci_acs_flags_enabled(),
 * drivers/pci/pci.c): a flag the capability register lacks is taken as
 * hard-wired on (except egress control), every other asked flag must be
 * on in the control register.
 */
bool pci_acs_enabled(uint16_t cap, uint16_t ctrl, uint16_t flags);
/* The flags of FLAGS that pci_acs_enabled() finds off: what keeps the port from isolating. */
uint16_t pci_acs_missing(uint16_t cap, uint16_t ctrl, uint16_t flags);
/* "SrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-", as lspci -vv; NULL on ENOMEM. */
char *pci_acs_describe(uint16_t reg);
/* "ReqRedir CmpltRedir": the names of the bits set in FLAGS; NULL on ENOMEM. */
char *pci_acs_names(uint16_t flags);

/* Whether ACS on one function decides isolation, by the kernel's pci_acs_enabled(). */
enum pci_acs_need {
        PCI_ACS_NEEDED,     /* a root or downstream port, or a multi-function device: its ACS decides */
        PCI_ACS_NOT_NEEDED, /* a single-function endpoint or upstream port: isolated without ACS */
        PCI_ACS_NEVER,      /* conventional PCI, a PCI/PCI-X bridge, an event collector: never isolates */
};
/* EXPRESS_TYPE: pci_config_express_type() (-1: not PCI Express). */
enum pci_acs_need pci_acs_need(int express_type, bool multifunction);
