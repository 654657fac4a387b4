#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A defined, not running mediated device is a device too: listed with --inactive, found by `show`.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$DATA/trees/mdev/." "$tmp/"
u=11111111-2222-3333-4444-555555555555
name=mdev_11111111_2222_3333_4444_555555555555_mtty
hd() { "$HOSTDEV" --sysroot "$tmp" "$@"; }

hd mdev define --parent mtty --type mtty-1 --uuid $u >/dev/null 2>&1 || notok "define" "hostdev mdev define failed"
if hd list -rn -o NAME | grep -qx "$name"; then notok "not listed without --inactive" "$name listed"; else ok "not listed without --inactive"; fi
if hd list --inactive -rn -o NAME,PARENT | grep -qx "$name computer"; then ok "listed with --inactive"; else notok "listed with --inactive" "$(hd list --inactive -rn -o NAME,PARENT)"; fi
out=$(hd show $u --json 2>&1)
if jq -e '.capabilities[0].active == false and .capabilities[0].mdev_type == "mtty-1"' <<<"$out" >/dev/null; then
        ok "show by UUID finds the definition"
else
        notok "show by UUID finds the definition" "$out"
fi
if hd show "$name" --xml >"$tmp/x.xml" 2>&1 && virt-xml-validate "$tmp/x.xml" nodedev >/dev/null 2>&1; then
        ok "show by name, XML validates"
else
        notok "show by name, XML validates" "$(cat "$tmp/x.xml")"
fi
expect_fail "an undefined UUID is no device" 1 "no device '22222222-" hd show 22222222-2222-3333-4444-555555555555
finish
