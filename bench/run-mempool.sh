#!/bin/sh
# bench/run-mempool.sh: mempool bulk get/put, Sluice vs DPDK 22.11's
# rte_mempool, on the same workload (bench/mempool/bench_mempool.h).
#
# Builds Sluice twice, for the host CPU (-Dcpu_baseline=native) and for
# corei7 (what Debian builds DPDK for), runs the Sluice and DPDK programs
# alternately ROUNDS times on one pinned lcore, and prints per baseline the
# median TSC cycles per object (one get plus one put) of each, and the ratio
# Sluice/DPDK (below 1.0: Sluice is faster). The DPDK program is compiled
# with DPDK's own pkg-config flags (-march=corei7 last) in both builds.
#
# Needs hugepages (about 128 free 2 MiB pages) and libdpdk-dev for the DPDK
# side. Environment: ROUNDS (default 5), BENCH_LCORE (default 0),
# BUILD_PREFIX (default <repo>/build-bench-mempool).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-5}
LCORE=${BENCH_LCORE:-0}
BUILD_PREFIX=${BUILD_PREFIX:-$ROOT/build-bench-mempool}
MEM_MB=128
BASELINES="native corei7"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

need_pages=$((MEM_MB / 2))
free_pages=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
if [ "${free_pages:-0}" -lt "$need_pages" ]; then
	echo "run-mempool.sh: $need_pages free 2 MiB hugepages needed, ${free_pages:-0} free." >&2
	echo "  Reserve them as root: echo 512 > /proc/sys/vm/nr_hugepages" >&2
	exit 1
fi

for base in $BASELINES; do
	dir="$BUILD_PREFIX-$base"
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" -Dcpu_baseline="$base" -Dbuildtype=release >/dev/null
	else
		meson setup "$dir" "$ROOT" -Dcpu_baseline="$base" -Dbuildtype=release >/dev/null
	fi
	targets=bench/mempool/bench_mempool_sluice
	if grep -q 'bench_mempool_dpdk' "$dir/build.ninja"; then
		targets="$targets bench/mempool/bench_mempool_dpdk"
	fi
	ninja -C "$dir" -j2 $targets >/dev/null
done

have_dpdk=1
for base in $BASELINES; do
	[ -x "$BUILD_PREFIX-$base/bench/mempool/bench_mempool_dpdk" ] || have_dpdk=0
done
if [ "$have_dpdk" = 0 ]; then
	echo "run-mempool.sh: DPDK program not built (install libdpdk-dev: apt-get install dpdk-dev); Sluice only" >&2
fi

SLUICE_ARGS="-l $LCORE -m $MEM_MB --log-level err"
DPDK_ARGS="-l $LCORE --no-pci --in-memory -m $MEM_MB --log-level=error --no-telemetry"

echo "mempool: get N objects then put them back, TSC cycles per object (get + put);"
echo "$ROUNDS alternating rounds on lcore $LCORE, best of 41 short repetitions per run, median of runs"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for base in $BASELINES; do
		dir="$BUILD_PREFIX-$base/bench/mempool"
		"$dir/bench_mempool_sluice" $SLUICE_ARGS 2>>"$OUT/log" | sed "s/^/$base /" >>"$OUT/results"
		if [ "$have_dpdk" = 1 ]; then
			"$dir/bench_mempool_dpdk" $DPDK_ARGS 2>>"$OUT/log" | sed "s/^/$base /" >>"$OUT/results"
		fi
	done
	r=$((r + 1))
done

# lines: baseline impl variant cycles
median() { # baseline impl variant
	awk -v b="$1" -v i="$2" -v v="$3" '$1 == b && $2 == i && $3 == v {print $4}' "$OUT/results" |
		sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

runs=$(awk '$2 == "sluice" && $3 == "bulk32_cache256"' "$OUT/results" | wc -l)
if [ "$runs" -ne $((ROUNDS * 2)) ]; then
	echo "run-mempool.sh: some runs failed; their output:" >&2
	cat "$OUT/log" >&2
	exit 1
fi

printf '\n%-8s %-18s %12s %12s %14s\n' baseline variant sluice dpdk sluice/dpdk
for base in $BASELINES; do
	for v in bulk32_cache256 bulk1_cache256 bulk128_cache256 bulk32_nocache mbuf_alloc_free32; do
		s=$(median "$base" sluice "$v")
		d=$(median "$base" dpdk "$v")
		ratio=$(awk -v s="$s" -v d="$d" 'BEGIN {if (d == "-" || d == 0) print "-"; else printf "%.2f", s / d}')
		printf '%-8s %-18s %12s %12s %14s\n' "$base" "$v" "$s" "$d" "$ratio"
	done
done
echo
echo "Per-run figures (baseline impl variant cycles/object):"
sort "$OUT/results" | awk '{k = $1 " " $2 " " $3; v[k] = v[k] " " $4} END {for (k in v) print "  " k ":" v[k]}' | sort
