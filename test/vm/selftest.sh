#!/usr/bin/env bash
# test/vm/selftest.sh: tests of the test bed's own failure reporting. Boots a
# few guests (about 2 minutes) and checks that run-guest.sh returns the
# in-guest exit status, and that a missing kernel, a missing QEMU, a hung
# guest, a kernel panic and a missing NIC each fail with status 124/125 and
# a message that says which. Prints "N passed, N failed"; exits 1 on failure.
#   test/vm/selftest.sh [--build-dir DIR]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build_dir=${SLUICE_BUILD_DIR:-$here/../../build}
[ "${1:-}" = --build-dir ] && build_dir=$2
passed=0 failed=0
tmp=$(mktemp -d /tmp/sluice-selftest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

expect() { # name want_rc want_message -- run-guest args...
	local name=$1 want_rc=$2 want_msg=$3 rc t0=$SECONDS
	shift 4
	"$here/run-guest.sh" --build-dir "$build_dir" --out "$tmp/$name" "$@" >"$tmp/$name.out" 2>&1
	rc=$?
	if [ "$rc" = "$want_rc" ] && grep -q -- "$want_msg" "$tmp/$name.out"; then
		printf 'PASS  %-16s exit %s, "%s" (%ss)\n' "$name" "$rc" "$want_msg" $((SECONDS - t0))
		passed=$((passed + 1))
	else
		printf 'FAIL  %-16s expected exit %s and "%s", got exit %s:\n' "$name" "$want_rc" "$want_msg" "$rc"
		sed 's/^/      | /' "$tmp/$name.out" | tail -n 15
		failed=$((failed + 1))
	fi
}

SLUICE_GUEST_KERNEL=/nonexistent/bzImage \
	expect no-kernel 125 "SLUICE_GUEST_KERNEL=/nonexistent/bzImage does not exist" -- iommufd -- true
SLUICE_QEMU=/nonexistent/qemu-system-x86_64 \
	expect no-qemu 125 "not found: install QEMU" -- iommufd -- true
# The exit status comes back from the guest, from a copy of the test bed
# (and a build directory) under /tmp, which the guest covers with its own
# tmpfs: the guest must still see both at the same paths.
copy=$tmp/clone
mkdir -p "$copy/test" "$copy/build" && cp -r "$here" "$copy/test/vm" &&
	cp -r "$here/../../usertools" "$copy/usertools" && echo seen >"$copy/build/marker"
expect_copy() { # like expect, with the copy's run-guest.sh and build directory
	here=$copy/test/vm build_dir=$copy/build expect "$@"
}
expect_copy exit-status 7 "command exited 7 in the guest" -- noiommu -- \
	sh -c 'test -x "$SLUICE_SRC_DIR/test/vm/guest-run.sh" && test "$(cat "$SLUICE_BUILD_DIR/marker")" = seen && exit 7; echo "guest: $SLUICE_SRC_DIR or $SLUICE_BUILD_DIR not visible"; exit 3'
expect hang 124 "guest hung: no result within 40s" -- --timeout 40 iommufd -- sleep 600
expect panic 125 "guest kernel panicked" -- type1 -- sh -c 'echo c >/proc/sysrq-trigger'
expect missing-nic 125 "expected 2 virtio-net NICs (1af4:1041), found 1" -- --omit-nic 3 mixed -- true

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
