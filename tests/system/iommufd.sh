#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The VFIO cdev and iommufd as a person sees them, on copies of the VM tree shaped as three kernels: with the cdev and
# /dev/iommu (Fedora, Ubuntu), with vfio-dev/vfioN but no dev file and no /dev/iommu (Debian's 6.12), and with neither
# (Debian's 6.1). The writes go through the kernel emulator (build/tests/hostdev-emu), made to add cdevs by its note.
. "$(dirname "$0")/lib.sh"
emu_vm_tree iommufd

cat > "$tmp/vm1.xml" <<'EOF2'
<domain type='kvm'>
  <name>vm1</name>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>
    </hostdev>
  </devices>
</domain>
EOF2
sed "s|<hostdev mode='subsystem' type='pci' managed='yes'>|&<driver iommufd='yes'/>|" "$tmp/vm1.xml" >"$tmp/vm1-xml.xml"
pristine=$tmp/pristine
cp -a "$tmp/tree" "$pristine"

# kernel NAME NOTE IOMMU: a fresh tree; NOTE "dev" or "folder" asks the emulator for cdevs (none without); IOMMU
# "yes" gives it /dev/iommu.
kernel() {
        rm -rf "$tmp/tree" && cp -a "$pristine" "$tmp/tree"
        if [ -n "$2" ]; then
                mkdir -p "$tmp/tree/.emulator" && echo "$2" >"$tmp/tree/.emulator/vfio-cdev"
        fi
        [ "$3" = yes ] && mkdir -p "$tmp/tree/dev" && : >"$tmp/tree/dev/iommu"
        return 0
}

# --- A kernel with the cdev and iommufd ---
kernel cdev dev yes
if out=$(hd prepare --owner qemu "$tmp/vm1.xml" 2>&1) &&
        grep -q "pci    0000:01:00.0  *\/dev\/vfio\/2, cdev \/dev\/vfio\/devices\/vfio0" <<<"$out"; then
        ok "prepare: its report names the cdev"
else
        notok "prepare: its report names the cdev" "$out"
fi
if out=$(hd show 0000:01:00.0 2>&1) && grep -qE "^CDEV +/dev/vfio/devices/vfio0$" <<<"$out"; then
        ok "show: CDEV"
else
        notok "show: CDEV" "$out"
fi
if out=$(hd show --json 0000:01:00.0 2>&1) && jq -e '.vfio_cdev == "/dev/vfio/devices/vfio0"' <<<"$out" >/dev/null; then
        ok "show --json: vfio_cdev"
else
        notok "show --json: vfio_cdev" "$out"
fi
if out=$(hd list -o NAME,DRIVER,CDEV -r -n 2>&1) && grep -qx "pci_0000_01_00_0 vfio-pci /dev/vfio/devices/vfio0" <<<"$out" &&
        ! grep -q "pci_0000_00_1f_2 .*vfio" <<<"$out"; then
        ok "list -o CDEV"
else
        notok "list -o CDEV" "$out"
fi
if out=$(hd active 2>&1) && grep -qE "^pci +0000:01:00.0 +held .* /dev/vfio/2 +back to e1000e .*/dev/vfio/devices/vfio0$" <<<"$out" &&
        out=$(hd active -J 2>&1) && jq -e '.devices | map(select(.kind == "pci"))[0].cdev == "/dev/vfio/devices/vfio0"' \
        <<<"$out" >/dev/null; then
        ok "active: CDEV"
else
        notok "active: CDEV" "$out"
fi
want=$'-object iommufd,id=iommufd0\n-device vfio-pci,host=0000:01:00.0,iommufd=iommufd0,id=hostdev0'
if out=$(hd qemu-args --iommufd "$tmp/vm1.xml" 2>&1) && [ "$out" = "$want" ]; then
        ok "qemu-args --iommufd"
else
        notok "qemu-args --iommufd" "$out"
fi
if out=$(hd qemu-args "$tmp/vm1-xml.xml" 2>&1) && [ "$out" = "$want" ]; then
        ok "qemu-args: <driver iommufd='yes'/>"
else
        notok "qemu-args: <driver iommufd='yes'/>" "$out"
fi
if out=$(hd qemu-args "$tmp/vm1.xml" 2>&1) && [ "$out" = "-device vfio-pci,host=0000:01:00.0,id=hostdev0" ]; then
        ok "qemu-args: the group by default"
else
        notok "qemu-args: the group by default" "$out"
fi
hd release --owner qemu "$tmp/vm1.xml" >/dev/null 2>&1
if out=$(hd show 0000:01:00.0 2>&1) && ! grep -q "^CDEV" <<<"$out" && [ ! -e "$tmp/tree/dev/vfio/devices/vfio0" ]; then
        ok "release: the cdev goes with vfio-pci"
else
        notok "release: the cdev goes with vfio-pci" "$out"
fi

# run prepares, hands the launcher (here a shell printing them) the same options, and releases.
if out=$(hd run --owner qemu:vm2 --iommufd "$tmp/vm1.xml" -- sh -c 'echo "$@"' sh 2>&1) &&
        grep -q "^-object iommufd,id=iommufd0 -device vfio-pci,host=0000:01:00.0,iommufd=iommufd0" <<<"$out"; then
        ok "run --iommufd"
else
        notok "run --iommufd" "$out"
fi

# --- Debian's 6.12: vfio-dev/vfio0 without dev, no /dev/iommu ---
kernel debian-6.12 folder no
hd prepare --owner qemu "$tmp/vm1.xml" >/dev/null 2>&1
if [ -d "$tmp/tree/sys/bus/pci/devices/0000:01:00.0/vfio-dev/vfio0" ] && out=$(hd show --json 0000:01:00.0 2>&1) &&
        jq -e 'has("vfio_cdev") | not' <<<"$out" >/dev/null && out=$(hd active 2>&1) &&
        ! grep -q "vfio/devices" <<<"$out"; then
        ok "no dev file: no cdev claimed"
else
        notok "no dev file: no cdev claimed" "$out"
fi
expect_fail "qemu-args --iommufd: no /dev/iommu" 1 \
        "^hostdev: .*0000:01:00.0: --iommufd asks for iommufd, but this host has no /dev/iommu.*modprobe iommufd.*leave out --iommufd" \
        hd qemu-args --iommufd "$tmp/vm1.xml"
: >"$tmp/tree/dev/iommu"
expect_fail "qemu-args <driver iommufd='yes'/>: no cdev" 1 \
        "0000:01:00.0: line 4: <driver iommufd='yes'/> asks for iommufd, but 0000:01:00.0 has no VFIO cdev.*CONFIG_VFIO_DEVICE_CDEV.*iommufd='no'" \
        hd qemu-args "$tmp/vm1-xml.xml"
hd release --owner qemu "$tmp/vm1.xml" >/dev/null 2>&1

# --- Debian's 6.1: no vfio-dev at all ---
kernel debian-6.1 "" no
hd prepare --owner qemu "$tmp/vm1.xml" >/dev/null 2>&1
if [ ! -e "$tmp/tree/sys/bus/pci/devices/0000:01:00.0/vfio-dev" ] && out=$(hd show 0000:01:00.0 2>&1) &&
        ! grep -q "^CDEV" <<<"$out"; then
        ok "no vfio-dev: nothing said"
else
        notok "no vfio-dev: nothing said" "$out"
fi
expect_fail "qemu-args --iommufd on 6.1" 1 "no /dev/iommu" hd qemu-args --iommufd "$tmp/vm1.xml"
hd release --owner qemu "$tmp/vm1.xml" >/dev/null 2>&1
# run refuses before starting the launcher, and gives back what it prepared.
expect_fail "run --iommufd on 6.1: refused" 125 "0000:01:00.0: --iommufd asks for iommufd, but this host has no /dev/iommu" \
        hd run --owner qemu --iommufd "$tmp/vm1.xml" -- sh -c 'echo launched'
if out=$(hd active 2>&1) && [ "$out" = "no device is held or detached" ] && [ "$(drv 0000:01:00.0)" = e1000e ]; then
        ok "run --iommufd on 6.1: everything given back"
else
        notok "run --iommufd on 6.1: everything given back" "$out; driver $(drv 0000:01:00.0)"
fi
finish
