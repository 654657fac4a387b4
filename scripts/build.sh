#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install what is missing, configure build/ once, and build.  Extra arguments go to `meson setup`.
# Quiet when it works; meson's or the compiler's own words, and which step failed, when it does not.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ ! -f build/build.ninja ]; then
        # A configuration that stopped half-way leaves build/ without build.ninja: start it again.
        rm -rf build
        out=$(meson setup build "$@" 2>&1) || {
                printf '%s\n' "$out" >&2
                echo "hostdev: configuring the build failed: 'meson setup build' said the above" >&2
                exit 1
        }
fi
out=$(ninja -C build 2>&1) || {
        printf '%s\n' "$out" >&2
        echo "hostdev: building failed: 'ninja -C build' said the above" >&2
        exit 1
}
