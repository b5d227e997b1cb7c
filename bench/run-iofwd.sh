#!/usr/bin/env bash
# bench/run-iofwd.sh: io forwarding over two null ports with one forwarding
# core and burst 32, Sluice's testpmd-lite against DPDK 22.11's dpdk-testpmd
# (Debian's, built for -march=corei7), alternating in one run. Sluice is built
# twice, for the host CPU (-Dcpu_baseline=native) and for corei7 like Debian's
# DPDK, so the comparison is fair. Runs with 2 MiB hugepages and with 4 KiB
# pages (--no-huge) and prints cycles/packet, Mpps and the ratio Sluice/DPDK.
#
#   bench/run-iofwd.sh [--rounds N] [--seconds S] [--pages huge|4k|both] [--json-out FILE]
#
# Also (unless CALLGRIND=0, or valgrind is missing) counts instructions per
# packet of both under callgrind with the corei7 build: a figure that does
# not depend on how busy the host is.
# Environment: BASELINES="native corei7" (the -Dcpu_baseline values to build).
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

extra=()
if [ "${CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null && [[ " ${BASELINES:-native corei7} " == *" corei7 "* ]]; then
  extra+=(--instructions corei7)
fi

exec python3 bench/iofwd/iofwd.py "${sluice_args[@]}" "${extra[@]}" "$@"
