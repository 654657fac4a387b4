# SPDX-License-Identifier: LGPL-2.1-or-later
# hostdev check (the doctor) on the real kernel, with the e1000e: the host's IOMMU, interrupt remapping and the
# device's reset_method as this guest's kernel shows them; detached, a process with its /dev/vfio/N open named
# by pid and command, and prepare and reattach refusing in check's words with nothing changed; the process gone,
# the NIC given back to e1000e; check -J saying the same as the text each time. Later scenarios (94-97) find the
# e1000e on e1000e and nothing held or detached.

CK_NIC=$(pci_of 0x8086 0x10d3 || true)
CK_T=/tmp/ck
ck_drv() { link_name /sys/bus/pci/devices/$1/driver; }
ck_group() { link_name /sys/bus/pci/devices/$1/iommu_group; }
ck_ifname() { ls /sys/bus/pci/devices/$1/net 2>/dev/null | head -n 1; }
ck_has_if() { [ -n "$(ck_ifname $1)" ]; }
TAB=$(printf '\t')

# ck_report STATE: check and check -J of the NIC: $CK_T.STATE.txt and .json, their exit statuses in .rc and .jrc,
# and .tsv with the JSON's verdict first ("verdict", VERDICT, OK), then one line per item: STATUS, TOPIC, TEXT,
# REMEDY, HOSTDEV_FIXES, SOURCE (one jq start: ~0.4 s under TCG).
ck_report() {
	hostdev check "$CK_NIC" > $CK_T.$1.txt 2>&1 && echo 0 > $CK_T.$1.rc || echo $? > $CK_T.$1.rc
	hostdev check -J "$CK_NIC" > $CK_T.$1.json 2> $CK_T.$1.jerr && echo 0 > $CK_T.$1.jrc || echo $? > $CK_T.$1.jrc
	echo "hostdev check -J $CK_NIC" > $CK_T.$1.json.cmd
	jq -r '"verdict\t\(.verdict)\t\(.ok)", (.items[] | [.status, .topic, .text, (.remedy // ""),
		(.hostdev_fixes | tostring), (.source // "")] | @tsv)' $CK_T.$1.json > $CK_T.$1.tsv 2>/dev/null ||
		{ cat $CK_T.$1.jerr; not_json $CK_T.$1.json; return 1; }
}
# ck_items STATE TOPIC: "STATUS<TAB>TEXT" of each item of TOPIC
ck_items() { awk -F'\t' -v t="$2" 'NR > 1 && $2 == t { print $1 "\t" $3 }' $CK_T.$1.tsv; }
ck_source() { awk -F'\t' -v t="$2" 'NR > 1 && $2 == t { print $6; exit }' $CK_T.$1.tsv; }
ck_show() { sed 's/^/# /' $CK_T.$1.txt; }

# The exit status the man page gives the items: 2 when a fail needs a person, 1 when every fail is hostdev's to
# clear, else 0; text and JSON agree, and the verdict names it. (ash's variables are global: its own are _sa_.)
ck_status_agrees() {
	_sa_want=$(awk -F'\t' 'NR > 1 && $1 == "fail" { if ($5 == "false") p = 1; else h = 1 }
		END { print p ? 2 : h ? 1 : 0 }' $CK_T.$1.tsv)
	_sa_verdict=$(awk -F'\t' 'NR == 1 { print $2 }' $CK_T.$1.tsv)
	_sa_rc=$(cat $CK_T.$1.rc) _sa_jrc=$(cat $CK_T.$1.jrc)
	[ "$_sa_rc" = "$_sa_want" ] || { ck_show $1; fail "$1: check exits $_sa_rc, its items call for $_sa_want"; }
	[ "$_sa_jrc" = "$_sa_rc" ] || fail "$1: check -J exits $_sa_jrc, check $_sa_rc"
	case $_sa_rc:$_sa_verdict in
	0:now|1:hostdev|2:person) ;;
	*) fail "$1: exit status $_sa_rc but verdict '$_sa_verdict'" ;;
	esac
}

# The IOMMU units as the kernel lists them, sorted, ", "-joined (check names them so), and the kind each one says
# it is: the Intel and AMD drivers name their units dmarN and ivhdN; any other sits below its device.
ck_units() { ls /sys/class/iommu 2>/dev/null | sort | sed ':a;N;$!ba;s/\n/, /g'; }
ck_unit_kind() {
	case $1 in
	dmar*) echo "Intel VT-d" ;;
	ivhd*) echo "AMD-Vi" ;;
	*) _dd=$(readlink -f /sys/class/iommu/$1/../..)
	   [ "$(link_name $_dd/driver)" = virtio_iommu ] && echo virtio-iommu || echo "$1" ;;
	esac
}
# What the kernel's log says of the IOMMU and of interrupt remapping (for the reader, and to cross-check).
ck_dmesg() { dmesg 2>/dev/null | grep -E 'DMAR: Intel\(R\) Virtualization|AMD-Vi: (Found IOMMU|Interrupt remapping)|virtio_iommu|IRQ remapping' | sed 's/^\[[^]]*\] //' | sort -u | head -n 6; }

ck_host_driver() {
	[ -n "$CK_NIC" ] || fail "no e1000e (8086:10d3) in the guest"
	[ "$(ck_drv $CK_NIC)" = e1000e ] || fail "$CK_NIC starts on $(ck_drv $CK_NIC), not e1000e"
	ck_ifname $CK_NIC > $CK_T.ifname
	[ -s $CK_T.ifname ] || fail "$CK_NIC on e1000e has no network interface"
	ck_report host
	g=$(ck_group $CK_NIC)
	# IOMMU: the units /sys/class/iommu lists and their kinds.
	units=$(ck_units)
	iommu=$(ck_items host iommu)
	if [ -z "$units" ]; then
		case $iommu in fail*) ;; *) ck_show host; fail "no unit in /sys/class/iommu, yet check says: $iommu" ;; esac
	else
		case $iommu in "ok${TAB}IOMMU on: "*) ;; *) ck_show host; fail "units $units, check says '$iommu'" ;; esac
		case $iommu in *"($units); $CK_NIC is in group $g") ;; *) fail "iommu item '$iommu' does not name units ($units) and group $g" ;; esac
		for u in /sys/class/iommu/*; do
			k=$(ck_unit_kind ${u##*/})
			case $iommu in *"$k"*) ;; *) fail "unit ${u##*/} is $k, check says '$iommu'" ;; esac
		done
		# The kernel's own log, when it still has the line, tells the same kind.
		if dmesg | grep -q 'DMAR: Intel(R) Virtualization'; then
			case $iommu in *"Intel VT-d"*) ;; *) fail "dmesg has DMAR's banner, check says '$iommu'" ;; esac
		fi
	fi
	# Interrupt remapping: /proc/interrupts has interrupts of a remapping chip (IR-PCI-MSI, IR-IO-APIC) exactly
	# when it is on; the kernel's log says "Enabled IRQ remapping" then, when it still has the line.
	irq=$(ck_items host irq-remap)
	nir=$(grep -c ' IR-' /proc/interrupts || true)
	if [ "$nir" -gt 0 ]; then
		[ "$irq" = "ok${TAB}interrupt remapping is on (/proc/interrupts lists IR- interrupts)" ] ||
			{ ck_show host; fail "$nir IR- interrupts in /proc/interrupts, check says '$irq'"; }
	else
		case $irq in *"remapping is on"*) fail "no IR- interrupt in /proc/interrupts, check says '$irq'" ;; esac
		! dmesg | grep -q 'Enabled IRQ remapping' || fail "dmesg says IRQ remapping is enabled, /proc/interrupts has no IR- line"
	fi
	# reset_method as sysfs has it.
	rst=$(ck_items host reset | head -n 1)
	[ "$(ck_source host reset)" = /sys/bus/pci/devices/$CK_NIC/reset_method ] ||
		fail "the reset item's source is '$(ck_source host reset)'"
	if [ ! -e /sys/bus/pci/devices/$CK_NIC/reset ]; then
		case $rst in "warn${TAB}no reset method"*) ;; *) fail "$CK_NIC has no reset file, check says '$rst'" ;; esac
	else
		m=$(cat /sys/bus/pci/devices/$CK_NIC/reset_method 2>/dev/null || true)
		if [ -n "$m" ]; then
			case $rst in *"${TAB}reset_method $m: "*) ;; *) ck_show host; fail "reset_method is '$m', check says '$rst'" ;; esac
		else
			case $rst in *"resettable (the kernel does not say how"*) ;; *) fail "no reset_method file, check says '$rst'" ;; esac
		fi
	fi
	ck_status_agrees host
	echo "# kernel $(uname -r): units '$units', $nir IR- interrupts, reset_method '$(cat /sys/bus/pci/devices/$CK_NIC/reset_method 2>/dev/null)'; check exits $(cat $CK_T.host.rc)"
	ck_dmesg | sed 's/^/# dmesg: /'
}

ck_xml() {
	cat > $CK_T.xml <<XML
<domain type='kvm'><name>ck</name><devices>
<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x$(echo $CK_NIC | cut -d: -f2)' slot='0x$(echo $CK_NIC | cut -d: -f3 | cut -d. -f1)' function='0x$(echo $CK_NIC | cut -d. -f2)'/></source></hostdev>
</devices></domain>
XML
}

# Detached, and a process with the group open: busybox sleep, the node opened as its fd 7 before the exec. Its
# output goes nowhere: check's $(...) would wait for a process holding its pipe.
ck_held() {
	hd detach $CK_NIC > /dev/null
	g=$(ck_group $CK_NIC)
	[ "$(ck_drv $CK_NIC)" = vfio-pci ] || fail "after detach $CK_NIC is on $(ck_drv $CK_NIC)"
	wait_for 5 test -e /dev/vfio/$g || fail "/dev/vfio/$g did not appear"
	sh -c "exec 7< /dev/vfio/$g; exec sleep 600" < /dev/null > /dev/null 2>&1 3>&- &
	pid=$!
	echo $pid > $CK_T.holder
	wait_for 10 sh -c "[ \"\$(readlink /proc/$pid/fd/7)\" = /dev/vfio/$g ]" ||
		fail "pid $pid did not open /dev/vfio/$g (fd 7: $(readlink /proc/$pid/fd/7 2>&1))"
	comm=$(cat /proc/$pid/comm)
	ck_report held
	want="$CK_NIC: pid $pid ($comm) has /dev/vfio/$g open"
	echo "$want" > $CK_T.words
	[ "$(ck_items held process)" = "fail${TAB}$want" ] ||
		{ ck_show held; fail "check does not say '$want' (alone, as a fail)"; }
	awk -F'\t' '$2 == "process" && $4 ~ /^stop that process/ { f = 1 } END { exit !f }' $CK_T.held.tsv ||
		fail "the process item's remedy does not say to stop it"
	grep -q "^$CK_NIC: cannot be passed through now; a person must act first" $CK_T.held.txt ||
		{ ck_show held; fail "check's first line does not say a person must act"; }
	[ "$(cat $CK_T.held.rc)" = 2 ] || fail "check exits $(cat $CK_T.held.rc) with a process holding the group; the man page says 2"
	ck_status_agrees held
	echo "# $want; check exits 2"
}

# What is recorded and bound, to see that a refusal changed nothing.
ck_state() {
	g=$(ck_group $CK_NIC)
	echo "driver $(ck_drv $CK_NIC) override $(cat /sys/bus/pci/devices/$CK_NIC/driver_override)"
	echo "node $(ls /dev/vfio/$g 2>&1) holder fd $(readlink "/proc/$(cat $CK_T.holder)/fd/7")"
	hostdev active 2>&1
}

# prepare for an owner, and reattach, refuse in check's words; nothing moves.
ck_same_words() {
	[ -s $CK_T.words ] || fail "no holder from check-held"
	want=$(cat $CK_T.words)
	ck_xml
	ck_state > $CK_T.before
	hostdev active | grep -q "^pci  *$CK_NIC  *detached " || fail "active does not list $CK_NIC as detached: $(hostdev active)"
	rc=0
	hostdev prepare --owner lab:ck $CK_T.xml > $CK_T.prepare 2>&1 || rc=$?
	if [ $rc = 0 ]; then
		hostdev release --owner lab:ck > /dev/null 2>&1 || true
		fail "prepare took $CK_NIC while pid $(cat $CK_T.holder) has its group open: $(cat $CK_T.prepare)"
	fi
	grep -qF "$want; stop that process" $CK_T.prepare || { cat $CK_T.prepare; fail "prepare's refusal is not in check's words: $want"; }
	[ $rc = 1 ] || fail "prepare refused with exit $rc"
	ck_state > $CK_T.after
	cmp -s $CK_T.before $CK_T.after || { diff $CK_T.before $CK_T.after; fail "prepare's refusal changed something"; }
	if hostdev reattach $CK_NIC > $CK_T.reattach 2>&1; then
		fail "reattach went ahead while pid $(cat $CK_T.holder) has the group open"
	fi
	grep -qF "$want; stop that process" $CK_T.reattach || { cat $CK_T.reattach; fail "reattach's refusal is not in check's words: $want"; }
	ck_state > $CK_T.after
	cmp -s $CK_T.before $CK_T.after || { diff $CK_T.before $CK_T.after; fail "reattach's refusal changed something"; }
	echo "# prepare and reattach: $(tail -n 1 $CK_T.prepare)"
}

ck_holder_gone() { ! readlink /proc/$1/fd/7 > /dev/null 2>&1; }

# The holder ends: check names nobody; reattach gives the NIC back with its interface; nothing is left.
ck_released() {
	pid=$(cat $CK_T.holder)
	g=$(ck_group $CK_NIC)
	kill $pid
	wait_for 10 ck_holder_gone $pid || fail "pid $pid still has /dev/vfio/$g open after SIGTERM"
	ck_report free
	# A kernel that makes vfio-dev/vfioN (6.12) gives check a cdev to look for too: "or its other nodes".
	case $(ck_items free process) in
	"ok${TAB}no process has /dev/vfio/$g open" | "ok${TAB}no process has /dev/vfio/$g or its other nodes open") ;;
	*) ck_show free; fail "with pid $pid gone check says: $(ck_items free process)" ;;
	esac
	! grep -q "pid $pid" $CK_T.free.txt || { ck_show free; fail "check still names pid $pid"; }
	ck_status_agrees free
	[ "$(cat $CK_T.free.rc)" != 2 ] || { ck_show free; fail "check exits 2 with nobody holding the group"; }
	hd reattach $CK_NIC > /dev/null
	[ "$(ck_drv $CK_NIC)" = e1000e ] || fail "after reattach $CK_NIC is on $(ck_drv $CK_NIC)"
	[ "$(cat /sys/bus/pci/devices/$CK_NIC/driver_override)" = "(null)" ] || fail "driver_override is not cleared"
	wait_for 10 ck_has_if $CK_NIC || fail "$CK_NIC on e1000e has no interface after reattach"
	[ "$(ck_ifname $CK_NIC)" = "$(cat $CK_T.ifname)" ] || fail "interface $(ck_ifname $CK_NIC), was $(cat $CK_T.ifname)"
	wait_for 5 sh -c "! test -e /dev/vfio/$g" || fail "/dev/vfio/$g is still there"
	out=$(hostdev active 2>&1)
	[ "$out" = "no device is held or detached" ] || { echo "$out"; fail "hostdev active still lists devices"; }
	echo "# pid $pid gone: check exits $(cat $CK_T.free.rc); $CK_NIC back on e1000e as $(ck_ifname $CK_NIC)"
}

# check -J: the same findings and remedies, in the same order, as the text, in every state above.
ck_text_items() {
	awk 'NR == 1 { next }
		/^ +-> / { r = $0; sub(/^ +-> /, "", r); print "->\t" r; next }
		/^  [a-z]+ / { t = $0; sub(/^  [a-z]+ +[^ ]+ +/, "", t); print $1 "\t" $2 "\t" t }' $CK_T.$1.txt
}
ck_json_items() {
	awk -F'\t' 'NR > 1 { print $1 "\t" $2 "\t" $3; if ($4 != "") print "->\t" $4 }' $CK_T.$1.tsv
}
ck_json_same() {
	n=0
	for s in host held free; do
		[ -s $CK_T.$s.tsv ] || { echo "# no report of state $s (its check failed)"; continue; }
		jq -e '.device and (.items | length > 0)' $CK_T.$s.json > /dev/null || fail "$s: check -J has no device or items"
		ck_text_items $s > $CK_T.$s.text-items
		ck_json_items $s > $CK_T.$s.json-items
		cmp -s $CK_T.$s.text-items $CK_T.$s.json-items ||
			{ diff $CK_T.$s.text-items $CK_T.$s.json-items | head -n 20; fail "$s: check -J's items differ from the text's"; }
		n=$((n + $(wc -l < $CK_T.$s.json-items)))
	done
	[ $n -gt 0 ] || fail "no report to compare"
	echo "# $n findings and remedies alike"
}

# After a check that failed half-way: the holder ended, the NIC given back, for 94-97.
ck_leftovers() {
	[ -s $CK_T.holder ] && kill "$(cat $CK_T.holder)" 2>/dev/null && wait_for 10 ck_holder_gone "$(cat $CK_T.holder)"
	[ "$(ck_drv $CK_NIC)" = e1000e ] || timeout 60 hostdev reattach $CK_NIC > /dev/null 2>&1 || true
}

rm -f $CK_T.*
if check check-host-setup ck_host_driver; then
	if check check-held-by-process ck_held; then
		check check-refusals-same-words ck_same_words
		check check-holder-gone-reattach ck_released
	fi
	check check-json-same ck_json_same
fi
ck_leftovers
