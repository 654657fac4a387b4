# SPDX-License-Identifier: LGPL-2.1-or-later
# mtty as a mediated-device parent: types with available instances, an instance made and removed.

MTTY=/sys/class/mdev_bus/mtty
TYPES=$MTTY/mdev_supported_types

# The parent's name: as listed, or else as `show` finds it by its sysfs path.
mdev_parent_name() {
	hdlist /tmp/mdev-list.json || return 1
	list_by_path /tmp/mdev-list.json "$MTTY" 2>/dev/null && return 0
	hd show "$(readlink -f $MTTY)" --json > /tmp/mdev-parent.json || return 1
	jq -r .name /tmp/mdev-parent.json
}

mdev_parent_listed() {
	hdjson /tmp/mdev-types.json list -J --cap mdev_types -o name,path
	got=$(jqf '[devs[] | select(.path == $p) | .name] | join(" ")' --arg p "$(readlink -f $MTTY)" /tmp/mdev-types.json)
	[ -n "$got" ] || fail "hostdev list --cap mdev_types does not list $(readlink -f $MTTY)"
}

# types_agree: every type in sysfs is in the parent's mdev_types with the same values
types_agree() {
	parent=$(mdev_parent_name) || fail "hostdev knows no device at $(readlink -f $MTTY)"
	hdjson /tmp/parent.json show "$parent" --json
	want=$(for t in $TYPES/*; do
		echo "${t##*/} $(cat $t/device_api) $(cat $t/available_instances) $(cat $t/name 2>/dev/null | tr ' ' _)"
	done | sort)
	got=$(jqf 'deep("mdev_types")[] | "\(.id|s) \(.device_api|s) \(.available_instances|s) \(.name|s|gsub(" "; "_"))"' /tmp/parent.json | sort)
	if [ "$got" != "$want" ]; then
		echo "hostdev:"; echo "$got"; echo "sysfs:"; echo "$want"
		fail "mdev_types of $parent differ from $TYPES"
	fi
	echo "# $parent: $(echo "$want" | tr '\n' ';')"
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

mdev_parent_is_mtty() {
	parent=$(mdev_parent_name) || fail "hostdev knows no device at $(readlink -f $MTTY)"
	name=$(mdev_name "$UUID")
	hdlist /tmp/mdev-list.json
	got=$(lget /tmp/mdev-list.json name "$name" parent)
	[ "$got" = "$parent" ] || fail "$name: parent '$got', want '$parent' (the mtty device)"
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
	check mdev-instance-parent mdev_parent_is_mtty
	check mdev-available-drops available_dropped
	check mdev-iommu-groups iommu_groups
	record_state mdev
	if check setup-mdev-remove remove_mdev; then
		check mdev-instance-gone mdev_gone
	fi
fi
