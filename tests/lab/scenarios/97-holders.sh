# SPDX-License-Identifier: LGPL-2.1-or-later
# Holders that die, with a real QEMU: `hostdev run` ties the e1000e's hold to its QEMU. A QEMU that quits and
# one killed with SIGKILL are given back by run itself; run and its QEMU killed together with SIGKILL leave the
# NIC held until the next hostdev command, which gives it back and says so. Each time: e1000e again with its
# interface, nothing on vfio-pci, nothing held.

HO_NIC=$(pci_of 0x8086 0x10d3 || true)
HO_SOCK=/tmp/ho.sock
HO_QEMU="qemu-system-x86_64 -S -nodefaults -display none -machine q35 -accel tcg -m 64"
HO_T=/tmp/ho

# Live QEMU processes: comm is cut to 15 characters; a zombie is none (busybox has no pgrep).
ho_qemu_pids() {
	for p in /proc/[0-9]*; do
		[ "$(cat $p/comm 2>/dev/null)" = qemu-system-x86 ] || continue
		grep -q '^State:.*Z' $p/status 2>/dev/null || echo ${p#/proc/}
	done
}
ho_no_qemu() { [ -z "$(ho_qemu_pids)" ]; }
ho_nothing_held() { [ -z "$(hostdev active -n 2>&1)" ]; }
# After a check that failed half-way: no QEMU, nothing of qemu:ho1 held (for the scenarios after this one).
ho_leftovers() {
	for p in $(ho_qemu_pids); do kill -9 $p; done
	wait_for 10 ho_no_qemu || true
	ho_nothing_held || timeout 60 hostdev release --owner qemu:ho1 > /dev/null 2>&1 || true
}
ho_all_back() {
	[ "$(link_name /sys/bus/pci/devices/$HO_NIC/driver)" = e1000e ] ||
		fail "$HO_NIC is on $(link_name /sys/bus/pci/devices/$HO_NIC/driver), not e1000e"
	wait_for 10 sh -c "ls /sys/bus/pci/devices/$HO_NIC/net/* > /dev/null 2>&1" || fail "$HO_NIC has no network interface again"
	left=$(ls /sys/bus/pci/drivers/vfio-pci 2>/dev/null | grep '^0000:' || true)
	[ -z "$left" ] || fail "still on vfio-pci: $left"
	ho_nothing_held || { hostdev active; fail "hostdev active still lists devices"; }
}

ho_setup() {
	command -v qemu-system-x86_64 > /dev/null || fail "no qemu-system-x86_64 in the guest (tests/lab/nested-qemu.sh)"
	[ -n "$HO_NIC" ] || fail "no e1000e"
	b=${HO_NIC#*:}; f=${b##*.}; s=${b#*:}; s=${s%.*}
	echo "<domain type='kvm'><name>ho1</name><devices><hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x${b%%:*}' slot='0x$s' function='0x$f'/></source></hostdev></devices></domain>" > $HO_T.xml
}

# ho_start: hostdev run of ho1's QEMU in the background ($rpid), QMP up, the hold tied to QEMU's pid ($qpid).
ho_start() {
	ho_leftovers
	rm -f $HO_SOCK
	hostdev run --owner qemu:ho1 $HO_T.xml -- $HO_QEMU {} -qmp unix:$HO_SOCK,server=on,wait=off \
		< /dev/null > $HO_T.run 2>&1 &
	rpid=$!
	trap 'for p in $(ho_qemu_pids); do kill -9 $p; done' EXIT
	qmp $HO_SOCK --wait 60 query-status > /dev/null || { cat $HO_T.run; fail "no QMP from QEMU under hostdev run"; }
	qpid=$(ho_qemu_pids)
	[ -n "$qpid" ] || fail "no QEMU process"
	pid=$(hostdev active -J | jq -r --arg a "$HO_NIC" '.devices[] | select(.device == $a) | .pid')
	[ "$pid" = "$qpid" ] || fail "the hold is tied to pid '$pid', not to QEMU ($qpid)"
	echo "# qemu:ho1's hold is tied to QEMU, pid $qpid"
}

# ho_end STATUS: hostdev run ends with STATUS, having given the NIC back itself (no reclaim).
ho_end() {
	if wait $rpid; then rc=0; else rc=$?; fi
	trap - EXIT
	[ $rc = $1 ] || { cat $HO_T.run; fail "hostdev run exited $rc, not $1"; }
	! grep -q "note:" $HO_T.run || { cat $HO_T.run; fail "hostdev run's own release was taken for a reclaim"; }
	ho_all_back
}

ho_quits() {
	ho_start
	qmp $HO_SOCK quit > /dev/null || true
	ho_end 0
}

ho_qemu_sigkill() {
	ho_start
	kill -9 $qpid
	ho_end 137
}

# run and QEMU killed together: nobody gives back; the next hostdev command does, and says so.
ho_both_sigkill() {
	ho_start
	kill -9 $rpid $qpid
	wait $rpid 2> /dev/null || true
	trap - EXIT
	wait_for 10 ho_no_qemu || fail "QEMU $qpid still runs"
	[ "$(link_name /sys/bus/pci/devices/$HO_NIC/driver)" = vfio-pci ] || fail "the NIC left vfio-pci before any hostdev command"
	hostdev active | grep -q "^pci  *$HO_NIC  *held  *qemu:ho1 " || fail "qemu:ho1 no longer holds the NIC"
	hd recover > $HO_T.recover
	cat $HO_T.recover
	grep -q "qemu:ho1's holder pid $qpid is gone: its devices (pci $HO_NIC) are given back" $HO_T.recover ||
		fail "recover did not say it gave the NIC back"
	hostdev active | grep -q "^Given back from holders that died:" || fail "active does not list what was given back"
	hostdev active -J | jq -e --arg a "$HO_NIC" --argjson p "$qpid" '.reclaimed[] | select(.device == $a and .pid == $p)' \
		> /dev/null || fail "active -J has no reclaimed $HO_NIC from pid $qpid"
	ho_all_back
}

if check setup-holders ho_setup; then
	check holders-run-qemu-quits ho_quits
	check holders-run-qemu-sigkill ho_qemu_sigkill
	check holders-run-and-qemu-sigkill ho_both_sigkill
	check holders-nothing-left ho_leftovers
fi
