#!/usr/bin/env bash
# test/vm/guest-checks.sh: runs inside the guest (via run-guest.sh): every
# executable file in test/vm/checks/, in name order, each under a timeout.
# Exit code of a check: 0 PASS, 77 N/A (not applicable to this scenario),
# anything else FAIL (124: timed out). Writes "<check> <PASS|FAIL|N/A>
# <seconds> <exit code>" lines to $SLUICE_VM_OUT/results.txt and each
# check's output to $SLUICE_VM_OUT/checks/<check>.log; exits 1 if any failed.
# SLUICE_VM_CHECKS="glob..." runs only the checks matching one of the globs.
#
# IOMMU fault detector (test/vm/iommu-faults.sh): the kernel log lines a
# check's run added that report an IOMMU fault or a VFIO warning FAIL that
# check ("FAIL: IOMMU fault during check NN-x: <the line>"), whatever its exit
# status. A check that provokes a fault on purpose declares it first with
# check-lib.sh's expect_iommu_fault REGEX (it writes REGEX to
# $SLUICE_CHECK_EXPECT_FAULT): lines matching REGEX (or its optional second
# argument, e.g. the fault handler's header line) are then expected, not
# failures, and the check FAILS if no line matching REGEX appears (within
# 3 s of its end) - so the detector itself is tested. A check that makes the
# kernel warn on purpose without a fault (e.g. emptying reset_method) calls
# allow_kernel_warning REGEX: matching lines are tolerated, nothing is
# required.
set -u
dir=$SLUICE_SRC_DIR/test/vm/checks
. "$SLUICE_SRC_DIR/test/vm/iommu-faults.sh"
results=$SLUICE_VM_OUT/results.txt
: >"$results"
mkdir -p "$SLUICE_VM_OUT/checks"
limit=${SLUICE_CHECK_TIMEOUT:-180}
failed=0

selected() {
	local g
	[ -z "${SLUICE_VM_CHECKS:-}" ] && return 0
	for g in $SLUICE_VM_CHECKS; do
		# shellcheck disable=SC2053
		[[ $1 == $g ]] && return 0
	done
	return 1
}

for path in "$dir"/*; do
	check=$(basename "$path")
	[ -f "$path" ] && [ -x "$path" ] || continue
	selected "$check" || continue
	echo "SLUICE-CHECK-START $check"
	log=$SLUICE_VM_OUT/checks/$check.log
	expect_file=$SLUICE_VM_OUT/checks/$check.expect-fault
	rm -f "$expect_file"
	k0=$(kmsg_now)
	t0=$(date +%s.%N)
	(cd "$SLUICE_SRC_DIR" && SLUICE_CHECK_EXPECT_FAULT=$expect_file timeout -k 5 "$limit" "$path") </dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	t1=$(date +%s.%N)
	secs=$(awk "BEGIN{printf \"%.1f\", $t1 - $t0}")
	case $rc in
	0) res=PASS ;;
	77) res=N/A ;;
	124) res=FAIL; echo "$check: timed out after ${limit}s" | tee -a "$log" ;;
	*) res=FAIL ;;
	esac
	# The fault detector: what the kernel logged while the check ran.
	# $expect_file: line 1 the declared fault (must appear), line 2 lines
	# that are tolerated (expect_iommu_fault's ALSO, allow_kernel_warning).
	expect_re= allow_re=
	if [ -s "$expect_file" ]; then
		expect_re=$(sed -n 1p "$expect_file")
		allow_re=$(sed -n 2p "$expect_file")
	fi
	faults=$(iommu_faults_since "$k0")
	if [ -n "$expect_re" ]; then
		for _ in 1 2 3 4 5 6; do
			printf '%s\n' "$faults" | grep -Eq -- "$expect_re" && break
			sleep 0.5
			faults=$(iommu_faults_since "$k0")
		done
	fi
	ok_re=$expect_re${expect_re:+${allow_re:+|}}$allow_re
	unexpected=$faults
	[ -n "$ok_re" ] && unexpected=$(printf '%s\n' "$faults" | grep -Ev -- "$ok_re")
	if [ -n "$unexpected" ]; then
		{
			echo "FAIL: IOMMU fault during check $check (kernel log, test/vm/iommu-faults.sh):"
			printf '%s\n' "$unexpected" | head -n 8 | sed "s/^/FAIL: $check: /"
		} | tee -a "$log"
		res=FAIL rc="$rc+iommu-fault"
	fi
	if [ -n "$expect_re" ] && [ "$res" != N/A ]; then
		seen=$(printf '%s\n' "$faults" | grep -E -- "$expect_re")
		if [ -n "$seen" ]; then
			printf '%s\n' "$seen" | head -n 4 | sed "s/^/  detector: expected IOMMU fault seen: /" | tee -a "$log"
		else
			echo "FAIL: $check declared an expected IOMMU fault ($expect_re) but the detector saw none in the kernel log" | tee -a "$log"
			res=FAIL rc="$rc+no-fault-seen"
		fi
	fi
	[ "$res" = FAIL ] && failed=$((failed + 1))
	echo "$check $res $secs $rc" >>"$results"
	echo "SLUICE-CHECK $check $res ${secs}s (exit $rc)"
done
sync
[ "$failed" -eq 0 ]
