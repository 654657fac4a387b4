#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Settings that survive a reboot: detach/reattach --persistent, sriov set --persistent and apply, on a copy of the
# VM tree with the kernel emulator behind the writes. A "reboot" is a fresh copy of the tree that keeps the old
# one's /etc/hostdev, /etc/mdevctl.d and /var/lib/hostdev, as a disk would; apply then does what the boot's unit does.
. "$(dirname "$0")/lib.sh"
emu_vm_tree persist
nic=0000:01:00.0 pf=0000:03:00.0 mdev=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
etc=$tmp/tree/etc/hostdev
numvfs() { cat "$tmp/tree/sys/bus/pci/devices/$pf/sriov_numvfs"; }

reboot() {
        rm -rf "$tmp/disk" && mkdir -p "$tmp/disk/var/lib" &&
                cp -a "$tmp/tree/etc" "$tmp/disk/" && cp -a "$tmp/tree/var/lib/hostdev" "$tmp/disk/var/lib/" &&
                rm -rf "$tmp/tree" && cp -a "$DATA/trees/vm" "$tmp/tree" &&
                rm -rf "$tmp/tree/etc" && cp -a "$tmp/disk/etc" "$tmp/tree/" &&
                mkdir -p "$tmp/tree/var/lib" && cp -a "$tmp/disk/var/lib/hostdev" "$tmp/tree/var/lib/"
}

# Setting up, as a person would.
if out=$(hd detach --persistent enp1s0 2>&1) && [ "$(drv $nic)" = vfio-pci ] &&
        grep -qx "driver=vfio-pci" "$etc/pci/$nic" && grep -q "kept on it at boot" <<<"$out"; then
        ok "detach --persistent: detached, and its file says driver=vfio-pci"
else
        notok "detach --persistent: detached, and its file says driver=vfio-pci" "$out; $(cat "$etc/pci/$nic" 2>&1)"
fi
out=$(hd check $nic 2>&1)
if grep -qF "boot      kept on vfio-pci at every boot ($etc/pci/$nic); 'hostdev reattach --persistent $nic' ends it" <<<"$out"; then
        ok "check: says the device is kept on vfio-pci at boot"
else
        notok "check: says the device is kept on vfio-pci at boot" "$out"
fi
if out=$(hd detach --persistent $nic 2>&1) && grep -q "detached already" <<<"$out"; then
        ok "detach --persistent: a device detached already is kept as it is"
else
        notok "detach --persistent: a device detached already is kept as it is" "$out"
fi
if out=$(hd sriov set --persistent --no-autoprobe $pf 4 2>&1) && [ "$(numvfs)" = 4 ] &&
        grep -qx "numvfs=4" "$etc/sriov/$pf" && grep -qx "autoprobe=0" "$etc/sriov/$pf"; then
        ok "sriov set --persistent --no-autoprobe: 4 VFs, and its file says numvfs=4, autoprobe=0"
else
        notok "sriov set --persistent --no-autoprobe: 4 VFs, and its file says numvfs=4, autoprobe=0" "$out; $(numvfs)"
fi
hd mdev autostart $mdev on >/dev/null 2>&1 || notok "mdev autostart on" "$(hd mdev autostart $mdev on 2>&1)"
ls "$etc"/pci/.* "$etc"/sriov/.* 2>/dev/null | grep -q tmp && notok "no temporary file is left" "$(ls -a "$etc"/*)"

# The reboot: drivers, VFs and mdevs as the kernel has them at boot; the settings and the store from the disk.
reboot
if [ "$(drv $nic)" = e1000e ] && [ "$(numvfs)" = 2 ] && [ ! -e "$tmp/tree/sys/bus/mdev/devices/$mdev" ] &&
        grep -qE "^pci +$nic +detached" <<<"$(hd active 2>&1)"; then
        ok "after the reboot: on e1000e, 2 VFs, no mdev, a record from before"
else
        notok "after the reboot: on e1000e, 2 VFs, no mdev, a record from before" "$(drv $nic) $(numvfs) $(hd active 2>&1)"
fi
if out=$(hd apply 2>&1) && [ "$(drv $nic)" = vfio-pci ] && [ "$(numvfs)" = 4 ] &&
        [ -d "$tmp/tree/sys/bus/mdev/devices/$mdev" ] &&
        grep -q "^$pf: 4 VFs (it had 2)$" <<<"$out" && grep -q "^$nic: detached to vfio-pci (it was on e1000e)$" <<<"$out" &&
        grep -q "^mdev $mdev: started" <<<"$out" &&
        [ "$(cat "$tmp/tree/sys/bus/pci/devices/$pf/sriov_drivers_autoprobe")" = 0 ]; then
        ok "apply: the NIC on vfio-pci, 4 VFs, the mdev started, each said"
else
        notok "apply: the NIC on vfio-pci, 4 VFs, the mdev started, each said" "$out"
fi
if out=$(hd apply 2>&1) && [ "$out" = "nothing to change: every setting is in place" ]; then
        ok "apply twice: nothing changes the second time"
else
        notok "apply twice: nothing changes the second time" "$out"
fi
if out=$(hd apply --device $nic 2>&1) && [ -z "$out" ]; then
        ok "apply --device (the udev rule's): nothing to say when in place"
else
        notok "apply --device (the udev rule's): nothing to say when in place" "$out"
fi
if out=$(hd reattach $nic 2>&1) && out=$(hd apply --device $nic 2>&1) && [ "$(drv $nic)" = vfio-pci ] &&
        grep -q "detached to vfio-pci" <<<"$out"; then
        ok "apply --device: a device given back without --persistent is detached again"
else
        notok "apply --device: a device given back without --persistent is detached again" "$out"
fi
# A device on its stub that the store does not know (a store lost): recorded, with nothing else done.
rm -rf "$tmp/tree/var/lib/hostdev"
if out=$(hd apply 2>&1) && [ "$out" = "$nic: on vfio-pci already; now recorded as detached" ] &&
        [ "$(drv $nic)" = vfio-pci ] && grep -qE "^pci +$nic +detached" <<<"$(hd active 2>&1)"; then
        ok "apply with no store: detached and recorded"
else
        notok "apply with no store: detached and recorded" "$out; $(hd active 2>&1)"
fi

# The udev rule's case at a boot: the device's add comes before its host driver's module is loaded (no driver),
# and the store still has the record from before the reboot.
reboot
rm "$tmp/tree/sys/bus/pci/devices/$nic/driver" && sed -i '/^DRIVER=/d' "$tmp/tree/sys/bus/pci/devices/$nic/uevent" &&
        mv "$tmp/tree/sys/bus/pci/drivers/e1000e" "$tmp/e1000e-not-loaded"
if out=$(hd apply --device $nic 2>&1) && [ "$out" = "$nic: detached to vfio-pci (it was on no driver)" ] &&
        [ "$(drv $nic)" = vfio-pci ] && grep -qE "^pci +$nic +detached" <<<"$(hd active 2>&1)"; then
        ok "apply --device at add, before the host driver is loaded: on vfio-pci, the old record replaced"
else
        notok "apply --device at add, before the host driver is loaded: on vfio-pci, the old record replaced" "$out"
fi
mv "$tmp/e1000e-not-loaded" "$tmp/tree/sys/bus/pci/drivers/e1000e"

# Undoing.
if out=$(hd reattach --persistent $nic 2>&1) && [ "$(drv $nic)" = e1000e ] && [ ! -e "$etc/pci/$nic" ] &&
        grep -q "no longer detached at boot" <<<"$out"; then
        ok "reattach --persistent: back on e1000e, its file gone"
else
        notok "reattach --persistent: back on e1000e, its file gone" "$out"
fi
expect_fail "reattach --persistent: neither detached nor kept" 1 "is not detached: it is on e1000e" \
        hd reattach --persistent $nic
if out=$(hd sriov set --persistent $pf 0 2>&1) && [ "$(numvfs)" = 0 ] && [ ! -e "$etc/sriov/$pf" ]; then
        ok "sriov set --persistent 0: no VFs, its file gone"
else
        notok "sriov set --persistent 0: no VFs, its file gone" "$out"
fi
reboot
if out=$(hd apply 2>&1) && [ "$(drv $nic)" = e1000e ] && [ "$(numvfs)" = 2 ] && ! grep -q "^$nic\|^$pf" <<<"$out"; then
        ok "after undoing and a reboot: apply leaves the NIC and the PF alone"
else
        notok "after undoing and a reboot: apply leaves the NIC and the PF alone" "$out"
fi

# Bad files and bad names: each named, the others still applied, exit 1.
mkdir -p "$etc/pci" "$etc/sriov"
printf 'driver=vfio-pci\nmode=fast\n' >"$etc/pci/0000:02:00.0"
printf 'numvfs=lots\n' >"$etc/sriov/$pf"
printf 'driver=vfio-pci\n' >"$etc/pci/not-an-address"
printf 'driver=vfio-pci\n' >"$etc/pci/01:00.0"
printf '# kept by configuration management\n\ndriver = vfio-pci\n' >"$etc/pci/0000:00:06.0"
out=$(hd apply 2>&1)
rc=$?
if [ $rc = 1 ] && grep -qF "$etc/pci/0000:02:00.0: line 2: a pci file has driver= alone, not 'mode'; fix or remove the file" <<<"$out" &&
        grep -qF "$etc/sriov/$pf: line 1: not a number of VFs (0 to 65535): 'lots'" <<<"$out" &&
        grep -qF "$etc/pci/not-an-address: 'not-an-address' is not a PCI address" <<<"$out" &&
        grep -qF "$etc/pci/01:00.0: a file there is named by the full address, 0000:01:00.0; rename it" <<<"$out" &&
        grep -q "4 settings could not be applied" <<<"$out" && [ "$(drv 0000:00:06.0)" = vfio-pci ] &&
        [ "$(drv 0000:02:00.0)" = igb ]; then
        ok "apply: malformed and misnamed files named, the good one applied, exit 1"
else
        notok "apply: malformed and misnamed files named, the good one applied, exit 1" "exit $rc: $out"
fi
rm -f "$etc/pci/0000:02:00.0" "$etc/sriov/$pf" "$etc/pci/not-an-address" "$etc/pci/01:00.0"
expect_fail "apply --device: a name with .." 2 "takes a PCI address \(0000:01:00.0\), not '\.\./\.\./x'" \
        hd apply --device ../../x
expect_fail "apply --device: a name with /" 2 "not 'a/b'" hd apply --device a/b
expect_fail "sriov set --persistent: a name with .." 1 "no PCI device '\.\./x'" hd sriov set --persistent ../x 1
# A device that is not here (yet): said, left to the udev rule, no failure.
printf 'driver=vfio-pci\n' >"$etc/pci/0000:09:00.0"
if out=$(hd apply 2>&1) && grep -q "note: 0000:09:00.0 is not here; the udev rule puts it on vfio-pci when it appears" <<<"$out" &&
        out=$(hd apply --device 9:00.0 2>&1) && grep -q "0000:09:00.0 is not here" <<<"$out"; then
        ok "apply: a device that is not here is a note, not a failure"
else
        notok "apply: a device that is not here is a note, not a failure" "$out"
fi
rm -f "$etc/pci/0000:09:00.0"
expect_fail "detach --persistent: no such device" 1 "no device" hd detach --persistent ../x
expect_fail "detach --persistent --group" 2 "not with --group" hd detach --persistent --group $nic
expect_fail "detach --persistent --force" 2 "not with --force" hd detach --persistent --force $nic
# A link where the settings' folder is: never followed out of the tree.
rm -rf "$etc/pci" && mkdir -p "$tmp/elsewhere" && ln -s "$tmp/elsewhere" "$etc/pci"
expect_fail "detach --persistent: a link in the way" 1 "cannot make .*etc/hostdev/pci.*a link" hd detach --persistent $nic
if [ "$(drv $nic)" = e1000e ] && [ -z "$(ls "$tmp/elsewhere")" ]; then
        ok "a file that cannot be written takes the detach back"
else
        notok "a file that cannot be written takes the detach back" "$(drv $nic); $(ls "$tmp/elsewhere")"
fi

# The boot's unit and udev rule, as meson made them.
built=$(dirname "$HOSTDEV")/data
if command -v systemd-analyze >/dev/null && [ -f "$built/hostdev-apply.service" ]; then
        sed "s|^ExecStart=.*|ExecStart=$HOSTDEV apply|" "$built/hostdev-apply.service" >"$tmp/hostdev-apply.service"
        if out=$(systemd-analyze verify --man=no "$tmp/hostdev-apply.service" 2>&1); then
                ok "systemd-analyze verify: hostdev-apply.service"
        else
                notok "systemd-analyze verify: hostdev-apply.service" "$out"
        fi
else
        ok "systemd-analyze verify: skipped, no systemd-analyze or no built unit"
fi
# udevadm verify came with systemd 254; Debian 12's udev (252) has none.
if udevadm verify --help >/dev/null 2>&1 && [ -f "$built/60-hostdev-persist.rules" ]; then
        if out=$(udevadm verify --no-style "$built/60-hostdev-persist.rules" 2>&1); then
                ok "udevadm verify: 60-hostdev-persist.rules"
        else
                notok "udevadm verify: 60-hostdev-persist.rules" "$out"
        fi
else
        ok "udevadm verify: skipped, this udev has no verify"
fi
finish
