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

# expect_backends LOG BDF=BACKEND...: bus_vfio's scan line ("BDF [vvvv:dddd]
# group N: backend B (reason)") in LOG says each device got the backend it
# was asked for; fails naming what the log shows otherwise.
expect_backends() {
	local log=$1 spec bdf want line got
	shift
	for spec in "$@"; do
		bdf=${spec%%=*} want=${spec#*=}
		line=$(grep -m1 "bus_vfio: $bdf \[....:....\] group [0-9]*: backend " "$log")
		got=$(echo "$line" | sed -n 's/.*: backend \([a-z0-9]*\) .*/\1/p')
		if [ "$got" = "$want" ]; then
			ok "$bdf: backend $got (log: ${line#*: backend $got })"
		else
			fail "$bdf: expected backend $want, the log shows '${got:-no backend line}'${line:+ ($line)}"
		fi
	done
}
