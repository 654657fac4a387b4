#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's two commands, taken from README.md, in a pristine Debian 12 root (debootstrap
# --variant=minbase bookworm), as a new user runs them in a fresh clone:
#   1. the first command must exit 0 and print the device tree rooted at "computer";
#   2. the second, with the lab left out (SKIP_LAB=1), must end with "N passed, 0 failed".
# Prints one "ok - NAME" / "not ok - NAME: why" line per check and "N passed, N failed" last.
#
# usage: tests/fresh/run.sh [--first-only]   (as root; needs debootstrap and unshare)
#   --first-only  the first command alone: the install and build a new user meets, in a few minutes
#
# The root is made once a week per mirror and kept as a tarball in $HOSTDEV_FRESH_CACHE
# (default /var/cache/hostdev-fresh), with the packages apt downloads inside it (debs/), so a run
# pays debootstrap's minutes once per machine and week. Each run unpacks it afresh.
# Inside, /proc, /dev and a read-only sysfs are mounted, in a mount namespace of this script's
# own: nothing is mounted on the host, and the host's /sys is never written.
set -uo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${HOSTDEV_FRESH_CACHE:-/var/cache/hostdev-fresh}
MIRROR=${HOSTDEV_FRESH_MIRROR:-http://deb.debian.org/debian}
SECURITY=${HOSTDEV_FRESH_SECURITY:-http://deb.debian.org/debian-security}

passed=0
failed=0
ok() { echo "ok - fresh: $1"; passed=$((passed + 1)); }
notok() { echo "not ok - fresh: $1: $2"; failed=$((failed + 1)); }
die() { notok "$1" "$2"; echo "$passed passed, $failed failed"; exit 1; }

# --inside ROOT CMD: runs in the private mount namespace (see the end of this file).
if [ "${1:-}" = --inside ]; then
	root=$2 cmd=$3
	# The root a mount point of its own, so that a test inside may make its own namespace
	# private (unshare -m does, and fails on a root that is no mount point).
	mount --bind "$root" "$root" &&
		mount -t proc proc "$root/proc" &&
		mount --rbind /dev "$root/dev" &&
		mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys" &&
		mount -t tmpfs -o mode=755 tmpfs "$root/run" &&
		mount --bind "$CACHE/debs" "$root/var/cache/apt/archives" || exit 125
	# A login's environment, nothing of ours: HOME=/root, as root in a fresh clone there.
	exec env -i HOME=/root USER=root LOGNAME=root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		chroot "$root" /bin/bash -c "cd /root/hostdev && $cmd"
fi

[ "$(id -u)" = 0 ] || die "setup" "run as root (it makes a chroot)"
command -v debootstrap >/dev/null || die "setup" "debootstrap is missing: apt-get install debootstrap"
command -v unshare >/dev/null || die "setup" "unshare (util-linux) is missing"

# The README's commands: the first fenced sh block, one command per line.
readme_cmds=$(awk '/^```sh$/ {inblock = 1; next} inblock && /^```/ {exit} inblock' "$SRC/README.md")
build_cmd=$(sed -n 1p <<<"$readme_cmds")
test_cmd=$(sed -n 2p <<<"$readme_cmds")
[ -n "$build_cmd" ] && [ -n "$test_cmd" ] ||
	die "README.md" "no fenced sh block with two commands at its top"

# The base root: one tarball per mirror and ISO week.
key=$(sed 's|^[a-z]*://||; s|[/:]|_|g; s|_*$||' <<<"$MIRROR")
tarball=$CACHE/bookworm-minbase-$key-$(date +%G-W%V).tar.gz
mkdir -p "$CACHE/debs/partial"
if [ ! -f "$tarball" ]; then
	echo "# fresh: debootstrap --variant=minbase bookworm (once a week, a few minutes)" >&2
	boot=$(mktemp -d /var/tmp/hostdev-debootstrap.XXXXXX)
	if ! debootstrap --variant=minbase bookworm "$boot/root" "$MIRROR" >"$boot/log" 2>&1; then
		tail -20 "$boot/log" >&2
		rm -rf --one-file-system "$boot"
		die "debootstrap" "debootstrap --variant=minbase bookworm $MIRROR failed (its log above)"
	fi
	rm -f "$CACHE"/bookworm-minbase-*.tar.gz
	tar -C "$boot/root" -czf "$tarball.part" . && mv "$tarball.part" "$tarball"
	rm -rf --one-file-system "$boot"
	[ -f "$tarball" ] || die "debootstrap" "cannot write $tarball"
fi

work=$(mktemp -d /var/tmp/hostdev-fresh.XXXXXX)
root=$work/root
# Processes a test left behind inside (a daemon it started) go before the folder does.
cleanup() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	sleep 1
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
mkdir "$root" && tar -C "$root" -xzf "$tarball" || die "setup" "cannot unpack $tarball into $root"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
# What a Debian 12 install has beside the release: its updates and security suites.
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
	"$MIRROR" "$MIRROR" "$SECURITY" >"$root/etc/apt/sources.list"

# The project as a fresh clone has it: the files git knows (and new ones not ignored), no build.
# In /root, a folder only root may enter, as a user who clones there has it.
mkdir -p "$root/root/hostdev"
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh |
	tar --null -T - -cf -) | tar -C "$root/root/hostdev" -xf - ||
	die "setup" "cannot copy $SRC into the root"

inside() { unshare -m --propagation private "${BASH_SOURCE[0]}" --inside "$root" "$1"; }

# 1. The first command: exit 0, the tree rooted at "computer" on standard output (the notices of
#    what it installs go to standard error).
out=$(inside "$build_cmd" 2>"$work/build.err")
rc=$?
what="README's first command ($build_cmd)"
if [ $rc != 0 ]; then
	notok "$what" "exit $rc; its last words: $(tail -15 "$work/build.err")"
elif ! grep -qE '^computer( |$)' <<<"$out" || ! grep -qE '^[|`]-' <<<"$out"; then
	notok "$what" "no tree from computer: $(head -5 <<<"$out")"
else
	ok "$what prints the tree from computer ($(grep -cE '^[|` ]' <<<"$out") devices below it)"
fi

if [ "${1:-}" = --first-only ]; then
	echo "$passed passed, $failed failed"
	[ $failed = 0 ]
	exit
fi

# 2. The second command without the lab: "N passed, 0 failed" as its last line.
log=$work/test.log
inside "SKIP_LAB=1 $test_cmd" >"$log" 2>&1
rc=$?
last=$(tail -n1 "$log")
if [ $rc = 0 ] && grep -qE '^[0-9]+ passed, 0 failed$' <<<"$last"; then
	ok "README's second command (SKIP_LAB=1 $test_cmd): $last"
else
	# What failed, from its own closing lines.
	tail -30 "$log" | sed 's/^/# /'
	notok "README's second command (SKIP_LAB=1 $test_cmd)" "exit $rc, last line '$last'"
fi

echo "$passed passed, $failed failed"
[ $failed = 0 ]
