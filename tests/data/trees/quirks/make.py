#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds sys/ beside this script: what recordings of real machines hold that a fresh kernel's sysfs does not.
#
#   00:03.0  ConnectX-4 (mlx5_core) on a kernel before 4.13: no *_link_* attributes, the link is in
#            `config` only (LNKCAP port 1 8 GT/s x8, LNKSTA 8 GT/s x4)
#     ib0      its IPoIB interface: ARPHRD_INFINIBAND (type 32), a 20-byte hardware address
#   00:04.0  NVMe read by an unprivileged user (64 config bytes) whose recording kept current_link_*
#            only: the current link is known, the capability is not
#   00:05.0  virtio-blk; its disk vdb has no queue/ folder (no logical_block_size)
#   00:06.0  a function whose link speeds were damaged in the recording ("1e999 GT/s", "nan GT/s")
#   00:1f.2  AHCI with host0; 0:0:0:0 a CD drive whose sr0 and sg0 have uevents without DEVNAME
#            (older kernels): sr0's has MAJOR/MINOR, sg0's is empty and its dev attribute says 21:0
#
# Run it again after changing it: python3 tests/data/trees/quirks/make.py
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # nothing beside the trees
# The hand-made trees' builders: devices (make-devices.py, its ROOT set by start()) and PCI
# configuration space (pci/make.py, whose config() writes nothing).
spec = importlib.util.spec_from_file_location("make_devices", os.path.join(HERE, "..", "make-devices.py"))
dev = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dev)
sys.path.insert(0, os.path.join(HERE, "..", "pci"))
import make as cfg  # noqa: E402


def config(path, data):
    with open(dev.P(f"{path}/config"), "wb") as f:
        f.write(data)


def main():
    dev.start("quirks")

    ib = dev.pci("0000:00:03.0", 0x15B3, 0x1013, 0x020700, driver="mlx5_core")
    config(ib, cfg.config(0x15B3, 0x1013, 0x020700, size=4096,
                          caps=[cfg.PM, cfg.express(0, 1, 3, 8, 3, 4), cfg.MSI]))
    dev.netdev(f"{ib}/net/ib0", 4, "80:00:02:08:fe:80:00:00:00:00:00:00:f4:52:14:03:00:8d:52:11", "up",
               speed="56000", extra={"addr_len": "20", "type": "32", "mtu": "2044",
                                     "broadcast": "00:ff:ff:ff:ff:12:40:1b:ff:ff:00:00:00:00:00:00:ff:ff:ff:ff"})

    nv = dev.pci("0000:00:04.0", 0x1B36, 0x0010, 0x010802, driver="nvme")
    config(nv, cfg.config(0x1B36, 0x0010, 0x010802, size=4096, caps=[cfg.PM, cfg.express(0, 0, 3, 4, 3, 4)],
                          length=64))
    dev.attr(f"{nv}/current_link_speed", "8.0 GT/s PCIe")
    dev.attr(f"{nv}/current_link_width", "4")

    v = dev.pci("0000:00:05.0", 0x1AF4, 0x1042, 0x010000, driver="virtio-pci")
    vd = dev.device(f"{v}/virtio1", bus="virtio", driver="virtio_blk",
                    attrs={"vendor": "0x1af4", "device": "0x0002"}, uevent=["MODALIAS=virtio:d00000002v00001AF4"])
    vdb = dev.device(f"{vd}/block/vdb", klass="block", attrs={"size": "2097152", "removable": "0", "ro": "0"},
                     uevent=["MAJOR=254", "MINOR=16", "DEVNAME=vdb", "DEVTYPE=disk"])
    dev.link(vd, f"{vdb}/device")

    odd = dev.pci("0000:00:06.0", 0x8086, 0x10D3, 0x020000, driver="e1000e")
    dev.attr(f"{odd}/max_link_speed", "1e999 GT/s PCIe")
    dev.attr(f"{odd}/max_link_width", "1")
    dev.attr(f"{odd}/current_link_speed", "nan GT/s PCIe")
    dev.attr(f"{odd}/current_link_width", "1")

    ahci = dev.pci("0000:00:1f.2", 0x8086, 0x2922, 0x010601, driver="ahci")
    dev.write(f"{ahci}/ata1/uevent")
    h = f"{ahci}/ata1/host0"
    dev.scsi_host(h, 0, "ahci", "1")
    dev.scsi_target(f"{h}/target0:0:0")
    lun = dev.scsi_lun(f"{h}/target0:0:0/0:0:0:0", 5, "HL-DT-ST", "DVDRAM GH24NSD1 ", driver="sr", rev="LG00")
    sr0 = dev.device(f"{lun}/block/sr0", klass="block",
                     attrs={"size": "2097151", "removable": "1", "ro": "0", "queue/logical_block_size": "2048"},
                     uevent=["MAJOR=11", "MINOR=0", "DEVTYPE=disk"])
    dev.link(lun, f"{sr0}/device")
    sg0 = dev.device(f"{lun}/scsi_generic/sg0", klass="scsi_generic")
    dev.attr(f"{sg0}/dev", "21:0")
    dev.link(lun, f"{sg0}/device")


if __name__ == "__main__":
    main()
