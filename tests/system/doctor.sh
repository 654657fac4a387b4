#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# hostdev check on the doctor tree as a person and a program see it: the report and its JSON for every PCI
# function against golden files (tests/data/golden/doctor/), the exit status (0 now, 1 after hostdev's
# remedies, 2 a person), the JSON's shape as hostdev(1) documents it, and the same report from a recording
# of the tree. HOSTDEV_REGENERATE=1 rewrites the golden files instead of comparing.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tree="$DATA/trees/doctor"
g="$DATA/golden/doctor"
hd() { "$HOSTDEV" --sysroot "$tree" "$@"; }

golden() { # NAME EXPECTED ACTUAL
        if [ -n "${HOSTDEV_REGENERATE:-}" ]; then
                mkdir -p "$(dirname "$2")"
                cp "$3" "$2"
                ok "$1 (regenerated)"
        elif diff -u "$2" "$3" >"$tmp/diff" 2>&1; then
                ok "$1"
        else
                notok "$1" "differs from $2:"$'\n'"$(head -30 "$tmp/diff")"
        fi
}

declare -A want=([0000:01:00.0]=2 [0000:03:00.0]=1 [0000:03:00.1]=1 [0000:04:00.0]=1 [0000:07:00.0]=0
        [0000:00:04.0]=2 [0000:00:05.0]=0 [0000:00:01.0]=2 [0000:01:00.1]=1)
for a in $(hd list -rn -o ADDRESS --cap pci); do
        hd check "$a" >"$tmp/$a.txt" 2>&1
        rc=$?
        golden "check $a" "$g/$a.txt" "$tmp/$a.txt"
        hd check -J "$a" >"$tmp/$a.json" 2>&1
        rcj=$?
        golden "check -J $a" "$g/$a.json" "$tmp/$a.json"
        if [ -n "${want[$a]:-}" ] && [ "$rc" != "${want[$a]}" ]; then
                notok "check $a: exit status" "$rc, wanted ${want[$a]}"
        elif [ "$rc" != "$rcj" ]; then
                notok "check $a: exit status" "$rc as text, $rcj as JSON"
        elif ! jq -e --argjson rc "$rc" '.verdict == (["now", "hostdev", "person"][$rc]) and (.ok == ($rc == 0))' \
                "$tmp/$a.json" >/dev/null; then
                notok "check $a: exit status" "$rc does not say the JSON's verdict"
        else
                ok "check $a: exit status $rc is its verdict"
        fi
done

# The shape hostdev(1) documents: every item has these keys, of these types; worst first.
if jq -es 'all(.[]; (.device | type) == "string" and (.items | length) > 0 and
        all(.items[]; (.status | IN("ok", "info", "warn", "fail")) and (.topic | type) == "string" and
                (.text | type) == "string" and (.remedy | type | IN("string", "null")) and
                (.source | type | IN("string", "null")) and (.hostdev_fixes | type) == "boolean" and
                ((.hostdev_fixes | not) or .status == "fail")) and
        ([.items[] | if .status == "fail" then (if .hostdev_fixes then 1 else 0 end)
                     elif .status == "warn" then 2 else 3 end] | . == sort))' "$tmp"/*.json >/dev/null; then
        ok "check -J: the documented shape, worst first"
else
        notok "check -J: the documented shape, worst first" "$(head -c 400 "$tmp/0000:01:00.0.json")"
fi

# A recording of the tree tells check the same, for every function.
if "$HOSTDEV" --sysroot "$tree" record "$tmp/rec" >/dev/null 2>&1; then
        bad=""
        for a in $(hd list -rn -o ADDRESS --cap pci); do
                "$HOSTDEV" --sysroot "$tmp/rec" check "$a" >"$tmp/rec-$a.txt" 2>&1
                cmp -s "$tmp/$a.txt" "$tmp/rec-$a.txt" || bad="$bad $a"
        done
        if [ -z "$bad" ]; then ok "record: check says the same on the recording"; else
                notok "record: check says the same on the recording" "differs for$bad"; fi
else
        notok "record: check says the same on the recording" "record failed"
fi
expect_fail "check: no such device" 2 "no device '0000:09:00.0'" hd check 0000:09:00.0
expect_fail "check: two devices" 2 "one device at a time" hd check 0000:07:00.0 0000:00:05.0
# What changes the host works on a copy: the tree in git gets no state store.
cp -a "$tree" "$tmp/tree"
hdc() { "$HOSTDEV" --sysroot "$tmp/tree" "$@"; }
expect_fail "reset --method: an unknown method" 1 "'warm' is not a reset method the kernel knows" \
        hdc reset --method warm 0000:07:00.0
expect_fail "detach: a framebuffer in a BAR, in check's words" 1 \
        "0000:01:00.0: the firmware framebuffer efifb \(e0000000-e02fffff in /proc/iomem\) holds memory in its BAR 0" \
        hdc detach 0000:01:00.0
finish
