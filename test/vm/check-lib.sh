# test/vm/check-lib.sh: sourced by the shell checks in test/vm/checks/.
# Gives: not_applicable REASON (exit 77), fail MESSAGE (counts a failure),
# finish (exit 0/1 after a summary), check_program NAME (path of a check
# program built in $SLUICE_BUILD_DIR/test/vm), run_program CMD... (echo and run).
# Shell checks run with `set -u`; they must not use `set -e` (every expectation
# should be reported, not just the first one that fails).

check_failures=0
check_name=$(basename "$0")

not_applicable() {
	echo "$check_name: not applicable in scenario $SCENARIO: $*"
	exit 77
}

fail() {
	echo "FAIL: $*"
	check_failures=$((check_failures + 1))
}

ok() {
	echo "  ok: $*"
}

finish() {
	if [ "$check_failures" -gt 0 ]; then
		echo "$check_name: $check_failures expectation(s) failed"
		exit 1
	fi
	echo "$check_name: all expectations met"
	exit 0
}

# Path of a check program built in $SLUICE_BUILD_DIR/test/vm; if it is not
# there, says how to build it (on stderr) and returns 1. Use as
#   prog=$(check_program vm-vfio-open) || exit 1
check_program() {
	local p=$SLUICE_BUILD_DIR/test/vm/$1
	if [ ! -x "$p" ]; then
		echo "FAIL: $p not built; build the project first: ninja -C $SLUICE_BUILD_DIR" >&2
		return 1
	fi
	echo "$p"
}

# Run a check program, showing its command line; its exit status is returned.
run_program() {
	echo "+ $*"
	"$@"
}

# The mixed scenario's split: the first igb and virtio-net through iommufd,
# the second of each through the type1 container, in one process.
MIXED_BACKENDS=iommufd,type1

# pair_backends: for a check that drives the two NICs of a pair through
# testpmd-lite, BE0 and BE1 (the scenario's backend for both; mixed: the
# split above, the first NIC through iommufd, the second through type1) and
# NOIOMMU_EAL (the EAL options a no-IOMMU scenario needs: --allow-noiommu
# --iova-mode pa; empty elsewhere).
pair_backends() {
	BE0=$SCENARIO BE1=$SCENARIO NOIOMMU_EAL=()
	case $SCENARIO in
	noiommu | noiommu-cdev) NOIOMMU_EAL=(--allow-noiommu --iova-mode pa) ;;
	mixed) BE0=${MIXED_BACKENDS%,*} BE1=${MIXED_BACKENDS#*,} ;;
	esac
}

# expect_backends LOG BDF=BACKEND...: bus_vfio's scan line ("BDF [vvvv:dddd]
# group N: backend B (reason)") in LOG says each device got the backend it
# was asked for; fails naming what the log shows otherwise.
expect_backends() {
	local log=$1 spec bdf want line got
	shift
	for spec in "$@"; do
		bdf=${spec%%=*} want=${spec#*=}
		line=$(grep -m1 "bus_vfio: $bdf \[....:....\] group [^:]*: backend " "$log")
		got=$(echo "$line" | sed -n 's/.*: backend \([a-z0-9-]*\) .*/\1/p')
		if [ "$got" = "$want" ]; then
			ok "$bdf: backend $got (log: ${line#*: backend $got })"
		else
			fail "$bdf: expected backend $want, the log shows '${got:-no backend line}'${line:+ ($line)}"
		fi
	done
}

# The IOMMU fault detector (kmsg_now, iommu_faults_since T), as guest-checks.sh runs it.
. "$SLUICE_SRC_DIR/test/vm/iommu-faults.sh"

# expect_iommu_fault REGEX [ALSO]: declare that this check provokes an IOMMU
# fault on purpose: kernel log lines matching the extended regex REGEX (or
# ALSO, for lines that come with the fault but do not identify it, like
# VT-d's "DRHD: handling fault status") do not fail it, and guest-checks.sh
# fails it if no line matching REGEX appears. Call before provoking it.
expect_iommu_fault() {
	if [ -z "${SLUICE_CHECK_EXPECT_FAULT:-}" ]; then
		echo "FAIL: expect_iommu_fault outside guest-checks.sh (SLUICE_CHECK_EXPECT_FAULT unset)"
		return 1
	fi
	printf '%s\n%s\n' "$1" "${2:-}" >"$SLUICE_CHECK_EXPECT_FAULT"
}

# host_monitor HMP-COMMAND...: run a command in the QEMU monitor on the host
# (set_link p1 off, device_del igb1, info pci, ...) through the monitor
# channel (run-guest.sh: the guest's /dev/ttyS1, relayed by
# test/vm/monitor-relay.py). Prints the command's output; returns 0 when it
# succeeded, 1 when QEMU refused it (the error printed), 2 without a
# channel, 3 when no answer came within 15 s.
host_monitor() {
	local tty=${SLUICE_VM_MONITOR:-} id="$$-$RANDOM" line
	if [ -z "$tty" ] || [ ! -c "$tty" ]; then
		echo "host_monitor: no monitor channel (SLUICE_VM_MONITOR='$tty')"
		return 2
	fi
	stty -F "$tty" raw -echo clocal 115200 2>/dev/null
	exec 9<>"$tty"
	printf 'SLUICE-MON %s %s\n' "$id" "$*" >&9
	while read -r -t 15 line <&9; do
		line=${line%$'\r'}
		case $line in
		"SLUICE-MON-OUT $id "*) echo "${line#"SLUICE-MON-OUT $id "}" ;;
		"SLUICE-MON-END $id ok"*) exec 9>&-; return 0 ;;
		"SLUICE-MON-END $id "*) echo "${line#"SLUICE-MON-END $id "}"; exec 9>&-; return 1 ;;
		esac
	done
	exec 9>&-
	echo "host_monitor: no answer from the host within 15 s to '$*'"
	return 3
}

# allow_kernel_warning REGEX: this check makes the kernel log a warning on
# purpose that the fault detector would otherwise count (e.g. "All device
# reset methods disabled by user" when it empties reset_method): lines
# matching the extended regex REGEX do not fail it; nothing is required.
allow_kernel_warning() {
	if [ -z "${SLUICE_CHECK_EXPECT_FAULT:-}" ]; then
		echo "FAIL: allow_kernel_warning outside guest-checks.sh (SLUICE_CHECK_EXPECT_FAULT unset)"
		return 1
	fi
	local first= second=$1
	if [ -s "$SLUICE_CHECK_EXPECT_FAULT" ]; then
		first=$(sed -n 1p "$SLUICE_CHECK_EXPECT_FAULT")
		second=$(sed -n 2p "$SLUICE_CHECK_EXPECT_FAULT")
		second=${second:+$second|}$1
	fi
	printf '%s\n%s\n' "$first" "$second" >"$SLUICE_CHECK_EXPECT_FAULT"
}
