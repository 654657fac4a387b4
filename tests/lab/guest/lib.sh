# SPDX-License-Identifier: LGPL-2.1-or-later
# Shell helpers for the lab scenarios (busybox ash): checks, waiting, files sent to the host.
#
# Result lines, one per check, are what the host counts:
#   ok - NAME            ok - NAME # SKIP why           not ok - NAME: reason
# Lines starting with "# " are commentary; on failure the check's output precedes
# its line that way. Files go to the host between
#   --- begin FILE relative/name [base64] ---   and   --- end FILE ---

LAB_RESULTS=/tmp/lab-results
: > "$LAB_RESULTS" 2>/dev/null || true
exec 3>&1   # the console, for output that must not be captured by check

lab_param() {   # lab_param NAME: value of lab.NAME= on the kernel command line
	for _w in $(cat /proc/cmdline); do
		case $_w in
		"lab.$1="*) echo "${_w#lab.$1=}"; return 0 ;;
		"lab.$1") echo 1; return 0 ;;
		esac
	done
	return 1
}

LAB_ONLY=$(lab_param only || true)
LAB_VERBOSE=$(lab_param verbose || true)

lab_wanted() {   # setup scenarios (00-*) always run; lab.only=PAT,PAT selects others
	case $1 in 00-*) return 0 ;; esac
	[ -n "$LAB_ONLY" ] || return 0
	for _p in $(echo "$LAB_ONLY" | tr ',' ' '); do
		case $1 in *$_p*) return 0 ;; esac
	done
	return 1
}

# check NAME CMD [ARG...]: runs CMD (a function or program) with errexit in a
# subshell; exit 0 is ok, 77 is a skip, anything else a failure whose reason is
# the last line CMD printed. ash does not carry errexit into $(...): functions
# meant for $(...) return their failures themselves.
check() {
	_name=$1; shift
	_out=$( (set -e; "$@") 2>&1 )
	_rc=$?
	_last=$(printf '%s\n' "$_out" | sed '/^[[:space:]]*$/d' | tail -n 1)
	if [ $_rc -eq 0 ]; then
		[ -z "$LAB_VERBOSE" ] || printf '%s\n' "$_out" | sed '/^$/d; s/^/# /'
		echo "ok - $_name"
		echo ok >> "$LAB_RESULTS"
	elif [ $_rc -eq 77 ]; then
		echo "ok - $_name # SKIP ${_last:-skipped}"
		echo skip >> "$LAB_RESULTS"
	else
		printf '%s\n' "$_out" | sed '/^$/d' | tail -n 40 | sed 's/^/# /'
		echo "not ok - $_name: ${_last:-exit status $_rc}"
		echo fail >> "$LAB_RESULTS"
	fi
	return $_rc
}

skip() {   # skip NAME WHY
	echo "ok - $1 # SKIP $2"
	echo skip >> "$LAB_RESULTS"
}

fail() {   # inside a check: fail MESSAGE (the message becomes the reason)
	echo "$*"
	return 1
}

skip_check() {   # inside a check: the check is skipped with this reason
	echo "$*"
	exit 77
}

lab_summary() {
	_p=$(grep -c '^ok$' "$LAB_RESULTS" || true)
	_f=$(grep -c '^fail$' "$LAB_RESULTS" || true)
	_s=$(grep -c '^skip$' "$LAB_RESULTS" || true)
	echo "# guest: $_p ok, $_f not ok, $_s skipped"
}

# hd ARGS...: hostdev, whose failure names the command and its last error line;
# one that hangs is stopped after HD_TIMEOUT seconds, failing only its check.
HD_TIMEOUT=${HD_TIMEOUT:-60}
hd() {
	_hd_err=/tmp/hd.err.$$
	if timeout "$HD_TIMEOUT" hostdev "$@" 2>"$_hd_err"; then
		rm -f "$_hd_err"
		return 0
	else
		_hd_rc=$?
		sed 's/^/# stderr: /' "$_hd_err" | tail -n 10 >&2
		case $_hd_rc in
		124|143) echo "hostdev $*: no answer within ${HD_TIMEOUT}s" >&2 ;;
		*) echo "hostdev $*: exit $_hd_rc: $(sed '/^$/d' "$_hd_err" | tail -n 1)" >&2 ;;
		esac
		rm -f "$_hd_err"
		return $_hd_rc
	fi
}

# hdjson FILE ARGS...: hostdev ARGS into FILE (JSON, checked when jqf or hdlist read it:
# a jq start costs ~0.4 s under TCG).
hdjson() {
	_f=$1; shift
	hd "$@" > "$_f" || return 1
	echo "hostdev $*" > "$_f.cmd"
}

# not_json FILE: the reason when FILE does not parse
not_json() {
	{
		head -c 300 "$1" | sed 's/^/output: /'
		echo
		echo "$(cat "$1.cmd" 2>/dev/null || echo "$1"): output is not JSON"
	} >&2
}

# hdlist FILE: `hostdev list -J` with every column the scenarios compare, and
# FILE.tsv with one line per device, those columns in that order ("null" for none):
# jq starts slowly under TCG, so lookups go through the TSV (see lget).
LIST_FIELDS="name cap parent path driver iommu address vendor product class pf vfs maxvfs"
LIST_COLS=$(echo $LIST_FIELDS | tr ' ' ',')
hdlist() {
	hdjson "$1" list -J -o "$LIST_COLS" || return 1
	jq -r '.devices[] | [.'"$(echo $LIST_FIELDS | sed 's/ /, ./g')"'] | map(if . == null then "null" else tostring end) | @tsv' "$1" > "$1.tsv" 2>/dev/null ||
		{ not_json "$1"; return 1; }
}

# lget FILE KEY VALUE FIELD...: the FIELDs of the devices in FILE (from hdlist)
# whose KEY is VALUE, space-separated; several devices are separated by ",".
lget() {
	_file=$1.tsv _key=$2 _val=$3
	shift 3
	awk -F'\t' -v key="$_key" -v val="$_val" -v want="$*" -v names="$LIST_FIELDS" '
		BEGIN { n = split(names, N, " "); for (i = 1; i <= n; i++) idx[N[i]] = i; m = split(want, W, " ") }
		$(idx[key]) == val {
			line = ""
			for (i = 1; i <= m; i++) line = line (i > 1 ? " " : "") $(idx[W[i]])
			out = out (found++ ? "," : "") line
		}
		END { if (found) print out }' "$_file"
}

# jqf FILTER [--arg N V]... FILE: jq -r with the helpers in /lab/hd.jq
jqf() {
	_flt=$1; shift
	jq -r -L /lab "include \"hd\"; $_flt" "$@" && return 0
	for _a in "$@"; do _last=$_a; done
	jq -e . "$_last" > /dev/null 2>&1 && return 1   # jq said why: the filter did not apply
	not_json "$_last"
	return 1
}

# A *-reboot boot (lab.persist, lab.phase=1 then 2): a disk kept between the boots, an NVMe namespace with serial
# "persist", holds /etc/hostdev, /etc/mdevctl.d and /var/lib/hostdev as a tar archive (the kernel has no filesystem
# built in, and the base initramfs carries no filesystem module): read at the start, written at the end.
LAB_PERSIST_DIRS="etc/hostdev etc/mdevctl.d var/lib/hostdev"
lab_persist_dev() {
	for _c in /sys/class/nvme/nvme*; do
		[ "$(tr -d ' ' < "$_c/serial" 2>/dev/null)" = persist ] || continue
		for _n in "$_c"/nvme*n1; do
			[ -b "/dev/${_n##*/}" ] && { echo "/dev/${_n##*/}"; return 0; }
		done
	done
	return 1
}
persist_load() {
	modprobe nvme
	wait_for 20 lab_persist_dev > /dev/null || fail "no NVMe namespace with serial 'persist'"
	_d=$(lab_persist_dev)
	if [ "$(lab_param phase)" = 1 ]; then
		echo "# persistent disk $_d: the first boot, empty"
	else
		tar -xf "$_d" -C / || fail "$_d holds no archive of the first boot"
		echo "# persistent disk $_d: $(find $LAB_PERSIST_DIRS -type f 2>/dev/null | wc -l) files back"
	fi
}
lab_persist_load() {
	lab_param persist > /dev/null || return 0
	(cd / && check "reboot-disk-load-$(lab_param phase)" persist_load)
}
persist_save() {
	_d=$(lab_persist_dev) || fail "no persistent disk"
	(cd / && mkdir -p $LAB_PERSIST_DIRS && tar -cf "$_d" $LAB_PERSIST_DIRS) || fail "writing $_d failed"
	sync
}
lab_persist_save() {
	lab_param persist > /dev/null || return 0
	check "reboot-disk-save-$(lab_param phase)" persist_save
}
# What hostdev-apply.service runs, in the second boot of a *-reboot boot: before any scenario types a command.
lab_boot_apply() {
	[ "$(lab_param phase)" = 2 ] || return 0
	hostdev apply > /tmp/boot-apply.out 2>&1
	echo $? > /tmp/boot-apply.rc
	sed 's/^/# boot: hostdev apply: /' /tmp/boot-apply.out
}

wait_for() {   # wait_for SECONDS CMD...: polls CMD every 0.1 s
	_t=$(( $1 * 10 )); shift
	while ! "$@" 2>/dev/null; do
		_t=$((_t - 1))
		[ $_t -gt 0 ] || return 1
		sleep 0.1
	done
}

link_name() {   # basename of a symlink's target, or "null" without the link
	if [ -L "$1" ]; then basename "$(readlink "$1")"; else echo null; fi
}

pci_name() { echo "pci_$(echo "$1" | tr ':.' '__')"; }
# libvirt (7.7 on) names an mdev by its UUID and its parent's sysfs name: mdev_UUID_PARENT
mdev_name() {
	_pa=$(basename "$(readlink -f "/sys/bus/mdev/devices/$1/..")")
	echo "mdev_$(echo "$1" | tr -- '-' '_')_$(echo "$_pa" | tr -- '-:.' '___')"
}

# emit_file NAME [base64] < DATA: sends DATA to the host as build/lab/out/NAME
emit_file() {
	if [ "${2:-}" = base64 ]; then
		echo "--- begin FILE $1 base64 ---" >&3
		base64 >&3
	else
		echo "--- begin FILE $1 ---" >&3
		cat >&3
		echo >&3
	fi
	echo "--- end FILE ---" >&3
}

lab_have_record() { hostdev record --help > /dev/null 2>&1; }

# record_state NAME: hostdev record in this state, sent to the host as
# record/NAME.tar.gz for tests/data/, and replayed with --sysroot, which must
# describe the same devices as the live system. A skip without the command.
record_state() {
	if ! lab_have_record; then
		skip "record-$1" "hostdev has no record command"
		return 0
	fi
	rm -rf "/tmp/rec-$1"
	if check "record-$1" hd record "/tmp/rec-$1"; then
		(cd /tmp && tar czf - "rec-$1") | emit_file "record/$1.tar.gz" base64
		check "record-$1-replay" record_replay "$1"
	fi
}

record_replay() {
	hdlist /tmp/live.json
	hdjson /tmp/replay.json --sysroot "/tmp/rec-$1" list -J -o "$LIST_COLS"
	if ! cmp -s /tmp/live.json /tmp/replay.json; then
		jq -c '.devices[]' /tmp/live.json > /tmp/live.lines
		jq -c '.devices[]' /tmp/replay.json > /tmp/replay.lines
		diff /tmp/live.lines /tmp/replay.lines | head -n 20
		fail "hostdev --sysroot /tmp/rec-$1 list differs from the live list in $(diff /tmp/live.lines /tmp/replay.lines | grep -c '^[-+][^-+]') lines"
	fi
}

# gadget_dev: the sysfs directory of the lab's USB gadget (0204:6025) on the host side
gadget_dev() {
	for _d in /sys/bus/usb/devices/*; do
		[ -f "$_d/idVendor" ] || continue
		if [ "$(cat "$_d/idVendor")" = 0204 ] && [ "$(cat "$_d/idProduct")" = 6025 ]; then
			echo "$_d"
			return 0
		fi
	done
	return 1
}

# gadget_replug (in a check): the gadget unplugged and plugged in again, which gives it a new bus address;
# says which.
gadget_replug() {
	_d=$(gadget_dev) || fail "gadget 0204:6025 is not on the bus"
	_old=$(cat $_d/devnum)
	_udc=$(cat /sys/kernel/config/usb_gadget/g1/UDC)
	echo "" > /sys/kernel/config/usb_gadget/g1/UDC
	wait_for 20 sh -c '! [ -e '"$_d"'/devnum ]' || fail "gadget did not go away"
	echo "$_udc" > /sys/kernel/config/usb_gadget/g1/UDC
	wait_for 20 gadget_dev > /dev/null || fail "gadget did not come back"
	_d=$(gadget_dev)
	wait_for 10 test -e $_d/devnum
	echo "# gadget devnum $_old -> $(cat $_d/devnum)"
}

. /lab/compare.sh
