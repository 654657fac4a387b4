#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libvirt's QEMU hook (build/hooks/libvirt-qemu-hook) driven by hand as libvirt runs it: NAME OPERATION SUB-OP EXTRA
# with the domain XML on standard input, on a copy of the VM tree; hostdev-emu stands behind it, so nothing here
# can write the host's sysfs (and a claim writes none anyway: the tree is compared before and after).
. "$(dirname "$0")/lib.sh"
emu_vm_tree claim
HOOK=${HOSTDEV_HOOK:-$(dirname "$HOSTDEV")/hooks/libvirt-qemu-hook}
# What the installed hook runs is hostdev; here hostdev-emu on the tree, through a wrapper.
cat >"$tmp/hostdev" <<EOF
#!/bin/sh
exec "$EMU" --sysroot "$tmp/tree" "\$@"
EOF
chmod +x "$tmp/hostdev"
hook() { HOSTDEV_HOOK_BIN="$tmp/hostdev" sh "$HOOK" "$@"; }

cat >"$tmp/lv1.xml" <<'EOF'
<domain type='kvm'>
  <name>lv1</name>
  <uuid>6f1c9d2e-4b7a-4e0f-9a51-2d8c3b1e7f40</uuid>
  <memory unit='KiB'>1048576</memory>
  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'><source file='/var/lib/libvirt/images/lv1.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <driver name='vfio'/>
      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>
      <alias name='hostdev0'/>
    </hostdev>
    <interface type='hostdev' managed='yes'>
      <mac address='52:54:00:6d:90:02'/>
      <source><address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x0'/></source>
    </interface>
  </devices>
</domain>
EOF
cat >"$tmp/plain.xml" <<'EOF'
<domain type='kvm'>
  <name>plain</name>
  <devices><interface type='network'><source network='default'/></interface></devices>
</domain>
EOF
cat >"$tmp/other.xml" <<'EOF'
<hostdev mode='subsystem' type='pci' managed='yes'>
  <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>
</hostdev>
EOF
snapshot() { (cd "$tmp/tree/sys" && find . -printf '%p %l\n' | sort && find . -name driver_override -exec cat {} +) >"$1"; }
store="$tmp/tree/var/lib/hostdev/hostdev.db"

# A VM without host devices: the hook passes it, and no store is even made.
if hook plain prepare begin - <"$tmp/plain.xml" && [ ! -e "$store" ]; then
        ok "a VM without host devices starts untouched, no store opened"
else
        notok "a VM without host devices starts untouched, no store opened" "exit $? or $store made"
fi

# Operations the hook does not act on exit 0 without reading the store.
for op in "start begin" "started begin" "stopped end" "migrate begin" "restore begin" "attach begin"; do
        # shellcheck disable=SC2086
        hook lv1 $op - <"$tmp/lv1.xml" || notok "hook lv1 $op" "exit $?"
done
[ ! -e "$store" ] && ok "other operations exit 0 and touch nothing" ||
        notok "other operations exit 0 and touch nothing" "the store was made"

snapshot "$tmp/before"
if out=$(hook lv1 prepare begin - <"$tmp/lv1.xml" 2>&1); then
        ok "prepare begin claims lv1's devices"
else
        notok "prepare begin claims lv1's devices" "$out"
fi
act=$(hd active -rn 2>&1)
if grep -q "^pci 0000:01:00.0 held libvirt:lv1" <<<"$act" && grep -q "^pci 0000:03:02.0 held libvirt:lv1" <<<"$act" &&
        hd active | grep -q "claimed"; then
        ok "active lists lv1's PCI device and VF as libvirt:lv1's, claimed"
else
        notok "active lists lv1's PCI device and VF as libvirt:lv1's, claimed" "$act"
fi
snapshot "$tmp/after"
if diff -q "$tmp/before" "$tmp/after" >/dev/null; then
        ok "the claim wrote nothing to sysfs"
else
        notok "the claim wrote nothing to sysfs" "$(diff "$tmp/before" "$tmp/after" | head)"
fi

expect_fail "prepare by qemu:other refuses lv1's device, naming libvirt:lv1" 1 "0000:01:00.0 is held by libvirt:lv1" \
        hd prepare --owner qemu:other "$tmp/other.xml"
expect_fail "a second prepare begin of lv1 is refused" 3 "this owner has it already" \
        hook lv1 prepare begin - <"$tmp/lv1.xml"

# libvirtd restarted while lv1 runs: reconnect claims again, refusing nothing lv1 holds.
if out=$(hook lv1 reconnect begin - <"$tmp/lv1.xml" 2>&1) && hd active -rn | grep -c "libvirt:lv1" | grep -qx 2; then
        ok "reconnect begin claims again, exit 0"
else
        notok "reconnect begin claims again, exit 0" "$out"
fi

if out=$(hook lv1 release end - <"$tmp/lv1.xml" 2>&1) && ! hd active -rn | grep -q "libvirt:lv1"; then
        ok "release end unclaims lv1"
else
        notok "release end unclaims lv1" "$out $(hd active -rn)"
fi
snapshot "$tmp/after"
if diff -q "$tmp/before" "$tmp/after" >/dev/null; then
        ok "the unclaim wrote nothing to sysfs"
else
        notok "the unclaim wrote nothing to sysfs" "$(diff "$tmp/before" "$tmp/after" | head)"
fi

# qemu:other holds the NIC (hostdev run or prepare): lv1 does not start, the message names the holder, exit 3.
if ! out=$(hd prepare --owner qemu:other "$tmp/other.xml" 2>&1); then
        notok "qemu:other prepares the NIC" "$out"
fi
expect_fail "prepare begin refused while qemu:other holds the NIC" 3 \
        "0000:01:00.0 is held by qemu:other.*libvirt:lv1 cannot have it" hook lv1 prepare begin - <"$tmp/lv1.xml"
if ! hd active -rn | grep -q "libvirt:lv1"; then
        ok "nothing of lv1 recorded after the refusal (all or none)"
else
        notok "nothing of lv1 recorded after the refusal (all or none)" "$(hd active -rn)"
fi
# libvirt runs release end after a failed start: qemu:other keeps its device.
hook lv1 release end - <"$tmp/lv1.xml"
if hd active -rn | grep -q "^pci 0000:01:00.0 held qemu:other"; then
        ok "release end after the refusal leaves qemu:other's device alone"
else
        notok "release end after the refusal leaves qemu:other's device alone" "$(hd active -rn)"
fi
hd release --owner qemu:other >/dev/null

expect_fail "malformed XML on stdin is refused, naming the input" 1 "stdin:.*fix the XML" \
        hook lv1 prepare begin - <<<"<domain><name>lv1</name><devices><hostdev type='pci'>"
expect_fail "claim without --owner is a usage error" 2 "no owner given" hd claim "$tmp/lv1.xml"
expect_fail "an unreadable file is named" 1 "nosuch.xml" hd claim --owner libvirt:lv1 "$tmp/nosuch.xml"
finish
