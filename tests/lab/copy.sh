# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by build.sh: copying files into an initramfs root that holds absolute links to the host's programs.
#
# The root links every busybox applet name to /bin/busybox (an absolute link, right inside the guest).
# On the host, cp writes THROUGH an existing link at its destination: copying a real `ip`, `nc` or `tar`
# over an applet name would overwrite the host's own /bin/busybox. So every copy removes the destination
# first (shared LAB.md, "Traps").

# lab_copy SRC ROOT DEST: SRC's content (links followed) as ROOT/DEST, whatever DEST was before.
lab_copy() {
	local src=$1 root=$2 dest=$3
	case $dest in /*) ;; *) dest=/$dest ;; esac
	mkdir -p "$root$(dirname "$dest")"
	rm -f "$root$dest"
	cp -L "$src" "$root$dest"
}

# lab_copy_libs ROOT ELF: the libraries ldd names for ELF, at their own paths under ROOT. Fails naming a
# library ldd cannot find.
lab_copy_libs() {
	local root=$1 elf=$2 line lib
	while read -r line; do
		case $line in
		*"not found"*) echo "lab: error: $elf: $line" >&2; return 1 ;;
		*"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
		/*) lib=${line%% (*} ;;
		*) continue ;;
		esac
		lab_copy "$lib" "$root" "$lib" || return 1
	done < <(ldd "$elf" 2>/dev/null)
}
