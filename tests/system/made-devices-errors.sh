#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mdev, sriov, vhba and create refuse bad input on tests/data/trees/created with a clear error, a non-zero
# exit, and nothing written to the tree.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$DATA/trees/created" "$tmp/root"
export HOSTDEV_MDEVCTL_DIR="$tmp/defs"
H=("$HOSTDEV" --sysroot "$tmp/root")
U=11111111-2222-3333-4444-555555555555
snapshot() { (cd "$tmp/root" && find . -printf '%p %s %l\n' | sort && cat sys/devices/pci0000:00/*/sriov_numvfs \
        sys/devices/virtual/mtty/mtty/mdev_supported_types/*/create sys/devices/pci0000:00/*/host*/fc_host/*/vport_create) |
        md5sum; }
before=$(snapshot)

expect_fail "mdev unknown type" 1 "mtty has no mdev type 'mtty-9'; see 'hostdev mdev types mtty'" \
        "${H[@]}" mdev create --parent mtty --type mtty-9
expect_fail "mdev unknown parent" 1 "'nosuch' is not a mediated device parent now; parents: 0000:00:02.0, mtty" \
        "${H[@]}" mdev create --parent nosuch --type mtty-1
expect_fail "mdev malformed UUID" 1 "'1234' is not a UUID" "${H[@]}" mdev create --parent mtty --type mtty-1 --uuid 1234
expect_fail "mdev create without type" 2 "create needs --parent and --type" "${H[@]}" mdev create --parent mtty
expect_fail "mdev bad attribute" 2 "--attr takes NAME=VALUE" "${H[@]}" mdev create --parent mtty --type mtty-1 --attr x
expect_fail "mdev attribute outside the device" 1 "cannot name an attribute" \
        "${H[@]}" mdev create --parent mtty --type mtty-1 --attr ../../remove=1
expect_fail "mdev attribute through a link" 1 "cannot name an attribute.*no '/'" \
        "${H[@]}" mdev create --parent mtty --type mtty-1 --attr subsystem/devices/$U/remove=1
expect_fail "mdev attribute remove" 1 "cannot name an attribute" \
        "${H[@]}" mdev define --parent mtty --type mtty-1 --auto --attr remove=1
expect_fail "mdev remove of nothing" 1 "is not running" "${H[@]}" mdev remove $U
expect_fail "mdev start of nothing" 1 "no mediated device $U is running or defined" "${H[@]}" mdev start $U
expect_fail "mdev unknown command" 2 "unknown command 'frob'" "${H[@]}" mdev frob
expect_fail "mdev autostart maybe" 2 "autostart takes on or off" "${H[@]}" mdev autostart $U maybe
expect_fail "sriov above total" 1 "0000:00:03.0 supports at most 4 virtual functions \(sriov_totalvfs\); 5 asked" \
        "${H[@]}" sriov set 0000:00:03.0 5
expect_fail "sriov not a PF" 1 "0000:00:05.0 cannot have virtual functions" "${H[@]}" sriov set 0000:00:05.0 1
expect_fail "sriov PF without driver" 1 "0000:00:04.0 has no driver bound" "${H[@]}" sriov set 0000:00:04.0 1
expect_fail "sriov not a number" 2 "'two' is not a number of VFs" "${H[@]}" sriov set 0000:00:03.0 two
expect_fail "sriov no such device" 1 "no PCI device '0000:00:1f.7'" "${H[@]}" sriov show 0000:00:1f.7
expect_fail "vhba parent without NPIV" 1 "scsi_host8 does not support NPIV" "${H[@]}" vhba create --parent scsi_host8
expect_fail "vhba malformed WWN" 1 "'12345' is not a WWN" "${H[@]}" vhba create --parent scsi_host5 --wwnn 12345 --wwpn 1001001a4a000001
expect_fail "vhba one name only" 1 "wwnn and wwpn together" "${H[@]}" vhba create --parent scsi_host5 --wwnn 2001001a4a000001
expect_fail "vhba parent twice" 2 "name the parent one way" "${H[@]}" vhba create --parent scsi_host5 --fabric-wwn 2002000573de9a81
expect_fail "vhba destroy a physical port" 1 "scsi_host5 is a physical HBA port, not a vHBA" "${H[@]}" vhba destroy scsi_host5
expect_fail "vhba no such host" 1 "no SCSI host scsi_host42" "${H[@]}" vhba destroy scsi_host42
echo '<device><parent>scsi_host5</parent><capability type="scsi_host"/></device>' > "$tmp/plain.xml"
expect_fail "create a SCSI host that is not FC" 1 "a vHBA is described by" "${H[@]}" create "$tmp/plain.xml"
echo '<device><capability type="pci"/>' > "$tmp/broken.xml"
expect_fail "create from broken XML" 1 "." "${H[@]}" create "$tmp/broken.xml"
if [ "$(snapshot)" = "$before" ] && [ ! -e "$tmp/defs" ]; then
        ok "refusals wrote nothing"
else
        notok "refusals wrote nothing" "the tree or the definitions changed"
fi

# Definitions: a second define of a UUID is refused and the first one is kept as it was.
"${H[@]}" mdev define --parent mtty --type mtty-1 --uuid $U > /dev/null
cp "$tmp/defs/mtty/$U" "$tmp/first"
expect_fail "mdev define twice" 1 "$U is defined on mtty already" "${H[@]}" mdev define --parent mtty --type mtty-2 --uuid $U
expect_fail "mdev define unknown type" 1 "mtty has no mdev type 'x'" "${H[@]}" mdev define --parent mtty --type x
expect_fail "mdev modify past the end" 1 "no attribute at index 3|has no attributes" "${H[@]}" mdev modify $U --delattr --index 3
if cmp -s "$tmp/first" "$tmp/defs/mtty/$U" && [ "$(ls -A "$tmp/defs/mtty")" = "$U" ]; then
        ok "refused changes left the definition as it was"
else
        notok "refused changes left the definition as it was" "$(ls -A "$tmp/defs/mtty")"
fi
finish
