#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds sys/ beside this script: a hand-made PCI host shaped like the kernel's sysfs.
#
#   00:00.0  host bridge, 4096-byte config with a capability list but no Express
#            capability (libvirt: <pci-express/> without a link), group 0
#   00:01.0  PCIe root port (pcieport), link cap port 1 8 GT/s x16, sta 8 GT/s x8, group 1
#     01:00.0  SR-IOV PF (igb): sriov_totalvfs 4, 2 VFs, numa_node 1, group 2
#     01:10.0  VF 0 (igbvf), group 3        01:10.4  VF 1 (vfio-pci), group 4
#   00:02.0  e1000e, root complex integrated endpoint (no link), no numa_node file, group 5
#   00:03.0  mdev parent (i915) with mtty-1 (24 left) and mtty-2 (12 left), group 7
#   00:04.0  a VF whose PF is gone: physfn points nowhere; no config file, group 8
#   00:05.0  vanishes: /sys/bus/pci/devices/0000:00:05.0 points to no folder
#   00:0e.0  VMD controller, group 9; behind it PCI domain 0x10000:
#     10000:e0:06.0  root port, port 6 16 GT/s x4
#       10000:e1:00.0  NVMe with the 64 config bytes an unprivileged reader gets
#                      (link from the *_link_* attributes), no IOMMU group,
#                      SR-IOV capable (sriov_totalvfs 7) with no VF enabled
#   00:1f.0 / 1f.2 / 1f.3  ICH9 LPC (no driver), AHCI (vfio-pci), SMBus (i801_smbus), group 16
#
# Run it again after changing it: python3 tests/data/trees/pci/make.py
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SYS = os.path.join(HERE, "sys")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def link(target, path):
    """A relative link at PATH to TARGET (both absolute inside the tree), as sysfs makes them."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(os.path.relpath(target, os.path.dirname(path)), path)


def config(vendor, device, klass, header=0, caps=(), size=256, length=None):
    """Configuration space: caps are (id, body bytes) placed from 0x40 on, chained."""
    b = bytearray(size)
    struct.pack_into("<HH", b, 0, vendor, device)
    b[0x09:0x0C] = struct.pack("<I", klass)[:3]
    b[0x0E] = header
    pos = 0x40
    prev = None
    for cid, body in caps:
        if prev is None:
            b[0x34] = pos
            struct.pack_into("<H", b, 0x06, 0x0010)  # status: capability list
        else:
            b[prev + 1] = pos
        b[pos] = cid
        b[pos + 2 : pos + 2 + len(body)] = body
        prev = pos
        pos += 0x10 + (len(body) + 15) // 16 * 16
    return bytes(b[: length if length is not None else size])


def express(ptype, lnkcap_port=0, cap_speed=0, cap_width=0, sta_speed=0, sta_width=0):
    """Body of the PCI Express capability from its flags on (offset 2)."""
    body = bytearray(0x12)
    struct.pack_into("<H", body, 0x00, 0x2 | ptype << 4)  # flags: version 2, port type
    struct.pack_into("<I", body, 0x0A, cap_speed | cap_width << 4 | lnkcap_port << 24)  # LNKCAP
    struct.pack_into("<H", body, 0x10, sta_speed | sta_width << 4)  # LNKSTA
    return (0x10, bytes(body))


PM = (0x01, bytes(6))
MSI = (0x05, bytes(8))
VENDOR = (0x09, bytes(2))
SPEEDS = {0: "Unknown", 1: "2.5 GT/s PCIe", 2: "5.0 GT/s PCIe", 3: "8.0 GT/s PCIe", 4: "16.0 GT/s PCIe"}


def device(path, addr, vendor, dev, klass, driver=None, group=None, numa="-1", cfg=None, lnk=None):
    d = os.path.join(SYS, "devices", path)
    os.makedirs(d, exist_ok=True)
    uevent = ""
    if driver:
        uevent += f"DRIVER={driver}\n"
        drv = os.path.join(SYS, "bus/pci/drivers", driver)
        for f in ("bind", "unbind", "new_id", "remove_id"):  # files, so that git keeps the folder
            write(os.path.join(drv, f), "")
        link(os.path.join(SYS, "bus/pci/drivers", driver), os.path.join(d, "driver"))
    uevent += f"PCI_CLASS={klass:X}\nPCI_ID={vendor:04X}:{dev:04X}\nPCI_SUBSYS_ID={vendor:04X}:0000\n"
    uevent += f"PCI_SLOT_NAME={addr}\nMODALIAS=pci:v{vendor:08X}d{dev:08X}sv{vendor:08X}sd00000000"
    uevent += f"bc{klass >> 16:02X}sc{klass >> 8 & 0xff:02X}i{klass & 0xff:02X}\n"
    write(os.path.join(d, "uevent"), uevent)
    write(os.path.join(d, "vendor"), f"0x{vendor:04x}\n")
    write(os.path.join(d, "device"), f"0x{dev:04x}\n")
    write(os.path.join(d, "class"), f"0x{klass:06x}\n")
    write(os.path.join(d, "enable"), "1\n")
    write(os.path.join(d, "driver_override"), "(null)\n")
    if numa is not None:
        write(os.path.join(d, "numa_node"), numa + "\n")
    if cfg is not None:
        write(os.path.join(d, "config"), cfg)
    if lnk is not None:
        cs, cw, ss, sw = lnk
        write(os.path.join(d, "max_link_speed"), SPEEDS[cs] + "\n")
        write(os.path.join(d, "max_link_width"), f"{cw}\n")
        write(os.path.join(d, "current_link_speed"), SPEEDS[ss] + "\n")
        write(os.path.join(d, "current_link_width"), f"{sw}\n")
    link(os.path.join(SYS, "bus/pci"), os.path.join(d, "subsystem"))
    link(d, os.path.join(SYS, "bus/pci/devices", addr))
    if group is not None:
        g = os.path.join(SYS, "kernel/iommu_groups", str(group))
        link(g, os.path.join(d, "iommu_group"))
        link(d, os.path.join(g, "devices", addr))
        write(os.path.join(g, "type"), "DMA\n")
    return d


def main():
    shutil.rmtree(SYS, ignore_errors=True)
    os.makedirs(os.path.join(SYS, "bus/pci/devices"))
    os.makedirs(os.path.join(SYS, "kernel/iommu_groups"))
    write(os.path.join(SYS, "devices/virtual/iommu/dmar0/uevent"), "")
    link(os.path.join(SYS, "devices/virtual/iommu/dmar0"), os.path.join(SYS, "class/iommu/dmar0"))
    write(os.path.join(SYS, "bus/pci/drivers_probe"), "")
    R = "pci0000:00/"

    device(R + "0000:00:00.0", "0000:00:00.0", 0x8086, 0x29C0, 0x060000, group=0,
           cfg=config(0x8086, 0x29C0, 0x060000, caps=[VENDOR], size=4096))
    device(R + "0000:00:01.0", "0000:00:01.0", 0x8086, 0x29C1, 0x060400, driver="pcieport", group=1,
           numa="0", cfg=config(0x8086, 0x29C1, 0x060400, header=1, size=4096,
                                caps=[PM, express(4, 1, 3, 16, 3, 8), MSI]), lnk=(3, 16, 3, 8))
    pf = device(R + "0000:00:01.0/0000:01:00.0", "0000:01:00.0", 0x8086, 0x1521, 0x020000,
                driver="igb", group=2, numa="1", lnk=(2, 4, 2, 4), cfg=config(
                    0x8086, 0x1521, 0x020000, header=0x80, size=4096, caps=[PM, MSI, express(0, 0, 2, 4, 2, 4)]))
    write(os.path.join(pf, "sriov_totalvfs"), "4\n")
    write(os.path.join(pf, "sriov_numvfs"), "2\n")
    for i, fn in enumerate(["0000:01:10.0", "0000:01:10.4"]):
        vf = device(R + "0000:00:01.0/" + fn, fn, 0x8086, 0x1520, 0x020000,
                    driver=["igbvf", "vfio-pci"][i], group=3 + i, numa="1", lnk=(0, 0, 0, 0),
                    cfg=config(0x8086, 0x1520, 0x020000, size=4096, caps=[express(0)]))
        link(vf, os.path.join(pf, f"virtfn{i}"))
        link(pf, os.path.join(vf, "physfn"))

    device(R + "0000:00:02.0", "0000:00:02.0", 0x8086, 0x10D3, 0x020000, driver="e1000e", group=5,
           numa=None, lnk=(0, 0, 0, 0),
           cfg=config(0x8086, 0x10D3, 0x020000, size=4096, caps=[PM, MSI, express(9)]))

    gpu = device(R + "0000:00:03.0", "0000:00:03.0", 0x8086, 0x3E92, 0x030000, driver="i915", group=7,
                 cfg=config(0x8086, 0x3E92, 0x030000, caps=[MSI]))
    for tid, name, avail in [("mtty-2", "Dual port serial", 12), ("mtty-1", "Single port serial", 24)]:
        t = os.path.join(gpu, "mdev_supported_types", tid)
        write(os.path.join(t, "name"), name + "\n")
        write(os.path.join(t, "description"), f"{name} for tests\n")
        write(os.path.join(t, "device_api"), "vfio-pci\n")
        write(os.path.join(t, "available_instances"), f"{avail}\n")
        write(os.path.join(t, "create"), "")

    orphan = device(R + "0000:00:04.0", "0000:00:04.0", 0x8086, 0x1520, 0x020000, group=8)
    os.symlink("../0000:02:00.0", os.path.join(orphan, "physfn"))

    os.symlink("../../../devices/pci0000:00/0000:00:05.0", os.path.join(SYS, "bus/pci/devices/0000:00:05.0"))

    vmd = R + "0000:00:0e.0"
    device(vmd, "0000:00:0e.0", 0x8086, 0x467F, 0x010400, driver="vmd", group=9,
           cfg=config(0x8086, 0x467F, 0x010400, size=4096, caps=[PM, MSI, express(9)]), lnk=(0, 0, 0, 0))
    rp = vmd + "/pci10000:e0/10000:e0:06.0"
    device(rp, "10000:e0:06.0", 0x8086, 0x464D, 0x060400, driver="pcieport", lnk=(4, 4, 4, 4),
           cfg=config(0x8086, 0x464D, 0x060400, header=1, size=4096, caps=[PM, express(4, 6, 4, 4, 4, 4)]))
    nvme = device(rp + "/10000:e1:00.0", "10000:e1:00.0", 0x144D, 0xA808, 0x010802, driver="nvme",
           lnk=(4, 4, 3, 4),
           cfg=config(0x144D, 0xA808, 0x010802, size=4096, caps=[PM, MSI, express(0, 0, 4, 4, 3, 4)], length=64))
    write(os.path.join(nvme, "sriov_totalvfs"), "7\n")  # SR-IOV capable, no VF enabled
    write(os.path.join(nvme, "sriov_numvfs"), "0\n")

    device(R + "0000:00:1f.0", "0000:00:1f.0", 0x8086, 0x2918, 0x060100, group=16,
           cfg=config(0x8086, 0x2918, 0x060100, header=0x80, caps=[VENDOR]))
    device(R + "0000:00:1f.2", "0000:00:1f.2", 0x8086, 0x2922, 0x010601, driver="vfio-pci", group=16,
           cfg=config(0x8086, 0x2922, 0x010601, caps=[MSI, (0x12, bytes(6))]))
    device(R + "0000:00:1f.3", "0000:00:1f.3", 0x8086, 0x2930, 0x0C0500, driver="i801_smbus", group=16,
           cfg=config(0x8086, 0x2930, 0x0C0500))


if __name__ == "__main__":
    main()
