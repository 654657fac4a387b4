#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build the libFuzzer targets with clang (ASan + UBSan) and run each, seeded with the test
# documents. One "ok - NAME" / "not ok - NAME" line per target.
#   fuzz/run.sh            300,000 inputs each from seed 1: the same run every time (CI)
#   fuzz/run.sh SECONDS    as long as that, from a random seed (looking for new bugs)
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -n "${1:-}" ]; then
        budget="-max_total_time=$1"
        what="in ${1}s"
else
        budget="-runs=${FUZZ_RUNS:-300000} -seed=1"
        what="from seed 1"
fi
dir=build-fuzz
fail=0
if [ ! -f $dir/build.ninja ]; then
        CC=clang meson setup $dir -Dfuzz=true -Dtests=disabled -Db_sanitize=address,undefined -Db_lundef=false \
                -Dc_args=-fsanitize=fuzzer-no-link >/dev/null || { echo "not ok - fuzz build: meson setup failed"; exit 1; }
fi
ninja -C $dir fuzz/fuzz-nodedev-xml fuzz/fuzz-domain-xml fuzz/fuzz-mdevctl-json fuzz/fuzz-persist >$dir/build.log 2>&1 ||
        { tail -20 $dir/build.log; echo "not ok - fuzz build"; exit 1; }
run() { # NAME SEED-FOLDERS...
        local name=$1 corpus
        shift
        corpus=$(mktemp -d)
        for s in "$@"; do cp "$s"/* "$corpus"/ 2>/dev/null; done
        mkdir -p $dir/artifacts
        if UBSAN_OPTIONS=halt_on_error=1 $dir/fuzz/$name "$corpus" $budget -max_len=8192 -print_final_stats=1 \
                -artifact_prefix=$dir/artifacts/$name- >$dir/$name.log 2>&1; then
                echo "ok - fuzz $name ($(grep -o 'stat::number_of_executed_units: [0-9]*' $dir/$name.log | awk '{print $2}') runs $what)"
        else
                echo "not ok - fuzz $name: $(grep -m1 -E 'ERROR|SUMMARY|deadly' $dir/$name.log); see $dir/$name.log and $dir/artifacts/"
                fail=1
        fi
        rm -rf "$corpus"
}
# -print_final_stats gives the run count; libFuzzer reads it from the flags file-less form.
export ASAN_OPTIONS=detect_leaks=1
run fuzz-nodedev-xml tests/data/nodedevxml tests/data/nodedevxml-create
run fuzz-domain-xml tests/data/domainxml
mdev_seed=$(mktemp -d)
printf '{\n  "mdev_type": "mtty-2",\n  "start": "auto",\n  "attrs": [\n    {\n      "x": "1"\n    }\n  ]\n}' >"$mdev_seed/a"
run fuzz-mdevctl-json "$mdev_seed"
rm -rf "$mdev_seed"
persist_seed=$(mktemp -d)
printf '# kept by hand\ndriver=vfio-pci\n' >"$persist_seed/pci"
printf 'numvfs = 4\r\nautoprobe=0\n' >"$persist_seed/sriov"
run fuzz-persist "$persist_seed"
rm -rf "$persist_seed"
exit $fail
