# SPDX-License-Identifier: LGPL-2.1-or-later
# PCI inventory and IOMMU groups against the kernel's sysfs.

check pci-inventory pci_inventory
check iommu-groups iommu_groups

pci_show_e1000e() {
	a=$(pci_of 0x8086 0x10d3) || fail "no e1000e (8086:10d3) in the guest"
	hdjson /tmp/show.json show "$a" --json
	got=$(jqf 'cap("pci") | "\(.domain|s) \(.bus|s) \(.slot|s) \(.function|s) \(.vendor|bare|lc|s) \(.product|bare|lc|s) \(.class|lc|s) \(.iommu_group|bare|s)"' /tmp/show.json)
	d=/sys/bus/pci/devices/$a
	dom=$((0x${a%%:*})); rest=${a#*:}; bus=$((0x${rest%%:*})); rest=${rest#*:}; slot=$((0x${rest%%.*})); fn=${rest#*.}
	want="$dom $bus $slot $fn $(cat $d/vendor) $(cat $d/device) $(cat $d/class) $(link_name $d/iommu_group)"
	[ "$got" = "$want" ] || fail "show $a: hostdev '$got', sysfs '$want'"
	name=$(jqf '.name' /tmp/show.json)
	[ "$name" = "$(pci_name "$a")" ] || fail "show $a: name $name, want $(pci_name "$a")"
	drv=$(jqf '.driver|s' /tmp/show.json)
	[ "$drv" = "$(link_name $d/driver)" ] || fail "show $a: driver $drv, sysfs $(link_name $d/driver)"
	hdjson /tmp/show2.json show "$name" --json
	cmp -s /tmp/show.json /tmp/show2.json || fail "show by name and by address differ"
}
check pci-show-e1000e pci_show_e1000e
