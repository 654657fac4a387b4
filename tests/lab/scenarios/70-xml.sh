# SPDX-License-Identifier: LGPL-2.1-or-later
# `hostdev show NAME --xml` of every device, sent to the host, which validates each
# against libvirt's nodedev schema. Runs with VFs, the gadget, SCSI and one mdev present.

XML_UUID=$(cat /proc/sys/kernel/random/uuid)
echo "$XML_UUID" > /sys/class/mdev_bus/mtty/mdev_supported_types/mtty-1/create 2>/dev/null || true

dump_xml() {
	hdlist /tmp/xml-list.json
	n=0; bad=0
	for name in $(jq -r '.devices[].name' /tmp/xml-list.json); do
		n=$((n + 1))
		if hd show "$name" --xml > /tmp/dev.xml 2>/tmp/dev.err; then
			emit_file "xml/$name.xml" < /tmp/dev.xml
		else
			bad=$((bad + 1))
			cat /tmp/dev.err
		fi
	done
	echo "# $n devices, XML for $((n - bad))" >&3
	[ $bad = 0 ] || fail "hostdev show --xml failed for $bad of $n devices"
	[ $n -gt 0 ] || fail "hostdev list is empty"
}

check xml-show-all dump_xml

[ ! -e /sys/bus/mdev/devices/$XML_UUID ] || echo 1 > /sys/bus/mdev/devices/$XML_UUID/remove
