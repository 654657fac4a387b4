# SPDX-License-Identifier: LGPL-2.1-or-later
# hostdev mdev and sriov on the real kernel: mtty types; an instance made, listed and removed; a definition
# started again after mtty is reloaded, through the autostart command the udev rule runs; mdevctl both ways
# when it is in the guest; NVMe VFs made with hostdev sriov set, one detached and reattached, removed again.

MTTY=/sys/class/mdev_bus/mtty
TYPES=$MTTY/mdev_supported_types
U0=$(cat /proc/sys/kernel/random/uuid)
U1=$(cat /proc/sys/kernel/random/uuid)
U2=$(cat /proc/sys/kernel/random/uuid)
U3=$(cat /proc/sys/kernel/random/uuid)
U4=$(cat /proc/sys/kernel/random/uuid)

running() { test -e "/sys/bus/mdev/devices/$1"; }
gone() { ! test -e "/sys/bus/mdev/devices/$1"; }

mdev_types_listed() {
	hdjson /tmp/mt.json mdev types mtty -J
	want=$(for t in $TYPES/*; do echo "mtty ${t##*/} $(cat $t/available_instances) $(cat $t/device_api)"; done | sort)
	got=$(jqf '.mdevtypes[] | "\(.parent) \(.type) \(.available) \(.api)"' /tmp/mt.json | sort)
	[ "$got" = "$want" ] || fail "mdev types: '$got', sysfs '$want'"
}

mdev_create_list_remove() {
	before=$(cat $TYPES/mtty-2/available_instances)
	[ "$before" -gt 0 ] || skip_check "no mtty-2 instance available"
	out=$(hd mdev create --parent mtty --type mtty-2 --uuid "$U0") || fail "mdev create failed"
	[ "$out" = "$U0" ] || fail "mdev create printed '$out', want $U0"
	running "$U0" || fail "/sys/bus/mdev/devices/$U0 is not there"
	[ "$(link_name /sys/bus/mdev/devices/$U0/mdev_type)" = mtty-2 ] || fail "$U0 is not of type mtty-2"
	[ "$(cat $TYPES/mtty-2/available_instances)" = $((before - 1)) ] || fail "available_instances did not drop"
	hd mdev list -rn > /tmp/ml.txt
	grep -q "^$U0 mtty mtty-2 active no" /tmp/ml.txt || fail "mdev list: $(cat /tmp/ml.txt)"
	hdlist /tmp/ml.json
	[ -n "$(lget /tmp/ml.json name "$(mdev_name "$U0")" cap)" ] || fail "hostdev list does not show $(mdev_name "$U0")"
	hd mdev remove "$U0"
	wait_for 10 gone "$U0" || fail "$U0 is still there after remove"
	[ "$(cat $TYPES/mtty-2/available_instances)" = "$before" ] || fail "available_instances did not come back"
}

# Each refusal exits 1 with a message and leaves nothing behind.
mdev_bad_input() {
	n=$(ls /sys/bus/mdev/devices | wc -l)
	hostdev mdev create --parent mtty --type mtty-9 2>/tmp/err && fail "an unknown type was accepted"
	grep -q "mtty-9" /tmp/err || fail "unknown type: $(cat /tmp/err)"
	hostdev mdev create --parent mtty --type mtty-2 --uuid not-a-uuid 2>/tmp/err && fail "a malformed UUID was accepted"
	hostdev mdev create --parent nosuchparent --type mtty-2 2>/tmp/err && fail "an unknown parent was accepted"
	hd mdev create --parent mtty --type mtty-1 --uuid "$U0" > /dev/null
	hostdev mdev create --parent mtty --type mtty-1 --uuid "$U0" 2>/tmp/err && fail "a UUID in use was accepted"
	grep -q "exists already" /tmp/err || fail "UUID in use: $(cat /tmp/err)"
	# Use up mtty-2, then one more.
	while [ "$(cat $TYPES/mtty-2/available_instances)" -gt 0 ]; do
		u=$(cat /proc/sys/kernel/random/uuid)
		hd mdev create --parent mtty --type mtty-2 --uuid "$u" > /dev/null
		echo "$u" >> /tmp/mtty2-used
	done
	hostdev mdev create --parent mtty --type mtty-2 2>/tmp/err && fail "a type with no instance left was accepted"
	grep -q "no instance" /tmp/err || fail "no instance left: $(cat /tmp/err)"
	for u in $U0 $(cat /tmp/mtty2-used); do hd mdev remove "$u"; done
	rm -f /tmp/mtty2-used
	[ "$(ls /sys/bus/mdev/devices | wc -l)" = "$n" ] || fail "devices left behind: $(ls /sys/bus/mdev/devices)"
}

mdev_define_start() {
	hd mdev define --parent mtty --type mtty-1 --uuid "$U1" --auto > /dev/null
	hd mdev define --parent mtty --type mtty-1 --uuid "$U2" > /dev/null
	test -f "/etc/mdevctl.d/mtty/$U1" || fail "no /etc/mdevctl.d/mtty/$U1"
	grep -q '"start": "auto"' "/etc/mdevctl.d/mtty/$U1" || fail "definition: $(cat /etc/mdevctl.d/mtty/$U1)"
	hd mdev list --defined -rn > /tmp/ml.txt
	grep -q "^$U1 mtty mtty-1 stopped yes auto" /tmp/ml.txt || fail "mdev list --defined: $(cat /tmp/ml.txt)"
	hd list --inactive -rn -o NAME > /tmp/inactive.txt
	grep -q "^mdev_$(echo "$U1" | tr - _)_mtty$" /tmp/inactive.txt || fail "list --inactive: $(cat /tmp/inactive.txt)"
	hd mdev start "$U1"
	running "$U1" || fail "$U1 did not start"
	hostdev mdev start "$U1" 2>/dev/null && fail "starting a running device succeeded"
	true
}

# rmmod takes the instances away as a reboot would; the parent comes back and the autostart command
# (what 60-hostdev-mdev.rules runs) starts the auto definition, not the manual one.
mdev_autostart_after_reload() {
	running "$U1" || fail "$U1 is not running before the reload"
	rmmod mtty || fail "rmmod mtty failed"
	wait_for 10 gone "$U1" || fail "$U1 survived rmmod mtty"
	insmod /lib/modules/$(uname -r)/extra/mtty.ko || fail "insmod mtty.ko failed"
	wait_for 10 test -d $TYPES || fail "mtty did not register again"
	hd mdev start-autostart --parent mtty > /tmp/as.txt
	running "$U1" || fail "$U1 was not started again: $(cat /tmp/as.txt)"
	gone "$U2" || fail "$U2 (manual) was started"
	hd mdev start-autostart > /dev/null
}

mdev_stop_undefine() {
	hd mdev stop "$U1"
	wait_for 10 gone "$U1" || fail "$U1 is still running"
	test -f "/etc/mdevctl.d/mtty/$U1" || fail "stop removed the definition"
	hd mdev undefine "$U1"
	hd mdev undefine "$U2"
	test -e "/etc/mdevctl.d/mtty/$U1" && fail "undefine left the definition"
	hd list --inactive -rn -o NAME | grep -q mdev_ && fail "inactive mdevs are still listed"
	true
}

# mdevctl starts what hostdev defined and hostdev starts what mdevctl defined.
mdev_mdevctl() {
	command -v mdevctl > /dev/null 2>&1 ||
		skip_check "mdevctl is not in the guest; the JSON format is checked against it on the host (tests/mdevctl-compat.sh)"
	mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers
	hd mdev define --parent mtty --type mtty-1 --uuid "$U3" > /dev/null
	mdevctl start -u "$U3" || fail "mdevctl start of hostdev's definition failed"
	running "$U3" || fail "mdevctl did not start $U3"
	mdevctl stop -u "$U3"
	mdevctl define -u "$U4" -p mtty -t mtty-1 || fail "mdevctl define failed"
	hd mdev start "$U4"
	running "$U4" || fail "hostdev did not start mdevctl's $U4"
	hd mdev stop "$U4"
	mdevctl undefine -u "$U4"
	hd mdev undefine "$U3"
}

PF=$(for d in /sys/bus/pci/devices/*; do
	[ -e "$d/sriov_totalvfs" ] && [ "$(cat "$d/vendor")" = 0x1b36 ] && [ "$(cat "$d/device")" = 0x0010 ] && echo "${d##*/}"
done | head -n 1)
vf_count() { ls -d /sys/bus/pci/devices/$PF/virtfn* 2>/dev/null | wc -l; }

sriov_set() {
	[ -n "$PF" ] || skip_check "no NVMe PF with sriov_totalvfs"
	total=$(cat /sys/bus/pci/devices/$PF/sriov_totalvfs)
	[ "$total" -ge 3 ] || skip_check "the PF has only $total VFs"
	hd sriov set "$PF" 2 --no-autoprobe
	[ "$(cat /sys/bus/pci/devices/$PF/sriov_numvfs)" = 2 ] || fail "sriov_numvfs is $(cat /sys/bus/pci/devices/$PF/sriov_numvfs)"
	[ "$(vf_count)" = 2 ] || fail "$(vf_count) virtfn links, want 2"
	# From 2 to 3 goes through 0, which the kernel requires.
	hd sriov set "$PF" 3 --no-autoprobe
	[ "$(vf_count)" = 3 ] || fail "$(vf_count) virtfn links, want 3"
	hd sriov show "$PF" -J > /tmp/sriov.json
	[ "$(jqf '.vfs | length' /tmp/sriov.json)" = 3 ] || fail "sriov show: $(cat /tmp/sriov.json)"
	# Above the total: refused, nothing changed.
	hostdev sriov set "$PF" $((total + 1)) 2>/tmp/err && fail "more than sriov_totalvfs was accepted"
	grep -q "at most $total" /tmp/err || fail "above total: $(cat /tmp/err)"
	[ "$(vf_count)" = 3 ] || fail "a refused set changed the VFs"
}

sriov_vf_detach() {
	hostdev detach --help > /dev/null 2>&1 || skip_check "hostdev has no detach yet"
	vf=$(link_name /sys/bus/pci/devices/$PF/virtfn0)
	[ "$vf" != null ] || fail "no virtfn0"
	hd detach "$vf"
	[ "$(link_name /sys/bus/pci/devices/$vf/driver)" = vfio-pci ] || fail "$vf is on $(link_name /sys/bus/pci/devices/$vf/driver), not vfio-pci"
	# A VF on vfio-pci may be a guest's: removing the VFs is refused.
	hostdev sriov set "$PF" 0 2>/tmp/err && fail "VFs were removed while one is on vfio-pci"
	grep -q "$vf" /tmp/err || fail "refusal: $(cat /tmp/err)"
	hd reattach "$vf"
	[ "$(link_name /sys/bus/pci/devices/$vf/driver)" != vfio-pci ] || fail "$vf is still on vfio-pci"
}

sriov_remove() {
	hd sriov set "$PF" 0
	[ "$(vf_count)" = 0 ] || fail "$(vf_count) virtfn links left"
	[ "$(cat /sys/bus/pci/devices/$PF/sriov_numvfs)" = 0 ] || fail "sriov_numvfs is $(cat /sys/bus/pci/devices/$PF/sriov_numvfs)"
}

if hostdev mdev --help > /dev/null 2>&1; then
	check mdev-types-listed mdev_types_listed
	check mdev-create-list-remove mdev_create_list_remove
	check mdev-bad-input mdev_bad_input
	if check mdev-define-start mdev_define_start; then
		check mdev-autostart-after-reload mdev_autostart_after_reload
		check mdev-stop-undefine mdev_stop_undefine
	fi
	check mdev-mdevctl mdev_mdevctl
else
	skip mdev-commands "hostdev has no mdev command"
fi
if check sriov-set sriov_set; then
	check sriov-vf-detach-reattach sriov_vf_detach
	check sriov-remove sriov_remove
fi
