# SPDX-License-Identifier: LGPL-2.1-or-later
# Loads the lab's drivers and makes its devices: SCSI hosts, a USB gadget, an mdev parent.

setup_modules() {
	modprobe configfs
	grep -q " /sys/kernel/config " /proc/mounts || mount -t configfs configfs /sys/kernel/config
	for m in vfio-pci vfio_iommu_type1 mdev e1000e nvme xhci-pci sg sd_mod; do
		modprobe "$m" || fail "modprobe $m failed"
	done
	modprobe scsi_debug num_tgts=2 max_luns=2 || fail "modprobe scsi_debug failed"
	modprobe dummy_hcd || fail "modprobe dummy_hcd failed"
	modprobe libcomposite || fail "modprobe libcomposite failed"
	modprobe usb_f_acm || fail "modprobe usb_f_acm failed"
	insmod /lib/modules/$(uname -r)/extra/mtty.ko || fail "insmod mtty.ko failed"
}

scsi_ready() { [ "$(ls -d /sys/bus/scsi/devices/*:*:*:* 2>/dev/null | wc -l)" -ge 4 ] &&
	[ "$(ls /sys/class/scsi_generic 2>/dev/null | wc -l)" -ge 4 ]; }
setup_scsi() {
	wait_for 20 scsi_ready || fail "scsi_debug: expected 4 LUNs with sg nodes, have: $(ls /sys/bus/scsi/devices | tr '\n' ' ')"
}

GADGET=/sys/kernel/config/usb_gadget/g1
setup_gadget() {
	mkdir -p $GADGET
	echo 0x0204 > $GADGET/idVendor
	echo 0x6025 > $GADGET/idProduct
	mkdir -p $GADGET/strings/0x409
	echo hostdev-lab > $GADGET/strings/0x409/manufacturer
	echo lab-acm > $GADGET/strings/0x409/product
	echo 0001 > $GADGET/strings/0x409/serialnumber
	mkdir -p $GADGET/configs/c.1 $GADGET/functions/acm.usb0
	ln -s $GADGET/functions/acm.usb0 $GADGET/configs/c.1/
	udc=$(ls /sys/class/udc | head -n 1)
	[ -n "$udc" ] || fail "no UDC under /sys/class/udc"
	echo "$udc" > $GADGET/UDC
	wait_for 20 gadget_dev > /dev/null || fail "gadget 0204:6025 did not appear on the USB bus"
	echo "# gadget is $(gadget_dev)"
}

check setup-modules setup_modules
check setup-scsi_debug setup_scsi
check setup-usb-gadget setup_gadget
check setup-mtty test -d /sys/class/mdev_bus/mtty
check setup-hostdev-runs hd --help
record_state base

# How long one full listing takes in this guest (TCG is some 10-50x slower than the host).
_t0=$(cut -d' ' -f1 /proc/uptime)
hostdev list -J -o "$LIST_COLS" > /dev/null 2>&1 || true
_t1=$(cut -d' ' -f1 /proc/uptime)
echo "# hostdev list -J took $(awk "BEGIN { print $_t1 - $_t0 }")s; $(jq '.devices | length' /tmp/live.json 2>/dev/null || echo '?') devices"
_t0=$(cut -d' ' -f1 /proc/uptime)
jq . /dev/null < /dev/null > /dev/null 2>&1 || true
_t1=$(cut -d' ' -f1 /proc/uptime)
echo "# jq start-up took $(awk "BEGIN { print $_t1 - $_t0 }")s"
