#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The lab's hypervisor inside the guest (shared LAB.md, "A hypervisor inside the guest"): Debian 12's
# qemu-system-x86_64 with its libraries, the TCG and usb-host modules and SeaBIOS, plus a static QMP
# client (qmp-client.c), as an archive of their own for the initramfs.
#
# usage: tests/lab/nested-qemu.sh DIR
#   makes DIR/nested-qemu.cpio.gz and DIR/nested-qemu.stamp when missing or stale; quiet when cached.
set -euo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
D=$1
QEMU=/usr/bin/qemu-system-x86_64
MODDIR=/usr/lib/x86_64-linux-gnu/qemu
# QEMU finds its modules beside itself at /usr/bin (not /usr/local/bin), and these files where Debian has them.
FILES="$QEMU $MODDIR/accel-tcg-x86_64.so $MODDIR/hw-usb-host.so /usr/share/seabios/bios-256k.bin
	/usr/share/qemu/kvmvapic.bin /usr/share/qemu/linuxboot_dma.bin"

for f in $FILES; do
	[ -r "$f" ] || { echo "lab: error: $f missing (apt-get install qemu-system-x86 seabios)" >&2; exit 1; }
done
stamp=$( { echo v1; sha256sum $FILES "$LAB_SRC/qmp-client.c" "${BASH_SOURCE[0]}" | cut -d' ' -f1; } | sha256sum | cut -d' ' -f1)
[ -e "$D/nested-qemu.cpio.gz" ] && [ "$(cat "$D/nested-qemu.stamp" 2>/dev/null)" = "$stamp" ] && exit 0

echo "lab: packing the nested QEMU ($($QEMU --version | head -n 1)) and the QMP client" >&2
R=$D/nested-root
rm -rf "$R"
mkdir -p "$R/usr/bin"
# A fresh folder with no busybox links in it; copied with copy.sh all the same (rm -f first), as cp -L
# through a link to /bin/busybox would write into the host's busybox (LAB.md, Traps).
. "$LAB_SRC/copy.sh"
for f in $FILES; do
	lab_copy "$f" "$R" "$f"
	lab_copy_libs "$R" "$f" || exit 1   # firmware is no ELF: ldd names nothing
done
gcc -static -O2 -Wall -Wextra -Werror -o "$R/usr/bin/qmp" "$LAB_SRC/qmp-client.c"
(cd "$R" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) |
	gzip -6 > "$D/nested-qemu.cpio.gz.tmp"
mv "$D/nested-qemu.cpio.gz.tmp" "$D/nested-qemu.cpio.gz"
echo "$stamp" > "$D/nested-qemu.stamp"
rm -rf "$R"
echo "lab: nested QEMU archive $(du -k "$D/nested-qemu.cpio.gz" | cut -f1) KiB" >&2
