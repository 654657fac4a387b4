#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the real-kernel lab (see shared LAB.md): Debian's kernel, mtty.ko, an initramfs with hostdev.
#
# usage: tests/lab/build.sh [--print-env] [--kernel 6.1|6.12|KVER] [--qemu system|10] [HOSTDEV_BINARY]
#   --kernel  6.1 (default): the kernel linux-image-amd64 depends on (Debian 12's); 6.12: the newest
#             linux-image-6.12.*-amd64 in bookworm-backports that has matching headers; or an exact
#             version (also HOSTDEV_LAB_KVER). Backports kernels are downloaded, never installed.
#   --qemu    system (default): the host's qemu-system-x86_64; 10: bookworm-backports' QEMU 10,
#             unpacked into the cache (it emulates the igb SR-IOV NIC).
#   HOSTDEV_BINARY defaults to build/hostdev.
#
# Everything expensive is cached outside git, keyed by kernel version:
#   ${HOSTDEV_LAB_CACHE:-$HOME/.cache/hostdev-lab}/<kver>/
#     kernel/          the kernel package unpacked with dpkg -x (not installed)
#     headers/         a backports kernel's headers and kbuild, unpacked (for mtty)
#     mtty/mtty.ko     samples/vfio-mdev/mtty.c built against linux-headers-<kver>
#     base.cpio.gz     busybox, modules, jq, id files: rebuilt when the module set changes
#     nested-qemu.cpio.gz  the host's qemu-system-x86_64 for the guest, and a QMP client (nested-qemu.sh)
#     app/<hash of the binary's path>/
#       app.cpio.gz        hostdev + its libraries + /init + scenarios: rebuilt when any changes
#       initramfs.cpio.gz  base + nested-qemu + app, concatenated archives (the kernel unpacks each)
#       nvme.img           the empty raw disk for the emulated NVMe controller (64 MiB,
#                          sparse; run.sh copies it per run, as QEMU locks it)
#   ${HOSTDEV_LAB_CACHE:-...}/bpo/            the private apt lists of bookworm-backports
#   ${HOSTDEV_LAB_CACHE:-...}/qemu/<version>/ backports' QEMU unpacked (root/)
# Quiet when everything is cached; progress goes to stderr.
# --print-env prints shell assignments (LAB_DIR, LAB_KVER, LAB_KERNEL, LAB_INITRD, LAB_NVME, LAB_QEMU,
# LAB_QEMU_ROOT, LAB_QEMU_VERSION) on stdout for run.sh.
set -euo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_SRC/../.." && pwd)

print_env=0
binary=
kernel=${HOSTDEV_LAB_KVER:-}
qemu_sel=system
while [ $# -gt 0 ]; do
	case $1 in
	--print-env) print_env=1 ;;
	--kernel) kernel=$2; shift ;;
	--qemu) qemu_sel=$2; shift ;;
	-h|--help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "build.sh: unknown option $1" >&2; exit 2 ;;
	*) binary=$1 ;;
	esac
	shift
done
binary=${binary:-$REPO/build/hostdev}
case $qemu_sel in
system|10) ;;
*) echo "build.sh: --qemu takes 'system' or '10', not '$qemu_sel'" >&2; exit 2 ;;
esac

# The modules the scenarios load; their dependencies come along.
MODULES="configfs vfio-pci vfio_iommu_type1 mdev e1000e nvme xhci-pci scsi_debug sg sd_mod
	dummy_hcd libcomposite usb_f_acm igb igbvf"

say() { echo "lab: $*" >&2; }
die() { echo "lab: error: $*" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
APT_LOG=$(mktemp /tmp/hostdev-lab-apt.XXXXXX)
trap 'rm -f "$APT_LOG"' EXIT
# quietly: apt's words only when it fails
apt_run() { "$@" > "$APT_LOG" 2>&1 || { cat "$APT_LOG" >&2; return 1; }; }
apt_updated=0
apt_update_once() {
	if [ $apt_updated = 0 ]; then
		say "apt-get update"
		apt_run $SUDO apt-get update -qq || die "apt-get update failed"
		apt_updated=1
	fi
}
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
. "$LAB_SRC/copy.sh"
CACHE=${HOSTDEV_LAB_CACHE:-${HOME:-/tmp}/.cache/hostdev-lab}
mkdir -p "$CACHE"
. "$LAB_SRC/bpo.sh"
# A copy into the initramfs root must never reach the host's own busybox (copy.sh): checked at the end.
busybox_sum=$(sha256sum /bin/busybox 2>/dev/null | cut -d' ' -f1 || true)

# apt_need PKG[=VERSION]... installs whatever is not installed (at that version).
apt_need() {
	local want=() p name ver have
	for p in "$@"; do
		name=${p%%=*}; ver=
		[ "$name" = "$p" ] || ver=${p#*=}
		have=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$name" 2>/dev/null || true)
		case $have in
		"installed $ver") ;;
		"installed "*) [ -z "$ver" ] || want+=("$p") ;;
		*) want+=("$p") ;;
		esac
	done
	[ ${#want[@]} -gt 0 ] || return 0
	say "installing ${want[*]}"
	if ! apt_run $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" 2>/dev/null; then
		apt_update_once
		apt_run $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" || die "cannot install ${want[*]}"
	fi
}

# Host tools first: they are needed to even find the kernel version.
need_tools=()
command -v qemu-system-x86_64 >/dev/null || need_tools+=(qemu-system-x86)
[ -x /bin/busybox ] && dpkg -s busybox-static >/dev/null 2>&1 || need_tools+=(busybox-static)
command -v cpio >/dev/null || need_tools+=(cpio)
command -v depmod >/dev/null && command -v modprobe >/dev/null || need_tools+=(kmod)
command -v jq >/dev/null || need_tools+=(jq)
command -v mdevctl >/dev/null || need_tools+=(mdevctl)
command -v virt-xml-validate >/dev/null || need_tools+=(libvirt-clients)
command -v xmllint >/dev/null || need_tools+=(libxml2-utils)
command -v make >/dev/null && command -v gcc >/dev/null || need_tools+=(make gcc)
[ ${#need_tools[@]} -eq 0 ] || apt_need "${need_tools[@]}"

# The kernel: whatever linux-image-amd64 depends on, or a series from backports, or an exact version.
main_kernel() {
	apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: linux-image-\([0-9].*\)$/\1/p' | head -n1
}
KVER=$(main_kernel)
if [ -z "$KVER" ]; then
	apt_update_once
	KVER=$(main_kernel)
fi
[ -n "$KVER" ] || die "cannot tell which kernel linux-image-amd64 depends on"
KBPO=0   # 1: the kernel comes from backports (unpacked headers, no apt-get install)
case $kernel in
"") ;;
"${KVER%%.*}.$(echo "$KVER" | cut -d. -f2)") ;;   # the series of Debian's own kernel: that one
[0-9]*.[0-9]*.*) KVER=$kernel; apt-cache show "linux-image-$KVER" > /dev/null 2>&1 || KBPO=1 ;;
[0-9]*.[0-9]*)
	KBPO=1
	KVER=$(bpo_kernel_pick "$kernel")
	if [ -z "$KVER" ]; then
		# no network and old lists, say: the newest one built before
		KVER=$(cd "$CACHE" && ls -d "$kernel".*/kernel.done 2>/dev/null | sort -V | tail -n1 | cut -d/ -f1 || true)
		[ -n "$KVER" ] || die "$BPO_SUITE has no linux-image-$kernel.*-amd64 with matching headers, kbuild and source"
	fi
	;;
*) die "--kernel takes a series (6.1, 6.12) or a version (6.12.95+deb12-amd64), not '$kernel'" ;;
esac
KPKG=linux-image-$KVER

D=$CACHE/$KVER
mkdir -p "$D"
# One builder at a time per kernel (CI and a developer may share the cache).
exec 9> "$D/.lock"
flock 9

# --- kernel, unpacked, never installed ------------------------------------
if [ ! -e "$D/kernel.done" ] && [ $KBPO = 1 ]; then
	bpo_kernel "$D" "$KVER"
	touch "$D/kernel.done"
elif [ ! -e "$D/kernel.done" ]; then
	say "fetching $KPKG"
	rm -rf "$D/kernel" "$D/dl"
	mkdir -p "$D/dl"
	chmod 777 "$D/dl" 2>/dev/null || true   # lets apt's _apt user write there
	( cd "$D/dl" && apt-get download -q "$KPKG" > "$APT_LOG" 2>&1 ) || {
		apt_update_once
		( cd "$D/dl" && apt_run apt-get download -q "$KPKG" ) || die "cannot download $KPKG"
	}
	dpkg -x "$D"/dl/"$KPKG"_*.deb "$D/kernel"
	depmod -b "$D/kernel" "$KVER"
	dpkg-deb -f "$D"/dl/"$KPKG"_*.deb Version > "$D/kernel.version"
	rm -rf "$D/dl"
	touch "$D/kernel.done"
fi
KDEB_VERSION=$(cat "$D/kernel.version")
VMLINUZ=$D/kernel/boot/vmlinuz-$KVER
[ -r "$VMLINUZ" ] || die "$VMLINUZ missing; remove $D/kernel.done to refetch"

# --- mtty.ko ---------------------------------------------------------------
# Debian does not build the sample; it builds out of tree in seconds against
# the headers of exactly this kernel.
if [ ! -e "$D/mtty/mtty.ko" ] && [ $KBPO = 1 ]; then
	# Backports: headers and kbuild unpacked here; BTF for modules would need a newer pahole, and
	# mtty needs none (the guest loads it without).
	bpo_update
	hdir=$(bpo_headers "$D" "$KVER" "$KDEB_VERSION")
	[ -e "$D/mtty/mtty.c" ] || bpo_mtty_source "$D" "$KVER" "$KDEB_VERSION"
	say "building mtty.ko for $KVER"
	rm -rf "$D/mtty/build" && mkdir -p "$D/mtty/build"
	cp "$D/mtty/mtty.c" "$D/mtty/build/mtty.c"
	echo 'obj-m := mtty.o' > "$D/mtty/build/Kbuild"
	make -s -C "$hdir" M="$D/mtty/build" CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$D/mtty/make.log" 2>&1 ||
		{ cat "$D/mtty/make.log" >&2; die "mtty.ko did not build"; }
	cp "$D/mtty/build/mtty.ko" "$D/mtty/mtty.ko.tmp" && mv "$D/mtty/mtty.ko.tmp" "$D/mtty/mtty.ko"
elif [ ! -e "$D/mtty/mtty.ko" ]; then
	series=$(echo "$KVER" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p')
	apt_need "linux-headers-$KVER=$KDEB_VERSION" "linux-source-$series=$KDEB_VERSION"
	tarball=$(ls /usr/src/linux-source-"$series".tar.* 2>/dev/null | head -n1)
	[ -n "$tarball" ] || die "no /usr/src/linux-source-$series.tar.*"
	say "building mtty.ko for $KVER"
	rm -rf "$D/mtty" && mkdir -p "$D/mtty/src"
	tar -xf "$tarball" -C "$D/mtty/src" --wildcards '*/samples/vfio-mdev/mtty.c'
	cp "$D"/mtty/src/*/samples/vfio-mdev/mtty.c "$D/mtty/build.mtty.c"
	mkdir -p "$D/mtty/build"
	mv "$D/mtty/build.mtty.c" "$D/mtty/build/mtty.c"
	echo 'obj-m := mtty.o' > "$D/mtty/build/Kbuild"
	make -s -C "/usr/src/linux-headers-$KVER" M="$D/mtty/build" modules >"$D/mtty/make.log" 2>&1 ||
		{ cat "$D/mtty/make.log" >&2; die "mtty.ko did not build"; }
	cp "$D/mtty/build/mtty.ko" "$D/mtty/mtty.ko.tmp" && mv "$D/mtty/mtty.ko.tmp" "$D/mtty/mtty.ko"
	rm -rf "$D/mtty/src"
fi

# --- the base archive: busybox, modules, jq, id files ---------------------
# Every copy into the root goes through lab_copy (copy.sh): the root is full of links to /bin/busybox.
IP=$(command -v ip 2>/dev/null || true)
[ -x /usr/bin/ip ] && IP=/usr/bin/ip
base_stamp=$(
	echo "v5 $MODULES"
	sha256sum "$D/mtty/mtty.ko" /bin/busybox "$(command -v jq)" "$(command -v mdevctl)" "$IP" | cut -d' ' -f1
)
if [ ! -e "$D/base.cpio.gz" ] || [ "$(cat "$D/base.stamp" 2>/dev/null)" != "$base_stamp" ]; then
	say "packing base initramfs (busybox, modules, jq, mdevctl, ip)"
	R=$D/base-root
	rm -rf "$R"
	mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,root,var/lib,mnt,lib64,lib/x86_64-linux-gnu}
	lab_copy /bin/busybox "$R" /bin/busybox
	for a in $("$R/bin/busybox" --list-full); do
		[ -e "$R/$a" ] || ln -s /bin/busybox "$R/$a"
	done
	# modules with their dependencies, as the target kernel's depmod sees them
	mods=$(for m in $MODULES; do
		modprobe -d "$D/kernel" -S "$KVER" --show-depends "$m" ||
			die "module $m not in $KPKG"
	done | awk '$1 == "insmod" { print $2 }' | sort -u)
	for f in $mods; do
		lab_copy "$f" "$R" "${f#"$D/kernel"}"
	done
	lab_copy "$D/mtty/mtty.ko" "$R" "/lib/modules/$KVER/extra/mtty.ko"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ ! -e "$D/kernel/lib/modules/$KVER/$f" ] || lab_copy "$D/kernel/lib/modules/$KVER/$f" "$R" "/lib/modules/$KVER/$f"
	done
	depmod -b "$R" "$KVER"
	# jq checks hostdev's JSON inside the guest
	lab_copy "$(command -v jq)" "$R" /usr/bin/jq
	lab_copy_libs "$R" "$(command -v jq)" || die "cannot copy jq's libraries"
	# mdevctl, to start what hostdev defined and the reverse (libc only)
	lab_copy "$(command -v mdevctl)" "$R" /usr/bin/mdevctl
	lab_copy_libs "$R" "$(command -v mdevctl)" || die "cannot copy mdevctl's libraries"
	# iproute2's ip, for the VF lines (busybox's ip has no "vf"); the scenarios call it as /usr/bin/ip,
	# as busybox sh runs its own applet for a bare "ip"
	[ -n "$IP" ] || die "no iproute2 ip on this host (apt-get install iproute2)"
	lab_copy "$IP" "$R" /usr/bin/ip
	lab_copy_libs "$R" "$IP" || die "cannot copy ip's libraries"
	# vendor/product names, where the host has them
	for f in /usr/share/misc/pci.ids /usr/share/misc/usb.ids /usr/share/hwdata/pci.ids \
		/usr/share/hwdata/usb.ids /usr/lib/udev/hwdb.bin /etc/udev/hwdb.bin; do
		[ -r "$f" ] || continue
		lab_copy "$f" "$R" "$f"
	done
	echo "root:x:0:0:root:/root:/bin/sh" > "$R/etc/passwd"
	echo "root:x:0:" > "$R/etc/group"
	(cd "$R" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) |
		gzip -6 > "$D/base.cpio.gz.tmp"
	mv "$D/base.cpio.gz.tmp" "$D/base.cpio.gz"
	echo "$base_stamp" > "$D/base.stamp"
	rm -rf "$R"
fi

# --- the nested QEMU: the hypervisor the scenarios start inside the guest ----
"$LAB_SRC/nested-qemu.sh" "$D" || die "the nested QEMU archive did not build"

# --- the app archive: hostdev, /init, scenarios ----------------------------
[ -e "$binary" ] || die "no hostdev binary at $binary (meson setup build && ninja -C build, or pass one)"
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
bindir=$(dirname "$binary")
lib_path="$bindir:$bindir/src:$bindir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# hostdev built with HOSTDEV_TEST_KILL_AT_WRITE, for the crash sweep (the shipped one has no such seam).
crashtest=$bindir/tests/hostdev-crashtest
[ -x "$crashtest" ] || die "no $crashtest beside $binary (ninja -C $bindir)"
# libvirt's QEMU hook as meson configured it, driven by hand in the guest (95-hypervisor).
hook=$bindir/hooks/libvirt-qemu-hook
[ -e "$hook" ] || die "no $hook beside $binary (ninja -C $bindir)"

# Everything that goes into the app archive, for the stamp.
app_inputs() {
	local b
	for b in "$binary" "$crashtest"; do
		echo "$b"
		LD_LIBRARY_PATH=$lib_path ldd "$b" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) (.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'
	done
	echo "$hook"
	find "$LAB_SRC/guest" "$LAB_SRC/scenarios" -type f | LC_ALL=C sort
}
# copy_app_libs ELF ROOT: the libraries ldd names, system ones where they are, the build's in /usr/lib/hostdev.
copy_app_libs() {
	local line lib dest
	LD_LIBRARY_PATH=$lib_path ldd "$1" >/dev/null 2>&1 || return 0
	while read -r line; do
		case $line in
		*"not found"*) die "$1: $line" ;;
		*"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
		/*) lib=${line%% (*} ;;
		*) continue ;;
		esac
		case $lib in
		/lib/*|/lib64/*|/usr/lib/*|/usr/lib64/*) dest=$lib ;;
		*) dest=/usr/lib/hostdev/$(basename "$lib") ;;   # libhostdev from the build tree
		esac
		lab_copy "$lib" "$2" "$dest"
	done < <(LD_LIBRARY_PATH=$lib_path ldd "$1")
}
# Each binary (build/, build-ci/, ...) has its own app archive and initramfs.
A=$D/app/$(echo "$binary" | sha256sum | cut -c1-12)
mkdir -p "$A"
echo "$binary" > "$A/binary"
app_stamp=$( { echo v2; cat "$D/base.stamp" "$D/nested-qemu.stamp"; app_inputs | while read -r f; do sha256sum "$f"; done; } | sha256sum | cut -d' ' -f1)
if [ ! -e "$A/initramfs.cpio.gz" ] || [ "$(cat "$A/app.stamp" 2>/dev/null)" != "$app_stamp" ]; then
	say "packing hostdev ($binary) and scenarios"
	R=$A/root
	rm -rf "$R"
	mkdir -p "$R/usr/bin" "$R/usr/lib/hostdev" "$R/lab/scenarios"
	lab_copy "$binary" "$R" /usr/bin/hostdev
	lab_copy "$crashtest" "$R" /usr/bin/hostdev-crashtest
	lab_copy "$hook" "$R" /usr/libexec/hostdev/libvirt-qemu-hook
	copy_app_libs "$binary" "$R"
	copy_app_libs "$crashtest" "$R"
	lab_copy "$LAB_SRC/guest/init" "$R" /init
	chmod 755 "$R/init"
	for f in "$LAB_SRC"/guest/*.sh "$LAB_SRC"/guest/*.jq; do lab_copy "$f" "$R" "/lab/${f##*/}"; done
	for f in "$LAB_SRC"/scenarios/*.sh; do lab_copy "$f" "$R" "/lab/scenarios/${f##*/}"; done
	(cd "$R" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) |
		gzip -6 > "$A/app.cpio.gz"
	cat "$D/base.cpio.gz" "$D/nested-qemu.cpio.gz" "$A/app.cpio.gz" > "$A/initramfs.cpio.gz.tmp"
	mv "$A/initramfs.cpio.gz.tmp" "$A/initramfs.cpio.gz"
	echo "$app_stamp" > "$A/app.stamp"
	rm -rf "$R"
	say "initramfs: $(du -k "$A/initramfs.cpio.gz" | cut -f1) KiB"
fi

# --- the NVMe disk ---------------------------------------------------------
# an empty template: run.sh gives each run its own copy, as QEMU locks the file
[ -e "$A/nvme.img" ] || truncate -s 64M "$A/nvme.img"

# --- QEMU -------------------------------------------------------------------
if [ "$qemu_sel" = 10 ]; then
	QROOT=$(bpo_qemu)
	QEMU=$QROOT/usr/bin/qemu-system-x86_64
else
	QROOT=
	QEMU=$(command -v qemu-system-x86_64)
fi
QVERSION=$("$QEMU" --version 2>/dev/null | sed -n '1s/^QEMU emulator version \([^ ]*\).*/\1/p')
[ -n "$QVERSION" ] || die "$QEMU does not run (QEMU_MODULE_DIR?)"

# The builder's own check that no copy went through a link into the host (copy.sh).
if [ -n "$busybox_sum" ] && [ "$(sha256sum /bin/busybox | cut -d' ' -f1)" != "$busybox_sum" ]; then
	die "the host's /bin/busybox changed during this build: a copy went through a link (see tests/lab/copy.sh); reinstall busybox-static"
fi

if [ $print_env = 1 ]; then
	printf 'LAB_DIR=%q\nLAB_KVER=%q\nLAB_KERNEL=%q\nLAB_INITRD=%q\nLAB_NVME=%q\n' \
		"$D" "$KVER" "$VMLINUZ" "$A/initramfs.cpio.gz" "$A/nvme.img"
	printf 'LAB_QEMU=%q\nLAB_QEMU_ROOT=%q\nLAB_QEMU_VERSION=%q\n' "$QEMU" "$QROOT" "$QVERSION"
fi
