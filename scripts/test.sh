#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every test: unit tests plain and under ASan+UBSan (warnings as errors), output checks against
# libvirt's schemas and daemon, and the real-kernel lab. Ends with "N passed, N failed".
#   scripts/test.sh            everything
#   SKIP_LAB=1 scripts/test.sh everything but the QEMU lab
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
passed=0
failed=0
failures=()

log() { printf '== %s\n' "$*"; }

# Add a meson test run's counts: its summary has "Ok:" and "Fail:" lines.
count_meson() {
        local name=$1 logf=$2 ok fail
        ok=$(awk '/^Ok:/ {print $2}' "$logf")
        fail=$(awk '/^(Fail|Timeout|Unexpected Pass):/ {s += $NF} END {print s+0}' "$logf")
        passed=$((passed + ${ok:-0}))
        failed=$((failed + ${fail:-0}))
        if [ "${fail:-0}" != 0 ] || [ -z "$ok" ]; then
                failures+=("$name")
                [ -z "$ok" ] && failed=$((failed + 1))
        fi
}

step_fail() {
        failed=$((failed + 1))
        failures+=("$1")
}

scripts/install-deps.sh --test || { echo "installing dependencies failed"; echo "0 passed, 1 failed"; exit 1; }

log "build with warnings as errors"
rm -rf build-ci build-asan
if meson setup build-ci --werror >/dev/null && ninja -C build-ci >/tmp/hostdev-build.log 2>&1; then
        passed=$((passed + 1))
else
        cat /tmp/hostdev-build.log
        step_fail "build"
        echo "$passed passed, $failed failed"
        exit 1
fi

log "unit and output tests"
meson test -C build-ci --print-errorlogs 2>&1 | tee /tmp/hostdev-test.log | grep -E '^ *[0-9]+/[0-9]+ |^(Ok|Fail|Skipped):'
count_meson "meson test" /tmp/hostdev-test.log

log "unit tests under ASan + UBSan"
if meson setup build-asan --werror -Db_sanitize=address,undefined -Db_lundef=false >/dev/null &&
   ninja -C build-asan >/tmp/hostdev-asan-build.log 2>&1; then
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
                meson test -C build-asan --suite unit --print-errorlogs 2>&1 | tee /tmp/hostdev-asan.log |
                grep -E '^ *[0-9]+/[0-9]+ |^(Ok|Fail):'
        count_meson "ASan+UBSan unit tests" /tmp/hostdev-asan.log
else
        cat /tmp/hostdev-asan-build.log
        step_fail "ASan build"
fi

log "fuzzing the parsers of user input (libFuzzer, ASan + UBSan)"
rm -rf build-fuzz
fuzz/run.sh ${FUZZ_SECONDS:-} >/tmp/hostdev-fuzz.log 2>&1
cat /tmp/hostdev-fuzz.log
p=$(grep -c '^ok - ' /tmp/hostdev-fuzz.log)
f=$(grep -c '^not ok - ' /tmp/hostdev-fuzz.log)
passed=$((passed + p))
failed=$((failed + f))
[ "$f" = 0 ] || failures+=("fuzz")

# System checks print one "ok - NAME" / "not ok - NAME: why" line per check.
for t in tests/system/*.sh; do
        [ -e "$t" ] && [ "$(basename "$t")" != lib.sh ] || continue
        log "$t"
        HOSTDEV="$top/build-ci/hostdev" bash "$t" >/tmp/hostdev-system.log 2>&1
        rc=$?
        grep -E '^(not )?ok - ' /tmp/hostdev-system.log | grep -v '^ok - ' || true
        p=$(grep -c '^ok - ' /tmp/hostdev-system.log)
        f=$(grep -c '^not ok - ' /tmp/hostdev-system.log)
        echo "$p passed, $f failed in $t" | sed 's/^/   /'
        passed=$((passed + p))
        failed=$((failed + f))
        if [ "$rc" != 0 ]; then
                failures+=("$t")
                if [ "$f" = 0 ]; then
                        tail -20 /tmp/hostdev-system.log
                        failed=$((failed + 1))
                fi
        fi
done

if [ -z "${SKIP_LAB:-}" ] && [ -x tests/lab/run.sh ]; then
        log "real-kernel lab (QEMU)"
        tests/lab/run.sh --hostdev "$top/build-ci/hostdev" 2>&1 | tee /tmp/hostdev-lab.log
        lab_rc=${PIPESTATUS[0]}
        # The lab prints its own "N passed, N failed"; fold it into ours.
        lp=$(awk '/^[0-9]+ passed, [0-9]+ failed/ {print $1}' /tmp/hostdev-lab.log | tail -1)
        lf=$(awk '/^[0-9]+ passed, [0-9]+ failed/ {print $3}' /tmp/hostdev-lab.log | tail -1)
        passed=$((passed + ${lp:-0}))
        failed=$((failed + ${lf:-0}))
        if [ "$lab_rc" != 0 ]; then
                failures+=("lab")
                [ "${lf:-0}" = 0 ] && failed=$((failed + 1))
        fi
fi

[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
