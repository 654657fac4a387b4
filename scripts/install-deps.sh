#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the Debian packages hostdev's build and tests need; quiet and quick when all are there.
# Usage: scripts/install-deps.sh [--test]   (--test adds what the test suite needs)
set -eu

build="gcc meson ninja-build pkg-config scdoc bash-completion hwdata
  libxml2-dev libsmartcols-dev libsystemd-dev libudev-dev libsqlite3-dev
  libnl-3-dev libnl-route-3-dev libkmod-dev uuid-dev libjson-c-dev"
test="libcmocka-dev libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 libxml2-utils jq mdevctl
  pciutils clang libclang-rt-14-dev"

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
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
