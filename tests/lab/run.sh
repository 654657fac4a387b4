#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs the real-kernel lab: boots Debian's kernel under QEMU (TCG) with hostdev and the
# scenarios, and turns the serial console into check results.
#
# usage: tests/lab/run.sh [options] [[--hostdev] HOSTDEV_BINARY]   (default: build/hostdev)
#   --out DIR        console.log and received files go here (default: lab/ beside the binary,
#                    build/lab for build/hostdev)
#   --timeout SEC    the guest must print lab-done within this (default: 420)
#   --only PAT[,PAT] run only scenarios whose name contains PAT (setup always runs)
#   --verbose        print the guest console live, and the output of passing checks
#   --no-validate    do not run virt-xml-validate on the XML the guest sends
#   --record-into DIR  unpack each tree `hostdev record` made in the guest into DIR/lab-STATE
#                    (replacing it), e.g. --record-into tests/data/trees
#
# Prints one line per check (ok - NAME / not ok - NAME: reason), the guest's output
# around each failure, and "N passed, N failed[, N skipped]"; exits 1 on any failure.
# Files the guest prints between "--- begin FILE name [base64] ---" and
# "--- end FILE ---" land in OUT/out/name (XML in out/xml/, recorded trees in out/record/).
set -euo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_SRC/../.." && pwd)

out=
timeout=420
only=
verbose=0
validate=1
record_into=
binary=
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift ;;
	--hostdev) binary=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--only) only=$2; shift ;;
	--verbose|-v) verbose=1 ;;
	--no-validate) validate=0 ;;
	--record-into) record_into=$2; shift ;;
	-h|--help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) binary=$1 ;;
	esac
	shift
done
binary=${binary:-$REPO/build/hostdev}
[ -n "$out" ] || out=$(dirname "$binary")/lab

start=$(date +%s)
if ! env=$("$LAB_SRC/build.sh" --print-env "$binary"); then
	echo "not ok - lab-build: tests/lab/build.sh failed (see above)"
	echo "0 passed, 1 failed"
	exit 1
fi
eval "$env"

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/out"
mkdir -p "$out/out"
raw=$out/console.raw
log=$out/console.log
# QEMU locks its disk: each run gets its own sparse copy of the cached empty image.
nvme=$(mktemp /tmp/hostdev-lab-nvme.XXXXXX)
trap 'rm -f "$nvme"' EXIT
cp --sparse=always "$LAB_NVME" "$nvme"

append="console=ttyS0 quiet loglevel=1 intel_iommu=on panic=-1"
[ -z "$only" ] || append="$append lab.only=$only"
[ $verbose = 0 ] || append="$append lab.verbose"

# The machine LAB.md describes; -no-reboot turns a guest panic into QEMU's exit.
qemu=(qemu-system-x86_64 -machine q35,kernel-irqchip=split -accel tcg -cpu max
	-m 1024 -smp 2 -nographic -no-reboot
	-kernel "$LAB_KERNEL" -initrd "$LAB_INITRD"
	-append "$append"
	-device intel-iommu,intremap=on
	-device e1000e,romfile=
	-device qemu-xhci,id=xhci
	-device nvme-subsys,id=subsys0
	-device pcie-root-port,id=rp0,chassis=1
	-drive "file=$nvme,if=none,id=nv0,format=raw"
	-device nvme,id=nvc0,serial=deadbeef,subsys=subsys0,bus=rp0,sriov_max_vfs=4,sriov_vq_flexible=8,sriov_vi_flexible=4,msix_qsize=8
	-device nvme-ns,drive=nv0,bus=nvc0
	-nic none)

echo "lab: booting $LAB_KVER (timeout ${timeout}s), console in $log" >&2
boot=$(date +%s)
qrc=0
if [ $verbose = 1 ]; then
	timeout -k 5 "$timeout" "${qemu[@]}" < /dev/null 2>&1 | tee "$raw" | tr -d '\r' || qrc=$?
else
	timeout -k 5 "$timeout" "${qemu[@]}" < /dev/null > "$raw" 2>&1 || qrc=$?
fi
end=$(date +%s)
tr -d '\r' < "$raw" > "$log"
rm -f "$raw"

# One pass over the console: check lines (outside files), files, and the end marker.
# results.txt gets "ok|not ok|skip<TAB>context file<TAB>line"; a failure's context file
# holds the console lines (files left out) since the previous check line.
rm -rf "$out/context"
mkdir -p "$out/context"
awk -v outdir="$out/out" -v results="$out/results.txt" -v ctxdir="$out/context" '
	function keep(l) { ctx[nctx++ % 40] = l }
	function dump(   f, i, from) {
		f = ctxdir "/" (++nfail) ".txt"
		from = (nctx > 40) ? nctx - 40 : 0
		printf "" > f
		for (i = from; i < nctx; i++) print ctx[i % 40] > f
		close(f)
		nctx = 0
		return f
	}
	BEGIN { infile = 0; done = 0; nctx = 0; nfail = 0; printf "" > results }
	infile {
		if ($0 ~ /--- end FILE ---/) {
			close(path); infile = 0
			if (b64) print path > (outdir "/.base64")
			next
		}
		if ($0 ~ /^\[ *[0-9]+\.[0-9]+\] /) { keep($0); next }   # a kernel message, not the file
		print $0 > path
		next
	}
	/--- begin FILE [^ ]+( base64)? ---/ {
		s = $0; sub(/.*--- begin FILE /, "", s); sub(/ ---.*/, "", s)
		b64 = 0
		if (s ~ / base64$/) { b64 = 1; sub(/ base64$/, "", s) }
		keep("[file " s "]")
		if (s ~ /(^\/|\.\.)/) next
		path = outdir "/" s
		dir = path; sub(/\/[^\/]*$/, "", dir)
		system("mkdir -p \"" dir "\"")
		printf "" > path
		infile = 1
		next
	}
	/lab-done/ { done = 1 }
	/not ok - / {
		keep($0)
		l = $0; sub(/.*not ok - /, "not ok - ", l)
		print "not ok\t" dump() "\t" l > results
		next
	}
	/(^|[^a-z])ok - / {
		l = $0; sub(/.*ok - /, "ok - ", l)
		print ((l ~ /# SKIP/) ? "skip" : "ok") "\t-\t" l > results
		nctx = 0
		next
	}
	{ keep($0) }
	END {
		if (infile) keep("[console ended inside a file]")
		if (!done) {
			keep("[no lab-done marker]")
			print "not ok\t" dump() "\tnot ok - lab-done: the guest did not finish (timeout, panic or hang)" > results
		}
	}
' "$log"

# base64 files, decoded in place
if [ -e "$out/out/.base64" ]; then
	while read -r f; do
		base64 -d < "$f" > "$f.tmp" && mv "$f.tmp" "$f" ||
			printf 'not ok\t-\tnot ok - file-%s: base64 did not decode\n' "${f#"$out/out/"}" >> "$out/results.txt"
	done < "$out/out/.base64"
	rm -f "$out/out/.base64"
fi

if [ -n "$record_into" ]; then
	for t in "$out"/out/record/*.tar.gz; do
		[ -e "$t" ] || continue
		state=$(basename "$t" .tar.gz)
		rm -rf "$record_into/lab-$state"
		mkdir -p "$record_into/lab-$state"
		tar -xzf "$t" -C "$record_into/lab-$state" --strip-components=1
		echo "lab: recorded tree $record_into/lab-$state" >&2
	done
fi

# Every XML the guest sent must validate against libvirt's nodedev schema.
if [ $validate = 1 ] && [ -d "$out/out/xml" ]; then
	nx=0; bad=0
	for f in "$out"/out/xml/*.xml; do
		[ -e "$f" ] || continue
		nx=$((nx + 1))
		if ! err=$(virt-xml-validate "$f" nodedev 2>&1); then
			bad=$((bad + 1))
			reason=$(echo "$err" | grep -v '^$' | grep -v 'fails to validate' | head -n 1)
			printf 'not ok\t-\tnot ok - xml-valid-%s: %s\n' "$(basename "$f" .xml)" "${reason:-fails to validate}" >> "$out/results.txt"
			echo "$err" | sed 's/^/# /' > "$f.errors"
		fi
	done
	[ $bad -gt 0 ] || printf 'ok\t-\tok - xml-valid # %d files\n' "$nx" >> "$out/results.txt"
fi

npass=0; nfail=0; nskip=0
while IFS=$'\t' read -r kind ctx line; do
	case $kind in
	ok) npass=$((npass + 1)); echo "$line" ;;
	skip) nskip=$((nskip + 1)); echo "$line" ;;
	"not ok")
		nfail=$((nfail + 1))
		if [ "$ctx" != - ] && [ -s "$ctx" ]; then
			echo "---- guest console before the failure ($log) ----"
			sed 's/^/| /' "$ctx"
			echo "----"
		fi
		echo "$line"
		;;
	esac
done < "$out/results.txt"

case $qrc in
0) ;;
124|137) echo "lab: QEMU was stopped after ${timeout}s" >&2 ;;
*) echo "lab: QEMU exited with status $qrc" >&2 ;;
esac
if [ $((npass + nfail + nskip)) -eq 0 ]; then
	echo "not ok - lab: no check ran"
	nfail=$((nfail + 1))
fi
nerr=0
for f in "$out"/out/xml/*.errors; do
	[ -e "$f" ] || continue
	nerr=$((nerr + 1))
	if [ $nerr -le 5 ]; then
		echo "---- virt-xml-validate $(basename "$f" .errors).xml ----"
		head -n 10 "$f"
	fi
done
[ $nerr -le 5 ] || echo "---- (and $((nerr - 5)) more invalid XML files: $out/out/xml/*.errors)"

echo "lab: guest ran $((end - boot))s, whole run $((end - start))s; initramfs $(du -k "$LAB_INITRD" | cut -f1) KiB" >&2
if [ $nskip -gt 0 ]; then
	echo "$npass passed, $nfail failed, $nskip skipped"
else
	echo "$npass passed, $nfail failed"
fi
[ $nfail -eq 0 ]
