#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --sysroot confines the real command: links in a tree never show host files nor let it write outside,
# a tree without a kernel refuses every write, and record writes only below a folder it made.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$DATA/trees/vm" "$tmp/tree"
mkdir "$tmp/out"
echo "HOST-SECRET-TEXT" > "$tmp/out/secret"
hd() { "$HOSTDEV" --sysroot "$tmp/tree" "$@"; }
# A relative link from the folder of TREE/$1 that climbs to "/" and down to $2.
uplink() {
	local dir ups
	dir=$(cd "$(dirname "$tmp/tree/$1")" && pwd -P)
	ups=$(sed 's#[^/]*#..#g; s#^/##' <<<"$dir")
	ln -sfn "$ups$2" "$tmp/tree/$1"
}

# Reads: DMI fields linked to a host file, absolute and relative.
mkdir -p "$tmp/tree/sys/devices/virtual/dmi/id"
echo "in-tree-version" > "$tmp/tree/sys/devices/virtual/dmi/id/product_version"
ln -s "$tmp/out/secret" "$tmp/tree/sys/devices/virtual/dmi/id/product_name"
uplink sys/devices/virtual/dmi/id/sys_vendor "$tmp/out/secret"
if out=$(hd show computer --xml 2>&1) && grep -q in-tree-version <<<"$out" && ! grep -q HOST-SECRET <<<"$out"; then
	ok "show computer --xml: DMI links out of the tree are not followed"
else
	notok "show computer --xml: DMI links out of the tree are not followed" "$out"
fi

# A tree whose sys/ is a link to the host's /sys is no tree.
mkdir "$tmp/linked" && ln -s /sys "$tmp/linked/sys"
expect_fail "a tree whose sys/ is a link to /sys is refused" 1 "has no sys/ folder" "$HOSTDEV" --sysroot "$tmp/linked" list

# Writes without a kernel: refused, said, and the tree's files as they were.
snapshot() { (cd "$tmp/tree" && find . -path ./var -prune -o -type f -print0 | sort -z | xargs -0 md5sum; find . -type l -printf '%p -> %l\n' | sort); }
snapshot > "$tmp/before"
expect_fail "detach under --sysroot without a kernel is refused" 1 \
	"refusing to write /sys/bus/pci/devices/0000:01:00.0/driver_override under --sysroot .*: no kernel is behind a recorded tree; use hostdev-emu" \
	hd detach 0000:01:00.0
snapshot > "$tmp/after"
if cmp -s "$tmp/before" "$tmp/after" && [ "$(hd active 2>&1)" = "no device is held or detached" ]; then
	ok "the refused detach changed no file of the tree and holds nothing"
else
	notok "the refused detach changed no file of the tree and holds nothing" "$(diff "$tmp/before" "$tmp/after"; hd active 2>&1)"
fi
echo "x" > "$tmp/out/create"
create=$(cd "$tmp/tree/sys/class/mdev_bus/mtty/mdev_supported_types/mtty-1" && pwd -P)/create
rm "$create" && ln -s "$tmp/out/create" "$create"
expect_fail "mdev create under --sysroot without a kernel is refused" 1 "refusing to write .*/create under --sysroot" \
	hd mdev create --parent mtty --type mtty-1
[ "$(cat "$tmp/out/create")" = x ] && ok "mdev create: the file its link leads to is kept" ||
	notok "mdev create: the file its link leads to is kept" "$(cat "$tmp/out/create")"

# The store of a tree whose var/ is a link out: never made there (with the emulator, as a write would need it).
EMU=${HOSTDEV_EMU:-$(dirname "$HOSTDEV")/tests/hostdev-emu}
cp -a "$DATA/trees/vm" "$tmp/tree2"
mkdir "$tmp/out/var"
ln -s "$tmp/out/var" "$tmp/tree2/var"
expect_fail "a tree whose var/ is a link keeps no store outside" 1 "a folder on the way in the tree is a link" \
	"$EMU" --sysroot "$tmp/tree2" detach 0000:01:00.0
[ -z "$(ls -A "$tmp/out/var")" ] && ok "nothing was made in the folder var/ leads to" ||
	notok "nothing was made in the folder var/ leads to" "$(find "$tmp/out/var")"

# record: a destination that is a link, or a .tar that is one (or exists), is refused; nothing is written there.
mkdir "$tmp/out/elsewhere"
ln -s "$tmp/out/elsewhere" "$tmp/dest-link"
expect_fail "record: a destination that is a link is refused" 1 "is a link or not a folder" hd record "$tmp/dest-link"
expect_fail "record: DIR/ of a link is refused too" 1 "is a link or not a folder" hd record "$tmp/dest-link/"
[ -z "$(ls -A "$tmp/out/elsewhere")" ] && ok "record wrote nothing where the link leads" ||
	notok "record wrote nothing where the link leads" "$(find "$tmp/out/elsewhere" | head)"
echo "keep" > "$tmp/out/file"
ln -s "$tmp/out/file" "$tmp/rec.tar"
expect_fail "record: a .tar that is a link is refused" 1 "exists; give a new file name" hd record "$tmp/rec.tar"
[ "$(head -c 4 "$tmp/out/file")" = keep ] && ok "record: the file a .tar link leads to is kept" ||
	notok "record: the file a .tar link leads to is kept" "$(head -c 100 "$tmp/out/file" | tr -d '\0')"
if hd record "$tmp/fresh" 2>/dev/null && [ -f "$tmp/fresh/sys/bus/pci/devices/0000:01:00.0/uevent" ] &&
	hd record "$tmp/fresh.tar" 2>/dev/null && tar tf "$tmp/fresh.tar" | grep -q "0000:01:00.0/uevent"; then
	ok "record into a new folder and a new .tar"
else
	notok "record into a new folder and a new .tar" "$(ls "$tmp/fresh" 2>&1)"
fi
finish
