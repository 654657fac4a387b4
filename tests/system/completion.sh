#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion offers what the store and a tree hold verbatim, and never runs it:
# a domain named web$(touch${IFS}pwned) is a candidate, not a command.
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
emu_vm_tree completion
mkdir "$tmp/bin" "$tmp/cwd"
ln -s "$HOSTDEV" "$tmp/bin/hostdev"
owner='qemu:web$(touch${IFS}pwned)'
cat > "$tmp/d.xml" <<'EOF'
<domain><name>web$(touch${IFS}pwned)</name><devices>
  <hostdev mode='subsystem' type='usb'><source><vendor id='0x0204'/><product id='0x6025'/></source></hostdev>
</devices></domain>
EOF
hd prepare --owner qemu "$tmp/d.xml" >/dev/null || notok "completion: prepare" "no owner to complete"
parent='mtty$(touch${IFS}pwned2)'
mkdir "$tmp/tree/sys/class/mdev_bus/$parent"

# complete WORD...: COMPREPLY of `hostdev WORD... <TAB>`, one per line, run in an empty folder.
complete_line() {
	(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" bash -c '
		. "$1"; shift
		COMP_WORDS=(hostdev "$@" "")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_hostdev
		printf "%s\n" "${COMPREPLY[@]}"' _ "$REPO/completion/hostdev.bash" "$@")
}

out=$(HOSTDEV_SYSROOT=$tmp/tree complete_line release --owner)
if [ "$out" = "$owner" ] && [ -z "$(ls -A "$tmp/cwd")" ]; then
	ok "completion: release --owner offers the owner verbatim and runs nothing"
else
	notok "completion: release --owner offers the owner verbatim and runs nothing" "got '$out'; made: $(ls "$tmp/cwd")"
fi
out=$(complete_line --sysroot "$tmp/tree" prepare --owner)
if [ "$out" = "$owner" ] && [ -z "$(ls -A "$tmp/cwd")" ]; then
	ok "completion: --sysroot on the line is where owners come from"
else
	notok "completion: --sysroot on the line is where owners come from" "got '$out'; made: $(ls "$tmp/cwd")"
fi
out=$(complete_line --sysroot "$tmp/tree" mdev types)
if grep -qxF "$parent" <<<"$out" && [ -z "$(ls -A "$tmp/cwd")" ]; then
	ok "completion: a tree's mdev parent named \$(...) is offered, not run"
else
	notok "completion: a tree's mdev parent named \$(...) is offered, not run" "got '$out'; made: $(ls "$tmp/cwd")"
fi
finish
