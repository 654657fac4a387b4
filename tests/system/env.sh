#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shipped library and command carry no test seam; HOSTDEV_* variables are the command's, read securely, documented.
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(dirname "$HOSTDEV")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$DATA/trees/manager" "$tmp/tree"

n=0
for f in "$HOSTDEV" "$BUILD"/src/lib/libhostdev.so*; do
	[ -f "$f" ] || continue
	n=$((n + $(strings "$f" | grep -c HOSTDEV_TEST_KILL)))
done
[ "$n" = 0 ] && ok "no HOSTDEV_TEST_KILL in hostdev and libhostdev.so" ||
	notok "no HOSTDEV_TEST_KILL in hostdev and libhostdev.so" "$n occurrences"

# The real command is not killed by it: the same refusal, the same exit, with it or without.
plain=$("$HOSTDEV" --sysroot "$tmp/tree" detach 01:00.0 2>&1; echo "exit $?")
seam=$(HOSTDEV_TEST_KILL_AT_WRITE=1 "$HOSTDEV" --sysroot "$tmp/tree" detach 01:00.0 2>&1; echo "exit $?")
[ "$plain" = "$seam" ] && ok "HOSTDEV_TEST_KILL_AT_WRITE does nothing to hostdev" ||
	notok "HOSTDEV_TEST_KILL_AT_WRITE does nothing to hostdev" "without: $plain; with: $seam"

# The library reads no environment; each variable the command reads is in the man page.
if libenv=$(grep -rn 'getenv' "$REPO/src/lib"); then
	notok "the library reads no environment" "$libenv"
else
	ok "the library reads no environment"
fi
missing=
for v in $(grep -o 'secure_getenv("HOSTDEV_[A-Z_]*")' "$REPO"/src/cli/*.c | sed 's/.*("\(.*\)")/\1/' | sort -u); do
	grep -q "^\*$v\*\|, \*$v\*" "$REPO/man/hostdev.1.scd" || missing="$missing $v"
done
[ -z "$missing" ] && ok "every HOSTDEV_* variable the command reads is documented" ||
	notok "every HOSTDEV_* variable the command reads is documented" "missing:$missing"
if grep -rn 'getenv("HOSTDEV' "$REPO/src/cli" | grep -v secure_getenv; then
	notok "the command reads HOSTDEV_* with secure_getenv" "plain getenv above"
else
	ok "the command reads HOSTDEV_* with secure_getenv"
fi

# Set-user-ID, the environment is ignored (secure_getenv): HOSTDEV_SYSROOT cannot point a
# privileged hostdev elsewhere. hostdev-crashtest is the command with the library linked in.
crash=$BUILD/tests/hostdev-crashtest
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && [ -x "$crash" ]; then
	cp "$crash" "$tmp/suid" && chmod 4755 "$tmp/suid" && chmod 755 "$tmp"
	if ! findmnt -n -o OPTIONS -T "$tmp" | grep -qw nosuid; then
		out=$(HOSTDEV_SYSROOT=/nonexistent-hostdev setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$tmp/suid" list -rn -o NAME 2>&1)
		if [ "$(head -1 <<<"$out")" = computer ]; then
			ok "set-user-ID, HOSTDEV_SYSROOT is ignored"
		else
			notok "set-user-ID, HOSTDEV_SYSROOT is ignored" "$out"
		fi
	fi
fi
finish
