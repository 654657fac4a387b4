#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds sys/ and emulator-ids beside this script: a host for the devices a host makes (mdevs, VFs, vHBAs),
# shaped like the kernel's sysfs, for the kernel emulator (tests/emulator/emu-*.c) to change.
#
#   mtty       /sys/devices/virtual/mtty/mtty: mdev parent, mtty-1 (2 left) and mtty-2 (1 left); no instance
#   00:02.0    a PCI mdev parent (nvidia), type nvidia-35 (4 left), group 2
#   00:03.0    SR-IOV PF on igb, netdev enp0s3: total 4, 0 enabled, offset 128 stride 2 (VFs 00:13.0,
#              00:13.2, ...), VF device 0x1520 (igbvf matches it in emulator-ids), autoprobe 1, group 3
#   00:04.0    SR-IOV PF with no driver (total 2), group 4
#   00:05.0    a plain e1000e function, no SR-IOV, group 5
#   00:06.0    lpfc HBA host5: NPIV with 2 vports, none in use, Online, group 6
#   00:07.0    qla2xxx HBA host8 without NPIV (no vport_create), group 7
# emulator-mdev-attrs: attributes the emulator gives new instances of a type (TYPE ATTR...).
#
# Run it again after changing it: python3 tests/data/trees/created/make.py
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
SYS = os.path.join(HERE, "sys")


def P(path):
    return os.path.join(HERE, path.lstrip("/"))


def write(path, data=""):
    p = P(path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(data)


def attr(path, value):
    write(path, f"{value}\n")


def link(target, path):
    p = P(path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    os.symlink(os.path.relpath(P(target), os.path.dirname(p)), p)


def driver(bus, name):
    for f in ("bind", "unbind", "uevent"):  # files, so that git keeps the folder
        write(f"/sys/bus/{bus}/drivers/{name}/{f}")


def group(n, dev, name):
    g = f"/sys/kernel/iommu_groups/{n}"
    attr(f"{g}/type", "DMA")
    link(dev, f"{g}/devices/{name}")
    link(g, f"{dev}/iommu_group")


def pci(slot, vendor, device, klass, drv=None, grp=None):
    addr = f"0000:00:{slot}"
    d = f"/sys/devices/pci0000:00/{addr}"
    ue = f"DRIVER={drv}\n" if drv else ""
    ue += f"PCI_CLASS={klass:X}\nPCI_ID={vendor:04X}:{device:04X}\nPCI_SUBSYS_ID={vendor:04X}:0000\nPCI_SLOT_NAME={addr}\n"
    write(f"{d}/uevent", ue)
    attr(f"{d}/vendor", f"0x{vendor:04x}")
    attr(f"{d}/device", f"0x{device:04x}")
    attr(f"{d}/class", f"0x{klass:06x}")
    attr(f"{d}/subsystem_vendor", f"0x{vendor:04x}")
    attr(f"{d}/subsystem_device", "0x0000")
    attr(f"{d}/driver_override", "(null)")
    attr(f"{d}/numa_node", "-1")
    attr(f"{d}/enable", "1")
    write(f"{d}/remove")
    link("/sys/bus/pci", f"{d}/subsystem")
    link(d, f"/sys/bus/pci/devices/{addr}")
    if drv:
        driver("pci", drv)
        link(f"/sys/bus/pci/drivers/{drv}", f"{d}/driver")
        link(d, f"/sys/bus/pci/drivers/{drv}/{addr}")
    if grp is not None:
        group(grp, d, addr)
    return d


def mdev_type(parent, tid, name, api, avail):
    t = f"{parent}/mdev_supported_types/{tid}"
    attr(f"{t}/name", name)
    attr(f"{t}/device_api", api)
    attr(f"{t}/available_instances", avail)
    write(f"{t}/create")
    os.makedirs(P(f"{t}/devices"), exist_ok=True)
    write(f"{t}/devices/.keep")


def fc_host(pcidev, n, wwpn, wwnn, npiv):
    h = f"{pcidev}/host{n}"
    write(f"{h}/uevent", "DEVTYPE=scsi_host\n")
    link("/sys/bus/scsi", f"{h}/subsystem")
    link(h, f"/sys/bus/scsi/devices/host{n}")
    s = f"{h}/scsi_host/host{n}"
    attr(f"{s}/unique_id", n)
    attr(f"{s}/proc_name", "lpfc" if npiv else "qla2xxx")
    attr(f"{s}/state", "running")
    write(f"{s}/uevent")
    link("/sys/class/scsi_host", f"{s}/subsystem")
    link(s, f"/sys/class/scsi_host/host{n}")
    f = f"{h}/fc_host/host{n}"
    attr(f"{f}/port_name", f"0x{wwpn}")
    attr(f"{f}/node_name", f"0x{wwnn}")
    attr(f"{f}/fabric_name", "0x2002000573de9a81")
    attr(f"{f}/port_state", "Online")
    attr(f"{f}/port_type", "NPort (fabric via point-to-point)")
    attr(f"{f}/speed", "16 Gbit")
    write(f"{f}/uevent")
    link("/sys/class/fc_host", f"{f}/subsystem")
    link(f, f"/sys/class/fc_host/host{n}")
    if npiv:
        attr(f"{f}/max_npiv_vports", 2)
        attr(f"{f}/npiv_vports_inuse", 0)
        write(f"{f}/vport_create")
        write(f"{f}/vport_delete")


def main():
    for d in ("sys", "emulator-ids", "emulator-mdev-attrs"):
        p = os.path.join(HERE, d)
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.unlink(p)
    for d in ("/sys/bus/pci/devices", "/sys/bus/mdev/devices", "/sys/class/mdev_bus", "/sys/class/net",
              "/sys/class/fc_vports", "/sys/kernel/iommu_groups"):
        os.makedirs(P(d), exist_ok=True)
        write(f"{d}/.keep")
    write("/sys/bus/pci/drivers_probe")
    attr("/sys/bus/pci/drivers_autoprobe", 1)
    write("/sys/devices/pci0000:00/uevent")
    write("/sys/devices/virtual/iommu/dmar0/uevent")
    link("/sys/devices/virtual/iommu/dmar0", "/sys/class/iommu/dmar0")
    driver("mdev", "mtty")
    driver("mdev", "nvidia-vgpu-vfio")
    driver("pci", "igbvf")
    driver("pci", "vfio-pci")

    # mtty, the kernel's sample mdev driver: a class device with no bus.
    m = "/sys/devices/virtual/mtty/mtty"
    write(f"{m}/uevent", "MAJOR=237\nMINOR=0\nDEVNAME=mtty\n")
    link("/sys/class/mtty", f"{m}/subsystem")
    link(m, "/sys/class/mtty/mtty")
    link(m, "/sys/class/mdev_bus/mtty")
    mdev_type(m, "mtty-1", "Single port serial", "vfio-pci", 2)
    mdev_type(m, "mtty-2", "Dual port serial", "vfio-pci", 1)

    g = pci("02.0", 0x10DE, 0x1EB8, 0x030200, drv="nvidia", grp=2)
    link(g, "/sys/class/mdev_bus/0000:00:02.0")
    mdev_type(g, "nvidia-35", "GRID T4-1B", "vfio-pci", 4)

    pf = pci("03.0", 0x8086, 0x1521, 0x020000, drv="igb", grp=3)
    for k, v in (("sriov_totalvfs", 4), ("sriov_numvfs", 0), ("sriov_offset", 128), ("sriov_stride", 2),
                 ("sriov_vf_device", 1520), ("sriov_drivers_autoprobe", 1)):
        attr(f"{pf}/{k}", v)
    n = f"{pf}/net/enp0s3"
    write(f"{n}/uevent", "INTERFACE=enp0s3\nIFINDEX=3\n")
    attr(f"{n}/address", "52:54:00:12:34:56")
    attr(f"{n}/ifindex", 3)
    attr(f"{n}/operstate", "up")
    link("/sys/class/net", f"{n}/subsystem")
    link(n, "/sys/class/net/enp0s3")

    pf2 = pci("04.0", 0x8086, 0x1521, 0x020000, grp=4)
    for k, v in (("sriov_totalvfs", 2), ("sriov_numvfs", 0), ("sriov_offset", 128), ("sriov_stride", 1),
                 ("sriov_vf_device", 1520), ("sriov_drivers_autoprobe", 1)):
        attr(f"{pf2}/{k}", v)

    pci("05.0", 0x8086, 0x10D3, 0x020000, drv="e1000e", grp=5)

    fc_host(pci("06.0", 0x10DF, 0xE200, 0x0C0400, drv="lpfc", grp=6), 5, "10000000c9000001", "20000000c9000001", True)
    fc_host(pci("07.0", 0x1077, 0x2532, 0x0C0400, drv="qla2xxx", grp=7), 8, "21000024ff000001", "20000024ff000001", False)

    with open(os.path.join(HERE, "emulator-ids"), "w") as f:
        f.write("# DRIVER VENDOR DEVICE [CLASS]\nigb 8086 1521\nigbvf 8086 1520\ne1000e 8086 10d3\n")
    with open(os.path.join(HERE, "emulator-mdev-attrs"), "w") as f:
        f.write("# TYPE ATTRIBUTE... : files a new instance of TYPE has\nmtty-1 color speed\n")


if __name__ == "__main__":
    main()
