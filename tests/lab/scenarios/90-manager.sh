# SPDX-License-Identifier: LGPL-2.1-or-later
# The manager on the real kernel: the e1000e to vfio-pci and back, IOMMU group viability, a domain with a PCI
# device, the USB gadget, a scsi_debug LUN and an mtty mdev prepared and released, and the same killed half-way.

E1000E=$(pci_of 0x8086 0x10d3 || true)
drv_of() { link_name /sys/bus/pci/devices/$1/driver; }
group_of() { link_name /sys/bus/pci/devices/$1/iommu_group; }
nothing_active() {
	out=$(hostdev active 2>&1)
	[ "$out" = "no device is held or detached" ] || { echo "$out"; fail "hostdev active still lists devices"; }
}

mgr_detach_e1000e() {
	[ -n "$E1000E" ] || fail "no e1000e (8086:10d3) in the guest"
	g=$(group_of $E1000E)
	[ "$(drv_of $E1000E)" = e1000e ] || fail "$E1000E starts on $(drv_of $E1000E), not e1000e"
	[ ! -e /dev/vfio/$g ] || fail "/dev/vfio/$g exists before the detach"
	hd detach $E1000E
	[ "$(drv_of $E1000E)" = vfio-pci ] || fail "after detach $E1000E is on $(drv_of $E1000E)"
	wait_for 5 test -e /dev/vfio/$g || fail "/dev/vfio/$g did not appear"
	[ "$(cat /sys/bus/pci/devices/$E1000E/driver_override)" = vfio-pci ] || fail "driver_override is not vfio-pci"
	hostdev active | grep -q "^pci  *$E1000E  *detached " || fail "active does not list $E1000E as detached"
	echo "# $E1000E on vfio-pci, /dev/vfio/$g"
}

mgr_reattach_e1000e() {
	g=$(group_of $E1000E)
	hd reattach $E1000E
	[ "$(drv_of $E1000E)" = e1000e ] || fail "after reattach $E1000E is on $(drv_of $E1000E)"
	wait_for 5 sh -c "! test -e /dev/vfio/$g" || fail "/dev/vfio/$g is still there"
	[ "$(cat /sys/bus/pci/devices/$E1000E/driver_override)" = "(null)" ] || fail "driver_override is not cleared"
	nothing_active
}

# The ICH9 functions share one group. In this guest none of them has a driver (lpc_ich, ahci and i2c_i801
# are not loaded), so the group is viable as it is; it stops being viable for a second guest once one of
# its endpoints belongs to a first, and one guest takes it whole.
ICH9="0000:00:1f.0 0000:00:1f.2 0000:00:1f.3"
ich9_xml() {   # a <devices> of managed PCI hostdevs, one per address
	echo "<devices>"
	for a in "$@"; do
		f=${a##*.}; s=${a#*:*:}; s=${s%.*}
		echo "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x00' slot='0x$s' function='0x$f'/></source></hostdev>"
	done
	echo "</devices>"
}
mgr_ich9_group() {
	for a in $ICH9; do [ -d /sys/bus/pci/devices/$a ] || skip_check "no $a in this machine"; done
	g=$(group_of 0000:00:1f.0)
	for a in $ICH9; do [ "$(group_of $a)" = "$g" ] || fail "$a is in group $(group_of $a), 1f.0 in $g"; done
	echo "# group $g: $(for a in $ICH9; do echo "$a=$(drv_of $a)"; done | tr '\n' ' ')"
	hd check 0000:00:1f.3 > /tmp/ich9-check.txt || true
	grep -q "group $g is viable" /tmp/ich9-check.txt || { cat /tmp/ich9-check.txt; fail "check 1f.3: the group is not reported viable"; }
	ich9_xml 0000:00:1f.0 > /tmp/ich9-a.xml
	hd prepare --owner lab:ich9-a /tmp/ich9-a.xml > /dev/null
	[ "$(drv_of 0000:00:1f.0)" = vfio-pci ] || fail "1f.0 is on $(drv_of 0000:00:1f.0) for ich9-a"
	ich9_xml 0000:00:1f.3 > /tmp/ich9-b.xml
	if hostdev prepare --owner lab:ich9-b /tmp/ich9-b.xml > /tmp/ich9-b.out 2>&1; then
		fail "ich9-b got 1f.3 while ich9-a holds 1f.0 of the same group"
	fi
	grep -q "IOMMU group $g of 0000:00:1f.3 is not viable: 0000:00:1f.0 (held by lab:ich9-a" /tmp/ich9-b.out ||
		{ cat /tmp/ich9-b.out; fail "the refusal does not name 1f.0 and its owner"; }
	[ "$(drv_of 0000:00:1f.3)" = null ] || fail "1f.3 moved to $(drv_of 0000:00:1f.3) though refused"
	hd release --owner lab:ich9-a > /dev/null
	ich9_xml $ICH9 > /tmp/ich9-all.xml
	hd prepare --owner lab:ich9-b /tmp/ich9-all.xml > /dev/null
	for a in $ICH9; do [ "$(drv_of $a)" = vfio-pci ] || fail "$a is on $(drv_of $a) with the whole group prepared"; done
	wait_for 5 test -e /dev/vfio/$g || fail "/dev/vfio/$g did not appear"
	hd release --owner lab:ich9-b > /dev/null
	for a in $ICH9; do [ "$(drv_of $a)" = null ] || fail "$a is on $(drv_of $a) after release, had none"; done
	wait_for 5 sh -c "! test -e /dev/vfio/$g" || fail "/dev/vfio/$g is still there after release"
	nothing_active
}

SD_HOST=$(ls -d /sys/bus/pseudo/drivers/scsi_debug/adapter*/host* 2>/dev/null | head -n 1)
SD_H=${SD_HOST##*/host}
MDEV_U=$(cat /proc/sys/kernel/random/uuid)

mgr_setup() {
	[ -n "$SD_H" ] || fail "no scsi_debug host"
	[ -n "$E1000E" ] || fail "no e1000e"
	# A replug first: the gadget is found by vendor/product wherever it is now.
	gadget_replug
	hd mdev define --parent mtty --type mtty-1 --uuid "$MDEV_U" > /dev/null
	[ ! -e /sys/bus/mdev/devices/$MDEV_U ] || fail "the defined mdev runs already"
	bdf=${E1000E#*:}
	cat > /tmp/labvm.xml <<EOF
<domain type='kvm'>
  <name>labvm</name>
  <uuid>5a1c0e2d-9b8f-4c3a-8e7d-6f5a4b3c2d1e</uuid>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x${bdf%%:*}' slot='0x$(echo ${bdf#*:} | cut -d. -f1)' function='0x${bdf##*.}'/></source>
    </hostdev>
    <hostdev mode='subsystem' type='usb'>
      <source><vendor id='0x0204'/><product id='0x6025'/></source>
    </hostdev>
    <hostdev mode='subsystem' type='scsi'>
      <source><adapter name='scsi_host$SD_H'/><address bus='0' target='0' unit='0'/></source>
    </hostdev>
    <hostdev mode='subsystem' type='mdev' model='vfio-pci'>
      <source><address uuid='$MDEV_U'/></source>
    </hostdev>
  </devices>
</domain>
EOF
}

# Every device as the host had it, and nothing recorded.
all_back() {
	[ "$(drv_of $E1000E)" = e1000e ] || fail "$E1000E is on $(drv_of $E1000E), not e1000e"
	[ "$(cat /sys/bus/pci/devices/$E1000E/driver_override)" = "(null)" ] || fail "$E1000E keeps a driver_override"
	[ ! -e /sys/bus/mdev/devices/$MDEV_U ] || fail "mdev $MDEV_U still runs"
	nothing_active
}

mgr_prepare_release() {
	g=$(group_of $E1000E)
	d=$(gadget_dev) || fail "no gadget"
	usbkey=$(printf '%03d:%03d 0204:6025' $(cat $d/busnum) $(cat $d/devnum))
	sg=$(ls /sys/bus/scsi/devices/$SD_H:0:0:0/scsi_generic)
	hd prepare --owner qemu /tmp/labvm.xml > /tmp/labvm.out
	cat /tmp/labvm.out
	[ "$(drv_of $E1000E)" = vfio-pci ] || fail "$E1000E is on $(drv_of $E1000E)"
	wait_for 5 test -e /dev/vfio/$g || fail "/dev/vfio/$g did not appear"
	[ -e /sys/bus/mdev/devices/$MDEV_U ] || fail "the defined mdev was not started"
	hostdev active > /tmp/labvm.active
	cat /tmp/labvm.active
	grep -q "^usb  *$usbkey  *held  *qemu:labvm " /tmp/labvm.active || fail "active: no usb $usbkey held by qemu:labvm"
	grep -q "^scsi  *$SD_H:0:0:0  *held .* /dev/$sg " /tmp/labvm.active || fail "active: no scsi $SD_H:0:0:0 on /dev/$sg"
	grep -q "^mdev  *$MDEV_U  *held .*stopped (hostdev started it)" /tmp/labvm.active || fail "active: the mdev is not recorded as started"
	hd qemu-args /tmp/labvm.xml > /tmp/labvm.args
	cat /tmp/labvm.args
	grep -qx -- "-device vfio-pci,host=$E1000E,id=hostdev0" /tmp/labvm.args || fail "qemu-args: no vfio-pci for $E1000E"
	grep -qx -- "-device usb-host,hostbus=$(cat $d/busnum),hostaddr=$(cat $d/devnum),id=hostdev1" /tmp/labvm.args ||
		fail "qemu-args: the gadget is not where sysfs has it"
	grep -q "^-drive file=/dev/$sg," /tmp/labvm.args || fail "qemu-args: no -drive for /dev/$sg"
	grep -qx -- "-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$MDEV_U,id=hostdev3" /tmp/labvm.args || fail "qemu-args: no mdev"
	if hostdev prepare --owner qemu:other /tmp/labvm.xml > /tmp/other.out 2>&1; then
		fail "a second owner got the devices"
	fi
	grep -q "is held by qemu:labvm (5a1c0e2d" /tmp/other.out || { cat /tmp/other.out; fail "the second owner is not told who holds them"; }
	hd release --owner qemu:labvm > /dev/null
	wait_for 5 sh -c "! test -e /dev/vfio/$g" || fail "/dev/vfio/$g is still there"
	all_back
	hostdev mdev list --defined | grep -q "$MDEV_U" || fail "the mdev's definition went with it"
}

# Killed at its Nth sysfs write (journaled, not taken), for each step: recover puts everything back.
# hostdev-crashtest is hostdev built with that seam (tests/hostdev-crashtest.c); the shipped one has none.
mgr_killed() {
	what=$1 steps=$2
	n=1
	while [ $n -le $steps ]; do
		if [ "$what" = release ]; then
			hd prepare --owner qemu /tmp/labvm.xml > /dev/null
			HOSTDEV_TEST_KILL_AT_WRITE=$n hostdev-crashtest release --owner qemu:labvm > /dev/null 2>&1 && rc=0 || rc=$?
		else
			HOSTDEV_TEST_KILL_AT_WRITE=$n hostdev-crashtest prepare --owner qemu /tmp/labvm.xml > /dev/null 2>&1 && rc=0 || rc=$?
		fi
		[ $rc = 137 ] || fail "$what was not killed at step $n (exit $rc)"
		hostdev active | grep -q " busy " || fail "$what killed at step $n: nothing busy in the store"
		hd recover > /tmp/recover.out
		grep -q "the $what for qemu:labvm left by pid [0-9]* .* is $([ $what = prepare ] && echo undone || echo finished)" /tmp/recover.out ||
			{ cat /tmp/recover.out; fail "recover did not report the $what"; }
		all_back
		echo "# $what killed at step $n of $steps: recovered"
		n=$((n + 1))
	done
}
mgr_killed_prepare() { mgr_killed prepare 4; }
mgr_killed_release() { mgr_killed release 4; }

if check mgr-detach-e1000e mgr_detach_e1000e; then
	check mgr-reattach-e1000e mgr_reattach_e1000e
fi
check mgr-ich9-group-viability mgr_ich9_group
if check setup-mgr-domain mgr_setup; then
	check mgr-prepare-release mgr_prepare_release
	check mgr-killed-prepare mgr_killed_prepare
	check mgr-killed-release mgr_killed_release
fi
