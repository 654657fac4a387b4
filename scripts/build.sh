#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install what is missing, configure build/ once, and build.  Extra arguments go to `meson setup`.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ ! -f build/build.ninja ]; then
        meson setup build "$@" >/dev/null
fi
# Quiet when it works; the compiler's words when it does not.
out=$(ninja -C build 2>&1) || { printf '%s\n' "$out" >&2; exit 1; }
