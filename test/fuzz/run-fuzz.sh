#!/usr/bin/env bash
# test/fuzz/run-fuzz.sh: build the libFuzzer targets of test/fuzz in their
# own clang build (ASan+UBSan+libFuzzer, -Dfuzz=true) and run each for a
# fixed time, then the bind.py fuzz driver (fuzz_bind.py) for the same.
#
#   test/fuzz/run-fuzz.sh [--seconds N] [--build-dir DIR]
#
# N: seconds per target (default 20). DIR: the build directory (default
# build-fuzz; configured when missing). The corpus of each target grows in
# DIR/fuzz/<target>/corpus across runs, starting from test/fuzz/seeds/.
# Prints per target the executions and crashes, then "N passed, N failed":
# a target passes when it ran more than 0 executions and found 0 crashes.
# Crash inputs are kept in DIR/fuzz/<target>/artifacts (the log next to it).
# Needs clang 14 with libclang-rt-14-dev (devtools/install-deps.sh).
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)

seconds=20
dir=build-fuzz
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --build-dir) dir=$2; shift 2 ;;
    --build-dir=*) dir=${1#*=}; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-fuzz: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case $seconds in ''|*[!0-9]*) echo "run-fuzz: --seconds takes a whole number" >&2; exit 2 ;; esac

targets=(fuzz_igb_rx fuzz_virtio_split_rx fuzz_virtio_packed_rx fuzz_eal_options fuzz_devargs fuzz_pci_addr)
passed=0 failed=0
lines=()
result() { # name executions crashes ok
  lines+=("$(printf '%-24s executions %10s  crashes %s  %s' "$1" "$2" "$3" "$([ "$4" = 1 ] && echo ok || echo FAILED)")")
  if [ "$4" = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

built=1
if [ ! -d "$dir/meson-private" ]; then
  CC=clang meson setup "$dir" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debugoptimized -Ddpdk_bench=disabled >/dev/null || built=0
fi
if [ "$built" = 1 ]; then
  # only the fuzz targets (and what they link), two jobs: the machine is shared
  ninja -C "$dir" -j2 $(printf 'test/fuzz/%s ' "${targets[@]}") >"$dir/fuzz-build.log" 2>&1 || {
    echo "run-fuzz: build failed (see $dir/fuzz-build.log):" >&2
    tail -n 20 "$dir/fuzz-build.log" >&2
    built=0
  }
fi

for t in "${targets[@]}"; do
  if [ "$built" = 0 ]; then result "$t" 0 - 0; continue; fi
  out="$dir/fuzz/$t"
  mkdir -p "$out/corpus" "$out/artifacts"
  rm -f "$out/artifacts/"*
  # ASan's leak check stays on; -timeout: one input taking 10 s is a hang
  "$dir/test/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/artifacts/" "$out/corpus" "test/fuzz/seeds/$t" >"$out/log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log" | tail -n 1)
  crashes=$(find "$out/artifacts" -type f | wc -l)
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi  # died without leaving an input
  ok=0
  if [ "${execs:-0}" -gt 0 ] && [ "$crashes" -eq 0 ]; then ok=1; fi
  if [ "$ok" = 0 ]; then
    echo "run-fuzz: $t: see $out/log" >&2
    grep -m 5 -E 'ERROR|invariant|SUMMARY' "$out/log" >&2
  fi
  result "$t" "${execs:-0}" "$crashes" "$ok"
done

# usertools/bind.py: the Python driver (no build needed)
out="$dir/fuzz/fuzz_bind"
mkdir -p "$out"
rm -rf "$out/artifacts"
python3 test/fuzz/fuzz_bind.py --seconds "$seconds" --crash-dir "$out/artifacts" >"$out/log" 2>&1
rc=$?
execs=$(sed -n 's/^executions: *//p' "$out/log")
crashes=$(sed -n 's/^crashes: *//p' "$out/log")
crashes=${crashes:-1}
ok=0
if [ "$rc" -eq 0 ] && [ "${execs:-0}" -gt 0 ] && [ "$crashes" -eq 0 ]; then ok=1; fi
if [ "$ok" = 0 ]; then echo "run-fuzz: fuzz_bind: see $out/log" >&2; tail -n 20 "$out/log" >&2; fi
result fuzz_bind "${execs:-0}" "$crashes" "$ok"

echo
echo "fuzzing, $seconds s per target ($top/$dir):"
printf '%s\n' "${lines[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
