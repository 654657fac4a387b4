# SPDX-License-Identifier: LGPL-2.1-or-later
# A real QEMU inside the guest opens what hostdev prepared: the e1000e, the ICH9 group, an NVMe VF, an mtty mdev,
# the replugged USB gadget and two scsi_debug LUNs (virtio-scsi and lsilogic), with exactly the options `hostdev
# qemu-args` prints, checked over QMP against the host's devices; killed, and everything given back. Then `hostdev
# run` with a QEMU that quits, one killed with SIGKILL, and a second owner refused before its QEMU starts.

HV_E1000E=$(pci_of 0x8086 0x10d3 || true)
HV_ICH9="0000:00:1f.0 0000:00:1f.2 0000:00:1f.3"
HV_PF=$(for d in /sys/bus/pci/devices/*; do
	[ -e "$d/sriov_totalvfs" ] && [ "$(cat "$d/vendor")" = 0x1b36 ] && [ "$(cat "$d/device")" = 0x0010 ] && echo "${d##*/}"
done | head -n 1)
HV_SDH=$(ls -d /sys/bus/pseudo/drivers/scsi_debug/adapter*/host* 2>/dev/null | head -n 1)
HV_SDH=${HV_SDH##*/host}
HV_MDEV=$(cat /proc/sys/kernel/random/uuid)
HV_SOCK=/tmp/hv.sock
HV_QEMU="qemu-system-x86_64 -S -nodefaults -display none -machine q35 -accel tcg -m 64"
HV_T=/tmp/hv

hv_drv() { link_name /sys/bus/pci/devices/$1/driver; }
hv_sg() { ls /sys/bus/scsi/devices/$1/scsi_generic; }
# Live QEMU processes (busybox here has no pgrep): the name is cut to 15 characters (LAB.md, Traps); a zombie
# is not one.
hv_qemu_pids() {
	for p in /proc/[0-9]*; do
		[ "$(cat $p/comm 2>/dev/null)" = qemu-system-x86 ] || continue
		grep -q '^State:.*Z' $p/status 2>/dev/null || echo ${p#/proc/}
	done
}
hv_qemus() { hv_qemu_pids | wc -l; }
hv_no_qemu() { [ -z "$(hv_qemu_pids)" ]; }
# After a check that failed half-way: no QEMU, and what hostdev run (or hv1) still holds given back. QEMU must be
# gone first: unbinding a vfio device a process has open waits in the kernel until it is closed.
hv_leftovers() {
	for p in $(hv_qemu_pids); do kill -9 $p; done
	hostdev unclaim --owner libvirt:lv1 > /dev/null 2>&1 || true
	wait_for 10 hv_no_qemu || true
	wait_for 30 sh -c '[ "$(hostdev active 2>&1)" = "no device is held or detached" ]' ||
		timeout 60 hostdev release --owner qemu:hv1 > /dev/null 2>&1 || true
}
hv_vf() { link_name /sys/bus/pci/devices/$HV_PF/virtfn0; }
hv_pci_xml() {
	for a in "$@"; do
		b=${a#*:}; f=${b##*.}; s=${b#*:}; s=${s%.*}
		echo "    <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x${b%%:*}' slot='0x$s' function='0x$f'/></source></hostdev>"
	done
}

hv_setup() {
	command -v qemu-system-x86_64 > /dev/null || fail "no qemu-system-x86_64 in the guest (tests/lab/nested-qemu.sh)"
	[ -n "$HV_E1000E" ] || fail "no e1000e"
	[ -n "$HV_PF" ] || fail "no NVMe PF with SR-IOV"
	[ -n "$HV_SDH" ] || fail "no scsi_debug host"
	for a in $HV_ICH9; do [ -d /sys/bus/pci/devices/$a ] || fail "no $a"; done
	# An NVMe VF through hostdev; without autoprobe no driver takes it, at creation or when it is given back.
	hd sriov set "$HV_PF" 1 --no-autoprobe
	wait_for 10 test -e /sys/bus/pci/devices/$HV_PF/virtfn0 || fail "no VF appeared"
	# The gadget replugged: a new bus address, found again by vendor/product.
	gadget_replug
	echo "# VF $(hv_vf)"
	hd mdev define --parent mtty --type mtty-1 --uuid "$HV_MDEV" > /dev/null
	hv_domain all > $HV_T.xml
	# For the SIGKILL under hostdev run: one device of each kind that has something to give back.
	hv_domain some > $HV_T-small.xml
	hv_pci_xml "$HV_E1000E" > $HV_T-nic.xml
}

# hv_domain all|some: hv1's domain with every device, or with the NIC, the mdev, the gadget and one LUN
hv_domain() {
	echo "<domain type='kvm'>"
	echo "  <name>hv1</name>"
	echo "  <os><type arch='x86_64' machine='q35'>hvm</type></os>"
	echo "  <devices>"
	echo "    <controller type='usb' index='0' model='qemu-xhci'/>"
	echo "    <controller type='scsi' index='0' model='virtio-scsi'/>"
	[ $1 = some ] || echo "    <controller type='scsi' index='1' model='lsilogic'/>"
	if [ $1 = some ]; then hv_pci_xml "$HV_E1000E"; else hv_pci_xml "$HV_E1000E" $HV_ICH9 "$(hv_vf)"; fi
	echo "    <hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='$HV_MDEV'/></source></hostdev>"
	echo "    <hostdev mode='subsystem' type='usb'><source><vendor id='0x0204'/><product id='0x6025'/></source></hostdev>"
	echo "    <hostdev mode='subsystem' type='scsi' managed='yes'><source><adapter name='scsi_host$HV_SDH'/><address bus='0' target='0' unit='0'/></source>"
	echo "      <address type='drive' controller='0' bus='0' target='0' unit='3'/></hostdev>"
	[ $1 = some ] || {
		echo "    <hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host$HV_SDH'/><address bus='0' target='1' unit='1'/></source>"
		echo "      <address type='drive' controller='1' bus='0' target='0' unit='2'/></hostdev>"
	}
	echo "  </devices>"
	echo "</domain>"
}

# hv_took T0 WHAT: how long since T0 (an uptime), for the log
hv_took() { echo "# $2 took $(awk "BEGIN { print $(cut -d' ' -f1 /proc/uptime) - $1 }")s"; }

# Every device as the host had it: drivers, the NIC's interface, the mdev stopped, nothing on vfio-pci or held.
hv_all_back() {
	[ "$(hv_drv $HV_E1000E)" = e1000e ] || fail "$HV_E1000E is on $(hv_drv $HV_E1000E), not e1000e"
	wait_for 10 sh -c "ls /sys/bus/pci/devices/$HV_E1000E/net/* > /dev/null 2>&1" ||
		fail "$HV_E1000E has no network interface again"
	for a in $HV_ICH9 $(hv_vf); do
		[ "$(hv_drv $a)" = null ] || fail "$a is on $(hv_drv $a), had no driver"
	done
	[ ! -e /sys/bus/mdev/devices/$HV_MDEV ] || fail "the mdev hostdev started still runs"
	left=$(ls /sys/bus/pci/drivers/vfio-pci 2>/dev/null | grep '^0000:' || true)
	[ -z "$left" ] || fail "still on vfio-pci: $left"
	out=$(hostdev active 2>&1)
	[ "$out" = "no device is held or detached" ] || { echo "$out"; fail "hostdev active still lists devices"; }
}

# hv_id ARGS PATTERN: the id= of the -device line of ARGS that has PATTERN
hv_id() { grep -e "$2" "$1" | sed -n 's/.*[,]id=\([^,]*\).*/\1/p' | head -n 1; }

# Over QMP, each device of the domain is in the nested guest with the host device's identity.
hv_check_qmp() {
	args=$1
	qmp $HV_SOCK --wait 60 query-pci > $HV_T.pci || { cat $2 $HV_T.pci; fail "no QMP answer to query-pci"; }
	# qdev id, vendor and device (decimal) of every PCI function QEMU made
	jq -r '.return[] | .. | objects | select(has("qdev_id") and .qdev_id != "") | "\(.qdev_id) \(.id.vendor) \(.id.device)"' \
		$HV_T.pci > $HV_T.pci.ids || fail "query-pci: not JSON: $(head -c 300 $HV_T.pci)"
	n=0
	for a in "$HV_E1000E" $HV_ICH9 "$(hv_vf)"; do
		id=$(hv_id $args "vfio-pci,host=$a,")
		[ -n "$id" ] || fail "qemu-args has no vfio-pci for $a"
		want="$id $(printf '%d %d' $(cat /sys/bus/pci/devices/$a/vendor) $(cat /sys/bus/pci/devices/$a/device))"
		grep -qx "$want" $HV_T.pci.ids || { cat $HV_T.pci.ids; fail "query-pci has no '$want' for $a"; }
		n=$((n + 1))
	done
	# mtty's own ids (samples/vfio-mdev/mtty.c): 4348:3253
	id=$(hv_id $args "sysfsdev=/sys/bus/mdev/devices/$HV_MDEV,")
	grep -qx "$id 17224 12883" $HV_T.pci.ids || { cat $HV_T.pci.ids; fail "query-pci has no mtty 4348:3253 as $id"; }
	# The gadget, by the product string QEMU read from the device itself.
	d=$(gadget_dev)
	id=$(hv_id $args "usb-host,hostbus=$(cat $d/busnum),hostaddr=$(cat $d/devnum),")
	[ -n "$id" ] || fail "qemu-args has no usb-host where the gadget is ($(cat $d/busnum):$(cat $d/devnum))"
	qmp $HV_SOCK "hmp:info usb" > $HV_T.usb || fail "info usb failed"
	grep -q "Product $(cat $d/product), ID: $id" $HV_T.usb || { cat $HV_T.usb; fail "info usb has no '$(cat $d/product)' as $id"; }
	# The LUNs: their /dev/sgN behind the drive, each on the bus of its controller's model.
	qmp $HV_SOCK query-block > $HV_T.block || fail "query-block failed"
	qmp $HV_SOCK "hmp:info qtree" > $HV_T.qtree || fail "info qtree failed"
	for lun in "$HV_SDH:0:0:0 scsi0.0 channel=0,scsi-id=0,lun=3" "$HV_SDH:0:1:1 scsi1.0 scsi-id=2"; do
		set -- $lun
		sg=$(hv_sg $1)
		id=$(hv_id $args "drive=drive-hostdev[0-9]*,bus=$2,$3,")
		[ -n "$id" ] || fail "qemu-args has no scsi-generic on $2 with $3"
		jq -e --arg d "drive-$id" --arg f "/dev/$sg" '.return[] | select(.device == $d) | .inserted.file == $f' \
			$HV_T.block > /dev/null || { cat $HV_T.block; fail "query-block: drive-$id is not /dev/$sg"; }
		bus=$(awk -v want="dev: scsi-generic, id \"$id\"" '/ bus: / { b = $2 } index($0, want) { print b; exit }' $HV_T.qtree)
		[ "$bus" = "$2" ] || fail "info qtree: $id is on bus '$bus', not $2"
	done
	echo "# QEMU shows $n vfio-pci functions, the mtty mdev, the gadget and 2 LUNs with the host's identities"
}

# The options hostdev printed, unchanged, on a QEMU started by hand; then SIGKILL and hostdev release.
hv_qemu_args() {
	hv_leftovers
	t=$(cut -d' ' -f1 /proc/uptime)
	hd prepare --owner qemu:hv1 $HV_T.xml > /dev/null
	hv_took $t "prepare of $(grep -c '<hostdev' $HV_T.xml) devices"
	hd qemu-args --owner qemu:hv1 $HV_T.xml > $HV_T.args
	cat $HV_T.args
	grep -q "^-device qemu-xhci,id=usb$" $HV_T.args || fail "qemu-args: no xhci controller"
	grep -q "^-device lsi,id=scsi1$" $HV_T.args || fail "qemu-args: no lsilogic controller"
	rm -f $HV_SOCK
	t0=$(cut -d' ' -f1 /proc/uptime)
	$HV_QEMU $(cat $HV_T.args) -qmp unix:$HV_SOCK,server=on,wait=off < /dev/null > $HV_T.qemu 2>&1 &
	qpid=$!
	# A failed check ends this subshell (set -e): QEMU goes with it.
	trap 'kill -9 $qpid 2> /dev/null' EXIT
	hv_check_qmp $HV_T.args $HV_T.qemu
	echo "# QEMU up and checked in $(awk "BEGIN { print $(cut -d' ' -f1 /proc/uptime) - $t0 }")s"
	kill -9 $qpid
	wait $qpid || true
	trap - EXIT
	d=$(gadget_dev)
	echo "# after SIGKILL the gadget's interface is on: $(link_name $d/${d##*/}:1.0/driver) (QEMU had detached it)"
	[ "$(hv_drv $HV_E1000E)" = vfio-pci ] || fail "the NIC left vfio-pci when QEMU died, before any release"
	t=$(cut -d' ' -f1 /proc/uptime)
	hd release --owner qemu:hv1 > /dev/null
	hv_took $t release
	hv_all_back
}

# hv_run_start XML: hostdev run of hv1's QEMU in the background ($rpid), up and answering QMP.
hv_run_start() {
	rm -f $HV_SOCK
	t=$(cut -d' ' -f1 /proc/uptime)
	hostdev run --owner qemu:hv1 $1 -- $HV_QEMU {} -qmp unix:$HV_SOCK,server=on,wait=off \
		< /dev/null > $HV_T.run 2>&1 &
	rpid=$!
	# A failed check kills QEMU; run gives the devices back by itself (hv_leftovers waits for that).
	trap 'for p in $(hv_qemu_pids); do kill -9 $p; done' EXIT
	qmp $HV_SOCK --wait 60 query-status > /dev/null || { cat $HV_T.run; fail "no QMP from QEMU under hostdev run"; }
	hostdev active | grep -q "^pci  *$HV_E1000E  *held  *qemu:hv1 " || fail "run's QEMU is up but qemu:hv1 does not hold the NIC"
	hv_took $t "hostdev run to QMP"
}

# hostdev run: QEMU quits over QMP; meanwhile a second owner asking for the NIC is refused before its QEMU starts.
hv_run_quit() {
	hv_leftovers
	hv_run_start $HV_T.xml
	# run gave QEMU what qemu-args prints for the same owner now.
	hd qemu-args --owner qemu:hv1 $HV_T.xml > $HV_T.runargs
	hv_check_qmp $HV_T.runargs $HV_T.run
	[ "$(hv_qemus)" = 1 ] || fail "$(hv_qemus) QEMU processes"
	if hostdev run --owner qemu:other $HV_T-nic.xml -- $HV_QEMU {} < /dev/null > $HV_T.other 2>&1; then rc=0; else rc=$?; fi
	[ $rc = 125 ] || { cat $HV_T.other; fail "the second owner's run exited $rc, not 125"; }
	grep -q "$HV_E1000E is held by qemu:hv1" $HV_T.other || { cat $HV_T.other; fail "the refusal does not name the holder"; }
	[ "$(hv_qemus)" = 1 ] || fail "a second QEMU was started: $(hv_qemus) running"
	qmp $HV_SOCK quit > /dev/null || true
	hv_run_end 0 "quit and hostdev run's release"
}

# libvirt's hook, run by hand as libvirt runs it (NAME OPERATION SUB-OP EXTRA, the domain XML on stdin), while
# hostdev run's QEMU holds the NIC: prepare begin refuses, naming qemu:hv1, with exit 3 and nothing recorded; the
# release end libvirt runs after a failed start leaves qemu:hv1's device alone.
hv_run_libvirt_hook() {
	hv_leftovers
	hv_run_start $HV_T-nic.xml
	{ echo "<domain type='kvm'><name>lv1</name><devices>"; cat $HV_T-nic.xml; echo "</devices></domain>"; } > $HV_T-lv1.xml
	if HOSTDEV_HOOK_BIN=/usr/bin/hostdev sh /usr/libexec/hostdev/libvirt-qemu-hook lv1 prepare begin - \
		< $HV_T-lv1.xml > $HV_T.hook 2>&1; then rc=0; else rc=$?; fi
	cat $HV_T.hook
	[ $rc = 3 ] || fail "the hook exited $rc, not 3"
	grep -q "$HV_E1000E is held by qemu:hv1.*libvirt:lv1 cannot have it" $HV_T.hook || fail "the refusal does not name qemu:hv1"
	! hostdev active | grep -q "libvirt:lv1" || fail "libvirt:lv1 holds something after the refusal"
	HOSTDEV_HOOK_BIN=/usr/bin/hostdev sh /usr/libexec/hostdev/libvirt-qemu-hook lv1 release end - < $HV_T-lv1.xml
	hostdev active | grep -q "^pci  *$HV_E1000E  *held  *qemu:hv1 " || fail "release end took qemu:hv1's NIC"
	[ "$(hv_drv $HV_E1000E)" = vfio-pci ] || fail "$HV_E1000E left vfio-pci while QEMU has it"
	qmp $HV_SOCK quit > /dev/null || true
	hv_run_end 0 "quit and hostdev run's release"
	# A free NIC: claimed for libvirt:lv1 with no write (it stays on e1000e), then unclaimed.
	HOSTDEV_HOOK_BIN=/usr/bin/hostdev sh /usr/libexec/hostdev/libvirt-qemu-hook lv1 prepare begin - < $HV_T-lv1.xml
	hostdev active | grep -q "^pci  *$HV_E1000E  *held  *libvirt:lv1 .*claimed" || fail "the NIC is not claimed by libvirt:lv1"
	[ "$(hv_drv $HV_E1000E)" = e1000e ] || fail "the claim moved $HV_E1000E to $(hv_drv $HV_E1000E)"
	HOSTDEV_HOOK_BIN=/usr/bin/hostdev sh /usr/libexec/hostdev/libvirt-qemu-hook lv1 release end - < $HV_T-lv1.xml
	hv_all_back
}

# hv_run_end STATUS WHAT: hostdev run ($rpid) ends with STATUS, having given everything back.
hv_run_end() {
	t=$(cut -d' ' -f1 /proc/uptime)
	if wait $rpid; then rc=0; else rc=$?; fi
	trap - EXIT
	hv_took $t "$2"
	[ $rc = $1 ] || { cat $HV_T.run; fail "hostdev run exited $rc, not $1"; }
	hv_all_back
}

# hostdev run: QEMU killed with SIGKILL; run gives everything back and says how it ended.
hv_run_sigkill() {
	hv_leftovers
	hv_run_start $HV_T-small.xml
	kill -9 $(hv_qemu_pids)
	hv_run_end 137 "hostdev run's release after SIGKILL (137: 128 + 9)"
}

hv_cleanup() {
	hv_leftovers
	hd mdev undefine "$HV_MDEV"
	hd sriov set "$HV_PF" 0
}

if check setup-hypervisor hv_setup; then
	check hv-qemu-opens-prepared hv_qemu_args
	check hv-run-quit-second-owner hv_run_quit
	check hv-run-qemu-sigkill hv_run_sigkill
	check hv-libvirt-hook-refused-while-run-holds hv_run_libvirt_hook
	check hv-cleanup hv_cleanup
fi
