#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# prepare, active, qemu-args, release and recover as a person runs them, on a copy of the VM tree; the writes go
# through the kernel emulator (build/tests/hostdev-emu), the real hostdev shows what a tree without one refuses.
. "$(dirname "$0")/lib.sh"
emu_vm_tree prepare

cat > "$tmp/vm1.xml" <<'EOF'
<domain type='kvm'>
  <name>vm1</name>
  <uuid>11111111-2222-3333-4444-555555555555</uuid>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>
      <boot order='1'/>
    </hostdev>
    <hostdev mode='subsystem' type='usb'>
      <source><vendor id='0x0204'/><product id='0x6025'/></source>
    </hostdev>
    <hostdev mode='subsystem' type='scsi'>
      <source><adapter name='scsi_host2'/><address bus='0' target='0' unit='0'/></source>
      <readonly/>
    </hostdev>
    <hostdev mode='subsystem' type='mdev' model='vfio-pci'>
      <source><address uuid='83b8f4f2-509f-382f-3c1e-e6bfe0fa1001'/></source>
    </hostdev>
    <interface type='hostdev' managed='yes'>
      <mac address='52:54:00:6d:90:02'/>
      <source><address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x0'/></source>
      <vlan><tag id='42'/></vlan>
    </interface>
  </devices>
</domain>
EOF
cat > "$tmp/vm2.xml" <<'EOF'
<hostdev mode='subsystem' type='pci' managed='yes'>
  <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>
</hostdev>
EOF

if out=$(hd prepare --owner qemu "$tmp/vm1.xml" 2>&1) && grep -q "^qemu:vm1 holds:" <<<"$out" &&
        grep -q "pci    0000:01:00.0  *\/dev\/vfio\/2" <<<"$out" && [ "$(drv 0000:01:00.0)" = vfio-pci ] &&
        [ -d "$tmp/tree/sys/bus/mdev/devices/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001" ]; then
        ok "prepare: every kind, owner from <name>"
else
        notok "prepare: every kind, owner from <name>" "$out"
fi
if out=$(hd active 2>&1) && grep -qE "^pci +0000:01:00.0 +held +qemu:vm1 .* /dev/vfio/2 +back to e1000e" <<<"$out" &&
        grep -qE "^net_vf +0000:03:02.0 +held .*MAC 02:00:00:00:03:00, VLAN 0" <<<"$out" &&
        grep -qE "^mdev .*stopped \(hostdev started it\)" <<<"$out"; then
        ok "active: who, what, what release restores"
else
        notok "active: who, what, what release restores" "$out"
fi
if out=$(hd active -J 2>&1) && jq -e '.devices | length == 6 and
        (map(select(.kind == "usb"))[0] | .device == "001:002 0204:6025" and .uuid == "11111111-2222-3333-4444-555555555555")' \
        <<<"$out" >/dev/null; then
        ok "active -J"
else
        notok "active -J" "$out"
fi
if out=$(hd qemu-args "$tmp/vm1.xml" 2>&1) &&
        [ "$(head -n 2 <<<"$out")" = $'-device qemu-xhci,id=usb\n-device lsi,id=scsi0' ] &&
        grep -qx -- "-device vfio-pci,host=0000:03:02.0,id=hostdev0" <<<"$out" &&
        grep -qx -- "-device vfio-pci,host=0000:01:00.0,id=hostdev1,bootindex=1" <<<"$out" &&
        grep -qx -- "-device usb-host,hostbus=1,hostaddr=2,id=hostdev2" <<<"$out" &&
        grep -qx -- "-drive file=/dev/sg1,if=none,format=raw,id=drive-hostdev3,readonly=on" <<<"$out" &&
        grep -qx -- "-device scsi-generic,drive=drive-hostdev3,bus=scsi0.0,scsi-id=0,id=hostdev3" <<<"$out"; then
        ok "qemu-args: the controllers, then libvirt's ids"
else
        notok "qemu-args: the controllers, then libvirt's ids" "$out"
fi
if [ "$(hd qemu-args -0 --owner qemu:vm1 "$tmp/vm1.xml" | tr '\0' '\n' | grep -c "^-")" = 8 ] &&
        [ "$(hd qemu-args -0 --no-controllers --owner qemu:vm1 "$tmp/vm1.xml" | tr '\0' '\n' | grep -c "^-")" = 6 ]; then
        ok "qemu-args -0 --owner"
else
        notok "qemu-args -0 --owner" "$(hd qemu-args -0 --owner qemu:vm1 "$tmp/vm1.xml" | tr '\0' ' ')"
fi
expect_fail "prepare: a second owner is told the first" 1 "0000:01:00.0 is held by qemu:vm1 \(11111111" \
        hd prepare --owner qemu:vm2 "$tmp/vm2.xml"
expect_fail "qemu-args: not this owner's" 1 "is not prepared for qemu:vm2" hd qemu-args --owner qemu:vm2 "$tmp/vm2.xml"
if out=$(hd release --owner qemu:vm1 2>&1) && grep -q "gave back 6 device records" <<<"$out" &&
        [ "$(drv 0000:01:00.0)" = e1000e ] && [ "$(drv 0000:03:02.0)" = iavf ] &&
        [ ! -e "$tmp/tree/sys/bus/mdev/devices/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001" ] &&
        [ "$(hd active)" = "no device is held or detached" ]; then
        ok "release: everything back"
else
        notok "release: everything back" "$out"
fi
if out=$(hd prepare --owner qemu:vm2 - <"$tmp/vm2.xml" 2>&1) && grep -q "^qemu:vm2 holds:" <<<"$out" &&
        out=$(hd release --owner qemu:vm2 - <"$tmp/vm2.xml" 2>&1) && grep -q "gave back 1" <<<"$out"; then
        ok "prepare and release from standard input"
else
        notok "prepare and release from standard input" "$out"
fi
if out=$(printf '%s\n' "<hostdev mode='subsystem' type='usb'><source startupPolicy='optional'><vendor id='0x1234'/>" \
        "<product id='0x5678'/></source></hostdev>" | hd prepare --owner qemu:vm3 - 2>&1) &&
        grep -q "^left out: USB device 1234:5678 is not plugged in; left out (startupPolicy='optional')" <<<"$out"; then
        ok "prepare: an optional USB device that is not there is left out, and said"
else
        notok "prepare: an optional USB device that is not there is left out, and said" "$out"
fi

# A process killed half-way: the store shows it, recover undoes it.
HOSTDEV_TEST_KILL_AT_WRITE=5 hd prepare --owner qemu "$tmp/vm1.xml" >/dev/null 2>&1
rc=$?
if [ $rc = 137 ] && hd active | grep -q " busy " && [ "$(drv 0000:01:00.0)" = vfio-pci ]; then
        ok "a prepare killed at its 5th step leaves busy records"
else
        notok "a prepare killed at its 5th step leaves busy records" "exit $rc; $(hd active 2>&1)"
fi
if out=$(hd recover 2>&1) && grep -q "the prepare for qemu:vm1 left by pid .* is undone" <<<"$out" &&
        [ "$(drv 0000:01:00.0)" = e1000e ] && [ "$(hd active)" = "no device is held or detached" ]; then
        ok "recover undoes the killed prepare"
else
        notok "recover undoes the killed prepare" "$out"
fi

# A store that cannot be read (here: corrupt) is an error that says so, never "nothing is held".
db=$tmp/tree/var/lib/hostdev/hostdev.db
if hd prepare --owner qemu "$tmp/vm1.xml" >/dev/null 2>&1 && cp -p "$db" "$tmp/db.saved" &&
        printf 'this is no SQLite database, not anymore' | dd of="$db" conv=notrunc status=none; then
        expect_fail "active: an unreadable store" 1 "state store .*hostdev.db.*: file is not a database" hd active
        expect_fail "check: an unreadable store" 2 "holder +unknown: state store .*hostdev.db.*not a database" \
                hd check 0000:01:00.0
        expect_fail "qemu-args: an unreadable store" 1 "hostdev.db.*not a database" hd qemu-args "$tmp/vm1.xml"
        expect_fail "release: an unreadable store" 1 "hostdev.db.*not a database" hd release --owner qemu:vm1
        expect_fail "sriov set --force: an unreadable store" 1 "VFs of 0000:03:00.0 stay as they are, even with --force" \
                hd sriov set --force 0000:03:00.0 0
        mv "$tmp/db.saved" "$db"
        if [ -e "$tmp/tree/sys/bus/pci/devices/0000:03:02.0" ] && hd release --owner qemu:vm1 >/dev/null &&
                [ "$(drv 0000:01:00.0)" = e1000e ]; then
                ok "an unreadable store changed nothing"
        else
                notok "an unreadable store changed nothing" "$(hd active 2>&1)"
        fi
else
        notok "an unreadable store" "could not prepare vm1 or corrupt its store"
fi

printf '<domain>\n  <devices>\n    <hostdev mode="subsystem" type="pci">\n  </devices>\n</domain>\n' >"$tmp/bad.xml"
expect_fail "prepare: malformed XML says line and column" 1 "bad.xml:6:1: Premature end of data" \
        hd prepare --owner qemu:x "$tmp/bad.xml"
expect_fail "prepare: no owner" 2 "no owner given" hd prepare "$tmp/vm1.xml"
expect_fail "prepare: libvirt's status file is no domain" 1 "<domstatus> is not a domain but holds one" \
        hd prepare --owner qemu:x "$DATA/domainxml/bad/domstatus.xml"
expect_fail "prepare: a node device is no domain" 1 "<device> is not a domain and holds no device element" \
        hd prepare --owner qemu:x "$DATA/domainxml/bad/nodedev.xml"
expect_fail "prepare: no file" 2 "no FILE given" hd prepare --owner qemu:x
expect_fail "prepare: no domain name anywhere" 2 "names no domain and the XML has no <name>" \
        hd prepare --owner qemu "$tmp/vm2.xml"
expect_fail "prepare: a bad kind" 2 "'gpu' is not a kind" hd prepare --kind gpu --owner qemu:x "$tmp/vm2.xml"
expect_fail "prepare: a bad owner" 1 "cannot name an owner's driver" hd prepare --owner 'q emu:x' "$tmp/vm2.xml"
expect_fail "release: no owner" 2 "no owner given" hd release
expect_fail "prepare: capabilities" 1 "is not for virtual machines" sh -c "printf '%s' \"<hostdev mode='capabilities' \
type='storage'><source><block>/dev/sdf1</block></source></hostdev>\" | '$EMU' --sysroot '$tmp/tree' prepare --owner lxc:c1 -"
# The real command on a tree: no kernel behind it, no netlink.
expect_fail "prepare: no netlink in a recorded tree" 1 "over netlink, which a recorded tree .* does not have" \
        "$HOSTDEV" --sysroot "$tmp/tree" prepare --owner qemu "$tmp/vm1.xml"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
        chmod 755 "$tmp"
        expect_fail "prepare: not root" 1 "root" setpriv --reuid=65534 --regid=65534 --clear-groups \
                "$(nobody_copy "$EMU" "$tmp/nobody")" --sysroot "$tmp/tree" prepare --owner qemu:vm2 "$tmp/vm2.xml"
fi
[ "$(drv 0000:01:00.0)" = e1000e ] && ok "nothing lost" || notok "nothing lost" "$(hd active 2>&1)"
finish
