#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every test: unit tests plain and under ASan+UBSan (warnings as errors), output checks against
# libvirt's schemas and daemon, and the real-kernel lab. Ends with "N passed, N failed"; just above
# it, when anything failed, every failed check by name with its reason.
#   scripts/test.sh            everything
#   SKIP_LAB=1 scripts/test.sh everything but the QEMU lab
# Logs of this run go to a folder of its own (printed first), so two runs never share a log.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
passed=0
failed=0
failures=()     # one line per failed check or step: "NAME: why"

log() { printf '== %s\n' "$*"; }

logs=$(mktemp -d /tmp/hostdev-test.XXXXXX)
log "logs of this run: $logs"

# Add a meson test run's counts: its summary has "Ok:" and "Fail:" lines; failed tests by name.
count_meson() {
        local name=$1 logf=$2 ok fail t
        ok=$(awk '/^Ok:/ {print $2}' "$logf")
        fail=$(awk '/^(Fail|Timeout|Unexpected Pass):/ {s += $NF} END {print s+0}' "$logf")
        passed=$((passed + ${ok:-0}))
        failed=$((failed + ${fail:-0}))
        while read -r t; do
                failures+=("$name: $t (see $logf)")
        done < <(grep -E '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT|UNEXPECTEDPASS)' "$logf" | sed 's/^ *[0-9]*\/[0-9]* *//; s/  */ /g')
        if [ -z "$ok" ]; then
                failures+=("$name: did not run (see $logf)")
                failed=$((failed + 1))
        fi
}

# summary: the failed checks, then the count, as the last lines of the run.
summary() {
        if [ ${#failures[@]} -gt 0 ]; then
                echo "failed checks:"
                printf '  %s\n' "${failures[@]}"
        fi
        echo "$passed passed, $failed failed"
}

step_fail() {
        failed=$((failed + 1))
        failures+=("$1")
}

if ! scripts/install-deps.sh --test; then
        step_fail "installing the test dependencies (scripts/install-deps.sh --test, its words above)"
        summary
        exit 1
fi

log "build with warnings as errors"
rm -rf build-ci build-asan
if meson setup build-ci --werror -Dtests=enabled >"$logs/setup.log" 2>&1 && ninja -C build-ci >"$logs/build.log" 2>&1; then
        passed=$((passed + 1))
else
        cat "$logs/setup.log" "$logs/build.log" 2>/dev/null | tail -40
        step_fail "build: meson setup or ninja failed (see $logs/setup.log, $logs/build.log)"
        summary
        exit 1
fi

log "unit and output tests"
meson test -C build-ci --print-errorlogs 2>&1 | tee "$logs/meson-test.log" | grep -E '^ *[0-9]+/[0-9]+ |^(Ok|Fail|Skipped):'
count_meson "meson test" "$logs/meson-test.log"

log "unit tests under ASan + UBSan"
if meson setup build-asan --werror -Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false >"$logs/asan-setup.log" 2>&1 &&
   ninja -C build-asan >"$logs/asan-build.log" 2>&1; then
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
                meson test -C build-asan --suite unit --print-errorlogs 2>&1 | tee "$logs/asan.log" |
                grep -E '^ *[0-9]+/[0-9]+ |^(Ok|Fail):'
        count_meson "ASan+UBSan unit tests" "$logs/asan.log"
else
        cat "$logs/asan-setup.log" "$logs/asan-build.log" 2>/dev/null | tail -40
        step_fail "ASan build (see $logs/asan-setup.log, $logs/asan-build.log)"
fi

# One "ok - NAME" / "not ok - NAME: why" per check: fold a log of such lines into the counts.
count_tap() {
        local what=$1 logf=$2 p f l
        p=$(grep -c '^ok - ' "$logf")
        f=$(grep -c '^not ok - ' "$logf")
        passed=$((passed + p))
        failed=$((failed + f))
        while read -r l; do
                failures+=("$what: ${l#not ok - }")
        done < <(grep '^not ok - ' "$logf")
        echo "   $p passed, $f failed in $what"
        LAST_FAILED=$f
}

log "fuzzing the parsers of user input (libFuzzer, ASan + UBSan)"
rm -rf build-fuzz
fuzz/run.sh ${FUZZ_SECONDS:-} >"$logs/fuzz.log" 2>&1
cat "$logs/fuzz.log"
count_tap fuzz "$logs/fuzz.log"

for t in tests/system/*.sh; do
        [ -e "$t" ] && [ "$(basename "$t")" != lib.sh ] || continue
        log "$t"
        name=$(basename "$t" .sh)
        HOSTDEV="$top/build-ci/hostdev" bash "$t" >"$logs/system-$name.log" 2>&1
        rc=$?
        grep '^not ok - ' "$logs/system-$name.log" || true
        count_tap "$t" "$logs/system-$name.log"
        # A script that exits non-zero without saying which check failed is a failure of its own.
        if [ "$rc" != 0 ] && [ "$LAST_FAILED" = 0 ]; then
                tail -20 "$logs/system-$name.log"
                step_fail "$t: exited $rc without a 'not ok' line (see $logs/system-$name.log)"
        fi
done

if [ -z "${SKIP_LAB:-}" ] && [ -x tests/lab/run.sh ]; then
        log "real-kernel lab (QEMU)"
        tests/lab/run.sh --hostdev "$top/build-ci/hostdev" 2>&1 | tee "$logs/lab.log"
        lab_rc=${PIPESTATUS[0]}
        # The lab prints its own "N passed, N failed"; fold it into ours.
        lp=$(awk '/^[0-9]+ passed, [0-9]+ failed/ {print $1}' "$logs/lab.log" | tail -1)
        lf=$(awk '/^[0-9]+ passed, [0-9]+ failed/ {print $3}' "$logs/lab.log" | tail -1)
        passed=$((passed + ${lp:-0}))
        failed=$((failed + ${lf:-0}))
        while read -r l; do
                failures+=("lab: ${l#not ok - }")
        done < <(grep '^not ok - ' "$logs/lab.log")
        if [ "$lab_rc" != 0 ] && [ "${lf:-0}" = 0 ]; then
                step_fail "lab: tests/lab/run.sh exited $lab_rc without a 'not ok' line (see $logs/lab.log)"
        fi
fi

summary
[ "$failed" = 0 ]
