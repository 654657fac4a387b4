# SPDX-License-Identifier: LGPL-2.1-or-later
# Settings that survive a reboot, on the real kernel, in one boot: detach/sriov --persistent and an autostart mdev
# definition; then the state a fresh boot leaves (the e1000e on its driver, no VFs, no mdev, the store's record from
# before) made by hand through sysfs; then what the boot's unit runs, 'hostdev apply', twice.

E=$(for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x10d3 ] && echo "${d##*/}"
done | head -n 1)
P=$(for d in /sys/bus/pci/devices/*; do
	[ -e "$d/sriov_totalvfs" ] && [ "$(cat "$d/vendor")" = 0x1b36 ] && [ "$(cat "$d/device")" = 0x0010 ] && echo "${d##*/}"
done | head -n 1)
PUUID=$(cat /proc/sys/kernel/random/uuid)

persist_set() {
	[ -n "$E" ] && [ -n "$P" ] || fail "no e1000e ($E) or no NVMe PF ($P)"
	hd detach --persistent "$E" > /tmp/p.out || return 1
	[ "$(link_name /sys/bus/pci/devices/$E/driver)" = vfio-pci ] || fail "$E is on $(link_name /sys/bus/pci/devices/$E/driver)"
	grep -qx "driver=vfio-pci" /etc/hostdev/pci/$E || fail "/etc/hostdev/pci/$E: $(cat /etc/hostdev/pci/$E 2>&1)"
	# As 30-sriov: QEMU's NVMe VFs are offline until given resources, so no driver is to probe them.
	echo 0 > /sys/bus/pci/devices/$P/sriov_drivers_autoprobe
	hd sriov set --persistent "$P" 2 > /tmp/p.out || return 1
	[ "$(cat /sys/bus/pci/devices/$P/sriov_numvfs)" = 2 ] || fail "sriov_numvfs reads $(cat /sys/bus/pci/devices/$P/sriov_numvfs)"
	grep -qx "numvfs=2" /etc/hostdev/sriov/$P || fail "/etc/hostdev/sriov/$P: $(cat /etc/hostdev/sriov/$P 2>&1)"
	hd mdev define --parent mtty --type mtty-1 --uuid "$PUUID" --auto > /dev/null || return 1
}

# What a boot leaves, made through sysfs and not through hostdev: the kernel knows nothing of what was set.
as_after_boot() {
	e=/sys/bus/pci/devices/$E
	echo > $e/driver_override
	echo "$E" > $e/driver/unbind
	echo "$E" > /sys/bus/pci/drivers_probe
	wait_for 10 test "$(link_name $e/driver)" = e1000e || fail "$E did not go back to e1000e: $(link_name $e/driver)"
	echo 0 > /sys/bus/pci/devices/$P/sriov_numvfs
	[ ! -e /sys/bus/mdev/devices/$PUUID ] || fail "mdev $PUUID runs: define should not have started it"
	hd active | grep -q "^pci *$E *detached" || fail "the store lost its record of $E: $(hd active)"
}

apply_puts_back() {
	hd apply > /tmp/apply.out || { cat /tmp/apply.out; return 1; }
	cat /tmp/apply.out
	[ "$(link_name /sys/bus/pci/devices/$E/driver)" = vfio-pci ] || fail "$E is on $(link_name /sys/bus/pci/devices/$E/driver)"
	[ "$(cat /sys/bus/pci/devices/$P/sriov_numvfs)" = 2 ] || fail "$P has $(cat /sys/bus/pci/devices/$P/sriov_numvfs) VFs"
	[ -d /sys/bus/mdev/devices/$PUUID ] || fail "mdev $PUUID is not running"
	grep -q "^$E: detached to vfio-pci (it was on e1000e)$" /tmp/apply.out || fail "apply did not say the e1000e"
	grep -q "^$P: 2 VFs (it had 0)$" /tmp/apply.out || fail "apply did not say the VFs"
	grep -q "^mdev $PUUID: started" /tmp/apply.out || fail "apply did not say the mdev"
}

apply_again() {
	out=$(hd apply) || return 1
	[ "$out" = "nothing to change: every setting is in place" ] || fail "the second apply said: $out"
}

persist_undo() {
	hd mdev stop "$PUUID" > /dev/null && hd mdev undefine "$PUUID" > /dev/null || return 1
	hd sriov set --persistent "$P" 0 > /dev/null || return 1
	hd reattach --persistent "$E" > /dev/null || return 1
	[ "$(link_name /sys/bus/pci/devices/$E/driver)" = e1000e ] || fail "$E is on $(link_name /sys/bus/pci/devices/$E/driver)"
	[ ! -e /etc/hostdev/pci/$E ] && [ ! -e /etc/hostdev/sriov/$P ] || fail "files left: $(ls -R /etc/hostdev)"
	out=$(hd apply) && [ "$out" = "nothing to change: every setting is in place" ] || fail "apply after undoing said: $out"
}

if check persist-set persist_set && check persist-as-after-boot as_after_boot; then
	check persist-apply-puts-back apply_puts_back
	check persist-apply-twice-changes-nothing apply_again
fi
check persist-undo persist_undo
