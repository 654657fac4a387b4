#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Holds tied to a process, on a copy of the VM tree (writes through the kernel emulator, build/tests/hostdev-emu),
# with real processes as holders: `sleep` tied by prepare --pid and killed, a pid whose start time differs (the
# record edited, as a reused pid looks), hostdev run killed with SIGKILL together with its launcher; each time the
# next hostdev command gives the devices back and `hostdev active` lists them.
#
# hostdev reads a holder's /proc/PID/stat below the root prefix, and the tree's /proc is a copy: so the script
# runs in a private mount namespace (root, unshare) with the host's procfs mounted on the tree's proc. The
# mount goes with the namespace when the script ends.
. "$(dirname "$0")/lib.sh"
if [ -z "$HOLDERS_IN_NAMESPACE" ]; then
        if [ "$(id -u)" != 0 ] || ! unshare --mount --propagation private true 2>/dev/null; then
                ok "holders: skipped, needs root and unshare for a mount namespace"
                exit 0
        fi
        HOLDERS_IN_NAMESPACE=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
emu_vm_tree holders
mount -t proc proc "$tmp/tree/proc" || { notok "holders: mount a procfs on the tree's proc" "mount failed"; exit 1; }
trap 'umount "$tmp/tree/proc"; rm -rf "$tmp"' EXIT
db=$tmp/tree/var/lib/hostdev/hostdev.db

cat > "$tmp/nic.xml" <<'EOF'
<hostdev mode='subsystem' type='pci' managed='yes'>
  <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>
</hostdev>
EOF
nothing_held() { [ "$(hd active -n 2>&1)" = "" ] && [ "$(drv 0000:01:00.0)" = e1000e ]; }
# The store read and edited behind hostdev's back: sqlite3's shell (install-deps.sh --test installs it).
command -v sqlite3 >/dev/null || { notok "holders: sqlite3" "the sqlite3 command is missing: scripts/install-deps.sh --test"; exit 1; }
reclaims() { sqlite3 "$db" "SELECT count(*) FROM reclaims"; }

# --pid's words and a process that is not there: refused before anything is taken.
expect_fail "prepare: --pid not a number" 2 "--pid 'x1' is not a process id" hd prepare --owner qemu:vm1 --pid x1 "$tmp/nic.xml"
sleep 0 & gone=$!
wait $gone
expect_fail "prepare: --pid of a process that is not there" 1 "there is no process $gone" \
        hd prepare --owner qemu:vm1 --pid $gone "$tmp/nic.xml"
if nothing_held; then ok "prepare: nothing taken for a --pid that is not there"; else notok "prepare: nothing taken for a --pid that is not there" "$(hd active)"; fi

# A holder that lives keeps its hold, whatever runs meanwhile; `active` shows its pid.
sleep 300 & holder=$!
out=$(hd prepare --owner qemu:vm1 --pid $holder "$tmp/nic.xml" 2>&1)
if [ $? = 0 ] && grep -q "for as long as process $holder lives" <<<"$out" &&
        hd active -J | jq -e ".devices[0].pid == $holder" >/dev/null; then
        ok "prepare --pid: held, tied to pid $holder, shown by active"
else
        notok "prepare --pid: held, tied to pid $holder, shown by active" "$out; $(hd active -J 2>&1)"
fi
out=$(hd recover 2>&1)
if [ "$out" = "nothing to recover" ] && [ "$(drv 0000:01:00.0)" = vfio-pci ]; then
        ok "recover: a holder that lives keeps the device"
else
        notok "recover: a holder that lives keeps the device" "$out; driver $(drv 0000:01:00.0)"
fi

# The holder dies: the next changing command (another owner's prepare) gives the device back first, and says so.
kill $holder
wait $holder 2>/dev/null
out=$(hd prepare --owner qemu:vm2 "$tmp/nic.xml" 2>&1)
if [ $? = 0 ] && grep -q "note: qemu:vm1's holder pid $holder is gone: its devices (pci 0000:01:00.0) are given back" <<<"$out" &&
        grep -q "qemu:vm2 holds" <<<"$out"; then
        ok "prepare: a dead holder's device given back first, said on stderr, then taken"
else
        notok "prepare: a dead holder's device given back first, said on stderr, then taken" "$out"
fi
hd release --owner qemu:vm2 >/dev/null 2>&1
out=$(hd active 2>&1)
if grep -q "^Given back from holders that died:" <<<"$out" &&
        grep -qE "pci +0000:01:00.0 +qemu:vm1 +$holder .*pid $holder is gone" <<<"$out" &&
        [ "$(hd active -n)" = "" ]; then
        ok "active: lists what was given back from the holder that died, with when and why"
else
        notok "active: lists what was given back from the holder that died, with when and why" "$out"
fi
if hd active -J | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["reclaimed"][0]; sys.exit(not (d["devices"]==[] and r["owner"]=="qemu:vm1" and r["device"]=="0000:01:00.0" and r["when"]))'; then
        ok "active -J: one document, devices and reclaimed"
else
        notok "active -J: one document, devices and reclaimed" "$(hd active -J 2>&1)"
fi

# A pid that another process has now (its start time differs from the one recorded): not the holder.
sleep 300 & holder=$!
hd prepare --owner qemu:vm1 --pid $holder "$tmp/nic.xml" >/dev/null 2>&1
sqlite3 "$db" "UPDATE devices SET holder_start = holder_start - 1 WHERE holder_pid = $holder"
out=$(hd recover 2>&1)
if grep -q "qemu:vm1's holder pid $holder is another process now" <<<"$out" && nothing_held; then
        ok "recover: a reused pid (another start time) is not the holder; device given back"
else
        notok "recover: a reused pid (another start time) is not the holder; device given back" "$out; $(hd active)"
fi
kill $holder
wait $holder 2>/dev/null

# hostdev run: the hold follows the launcher; a launcher that exits is released by run itself, no reclaim.
cat > "$tmp/launcher" <<'EOF'
#!/bin/sh
echo $$ > "$OUT.pid"
[ -z "$WAIT" ] || { sleep 300 & wait $!; }
exit 0
EOF
chmod +x "$tmp/launcher"
export OUT=$tmp/out
before=$(reclaims)
out=$(hd run --owner qemu:vm1 "$tmp/nic.xml" -- "$tmp/launcher" 2>&1)
if [ $? = 0 ] && [ "$(reclaims)" = "$before" ] && ! grep -q note <<<"$out" && nothing_held; then
        ok "run: a launcher that exits: given back by run, not reclaimed"
else
        notok "run: a launcher that exits: given back by run, not reclaimed" "$out; $(hd active)"
fi

# hostdev run and its launcher killed together with SIGKILL: held, tied to the launcher, until the next command.
rm -f "$OUT.pid"
WAIT=1 "$EMU" --sysroot "$tmp/tree" run --owner qemu:vm1 "$tmp/nic.xml" -- "$tmp/launcher" >/dev/null 2>&1 &
run=$!
for _ in $(seq 100); do [ -s "$OUT.pid" ] && break; sleep 0.1; done
launcher=$(cat "$OUT.pid" 2>/dev/null)
if [ -n "$launcher" ] && hd active -J | jq -e ".devices[0].pid == $launcher" >/dev/null; then
        ok "run: the hold is tied to the launcher's pid"
else
        notok "run: the hold is tied to the launcher's pid" "launcher '$launcher'; $(hd active -J 2>&1)"
fi
children=$(cat "/proc/$launcher/task/$launcher/children" 2>/dev/null) # its sleep, ended after the test
{ kill -KILL $run $launcher; wait $run; } 2>/dev/null # bash's "Killed" line too
kill -KILL $children 2>/dev/null
if [ "$(drv 0000:01:00.0)" = vfio-pci ]; then ok "run: killed with its launcher, the device stays held"; else notok "run: killed with its launcher, the device stays held" "driver $(drv 0000:01:00.0)"; fi
for _ in $(seq 50); do [ -e "/proc/$launcher" ] || break; grep -q '^State:.*Z' "/proc/$launcher/status" 2>/dev/null && break; sleep 0.1; done
out=$(hd recover 2>&1)
if grep -q "qemu:vm1's holder pid $launcher is gone: its devices (pci 0000:01:00.0) are given back" <<<"$out" && nothing_held; then
        ok "recover: the devices of a run killed with its launcher are given back, e1000e again"
else
        notok "recover: the devices of a run killed with its launcher are given back, e1000e again" "$out; $(hd active)"
fi
finish
