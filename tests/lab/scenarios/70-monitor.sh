# SPDX-License-Identifier: LGPL-2.1-or-later
# hostdev monitor on the kernel's events: VFs made and removed, the USB gadget replugged, an mtty
# instance made and removed, and a storm of synthetic add events, each reported with hostdev's name.

MON=/tmp/monitor.json       # hostdev monitor -J
MONTXT=/tmp/monitor.txt     # hostdev monitor (text)
MONCAP=/tmp/monitor-mdev.json # hostdev monitor -J --cap mdev
GADGET=/sys/kernel/config/usb_gadget/g1
TYPES=/sys/class/mdev_bus/mtty/mdev_supported_types

usb_name() { echo "usb_$(echo "$1" | tr -- '-.:' '___')"; }

# mon_mark: how many lines the JSON monitor printed so far
mon_mark() { wc -l < $MON | tr -d ' '; }

# mon_seen SINCE EVENT NAME [CAP]: after line SINCE, the JSON monitor printed EVENT for NAME (with CAP)
mon_seen() {
	tail -n +$(($1 + 1)) $MON | grep -E "^\{\"event\":\"$2\",(\"seqnum\":[0-9]+,)?\"name\":\"$3\"," |
		grep -q "\"cap\":\"${4:-[a-z_]*}\""
}

# mon_wait SINCE EVENT NAME [CAP]: wait for it, or fail with what the monitor printed instead
mon_wait() {
	wait_for 30 mon_seen "$@" && return 0
	tail -n +$(($1 + 1)) $MON | tail -n 8 | cut -c1-160 | sed 's/^/# monitor: /'
	sed 's/^/# monitor stderr: /' /tmp/monitor.err | tail -n 3
	fail "hostdev monitor printed no '$2 $3${4:+ ($4)}' within 30 s"
}

start_one() { # start_one OUT ERR ARGS...: a monitor in the background, ready when it says so
	_out=$1 _err=$2
	shift 2
	hostdev monitor "$@" > "$_out" 2> "$_err" &
	echo $! >> /tmp/monitor.pids
	wait_for 60 grep -q "listening" "$_err" || fail "hostdev monitor $* did not start: $(tail -n 1 "$_err")"
}

start_monitors() {
	: > /tmp/monitor.pids
	start_one $MON /tmp/monitor.err -J
	start_one $MONTXT /tmp/monitor-txt.err
	start_one $MONCAP /tmp/monitor-mdev.err -J --cap mdev
	echo "# monitors $(tr '\n' ' ' < /tmp/monitor.pids)"
}

PF=$(for d in /sys/bus/pci/devices/*; do
	[ -e "$d/sriov_totalvfs" ] && [ "$(cat "$d/vendor")" = 0x1b36 ] && [ "$(cat "$d/device")" = 0x0010 ] && echo "${d##*/}"
done | head -n 1)

vfs_come_and_go() {
	[ -n "$PF" ] || skip_check "no NVMe PF with sriov_totalvfs"
	d=/sys/bus/pci/devices/$PF
	before=$(cat $d/sriov_numvfs)
	[ "$before" = 0 ] || echo 0 > $d/sriov_numvfs
	since=$(mon_mark)
	echo 2 > $d/sriov_numvfs || fail "writing 2 to $d/sriov_numvfs failed"
	wait_for 20 test -e $d/virtfn1 || fail "virtfn1 did not appear"
	vfs=$(for v in $d/virtfn*; do link_name "$v"; done)
	for vf in $vfs; do
		mon_wait "$since" add "$(pci_name "$vf")" pci
	done
	since=$(mon_mark)
	echo 0 > $d/sriov_numvfs || fail "writing 0 to $d/sriov_numvfs failed"
	for vf in $vfs; do
		mon_wait "$since" remove "$(pci_name "$vf")" pci
	done
	# as the scenarios before left it
	[ "$before" = 0 ] || echo "$before" > $d/sriov_numvfs
	echo "# VFs $(echo $vfs) added and removed"
}

usb_replug_seen() {
	d=$(gadget_dev) || skip_check "the USB gadget is not on the bus"
	sys=${d##*/}
	name=$(usb_name "$sys")
	ifs=$(for i in $d/$sys:*; do [ -d "$i" ] && usb_name "${i##*/}"; done)
	since=$(mon_mark)
	udc=$(cat $GADGET/UDC)
	echo "" > $GADGET/UDC
	wait_for 20 sh -c "! [ -e $d/devnum ]" || fail "the gadget did not go away after emptying UDC"
	mon_wait "$since" remove "$name" usb_device
	for i in $ifs; do
		mon_wait "$since" remove "$i" usb
	done
	since=$(mon_mark)
	echo "$udc" > $GADGET/UDC
	wait_for 20 gadget_dev > /dev/null || fail "the gadget did not come back"
	d=$(gadget_dev)
	mon_wait "$since" add "$(usb_name "${d##*/}")" usb_device
	for i in $d/${d##*/}:*; do
		[ -d "$i" ] && mon_wait "$since" add "$(usb_name "${i##*/}")" usb
	done
	echo "# $name and its interfaces ($(echo $ifs)) removed and added back"
}

mdev_seen() {
	[ -e $TYPES/mtty-2/create ] || skip_check "no mtty-2 type"
	uuid=$(cat /proc/sys/kernel/random/uuid)
	since=$(mon_mark)
	echo "$uuid" > $TYPES/mtty-2/create || fail "writing $uuid to mtty-2/create failed"
	wait_for 10 test -e /sys/bus/mdev/devices/$uuid || fail "/sys/bus/mdev/devices/$uuid did not appear"
	name=$(mdev_name "$uuid")
	mon_wait "$since" add "$name" mdev
	since=$(mon_mark)
	echo 1 > /sys/bus/mdev/devices/$uuid/remove || fail "writing 1 to remove failed"
	mon_wait "$since" remove "$name" mdev
	echo "$name" > /tmp/monitor-mdev.name
	echo "# $name added and removed"
}

# Every device folder's uevent gets "add" (Documentation/ABI/testing/sysfs-uevent): a burst of
# hundreds of events; every device hostdev lists must be reported, none dropped.
uevent_storm() {
	hdlist /tmp/monitor-list.json
	names=$(awk -F'\t' '$1 != "computer" && $4 != "null" { print $1 }' /tmp/monitor-list.json.tsv)
	[ -n "$names" ] || fail "hostdev list found no devices"
	since=$(mon_mark)
	n=0
	for u in $(find /sys/devices -name uevent -type f); do
		echo add 2>/dev/null > "$u" && n=$((n + 1))
	done
	for name in $names; do
		mon_wait "$since" add "$name"
	done
	! grep -q "dropped events" /tmp/monitor.err || fail "the kernel dropped events: $(grep dropped /tmp/monitor.err | head -n 1)"
	echo "# $n uevent writes; all $(echo $names | wc -w) listed devices reported, $(($(mon_mark) - since)) lines"
}

# The text monitor saw the same events, one line each, in the documented shape.
text_agrees() {
	wait_for 10 sh -c "[ \$(wc -l < $MONTXT) -ge \$(grep -vc '\"event\":\"overflow\"' $MON) ]" ||
		fail "text monitor: $(wc -l < $MONTXT) lines, JSON monitor: $(wc -l < $MON)"
	grep -qE '^add +pci_[0-9a-f_]+ pci$' $MONTXT || fail "no 'add pci_... pci' line in the text output"
	grep -qE '^remove +usb_[0-9_]+ usb_device$' $MONTXT || fail "no 'remove usb_... usb_device' line in the text output"
	echo "# $(wc -l < $MONTXT) text lines"
}

# --cap mdev printed the mdev instance's events and nothing else.
cap_filter() {
	[ -s /tmp/monitor-mdev.name ] || skip_check "no mdev instance was made"
	name=$(cat /tmp/monitor-mdev.name)
	grep -q "\"event\":\"add\",.*\"name\":\"$name\"" $MONCAP || fail "--cap mdev did not print the add of $name"
	grep -q "\"event\":\"remove\",.*\"name\":\"$name\"" $MONCAP || fail "--cap mdev did not print the remove of $name"
	other=$(grep -v '"cap":"mdev"' $MONCAP | head -n 1)
	[ -z "$other" ] || fail "--cap mdev printed another device: $other"
	echo "# $(wc -l < $MONCAP) mdev events"
}

stop_monitors() {
	for pid in $(cat /tmp/monitor.pids); do
		kill "$pid" 2>/dev/null || fail "monitor $pid had already ended: $(tail -n 1 /tmp/monitor.err)"
	done
	for pid in $(cat /tmp/monitor.pids); do
		wait_for 10 sh -c "! kill -0 $pid 2>/dev/null" || fail "monitor $pid did not end on SIGTERM"
	done
}

if check monitor-start start_monitors; then
	check monitor-sriov-vfs vfs_come_and_go
	check monitor-usb-replug usb_replug_seen
	check monitor-mdev mdev_seen
	check monitor-uevent-storm uevent_storm
	check monitor-text text_agrees
	check monitor-cap-filter cap_filter
	check monitor-stop stop_monitors
fi
# What the monitors printed, for a person reading a failure: build/lab/out/monitor/
for f in $MON $MONTXT $MONCAP /tmp/monitor.err; do
	[ -e "$f" ] && emit_file "monitor/${f##*/}" < "$f"
done
