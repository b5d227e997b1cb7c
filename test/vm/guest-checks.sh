#!/usr/bin/env bash
# test/vm/guest-checks.sh: runs inside the guest (via run-guest.sh): every
# executable file in test/vm/checks/, in name order, each under a timeout.
# Exit code of a check: 0 PASS, 77 N/A (not applicable to this scenario),
# anything else FAIL (124: timed out). Writes "<check> <PASS|FAIL|N/A>
# <seconds> <exit code>" lines to $SLUICE_VM_OUT/results.txt and each
# check's output to $SLUICE_VM_OUT/checks/<check>.log; exits 1 if any failed.
# SLUICE_VM_CHECKS="glob..." runs only the checks matching one of the globs.
set -u
dir=$SLUICE_SRC_DIR/test/vm/checks
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
	t0=$(date +%s.%N)
	(cd "$SLUICE_SRC_DIR" && timeout -k 5 "$limit" "$path") </dev/null 2>&1 | tee "$SLUICE_VM_OUT/checks/$check.log"
	rc=${PIPESTATUS[0]}
	t1=$(date +%s.%N)
	secs=$(awk "BEGIN{printf \"%.1f\", $t1 - $t0}")
	case $rc in
	0) res=PASS ;;
	77) res=N/A ;;
	124) res=FAIL; echo "$check: timed out after ${limit}s" | tee -a "$SLUICE_VM_OUT/checks/$check.log" ;;
	*) res=FAIL ;;
	esac
	[ "$res" = FAIL ] && failed=$((failed + 1))
	echo "$check $res $secs $rc" >>"$results"
	echo "SLUICE-CHECK $check $res ${secs}s (exit $rc)"
done
sync
[ "$failed" -eq 0 ]
