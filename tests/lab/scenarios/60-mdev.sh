# SPDX-License-Identifier: LGPL-2.1-or-later
# mtty as a mediated-device parent: types with available instances, an instance made and removed.

MTTY=/sys/class/mdev_bus/mtty
TYPES=$MTTY/mdev_supported_types

# mtty's device (/sys/devices/virtual/mtty/mtty) is of a class libvirt does not list, so, as in
# `virsh nodedev-list`, it is no node device: its types are what `hostdev mdev types` reports.
mdev_parent_listed() {
	hdjson /tmp/mdev-types.json mdev types -J
	got=$(jqf '[.mdevtypes[] | select(.parent == "mtty") | .type] | join(" ")' /tmp/mdev-types.json)
	[ -n "$got" ] || fail "hostdev mdev types does not list the parent mtty"
}

# types_agree: every type in sysfs is among mtty's types with the same values
types_agree() {
	hdjson /tmp/mdev-types.json mdev types -J
	want=$(for t in $TYPES/*; do
		echo "${t##*/} $(cat $t/device_api) $(cat $t/available_instances) $(cat $t/name 2>/dev/null | tr ' ' _)"
	done | sort)
	got=$(jqf '.mdevtypes[] | select(.parent == "mtty") | "\(.type|s) \(.api|s) \(.available|s) \(.name|s|gsub(" "; "_"))"' /tmp/mdev-types.json | sort)
	if [ "$got" != "$want" ]; then
		echo "hostdev:"; echo "$got"; echo "sysfs:"; echo "$want"
		fail "mdev types of mtty differ from $TYPES"
	fi
	echo "# mtty: $(echo "$want" | tr '\n' ';')"
}

UUID=$(cat /proc/sys/kernel/random/uuid)
BEFORE=

create_mdev() {
	echo "$UUID" > $TYPES/mtty-2/create || fail "writing $UUID to mtty-2/create failed"
	wait_for 10 test -e /sys/bus/mdev/devices/$UUID || fail "/sys/bus/mdev/devices/$UUID did not appear"
}

mdev_listed() {
	name=$(mdev_name "$UUID")
	d=/sys/bus/mdev/devices/$UUID
	hdjson /tmp/mdev.json show "$UUID" --json
	want="$name mdev $(link_name $d/mdev_type) $UUID $(basename "$(readlink -f $d/..)") $(link_name $d/iommu_group)"
	got=$(jqf '"\(.name|s) " + (cap("mdev") | "\(.type|s) \(.mdev_type|bare|s) \(.uuid|s) \(.parent_addr|s) \(.iommu_group|bare|s)")' /tmp/mdev.json)
	[ "$got" = "$want" ] || fail "show $UUID: '$got', sysfs '$want'"
	hdlist /tmp/mdev-list.json
	got=$(lget /tmp/mdev-list.json name "$name" cap address iommu)
	[ "$got" = "mdev $UUID $(link_name $d/iommu_group)" ] || fail "list: $name cap/address/iommu '$got', want 'mdev $UUID $(link_name $d/iommu_group)'"
	hdjson /tmp/mdev2.json show "$name" --json
	cmp -s /tmp/mdev.json /tmp/mdev2.json || fail "show by name and by UUID differ"
}

# In the tree the instance hangs where libvirt puts it: under computer, mtty being no node device.
mdev_parent_is_computer() {
	name=$(mdev_name "$UUID")
	hdlist /tmp/mdev-list.json
	got=$(lget /tmp/mdev-list.json name "$name" parent)
	[ "$got" = computer ] || fail "$name: parent '$got', want 'computer' (as virsh nodedev-list --tree)"
}

available_dropped() {
	now=$(cat $TYPES/mtty-2/available_instances)
	[ "$now" = $((BEFORE - 1)) ] || fail "sysfs: mtty-2 available went $BEFORE -> $now"
	types_agree > /dev/null
}

remove_mdev() {
	echo 1 > /sys/bus/mdev/devices/$UUID/remove || fail "writing 1 to remove failed"
	wait_for 10 sh -c "! test -e /sys/bus/mdev/devices/$UUID" || fail "$UUID is still there"
}

mdev_gone() {
	hdlist /tmp/mdev-list.json
	got=$(awk -F'\t' -v u="mdev_$(echo "$UUID" | tr - _)" 'index($1, u) == 1 { print $1 }' /tmp/mdev-list.json.tsv)
	[ -z "$got" ] || fail "hostdev still lists $got"
	[ "$(cat $TYPES/mtty-2/available_instances)" = "$BEFORE" ] || fail "sysfs: available did not come back to $BEFORE"
	types_agree > /dev/null
}

check mdev-parent-listed mdev_parent_listed
check mdev-parent-types types_agree
BEFORE=$(cat $TYPES/mtty-2/available_instances 2>/dev/null || echo 0)
if check setup-mdev-create create_mdev; then
	check mdev-instance mdev_listed
	check mdev-instance-parent mdev_parent_is_computer
	check mdev-available-drops available_dropped
	check mdev-iommu-groups iommu_groups
	record_state mdev
	if check setup-mdev-remove remove_mdev; then
		check mdev-instance-gone mdev_gone
	fi
fi
