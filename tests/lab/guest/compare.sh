# SPDX-License-Identifier: LGPL-2.1-or-later
# Checks that compare hostdev's inventory with the guest kernel's sysfs; run inside check.

# Every PCI device in sysfs is listed once, with the kernel's ids, driver and group,
# and hostdev lists no PCI device the kernel does not have.
pci_inventory() {
	hdlist /tmp/pci.json
	awk -F'\t' '$2 == "pci" { print $7, $1, $2, tolower($8), tolower($9), tolower($10), $5, $6 }' /tmp/pci.json.tsv |
		sort > /tmp/pci.got
	for d in /sys/bus/pci/devices/*; do
		a=${d##*/}
		echo "$a $(pci_name "$a") pci $(cat "$d/vendor") $(cat "$d/device") $(cat "$d/class") $(link_name "$d/driver") $(link_name "$d/iommu_group")"
	done | sort > /tmp/pci.want
	if ! cmp -s /tmp/pci.got /tmp/pci.want; then
		echo "fields: address name cap vendor product class driver iommu"
		diff /tmp/pci.want /tmp/pci.got | grep -v '^---\|^+++\|^@@' | sed 's/^-/sysfs:   /; s/^+/hostdev: /' | head -n 30
		first=$(diff /tmp/pci.want /tmp/pci.got | grep '^[-+][^-+]' | head -n 2 | tr '\n' ';')
		fail "hostdev's PCI devices differ from sysfs ($(wc -l < /tmp/pci.got) listed, $(wc -l < /tmp/pci.want) in sysfs): $first"
	fi
	echo "$(wc -l < /tmp/pci.want) PCI devices agree"
}

# hostdev iommu -J has exactly the kernel's groups, members, and their class and driver.
iommu_groups() {
	hdjson /tmp/iommu.json iommu -J
	want=$(for g in /sys/kernel/iommu_groups/*; do
		echo "${g##*/}: $(ls "$g/devices" | sort | tr '\n' ' ')"
	done | sort -n)
	got=$(jqf '.groups[] | "\(.number|s): \([.members[] | (.address // .uuid // .name // "?")] | sort | map(. + " ") | add // "")"' /tmp/iommu.json | sort -n)
	if [ "$got" != "$want" ]; then
		echo "$got" > /tmp/iommu.got
		echo "$want" > /tmp/iommu.want
		diff /tmp/iommu.want /tmp/iommu.got | grep -v '^---\|^+++\|^@@' | sed 's/^-/sysfs:   /; s/^+/hostdev: /'
		first=$(diff /tmp/iommu.want /tmp/iommu.got | grep '^[-+][^-+]' | head -n 2 | sed 's/^-/sysfs /; s/^+/hostdev /' | tr '\n' ';')
		fail "IOMMU groups differ ($(echo "$got" | wc -l) from hostdev, $(echo "$want" | wc -l) in sysfs): $first"
	fi
	want=$(for d in /sys/kernel/iommu_groups/*/devices/*; do
		[ -e "/sys/bus/pci/devices/${d##*/}" ] || continue
		echo "${d##*/} $(cat "$d/class") $(link_name "$d/driver")"
	done | sort)
	got=$(jqf '.groups[].members[] | select(.address != null and (.address | test(":"))) | "\(.address) \(.class|lc|s) \(.driver|s)"' /tmp/iommu.json | sort)
	if [ "$got" != "$want" ]; then
		echo "hostdev:"; echo "$got"; echo "sysfs:"; echo "$want"
		fail "IOMMU group members' class or driver differ"
	fi
	# viable: every PCI endpoint (not a bridge, class 0x0604xx) bound to vfio-pci or to nothing;
	# an mdev (no PCI class) is used by VFIO through its own mdev driver, so it is never in the way
	want=$(for g in /sys/kernel/iommu_groups/*; do
		v=true
		for d in "$g"/devices/*; do
			[ -e "$d/class" ] || continue
			case $(cat "$d/class" 2>/dev/null) in 0x0604*) continue ;; esac
			case $(link_name "$d/driver") in null|vfio-pci) ;; *) v=false ;; esac
		done
		echo "${g##*/} $v"
	done | sort -n)
	got=$(jqf '.groups[] | "\(.number|s) \(.viable|s)\(if .viable == false and .reason == null then " (no reason)" else "" end)"' /tmp/iommu.json | sort -n)
	if [ "$got" != "$want" ]; then
		echo "hostdev:"; echo "$got"; echo "sysfs:"; echo "$want"
		fail "IOMMU group viability differs: $(echo "$got" | tr '\n' ' ') vs sysfs $(echo "$want" | tr '\n' ' ')"
	fi
	echo "$(echo "$want" | wc -l) group members agree"
}

# pci_of VENDOR DEVICE: the first PCI address with these ids
pci_of() {
	for _d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$_d/vendor")" = "$1" ] && [ "$(cat "$_d/device")" = "$2" ]; then
			echo "${_d##*/}"
			return 0
		fi
	done
	return 1
}

# list_by_path FILE SYSFSDIR: the name hostdev gives the device at that sysfs path
list_by_path() {
	_p=$(readlink -f "$2")
	_n=$(lget "$1" path "$_p" name)
	[ -n "$_n" ] || { echo "hostdev lists no device with path $_p" >&2; return 1; }
	case $_n in *,*) echo "hostdev lists several devices with path $_p: $_n" >&2; return 1 ;; esac
	echo "$_n"
}
