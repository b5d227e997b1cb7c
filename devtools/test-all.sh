#!/usr/bin/env bash
# devtools/test-all.sh: the whole Sluice test suite, as CI runs it.
#   1. installs what is missing (devtools/install-deps.sh) and reserves hugepages
#   2. build/      : -Werror build, host unit tests (meson test)
#   3. build-asan/ : ASan+UBSan build, the same unit tests
#      build-aarch64/: -Werror aarch64 cross build (devtools/cross/aarch64-linux-gnu.ini),
#                      the same unit tests under qemu-user
#      the Debian packages: built in a clean copy, installed with dpkg, an
#                      application built against the installed sluice.pc and run,
#                      lintian, purged (test/packaging/run-packaging-test.sh)
#   4. the guest suite: real VFIO in QEMU guests, every scenario (test/vm/run-suite.sh),
#      one guest per CPU at a time (at most 4; SLUICE_VM_JOBS=N to choose),
#      the Linux 6.12 ones and seven on Linux 7.3 (SCENARIO@7.3-compat, @7.3-cdevonly)
#   5. the test bed's own failure reporting (test/vm/selftest.sh)
#   6. virtio-net multiqueue (polling and rx interrupts) in a guest whose virtio NICs sit on vhost-user
#      (test/virtio/run-mq-vhost.sh; the suite's wire has one queue pair)
# Ends with one line "N passed, N failed" over all of them; exit 1 if any failed.
# Environment: SLUICE_GUEST_KERNEL=<bzImage> to use a given guest kernel,
# SLUICE_GUEST_KERNEL_73_COMPAT / SLUICE_GUEST_KERNEL_73_CDEVONLY the two 7.3
# ones (CI sets all three from ../shared/vm, hash-checked in .ci/run;
# otherwise cached, otherwise built: see test/vm/), SLUICE_SKIP_GUEST=1 to
# leave out stage 4 (for a quick local run; CI never sets it).
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

passed=0 failed=0
stages=() not_applicable=()
note() { printf '\n=== %s ===\n' "$*"; }
stage_result() { # name pass fail seconds [n/a]
  passed=$((passed + $2)); failed=$((failed + $3))
  stages+=("$(printf '%-26s %4d passed %4d failed %3d n/a  %5ds' "$1" "$2" "$3" "${5:-0}" "$4")")
}

# count meson test results from a build dir's testlog.json: prints
# "PASS FAIL N/A", and one "n/a <test>: <reason>" line per test that exited
# 77 (meson's SKIP) to the file named by $2. Such a test said why it does
# not apply on this machine ("n/a: ..." on its stdout); without that line
# it counts as failed. A not-applicable test never counts as passed.
meson_counts() {
  python3 - "$1/meson-logs/testlog.json" "$2" <<'PY'
import json, sys
p = f = n = 0
reasons = []
try:
    for line in open(sys.argv[1]):
        t = json.loads(line)
        r = t["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            p += 1
        elif r == "SKIP":
            why = [l[5:] for l in (t.get("stdout") or "").splitlines() if l.startswith("n/a: ")]
            if why:
                n += 1
                reasons.append(f"n/a {t['name']}: {why[0]}")
            else:
                f += 1        # skipped without saying why: a failure
        else:
            f += 1            # FAIL, TIMEOUT, ERROR
except FileNotFoundError:
    pass
with open(sys.argv[2], "a") as out:
    for r in reasons:
        out.write(r + "\n")
print(p, f, n)
PY
}
na_file=$(mktemp)
trap 'rm -f "$na_file" "$na_file.stage"' EXIT

run_meson_stage() { # name builddir setup-args...
  local name=$1 dir=$2; shift 2
  local t0=$SECONDS
  note "$name: configure and build ($dir)"
  if [ -d "$dir/meson-private" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null || { stage_result "$name" 0 1 $((SECONDS - t0)); return 1; }
  else
    meson setup "$dir" "$@" >/dev/null || { stage_result "$name" 0 1 $((SECONDS - t0)); return 1; }
  fi
  if ! ninja -C "$dir"; then
    echo "$name: build failed" >&2
    stage_result "$name" 0 1 $((SECONDS - t0)); return 1
  fi
  note "$name: unit tests"
  rm -f "$dir/meson-logs/testlog.json"
  meson test -C "$dir" --print-errorlogs
  local rc=$?
  meson_stage_result "$name" "$dir" "$rc" "$t0"
}

# After `meson test` in DIR (exit status RC, stage started at T0): count,
# list the n/a tests with their reasons, record the stage.
meson_stage_result() { # name dir rc t0
  local name=$1 dir=$2 rc=$3 t0=$4 p f n
  local before=$(wc -l <"$na_file")
  read -r p f n < <(meson_counts "$dir" "$na_file")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # meson itself failed
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then echo "$name: no test ran" >&2; f=1; fi
  tail -n +$((before + 1)) "$na_file" | sed "s/^n\/a /n\/a  [$name] /" >>"$na_file.stage"
  stage_result "$name" "$p" "$f" $((SECONDS - t0)) "$n"
}

# The unit tests of an aarch64 cross build, run under qemu-user through the
# cross file's exe_wrapper. Tests that run no aarch64 code are left out with
# the reason printed (they count in the native stages, never here).
run_aarch64_stage() { # name builddir
  local name=$1 dir=$2
  local t0=$SECONDS
  local cross=devtools/cross/aarch64-linux-gnu.ini
  note "$name: configure and build ($dir)"
  local tool
  for tool in aarch64-linux-gnu-gcc qemu-aarch64; do
    command -v "$tool" >/dev/null || { echo "$name: $tool not found (devtools/install-deps.sh installs it)" >&2; stage_result "$name" 0 1 $((SECONDS - t0)); return 1; }
  done
  if [ -d "$dir/meson-private" ]; then
    meson setup --reconfigure "$dir" --cross-file "$cross" -Dwerror=true >/dev/null || { stage_result "$name" 0 1 $((SECONDS - t0)); return 1; }
  else
    meson setup "$dir" --cross-file "$cross" -Dwerror=true >/dev/null || { stage_result "$name" 0 1 $((SECONDS - t0)); return 1; }
  fi
  if ! ninja -C "$dir"; then
    echo "$name: build failed" >&2
    stage_result "$name" 0 1 $((SECONDS - t0)); return 1
  fi
  note "$name: unit tests"
  echo "$name: left out: suite usertools (bind.py, hugepages.py and their layout): Python on the host, no aarch64 code (it runs in the native stages)"
  echo "$name: left out: rte_compat_examples_*: DPDK's examples compiled with the host's cc against an install, as a DPDK user does (they run in the werror stage; test_rte_api runs here)"
  rm -f "$dir/meson-logs/testlog.json"
  meson test -C "$dir" --print-errorlogs --no-suite usertools --timeout-multiplier 3
  meson_stage_result "$name" "$dir" $? "$t0"
}

note "dependencies"
devtools/install-deps.sh || { echo "test-all: installing dependencies failed" >&2; echo "0 passed, 1 failed"; exit 1; }
devtools/hugepages.sh 512 || { echo "test-all: cannot reserve hugepages on this host" >&2; echo "0 passed, 1 failed"; exit 1; }

run_meson_stage "unit (werror)" build -Dwerror=true
echo "unit (asan+ubsan): left out: rte_compat_examples_*: DPDK's examples compiled with the host's cc against an uninstrumented install, as a DPDK user does (they run in the werror stage; test_rte_api runs here)"
run_meson_stage "unit (asan+ubsan)" build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
run_aarch64_stage "unit (aarch64, qemu-user)" build-aarch64

# The Debian packages (doc/packaging.md): built with dpkg-buildpackage in a
# copy of the tree under /tmp, checked, linted, installed with dpkg, used
# (an application built against the installed sluice.pc over null ports,
# testpmd-lite, sluice-bind --status --json, the boot unit's helper), then
# purged and checked gone. It restores the machine on any exit (purges what
# it installed). 2-3.5 minutes, most of it the package build and lintian.
note "Debian packages (test/packaging/run-packaging-test.sh)"
t0=$SECONDS
pkg_out=$(test/packaging/run-packaging-test.sh 2>&1)
echo "$pkg_out"
read -r p f < <(echo "$pkg_out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n 1)
if [ -z "${p:-}" ]; then p=0 f=1; echo "debian packages: no summary line (see above)" >&2; fi
n=$(echo "$pkg_out" | sed -n 's/^\([0-9]*\) n\/a$/\1/p' | tail -n 1)
echo "$pkg_out" | sed -n 's/^n\/a: /n\/a  [debian packages] /p' >>"$na_file.stage"
stage_result "debian packages" "$p" "$f" $((SECONDS - t0)) "${n:-0}"

if [ "${SLUICE_SKIP_GUEST:-0}" = 1 ]; then
  echo "test-all: SLUICE_SKIP_GUEST=1: guest suite left out (not a full run)"
  stage_result "guest suite" 0 1 0
else
  note "guest suite (QEMU, real VFIO)"
  t0=$SECONDS
  log=$(mktemp)
  # Guests at once: each is one TCG thread, so one per CPU, at most 4 (2 GiB
  # of guest memory each); SLUICE_VM_JOBS overrides. On the 2-core CI
  # machine two guests at once take about half the time of one after the
  # other (doc/guest-testbed.md).
  vm_jobs=${SLUICE_VM_JOBS:-$(( $(nproc) < 4 ? $(nproc) : 4 ))}
  test/vm/run-suite.sh --build-dir "$top/build" --jobs "$vm_jobs" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  # checks not applicable to a scenario (each said why in the log above)
  na=$(sed -n 's/^scenario .* \([0-9]*\) n\/a .*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
  p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}')
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then echo "guest suite: no check ran" >&2; f=1; fi
  rm -f "$log"
  stage_result "guest suite" "$p" "$f" $((SECONDS - t0)) "$na"
fi

if [ "${SLUICE_SKIP_GUEST:-0}" != 1 ]; then
  # The test bed's own failure reporting: a missing kernel or QEMU, a hung
  # or panicking guest, a missing NIC, an exit status carried back from the
  # guest (from a copy of the test bed under /tmp, which the guest covers
  # with its own tmpfs).
  note "guest test bed selftest (test/vm/selftest.sh)"
  t0=$SECONDS
  st_out=$(test/vm/selftest.sh --build-dir "$top/build" 2>&1)
  echo "$st_out"
  read -r p f < <(echo "$st_out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n 1)
  if [ -z "${p:-}" ]; then p=0 f=1; echo "guest selftest: no summary line (see above)" >&2; fi
  stage_result "guest selftest" "$p" "$f" $((SECONDS - t0))

  # Real virtio-net multiqueue: the suite's hub wire has one queue pair, so
  # this boots the guest with the two virtio NICs on vhost-user backends
  # (2 queue pairs) served by a host dpdk-testpmd used as the wire: two rx
  # queues each polled by its own lcore, and rx interrupts per queue, with
  # split and with packed rings (4 runs).
  note "guest: virtio-net multiqueue over vhost-user (test/virtio/run-mq-vhost.sh)"
  t0=$SECONDS
  mq_out=$(test/virtio/run-mq-vhost.sh "$top/build-guest" 2>&1)
  echo "$mq_out"
  read -r p f < <(echo "$mq_out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n 1)
  if [ -z "${p:-}" ]; then p=0 f=1; echo "guest virtio mq: no summary line (see above)" >&2; fi
  stage_result "guest virtio mq" "$p" "$f" $((SECONDS - t0))
fi

# Fuzzing: the libFuzzer targets of test/fuzz (rx paths against a device
# the input plays, EAL options, devargs, PCI addresses) in their own clang
# ASan+UBSan build (build-fuzz/), and the bind.py fuzz driver; 12 s each,
# about 2.5 minutes with a fresh build. Counts one per target.
note "fuzzing (test/fuzz/run-fuzz.sh)"
t0=$SECONDS
fuzz_out=$(test/fuzz/run-fuzz.sh --seconds 12 --build-dir build-fuzz 2>&1)
echo "$fuzz_out"
read -r p f < <(echo "$fuzz_out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n 1)
if [ -z "${p:-}" ]; then p=0 f=1; echo "fuzzing: no summary line (see above)" >&2; fi
stage_result "fuzzing" "$p" "$f" $((SECONDS - t0))

note "summary"
printf '%s\n' "${stages[@]}"
if [ -s "$na_file.stage" ]; then
  echo "not applicable on this machine (counted as neither passed nor failed):"
  sed 's/^/  /' "$na_file.stage"
fi
rm -f "$na_file.stage"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
