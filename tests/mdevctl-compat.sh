#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Definitions move between hostdev and mdevctl unchanged: each lists and reads what the other wrote, byte for byte.
# mdevctl (Debian's 1.2) has no way to move /etc/mdevctl.d, so it runs in a private mount namespace with a
# temporary folder bound over /etc/mdevctl.d; the host's /etc is never written. Skipped (77) without mdevctl or
# without the right to unshare.
# Usage: mdevctl-compat.sh HOSTDEV
set -eu
hostdev=$1
command -v mdevctl >/dev/null 2>&1 || { echo "mdevctl is not installed: skipped"; exit 77; }
command -v unshare >/dev/null 2>&1 || exit 77
unshare -m true 2>/dev/null || { echo "cannot unshare a mount namespace: skipped"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/sys" "$tmp/defs"
U1=11111111-2222-3333-4444-555555555555
U2=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee
hd() { HOSTDEV_MDEVCTL_DIR="$tmp/defs" "$hostdev" --sysroot "$tmp/root" "$@"; }
# Run mdevctl with $tmp/defs as its /etc/mdevctl.d, in a namespace of its own.
mc() {
	unshare -m --propagation private sh -c '
		mount --bind "$0" /etc/mdevctl.d &&
		mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers &&
		shift && exec mdevctl "$@"' "$tmp/defs" mdevctl "$@"
}
fail() { echo "FAIL: $*"; exit 1; }

# hostdev writes, mdevctl lists it and dumps the same definition.
hd mdev define --parent mtty --type mtty-2 --uuid $U1 --attr foo=bar --attr "two words=a\"b" --auto >/dev/null
mc list --defined > "$tmp/list"
grep -q "^$U1 mtty mtty-2 auto" "$tmp/list" || fail "mdevctl list --defined: $(cat "$tmp/list")"
mc list --defined --dumpjson > "$tmp/dump.json"
grep -q '"foo": "bar"' "$tmp/dump.json" || fail "mdevctl --dumpjson lost an attribute: $(cat "$tmp/dump.json")"
grep -q '"two words": "a\\"b"' "$tmp/dump.json" || fail "mdevctl --dumpjson: $(cat "$tmp/dump.json")"

# mdevctl rewrites it (a no-op modify round trip through its own serializer): the bytes do not change.
cp "$tmp/defs/mtty/$U1" "$tmp/ours"
mc modify -u $U1 --manual >/dev/null
mc modify -u $U1 --auto >/dev/null
cmp -s "$tmp/ours" "$tmp/defs/mtty/$U1" || fail "mdevctl rewrote hostdev's file differently: $(cat "$tmp/defs/mtty/$U1")"

# mdevctl writes, hostdev reads it; hostdev's rewrite is byte-identical to mdevctl's.
mc define -u $U2 -p 0000:00:02.0 -t nvidia-35 >/dev/null
mc modify -u $U2 --addattr=framebuffer --value=1024 >/dev/null
hd mdev list --defined > "$tmp/hlist"
grep -q "^$U2 0000:00:02.0 nvidia-35 *stopped *yes *manual *framebuffer=1024" "$tmp/hlist" || fail "hostdev mdev list: $(cat "$tmp/hlist")"
cp "$tmp/defs/0000:00:02.0/$U2" "$tmp/theirs"
hd mdev autostart $U2 on
hd mdev autostart $U2 off
cmp -s "$tmp/theirs" "$tmp/defs/0000:00:02.0/$U2" || fail "hostdev rewrote mdevctl's file differently: $(cat "$tmp/defs/0000:00:02.0/$U2")"

# Undefined by one, gone for the other.
mc undefine -u $U1 >/dev/null
hd mdev list --defined | grep -q $U1 && fail "hostdev still lists $U1 after mdevctl undefine"
hd mdev undefine $U2
mc list --defined | grep -q $U2 && fail "mdevctl still lists $U2 after hostdev undefine"
echo "1 passed, 0 failed"
