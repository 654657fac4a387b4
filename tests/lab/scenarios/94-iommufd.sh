# SPDX-License-Identifier: LGPL-2.1-or-later
# The VFIO cdev and iommufd on the real kernel: with the e1000e on vfio-pci, hostdev names its cdev exactly when the
# kernel made vfio-dev/vfioN/dev (CONFIG_VFIO_DEVICE_CDEV), says nothing where it made the folder alone (Debian's
# 6.12) or none (older kernels), and qemu-args --iommufd gives the iommufd form or refuses naming the device and why.

IOFD_NIC=$(pci_of 0x8086 0x10d3 || true)
iofd_drv() { link_name /sys/bus/pci/devices/$1/driver; }
# What the kernel shows: "dev N" (vfio-dev/vfioN/dev there), "folder" (vfioN without dev), "none" (no vfio-dev).
iofd_kernel_cdev() {
	for _d in /sys/bus/pci/devices/$1/vfio-dev/vfio*; do
		[ -d "$_d" ] || continue
		if [ -e "$_d/dev" ]; then echo "dev $(basename "$_d")"; else echo folder; fi
		return 0
	done
	echo none
}

iofd_prepare() {
	[ -n "$IOFD_NIC" ] || fail "no e1000e (8086:10d3) in the guest"
	cat > /tmp/iofd.xml <<XML
<domain type='kvm'><name>iofd</name><devices>
<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x$(echo $IOFD_NIC | cut -d: -f2)' slot='0x$(echo $IOFD_NIC | cut -d: -f3 | cut -d. -f1)' function='0x$(echo $IOFD_NIC | cut -d. -f2)'/></source></hostdev>
</devices></domain>
XML
	hd prepare --owner lab /tmp/iofd.xml > /tmp/iofd.out
	[ "$(iofd_drv $IOFD_NIC)" = vfio-pci ] || fail "after prepare $IOFD_NIC is on $(iofd_drv $IOFD_NIC)"
	echo "# kernel $(uname -r): $IOFD_NIC vfio-dev: $(iofd_kernel_cdev $IOFD_NIC); /dev/iommu: $([ -c /dev/iommu ] && echo yes || echo no)"
}

# show, list, active and prepare's report against what the kernel made.
iofd_reported() {
	k=$(iofd_kernel_cdev $IOFD_NIC)
	hdjson /tmp/iofd.json show "$IOFD_NIC" --json
	got=$(jqf '.vfio_cdev // "none"' /tmp/iofd.json)
	hostdev active > /tmp/iofd-active.txt 2>&1
	case $k in
	dev\ *)
		want=/dev/vfio/devices/${k#dev }
		[ "$got" = "$want" ] || fail "show --json vfio_cdev '$got', the kernel made $want"
		[ -c "$want" ] || fail "$want is not a character device"
		grep -q "cdev $want" /tmp/iofd.out || fail "prepare's report does not name $want: $(cat /tmp/iofd.out)"
		grep -q "$want" /tmp/iofd-active.txt || fail "active does not name $want: $(cat /tmp/iofd-active.txt)"
		;;
	*)
		[ "$got" = none ] || fail "show --json says vfio_cdev '$got', but the kernel made no vfio-dev/vfioN/dev ($k)"
		grep -q "vfio/devices" /tmp/iofd.out /tmp/iofd-active.txt && fail "prepare or active names a cdev the kernel lacks"
		echo "# no cdev ($k): nothing claimed"
		;;
	esac
}

# check says whether the host offers iommufd.
iofd_check() {
	hostdev check "$IOFD_NIC" > /tmp/iofd-check.txt 2>&1 || true
	if [ -c /dev/iommu ]; then
		grep -q "iommufd's /dev/iommu is there" /tmp/iofd-check.txt || { cat /tmp/iofd-check.txt; fail "check does not say /dev/iommu is there"; }
	else
		grep -q "no /dev/iommu" /tmp/iofd-check.txt || { cat /tmp/iofd-check.txt; fail "check does not say /dev/iommu is missing"; }
	fi
}

# qemu-args --iommufd: the iommufd form with /dev/iommu and a cdev, else a refusal naming the device and the reason.
iofd_qemu_args() {
	k=$(iofd_kernel_cdev $IOFD_NIC)
	if hostdev qemu-args --iommufd /tmp/iofd.xml > /tmp/iofd-args.txt 2>&1; then
		[ -c /dev/iommu ] && [ "${k%% *}" = dev ] || fail "qemu-args --iommufd succeeded without /dev/iommu or a cdev: $(cat /tmp/iofd-args.txt)"
		grep -qx "\-object iommufd,id=iommufd0" /tmp/iofd-args.txt || fail "no -object iommufd: $(cat /tmp/iofd-args.txt)"
		grep -q "^-device vfio-pci,host=$IOFD_NIC,iommufd=iommufd0" /tmp/iofd-args.txt || fail "no iommufd= on the device: $(cat /tmp/iofd-args.txt)"
		return 0
	fi
	grep -q "$IOFD_NIC" /tmp/iofd-args.txt || fail "the refusal does not name $IOFD_NIC: $(cat /tmp/iofd-args.txt)"
	if [ ! -c /dev/iommu ]; then
		grep -q "no /dev/iommu" /tmp/iofd-args.txt || fail "refused, but not for /dev/iommu: $(cat /tmp/iofd-args.txt)"
	else
		grep -q "has no VFIO cdev" /tmp/iofd-args.txt || fail "refused, but not for the cdev: $(cat /tmp/iofd-args.txt)"
	fi
	echo "# refused: $(cat /tmp/iofd-args.txt)"
	# the group form still works
	hd qemu-args /tmp/iofd.xml | grep -q "^-device vfio-pci,host=$IOFD_NIC" || fail "qemu-args without --iommufd failed"
}

iofd_release() {
	hd release --owner lab /tmp/iofd.xml > /dev/null
	[ "$(iofd_drv $IOFD_NIC)" = e1000e ] || fail "after release $IOFD_NIC is on $(iofd_drv $IOFD_NIC)"
	[ "$(iofd_kernel_cdev $IOFD_NIC)" = none ] || fail "vfio-dev is still there after release"
	hostdev show --json "$IOFD_NIC" | grep -q vfio_cdev && fail "show still names a cdev after release"
	return 0
}

if check iommufd-prepare iofd_prepare; then
	check iommufd-cdev-reported iofd_reported
	check iommufd-check iofd_check
	check iommufd-qemu-args iofd_qemu_args
	check iommufd-release iofd_release
fi
