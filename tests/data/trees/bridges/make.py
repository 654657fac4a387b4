#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds sys/ and dev/ beside this script: bridges and VFIO drivers the way real hosts have them,
# for the rules of src/lib/inventory/pci-rules.h (what is a bridge, which drivers leave a group to VFIO).
#
#   00:00.0  host bridge, group 0
#   00:1e.0  semi-transparent PCI-to-PCI bridge (class 0x060940, header type 1), no driver, group 1;
#            behind it the conventional PCI bus 05, in the same group:
#     05:00.0  82540EM (e1000)          05:01.0  82540EM on vfio-pci (/dev/vfio/1)
#   00:1c.0  PCIe root port (pcieport), group 2; behind it, in group 3:
#     06:00.0  TI PCIxx12 CardBus bridge (class 0x060700) on yenta_cardbus, recorded without `config`
#              (the class is all there is to go by)
#     06:00.1  TI PCIxx12 OHCI FireWire controller (firewire_ohci)
#   00:1d.0  PCIe root port (pcieport), group 5; behind it, in group 4:
#     07:00.0  ConnectX-5 VF on the vendor VFIO driver mlx5_vfio_pci (/dev/vfio/4)
#     07:00.1  ConnectX-5 VF on no driver
# emulator-ids tells the kernel emulator which driver matches which vendor/device.
#
# Run it again after changing it: python3 tests/data/trees/bridges/make.py
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # nothing beside the trees
sys.path.insert(0, os.path.join(HERE, "..", "pci"))
import make as pci  # noqa: E402  the PCI tree's builder, its helpers pointed at this tree below

pci.SYS = SYS = os.path.join(HERE, "sys")
config, express, device, write, link = pci.config, pci.express, pci.device, pci.write, pci.link


def main():
    for sub in ("sys", "dev"):
        shutil.rmtree(os.path.join(HERE, sub), ignore_errors=True)
    os.makedirs(os.path.join(SYS, "bus/pci/devices"))
    os.makedirs(os.path.join(SYS, "kernel/iommu_groups"))
    write(os.path.join(SYS, "devices/virtual/iommu/dmar0/uevent"), "")
    link(os.path.join(SYS, "devices/virtual/iommu/dmar0"), os.path.join(SYS, "class/iommu/dmar0"))
    write(os.path.join(SYS, "bus/pci/drivers_probe"), "")
    for node in ("vfio", "1", "4"):
        write(os.path.join(HERE, "dev/vfio", node), "")
    R = "pci0000:00/"

    device(R + "0000:00:00.0", "0000:00:00.0", 0x8086, 0x29C0, 0x060000, group=0,
           cfg=config(0x8086, 0x29C0, 0x060000))

    br = R + "0000:00:1e.0"
    device(br, "0000:00:1e.0", 0x8086, 0x2448, 0x060940, group=1,
           cfg=config(0x8086, 0x2448, 0x060940, header=1))
    for fn, drv in (("0000:05:00.0", "e1000"), ("0000:05:01.0", "vfio-pci")):
        device(f"{br}/{fn}", fn, 0x8086, 0x100E, 0x020000, driver=drv, group=1,
               cfg=config(0x8086, 0x100E, 0x020000))

    rp = R + "0000:00:1c.0"
    device(rp, "0000:00:1c.0", 0x8086, 0x2940, 0x060400, driver="pcieport", group=2, lnk=(1, 1, 1, 1),
           cfg=config(0x8086, 0x2940, 0x060400, header=1, size=4096, caps=[express(4, 1, 1, 1, 1, 1)]))
    device(f"{rp}/0000:06:00.0", "0000:06:00.0", 0x104C, 0x8039, 0x060700, driver="yenta_cardbus", group=3)
    device(f"{rp}/0000:06:00.1", "0000:06:00.1", 0x104C, 0x803A, 0x0C0010, driver="firewire_ohci", group=3,
           cfg=config(0x104C, 0x803A, 0x0C0010, header=0x80))

    rp = R + "0000:00:1d.0"
    device(rp, "0000:00:1d.0", 0x8086, 0x2942, 0x060400, driver="pcieport", group=5, lnk=(3, 8, 3, 8),
           cfg=config(0x8086, 0x2942, 0x060400, header=1, size=4096, caps=[express(4, 2, 3, 8, 3, 8)]))
    for fn, drv in (("0000:07:00.0", "mlx5_vfio_pci"), ("0000:07:00.1", None)):
        device(f"{rp}/{fn}", fn, 0x15B3, 0x1018, 0x020000, driver=drv, group=4, lnk=(0, 0, 0, 0),
               cfg=config(0x15B3, 0x1018, 0x020000, size=4096, caps=[express(0)]))


if __name__ == "__main__":
    main()
