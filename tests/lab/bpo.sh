# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by build.sh: bookworm-backports packages (QEMU 10, Linux 6.12) fetched with a private apt
# configuration and unpacked into the lab cache, never installed (shared LAB.md, "QEMU 10 and Linux 6.12").
#
# Needs from build.sh: CACHE, say, die, APT_LOG. The host's sources, lists and packages stay as they are:
# the backports lists live in $CACHE/bpo, apt is told a status file of its own (nothing installed), and
# every download is unpacked with dpkg -x.

BPO=$CACHE/bpo
BPO_SUITE=bookworm-backports
# How old the private lists may get before a build reads them again (a day; 0: every build).
BPO_MAX_AGE=${HOSTDEV_LAB_BPO_MAX_AGE:-86400}

# The mirror the host's own bookworm packages come from (deb822 .sources first, then sources.list),
# and its keyring; Debian's main mirror when the host names none.
bpo_mirror() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk -v RS= '/(^|\n)Suites:[^\n]*bookworm( |\n|$)/ { if (match($0, /(^|\n)URIs: *[^ \n]+/)) {
			s = substr($0, RSTART, RLENGTH); sub(/.*URIs: */, "", s); print s; exit } }' "$f")
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		uri=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([a-z]*:[^ ]*\) bookworm .*/\2/p' "$f" | head -n1)
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	echo http://deb.debian.org/debian
}

bpo_setup() {
	[ -z "${BPO_O+x}" ] || return 0
	local key=/usr/share/keyrings/debian-archive-keyring.gpg opt=
	mkdir -p "$BPO/lists/partial" "$BPO/cache/archives/partial"
	# one builder at a time in the shared lists and QEMU folders, for the rest of this build
	exec 8> "$BPO/.lock"
	flock 8
	[ -r "$key" ] && opt="[signed-by=$key] "
	echo "deb $opt$(bpo_mirror) $BPO_SUITE main" > "$BPO/sources.list.new"
	cmp -s "$BPO/sources.list.new" "$BPO/sources.list" 2>/dev/null || mv "$BPO/sources.list.new" "$BPO/sources.list"
	rm -f "$BPO/sources.list.new"
	: >> "$BPO/status"   # apt's idea of what is installed: nothing
	BPO_O=(-o "Dir::State::Lists=$BPO/lists" -o "Dir::State::status=$BPO/status"
		-o "Dir::Etc::SourceList=$BPO/sources.list" -o Dir::Etc::SourceParts=/nonexistent
		-o "Dir::Cache=$BPO/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
}

# Reads the backports lists when they are missing, older than BPO_MAX_AGE or the sources changed; with
# old lists and no network it goes on with what it has.
bpo_update() {
	bpo_setup
	local stamp=$BPO/lists/.updated now age
	now=$(date +%s)
	if [ -e "$stamp" ] && [ "$stamp" -nt "$BPO/sources.list" ]; then
		age=$((now - $(stat -c %Y "$stamp")))
		[ "$age" -ge "$BPO_MAX_AGE" ] || return 0
	fi
	say "apt-get update ($BPO_SUITE, private lists in $BPO)"
	if apt-get "${BPO_O[@]}" update -qq > "$APT_LOG" 2>&1 && ls "$BPO"/lists/*Packages* > /dev/null 2>&1; then
		touch "$stamp"
	elif ls "$BPO"/lists/*Packages* > /dev/null 2>&1; then
		say "warning: cannot read $BPO_SUITE now; using the lists of $(date -r "$BPO/lists" '+%F %R')"
	else
		cat "$APT_LOG" >&2
		die "cannot read $BPO_SUITE's package lists (see above); no network?"
	fi
}

# bpo_version PKG: the version the backports lists have ("" when none).
bpo_version() {
	apt-cache "${BPO_O[@]}" madison "$1" 2>/dev/null | awk -F'|' 'NR == 1 { gsub(/ /, "", $2); print $2 }'
}

# bpo_fetch DEST PKG=VERSION...: downloads the packages and unpacks each into DEST (dpkg -x).
bpo_fetch() {
	local dest=$1 dl deb
	shift
	dl=$(mktemp -d "$CACHE/.dl.XXXXXX")
	say "downloading $* ($BPO_SUITE)"
	if ! (cd "$dl" && apt-get "${BPO_O[@]}" download -q "$@" > "$APT_LOG" 2>&1); then
		cat "$APT_LOG" >&2
		rm -rf "$dl"
		die "cannot download $* from $BPO_SUITE"
	fi
	mkdir -p "$dest"
	for deb in "$dl"/*.deb; do
		dpkg -x "$deb" "$dest"
	done
	rm -rf "$dl"
}

# bpo_kernel_pick SERIES: the newest KVER (6.12.95+deb12-amd64) whose image, headers, common headers,
# kbuild and linux-source-SERIES all have one version in the lists, so mtty builds for it.
bpo_kernel_pick() {
	local series=$1 k v base
	bpo_update
	for k in $(apt-cache "${BPO_O[@]}" pkgnames "linux-headers-$series." 2>/dev/null |
		sed -n "s/^linux-headers-\\($series\\.[0-9][^-]*-amd64\\)\$/\\1/p"); do
		base=${k%-amd64}
		v=$(bpo_version "linux-image-$k")
		[ -n "$v" ] && [ "$(bpo_version "linux-headers-$k")" = "$v" ] &&
			[ "$(bpo_version "linux-headers-$base-common")" = "$v" ] &&
			[ "$(bpo_version "linux-kbuild-$base")" = "$v" ] &&
			[ "$(bpo_version "linux-source-$series")" = "$v" ] && echo "$v $k"
	done | sort -V | tail -n1 | cut -d' ' -f2
}

# bpo_kernel D KVER: the image unpacked into D/kernel (depmod run), D/kernel.version.
bpo_kernel() {
	local d=$1 kver=$2 v
	bpo_update
	v=$(bpo_version "linux-image-$kver")
	[ -n "$v" ] || die "$BPO_SUITE has no linux-image-$kver"
	rm -rf "$d/kernel"
	bpo_fetch "$d/kernel" "linux-image-$kver=$v"
	depmod -b "$d/kernel" "$kver"
	echo "$v" > "$d/kernel.version"
}

# bpo_mtty_source D KVER VERSION: mtty.c from linux-source-SERIES into D/mtty/mtty.c. The .tar.xz inside
# the package is read as a stream (its whole 150 MB: about 40 s), never written out.
bpo_mtty_source() {
	local d=$1 kver=$2 v=$3 series dl
	series=$(echo "$kver" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p')
	dl=$(mktemp -d "$CACHE/.dl.XXXXXX")
	say "downloading linux-source-$series ($v, 150 MB) for mtty.c"
	(cd "$dl" && apt-get "${BPO_O[@]}" download -q "linux-source-$series=$v" > "$APT_LOG" 2>&1) ||
		{ cat "$APT_LOG" >&2; rm -rf "$dl"; die "cannot download linux-source-$series $v"; }
	mkdir -p "$dl/src"
	dpkg-deb --fsys-tarfile "$dl"/linux-source-*.deb |
		tar -xOf - "./usr/src/linux-source-$series.tar.xz" |
		tar -xJf - -C "$dl/src" --wildcards '*/samples/vfio-mdev/mtty.c' ||
		{ rm -rf "$dl"; die "no samples/vfio-mdev/mtty.c in linux-source-$series $v"; }
	mkdir -p "$d/mtty"
	cp "$dl"/src/*/samples/vfio-mdev/mtty.c "$d/mtty/mtty.c"
	rm -rf "$dl"
}

# bpo_headers D KVER VERSION: the headers (amd64, common) and kbuild unpacked into D/headers, with the arch
# Makefile's include of the common headers pointed at the unpacked copy. Prints the build directory.
bpo_headers() {
	local d=$1 kver=$2 v=$3 base=${2%-amd64} h mk
	if [ ! -e "$d/headers.done" ]; then
		rm -rf "$d/headers"
		bpo_fetch "$d/headers" "linux-headers-$kver=$v" "linux-headers-$base-common=$v" "linux-kbuild-$base=$v"
		# The Makefile names /usr/src/linux-headers-BASE-common; everything else is relative.
		for mk in "$d/headers/usr/src/linux-headers-$kver"/Makefile "$d/headers/usr/src/linux-headers-$kver"/arch/*/Makefile; do
			[ -f "$mk" ] && sed -i "s|/usr/src/linux-headers-$base-common|$d/headers/usr/src/linux-headers-$base-common|g" "$mk"
		done
		touch "$d/headers.done"
	fi
	h=$d/headers/usr/src/linux-headers-$kver
	[ -d "$h" ] || die "$h missing; remove $d/headers.done to refetch"
	echo "$h"
}

# bpo_qemu: backports' qemu-system-x86 with its data and seabios, unpacked into $CACHE/qemu/VERSION/root
# (13 MB of packages). Prints that root.
bpo_qemu() {
	local v q p pv pkgs=() missing
	bpo_update
	v=$(bpo_version qemu-system-x86)
	if [ -z "$v" ]; then
		q=$(ls -d "$CACHE"/qemu/*/done 2>/dev/null | sort -V | tail -n1 || true)
		[ -n "$q" ] || die "$BPO_SUITE has no qemu-system-x86"
		echo "$(dirname "$q")/root"
		return 0
	fi
	q=$CACHE/qemu/$(echo "$v" | tr ':' '_')   # no colon in paths QEMU options take
	if [ ! -e "$q/done" ]; then
		for p in qemu-system-x86 qemu-system-common qemu-system-data seabios; do
			pv=$(bpo_version "$p")
			[ -n "$pv" ] || die "$BPO_SUITE has no $p"
			pkgs+=("$p=$pv")
		done
		rm -rf "$q"
		bpo_fetch "$q/root" "${pkgs[@]}"
		# Every library it needs is in Debian 12; say which one is missing rather than fail at boot.
		missing=$(ldd "$q/root/usr/bin/qemu-system-x86_64" 2>&1 | sed -n 's/^[[:space:]]*\([^ ]*\) => not found/\1/p' | tr '\n' ' ')
		[ -z "$missing" ] || die "QEMU $v needs libraries this host lacks: $missing(apt-get install the bookworm packages that have them)"
		touch "$q/done"
	fi
	echo "$q/root"
}
