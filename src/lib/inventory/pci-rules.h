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
