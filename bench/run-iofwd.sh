#!/usr/bin/env bash
# bench/run-iofwd.sh: io forwarding over two null ports with one forwarding
# core and burst 32, Sluice's testpmd-lite against DPDK's dpdk-testpmd,
# alternating in one run. Rows:
#   sluice MARCH  testpmd-lite, meson -Dcpu_baseline=MARCH -Dbuildtype=release
#                 (static -O3), for each MARCH in BASELINES;
#   dpdk V MARCH  dpdk-testpmd from bench/build-dpdk.sh V --march MARCH
#                 (static, -O3, same gcc), for each DPDK version V in
#                 DPDK_VERSIONS: the like-for-like peers, one ratio column
#                 each;
#   dpdk debian   Debian's installed dpdk-testpmd (shared, -O2, corei7).
# A version whose build-dpdk.sh fails (25.11: Debian's mirror may lack its
# source; build it once with --source, see bench/build-dpdk.sh) is left out
# with a note. Runs with 2 MiB hugepages and with 4 KiB pages
# (--no-huge) and prints cycles/packet (median, min-max), Mpps and the ratios.
#
#   bench/run-iofwd.sh [--rounds N] [--seconds S] [--pages huge|4k|both] [--json-out FILE]
#                      [--multicore N] [--svg FILE]
#
# Also (unless CALLGRIND=0, or valgrind is missing) counts instructions per
# packet under callgrind, total and inclusive per function (rx burst, tx
# burst, forwarding function), for the corei7 builds and Debian's: a figure
# that does not depend on how busy the host is (valgrind cannot run the
# native builds' AVX-512 code on this host).
# Multi-core: --multicore N (default: the CPU count, one forwarding lcore
# per CPU, the main lcore, which only waits, sharing CPU 0 with the first;
# MULTICORE=0 to skip) sweeps 1..N forwarding lcores. The chart goes to doc/perf/iofwd.svg unless --svg
# says otherwise (needs gnuplot: apt-get install gnuplot-nox).
# Environment: BASELINES="native corei7" (the -Dcpu_baseline values to build),
# DPDK_VERSIONS="22.11 25.11" (the from-source DPDK versions; built once,
# about 2.5 minutes each per -march, and cached), DPDK_SRC=0 to leave them
# all out.
# Needs: dpdk-testpmd (apt install dpdk), ~300 free 2 MiB hugepages (run as
# root and it reserves them), two CPUs. Keep the machine otherwise idle.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

command -v dpdk-testpmd >/dev/null || { echo "run-iofwd: dpdk-testpmd not found: apt-get install dpdk" >&2; exit 1; }
if [ "$(id -u)" = 0 ]; then
  devtools/hugepages.sh 320 >/dev/null
else
  free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)
  [ "$free" -ge 320 ] || { echo "run-iofwd: $free free 2 MiB hugepages, need 320: as root, echo 512 > /proc/sys/vm/nr_hugepages" >&2; exit 1; }
fi

sluice_args=()
for b in ${BASELINES:-native corei7}; do
  dir=build-bench-$b
  if [ -d "$dir/meson-private" ]; then
    meson setup --reconfigure "$dir" -Dcpu_baseline="$b" -Dbuildtype=release -Db_sanitize=none >/dev/null
  else
    meson setup "$dir" -Dcpu_baseline="$b" -Dbuildtype=release -Db_sanitize=none >/dev/null
  fi
  echo "run-iofwd: building testpmd-lite for -march=$b in $dir"
  ninja -C "$dir" app/testpmd-lite/testpmd-lite >/dev/null
  sluice_args+=(--sluice "$b=$top/$dir/app/testpmd-lite/testpmd-lite")
done

dpdk_args=()
built_versions=()
if [ "${DPDK_SRC:-1}" != 0 ]; then
  . bench/dpdk-versions.sh
  for v in ${DPDK_VERSIONS:-22.11 25.11}; do
    prefixes=()
    for b in ${BASELINES:-native corei7}; do
      prefix=$(dpdk_prefix "$v" "$b") || { prefixes=(); break; }
      prefixes+=("$b=$prefix")
    done
    [ ${#prefixes[@]} -gt 0 ] || continue
    built_versions+=("$v")
    for bp in "${prefixes[@]}"; do
      dpdk_args+=(--dpdk "$v ${bp%%=*}=${bp#*=}/bin/dpdk-testpmd")
    done
  done
fi

extra=()
if [ "${CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null && [[ " ${BASELINES:-native corei7} " == *" corei7 "* ]]; then
  extra+=(--instructions "sluice corei7")
  for v in ${built_versions[@]+"${built_versions[@]}"}; do extra+=(--instructions "dpdk $v corei7"); done
  extra+=(--instructions "dpdk debian")
fi
extra+=(--multicore "${MULTICORE:-$(nproc)}")
mkdir -p doc/perf
extra+=(--svg "$top/doc/perf/iofwd.svg")

exec python3 bench/iofwd/iofwd.py "${sluice_args[@]}" "${dpdk_args[@]}" "${extra[@]}" "$@"
