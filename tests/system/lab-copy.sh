#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The lab's initramfs copies (tests/lab/copy.sh) never write through a link in the root: a root full of
# absolute links to /bin/busybox must not let a copy of `ip` overwrite the host's busybox. Here the link
# leads to a decoy file, never to the real /bin/busybox.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lab/copy.sh"

T=$(mktemp -d /tmp/hostdev-lab-copy.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/root/sbin" "$T/root/usr/bin"
printf 'the host busybox\n' > "$T/decoy"
printf 'a real ip\n' > "$T/ip"
decoy_sum=$(sha256sum "$T/decoy" | cut -d' ' -f1)

# The trap itself, so that this test means something: cp -L writes through an existing link.
ln -s "$T/decoy" "$T/root/sbin/tar"
cp -L "$T/ip" "$T/root/sbin/tar"
if grep -q 'a real ip' "$T/decoy"; then
	ok "trap-is-real"
else
	notok "trap-is-real" "cp -L did not write through the link; this test cannot tell the fix from its absence"
fi
printf 'the host busybox\n' > "$T/decoy"

# copied NAME SRC DEST: the decoy untouched, DEST (that was a link to it) a file with SRC's content.
copied() {
	if [ "$(sha256sum "$T/decoy" | cut -d' ' -f1)" != "$decoy_sum" ]; then
		notok "$1" "the copy wrote through $3 into its target"
	elif [ -L "$3" ] || ! cmp -s "$2" "$3"; then
		notok "$1" "$3 is not a copy of $2"
	else
		ok "$1"
	fi
}

# lab_copy over an applet link: the link is replaced, the decoy untouched.
ln -s "$T/decoy" "$T/root/sbin/ip"
lab_copy "$T/ip" "$T/root" /sbin/ip
copied copy-over-applet-link "$T/ip" "$T/root/sbin/ip"

# lab_copy_libs: a library path that is a link in the root is replaced as well.
lib=$(ldd /bin/sh | sed -n 's/.*=> \(\/[^ ]*libc\.so[^ ]*\) (.*/\1/p' | head -n1)
if [ -z "$lib" ]; then
	notok "copy-libs-over-link" "ldd /bin/sh names no libc"
else
	mkdir -p "$T/root$(dirname "$lib")"
	ln -s "$T/decoy" "$T/root$lib"
	lab_copy_libs "$T/root" /bin/sh
	copied copy-libs-over-link "$lib" "$T/root$lib"
fi

# A library ldd cannot find is an error naming it, not a silent skip.
printf '#!/bin/sh\n' > "$T/script"
if out=$(lab_copy_libs "$T/root" "$T/script" 2>&1); then ok "copy-libs-of-a-script"; else notok "copy-libs-of-a-script" "$out"; fi
finish
