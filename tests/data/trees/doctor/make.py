#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds sys/, proc/, dev/ and lib/ beside this script: a host with what `hostdev check` finds wrong,
# for the passthrough doctor (src/lib/manager/doctor-*.c) and its golden outputs.
#
#   Intel VT-d (dmar0, ecap with interrupt remapping) on, /proc/interrupts with IR- chips, vfio loaded,
#   /dev/vfio/vfio, /dev/iommu; the command line has intel_iommu=on iommu=pt; kernel 6.1.0-doctor-amd64
#   00:00.0  host bridge, group 0
#   00:01.0  root port with ACS (SrcValid ReqRedir CmpltRedir UpstreamFwd on), group 1; below it, in group 2:
#     01:00.0  AMD Polaris 10 GPU (1002:67df) on amdgpu, the boot display (boot_vga 1), multi-function and
#              no ACS of its own; efifb holds BOOTFB in its BAR 0 (/proc/iomem); reset_method "bus";
#              Xorg (pid 1000) has its /dev/dri/card0 open
#     01:00.1  its HDMI audio (1002:aaf0) on snd_hda_intel
#   00:1c.0, 00:1c.4  PCH root ports of one slot, multi-function, no ACS capability: everything below
#            them is one group, 5 (the root ports with it):
#     03:00.0, 03:00.1  an igb dual port (8086:10c9), both on igb, reset_method "flr bus"
#     04:00.0  an xHCI controller on xhci_hcd
#   00:03.0  root port with ACS, group 6; below it 07:00.0, a ConnectX-7 VF (15b3:101e) on no driver,
#            group 7: modules.alias has two vfio_pci aliases that match it, mlx5_vfio_pci's is the most specific
#   00:04.0  e1000e (8086:10d3) on vfio-pci, group 12, vfio cdev vfio0; qemu-system-x86 (pid 4242) has
#            /dev/vfio/12 open; reset_method "flr"
#   00:05.0  an AHCI controller (8086:2922) on ahci with no reset method, group 13
# lib/modules/6.1.0-doctor-amd64 holds three fake modules (two variants, and vfio_pci with its catch-all)
# with a .modinfo section (objcopy) and what `depmod -b` made of them: the .bin indexes libkmod reads are
# committed, so the tests need no depmod.
# emulator-ids tells the kernel emulator which driver matches which vendor/device.
#
# Run it again after changing it (needs gcc, objcopy and depmod): python3 tests/data/trees/doctor/make.py
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # nothing beside the trees
sys.path.insert(0, os.path.join(HERE, "..", "pci"))
import make as pci  # noqa: E402  the PCI tree's builder, its helpers pointed at this tree below

pci.SYS = SYS = os.path.join(HERE, "sys")
config, express, write, link = pci.config, pci.express, pci.write, pci.link
RELEASE = "6.1.0-doctor-amd64"
PM = (0x01, bytes(6))
MSI = (0x05, bytes(8))
ACS_ON = (0x001F, 0x001D)  # cap: SV TB RR CR UF; ctrl: SV RR CR UF (what the kernel turns on)


def extended(cfg, caps):
    """CFG (4096 bytes) with extended capabilities CAPS, (id, body), chained from 0x100."""
    b = bytearray(cfg)
    pos = 0x100
    for i, (cid, body) in enumerate(caps):
        nxt = pos + 4 + (len(body) + 3) // 4 * 4 if i + 1 < len(caps) else 0
        struct.pack_into("<I", b, pos, cid | 1 << 16 | nxt << 20)
        b[pos + 4 : pos + 4 + len(body)] = body
        pos = nxt
    return bytes(b)


def acs(cap, ctrl):
    return (0x000D, struct.pack("<HH", cap, ctrl))


def device(path, addr, vendor, dev, klass, driver=None, group=None, cfg=None, reset=None, extra=None):
    d = pci.device(path, addr, vendor, dev, klass, driver=driver, group=group, cfg=cfg)
    write(os.path.join(d, "modalias"), f"pci:v{vendor:08X}d{dev:08X}sv{vendor:08X}sd00000000"
          f"bc{klass >> 16:02X}sc{klass >> 8 & 0xff:02X}i{klass & 0xff:02X}\n")
    write(os.path.join(d, "subsystem_vendor"), f"0x{vendor:04x}\n")
    write(os.path.join(d, "subsystem_device"), "0x0000\n")
    if reset is not None:
        write(os.path.join(d, "reset_method"), reset + "\n")
        write(os.path.join(d, "reset"), "")
    res = ["0x0000000000000000 0x0000000000000000 0x0000000000000000"] * 13
    for bar, (start, end, flags) in (extra or {}).get("bars", {}).items():
        res[bar] = f"0x{start:016x} 0x{end:016x} 0x{flags:016x}"
    write(os.path.join(d, "resource"), "\n".join(res) + "\n")
    return d


def bridge(path, addr, dev, group, acs_regs=None, mf=False):
    caps = [PM, express(4, 1, 3, 16, 3, 8), MSI]
    cfg = config(0x8086, dev, 0x060400, header=0x81 if mf else 1, size=4096, caps=caps)
    if acs_regs:
        cfg = extended(cfg, [acs(*acs_regs)])
    return device(path, addr, 0x8086, dev, 0x060400, driver="pcieport", group=group, cfg=cfg)


def endpoint_cfg(vendor, dev, klass, mf=False, ptype=0):
    return config(vendor, dev, klass, header=0x80 if mf else 0, size=4096, caps=[PM, MSI, express(ptype)])


def proc(pid, comm, fds):
    write(os.path.join(HERE, "proc", str(pid), "comm"), comm + "\n")
    for fd, target in fds.items():
        p = os.path.join(HERE, "proc", str(pid), "fd", str(fd))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        os.symlink(target, p)  # as /proc has them: the text of the path, never followed


def fake_module(rel, name, aliases, work):
    """A relocatable object whose .modinfo section says NAME and ALIASES, as a .ko carries them."""
    src, obj = os.path.join(work, "m.c"), os.path.join(work, "m.o")
    with open(src, "w") as f:
        f.write("int hostdev_test_module;\n")
    subprocess.run(["gcc", "-c", src, "-o", obj], check=True)
    info = os.path.join(work, "modinfo")
    with open(info, "wb") as f:
        for a in aliases:
            f.write(f"alias={a}\0".encode())
        f.write(f"name={name}\0license=GPL\0".encode())
    out = os.path.join(HERE, "lib/modules", RELEASE, rel)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subprocess.run(["objcopy", "--add-section", f".modinfo={info}",
                    "--set-section-flags", ".modinfo=alloc,readonly", obj, out], check=True)


def modules():
    with tempfile.TemporaryDirectory() as work:
        # The real mlx5_vfio_pci alias (drivers/vfio/pci/mlx5/main.c: PCI_DRIVER_OVERRIDE_DEVICE_VFIO).
        fake_module("kernel/drivers/vfio/pci/mlx5/mlx5-vfio-pci.ko", "mlx5_vfio_pci",
                    ["vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*"], work)
        # A made-up variant that takes any Mellanox function: it matches too, less specifically.
        fake_module("kernel/drivers/vfio/pci/acme/acme-vfio-pci.ko", "acme_vfio_pci",
                    ["vfio_pci:v000015B3d*sv*sd*bc*sc*i*"], work)
        # vfio-pci's own catch-all (drivers/vfio/pci/vfio_pci.c: PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_ANY_ID,
        # PCI_ANY_ID)): every kernel's modules.alias has it, and it names no variant.
        fake_module("kernel/drivers/vfio/pci/vfio-pci.ko", "vfio_pci", ["vfio_pci:v*d*sv*sd*bc*sc*i*"], work)
    subprocess.run(["depmod", "-b", HERE, RELEASE], check=True, stderr=subprocess.DEVNULL)
    d = os.path.join(HERE, "lib/modules", RELEASE)
    # What libkmod and libvirt read stays; the rest of depmod's output is left out of the tree.
    for f in os.listdir(d):
        if f not in ("kernel", "modules.alias", "modules.alias.bin", "modules.dep", "modules.dep.bin"):
            os.remove(os.path.join(d, f))


def host():
    write(os.path.join(SYS, "devices/virtual/iommu/dmar0/uevent"), "")
    # Documentation/ABI/testing/sysfs-class-iommu-intel-iommu: ecap bit 3, interrupt remapping.
    write(os.path.join(SYS, "devices/virtual/iommu/dmar0/intel-iommu/cap"), "d2008c40660462\n")
    write(os.path.join(SYS, "devices/virtual/iommu/dmar0/intel-iommu/ecap"), "f050da\n")
    link(os.path.join(SYS, "devices/virtual/iommu/dmar0"), os.path.join(SYS, "class/iommu/dmar0"))
    write(os.path.join(SYS, "bus/pci/drivers_probe"), "")
    write(os.path.join(SYS, "bus/pci/rescan"), "")
    for m in ("vfio", "vfio_pci", "vfio_iommu_type1"):
        write(os.path.join(SYS, "module", m, "uevent"), "")
    write(os.path.join(SYS, "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"), "N\n")
    for drv in ("vfio-pci", "pci-stub", "mlx5_vfio_pci", "mlx5_core", "e1000e"):
        for f in ("bind", "unbind", "new_id", "remove_id"):
            write(os.path.join(SYS, "bus/pci/drivers", drv, f), "")
    efifb = os.path.join(SYS, "devices/platform/efi-framebuffer.0")
    write(os.path.join(efifb, "uevent"), "DRIVER=efi-framebuffer\n")
    write(os.path.join(SYS, "bus/platform/drivers/efi-framebuffer/unbind"), "")
    link(efifb, os.path.join(SYS, "bus/platform/drivers/efi-framebuffer/efi-framebuffer.0"))
    for node in ("vfio/vfio", "vfio/12", "vfio/devices/vfio0", "iommu", "dri/card0", "dri/renderD128"):
        write(os.path.join(HERE, "dev", node), "")
    P = os.path.join(HERE, "proc")
    write(os.path.join(P, "cmdline"), "BOOT_IMAGE=/vmlinuz-6.1.0 root=/dev/sda1 ro quiet intel_iommu=on iommu=pt\n")
    write(os.path.join(P, "sys/kernel/osrelease"), RELEASE + "\n")
    write(os.path.join(P, "interrupts"),
          "            CPU0       CPU1\n"
          "   0:         33          0   IO-APIC    2-edge      timer\n"
          "   9:          0          0   IR-IO-APIC    9-fasteoi   acpi\n"
          " 120:          0        512   IR-PCI-MSIX-0000:00:04.0    0-edge      vfio-msix[0](0000:00:04.0)\n"
          " 121:       4096          0   IR-PCI-MSI-0000:01:00.0    0-edge      amdgpu\n"
          " NMI:          0          0   Non-maskable interrupts\n")
    write(os.path.join(P, "iomem"),
          "00000000-00000fff : Reserved\n"
          "00001000-0009ffff : System RAM\n"
          "00100000-7fffffff : System RAM\n"
          "e0000000-efffffff : PCI Bus 0000:01\n"
          "  e0000000-efffffff : 0000:01:00.0\n"
          "    e0000000-e02fffff : BOOTFB\n"
          "      e0000000-e02fffff : efifb\n"
          "f7c00000-f7cfffff : PCI Bus 0000:03\n"
          "  f7c00000-f7c7ffff : 0000:03:00.0\n"
          "    f7c00000-f7c7ffff : igb\n"
          "fe000000-fe01ffff : 0000:00:04.0\n")
    proc(1, "systemd", {3: "socket:[1201]", 4: "/dev/kmsg"})
    proc(1000, "Xorg", {0: "/dev/null", 20: "/dev/dri/card0", 21: "/dev/dri/renderD128"})
    proc(4242, "qemu-system-x86", {0: "/dev/null", 17: "/dev/vfio/vfio", 18: "/dev/vfio/12",
                                   19: "/var/lib/libvirt/images/vm1.qcow2"})


def main():
    for sub in ("sys", "dev", "proc", "lib"):
        shutil.rmtree(os.path.join(HERE, sub), ignore_errors=True)
    os.makedirs(os.path.join(SYS, "bus/pci/devices"))
    os.makedirs(os.path.join(SYS, "kernel/iommu_groups"))
    host()
    modules()
    R = "pci0000:00/"
    device(R + "0000:00:00.0", "0000:00:00.0", 0x8086, 0x29C0, 0x060000, group=0,
           cfg=config(0x8086, 0x29C0, 0x060000, size=4096))

    rp = bridge(R + "0000:00:01.0", "0000:00:01.0", 0x29C1, 1, acs_regs=ACS_ON)
    gpu = device(R + "0000:00:01.0/0000:01:00.0", "0000:01:00.0", 0x1002, 0x67DF, 0x030000, driver="amdgpu",
                 group=2, cfg=endpoint_cfg(0x1002, 0x67DF, 0x030000, mf=True), reset="bus",
                 extra={"bars": {0: (0xE0000000, 0xEFFFFFFF, 0x14220C), 2: (0xF0000000, 0xF01FFFFF, 0x14220C)}})
    write(os.path.join(gpu, "boot_vga"), "1\n")
    for node in ("card0", "renderD128"):
        write(os.path.join(gpu, "drm", node, "dev"), "226:0\n")
    write(os.path.join(gpu, "drm", "card0-HDMI-A-1", "status"), "connected\n")
    device(R + "0000:00:01.0/0000:01:00.1", "0000:01:00.1", 0x1002, 0xAAF0, 0x040300, driver="snd_hda_intel",
           group=2, cfg=endpoint_cfg(0x1002, 0xAAF0, 0x040300, mf=True), reset="bus")

    for fn, dev in (("0000:00:1c.0", 0xA110), ("0000:00:1c.4", 0xA114)):
        bridge(R + fn, fn, dev, 5, mf=True)
    for fn in ("0000:03:00.0", "0000:03:00.1"):
        device(R + "0000:00:1c.0/" + fn, fn, 0x8086, 0x10C9, 0x020000, driver="igb", group=5,
               cfg=endpoint_cfg(0x8086, 0x10C9, 0x020000, mf=True), reset="flr bus",
               extra={"bars": {0: (0xF7C00000, 0xF7C7FFFF, 0x40200)}} if fn.endswith("0") else None)
    device(R + "0000:00:1c.4/0000:04:00.0", "0000:04:00.0", 0x1B21, 0x1242, 0x0C0330, driver="xhci_hcd", group=5,
           cfg=endpoint_cfg(0x1B21, 0x1242, 0x0C0330), reset="flr")

    bridge(R + "0000:00:03.0", "0000:00:03.0", 0x29C3, 6, acs_regs=ACS_ON)
    device(R + "0000:00:03.0/0000:07:00.0", "0000:07:00.0", 0x15B3, 0x101E, 0x020000, group=7,
           cfg=endpoint_cfg(0x15B3, 0x101E, 0x020000), reset="flr pm")

    nic = device(R + "0000:00:04.0", "0000:00:04.0", 0x8086, 0x10D3, 0x020000, driver="vfio-pci", group=12,
                 cfg=endpoint_cfg(0x8086, 0x10D3, 0x020000, ptype=9), reset="flr",
                 extra={"bars": {0: (0xFE000000, 0xFE01FFFF, 0x40200)}})
    write(os.path.join(nic, "vfio-dev/vfio0/dev"), "511:0\n")
    device(R + "0000:00:05.0", "0000:00:05.0", 0x8086, 0x2922, 0x010601, driver="ahci", group=13,
           cfg=endpoint_cfg(0x8086, 0x2922, 0x010601, ptype=9))


if __name__ == "__main__":
    main()
