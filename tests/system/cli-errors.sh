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
expect_fail "HOSTDEV_SYSROOT nowhere" 1 "HOSTDEV_SYSROOT='/nonexistent': No such file or directory; .*or unset it" \
        env HOSTDEV_SYSROOT=/nonexistent "$HOSTDEV" list
expect_fail "HOSTDEV_SYSROOT without sys" 1 "HOSTDEV_SYSROOT='/tmp': it has no sys/ folder" \
        env HOSTDEV_SYSROOT=/tmp "$HOSTDEV" list
expect_fail "unknown column" 2 "unknown column 'BOGUS'; valid columns: NAME" "$HOSTDEV" list -o BOGUS
expect_fail "unknown capability" 2 "unknown capability 'gpu'; valid capabilities: system pci" "$HOSTDEV" list --cap gpu
expect_fail "unknown verb" 2 "unknown verb 'frobnicate'" "$HOSTDEV" frobnicate
expect_fail "show without device" 2 "no device given" "$HOSTDEV" show
expect_fail "xml and json" 2 "exclude each other" "$HOSTDEV" show --xml --json computer

# A sysroot whose bus folder holds a link out of the tree: the scan neither follows nor fails.
# (The loopback interface beside it makes the tree one a kernel could have made.)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/sys/bus/pci/devices" "$tmp/sys/devices/virtual/net/lo" "$tmp/sys/class/net"
ln -s ../../../../../../etc "$tmp/sys/bus/pci/devices/0000:00:01.0"
printf 'INTERFACE=lo\nIFINDEX=1\n' >"$tmp/sys/devices/virtual/net/lo/uevent"
echo 00:00:00:00:00:00 >"$tmp/sys/devices/virtual/net/lo/address"
ln -s ../../devices/virtual/net/lo "$tmp/sys/class/net/lo"
ln -s ../../../../class/net "$tmp/sys/devices/virtual/net/lo/subsystem"
if out=$("$HOSTDEV" --sysroot "$tmp" list -rn -o NAME 2>&1) && [ "$out" = $'computer\nnet_lo_00_00_00_00_00_00' ]; then
        ok "link out of the sysroot is not followed"
else
        notok "link out of the sysroot is not followed" "$out"
fi
expect_fail "link out of the sysroot by name" 1 "no device" "$HOSTDEV" --sysroot "$tmp" show 0000:00:01.0
# A tree no kernel makes is said to be one, with a failing exit, not listed as a host without devices.
rm "$tmp/sys/class/net/lo"
expect_fail "a tree without devices looks incomplete" 1 "lists no device in its bus/ and class/ folders: the tree looks incomplete" \
        "$HOSTDEV" --sysroot "$tmp" list
cp -a "$DATA/trees/pci" "$tmp/nolinks"
find "$tmp/nolinks" -name subsystem -type l -delete
expect_fail "a tree without subsystem links looks incomplete" 1 "has no subsystem link, which the kernel gives every device" \
        "$HOSTDEV" --sysroot "$tmp/nolinks" list
finish
