# SPDX-License-Identifier: LGPL-2.1-or-later
# A real SR-IOV NIC: QEMU's igb (Intel 82576, QEMU 8.0 on) with its VFs on igbvf. The VFs in the inventory,
# named by interface, and <interface type='hostdev'> setting MAC, VLAN and trust through the real igb driver,
# put back exactly (qos too) by release and by recovery after a kill at every step.

IGB=$(pci_of 0x8086 0x10c9 || true)
IP=/usr/bin/ip   # iproute2's: busybox sh runs its own applet (no "vf") for a bare "ip"
drv_of() { link_name /sys/bus/pci/devices/$1/driver; }
ifname_of() { ls /sys/bus/pci/devices/$1/net 2>/dev/null | head -n 1; }
vf_addr() { link_name /sys/bus/pci/devices/$IGB/virtfn$1; }
# For wait_for, which runs its command again each time: "$(...)" in its arguments would be read once.
has_ifname() { [ -n "$(ifname_of $1)" ]; }
on_driver() { [ "$(drv_of $1)" = "$2" ]; }
# The PF's "vf N" lines as `ip link show` prints them, one per VF, blanks squeezed.
vf_lines() { $IP link show dev "$PFIF" | sed -n 's/^[[:space:]]*\(vf [0-9]* .*\)/\1/p' | tr -s ' \t' '  '; }
vf_line() { vf_lines | grep "^vf $1 "; }
nothing_active() {
	out=$(hostdev active 2>&1)
	[ "$out" = "no device is held or detached" ] || { echo "$out"; fail "hostdev active still lists devices"; }
}

igb_setup() {
	[ -n "$IGB" ] || skip_check "no igb (8086:10c9): QEMU before 8.0 has none (run.sh --qemu 10)"
	[ -x $IP ] || fail "no iproute2 ip at $IP in the initramfs"
	modprobe igb || fail "modprobe igb failed"
	modprobe igbvf || fail "modprobe igbvf failed"
	wait_for 20 has_ifname $IGB || fail "the igb PF $IGB got no network interface"
	PFIF=$(ifname_of $IGB)
	$IP link set dev "$PFIF" up || fail "ip link set $PFIF up failed"
	echo "# PF $IGB ($PFIF) on $(drv_of $IGB), sriov_totalvfs $(cat /sys/bus/pci/devices/$IGB/sriov_totalvfs)"
}

# hostdev sriov set, naming the PF by its interface: the VFs meet igbvf.
igb_sriov_set() {
	hd sriov set "$PFIF" 2
	[ "$(cat /sys/bus/pci/devices/$IGB/sriov_numvfs)" = 2 ] || fail "sriov_numvfs is $(cat /sys/bus/pci/devices/$IGB/sriov_numvfs)"
	for n in 0 1; do
		vf=$(vf_addr $n)
		[ "$vf" != null ] || fail "no virtfn$n"
		wait_for 20 on_driver $vf igbvf || fail "VF $vf is on $(drv_of $vf), not igbvf"
		wait_for 20 has_ifname $vf || fail "VF $vf on igbvf has no interface"
		echo "# VF $n: $vf ($(ifname_of $vf)), IOMMU group $(link_name /sys/bus/pci/devices/$vf/iommu_group)"
	done
	[ "$(vf_lines | wc -l)" = 2 ] || { vf_lines; fail "ip link show $PFIF has $(vf_lines | wc -l) vf lines, want 2"; }
}

# The inventory against sysfs: the PF's virt_functions, each VF's phys_function, driver and interface.
igb_inventory() {
	hdjson /tmp/igbpf.json show "$IGB" --json
	got=$(jqf 'deep("virt_functions") | (.addresses // []) | map(bare) | sort | join(" ")' /tmp/igbpf.json)
	want=$(for v in /sys/bus/pci/devices/$IGB/virtfn*; do link_name "$v"; done | sort | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || fail "PF $IGB virt_functions: hostdev '$got', sysfs '$want'"
	max=$(jqf 'deep("virt_functions") | .max_count | s' /tmp/igbpf.json)
	[ "$max" = "$(cat /sys/bus/pci/devices/$IGB/sriov_totalvfs)" ] || fail "virt_functions max_count $max"
	hdlist /tmp/igblist.json
	for n in 0 1; do
		vf=$(vf_addr $n)
		got=$(lget /tmp/igblist.json name "$(pci_name $vf)" pf driver iommu)
		want="$IGB igbvf $(link_name /sys/bus/pci/devices/$vf/iommu_group)"
		[ "$got" = "$want" ] || fail "VF $vf: pf/driver/iommu '$got', sysfs '$want'"
		# its network interface is a device of its own, under the VF, and names the VF as its PCI function
		vif=$(ifname_of $vf)
		hdjson /tmp/vif.json show "$vif" --json
		got=$(jqf '.parent | s' /tmp/vif.json)
		[ "$got" = "$(pci_name $vf)" ] || fail "interface $vif: parent '$got', want $(pci_name $vf)"
		got=$(jqf 'cap("net") | .interface | s' /tmp/vif.json)
		[ "$got" = "$vif" ] || fail "interface $vif: net capability names '$got'"
		# each VF alone in its IOMMU group (LAB.md)
		[ "$(ls /sys/bus/pci/devices/$vf/iommu_group/devices | wc -l)" = 1 ] || fail "VF $vf shares its IOMMU group"
	done
}

# A VF named by its network interface: check and detach take it, and mean its PCI function.
igb_by_ifname() {
	vf=$(vf_addr 0)
	vif=$(ifname_of $vf)
	hd check "$vif" > /tmp/igbcheck.txt || true
	grep -q "$vf" /tmp/igbcheck.txt || { cat /tmp/igbcheck.txt; fail "check $vif does not speak of $vf"; }
	hd detach "$vif"
	[ "$(drv_of $vf)" = vfio-pci ] || fail "detach $vif: $vf is on $(drv_of $vf)"
	hd reattach "$vf"
	wait_for 20 on_driver $vf igbvf || fail "reattach: $vf is on $(drv_of $vf), not igbvf"
	wait_for 20 has_ifname $vf || fail "reattach: $vf has no interface again"
	nothing_active
}

# nic_xml NAME UUID [VF MAC VLAN EXTRA]...: a domain with one <interface type='hostdev'> per VF number
# ("-" for no MAC or no VLAN; EXTRA: "trust" for trustGuestRxFilters='yes', "down" for <link state='down'/>).
nic_xml() {
	echo "<domain type='kvm'><name>$1</name><uuid>$2</uuid><devices>"
	shift 2
	while [ $# -ge 4 ]; do
		a=$(vf_addr $1); b=${a#*:}
		attrs=
		[ "$4" != trust ] || attrs=" trustGuestRxFilters='yes'"
		echo "<interface type='hostdev' managed='yes'$attrs>"
		[ "$2" = - ] || echo "<mac address='$2'/>"
		echo "<source><address type='pci' domain='0x0000' bus='0x${b%%:*}' slot='0x$(echo ${b#*:} | cut -d. -f1)' function='0x${a##*.}'/></source>"
		[ "$3" = - ] || echo "<vlan><tag id='$3'/></vlan>"
		[ "$4" != down ] || echo "<link state='down'/>"
		echo "</interface>"
		shift 4
	done
	echo "</devices></domain>"
}
U_A=7d1e5f00-0000-4000-8000-00000000000a
U_B=7d1e5f00-0000-4000-8000-00000000000b
MAC0=52:54:00:12:34:56
MAC1=52:54:00:12:34:57

# What the VFs are before a guest: admin settings, drivers. Both get an admin MAC by hand: without one,
# igb gives a VF a new random MAC whenever it resets (a VLAN set, a driver bound), so "before" would not
# hold still. VF 1 also gets a VLAN with a priority, which no XML can say, so that putting it back is seen.
igb_before() {
	$IP link set dev "$PFIF" vf 0 mac 02:00:00:00:10:00 || fail "ip link set $PFIF vf 0 mac failed"
	$IP link set dev "$PFIF" vf 1 mac 02:00:00:00:10:01 vlan 7 qos 3 || fail "ip link set $PFIF vf 1 mac vlan 7 qos 3 failed"
	vf_line 1 | grep -q "vlan 7, qos 3" || { vf_line 1; fail "igb did not take vlan 7 qos 3 on VF 1"; }
	vf_lines > /tmp/igb-before.txt
	cat /tmp/igb-before.txt
}
# Everything as igb_before left it: the vf lines exactly, both VFs on igbvf, nothing recorded.
igb_all_back() {
	vf_lines > /tmp/igb-now.txt
	if ! cmp -s /tmp/igb-before.txt /tmp/igb-now.txt; then
		diff /tmp/igb-before.txt /tmp/igb-now.txt | sed 's/^/# /'
		fail "the VFs' settings differ from before: $(diff /tmp/igb-before.txt /tmp/igb-now.txt | grep '^+[^+]' | head -n 1)"
	fi
	for _v in 0 1; do   # not n: igb_killed counts its steps in n
		wait_for 20 on_driver $(vf_addr $_v) igbvf || fail "VF $_v is on $(drv_of $(vf_addr $_v)), not igbvf"
	done
	nothing_active
}

igb_prepare_release() {
	igb_before
	nic_xml nicvm $U_A 0 $MAC0 42 - 1 $MAC1 43 trust > /tmp/nicvm.xml
	hd prepare --owner qemu /tmp/nicvm.xml
	vf_lines
	vf_line 0 | grep -q "link/ether $MAC0 .*vlan 42," || fail "VF 0: $(vf_line 0); want $MAC0 vlan 42"
	vf_line 1 | grep -q "link/ether $MAC1 .*vlan 43," || fail "VF 1: $(vf_line 1); want $MAC1 vlan 43"
	vf_line 1 | grep -q "qos" && fail "VF 1 kept a qos: $(vf_line 1)"
	vf_line 1 | grep -q "trust on" || fail "VF 1: trustGuestRxFilters='yes' but $(vf_line 1)"
	vf_line 0 | grep -q "trust off" || fail "VF 0 was not asked for trust: $(vf_line 0)"
	for n in 0 1; do
		[ "$(drv_of $(vf_addr $n))" = vfio-pci ] || fail "VF $n is on $(drv_of $(vf_addr $n))"
	done
	hostdev active | tee /tmp/nicvm.active
	grep -q "^net_vf  *$(vf_addr 1)  *held  *qemu:nicvm " /tmp/nicvm.active || fail "active: no net_vf $(vf_addr 1) held by qemu:nicvm"
	hd release --owner qemu:nicvm > /dev/null
	igb_all_back
}

# A second VM asking for the MAC a first one has on a VF of the same PF is refused, naming the first.
igb_duplicate_mac() {
	nic_xml vma $U_A 0 $MAC0 - - > /tmp/vma.xml
	nic_xml vmb $U_B 1 $MAC0 - - > /tmp/vmb.xml
	hd prepare --owner qemu /tmp/vma.xml > /dev/null
	if hostdev prepare --owner qemu /tmp/vmb.xml > /tmp/vmb.out 2>&1; then
		hd release --owner qemu:vmb > /dev/null
		hd release --owner qemu:vma > /dev/null
		fail "vmb got $MAC0 on VF 1 while vma has it on VF 0"
	fi
	cat /tmp/vmb.out
	grep -q "$MAC0" /tmp/vmb.out && grep -q "qemu:vma" /tmp/vmb.out || fail "the refusal does not name the MAC and vma"
	[ "$(drv_of $(vf_addr 1))" = igbvf ] || fail "refused, but VF 1 moved to $(drv_of $(vf_addr 1))"
	hd release --owner qemu:vma > /dev/null
	igb_all_back
}

# <link state='down'/>: set and put back where the driver can; where it cannot, prepare says so and
# leaves nothing behind.
igb_link_state() {
	nic_xml linkvm $U_A 0 $MAC0 - down > /tmp/linkvm.xml
	if hostdev prepare --owner qemu /tmp/linkvm.xml > /tmp/linkvm.out 2>&1; then
		vf_line 0 | grep -q "link-state disable" || fail "VF 0: <link state='down'/> but $(vf_line 0)"
		hd release --owner qemu:linkvm > /dev/null
	else
		cat /tmp/linkvm.out
		grep -q "link state" /tmp/linkvm.out || fail "prepare failed without saying why: $(tail -n 1 /tmp/linkvm.out)"
		echo "# $PFIF's driver cannot set a VF's link state; prepare refused it"
	fi
	igb_all_back
}

# Killed right after journaling its Nth step, for each step until it runs through: recover gives back
# exactly what was there before (MAC, VLAN, qos, trust), and the VF its driver. One interface (VF 1, whose
# VLAN has a priority) has every kind of step: the VF's detach, MAC and VLAN, trust.
igb_killed() {
	what=$1
	nic_xml nicvm $U_A 1 $MAC1 43 trust > /tmp/nicvm.xml
	n=1
	while [ $n -le 30 ]; do
		[ $what = prepare ] || hd prepare --owner qemu /tmp/nicvm.xml > /dev/null
		if [ $what = release ]; then
			HOSTDEV_TEST_KILL_AT_WRITE=$n hostdev-crashtest release --owner qemu:nicvm > /dev/null 2>&1 && rc=0 || rc=$?
		else
			HOSTDEV_TEST_KILL_AT_WRITE=$n hostdev-crashtest prepare --owner qemu /tmp/nicvm.xml > /dev/null 2>&1 && rc=0 || rc=$?
		fi
		if [ $rc = 0 ]; then
			# it ran through: every step was killed once
			[ $what = release ] || hd release --owner qemu:nicvm > /dev/null
			igb_all_back
			echo "# $what of the interface: killed at each of its $((n - 1)) steps, recovered each time"
			[ $n -gt 2 ] || fail "$what ran through at step $n: fewer steps than a VF's detach and settings take"
			return 0
		fi
		[ $rc = 137 ] || fail "$what was not killed at step $n (exit $rc)"
		echo "# $what killed at step $n (uptime $(cut -d' ' -f1 /proc/uptime)s)" >&3
		hd recover > /tmp/recover.out
		grep -q "the $what for qemu:nicvm left by pid [0-9]* .* is $([ $what = prepare ] && echo undone || echo finished)" /tmp/recover.out ||
			{ cat /tmp/recover.out; fail "recover did not report the $what killed at step $n"; }
		igb_all_back
		n=$((n + 1))
	done
	fail "$what never ran through in 30 steps"
}
igb_killed_prepare() { igb_killed prepare; }
igb_killed_release() { igb_killed release; }

# A VF with no admin MAC (all zero: igb clears it, "remove administratively set MAC"): igb takes the zero
# back at release, so hostdev leaves no MAC of its own in its place and says nothing. igbvf, bound again,
# then gives the VF a random MAC of its own: not the guest's, not hostdev's 02:68:...
igb_zero_mac() {
	$IP link set dev "$PFIF" vf 0 mac 00:00:00:00:00:00 || fail "igb refused to clear VF 0's MAC"
	vf_lines | grep -v "^vf 0 " > /tmp/igb-before.txt
	nic_xml zerovm $U_A 0 $MAC0 - - > /tmp/zerovm.xml
	hd prepare --owner qemu /tmp/zerovm.xml > /dev/null
	vf_line 0 | grep -q "link/ether $MAC0 " || fail "VF 0: $(vf_line 0); want $MAC0"
	hostdev release --owner qemu:zerovm > /tmp/zero.out 2>&1 || { cat /tmp/zero.out; fail "release failed"; }
	cat /tmp/zero.out
	grep -q "note:" /tmp/zero.out && fail "release says: $(grep note: /tmp/zero.out)"
	dmesg | grep "administratively set MAC on VF 0" | tail -n 2
	wait_for 20 on_driver $(vf_addr 0) igbvf || fail "VF 0 is on $(drv_of $(vf_addr 0)), not igbvf"
	vf_line 0 | grep -qE "link/ether ($MAC0|02:68:)" && fail "VF 0 kept a MAC from hostdev: $(vf_line 0)"
	vf_lines | grep -v "^vf 0 " > /tmp/igb-now.txt
	cmp -s /tmp/igb-before.txt /tmp/igb-now.txt || fail "VF 1 changed: $(cat /tmp/igb-now.txt)"
	nothing_active
}

igb_sriov_remove() {
	$IP link set dev "$PFIF" vf 1 vlan 0 qos 0 || true
	hd sriov set "$IGB" 0
	[ "$(cat /sys/bus/pci/devices/$IGB/sriov_numvfs)" = 0 ] || fail "sriov_numvfs is $(cat /sys/bus/pci/devices/$IGB/sriov_numvfs)"
}

if check igb-setup igb_setup; then
	PFIF=$(ifname_of $IGB)
	if check igb-sriov-set-by-ifname igb_sriov_set; then
		check igb-inventory igb_inventory
		check igb-vf-by-ifname igb_by_ifname
		check igb-prepare-release igb_prepare_release
		check igb-duplicate-mac igb_duplicate_mac
		check igb-link-state igb_link_state
		check igb-killed-prepare igb_killed_prepare
		check igb-killed-release igb_killed_release
		check igb-zero-mac-restored igb_zero_mac
		check igb-sriov-remove igb_sriov_remove
	fi
fi
