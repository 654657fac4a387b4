# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the system checks: each check prints "ok - NAME" or "not ok - NAME: why".
HOSTDEV=${HOSTDEV:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/hostdev}
DATA=$(cd "$(dirname "${BASH_SOURCE[0]}")/../data" && pwd)
nfail=0

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1: $2"; nfail=$((nfail + 1)); }

# expect_fail NAME EXPECTED_EXIT PATTERN CMD...: the command fails with that exit code and its
# error names what PATTERN says.
expect_fail() {
        local name=$1 code=$2 pat=$3 out rc
        shift 3
        out=$("$@" 2>&1)
        rc=$?
        if [ "$rc" != "$code" ]; then
                notok "$name" "exit $rc, wanted $code; output: $out"
        elif ! grep -qE -- "$pat" <<<"$out"; then
                notok "$name" "message '$out' does not match /$pat/"
        else
                ok "$name"
        fi
}

# emu_vm_tree WHAT: a copy of the VM tree in $tmp/tree (gone at exit), hd() running hostdev with the kernel
# emulator behind its writes ($EMU, build/tests/hostdev-emu) on it, and drv ADDR naming a PCI device's driver
# there. Without $EMU: one "ok - WHAT: skipped" line and exit.
emu_vm_tree() {
        EMU=${HOSTDEV_EMU:-$(dirname "$HOSTDEV")/tests/hostdev-emu}
        if [ ! -x "$EMU" ]; then
                ok "$1: skipped, no $EMU"
                exit 0
        fi
        tmp=$(mktemp -d)
        trap 'rm -rf "$tmp"' EXIT
        cp -a "$DATA/trees/vm" "$tmp/tree"
        hd() { "$EMU" --sysroot "$tmp/tree" "$@"; }
        drv() { basename "$(readlink "$tmp/tree/sys/bus/pci/devices/$1/driver")"; }
}

# nobody_copy BINARY DIR: prints the path of a copy of BINARY in DIR that user nobody (65534) can run.
# The checkout may lie in a folder nobody may not enter (/root in a fresh machine): setpriv's exec
# would then fail with 127 before hostdev says it needs root. The copy takes the libhostdev it
# loads along ($ORIGIN/src/lib, meson's runpath).
nobody_copy() {
        local bin=$1 dir=$2 lib
        lib=$(dirname "$bin")/src/lib/libhostdev.so.0
        mkdir -p "$dir" && cp "$bin" "$dir/" || return 1
        if [ -e "$lib" ]; then
                mkdir -p "$dir/src/lib" && cp -L "$lib" "$dir/src/lib/" || return 1
        fi
        chmod -R a+rX "$dir"
        echo "$dir/$(basename "$bin")"
}

finish() {
        [ "$nfail" = 0 ]
}
