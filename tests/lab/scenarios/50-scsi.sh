# SPDX-License-Identifier: LGPL-2.1-or-later
# scsi_debug's host, targets, LUNs and sg nodes as scsi_host, scsi_target, scsi, scsi_generic.

SD_HOST=$(ls -d /sys/bus/pseudo/drivers/scsi_debug/adapter*/host* 2>/dev/null | head -n 1)
H=${SD_HOST##*/host}

# entry NAME: "cap parent" from /tmp/scsi.json
entry() { lget /tmp/scsi.json name "$1" cap parent; }

expect_entry() {   # expect_entry NAME CAP PARENT
	got=$(entry "$1") || fail "cannot read /tmp/scsi.json"
	[ -n "$got" ] || fail "$1 is not in hostdev list"
	[ "$got" = "$2 $3" ] || fail "$1: cap/parent '$got', want '$2 $3'"
}

scsi_host() {
	[ -n "$H" ] || fail "no scsi_debug host in sysfs"
	hdlist /tmp/scsi.json
	parent=$(list_parent_name "$SD_HOST") || fail "cannot read /tmp/scsi.json"
	expect_entry scsi_host$H scsi_host "$parent"
	hdjson /tmp/show.json show scsi_host$H --json
	got=$(jqf 'cap("scsi_host") | .host | s' /tmp/show.json)
	[ "$got" = "$H" ] || fail "scsi_host$H: host $got"
}

# the name hostdev gives the parent of a sysfs device (the closest listed ancestor)
list_parent_name() {
	p=$(readlink -f "$1")
	while p=${p%/*}; [ -n "$p" ] && [ "$p" != /sys/devices ]; do
		n=$(lget /tmp/scsi.json path "$p" name) || return 1
		[ -z "$n" ] || { echo "$n"; return 0; }
	done
	echo computer
}

scsi_targets() {
	hdlist /tmp/scsi.json
	n=0
	for t in /sys/bus/scsi/devices/target$H:*; do
		[ -d "$t" ] || continue
		n=$((n + 1))
		id=${t##*/target}
		name=scsi_target$(echo "$id" | tr ':' '_')
		expect_entry "$name" scsi_target scsi_host$H
	done
	[ $n = 2 ] || fail "sysfs has $n targets on host$H, want 2 (num_tgts=2)"
}

scsi_luns() {
	hdlist /tmp/scsi.json
	n=0
	for l in /sys/bus/scsi/devices/$H:*:*:*; do
		[ -d "$l" ] || continue
		n=$((n + 1))
		hbtl=${l##*/}
		h=${hbtl%%:*}; r=${hbtl#*:}; b=${r%%:*}; r=${r#*:}; t=${r%%:*}; u=${r#*:}
		name=scsi_$(echo "$hbtl" | tr ':' '_')
		expect_entry "$name" scsi "scsi_target${h}_${b}_${t}"
		hdjson /tmp/show.json show "$name" --json
		got=$(jqf 'cap("scsi") | "\(.host|s) \(.bus|s) \(.target|s) \(.lun|s) \(.type_name|s)"' /tmp/show.json)
		[ "$got" = "$h $b $t $u disk" ] || fail "$name: host/bus/target/lun/type '$got', want '$h $b $t $u disk'"
	done
	[ $n = 4 ] || fail "sysfs has $n LUNs on host$H, want 4"
}

scsi_generic() {
	hdlist /tmp/scsi.json
	n=0
	for l in /sys/bus/scsi/devices/$H:*:*:*; do
		for g in $l/scsi_generic/sg*; do
			[ -d "$g" ] || continue
			n=$((n + 1))
			sg=${g##*/}
			expect_entry "scsi_generic_$sg" scsi_generic "scsi_$(echo "${l##*/}" | tr ':' '_')"
			hdjson /tmp/show.json show "scsi_generic_$sg" --json
			got=$(jqf 'cap("scsi_generic") | .char | s' /tmp/show.json)
			[ "$got" = "/dev/$sg" ] || fail "scsi_generic_$sg: char $got, want /dev/$sg"
		done
	done
	[ $n = 4 ] || fail "sysfs has $n sg nodes on host$H, want 4"
}

scsi_block() {
	hdlist /tmp/scsi.json
	n=0
	for l in /sys/bus/scsi/devices/$H:*:*:*; do
		for b in $l/block/*; do
			[ -d "$b" ] || continue
			n=$((n + 1))
			expect_entry "block_${b##*/}" storage "scsi_$(echo "${l##*/}" | tr ':' '_')"
		done
	done
	[ $n = 4 ] || fail "sysfs has $n disks on host$H, want 4"
}

check scsi-host scsi_host
check scsi-targets scsi_targets
check scsi-luns scsi_luns
check scsi-generic scsi_generic
check scsi-block scsi_block
