#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every node device document in a folder validates against libvirt's nodedev.rng.
# Usage: validate-xml.sh DIR. Exit 77 (skipped) when virt-xml-validate is not installed.
dir=${1:?usage: validate-xml.sh DIR}

if ! command -v virt-xml-validate >/dev/null 2>&1; then
        echo "virt-xml-validate not found (Debian: libvirt-clients); skipping"
        exit 77
fi

rc=0
count=0
for f in "$dir"/*.xml; do
        [ -e "$f" ] || continue
        count=$((count + 1))
        if ! out=$(virt-xml-validate "$f" nodedev 2>&1); then
                echo "FAIL $f"
                echo "$out"
                rc=1
        fi
done
if [ "$count" -eq 0 ]; then
        echo "no documents in $dir"
        exit 1
fi
echo "$count documents checked"
exit $rc
