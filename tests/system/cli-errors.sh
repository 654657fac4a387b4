#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bad input gets a clear error, a non-zero exit, and never becomes a path outside the sysfs root.
. "$(dirname "$0")/lib.sh"

expect_fail "unknown device" 1 "no device 'pci_9999_99_99_9'; see 'hostdev list'" \
        "$HOSTDEV" show pci_9999_99_99_9
expect_fail "dot-dot name" 1 "no device '\.\./\.\./etc'" "$HOSTDEV" show ../../etc
expect_fail "slash name" 1 "no device 'net/../../x'" "$HOSTDEV" show net/../../x
expect_fail "sysfs path escaping the root" 1 "no device" "$HOSTDEV" show /sys/../etc/passwd
expect_fail "sysroot nowhere" 1 "sysroot '/nonexistent': No such file" "$HOSTDEV" --sysroot /nonexistent list
expect_fail "sysroot without sys" 1 "has no sys/ folder" "$HOSTDEV" --sysroot /tmp list
expect_fail "unknown column" 2 "unknown column 'BOGUS'; valid columns: NAME" "$HOSTDEV" list -o BOGUS
expect_fail "unknown capability" 2 "unknown capability 'gpu'; valid capabilities: system pci" "$HOSTDEV" list --cap gpu
expect_fail "unknown verb" 2 "unknown verb 'frobnicate'" "$HOSTDEV" frobnicate
expect_fail "show without device" 2 "no device given" "$HOSTDEV" show
expect_fail "xml and json" 2 "exclude each other" "$HOSTDEV" show --xml --json computer

# A sysroot whose bus folder holds a link out of the tree: the scan neither follows nor fails.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/sys/bus/pci/devices" "$tmp/sys/devices"
ln -s ../../../../../../etc "$tmp/sys/bus/pci/devices/0000:00:01.0"
if out=$("$HOSTDEV" --sysroot "$tmp" list -rn -o NAME 2>&1) && [ "$out" = computer ]; then
        ok "link out of the sysroot is not followed"
else
        notok "link out of the sysroot is not followed" "$out"
fi
expect_fail "link out of the sysroot by name" 1 "no device" "$HOSTDEV" --sysroot "$tmp" show 0000:00:01.0
finish
