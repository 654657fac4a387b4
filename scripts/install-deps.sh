#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the Debian packages hostdev's build and tests need; quiet and quick when all are there.
# Usage: scripts/install-deps.sh [--test]   (--test adds what the test suite needs)
set -eu

build="gcc meson ninja-build pkg-config scdoc bash-completion hwdata
  libxml2-dev libsmartcols-dev libsystemd-dev libudev-dev libsqlite3-dev
  libnl-3-dev libnl-route-3-dev libkmod-dev uuid-dev libjson-c-dev"
# The tests, and the lab's tools (it builds mtty.ko and an initramfs from Debian's kernel packages),
# and debootstrap for the check of the README's commands in a pristine Debian 12 (tests/fresh).
test="libcmocka-dev libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 libxml2-utils jq mdevctl
  pciutils sqlite3 clang libclang-rt-14-dev busybox-static cpio kmod make file xz-utils debootstrap"

want=$build
[ "${1:-}" = "--test" ] && want="$build $test"

missing=""
for p in $want; do
        # dpkg-query prints "install ok installed" for a package that is fully there.
        s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [ "$s" = "install ok installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
        echo "hostdev: missing packages:$missing; run this script as root (or: sudo apt-get install$missing)" >&2
        exit 1
fi
echo "hostdev: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Quiet when it works; apt's own words when it does not.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! apt-get update -qq >"$log" 2>&1; then
        cat "$log" >&2
        echo "hostdev: 'apt-get update' failed (above); check /etc/apt/sources.list and the network" >&2
        exit 1
fi
if ! apt-get install -y -qq --no-install-recommends $missing >"$log" 2>&1; then
        cat "$log" >&2
        echo "hostdev: installing$missing failed: apt-get said the above" >&2
        exit 1
fi
