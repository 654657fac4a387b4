#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# On this machine, with libvirt's daemon running: the same device names, the same tree, and the
# same XML as `virsh nodedev-*`, but for the differences doc/libvirt-differences.md explains.
. "$(dirname "$0")/lib.sh"
VIRSH="virsh -q -c qemu:///system"

start_libvirtd() {
        $VIRSH version >/dev/null 2>&1 && return 0
        [ "$(id -u)" = 0 ] || return 1
        # Debian's libvirt-daemon wants its user and log folder, which libvirt-daemon-system makes.
        id libvirt-qemu >/dev/null 2>&1 || useradd -r -s /usr/sbin/nologin libvirt-qemu
        mkdir -p /var/log/libvirt
        libvirtd -d >/dev/null 2>&1
        for _ in $(seq 120); do   # up to a minute: a loaded machine starts it slowly
                $VIRSH version >/dev/null 2>&1 && return 0
                sleep 0.5
        done
        return 1
}

if ! command -v libvirtd >/dev/null || ! start_libvirtd; then
        notok "libvirtd running" "could not start libvirt's daemon (libvirt-daemon installed? root?)"
        finish
        exit
fi
ok "libvirtd running"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$VIRSH nodedev-list | sed '/^$/d' | sort >"$tmp/virsh-names"
"$HOSTDEV" list -rn -o NAME | sort >"$tmp/hostdev-names"
if diff -u "$tmp/virsh-names" "$tmp/hostdev-names" >"$tmp/d"; then
        ok "same device names as virsh nodedev-list"
else
        notok "same device names as virsh nodedev-list" "$(cat "$tmp/d")"
fi

# Deliberate differences, each named (see doc/libvirt-differences.md):
#  - net <feature>s come from an ethtool ioctl; hostdev reads sysfs only (and replays recordings).
#  - a link speed the kernel reports as unknown (-1) libvirt prints as 4294967295; hostdev leaves it out.
normalize() {
        sed -e "/^ *<feature name='[^']*'\/>$/d" \
            -e "s| speed='4294967295'||" \
            -e '/^$/d'
}

same=0
while read -r name; do
        $VIRSH nodedev-dumpxml "$name" 2>/dev/null | normalize >"$tmp/v.xml"
        "$HOSTDEV" show --xml "$name" 2>&1 | normalize >"$tmp/h.xml"
        if diff -u "$tmp/v.xml" "$tmp/h.xml" >"$tmp/d"; then
                same=$((same + 1))
        else
                notok "XML of $name agrees with virsh nodedev-dumpxml" "$(cat "$tmp/d")"
        fi
done <"$tmp/virsh-names"
ok "$same devices with the same XML as virsh nodedev-dumpxml"

# The tree: virsh's drawing and ours name the same parent for every device.
$VIRSH nodedev-list | sed '/^$/d' | while read -r n; do
        printf '%s %s\n' "$n" "$($VIRSH nodedev-dumpxml "$n" | sed -n 's|^  <parent>\(.*\)</parent>$|\1|p')"
done | sort >"$tmp/virsh-parents"
"$HOSTDEV" list -rn -o NAME,PARENT | awk '{print $1, $2}' | sort >"$tmp/hostdev-parents"
if diff -u "$tmp/virsh-parents" "$tmp/hostdev-parents" >"$tmp/d"; then
        ok "same tree as virsh nodedev-list --tree"
else
        notok "same tree as virsh nodedev-list --tree" "$(cat "$tmp/d")"
fi
finish
