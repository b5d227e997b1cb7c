#!/usr/bin/env bash
# bench/run-mempool.sh: mempool bulk get/put, Sluice vs DPDK's rte_mempool,
# on the same workload (bench/mempool/bench_mempool.h).
#
# Builds Sluice twice, for the host CPU (-Dcpu_baseline=native) and for
# corei7 (what Debian builds DPDK for), and per baseline three programs:
#   sluice   bench_mempool_sluice (meson, -O3 -march=BASE, static);
#   dpdksrc-V  bench_mempool_dpdk.c compiled with cc -O3 -march=BASE against
#            the static DPDK V of bench/build-dpdk.sh V --march BASE
#            (pkg-config --static), for each V in DPDK_VERSIONS (default
#            "22.11 25.11"; a version build-dpdk.sh cannot give is left out
#            with a note): DPDK built the way Sluice is built;
#   dpdk     the same source against Debian's shared DPDK (meson, libdpdk.pc
#            puts -march=corei7 last, so corei7 in both rows).
# Runs them alternately ROUNDS times on one pinned lcore and prints per
# baseline the median TSC cycles per object (one get plus one put), the
# min-max over rounds, and the ratios Sluice/DPDK (below 1.0: Sluice is
# faster). Then (unless CALLGRIND=0) instructions per object of each variant
# of the corei7 programs under callgrind (bench/mempool/instructions.py).
# DPDK_SRC=0 leaves out the from-source rows; SAVE_DIR=DIR keeps the raw
# figures there (mempool-cycles.txt, mempool-instructions.txt). The chart
# of the run goes to doc/perf/mempool.svg (SVG=FILE elsewhere; needs
# gnuplot: apt-get install gnuplot-nox).
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

# DPDK from source, static, built like Sluice (bench/build-dpdk.sh caches it)
src_versions=()
if [ "${DPDK_SRC:-1}" != 0 ]; then
	. "$ROOT/bench/dpdk-versions.sh"
	for v in ${DPDK_VERSIONS:-22.11 25.11}; do
		ok=1
		for base in $BASELINES; do
			prefix=$(dpdk_prefix "$v" "$base") || { ok=0; break; }
			pc="$prefix/lib/x86_64-linux-gnu/pkgconfig"
			exe="$BUILD_PREFIX-$base/bench_mempool_dpdksrc-$v"
			# --static pulls libpcap's dependencies in too; libsystemd has no
			# development link on a system without libsystemd-dev: name the .so.0
			libs=$(PKG_CONFIG_PATH=$pc pkg-config --static --libs libdpdk | sed 's/-lsystemd\b/-l:libsystemd.so.0/g')
			# shellcheck disable=SC2046,SC2086
			if ! ${CC:-cc} -O3 -march="$base" $(PKG_CONFIG_PATH=$pc pkg-config --static --cflags libdpdk) \
				"$ROOT/bench/mempool/bench_mempool_dpdk.c" -o "$exe" $libs; then
				echo "run-mempool.sh: cannot build $exe; no DPDK $v rows" >&2
				ok=0
				break
			fi
			if ldd "$exe" | grep -q librte_; then
				echo "run-mempool.sh: $exe links a shared librte_: not the static build" >&2
				exit 1
			fi
		done
		[ "$ok" = 0 ] || src_versions+=("$v")
	done
fi
impls="sluice"
for v in ${src_versions[@]+"${src_versions[@]}"}; do impls="$impls dpdksrc-$v"; done

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
		for v in ${src_versions[@]+"${src_versions[@]}"}; do
			"$BUILD_PREFIX-$base/bench_mempool_dpdksrc-$v" $DPDK_ARGS 2>>"$OUT/log" |
				sed "s/^dpdk /dpdksrc-$v /; s/^/$base /" >>"$OUT/results"
		done
	done
	r=$((r + 1))
done

# lines: baseline impl variant cycles
median() { # baseline impl variant
	awk -v b="$1" -v i="$2" -v v="$3" '$1 == b && $2 == i && $3 == v {print $4}' "$OUT/results" |
		sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

nb=$(echo "$BASELINES" | wc -w)
runs=$(awk '$2 == "sluice" && $3 == "bulk32_cache256"' "$OUT/results" | wc -l)
if [ "$runs" -ne $((ROUNDS * nb)) ]; then
	echo "run-mempool.sh: some runs failed; their output:" >&2
	cat "$OUT/log" >&2
	exit 1
fi

minmax() { # baseline impl variant
	awk -v b="$1" -v i="$2" -v v="$3" '$1 == b && $2 == i && $3 == v {print $4}' "$OUT/results" |
		sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {if (NR == 0) print "-"; else print lo "-" hi}'
}
ratio() { awk -v s="$1" -v d="$2" 'BEGIN {if (d == "-" || d == 0 || s == "-") print "-"; else printf "%.2f", s / d}'; }

[ "$have_dpdk" = 0 ] || impls="$impls dpdk"
VARIANTS="bulk32_cache256 bulk1_cache256 bulk128_cache256 bulk32_nocache mbuf_alloc_free32"
echo
echo "cycles per object, median (min-max); dpdksrc-V = DPDK V from source, static -O3 -march=BASE;"
echo "dpdk = Debian's shared DPDK 22.11 (corei7); each DPDK column is followed by the ratio Sluice/it"
header=$(printf '%-8s %-18s %20s' baseline variant sluice)
for i in $impls; do [ "$i" = sluice ] || header="$header$(printf ' %20s %6s' "$i" ratio)"; done
echo "$header"
for base in $BASELINES; do
	for v in $VARIANTS; do
		s=$(median "$base" sluice "$v")
		line=$(printf '%-8s %-18s %20s' "$base" "$v" "$s ($(minmax "$base" sluice "$v"))")
		for i in $impls; do
			[ "$i" != sluice ] || continue
			x=$(median "$base" "$i" "$v")
			line="$line$(printf ' %20s %6s' "$x ($(minmax "$base" "$i" "$v"))" "$(ratio "$s" "$x")")"
		done
		echo "$line"
	done
done

if [ "${CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null && echo " $BASELINES " | grep -q ' corei7 '; then
	dir="$BUILD_PREFIX-corei7"
	VG_SLUICE="-l $LCORE -m $MEM_MB --no-huge --log-level err"
	VG_DPDK="-l $LCORE --no-pci --no-huge -m $MEM_MB --no-shconf --log-level=error --no-telemetry"
	python3 "$ROOT/bench/mempool/instructions.py" sluice "$dir/bench/mempool/bench_mempool_sluice" $VG_SLUICE >>"$OUT/instr"
	for v in ${src_versions[@]+"${src_versions[@]}"}; do
		python3 "$ROOT/bench/mempool/instructions.py" "dpdksrc-$v" "$dir/bench_mempool_dpdksrc-$v" $VG_DPDK >>"$OUT/instr"
	done
	[ "$have_dpdk" = 1 ] && python3 "$ROOT/bench/mempool/instructions.py" dpdk "$dir/bench/mempool/bench_mempool_dpdk" $VG_DPDK >>"$OUT/instr"
	echo
	echo "instructions per object (get + put), callgrind, corei7 builds:"
	header=$(printf '%-18s %10s' variant sluice)
	for i in $impls; do [ "$i" = sluice ] || header="$header$(printf ' %13s %6s' "$i" ratio)"; done
	echo "$header"
	for v in $VARIANTS; do
		s=$(awk -v i=sluice -v v="$v" '$1 == i && $2 == v {print $3}' "$OUT/instr")
		line=$(printf '%-18s %10s' "$v" "${s:--}")
		for i in $impls; do
			[ "$i" != sluice ] || continue
			x=$(awk -v i="$i" -v v="$v" '$1 == i && $2 == v {print $3}' "$OUT/instr")
			line="$line$(printf ' %13s %6s' "${x:--}" "$(ratio "${s:--}" "${x:--}")")"
		done
		echo "$line"
	done
fi
if [ -n "${SAVE_DIR:-}" ]; then
	mkdir -p "$SAVE_DIR"
	cp "$OUT/results" "$SAVE_DIR/mempool-cycles.txt"
	[ -f "$OUT/instr" ] && cp "$OUT/instr" "$SAVE_DIR/mempool-instructions.txt"
	echo "raw figures: $SAVE_DIR/mempool-cycles.txt, mempool-instructions.txt"
fi
# the chart of this run (bench/chart.py; gnuplot), into doc/perf/ unless SVG says otherwise
svg_dir=$(mktemp -d)
cp "$OUT/results" "$svg_dir/mempool-cycles.txt"
[ -f "$OUT/instr" ] && cp "$OUT/instr" "$svg_dir/mempool-instructions.txt"
mkdir -p "$ROOT/doc/perf"
python3 "$ROOT/bench/chart.py" mempool "$svg_dir" "${SVG:-$ROOT/doc/perf/mempool.svg}" || true
rm -rf "$svg_dir"
echo
echo "Per-run figures (baseline impl variant cycles/object):"
sort "$OUT/results" | awk '{k = $1 " " $2 " " $3; v[k] = v[k] " " $4} END {for (k in v) print "  " k ":" v[k]}' | sort
