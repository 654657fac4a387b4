#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Times hostdev against the floor (every uevent read once) and lspci on synthetic trees of 1k, 10k and 50k devices.
#
# usage: bench/run.sh [--sizes "1k 10k 50k"] [--runs N] [--dir DIR] [--build DIR] [--regen]
#
#   --sizes   tree sizes to run (bench/gen-tree presets; default "1k 10k 50k")
#   --runs    timed runs per command, after 2 warm-up runs (default 5); medians are reported
#   --dir     where the trees are written and kept (default /var/tmp/hostdev-bench; the 50k
#             tree is about 1.4 million files, 6 GB on disk)
#   --build   the meson build folder with hostdev and bench/ (default build)
#   --regen   write the trees again even when a tree of the same generator is there
#
# Needs hyperfine, lspci (pciutils) and GNU time; as root, installs the ones missing.
# Every command reads the same tree through --sysroot (lspci through -O sysfs.path).
# Times are wall-clock medians with warm caches, and the mean CPU time (user + system),
# which a busy machine disturbs less; ratios are of CPU times. Peak RSS is GNU time's %M.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sizes="1k 10k 50k"
runs=5
dir=${HOSTDEV_BENCH_DIR:-/var/tmp/hostdev-bench}
build=$REPO/build
regen=0

while [ $# -gt 0 ]; do
	case $1 in
	--sizes) sizes=$2; shift ;;
	--runs) runs=$2; shift ;;
	--dir) dir=$2; shift ;;
	--build) build=$(cd "$2" && pwd); shift ;;
	--regen) regen=1 ;;
	-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument $1; see --help" >&2; exit 2 ;;
	esac
	shift
done

die() { echo "run.sh: $*" >&2; exit 1; }

hostdev=$build/hostdev
gen=$build/bench/gen-tree
floor=$build/bench/floor
for b in "$hostdev" "$gen" "$floor"; do
	[ -x "$b" ] || die "$b is missing; build first: meson setup $build && ninja -C $build"
done

# --- tools --------------------------------------------------------------------
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v lspci >/dev/null || missing+=(pciutils)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing ${missing[*]}; run: sudo apt-get install ${missing[*]}"
	echo "run.sh: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
		{ apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
		die "cannot install ${missing[*]}"
fi
case $dir in *[[:space:]]*) die "--dir must not contain spaces (hyperfine runs commands without a shell)" ;; esac

# --- helpers ------------------------------------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

manifest_get() { sed -n "s/^$2=//p" "$1/manifest"; }

# tree SIZE: the tree's folder, written when missing or made by another generator.
tree() {
	local t=$dir/$1 stamp
	stamp=$(sha256sum "$gen" | cut -c1-16)
	if [ $regen = 1 ] || [ "$(cat "$t/generator" 2>/dev/null)" != "$stamp" ]; then
		echo "run.sh: writing the $1 tree in $t" >&2
		rm -rf "$t"
		mkdir -p "$dir"
		"$gen" --size "$1" "$t" >&2
		echo "$stamp" > "$t/generator"
	fi
	echo "$t"
}

# rss_kb CMD...: peak resident set of one run, in KiB
rss_kb() {
	/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$tmp/rss"
}

fmt_time() { # seconds -> "12.3 ms" / "1.23 s"
	awk -v s="$1" 'BEGIN { if (s < 1) printf "%.1f ms", s * 1000; else printf "%.2f s", s }'
}

declare -A MEDIAN CPU RSS

# bench SIZE TREE: every command on one tree; medians into MEDIAN[SIZE,LABEL], RSS[SIZE,LABEL].
bench() {
	local size=$1 t=$2 vf name lspci_cmd
	vf=$(manifest_get "$t" sample_vf)
	name=pci_$(echo "$vf" | tr ':.' '__')
	lspci_cmd="lspci -A linux-sysfs -O sysfs.path=$t/sys/bus/pci -D -nn -k"
	local -a labels=(floor list list-J list-pci iommu show show-noids start lspci)
	local -a cmds=(
		"$floor $t"
		"$hostdev --sysroot $t list"
		"$hostdev --sysroot $t list -J"
		"$hostdev --sysroot $t list --cap pci"
		"$hostdev --sysroot $t iommu"
		"$hostdev --sysroot $t show $name"
		"env HOSTDEV_IDS_DIR=$REPO/tests/data/ids $hostdev --sysroot $t show $name"
		"$hostdev --version"
		"$lspci_cmd"
	)
	local -a hf=()
	for i in "${!labels[@]}"; do
		hf+=(-n "${labels[$i]}" "${cmds[$i]}")
	done
	# The outputs must be there: a command that fails would time its error path.
	for i in "${!labels[@]}"; do
		[ "${labels[$i]}" = lspci ] && continue
		${cmds[$i]} >/dev/null 2>"$tmp/err" || die "'${cmds[$i]}' failed: $(tail -n 1 "$tmp/err")"
	done
	hyperfine -N --style none --warmup 2 --runs "$runs" --export-csv "$tmp/$size.csv" "${hf[@]}" >/dev/null 2>&1 ||
		die "hyperfine failed on the $size tree"
	# command,mean,stddev,median,user,system,min,max
	while IFS=, read -r label _mean _sd median user system _rest; do
		[ "$label" = command ] && continue
		MEDIAN[$size,$label]=$median
		CPU[$size,$label]=$(awk -v u="$user" -v s="$system" 'BEGIN { print u + s }')
	done < "$tmp/$size.csv"
	for i in "${!labels[@]}"; do
		RSS[$size,${labels[$i]}]=$(rss_kb ${cmds[$i]})
	done
	SHOWNAME[$size]=$name
}
declare -A SHOWNAME DEVICES PCI

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { print a - b }'; }
mb() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f", k / 1024 }'; }

# --- run ----------------------------------------------------------------------
echo "hostdev benchmark: $(uname -r), $(nproc) CPUs, $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "trees in $dir; wall: median of $runs runs after 2 warm-up runs; CPU: mean user+system; x floor: of CPU times"
for size in $sizes; do
	t=$(tree "$size")
	DEVICES[$size]=$(manifest_get "$t" devices)
	PCI[$size]=$(manifest_get "$t" pci)
	bench "$size" "$t"
	f=${CPU[$size,floor]}
	echo
	echo "== $size: ${DEVICES[$size]} devices (${PCI[$size]} PCI functions) =="
	printf '%-50s %10s %10s %8s %9s\n' command wall CPU "x floor" "peak RSS"
	for label in floor list list-J list-pci iommu show show-noids start lspci; do
		case $label in
		floor) what="floor: every device's uevent read once" ;;
		list) what="hostdev list" ;;
		list-J) what="hostdev list -J" ;;
		list-pci) what="hostdev list --cap pci" ;;
		iommu) what="hostdev iommu" ;;
		show) what="hostdev show ${SHOWNAME[$size]}" ;;
		show-noids) what="  the same, names from a 1 kB pci.ids" ;;
		start) what="hostdev --version (process start)" ;;
		lspci) what="lspci -D -nn -k (the PCI part)" ;;
		esac
		printf '%-50s %10s %10s %8s %6s MB\n' "$what" "$(fmt_time "${MEDIAN[$size,$label]}")" \
			"$(fmt_time "${CPU[$size,$label]}")" "$(ratio "${CPU[$size,$label]}" "$f")" "$(mb "${RSS[$size,$label]}")"
	done
done

# --- growth and targets ------------------------------------------------------
echo
echo "== growth: CPU time and memory per device =="
printf '%-6s %8s %12s %12s %10s %14s %12s\n' size devices "floor/dev" "list/dev" "list RSS" "list RSS/dev" "show"
for size in $sizes; do
	n=${DEVICES[$size]}
	printf '%-6s %8s %9.1f us %9.1f us %7s MB %11.2f KB %12s\n' "$size" "$n" \
		"$(awk -v t="${CPU[$size,floor]}" -v n="$n" 'BEGIN { print t * 1e6 / n }')" \
		"$(awk -v t="${CPU[$size,list]}" -v n="$n" 'BEGIN { print t * 1e6 / n }')" \
		"$(mb "${RSS[$size,list]}")" \
		"$(awk -v k="${RSS[$size,list]}" -v n="$n" 'BEGIN { print k / n }')" \
		"$(fmt_time "${MEDIAN[$size,show]}")"
done

echo
echo "== targets =="
verdict() { if [ "$1" = 1 ]; then echo "met   "; else echo "MISSED"; fi; }
if [[ " $sizes " == *" 10k "* ]]; then
	r=$(ratio "${CPU[10k,list]}" "${CPU[10k,floor]}")
	echo "$(verdict "$(awk -v r="$r" 'BEGIN { print (r <= 2) }')") hostdev list on 10k within 2x the floor: ${r}x"
	rss=$(mb "${RSS[10k,list]}")
	echo "$(verdict "$(awk -v m="$rss" 'BEGIN { print (m < 32) }')") peak RSS under 32 MB at 10k: $rss MB"
fi
for size in $sizes; do
	r=$(ratio "${CPU[$size,list-pci]}" "${CPU[$size,lspci]}")
	echo "$(verdict "$(awk -v r="$r" 'BEGIN { print (r < 1) }')") hostdev list --cap pci faster than lspci ($size): ${r}x lspci's CPU time"
done
for size in $sizes; do
	own=$(minus "${CPU[$size,show]}" "${CPU[$size,start]}")
	lookup=$(minus "${CPU[$size,show-noids]}" "${CPU[$size,start]}")
	names=$(minus "${CPU[$size,show]}" "${CPU[$size,show-noids]}")
	echo "$(verdict "$(awk -v s="$own" 'BEGIN { print (s < 0.001) }')") hostdev show under 1 ms ($size): $(fmt_time "$own") past process start" \
		"(lookup $(fmt_time "$lookup"), names database $(fmt_time "$names"); with the start $(fmt_time "${CPU[$size,show]}"))"
done
set -- $sizes
if [ $# -ge 2 ]; then
	first=$1 last=${!#}
	a=$(minus "${CPU[$last,show]}" "${CPU[$last,start]}")
	b=$(minus "${CPU[$first,show]}" "${CPU[$first,start]}")
	g=$(ratio "$a" "$b")
	echo "$(verdict "$(awk -v g="$g" 'BEGIN { print (g <= 1.2) }')") show no slower at $last than at $first: ${g}x (CPU past process start)"
	# Linear: each device costs the same at every size. With three sizes, the cost per added
	# device from the middle to the largest against the smallest to the middle.
	if [ $# -ge 3 ]; then mid=$2; else mid=$first; first=; fi
	slope() { # slope ARRAY SIZE_A SIZE_B: (value at B - value at A) / (devices at B - devices at A)
		local -n arr=$1
		if [ -z "$2" ]; then
			awk -v v="${arr[$3,list]}" -v n="${DEVICES[$3]}" 'BEGIN { print v / n }'
		else
			awk -v a="${arr[$2,list]}" -v b="${arr[$3,list]}" -v na="${DEVICES[$2]}" -v nb="${DEVICES[$3]}" \
				'BEGIN { print (b - a) / (nb - na) }'
		fi
	}
	tg=$(ratio "$(slope CPU "$mid" "$last")" "$(slope CPU "$first" "$mid")")
	mg=$(ratio "$(slope RSS "$mid" "$last")" "$(slope RSS "$first" "$mid")")
	span="${first:+$first->}$mid vs $mid->$last"
	echo "$(verdict "$(awk -v t="$tg" 'BEGIN { print (t <= 1.25) }')") list time grows linearly: ${tg}x the CPU time per added device ($span; 1.0 is linear)"
	echo "$(verdict "$(awk -v t="$mg" 'BEGIN { print (t <= 1.25) }')") list memory grows linearly: ${mg}x the RSS per added device ($span)"
fi
