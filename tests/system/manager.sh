#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The manager's verbs on a copy of the manager's tree: refusals, reports and exit codes as a person sees them.
# (Without a kernel behind the tree, writes land in plain files: the unit tests drive the emulator instead.)
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$DATA/trees/manager" "$tmp/tree"
hd() { "$HOSTDEV" --sysroot "$tmp/tree" "$@"; }

if out=$(hd check 0000:01:00.0 2>&1) && grep -q "can be passed through" <<<"$out"; then
        ok "check: a free NIC can be passed through"
else
        notok "check: a free NIC can be passed through" "$out"
fi
if out=$(hd check -J enp1s0 2>&1) && jq -e '.ok == true and .device == "0000:01:00.0"' <<<"$out" >/dev/null; then
        ok "check -J by interface name"
else
        notok "check -J by interface name" "$out"
fi
expect_fail "check: the root disk's controller" 2 "is needed by the host: it backs the filesystem mounted on /" \
        hd check 00:1f.2
expect_fail "check: a bridge" 2 "0000:00:01.0 is a PCI bridge \(class 0x060400\)" hd check 0000:00:01.0
expect_fail "check: a group hostdev can detach whole" 1 "hostdev detach 0000:02:00.0 --group \(it takes 0000:02:00.1 too\)" \
        hd check 0000:02:00.0
expect_fail "check: no such device" 2 "no device '0000:09:00.0'" hd check 0000:09:00.0
expect_fail "detach: a bridge" 1 "is a PCI bridge \(class 0x060400\)" hd detach 0000:00:01.0
expect_fail "detach: the default route" 1 "carries the default route \(interface eth0\)" hd detach eth0
expect_fail "detach: the root disk" 1 "backs the filesystem mounted on / \(/dev/sda1\).*--force" hd detach 00:1f.2
expect_fail "detach: swap and /srv" 1 "mounted on /srv" hd detach 0000:00:04.0
expect_fail "detach --group: the ICH9 group" 1 "0000:00:1f.2 is needed by the host" hd detach --group 00:1f.3
expect_fail "detach: a bad driver name" 1 "cannot be a driver name" hd detach --driver ../x 01:00.0
expect_fail "detach: no such device" 1 "no device '0000:09:00.0'" hd detach 0000:09:00.0
expect_fail "detach: not a PCI device" 1 "not a PCI function" hd detach computer
expect_fail "detach: no device" 2 "no device given" hd detach
expect_fail "detach: an option of reset" 2 "--owner does not apply to detach" hd detach --owner a:b 01:00.0
expect_fail "reattach: not detached" 1 "is not detached: it is on e1000e" hd reattach 01:00.0
expect_fail "reset: no method" 1 "has no reset method" hd reset 0000:00:06.0
expect_fail "reset: a bus reset that hits the other igb" 1 "whole bus.*0000:02:00.1 \(on igb, a host driver" hd reset 02:00.0
expect_fail "reset: a bad owner" 2 "DRIVER:DOMAIN" hd reset --owner vm1 02:00.0
if out=$(hd recover 2>&1) && [ "$out" = "nothing to recover" ]; then
        ok "recover: nothing to recover"
else
        notok "recover: nothing to recover" "$out"
fi
if [ -f "$tmp/tree/var/lib/hostdev/hostdev.db" ]; then
        ok "a tree's state stays in the tree"
else
        notok "a tree's state stays in the tree" "no $tmp/tree/var/lib/hostdev/hostdev.db"
fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
        chmod 755 "$tmp"
        expect_fail "not root" 1 "(run as|needs) root" setpriv --reuid=65534 --regid=65534 --clear-groups \
                "$(nobody_copy "$HOSTDEV" "$tmp/nobody")" --sysroot "$tmp/tree" detach 01:00.0
fi
finish
