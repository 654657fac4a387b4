#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Regenerates the tree of a host whose devices go to virtual machines (sys/, proc/, dev/, etc/ beside this script).
#
# It is the manager's tree (../manager: the q35-like host, its e1000e, igb pair, ICH9 group, root disk ...)
# with, for prepare and release:
#   00:05.0  xHCI (group 9): usb1 root hub; 1-1 the gadget 0204:6025 (bus 1 device 2);
#            1-2 and 1-3 two alike 046d:c52b receivers (devices 3 and 4)
#   scsi_debug host2 (pseudo_0/adapter0): LUNs 2:0:0:0 (sdb, sg1) and 2:0:0:1 (sdc, sg2);
#            the root disk's LUN 0:0:0:0 (sda, sg0) under the AHCI controller
#   mtty     mdev parent (mtty-1 vfio-pci, mtty-2 vfio-pci): instance 7c8d4a2e-... running (group 20);
#            83b8f4f2-... defined in etc/mdevctl.d, not running
#   00:07.0  root port -> 03:00.0 i40e PF enp3s0f0 (group 10), 64 VFs possible, 2 enabled:
#            03:02.0 and 03:02.1 on iavf (groups 11, 12); VF 0's admin MAC is 02:00:00:00:03:00 (.emulator/vfnet)
set -eu
cd "$(dirname "$0")"
rm -rf sys proc dev etc .emulator emulator-ids
cp -a ../manager/sys ../manager/proc ../manager/dev ../manager/emulator-ids .
S=sys

lnk() { # lnk TARGET LINK (both relative to this folder): a relative link, as sysfs has
	mkdir -p "$(dirname "$2")"
	ln -sfn "$(realpath -m --relative-to="$(dirname "$2")" "$1")" "$2"
}
put() { mkdir -p "$(dirname "$1")"; printf '%s\n' "$2" > "$1"; }

cat >> emulator-ids <<'EOF'
xhci_hcd * * 0x0c0330
i40e 0x8086 0x1572
iavf 0x8086 0x154c
EOF

for drv in xhci_hcd i40e iavf; do
	d=$S/bus/pci/drivers/$drv
	mkdir -p $d
	for f in bind unbind new_id remove_id; do : > $d/$f; done
	put $d/uevent ""
done

# dev ADDR PARENT_DIR VENDOR DEVICE CLASS DRIVER GROUP RESET_METHOD (as ../manager/make-tree.sh)
dev() {
	addr=$1 parent=$2 ven=$3 did=$4 class=$5 drv=$6 grp=$7 rm=$8
	d=$parent/$addr
	mkdir -p $d
	put $d/vendor "$ven"; put $d/device "$did"; put $d/class "$class"
	put $d/subsystem_vendor "$ven"; put $d/subsystem_device "0x0000"
	put $d/driver_override "(null)"; put $d/numa_node "-1"; put $d/enable "1"
	: > $d/remove
	if [ -n "$rm" ]; then put $d/reset_method "$rm"; : > $d/reset; fi
	lnk $S/bus/pci $d/subsystem
	lnk $d $S/bus/pci/devices/$addr
	mkdir -p $S/kernel/iommu_groups/$grp/devices
	lnk $S/kernel/iommu_groups/$grp $d/iommu_group
	lnk $d $S/kernel/iommu_groups/$grp/devices/$addr
	v=$(echo "$ven" | sed 's/^0x//' | tr a-f A-F); p=$(echo "$did" | sed 's/^0x//' | tr a-f A-F)
	c=$(echo "$class" | sed 's/^0x//' | tr a-f A-F)
	{
		[ "$drv" = - ] || echo "DRIVER=$drv"
		echo "PCI_CLASS=$c"; echo "PCI_ID=$v:$p"; echo "PCI_SUBSYS_ID=$v:0000"
		echo "PCI_SLOT_NAME=$addr"; echo "MODALIAS=pci:v0000${v}d0000${p}sv0000${v}sd00000000"
	} > $d/uevent
	if [ "$drv" != - ]; then
		lnk $S/bus/pci/drivers/$drv $d/driver
		lnk $d $S/bus/pci/drivers/$drv/$addr
	fi
}
R=$S/devices/pci0000:00

# USB: an xHCI controller and its root hub with three devices.
dev 0000:00:05.0 $R 0x1b36 0x000d 0x0c0330 xhci_hcd 9 "flr"
mkdir -p $S/bus/usb/devices $S/bus/usb/drivers/usb $S/bus/usb/drivers/hub
for d in usb hub; do : > $S/bus/usb/drivers/$d/bind; : > $S/bus/usb/drivers/$d/unbind; done
# usbdev DIR NAME BUS DEV VENDOR PRODUCT CLASS PRODUCT_NAME
usbdev() {
	u=$1/$2
	mkdir -p $u
	put $u/busnum "$3"; put $u/devnum "$4"; put $u/idVendor "$5"; put $u/idProduct "$6"
	put $u/bDeviceClass "$7"; put $u/product "$8"; put $u/speed "480"; put $u/version " 2.00"
	put $u/bNumConfigurations "1"; put $u/bConfigurationValue "1"; put $u/maxchild "0"
	put $u/dev "189:$(( ($3 - 1) * 128 + $4 - 1 ))"
	b=$(printf %03d "$3"); n=$(printf %03d "$4")
	put $u/uevent "DRIVER=usb
MAJOR=189
MINOR=$(( ($3 - 1) * 128 + $4 - 1 ))
DEVNAME=bus/usb/$b/$n
DEVTYPE=usb_device
PRODUCT=$(echo "$5" | sed 's/^0*//')/$(echo "$6" | sed 's/^0*//')/100
TYPE=$7/0/0
BUSNUM=$b
DEVNUM=$n"
	lnk $S/bus/usb $u/subsystem
	lnk $S/bus/usb/drivers/usb $u/driver
	lnk $u $S/bus/usb/devices/$2
	lnk $u $S/bus/usb/drivers/usb/$2
	mkdir -p dev/bus/usb/$b
	: > dev/bus/usb/$b/$n
}
# usbif DEVDIR NAME DRIVER: an interface, which prepare must not take for a device
usbif() {
	i=$1/$2
	mkdir -p $i
	put $i/bInterfaceNumber "00"; put $i/bInterfaceClass "03"; put $i/bInterfaceSubClass "01"
	put $i/bInterfaceProtocol "02"
	put $i/uevent "DEVTYPE=usb_interface
DRIVER=$3"
	lnk $S/bus/usb $i/subsystem
	lnk $i $S/bus/usb/devices/$2
}
X=$R/0000:00:05.0
usbdev $X usb1 1 1 1d6b 0002 09 "xHCI Host Controller"
put $X/usb1/maxchild "4"
usbif $X/usb1 1-0:1.0 hub
usbdev $X/usb1 1-1 1 2 0204 6025 00 "Gadget"
usbif $X/usb1/1-1 1-1:1.0 usbfs
usbdev $X/usb1 1-2 1 3 046d c52b 00 "USB Receiver"
usbif $X/usb1/1-2 1-2:1.0 usbhid
usbdev $X/usb1 1-3 1 4 046d c52b 00 "USB Receiver"
usbif $X/usb1/1-3 1-3:1.0 usbhid

# SCSI: the LUNs of scsi_debug's host2, and the root disk's LUN with its sg node.
mkdir -p $S/bus/scsi/devices $S/bus/scsi/drivers/sd $S/class/scsi_generic $S/class/scsi_host $S/bus/pseudo/devices
: > $S/bus/scsi/drivers/sd/bind; : > $S/bus/scsi/drivers/sd/unbind
# lun DIR H:B:T:U SGN [BLOCK MAJ:MIN]
lun() {
	l=$1/$2
	mkdir -p $l
	put $l/type "0"; put $l/vendor "Linux   "; put $l/model "scsi_debug      "; put $l/rev "0191"
	put $l/state "running"; put $l/uevent "DEVTYPE=scsi_device
DRIVER=sd
MODALIAS=scsi:t-0x00"
	lnk $S/bus/scsi $l/subsystem
	lnk $S/bus/scsi/drivers/sd $l/driver
	lnk $l $S/bus/scsi/devices/$2
	g=$l/scsi_generic/$3
	n=${3#sg}
	mkdir -p $g
	put $g/dev "21:$n"
	put $g/uevent "MAJOR=21
MINOR=$n
DEVNAME=$3"
	lnk $S/class/scsi_generic $g/subsystem
	lnk $g $S/class/scsi_generic/$3
	: > dev/$3
	if [ $# -ge 5 ] && [ ! -d $l/block/$4 ]; then
		b=$l/block/$4
		mkdir -p $b
		put $b/dev "$5"; put $b/uevent "MAJOR=${5%%:*}
MINOR=${5##*:}
DEVNAME=$4
DEVTYPE=disk"
		lnk $S/class/block $b/subsystem
		lnk $b $S/class/block/$4
		lnk $b $S/dev/block/$5
	fi
}
A=$S/devices/pseudo_0/adapter0
mkdir -p $A
put $S/devices/pseudo_0/uevent ""
put $A/uevent "DRIVER=adapter_driver"
lnk $S/bus/pseudo $A/subsystem
lnk $A $S/bus/pseudo/devices/adapter0
H=$A/host2
mkdir -p $H/scsi_host/host2
put $H/uevent "DEVTYPE=scsi_host"
lnk $S/bus/scsi $H/subsystem
lnk $H $S/bus/scsi/devices/host2
put $H/scsi_host/host2/proc_name "scsi_debug"; put $H/scsi_host/host2/unique_id "2"
put $H/scsi_host/host2/uevent ""
lnk $S/class/scsi_host $H/scsi_host/host2/subsystem
lnk $H/scsi_host/host2 $S/class/scsi_host/host2
T=$H/target2:0:0
mkdir -p $T; put $T/uevent "DEVTYPE=scsi_target"
lnk $S/bus/scsi $T/subsystem
lnk $T $S/bus/scsi/devices/target2:0:0
lun $T 2:0:0:0 sg1 sdb 8:16
lun $T 2:0:0:1 sg2 sdc 8:32
RT=$R/0000:00:1f.2/ata1/host0/target0:0:0
lun $RT 0:0:0:0 sg0
lnk $R/0000:00:1f.2/ata1/host0 $S/bus/scsi/devices/host0

# mdev: the mtty sample driver, one instance running, one defined only.
M=$S/devices/virtual/mtty/mtty
mkdir -p $M $S/bus/mdev/devices $S/bus/mdev/drivers/vfio_mdev $S/class/mdev_bus $S/class/mtty
: > $S/bus/mdev/drivers/vfio_mdev/bind; : > $S/bus/mdev/drivers/vfio_mdev/unbind
put $M/uevent "MAJOR=237
MINOR=0
DEVNAME=mtty"
lnk $S/class/mtty $M/subsystem
lnk $M $S/class/mtty/mtty
lnk $M $S/class/mdev_bus/mtty
# mtype ID NAME API AVAILABLE
mtype() {
	t=$M/mdev_supported_types/$1
	mkdir -p $t/devices
	: > $t/devices/.keep # git keeps no empty folder
	put $t/name "$2"; put $t/device_api "$3"; put $t/available_instances "$4"
	: > $t/create
}
mtype mtty-1 "Single port serial" vfio-pci 24
mtype mtty-2 "Dual port serial" vfio-pci 11
U=7c8d4a2e-1f3b-4c5d-8e9f-0a1b2c3d4e5f
I=$M/$U
mkdir -p $I
put $I/uevent "MDEV_TYPE=mtty-2
DRIVER=vfio_mdev"
: > $I/remove
lnk $M/mdev_supported_types/mtty-2 $I/mdev_type
lnk $S/bus/mdev $I/subsystem
lnk $S/bus/mdev/drivers/vfio_mdev $I/driver
lnk $I $S/bus/mdev/devices/$U
lnk $I $M/mdev_supported_types/mtty-2/devices/$U
mkdir -p $S/kernel/iommu_groups/20/devices
lnk $S/kernel/iommu_groups/20 $I/iommu_group
lnk $I $S/kernel/iommu_groups/20/devices/$U
: > dev/vfio/20
D=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
mkdir -p etc/mdevctl.d/mtty
printf '{\n  "mdev_type": "mtty-1",\n  "start": "manual",\n  "attrs": []\n}\n' > etc/mdevctl.d/mtty/$D

# SR-IOV: an i40e PF with two of its VFs enabled.
dev 0000:00:07.0 $R 0x8086 0x29c4 0x060400 pcieport 13 ""
P=$R/0000:00:07.0/0000:03:00.0
dev 0000:03:00.0 $R/0000:00:07.0 0x8086 0x1572 0x020000 i40e 10 "flr"
put $P/sriov_totalvfs "64"; put $P/sriov_numvfs "2"; put $P/sriov_offset "16"; put $P/sriov_stride "1"
put $P/sriov_vf_device "154c"; put $P/sriov_drivers_autoprobe "1"
N=$P/net/enp3s0f0
mkdir -p $N
put $N/address "3c:fd:fe:00:03:00"; put $N/operstate "up"; put $N/ifindex "10"
put $N/uevent "INTERFACE=enp3s0f0
IFINDEX=10"
lnk $S/class/net $N/subsystem
lnk $P $N/device
lnk $N $S/class/net/enp3s0f0
for i in 0 1; do
	a=0000:03:02.$i
	dev $a $R/0000:00:07.0 0x8086 0x154c 0x020000 iavf $((11 + i)) "flr"
	put $R/0000:00:07.0/$a/enable "0"
	lnk $P $R/0000:00:07.0/$a/physfn
	lnk $R/0000:00:07.0/$a $P/virtfn$i
done
mkdir -p .emulator/vfnet/enp3s0f0
printf '02:00:00:00:03:00 0 0\n' > .emulator/vfnet/enp3s0f0/0
