#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# hostdev run on a copy of the VM tree (writes through the kernel emulator, build/tests/hostdev-emu) with a fake
# launcher: the options it gets, the exit status passed through, the release after every kind of end, signals
# forwarded, and a prepare that fails starting nothing.
. "$(dirname "$0")/lib.sh"
emu_vm_tree run
export EMU TREE="$tmp/tree" OUT="$tmp/out"

cat > "$tmp/vm1.xml" <<'EOF'
<domain type='kvm'>
  <name>vm1</name>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>
    </hostdev>
    <hostdev mode='subsystem' type='usb'>
      <source><vendor id='0x0204'/><product id='0x6025'/></source>
    </hostdev>
  </devices>
</domain>
EOF
cat > "$tmp/nic.xml" <<'EOF'
<hostdev mode='subsystem' type='pci' managed='yes'>
  <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>
</hostdev>
EOF
# The fake launcher: its arguments one per line into $OUT.args, what the host holds while it runs into
# $OUT.active, then as FAKE_* say: wait for a signal (recording which), kill itself, or exit with a status.
cat > "$tmp/fake" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" > "$OUT.args"
"$EMU" --sysroot "$TREE" active > "$OUT.active" 2>&1
for s in TERM INT HUP QUIT; do
        trap "echo $s > '$OUT.signal'; exit ${FAKE_EXIT:-0}" $s
done
if [ -n "$FAKE_WAIT" ]; then
        : > "$OUT.waiting"
        sleep 120 & wait $!
fi
[ -z "$FAKE_KILL" ] || kill -"$FAKE_KILL" $$
exit ${FAKE_EXIT:-0}
EOF
chmod +x "$tmp/fake"
reset_out() { rm -f "$OUT".*; }
nothing_held() { [ "$(hd active 2>&1)" = "no device is held or detached" ] && [ "$(drv 0000:01:00.0)" = e1000e ]; }

reset_out
if out=$(hd run --owner qemu "$tmp/vm1.xml" -- "$tmp/fake" -m 64 2>&1) &&
        [ "$(cat "$OUT.args")" = "$(printf '%s\n' -m 64 -device qemu-xhci,id=usb -device \
                vfio-pci,host=0000:01:00.0,id=hostdev0 -device usb-host,hostbus=1,hostaddr=2,id=hostdev1)" ] &&
        grep -qE "^pci +0000:01:00.0 +held +qemu:vm1 " "$OUT.active" && grep -qE "^usb +001:002 0204:6025 +held" "$OUT.active" &&
        nothing_held; then
        ok "run: the options appended, held while it runs, given back after"
else
        notok "run: the options appended, held while it runs, given back after" "$out $(cat "$OUT".* 2>&1)"
fi

reset_out
if hd run --owner qemu:vm1 "$tmp/vm1.xml" "$tmp/fake" -S '{}' -qmp 'unix:/tmp/$(touch x),server=on' >/dev/null 2>&1 &&
        [ "$(head -n 2 "$OUT.args")" = "$(printf '%s\n' -S -device)" ] &&
        [ "$(tail -n 2 "$OUT.args")" = "$(printf '%s\n' -qmp 'unix:/tmp/$(touch x),server=on')" ] &&
        [ "$(grep -c '^-device$' "$OUT.args")" = 3 ] && [ ! -e x ] && nothing_held; then
        ok "run: {} replaced in place, no shell, '--' optional"
else
        notok "run: {} replaced in place, no shell, '--' optional" "$(cat "$OUT.args" 2>&1)"
fi

reset_out
FAKE_EXIT=3 hd run --owner qemu "$tmp/vm1.xml" -- "$tmp/fake" >/dev/null 2>&1
rc=$?
if [ $rc = 3 ] && [ -s "$OUT.active" ] && nothing_held; then
        ok "run: the launcher's exit status (3), devices given back"
else
        notok "run: the launcher's exit status (3), devices given back" "exit $rc; $(hd active 2>&1)"
fi

for s in KILL SEGV; do
        reset_out
        FAKE_KILL=$s hd run --owner qemu "$tmp/vm1.xml" -- "$tmp/fake" >/dev/null 2>&1
        rc=$?
        want=$((128 + $(kill -l $s)))
        if [ $rc = $want ] && [ -s "$OUT.active" ] && nothing_held; then
                ok "run: a launcher killed by SIG$s is $want, devices given back"
        else
                notok "run: a launcher killed by SIG$s is $want, devices given back" "exit $rc; $(hd active 2>&1)"
        fi
done

# A signal to hostdev run goes to the launcher, which decides when to end; the devices stay held until it has.
# Job control on: a background job of a script would otherwise start with SIGINT ignored.
set -m
for s in TERM INT HUP; do
        reset_out
        # Not through hd(): $! must be hostdev's own pid, not a subshell's.
        # env --default-signal: a script started in the background (CI) inherits SIGINT and SIGQUIT
        # ignored, which job control does not undo, and an ignored signal stays ignored across exec.
        FAKE_WAIT=1 FAKE_EXIT=42 env --default-signal=INT,QUIT,TERM,HUP "$EMU" --sysroot "$tmp/tree" run --owner qemu "$tmp/vm1.xml" -- "$tmp/fake" >/dev/null 2>&1 &
        pid=$!
        for _ in $(seq 600); do [ -e "$OUT.waiting" ] && break; sleep 0.1; done
        held=$(hd active 2>&1)
        kill -$s $pid
        wait $pid
        rc=$?
        if [ $rc = 42 ] && [ "$(cat "$OUT.signal" 2>/dev/null)" = $s ] && grep -q "held  *qemu:vm1" <<<"$held" && nothing_held; then
                ok "run: SIG$s reaches the launcher, its status (42) is run's, devices given back after"
        else
                notok "run: SIG$s reaches the launcher, its status (42) is run's, devices given back after" \
                        "exit $rc, signal $(cat "$OUT.signal" 2>&1); $(hd active 2>&1)"
        fi
done
set +m

# Nothing is started when the devices cannot all be prepared, and nothing stays held.
reset_out
hd prepare --owner qemu:vm2 "$tmp/nic.xml" >/dev/null
out=$(hd run --owner qemu "$tmp/vm1.xml" -- "$tmp/fake" 2>&1)
rc=$?
if [ $rc = 125 ] && grep -q "0000:01:00.0 is held by qemu:vm2" <<<"$out" && [ ! -e "$OUT.args" ] &&
        [ "$(hd active | grep -c qemu:vm1)" = 0 ] && hd active | grep -qE "^pci +0000:01:00.0 +held +qemu:vm2"; then
        ok "run: a prepare that fails starts nothing and holds nothing (125)"
else
        notok "run: a prepare that fails starts nothing and holds nothing (125)" "exit $rc: $out"
fi
hd release --owner qemu:vm2 >/dev/null
cat > "$tmp/twice.xml" <<'EOF'
<devices>
  <hostdev mode='subsystem' type='scsi'>
    <source><adapter name='scsi_host2'/><address bus='0' target='0' unit='0'/></source>
    <address type='drive' controller='0' bus='0' target='0' unit='1'/>
  </hostdev>
  <hostdev mode='subsystem' type='scsi'>
    <source><adapter name='scsi_host2'/><address bus='0' target='0' unit='1'/></source>
    <address type='drive' controller='0' bus='0' target='0' unit='1'/>
  </hostdev>
</devices>
EOF
expect_fail "run: two LUNs at one guest address, refused before anything" 125 \
        "twice.xml:6: the guest address controller='0' bus='0' target='0' unit='1' is taken by the SCSI host device on line 2" \
        hd run --owner qemu:vm3 "$tmp/twice.xml" -- "$tmp/fake"
if [ ! -e "$OUT.args" ] && nothing_held; then ok "run: nothing started, nothing held"; else notok "run: nothing started, nothing held" "$(hd active)"; fi

expect_fail "run: a launcher that is not there is 127" 127 "no-such-launcher: No such file or directory" \
        hd run --owner qemu "$tmp/vm1.xml" -- no-such-launcher
expect_fail "run: a launcher that cannot run is 126" 126 "vm1.xml: Permission denied" \
        hd run --owner qemu "$tmp/vm1.xml" -- "$tmp/vm1.xml"
if nothing_held; then ok "run: given back after a launcher that never ran"; else notok "run: given back after a launcher that never ran" "$(hd active)"; fi
expect_fail "run: no launcher" 125 "no launcher given" hd run --owner qemu "$tmp/vm1.xml" --
expect_fail "run: no owner" 125 "no owner given" hd run "$tmp/vm1.xml" -- true
finish
