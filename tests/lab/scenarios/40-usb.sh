# SPDX-License-Identifier: LGPL-2.1-or-later
# The configfs USB gadget on dummy_hcd: listed with its ids and bus address, which a replug changes.

GADGET=/sys/kernel/config/usb_gadget/g1

usb_name() { echo "usb_$(echo "$1" | tr -- '-.:' '___')"; }

# usb_matches DIR: hostdev's usb_device for this sysfs dir has its bus, devnum and ids
usb_matches() {
	d=$1
	sys=${d##*/}
	hdlist /tmp/usb-list.json
	name=$(list_by_path /tmp/usb-list.json "$d")
	[ "$name" = "$(usb_name "$sys")" ] || fail "$sys is named $name, want $(usb_name "$sys")"
	cap=$(lget /tmp/usb-list.json name "$name" cap)
	[ "$cap" = usb_device ] || fail "$name: cap $cap, want usb_device"
	hdjson /tmp/usb.json show "$name" --json
	got=$(jqf 'cap("usb_device") | "\(.bus|s) \(.device|s) \(.vendor|bare|lc|s) \(.product|bare|lc|s)"' /tmp/usb.json)
	want="$(cat $d/busnum) $(cat $d/devnum) 0x0204 0x6025"
	[ "$got" = "$want" ] || fail "$name: hostdev bus/device/vendor/product '$got', sysfs '$want'"
	# show finds a USB device by BUS:DEVICE too
	hdjson /tmp/usb2.json show "$(cat $d/busnum):$(cat $d/devnum)" --json
	got=$(jqf '.name' /tmp/usb2.json)
	[ "$got" = "$name" ] || fail "show $(cat $d/busnum):$(cat $d/devnum) gives $got, want $name"
	echo "# $name at $got"
}

usb_gadget_listed() {
	d=$(gadget_dev) || fail "gadget 0204:6025 is not on the bus"
	usb_matches "$d"
}

usb_interfaces_listed() {
	d=$(gadget_dev) || fail "gadget 0204:6025 is not on the bus"
	hdlist /tmp/usb-list.json
	parent=$(list_by_path /tmp/usb-list.json "$d")
	n=0
	for i in $d/${d##*/}:*; do
		[ -d "$i" ] || continue
		n=$((n + 1))
		name=$(list_by_path /tmp/usb-list.json "$i")
		[ "$name" = "$(usb_name "${i##*/}")" ] || fail "${i##*/} is named $name, want $(usb_name "${i##*/}")"
		got=$(lget /tmp/usb-list.json name "$name" cap parent)
		[ "$got" = "usb $parent" ] || fail "$name: cap/parent '$got', want 'usb $parent'"
	done
	[ $n -gt 0 ] || fail "the gadget has no interfaces in sysfs"
	echo "# $n interfaces"
}

OLD_DEVNUM=
replug() {
	d=$(gadget_dev) || fail "gadget 0204:6025 is not on the bus"
	old=$(cat $d/devnum)
	udc=$(cat $GADGET/UDC)
	echo "" > $GADGET/UDC
	wait_for 20 sh -c '! [ -e '"$d"'/devnum ]' || fail "gadget did not go away after emptying UDC"
	echo "$udc" > $GADGET/UDC
	wait_for 20 gadget_dev > /dev/null || fail "gadget did not come back"
	d=$(gadget_dev)
	wait_for 10 test -e $d/devnum
	new=$(cat $d/devnum)
	[ "$new" != "$old" ] || fail "devnum stayed $old across the replug"
	echo "# devnum $old -> $new"
	echo "$(cat $d/busnum):$old" > /tmp/usb-old-address
}

check usb-gadget-listed usb_gadget_listed
check usb-gadget-interfaces usb_interfaces_listed
old_address_gone() {
	a=$(cat /tmp/usb-old-address)
	if hostdev show "$a" --json > /tmp/usb-old.json 2>/dev/null; then
		fail "show $a (the address before the replug) still finds $(jq -r .name /tmp/usb-old.json)"
	fi
}

if check setup-usb-replug replug; then
	check usb-gadget-after-replug usb_gadget_listed
	check usb-old-address-gone old_address_gone
fi
record_state usb
