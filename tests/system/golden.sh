#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Golden outputs for every tree in tests/data/trees/ (hand-made) and tests/data/recorded/ (from the
# lab's real kernel): the tree, the JSON list, and every device's XML, which must also validate.
# A single-device lookup must agree with the full scan on name and parent.
# HOSTDEV_REGENERATE=1 rewrites the expected files instead of comparing.
. "$(dirname "$0")/lib.sh"
export HOSTDEV_IDS_DIR="$DATA/ids"
validate=$(command -v virt-xml-validate)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

check_output() { # NAME EXPECTED_FILE ACTUAL_FILE
        if [ -n "${HOSTDEV_REGENERATE:-}" ]; then
                mkdir -p "$(dirname "$2")"
                cp "$3" "$2"
                ok "$1 (regenerated)"
        elif [ ! -f "$2" ]; then
                notok "$1" "no expected file $2; run with HOSTDEV_REGENERATE=1"
        elif diff -u "$2" "$3" >"$out/diff"; then
                ok "$1"
        else
                notok "$1" "differs from $2:"$'\n'"$(head -40 "$out/diff")"
        fi
}

for root in "$DATA"/trees/*/ "$DATA"/recorded/*/; do
        [ -d "$root/sys" ] || continue
        t=$(basename "$root")
        kind=$(basename "$(dirname "$root")")
        g="$DATA/golden/$kind-$t"
        hd() { "$HOSTDEV" --sysroot "$root" "$@"; }

        hd list --tree -o NAME,CAP,DRIVER,IOMMU,NUMA,ADDRESS,DESCRIPTION >"$out/tree.txt" 2>&1
        check_output "$t: list --tree" "$g/list-tree.txt" "$out/tree.txt"
        hd list -J -o NAME,CAPS,PARENT,PATH,VENDOR,PRODUCT,CLASS,DEVNODE,PF,VFS,MAXVFS >"$out/list.json" 2>&1
        check_output "$t: list -J" "$g/list.json" "$out/list.json"

        mkdir -p "$out/xml"
        bad_lookup=""
        bad_valid=""
        while read -r name parent; do
                hd show --xml "$name" >"$out/xml/$name.xml" 2>&1 || bad_lookup="$bad_lookup $name(show failed)"
                if [ "$name" != computer ]; then
                        p=$(sed -n 's|^  <parent>\(.*\)</parent>$|\1|p' "$out/xml/$name.xml")
                        [ "$p" = "$parent" ] || bad_lookup="$bad_lookup $name(lookup parent '$p', scan '$parent')"
                fi
                if [ -n "$validate" ] && ! "$validate" "$out/xml/$name.xml" nodedev >/dev/null 2>&1; then
                        bad_valid="$bad_valid $name"
                fi
        done < <(hd list -rn -o NAME,PARENT)
        if [ -n "$bad_lookup" ]; then notok "$t: lookup agrees with scan" "$bad_lookup"; else ok "$t: lookup agrees with scan"; fi
        if [ -n "$bad_valid" ]; then notok "$t: every XML validates" "$bad_valid"; else ok "$t: every XML validates"; fi
        cat "$out"/xml/*.xml >"$out/all.xml"
        check_output "$t: show --xml of every device" "$g/show-xml.txt" "$out/all.xml"
        rm -rf "$out/xml"
done
finish
