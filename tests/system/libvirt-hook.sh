#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libvirt's QEMU hook with the real libvirt daemon: `virsh create` of domains whose <hostdev> points at a PCI
# address this machine does not have, so libvirt stops after the hook and never touches a real device. The hook is
# installed for the run only (a wrapper in /etc/libvirt/hooks/qemu.d/ that runs this build's hook with a private
# state directory), then removed. No namespaces or mounts: it runs in a plain chroot too (CI's Debian 12).
. "$(dirname "$0")/lib.sh"
VIRSH="virsh -q -c qemu:///system"
HOOK=${HOSTDEV_HOOK:-$(dirname "$HOSTDEV")/hooks/libvirt-qemu-hook}
HOOKS_DIR=/etc/libvirt/hooks
WRAPPER=$HOOKS_DIR/qemu.d/zz-hostdev-test-$$
started_pid=
made_dirs=()

skip() {
        echo "ok - libvirt hook # SKIP $1"
        exit 0
}

command -v libvirtd >/dev/null && command -v virsh >/dev/null || skip "libvirt's daemon and virsh are not installed"
[ "$(id -u)" = 0 ] || skip "installing a hook into $HOOKS_DIR needs root"

tmp=$(mktemp -d)
cleanup() {
        $VIRSH destroy hdhook-refused >/dev/null 2>&1
        $VIRSH destroy hdhook-free >/dev/null 2>&1
        $VIRSH destroy hdhook-plain >/dev/null 2>&1
        rm -f "$WRAPPER"
        for ((i = ${#made_dirs[@]} - 1; i >= 0; i--)); do rmdir "${made_dirs[i]}" 2>/dev/null; done
        if [ -n "$started_pid" ]; then
                kill "$started_pid" 2>/dev/null
                for _ in $(seq 40); do kill -0 "$started_pid" 2>/dev/null || break; sleep 0.25; done
        elif pid=$(cat /run/libvirtd.pid 2>/dev/null) && [ -n "$pid" ]; then
                kill -HUP "$pid" 2>/dev/null # forget the hook again
        fi
        rm -rf "$tmp"
}
trap cleanup EXIT

# The hook, as libvirt runs it: this build's script and hostdev, the store in $tmp (libvirt passes its hooks
# no environment of ours), every call logged.
for d in "$HOOKS_DIR" "$HOOKS_DIR/qemu.d"; do
        if [ ! -d "$d" ]; then
                mkdir "$d" || skip "cannot make $d"
                made_dirs+=("$d")
        fi
done
cat >"$WRAPPER" <<EOF
#!/bin/sh
echo "\$*" >>"$tmp/calls"
HOSTDEV_HOOK_BIN="$HOSTDEV" HOSTDEV_STATE_DIR="$tmp/state" sh "$HOOK" "\$@"
rc=\$?
# What the store holds once the hook is done, for the checks below.
[ ! -e "$tmp/state" ] || HOSTDEV_STATE_DIR="$tmp/state" "$HOSTDEV" active -rn >>"$tmp/active-\$1-\$2" 2>&1
exit \$rc
EOF
chmod 755 "$WRAPPER"

# libvirt looks for hook scripts when it starts (and on SIGHUP): start it now, or make the running one look again.
if pid=$(cat /run/libvirtd.pid 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -HUP "$pid"
        sleep 1
else
        id libvirt-qemu >/dev/null 2>&1 || useradd -r -s /usr/sbin/nologin libvirt-qemu
        mkdir -p /var/log/libvirt
        libvirtd -d >/dev/null 2>&1
        for _ in $(seq 40); do
                $VIRSH version >/dev/null 2>&1 && break
                sleep 0.5
        done
        started_pid=$(cat /run/libvirtd.pid 2>/dev/null)
fi
$VIRSH version >/dev/null 2>&1 || skip "libvirtd could not start here"

domain() { # NAME [DEVICE XML]
        cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    $2
  </devices>
</domain>
EOF
}
# 0000:7e:1f.7: a PCI address no machine of ours has.
ABSENT="<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x7e' slot='0x1f' function='0x7'/></source></hostdev>"
domain hdhook-refused "$ABSENT" >"$tmp/refused.xml"
domain hdhook-free "$ABSENT" >"$tmp/free.xml"
hd() { HOSTDEV_STATE_DIR="$tmp/state" "$HOSTDEV" "$@"; }

# (1) The device is qemu:other's in hostdev's records: libvirt does not start the VM and says hostdev's reason.
domain other "$ABSENT" | hd claim --owner qemu:other - || notok "qemu:other holds 0000:7e:1f.7" "claim failed"
out=$($VIRSH create "$tmp/refused.xml" 2>&1)
rc=$?
sed "s/^/# virsh: /" <<<"$out"
if [ "$rc" != 0 ] && grep -q "0000:7e:1f.7 is held by qemu:other" <<<"$out"; then
        ok "virsh start refused: libvirt's error carries hostdev's message"
elif grep -q "prepare begin" "$tmp/calls" 2>/dev/null; then
        notok "virsh start refused: libvirt's error carries hostdev's message" "exit $rc: $out"
else
        notok "virsh start refused: libvirt's error carries hostdev's message" \
                "libvirtd ran no hook from $HOOKS_DIR/qemu.d (virsh exit $rc: $out)"
fi
if hd active -rn | grep -q "^pci 0000:7e:1f.7 held qemu:other" && ! hd active -rn | grep -q "libvirt:"; then
        ok "qemu:other keeps its device, libvirt:hdhook-refused holds nothing"
else
        notok "qemu:other keeps its device, libvirt:hdhook-refused holds nothing" "$(hd active -rn)"
fi
hd unclaim --owner qemu:other >/dev/null

# (2) A free device: the hook claims it, libvirt fails on the missing device and its release hook unclaims it.
out=$($VIRSH create "$tmp/free.xml" 2>&1)
rc=$?
if [ "$rc" != 0 ] && grep -q "hdhook-free prepare begin" "$tmp/calls" && grep -q "hdhook-free release end" "$tmp/calls"; then
        ok "a free device: claimed at prepare begin, libvirt fails on the missing device, release end runs"
else
        notok "a free device: claimed at prepare begin, libvirt fails on the missing device, release end runs" \
                "exit $rc: $out; hook calls: $(tr '\n' ';' <"$tmp/calls")"
fi
if grep -q "^pci 0000:7e:1f.7 held libvirt:hdhook-free" "$tmp/active-hdhook-free-prepare" 2>/dev/null &&
        ! grep -q "0000:7e:1f.7 is held" <<<"$out"; then
        ok "the hook claimed 0000:7e:1f.7 for libvirt:hdhook-free; libvirt's failure is its own"
else
        notok "the hook claimed 0000:7e:1f.7 for libvirt:hdhook-free; libvirt's failure is its own" \
                "store after prepare: $(cat "$tmp/active-hdhook-free-prepare" 2>&1); virsh: $out"
fi
left=$(hd active -rn 2>&1)
if [ -z "$left" ]; then
        ok "nothing held afterwards"
else
        notok "nothing held afterwards" "$left"
fi

# (3) A VM without host devices passes the hook untouched (it fails later or runs: either way, not in the hook).
domain hdhook-plain "" >"$tmp/plain.xml"
rm -rf "$tmp/state"
out=$($VIRSH create "$tmp/plain.xml" 2>&1)
if grep -q "hdhook-plain prepare begin" "$tmp/calls" && ! grep -qi "hook" <<<"$out" && [ ! -e "$tmp/state" ]; then
        ok "a VM without host devices passes the hook, no store opened"
else
        notok "a VM without host devices passes the hook, no store opened" "$out"
fi
finish
