#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the hand-made trees of the non-PCI subsystems beside this script, shaped like the
# kernel's sysfs (and udev's /run/udev/data where a host with udevd has it):
#
#   usb/    xhci 00:04.0 with root hubs usb3 and usb4; 3-1 (0204:6025, busnum 3 devnum 2, udev
#           names) with CDC interfaces 3-1:1.0 (02/02/01) and 3-1:1.1 (0a/00, no protocol file);
#           3-3 (unknown ids, its manufacturer a link to nowhere); endpoints and ports (not
#           devices); 3-2 vanished (a bus link to nothing)
#   net/    e1000e eth0 (1000 Mb/s, up), iwlwifi wlan0 (DEVTYPE=wlan, phy80211, down), eth1 whose
#           address is unreadable, eth2 up with speed -1, eth3 down with speed 65535, lo,
#           veth-a.1 (mangled name), br0 and eth0.100 (bridge, vlan: not listed), gone0 vanished
#   scsi/   scsi_debug: pseudo_0/adapter0/host0, targets 0:0:0 0:0:1 0:0:2; sda (udev), sdb (no
#           udev entry), sdc (removable, with partition sdc1), sr0 (cd with media, udev), sg0..sg3,
#           0:0:2:0 an enclosure without block or sg
#   fc/     lpfc HBA host5 on 04:00.0 (fc_host names, 255 vports, 1 in use) with vport host6
#           and rport-5:0-0/target5:0:0/5:0:0:0; host7 on 04:00.1 with no port_name
#   block/  virtio vda (+ vda1), NVMe namespace nvme0n1 (4096-byte blocks, udev serial) and its
#           hidden path nvme0c0n1, ATA sda (udev), mmcblk0 (udev: SD), floppy fd0 (udev label),
#           loop0, zram0 (not listed), sdz vanished
#   mdev/   mtty parent /sys/devices/virtual/mtty/mtty with mtty-1, mtty-2 and one instance;
#           GVT-g parent 00:02.0 with one instance that has no IOMMU group; one vanished
#   drm/    qxl 00:02.0 with card0, controlD64, renderD128, connector card0-Virtual-1, the class's
#           version file; card9 vanished
#   vdpa/   vp_vdpa vdpa0 on 00:07.0 and vdpa-net.1 of vdpasim_net, both bound to vhost_vdpa
#   s390/   css0: 0.0.0000 (io_subchannel, ccw 0.0.0052 online), 0.0.0001 (vfio_ccw with
#           vfio_ccw-io and an mdev), 0.0.0002 (chsc: not listed), 0.0.0003 (ccw 0.0.0053
#           offline); AP card0a with queue 0a.0004
#
# Run it again after changing it: python3 tests/data/trees/make-devices.py
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = None  # the tree being built


def P(path):
    """PATH ("/sys/...") inside the tree being built."""
    return os.path.join(ROOT, path.lstrip("/"))


def write(path, data=""):
    p = P(path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(data)


def attr(path, value):
    write(path, f"{value}\n")


def link(target, path):
    """A relative link at PATH to TARGET (both absolute, as the kernel names them)."""
    p = P(path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    os.symlink(os.path.relpath(P(target), os.path.dirname(p)), p)


def driver_dir(bus, name):
    d = f"/sys/bus/{bus}/drivers/{name}"
    for f in ("bind", "unbind", "uevent"):  # files, so that git keeps the folder
        write(f"{d}/{f}")
    return d


def device(path, bus=None, klass=None, driver=None, uevent=(), attrs=None, name=None):
    """A device folder: uevent, attributes, subsystem and driver links, the bus or class entry."""
    name = name or os.path.basename(path)
    lines = list(uevent)
    if driver:
        lines.insert(0, f"DRIVER={driver}")
    write(f"{path}/uevent", "".join(line + "\n" for line in lines))
    for k, v in (attrs or {}).items():
        attr(f"{path}/{k}", v)
    for line in lines:
        if line.startswith("MAJOR="):
            major = line[6:]
        if line.startswith("MINOR="):
            attr(f"{path}/dev", f"{major}:{line[6:]}")
    if bus:
        write(f"/sys/bus/{bus}/drivers_probe")
        link(f"/sys/bus/{bus}", f"{path}/subsystem")
        link(path, f"/sys/bus/{bus}/devices/{name}")
        if driver:
            d = driver_dir(bus, driver)
            link(d, f"{path}/driver")
            link(path, f"{d}/{name}")
    elif klass:
        link(f"/sys/class/{klass}", f"{path}/subsystem")
        link(path, f"/sys/class/{klass}/{name}")
    return path


def pci(addr, vendor, dev, klass, driver=None, parent="/sys/devices/pci0000:00"):
    path = f"{parent}/{addr}"
    write("/sys/devices/pci0000:00/uevent")
    uevent = [f"PCI_CLASS={klass:X}", f"PCI_ID={vendor:04X}:{dev:04X}", f"PCI_SUBSYS_ID={vendor:04X}:0000",
              f"PCI_SLOT_NAME={addr}",
              f"MODALIAS=pci:v{vendor:08X}d{dev:08X}sv{vendor:08X}sd00000000"
              f"bc{klass >> 16:02X}sc{klass >> 8 & 0xff:02X}i{klass & 0xff:02X}"]
    return device(path, bus="pci", driver=driver, uevent=uevent,
                  attrs={"vendor": f"0x{vendor:04x}", "device": f"0x{dev:04x}", "class": f"0x{klass:06x}",
                         "subsystem_vendor": f"0x{vendor:04x}", "subsystem_device": "0x0000",
                         "numa_node": "-1", "enable": "1"})


def udev_db(kind, major, minor, props=(), links=()):
    """/run/udev/data/{b,c}MAJ:MIN as udevd writes it: S: links, E: properties."""
    text = "".join(f"S:{s}\n" for s in links) + "I:1700000000\n"
    text += "".join(f"E:{e}\n" for e in props) + "G:systemd\nQ:systemd\nV:1\n"
    write(f"/run/udev/data/{kind}{major}:{minor}", text)


def start(name):
    global ROOT
    ROOT = os.path.join(HERE, name)
    for sub in ("sys", "run"):
        shutil.rmtree(os.path.join(ROOT, sub), ignore_errors=True)
    write("/sys/kernel/uevent_seqnum", "1\n")


# ---------------------------------------------------------------------------------------------

def usb_device(path, busnum, devnum, vendor, product, bcd, cls, manufacturer=None, prod=None, serial=None,
               speed="480"):
    minor = (busnum - 1) * 128 + devnum - 1
    attrs = {"idVendor": f"{vendor:04x}", "idProduct": f"{product:04x}", "bcdDevice": bcd,
             "busnum": busnum, "devnum": devnum, "bDeviceClass": f"{cls:02x}", "bDeviceSubClass": "00",
             "bDeviceProtocol": "01" if cls == 9 else "00", "bNumConfigurations": "1",
             "bConfigurationValue": "1", "speed": speed, "version": " 2.00", "maxchild": "0"}
    if manufacturer:
        attrs["manufacturer"] = manufacturer
    if prod:
        attrs["product"] = prod
    if serial:
        attrs["serial"] = serial
    device(path, bus="usb", driver="usb", attrs=attrs, uevent=[
        "MAJOR=189", f"MINOR={minor}", f"DEVNAME=bus/usb/{busnum:03d}/{devnum:03d}", "DEVTYPE=usb_device",
        f"PRODUCT={vendor:x}/{product:x}/{int(bcd, 16):x}", f"TYPE={cls}/0/0",
        f"BUSNUM={busnum:03d}", f"DEVNUM={devnum:03d}"])
    endpoint(path, "00")
    return minor


def endpoint(parent, addr):
    # Endpoints are devices of no bus or class: they have no subsystem link.
    write(f"{parent}/ep_{addr}/uevent", "DEVTYPE=usb_endpoint\n")
    attr(f"{parent}/ep_{addr}/bEndpointAddress", addr)


def usb_interface(path, driver, cls, sub, proto, product, eps=(), no_proto=False):
    attrs = {"bInterfaceNumber": path.rsplit(".", 1)[1].zfill(2), "bAlternateSetting": " 0",
             "bInterfaceClass": f"{cls:02x}", "bInterfaceSubClass": f"{sub:02x}",
             "bNumEndpoints": f"{len(eps):02x}"}
    if not no_proto:
        attrs["bInterfaceProtocol"] = f"{proto:02x}"
    device(path, bus="usb", driver=driver, attrs=attrs, uevent=[
        "DEVTYPE=usb_interface", f"PRODUCT={product}", f"INTERFACE={cls}/{sub}/{proto}"])
    for e in eps:
        endpoint(path, e)


def make_usb():
    start("usb")
    xhci = pci("0000:00:04.0", 0x1B36, 0x000D, 0x0C0330, driver="xhci_hcd")
    for bus, ver, prod in ((3, "0002", "xHCI Host Controller"), (4, "0003", "xHCI Host Controller")):
        hub = f"{xhci}/usb{bus}"
        usb_device(hub, bus, 1, 0x1D6B, int(ver, 16), "0601", 9,
                   manufacturer="Linux 6.1.0-18-amd64 xhci-hcd", prod=prod, serial="0000:00:04.0",
                   speed="480" if bus == 3 else "5000")
        usb_interface(f"{hub}/{bus}-0:1.0", "hub", 9, 0, 0, f"1d6b/{int(ver)}/601", eps=["81"])
        write(f"{hub}/{bus}-0:1.0/usb{bus}-port1/uevent", "DEVTYPE=usb_port\n")
    d = f"{xhci}/usb3/3-1"
    minor = usb_device(d, 3, 2, 0x0204, 0x6025, "0510", 2, manufacturer="Hostdev Lab",
                       prod="Gadget Serial v2.4", serial="0123456789")
    udev_db("c", 189, minor, props=["ID_VENDOR=Hostdev_Lab", "ID_VENDOR_ID=0204", "ID_MODEL_ID=6025",
                                   "ID_VENDOR_FROM_DATABASE=Chipsbank Microelectronics Co., Ltd",
                                   "ID_MODEL_FROM_DATABASE=CBM2080 / CBM2090 Flash drive controller",
                                   "ID_SERIAL=Hostdev_Lab_Gadget_Serial_v2.4_0123456789"])
    usb_interface(f"{d}/3-1:1.0", "cdc_acm", 2, 2, 1, "204/6025/510", eps=["82"])
    device(f"{d}/3-1:1.0/tty/ttyACM0", klass="tty", uevent=["MAJOR=166", "MINOR=0", "DEVNAME=ttyACM0"])
    usb_interface(f"{d}/3-1:1.1", "cdc_acm", 10, 0, 0, "204/6025/510", eps=["01", "81"], no_proto=True)
    # An unknown device: no udev entry, no database name; its manufacturer cannot be read.
    d = f"{xhci}/usb3/3-3"
    usb_device(d, 3, 4, 0xF1E0, 0x0001, "0100", 0, prod="Bench Meter  (rev B)")
    os.symlink("../../../../../../nonexistent/manufacturer", P(f"{d}/manufacturer"))
    usb_interface(f"{d}/3-3:1.0", None, 0xff, 0, 0, "f1e0/1/100")
    link(f"{xhci}/usb3/3-2", "/sys/bus/usb/devices/3-2")


# ---------------------------------------------------------------------------------------------

def netdev(path, ifindex, address, operstate, speed=None, devtype=None, extra=None):
    name = os.path.basename(path)
    uevent = ([f"DEVTYPE={devtype}"] if devtype else []) + [f"INTERFACE={name}", f"IFINDEX={ifindex}"]
    attrs = {"ifindex": ifindex, "iflink": ifindex, "operstate": operstate, "addr_len": "6", "type": "1",
             "mtu": "1500", "carrier": "1" if operstate == "up" else "0", "ifalias": ""}
    if address is not None:
        attrs["address"] = address
    if speed is not None:
        attrs["speed"] = speed
    attrs.update(extra or {})
    device(path, klass="net", uevent=uevent, attrs=attrs)
    parent = os.path.dirname(os.path.dirname(path))
    if "/virtual/" not in path:
        link(parent, f"{path}/device")
    return path


def make_net():
    start("net")
    e = pci("0000:00:19.0", 0x8086, 0x15B8, 0x020000, driver="e1000e")
    netdev(f"{e}/net/eth0", 2, "00:1b:21:aa:bb:cc", "up", speed="1000",
           extra={"ifalias": "uplink to core switch"})
    w = pci("0000:00:14.3", 0x8086, 0xA370, 0x028000, driver="iwlwifi")
    device(f"{w}/ieee80211/phy0", klass="ieee80211", attrs={"index": "0", "name": "phy0"})
    wl = netdev(f"{w}/net/wlan0", 3, "9c:b6:d0:11:22:33", "down", devtype="wlan")
    link(f"{w}/ieee80211/phy0", f"{wl}/phy80211")
    v = pci("0000:00:03.0", 0x1AF4, 0x1041, 0x020000, driver="virtio-pci")
    device(f"{v}/virtio2", bus="virtio", driver="virtio_net", attrs={"vendor": "0x1af4", "device": "0x0001"},
           uevent=["MODALIAS=virtio:d00000001v00001AF4"])
    eth1 = netdev(f"{v}/virtio2/net/eth1", 4, None, "up")
    os.symlink("../../../../../../nonexistent/address", P(f"{eth1}/address"))
    netdev(f"{v}/virtio2/net/eth2", 5, "52:54:00:12:34:56", "up", speed="-1")
    n = pci("0000:00:1a.0", 0x8086, 0x10D3, 0x020000, driver="e1000e")
    netdev(f"{n}/net/eth3", 6, "52:54:00:ab:cd:ef", "down", speed="65535")
    netdev("/sys/devices/virtual/net/lo", 1, "00:00:00:00:00:00", "unknown")
    netdev("/sys/devices/virtual/net/veth-a.1", 7, "5a:11:22:33:44:55", "lowerlayerdown")
    netdev("/sys/devices/virtual/net/br0", 8, "5a:00:00:00:00:08", "up", devtype="bridge")
    netdev("/sys/devices/virtual/net/eth0.100", 9, "00:1b:21:aa:bb:cc", "up", devtype="vlan")
    link("/sys/devices/virtual/net/gone0", "/sys/class/net/gone0")


# ---------------------------------------------------------------------------------------------

def block_disk(path, major, minor, size, lbs="512", removable="0", ro="0", extra_uevent=(), attrs=None):
    a = {"size": size, "removable": removable, "ro": ro, "queue/logical_block_size": lbs,
         "queue/physical_block_size": lbs, "queue/hw_sector_size": lbs, "range": "16", "ext_range": "256"}
    a.update(attrs or {})
    device(path, klass="block", attrs=a, uevent=[f"MAJOR={major}", f"MINOR={minor}",
                                                 f"DEVNAME={os.path.basename(path)}", "DEVTYPE=disk",
                                                 *extra_uevent])
    return path


def partition(disk, n, major, minor, size, start):
    name = f"{os.path.basename(disk)}{n}"
    device(f"{disk}/{name}", klass="block", attrs={"size": size, "start": start, "partition": n},
           uevent=[f"MAJOR={major}", f"MINOR={minor}", f"DEVNAME={name}", "DEVTYPE=partition", f"PARTN={n}"])


def scsi_host(path, host, proc_name, unique_id, driver=None):
    device(path, bus="scsi", uevent=["DEVTYPE=scsi_host"])
    device(f"{path}/scsi_host/host{host}", klass="scsi_host",
           attrs={"unique_id": unique_id, "proc_name": proc_name, "state": "running"})


def scsi_target(path):
    device(path, bus="scsi", uevent=["DEVTYPE=scsi_target"])


def scsi_lun(path, ptype, vendor, model, driver=None, rev="0191"):
    hbtl = os.path.basename(path)
    device(path, bus="scsi", driver=driver, uevent=["DEVTYPE=scsi_device", f"MODALIAS=scsi:t-0x{ptype:02x}"],
           attrs={"type": ptype, "vendor": vendor, "model": model, "rev": rev, "scsi_level": "8",
                  "state": "running", "device_blocked": "0"})
    device(f"{path}/scsi_device/{hbtl}", klass="scsi_device")
    return path


def sg(lun, n):
    p = device(f"{lun}/scsi_generic/sg{n}", klass="scsi_generic",
               uevent=["MAJOR=21", f"MINOR={n}", f"DEVNAME=sg{n}"])
    link(lun, f"{p}/device")


def disk_under(lun, name, major, minor, size, **kw):
    p = block_disk(f"{lun}/block/{name}", major, minor, size, **kw)
    link(lun, f"{p}/device")
    return p


def make_scsi():
    start("scsi")
    write("/sys/devices/pseudo_0/uevent")
    device("/sys/devices/pseudo_0/adapter0", bus="pseudo", driver="adapter_driver")
    h = "/sys/devices/pseudo_0/adapter0/host0"
    scsi_host(h, 0, "scsi_debug", "1")
    t0, t1, t2 = (f"{h}/target0:0:{i}" for i in range(3))
    for t in (t0, t1, t2):
        scsi_target(t)
    vendor, model = "Linux   ", "scsi_debug      "
    lun = scsi_lun(f"{t0}/0:0:0:0", 0, vendor, model, driver="sd")
    disk_under(lun, "sda", 8, 0, "16384")
    udev_db("b", 8, 0, props=["ID_BUS=scsi", "ID_TYPE=disk", "ID_VENDOR=Linux", "ID_MODEL=scsi_debug",
                              "ID_SERIAL=333333330000007d0", "ID_SERIAL_SHORT=33333333000007d0"],
            links=["disk/by-id/scsi-333333330000007d0", "disk/by-path/pci-0000:00:00.0-scsi-0:0:0:0"])
    sg(lun, 0)
    lun = scsi_lun(f"{t0}/0:0:0:1", 0, vendor, model, driver="sd")
    disk_under(lun, "sdb", 8, 16, "16384")  # no udev entry: the type comes from the SCSI type
    sg(lun, 1)
    lun = scsi_lun(f"{t1}/0:0:1:0", 0, vendor, model, driver="sd")
    sdc = disk_under(lun, "sdc", 8, 32, "16384", removable="1")
    partition(sdc, 1, 8, 33, "16000", "2048")
    udev_db("b", 8, 32, props=["ID_BUS=scsi", "ID_TYPE=disk", "ID_SERIAL=333333330000007d2"])
    udev_db("b", 8, 33, props=["ID_BUS=scsi", "ID_TYPE=disk", "ID_PART_ENTRY_NUMBER=1"])
    sg(lun, 2)
    lun = scsi_lun(f"{t1}/0:0:1:1", 5, vendor, model, driver="sr")
    disk_under(lun, "sr0", 11, 0, "2035712", lbs="2048", removable="1")
    udev_db("b", 11, 0, props=["ID_CDROM=1", "ID_CDROM_DVD=1", "ID_CDROM_MEDIA=1", "ID_BUS=scsi",
                               "ID_TYPE=cd", "ID_FS_LABEL=Debian 12.5.0 amd64 1", "ID_FS_TYPE=iso9660"],
            links=["cdrom", "disk/by-label/Debian\\x2012.5.0\\x20amd64\\x201"])
    sg(lun, 3)
    scsi_lun(f"{t2}/0:0:2:0", 0x0d, vendor, "enclosure       ")


# ---------------------------------------------------------------------------------------------

def fc_host(h, n, node, port, fabric=None, vports=None, with_port_name=True):
    a = {"node_name": node, "port_state": "Online", "port_type": "NPort (fabric via point-to-point)",
         "speed": "16 Gbit", "supported_classes": "Class 3"}
    if with_port_name:
        a["port_name"] = port
    if fabric:
        a["fabric_name"] = fabric
    if vports:
        a["max_npiv_vports"], a["npiv_vports_inuse"] = vports
        write(f"{h}/fc_host/host{n}/vport_create")
        write(f"{h}/fc_host/host{n}/vport_delete")
    device(f"{h}/fc_host/host{n}", klass="fc_host", attrs=a)


def make_fc():
    start("fc")
    rp = pci("0000:00:06.0", 0x8086, 0x29C1, 0x060400, driver="pcieport")
    hba = pci("0000:04:00.0", 0x10DF, 0xF100, 0x0C0400, driver="lpfc", parent=rp)
    h5 = f"{hba}/host5"
    scsi_host(h5, 5, "lpfc", "5")
    fc_host(h5, 5, "0x20000000c9831b4b", "0x10000000c9831b4b", "0x2002000573de9a81", vports=("255", "1"))
    rport = f"{h5}/rport-5:0-0"
    write(f"{rport}/uevent")
    device(f"{rport}/fc_remote_ports/rport-5:0-0", klass="fc_remote_ports",
           attrs={"port_name": "0x50060b0000b0a7d0", "node_name": "0x50060b0000b0a7d1",
                  "port_id": "0x010200", "roles": "FCP Target", "port_state": "Online", "scsi_target_id": "0"})
    t = f"{rport}/target5:0:0"
    scsi_target(t)
    scsi_lun(f"{t}/5:0:0:0", 0, "HP      ", "OPEN-V          ", driver="sd", rev="8001")
    vport = f"{h5}/vport-5:0-0"
    write(f"{vport}/uevent")
    device(f"{vport}/fc_vports/vport-5:0-0", klass="fc_vports",
           attrs={"node_name": "0x20000000c9831b4c", "port_name": "0x10000000c9831b4c",
                  "vport_state": "Active", "roles": "FCP Initiator"})
    h6 = f"{vport}/host6"
    scsi_host(h6, 6, "lpfc", "6")
    fc_host(h6, 6, "0x20000000c9831b4c", "0x10000000c9831b4c", "0x2002000573de9a81")
    hba2 = pci("0000:04:00.1", 0x10DF, 0xF100, 0x0C0400, driver="lpfc", parent=rp)
    h7 = f"{hba2}/host7"
    scsi_host(h7, 7, "lpfc", "7")
    fc_host(h7, 7, "0x20000000c9831b4d", None, with_port_name=False)


# ---------------------------------------------------------------------------------------------

def make_block():
    start("block")
    v = pci("0000:00:05.0", 0x1AF4, 0x1042, 0x010000, driver="virtio-pci")
    vd = device(f"{v}/virtio1", bus="virtio", driver="virtio_blk", attrs={"vendor": "0x1af4", "device": "0x0002"},
                uevent=["MODALIAS=virtio:d00000002v00001AF4"])
    vda = block_disk(f"{vd}/block/vda", 254, 0, "536870912", extra_uevent=["DISKSEQ=9"],
                     attrs={"serial": "20166490128781166"})
    link(vd, f"{vda}/device")
    partition(vda, 1, 254, 1, "536868864", "2048")

    nv = pci("0000:00:06.0", 0x1B36, 0x0010, 0x010802, driver="nvme")
    ctrl = device(f"{nv}/nvme/nvme0", klass="nvme", uevent=["MAJOR=241", "MINOR=0", "DEVNAME=nvme0"],
                  attrs={"model": "QEMU NVMe Ctrl                          ", "serial": "deadbeef",
                         "firmware_rev": "7.2.0", "transport": "pcie", "cntlid": "0"})
    link(nv, f"{ctrl}/device")
    subsys = "/sys/devices/virtual/nvme-subsystem/nvme-subsys0"
    device(subsys, klass="nvme-subsystem",
           attrs={"model": "QEMU NVMe Ctrl                          ", "serial": "deadbeef",
                  "subsysnqn": "nqn.2019-08.org.qemu:subsys0", "iopolicy": "numa"})
    link(ctrl, f"{subsys}/nvme0")
    ns = block_disk(f"{subsys}/nvme0n1", 259, 0, "2097152", lbs="4096", attrs={"nsid": "1", "wwid": "eui.1"})
    link(subsys, f"{ns}/device")
    udev_db("b", 259, 0, props=["ID_SERIAL=QEMU_NVMe_Ctrl_deadbeef", "ID_SERIAL_SHORT=deadbeef",
                                "ID_MODEL=QEMU NVMe Ctrl", "ID_NSID=1", "ID_WWN=eui.1"],
            links=["disk/by-id/nvme-QEMU_NVMe_Ctrl_deadbeef"])
    # The path through one controller: a hidden disk, with no node of its own.
    hidden = f"{ctrl}/nvme0c0n1"
    device(hidden, klass="block", uevent=["DEVTYPE=disk"],
           attrs={"size": "2097152", "queue/logical_block_size": "4096", "hidden": "1"})
    link(ctrl, f"{hidden}/device")

    ahci = pci("0000:00:1f.2", 0x8086, 0x2922, 0x010601, driver="ahci")
    write(f"{ahci}/ata1/uevent")
    h = f"{ahci}/ata1/host0"
    scsi_host(h, 0, "ahci", "1")
    scsi_target(f"{h}/target0:0:0")
    lun = scsi_lun(f"{h}/target0:0:0/0:0:0:0", 0, "ATA     ", "WDC WD10EZEX-08W", driver="sd", rev="1A01")
    sda = disk_under(lun, "sda", 8, 0, "1953525168")
    partition(sda, 1, 8, 1, "1953523120", "2048")
    udev_db("b", 8, 0, props=["ID_ATA=1", "ID_TYPE=disk", "ID_BUS=ata", "ID_MODEL=WDC_WD10EZEX-08WN4A0",
                              "ID_SERIAL=WDC_WD10EZEX-08WN4A0_WD-WCC6Y0000000",
                              "ID_SERIAL_SHORT=WD-WCC6Y0000000"],
            links=["disk/by-id/ata-WDC_WD10EZEX-08WN4A0_WD-WCC6Y0000000"])

    mmc = pci("0000:00:1e.6", 0x8086, 0x9DC4, 0x080501, driver="sdhci-pci")
    write(f"{mmc}/mmc_host/mmc0/uevent")
    card = device(f"{mmc}/mmc_host/mmc0/mmc0:aaaa", bus="mmc", driver="mmcblk",
                  uevent=["MMC_TYPE=SD", "MMC_NAME=SL16G"],
                  attrs={"type": "SD", "name": "SL16G", "serial": "0x12345678", "manfid": "0x000003"})
    blk = block_disk(f"{card}/block/mmcblk0", 179, 0, "31116288")
    link(card, f"{blk}/device")
    udev_db("b", 179, 0, props=["ID_NAME=SL16G", "ID_SERIAL=0x12345678", "ID_DRIVE_FLASH_SD=1",
                                "ID_DRIVE_MEDIA_FLASH_SD=1"])

    fl = device("/sys/devices/platform/floppy.0", bus="platform", driver="floppy")
    fd0 = block_disk(f"{fl}/block/fd0", 2, 0, "2880", removable="1")
    link(fl, f"{fd0}/device")
    udev_db("b", 2, 0, props=["ID_DRIVE_FLOPPY=1", "ID_FS_LABEL=BOOTDISK", "ID_FS_TYPE=vfat"])

    block_disk("/sys/devices/virtual/block/loop0", 7, 0, "0", extra_uevent=["DISKSEQ=1"])
    block_disk("/sys/devices/virtual/block/zram0", 252, 0, "8388608", extra_uevent=["DISKSEQ=2"])
    link("/sys/devices/pci0000:00/0000:00:1f.2/ata4/host3/target3:0:0/3:0:0:0/block/sdz", "/sys/class/block/sdz")


# ---------------------------------------------------------------------------------------------

def mdev_types(parent, types):
    for tid, name, api, avail, desc in types:
        t = f"{parent}/mdev_supported_types/{tid}"
        if name:
            attr(f"{t}/name", name)
        if desc:
            attr(f"{t}/description", desc)
        attr(f"{t}/device_api", api)
        attr(f"{t}/available_instances", avail)
        write(f"{t}/create")


def mdev(parent, uuid, tid, driver, group=None):
    p = f"{parent}/{uuid}"
    device(p, bus="mdev", driver=driver, uevent=[f"MDEV_TYPE={tid}"])
    write(f"{p}/remove")
    link(f"{parent}/mdev_supported_types/{tid}", f"{p}/mdev_type")
    link(p, f"{parent}/mdev_supported_types/{tid}/devices/{uuid}")
    if group is not None:
        g = f"/sys/kernel/iommu_groups/{group}"
        attr(f"{g}/type", "DMA")
        link(g, f"{p}/iommu_group")
        link(p, f"{g}/devices/{uuid}")
        device(f"{p}/vfio-dev/vfio{group}", klass="vfio-dev",
               uevent=["MAJOR=511", f"MINOR={group}", f"DEVNAME=vfio/devices/vfio{group}"])
    return p


def make_mdev():
    start("mdev")
    m = device("/sys/devices/virtual/mtty/mtty", klass="mtty")
    link(m, "/sys/class/mdev_bus/mtty")
    mdev_types(m, [("mtty-1", "Single port serial", "vfio-pci", "24", None),
                   ("mtty-2", "Dual port serial", "vfio-pci", "11", None)])
    mdev(m, "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", "mtty-2", "mtty", group=5)
    gpu = pci("0000:00:02.0", 0x8086, 0x3E92, 0x030000, driver="i915")
    link(gpu, "/sys/class/mdev_bus/0000:00:02.0")
    mdev_types(gpu, [("i915-GVTg_V5_4", "GVTg_V5_4", "vfio-pci", "7",
                      "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4")])
    mdev(gpu, "4b20d080-1b54-4048-85b3-a6a62d165c01", "i915-GVTg_V5_4", "kvmgt")
    link(f"{m}/d069d019-36ea-4111-8f0a-8c9a70e21366", "/sys/bus/mdev/devices/d069d019-36ea-4111-8f0a-8c9a70e21366")


# ---------------------------------------------------------------------------------------------

def make_drm():
    start("drm")
    gpu = pci("0000:00:02.0", 0x1B36, 0x0100, 0x030000, driver="qxl")
    for name, minor in (("card0", 0), ("controlD64", 64), ("renderD128", 128)):
        device(f"{gpu}/drm/{name}", klass="drm", uevent=["MAJOR=226", f"MINOR={minor}",
                                                        f"DEVNAME=dri/{name}", "DEVTYPE=drm_minor"])
        link(gpu, f"{gpu}/drm/{name}/device")
    device(f"{gpu}/drm/card0/card0-Virtual-1", klass="drm", uevent=["DEVTYPE=drm_connector"],
           attrs={"status": "connected", "enabled": "enabled", "dpms": "On"})
    attr("/sys/class/drm/version", "drm 1.1.0 20060810")
    link(f"{gpu}/drm/card9", "/sys/class/drm/card9")


# ---------------------------------------------------------------------------------------------

def make_vdpa():
    start("vdpa")
    v = pci("0000:00:07.0", 0x1AF4, 0x1041, 0x020000, driver="vp-vdpa")
    d = device(f"{v}/vdpa0", bus="vdpa", driver="vhost_vdpa")
    device(f"{d}/vhost-vdpa-0", klass="vhost-vdpa", uevent=["MAJOR=508", "MINOR=0", "DEVNAME=vhost-vdpa-0"])
    # A vDPA device bound to virtio_vdpa has no chardev, and libvirt's XML for it does not
    # validate; test-s390.c makes that case in a copy of this tree.
    write("/sys/devices/vdpasim_net/uevent")
    d = device("/sys/devices/vdpasim_net/vdpa-net.1", bus="vdpa", driver="vhost_vdpa")
    device(f"{d}/vhost-vdpa-1", klass="vhost-vdpa", uevent=["MAJOR=508", "MINOR=1", "DEVNAME=vhost-vdpa-1"])


# ---------------------------------------------------------------------------------------------

def subchannel(sch, driver, dev_busid, st="0"):
    return device(f"/sys/devices/css0/{sch}", bus="css", driver=driver,
                  uevent=[f"ST={st}", f"MODALIAS=css:t{st}"],
                  attrs={"type": st, "dev_busid": dev_busid, "chpids": "00 00 00 00 00 00 00 00",
                         "pimpampom": "80 00 ff"})


def make_s390():
    start("s390")
    write("/sys/devices/css0/uevent")
    s = subchannel("0.0.0000", "io_subchannel", "0.0.0052")
    device(f"{s}/0.0.0052", bus="ccw", driver="virtio_ccw",
           uevent=["CU_TYPE=3832", "CU_MODEL=01", "DEV_TYPE=0000", "DEV_MODEL=00", "MODALIAS=ccw:t3832m01"],
           attrs={"online": "1", "cutype": "3832/01", "devtype": "0000/00", "availability": "good"})
    s = subchannel("0.0.0001", "vfio_ccw", "0.0.0815")
    mdev_types(s, [("vfio_ccw-io", "I/O subchannel (Non-QDIO)", "vfio-ccw", "0", None)])
    mdev(s, "96c03c6a-a109-44fe-816a-ba371542164b", "vfio_ccw-io", "vfio_ccw_mdev", group=1)
    subchannel("0.0.0002", "chsc_subchannel", "none", st="1")
    s = subchannel("0.0.0003", "io_subchannel", "0.0.0053")
    device(f"{s}/0.0.0053", bus="ccw", driver="dasd-eckd",
           uevent=["CU_TYPE=3990", "CU_MODEL=E9", "DEV_TYPE=3390", "DEV_MODEL=0C", "MODALIAS=ccw:t3990mE9dt3390dm0C"],
           attrs={"online": "0", "cutype": "3990/e9", "devtype": "3390/0c", "availability": "good"})
    write("/sys/devices/ap/uevent")
    c = device("/sys/devices/ap/card0a", bus="ap", driver="cex4card", uevent=["DEVTYPE=ap_card", "DEV_TYPE=0010"],
               attrs={"hwtype": "16", "raw_hwtype": "16", "depth": "8", "online": "1"})
    device(f"{c}/0a.0004", bus="ap", driver="vfio_ap", uevent=["DEVTYPE=ap_queue", "DEV_TYPE=0010"],
           attrs={"online": "1", "interrupt": "Interrupts enabled"})


def main():
    make_usb()
    make_net()
    make_scsi()
    make_fc()
    make_block()
    make_mdev()
    make_drm()
    make_vdpa()
    make_s390()


if __name__ == "__main__":
    main()
