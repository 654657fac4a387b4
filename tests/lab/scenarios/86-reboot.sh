# SPDX-License-Identifier: LGPL-2.1-or-later
# A setup that survives a reboot, with two real boots (the 6.1-reboot boot: lab.persist, a disk that keeps
# /etc/hostdev, /etc/mdevctl.d and /var/lib/hostdev). The first boot keeps the e1000e on vfio-pci, the NVMe PF
# with 2 VFs (made with no driver probing them) and an autostart mdev; the second finds all of it in place after
# what hostdev-apply.service runs (the init's lab_boot_apply), before any command here.

E=$(for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x10d3 ] && echo "${d##*/}"
done | head -n 1)
P=$(for d in /sys/bus/pci/devices/*; do
	[ -e "$d/sriov_totalvfs" ] && [ "$(cat "$d/vendor")" = 0x1b36 ] && [ "$(cat "$d/device")" = 0x0010 ] && echo "${d##*/}"
done | head -n 1)
RUUID=6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a00   # the same in both boots

first_boot() {
	[ -n "$E" ] && [ -n "$P" ] || fail "no e1000e ($E) or no NVMe PF ($P)"
	[ ! -e /etc/hostdev/pci/$E ] || fail "the first boot found /etc/hostdev/pci/$E already"
	[ "$(link_name /sys/bus/pci/devices/$E/driver)" = e1000e ] || fail "$E starts on $(link_name /sys/bus/pci/devices/$E/driver)"
	hd detach --persistent "$E" > /dev/null || return 1
	hd sriov set --persistent --no-autoprobe "$P" 2 > /dev/null || return 1
	hd mdev define --parent mtty --type mtty-1 --uuid "$RUUID" --auto > /dev/null || return 1
	[ "$(link_name /sys/bus/pci/devices/$E/driver)" = vfio-pci ] || fail "$E is on $(link_name /sys/bus/pci/devices/$E/driver)"
	[ "$(cat /sys/bus/pci/devices/$P/sriov_numvfs)" = 2 ] || fail "$P has $(cat /sys/bus/pci/devices/$P/sriov_numvfs) VFs"
	cat /etc/hostdev/pci/$E /etc/hostdev/sriov/$P
}

boot_applied() {
	[ "$(cat /tmp/boot-apply.rc 2>/dev/null)" = 0 ] || fail "the boot's apply exited $(cat /tmp/boot-apply.rc 2>&1)"
	grep -q "^$E: detached to vfio-pci (it was on e1000e)$" /tmp/boot-apply.out || fail "the boot's apply did not say the e1000e"
	grep -q "^$P: 2 VFs (it had 0)$" /tmp/boot-apply.out || fail "the boot's apply did not say the VFs"
	grep -q "^mdev $RUUID: started" /tmp/boot-apply.out || fail "the boot's apply did not say the mdev"
}
# Read through sysfs, not hostdev: what the kernel has.
e1000e_on_vfio() { [ "$(link_name /sys/bus/pci/devices/$E/driver)" = vfio-pci ] || fail "$E is on $(link_name /sys/bus/pci/devices/$E/driver)"; }
pf_has_vfs() {
	d=/sys/bus/pci/devices/$P
	[ "$(cat $d/sriov_numvfs)" = 2 ] || fail "$P has $(cat $d/sriov_numvfs) VFs"
	[ "$(cat $d/sriov_drivers_autoprobe)" = 0 ] || fail "$P: sriov_drivers_autoprobe $(cat $d/sriov_drivers_autoprobe)"
	for v in $d/virtfn*; do [ "$(link_name $v/driver)" = null ] || fail "VF ${v##*/} is on $(link_name $v/driver)"; done
}
mdev_runs() { [ -d /sys/bus/mdev/devices/$RUUID ] || fail "mdev $RUUID is not running"; }
apply_again() {
	out=$(hd apply) || return 1
	[ "$out" = "nothing to change: every setting is in place" ] || fail "apply after the boot's said: $out"
}

if ! lab_param persist > /dev/null; then
	skip reboot "only in the 6.1-reboot boot (a persistent disk, two boots)"
elif [ "$(lab_param phase)" = 1 ]; then
	check reboot-1-keep-e1000e-vfs-mdev first_boot
else
	check reboot-2-boot-apply-said-each boot_applied
	check reboot-2-e1000e-on-vfio-pci e1000e_on_vfio
	check reboot-2-nvme-pf-has-2-vfs pf_has_vfs
	check reboot-2-mdev-running mdev_runs
	check reboot-2-apply-again-changes-nothing apply_again
fi
