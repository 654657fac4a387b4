# SPDX-License-Identifier: LGPL-2.1-or-later
# SR-IOV on QEMU's NVMe controller: VFs made through sysfs, seen by hostdev with both links.

PF=$(for d in /sys/bus/pci/devices/*; do
	[ -e "$d/sriov_totalvfs" ] && [ "$(cat "$d/vendor")" = 0x1b36 ] && [ "$(cat "$d/device")" = 0x0010 ] && echo "${d##*/}"
done | head -n 1)

make_vfs() {
	[ -n "$PF" ] || fail "no NVMe PF with sriov_totalvfs"
	d=/sys/bus/pci/devices/$PF
	echo "# PF $PF, driver $(link_name $d/driver), sriov_totalvfs $(cat $d/sriov_totalvfs)"
	echo 0 > $d/sriov_drivers_autoprobe
	echo 2 > $d/sriov_numvfs || fail "writing 2 to $d/sriov_numvfs failed"
	wait_for 20 test -e $d/virtfn1 || fail "virtfn1 did not appear"
	[ "$(cat $d/sriov_numvfs)" = 2 ] || fail "sriov_numvfs reads $(cat $d/sriov_numvfs)"
}

vf_addrs() { for v in /sys/bus/pci/devices/$PF/virtfn*; do link_name "$v"; done | sort; }

pf_lists_vfs() {
	hdjson /tmp/pf.json show "$PF" --json
	got=$(jqf 'deep("virt_functions") | (.addresses // []) | map(bare) | sort | join(" ")' /tmp/pf.json)
	want=$(vf_addrs | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || fail "PF $PF virt_functions: hostdev '$got', sysfs '$want'"
	max=$(jqf 'deep("virt_functions") | .max_count | s' /tmp/pf.json)
	[ "$max" = "$(cat /sys/bus/pci/devices/$PF/sriov_totalvfs)" ] ||
		fail "PF $PF virt_functions.max_count: hostdev $max, sriov_totalvfs $(cat /sys/bus/pci/devices/$PF/sriov_totalvfs)"
}

vfs_know_pf() {
	for vf in $(vf_addrs); do
		[ "$(link_name /sys/bus/pci/devices/$vf/physfn)" = "$PF" ] || fail "sysfs: $vf/physfn is not $PF"
		hdjson /tmp/vf.json show "$vf" --json
		got=$(jqf 'deep("phys_function") | bare | s' /tmp/vf.json)
		[ "$got" = "$PF" ] || fail "VF $vf phys_function: hostdev '$got', sysfs '$PF'"
		got=$(jqf '.driver | s' /tmp/vf.json)
		[ "$got" = null ] || fail "VF $vf: hostdev says driver $got, but autoprobe was off"
	done
}

vfs_listed() {
	hdlist /tmp/list.json
	pfname=$(pci_name "$PF")
	for vf in $(vf_addrs); do
		got=$(lget /tmp/list.json name "$(pci_name $vf)" cap pf)
		[ -n "$got" ] || fail "VF $vf is not in hostdev list"
		[ "$got" = "pci $PF" ] || fail "VF $vf: cap/pf '$got', want 'pci $PF'"
	done
	got=$(lget /tmp/list.json name "$pfname" vfs maxvfs)
	want="$(cat /sys/bus/pci/devices/$PF/sriov_numvfs) $(cat /sys/bus/pci/devices/$PF/sriov_totalvfs)"
	[ "$got" = "$want" ] || fail "PF $pfname: vfs/maxvfs '$got', sysfs '$want'"
	# hostdev list --cap vf selects exactly the VFs
	hdjson /tmp/vf.json list -J --cap vf -o name
	got=$(jqf '[devs[].name] | sort | join(" ")' /tmp/vf.json)
	want=$(for vf in $(vf_addrs); do pci_name $vf; done | sort | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || fail "list --cap vf: '$got', want '$want'"
}

if check setup-sriov-vfs make_vfs; then
	check sriov-pf-virt_functions pf_lists_vfs
	check sriov-vf-phys_function vfs_know_pf
	check sriov-vfs-listed vfs_listed
	check pci-inventory-with-vfs pci_inventory
	check iommu-groups-with-vfs iommu_groups
	record_state sriov
fi
