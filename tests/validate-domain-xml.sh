#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every expected domain XML output, printed as a whole domain, validates against libvirt's domain.rng.
# Usage: validate-domain-xml.sh TOOL DIR. Exit 77 (skipped) when virt-xml-validate is not installed.
tool=${1:?usage: validate-domain-xml.sh TOOL DIR}
dir=${2:?usage: validate-domain-xml.sh TOOL DIR}

if ! command -v virt-xml-validate >/dev/null 2>&1; then
        echo "virt-xml-validate not found (Debian: libvirt-clients); skipping"
        exit 77
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

rc=0
count=0
for f in "$dir"/*.xml; do
        [ -e "$f" ] || continue
        count=$((count + 1))
        doc="$tmp/$(basename "$f")"
        if ! "$tool" --domain --name hostdev-test "$f" >"$doc"; then
                echo "FAIL $f: could not print it as a domain"
                rc=1
                continue
        fi
        if ! out=$(virt-xml-validate "$doc" domain 2>&1); then
                echo "FAIL $f"
                echo "$out"
                cat "$doc"
                rc=1
        fi
done
if [ "$count" -eq 0 ]; then
        echo "no documents in $dir"
        exit 1
fi
echo "$count domains checked"
exit $rc
