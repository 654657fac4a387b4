#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs the real-kernel lab: boots Debian's kernels under QEMU (TCG) with hostdev and the
# scenarios, and turns each serial console into check results.
#
# usage: tests/lab/run.sh [options] [[--hostdev] HOSTDEV_BINARY]   (default: build/hostdev)
#   --boot NAME[,NAME]  the boots to run, of (default: all of them, what CI runs)
#                    6.1   Debian 12's kernel on the host's QEMU (7.2): every scenario
#                    6.12  bookworm-backports' 6.12 on its QEMU 10 with an igb SR-IOV NIC: every scenario
#                    6.1-igb  Debian 12's kernel on QEMU 10: setup and the igb scenarios only
#                    6.1-reboot  Debian 12's kernel, booted twice with a persistent disk: setup and 86-reboot
#   --kernel K       one boot with kernel K (6.1, 6.12 or an exact version; also HOSTDEV_LAB_KVER)
#   --qemu Q         ... and QEMU Q (system or 10; 10 adds the igb NIC)
#   --out DIR        console.log and received files go here, a folder per boot (default: lab/
#                    beside the binary, build/lab for build/hostdev)
#   --timeout SEC    each guest must print lab-done within this (default: 720)
#   --only PAT[,PAT] run only scenarios whose name contains PAT (setup always runs)
#   --verbose        print the guest console live, and the output of passing checks
#   --no-validate    do not run virt-xml-validate on the XML the guest sends
#   --record-into DIR  unpack each tree `hostdev record` made in the first boot's guest into
#                    DIR/lab-STATE (replacing it), e.g. --record-into tests/data/trees
#
# Prints one line per check, tagged with its boot (ok - [6.12] NAME / not ok - [6.12] NAME: reason),
# the guest's output around each failure, and last "N passed, N failed[, N skipped]" over all
# boots; exits 1 on any failure. Files the guest prints between "--- begin FILE name [base64] ---"
# and "--- end FILE ---" land in OUT/BOOT/out/name (XML in out/xml/, recorded trees in out/record/).
set -euo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_SRC/../.." && pwd)

# name kernel qemu only: what each boot is. CI runs them all (see README.md for their times).
BOOTS="6.1:6.1:system:
6.12:6.12:10:
6.1-igb:6.1:10:igb
6.1-reboot:6.1:system:reboot"

out=
timeout=720   # a loaded 2-core machine boots and runs a guest slowly
only=
verbose=0
validate=1
record_into=
binary=
boots=
kernel=${HOSTDEV_LAB_KVER:-}
qemu_sel=
while [ $# -gt 0 ]; do
	case $1 in
	--boot) boots=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--qemu) qemu_sel=$2; shift ;;
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
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The boots to run, as "name:kernel:qemu:only" lines.
if [ -n "$kernel" ] || [ -n "$qemu_sel" ]; then
	[ -z "$boots" ] || { echo "run.sh: --boot goes without --kernel and --qemu" >&2; exit 2; }
	n=${kernel:-6.1}
	[ "${qemu_sel:-system}" = system ] || n="$n-qemu$qemu_sel"
	plan="$n:${kernel:-6.1}:${qemu_sel:-system}:"
else
	plan=
	for b in $(echo "${boots:-$(echo "$BOOTS" | cut -d: -f1 | tr '\n' ,)}" | tr ',' ' '); do
		line=$(echo "$BOOTS" | grep "^$b:" || true)
		[ -n "$line" ] || { echo "run.sh: no boot '$b'; the boots are $(echo "$BOOTS" | cut -d: -f1 | tr '\n' ' ')" >&2; exit 2; }
		plan="$plan$line"$'\n'
	done
fi

NVME=$(mktemp /tmp/hostdev-lab-nvme.XXXXXX)
PERSIST=$(mktemp /tmp/hostdev-lab-persist.XXXXXX)
trap 'rm -f "$NVME" "$PERSIST"' EXIT
all_results=$out/results.txt
: > "$all_results"
timings=()

# boot NAME KERNEL QEMU ONLY: build, boot, and turn the console into OUT/NAME/results.txt lines
# "ok|not ok|skip<TAB>context file<TAB>line" (line tagged with [NAME]).
boot() {
	local name=$1 kernel=$2 qemu_sel=$3 bonly=$4 bout=$out/$1 env start boot_t end qrc append raw log phases=1 phase a
	local -a qemu
	start=$(date +%s)
	mkdir -p "$bout"
	rm -rf "$bout/out" "$bout/context"
	mkdir -p "$bout/out" "$bout/context"
	: > "$bout/results.txt"
	if ! env=$("$LAB_SRC/build.sh" --print-env --kernel "$kernel" --qemu "$qemu_sel" "$binary"); then
		printf 'not ok\t-\tnot ok - [%s] lab-build: tests/lab/build.sh failed (see above)\n' "$name" >> "$bout/results.txt"
		return 0
	fi
	eval "$env"
	raw=$bout/console.raw
	log=$bout/console.log
	# QEMU locks its disk: each run gets its own sparse copy of the cached empty image.
	cp --sparse=always "$LAB_NVME" "$NVME"

	# no_timer_check: on a loaded host TCG is slow enough for the kernel's IO-APIC timer test to fail
	# ("timer doesn't work through Interrupt-remapped IO-APIC", a panic at 0.06 s); the timer works.
	append="console=ttyS0 quiet loglevel=1 intel_iommu=on panic=-1 no_timer_check lab.boot=$name"
	[ -z "${only:-$bonly}" ] || append="$append lab.only=${only:-$bonly}"
	[ $verbose = 0 ] || append="$append lab.verbose"

	# The machine LAB.md describes; -no-reboot turns a guest panic into QEMU's exit.
	qemu=("$LAB_QEMU")
	if [ -n "$LAB_QEMU_ROOT" ]; then
		# backports' QEMU from the cache: its own modules and firmware, not the host's 7.2 ones
		qemu=(env "QEMU_MODULE_DIR=$LAB_QEMU_ROOT/usr/lib/x86_64-linux-gnu/qemu" "$LAB_QEMU"
			-L "$LAB_QEMU_ROOT/usr/share/qemu" -L "$LAB_QEMU_ROOT/usr/share/seabios" -audio none)
	fi
	qemu+=(-machine q35,kernel-irqchip=split -accel tcg -cpu max
		-m 1024 -smp 2 -nographic -no-reboot
		-kernel "$LAB_KERNEL" -initrd "$LAB_INITRD"
		-device intel-iommu,intremap=on
		-device e1000e,romfile=
		-device qemu-xhci,id=xhci
		-device nvme-subsys,id=subsys0
		-device pcie-root-port,id=rp0,chassis=1
		-drive "file=$NVME,if=none,id=nv0,format=raw"
		-device nvme,id=nvc0,serial=deadbeef,subsys=subsys0,bus=rp0,sriov_max_vfs=4,sriov_vq_flexible=8,sriov_vi_flexible=4,msix_qsize=8
		-device nvme-ns,drive=nv0,bus=nvc0)
	# QEMU 8.0 on emulates Intel's 82576 with SR-IOV: no netdev needed (QEMU warns it has no peer).
	if [ "${LAB_QEMU_VERSION%%.*}" -ge 8 ]; then
		qemu+=(-device pcie-root-port,id=rp1,chassis=2 -device igb,bus=rp1,romfile=)
	fi
	qemu+=(-nic none)
	# A *-reboot boot: the same guest twice, with a disk kept between the two (a second NVMe controller,
	# serial "persist", empty at the first boot) where the guest keeps /etc/hostdev, /etc/mdevctl.d and
	# /var/lib/hostdev (guest/lib.sh, lab_persist_*).
	if [[ $name == *-reboot ]]; then
		phases=2
		: > "$PERSIST" && truncate -s 16M "$PERSIST"
		qemu+=(-drive "file=$PERSIST,if=none,id=pd,format=raw" -device nvme,serial=persist,drive=pd)
	fi

	echo "lab: [$name] booting $LAB_KVER on QEMU $LAB_QEMU_VERSION (timeout ${timeout}s), console in $log" >&2
	boot_t=$(date +%s)
	qrc=0
	: > "$raw"
	for phase in $(seq 1 $phases); do
		a=$append
		[ $phases = 1 ] || a="$append lab.persist lab.phase=$phase"
		if [ $verbose = 1 ]; then
			timeout -k 5 "$timeout" "${qemu[@]}" -append "$a" < /dev/null 2>&1 | tee -a "$raw" | tr -d '\r' || qrc=$?
		else
			timeout -k 5 "$timeout" "${qemu[@]}" -append "$a" < /dev/null >> "$raw" 2>&1 || qrc=$?
		fi
		[ $qrc = 0 ] || break
	done
	end=$(date +%s)
	tr -d '\r' < "$raw" > "$log"
	rm -f "$raw"
	case $qrc in
	0) ;;
	124|137) echo "lab: [$name] QEMU was stopped after ${timeout}s" >&2 ;;
	*) echo "lab: [$name] QEMU exited with status $qrc" >&2 ;;
	esac

	parse_console "$name" "$log" "$bout"
	# The parse sees one lab-done; a *-reboot boot needs one per boot.
	if [ $phases -gt 1 ] && [ "$(grep -c lab-done "$log")" -lt $phases ]; then
		printf 'not ok\t-\tnot ok - [%s] lab-done-each-boot: %s of %s boots finished\n' "$name" \
			"$(grep -c lab-done "$log")" $phases >> "$bout/results.txt"
	fi
	[ $validate = 0 ] || validate_xml "$name" "$bout"
	if [ -n "$record_into" ] && [ -z "${recorded:-}" ]; then
		recorded=$name
		record_trees "$bout"
	fi
	timings+=("[$name] $LAB_KVER, QEMU $LAB_QEMU_VERSION: build $((boot_t - start))s, guest $((end - boot_t))s; initramfs $(du -k "$LAB_INITRD" | cut -f1) KiB")
}

# parse_console NAME LOG BOUT: one pass over the console: check lines (outside files), files, the end
# marker. A failure's context file holds the console lines (files left out) since the previous check.
parse_console() {
	local name=$1 log=$2 bout=$3 f
	awk -v outdir="$bout/out" -v results="$bout/results.txt" -v ctxdir="$bout/context" -v tag="[$name] " '
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
		BEGIN { infile = 0; done = 0; nctx = 0; nfail = 0 }
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
			l = $0; sub(/.*not ok - /, "not ok - " tag, l)
			print "not ok\t" dump() "\t" l > results
			next
		}
		/(^|[^a-z])ok - / {
			l = $0; sub(/.*ok - /, "ok - " tag, l)
			print ((l ~ /# SKIP/) ? "skip" : "ok") "\t-\t" l > results
			nctx = 0
			next
		}
		{ keep($0) }
		END {
			if (infile) keep("[console ended inside a file]")
			if (!done) {
				keep("[no lab-done marker]")
				print "not ok\t" dump() "\tnot ok - " tag "lab-done: the guest did not finish (timeout, panic or hang)" > results
			}
		}
	' "$log"
	# base64 files, decoded in place
	if [ -e "$bout/out/.base64" ]; then
		while read -r f; do
			base64 -d < "$f" > "$f.tmp" && mv "$f.tmp" "$f" ||
				printf 'not ok\t-\tnot ok - [%s] file-%s: base64 did not decode\n' "$name" "${f#"$bout/out/"}" >> "$bout/results.txt"
		done < <(sort -u "$bout/out/.base64")   # a *-reboot boot sends its files twice
		rm -f "$bout/out/.base64"
	fi
}

record_trees() {
	local t state
	for t in "$1"/out/record/*.tar.gz; do
		[ -e "$t" ] || continue
		state=$(basename "$t" .tar.gz)
		rm -rf "$record_into/lab-$state"
		mkdir -p "$record_into/lab-$state"
		tar -xzf "$t" -C "$record_into/lab-$state" --strip-components=1
		echo "lab: recorded tree $record_into/lab-$state" >&2
	done
}

# Every XML the guest sent must validate against libvirt's nodedev schema.
validate_xml() {
	local name=$1 bout=$2 nx=0 bad=0 f err reason
	[ -d "$bout/out/xml" ] || return 0
	for f in "$bout"/out/xml/*.xml; do
		[ -e "$f" ] || continue
		nx=$((nx + 1))
		if ! err=$(virt-xml-validate "$f" nodedev 2>&1); then
			bad=$((bad + 1))
			reason=$(echo "$err" | grep -v '^$' | grep -v 'fails to validate' | head -n 1)
			printf 'not ok\t-\tnot ok - [%s] xml-valid-%s: %s\n' "$name" "$(basename "$f" .xml)" "${reason:-fails to validate}" >> "$bout/results.txt"
			echo "$err" | sed 's/^/# /' > "$f.errors"
		fi
	done
	[ $bad -gt 0 ] || printf 'ok\t-\tok - [%s] xml-valid # %d files\n' "$name" "$nx" >> "$bout/results.txt"
}

start_all=$(date +%s)
while IFS=: read -r name k q o; do
	[ -n "$name" ] || continue
	boot "$name" "$k" "$q" "$o"
	cat "$out/$name/results.txt" >> "$all_results"
done <<< "$plan"
end_all=$(date +%s)

npass=0; nfail=0; nskip=0
while IFS=$'\t' read -r kind ctx line; do
	case $kind in
	ok) npass=$((npass + 1)); echo "$line" ;;
	skip) nskip=$((nskip + 1)); echo "$line" ;;
	"not ok")
		nfail=$((nfail + 1))
		if [ "$ctx" != - ] && [ -s "$ctx" ]; then
			echo "---- guest console before the failure ($(dirname "$(dirname "$ctx")")/console.log) ----"
			sed 's/^/| /' "$ctx"
			echo "----"
		fi
		echo "$line"
		;;
	esac
done < "$all_results"

if [ $((npass + nfail + nskip)) -eq 0 ]; then
	echo "not ok - lab: no check ran"
	nfail=$((nfail + 1))
fi
nerr=0
for f in "$out"/*/out/xml/*.errors; do
	[ -e "$f" ] || continue
	nerr=$((nerr + 1))
	if [ $nerr -le 5 ]; then
		echo "---- virt-xml-validate $(basename "$f" .errors).xml ----"
		head -n 10 "$f"
	fi
done
[ $nerr -le 5 ] || echo "---- (and $((nerr - 5)) more invalid XML files: $out/*/out/xml/*.errors)"

for t in "${timings[@]}"; do echo "lab: $t" >&2; done
echo "lab: whole run $((end_all - start_all))s" >&2
if [ $nskip -gt 0 ]; then
	echo "$npass passed, $nfail failed, $nskip skipped"
else
	echo "$npass passed, $nfail failed"
fi
[ $nfail -eq 0 ]
