#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Regenerates the manager's hand-made sysfs/proc tree beside this script (sys/, proc/, dev/).
#
# The host it describes: an Intel q35-like machine with the IOMMU on.
#   00:00.0 host bridge (group 0)          00:01.0 root port -> 01:00.0 e1000e NIC (group 2)
#   00:02.0 virtio-net, eth0 carries the default route (group 3)
#   00:03.0 root port -> 02:00.0 + 02:00.1 igb, reset only by bus (group 5)
#   00:04.0 NVMe: nvme0n1p1 is swap, nvme0n1p2 backs dm-0 mounted on /srv (group 6)
#   00:1f.0 ISA bridge + 00:1f.2 AHCI (sda1 is "/") + 00:1f.3 SMBus: the ICH9 group 7
#   00:06.0 HD audio without any reset method (group 8)
# emulator-ids tells the kernel emulator which driver matches which vendor/device.
set -eu
cd "$(dirname "$0")"
rm -rf sys proc dev
S=sys

lnk() { # lnk TARGET LINK (both relative to this folder): a relative link, as sysfs has
	mkdir -p "$(dirname "$2")"
	ln -s "$(realpath -m --relative-to="$(dirname "$2")" "$1")" "$2"
}
put() { mkdir -p "$(dirname "$1")"; printf '%s\n' "$2" > "$1"; }

mkdir -p $S/bus/pci/devices $S/bus/pci/drivers $S/kernel/iommu_groups $S/class/net $S/class/block \
	$S/dev/block $S/devices/virtual/iommu/dmar0 $S/class/iommu dev/vfio
put $S/bus/pci/drivers_probe ""
put $S/bus/pci/drivers_autoprobe "1"
put $S/bus/pci/rescan ""
: > dev/vfio/vfio
lnk $S/devices/virtual/iommu/dmar0 $S/class/iommu/dmar0
put $S/devices/virtual/iommu/dmar0/uevent ""

for drv in e1000e igb virtio-pci nvme ahci lpc_ich i801_smbus snd_hda_intel pcieport vfio-pci pci-stub; do
	d=$S/bus/pci/drivers/$drv
	mkdir -p $d
	for f in bind unbind new_id remove_id; do : > $d/$f; done
	put $d/uevent ""
done

# dev ADDR PARENT_DIR VENDOR DEVICE CLASS DRIVER GROUP RESET_METHOD
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
mkdir -p $R; put $R/uevent ""
dev 0000:00:00.0 $R 0x8086 0x29c0 0x060000 - 0 ""
dev 0000:00:01.0 $R 0x8086 0x29c1 0x060400 pcieport 1 ""
dev 0000:01:00.0 $R/0000:00:01.0 0x8086 0x10d3 0x020000 e1000e 2 "flr bus"
dev 0000:00:02.0 $R 0x1af4 0x1041 0x020000 virtio-pci 3 "flr"
dev 0000:00:03.0 $R 0x8086 0x29c2 0x060400 pcieport 4 ""
dev 0000:02:00.0 $R/0000:00:03.0 0x8086 0x10c9 0x020000 igb 5 "bus"
dev 0000:02:00.1 $R/0000:00:03.0 0x8086 0x10c9 0x020000 igb 5 "bus"
dev 0000:00:04.0 $R 0x1b36 0x0010 0x010802 nvme 6 "flr"
dev 0000:00:06.0 $R 0x8086 0x293e 0x040300 snd_hda_intel 8 ""
dev 0000:00:1f.0 $R 0x8086 0x2918 0x060100 lpc_ich 7 ""
dev 0000:00:1f.2 $R 0x8086 0x2922 0x010601 ahci 7 ""
dev 0000:00:1f.3 $R 0x8086 0x2930 0x0c0500 i801_smbus 7 "bus"

# netdev PCIDIR SUBPATH IFNAME MAC
netdev() {
	n=$1/$2
	mkdir -p $n
	put $n/address "$4"; put $n/operstate "up"; put $n/ifindex "$5"
	put $n/uevent "INTERFACE=$3
IFINDEX=$5"
	lnk $S/class/net $n/subsystem
	lnk $n $S/class/net/$3
}
netdev $R/0000:00:01.0/0000:01:00.0 net/enp1s0 enp1s0 52:54:00:00:01:00 3
mkdir -p $R/0000:00:02.0/virtio0; put $R/0000:00:02.0/virtio0/uevent "DRIVER=virtio_net"
netdev $R/0000:00:02.0 virtio0/net/eth0 eth0 52:54:00:00:02:00 2
lnk $S/devices/virtual/net/lo $S/class/net/lo
put $S/devices/virtual/net/lo/address "00:00:00:00:00:00"

# blk DIR NAME MAJ:MIN
blk() {
	b=$1/$2
	mkdir -p $b
	put $b/dev "$3"; put $b/uevent "MAJOR=${3%%:*}
MINOR=${3##*:}
DEVNAME=$2"
	lnk $S/class/block $b/subsystem
	lnk $b $S/class/block/$2
	lnk $b $S/dev/block/$3
}
SDA=$R/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block
blk $SDA sda 8:0
blk $SDA/sda sda1 8:1
NVME=$R/0000:00:04.0/nvme/nvme0
blk $NVME nvme0n1 259:0
blk $NVME/nvme0n1 nvme0n1p1 259:1
blk $NVME/nvme0n1 nvme0n1p2 259:2
blk $S/devices/virtual/block dm-0 254:0
put $S/devices/virtual/block/dm-0/dm/name "vg-srv"
lnk $NVME/nvme0n1/nvme0n1p2 $S/devices/virtual/block/dm-0/slaves/nvme0n1p2
lnk $S/devices/virtual/block/dm-0 $NVME/nvme0n1/nvme0n1p2/holders/dm-0

mkdir -p proc/self proc/net
cat > proc/self/mountinfo <<'EOM'
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
25 22 0:5 / /dev rw,nosuid shared:8 - devtmpfs udev rw,size=4010000k,mode=755
26 22 254:0 / /srv rw,relatime shared:30 - xfs /dev/mapper/vg-srv rw
27 22 0:25 / /run rw,nosuid,nodev shared:13 - tmpfs tmpfs rw,mode=755
EOM
cat > proc/swaps <<'EOM'
Filename				Type		Size		Used		Priority
/dev/nvme0n1p1                          partition	1048572		0		-2
EOM
cat > proc/net/route <<'EOM'
Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
eth0	00000000	0202000A	0003	0	0	100	00000000	0	0	0
eth0	0002000A	00000000	0001	0	0	100	00FFFFFF	0	0	0
enp1s0	0001A8C0	00000000	0001	0	0	0	00FFFFFF	0	0	0
EOM
: > proc/net/ipv6_route
