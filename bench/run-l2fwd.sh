#!/usr/bin/env bash
# bench/run-l2fwd.sh: the same application on both (issue 13's figure).
# DPDK's l2fwd from Debian's dpdk-doc (/usr/share/dpdk/examples/l2fwd/main.c,
# unmodified and never copied into the repository) built in one run
#   (a) against Debian's DPDK 22.11: pkg-config libdpdk, shared, as DPDK's
#       example Makefile builds it (net_null is a plugin EAL loads from its
#       driver directory, pmds-23.0, without -d);
#   (b) against Sluice's rte_ layer: sluice-rte.pc from a meson install
#       --destdir of a Sluice build, once per -Dcpu_baseline in BASELINES
#       (corei7, the -march Debian builds DPDK for, and native), linked
#       shared (row B) and static (row B-static, the like-for-like one);
#   (c) against DPDK built from source like Sluice (bench/build-dpdk.sh V
#       --march B: static, -O3), per version V in DPDK_VERSIONS (default
#       "22.11 25.11"; a version build-dpdk.sh cannot give is left out with
#       a note) and baseline B, linked statically (pkg-config --static);
#       DPDK_SRC=0 leaves them out;
# with the same compiler and the same application flags: the Makefile's
# -O3 -DALLOW_EXPERIMENTAL_API plus -march=corei7 (what libdpdk.pc adds, so
# every build of main.c gets it). Then runs them alternately over two null
# ports, lcore 0 forwarding both, and reports cycles per packet (l2fwd's own
# counters over whole 1 s statistics periods, TSC) and, under callgrind,
# instructions per packet of the forwarding lcore with the top functions of
# each (bench/l2fwd/l2fwd.py says how).
#
#   bench/run-l2fwd.sh [--rounds N] [--seconds S] [--cg-seconds S] [--top N] [--json-out FILE] [--svg FILE]
#
# The chart of the run goes to doc/perf/l2fwd.svg (--svg elsewhere; needs
# gnuplot: apt-get install gnuplot-nox).
#
# Environment: BASELINES="corei7 native", CALLGRIND=0 to skip the callgrind
# part (it needs a corei7 build: valgrind cannot run AVX-512 code), CC,
# BUILD_ONLY=1 to build the binaries into build-l2fwd-bench/bin and stop
# (bench/run-guest-l2fwd.sh runs them in the guest).
# Needs: dpdk-doc and libdpdk-dev (apt-get install dpdk-doc libdpdk-dev),
# meson, ninja, two CPUs, 2 MiB hugepages for --in-memory (about 40 MiB per
# run). A benchmark, not a test: keep the machine otherwise idle.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

src=${DPDK_EXAMPLES_DIR:-/usr/share/dpdk/examples}/l2fwd/main.c
[ -f "$src" ] || { echo "run-l2fwd: $src not found: apt-get install dpdk-doc" >&2; exit 1; }
pkg-config --exists libdpdk || { echo "run-l2fwd: no libdpdk.pc: apt-get install libdpdk-dev" >&2; exit 1; }
cc=${CC:-cc}
baselines=${BASELINES:-corei7 native}
out=$top/build-l2fwd-bench
rm -rf "$out"
mkdir -p "$out/bin"

# The application's flags, the same for every build: DPDK's example Makefile
# uses CFLAGS += -O3 $(pkg-config --cflags libdpdk) -DALLOW_EXPERIMENTAL_API;
# libdpdk.pc brings -march=corei7, which is given to the Sluice builds too.
app_cflags="-O3 -march=corei7 -DALLOW_EXPERIMENTAL_API"

echo "run-l2fwd: $cc $app_cflags \$(pkg-config --cflags libdpdk) $src \$(pkg-config --libs libdpdk) -o $out/bin/l2fwd-dpdk"
# shellcheck disable=SC2046,SC2086
$cc $app_cflags $(pkg-config --cflags libdpdk) "$src" -o "$out/bin/l2fwd-dpdk" $(pkg-config --libs libdpdk)

# (c) against DPDK 22.11 built from Debian's source the way Sluice is built
# (bench/build-dpdk.sh: static, -O3, the same -march per baseline), linked
# statically with pkg-config --static as DPDK's example Makefile does for
# its static build. main.c gets exactly $app_cflags as in every other build
# (the -march=... that this libdpdk.pc adds is left out, so a "native"
# prefix changes the libraries, not the application).
src_args=()
if [ "${DPDK_SRC:-1}" != 0 ]; then
  . bench/dpdk-versions.sh
  for v in ${DPDK_VERSIONS:-22.11 25.11}; do
  for b in $baselines; do
    prefix=$(dpdk_prefix "$v" "$b") || continue
    pc=$prefix/lib/x86_64-linux-gnu/pkgconfig
    cflags=$(PKG_CONFIG_PATH=$pc pkg-config --static --cflags libdpdk | sed 's/-march=[^ ]*//g')
    # libpcap's dependencies come with --static; libsystemd has no
    # development link without libsystemd-dev: name its .so.0
    libs=$(PKG_CONFIG_PATH=$pc pkg-config --static --libs libdpdk | sed 's/-lsystemd\b/-l:libsystemd.so.0/g')
    bin=$out/bin/l2fwd-dpdk-src-$v-$b
    echo "run-l2fwd: $cc $app_cflags \$(pkg-config --static --cflags libdpdk) $src \$(pkg-config --static --libs libdpdk) -o $bin  [PKG_CONFIG_PATH=$pc]"
    # shellcheck disable=SC2086
    $cc $app_cflags $cflags "$src" -o "$bin" $libs
    if ldd "$bin" | grep -q librte_; then
      echo "run-l2fwd: $bin links a shared librte_: not the static build" >&2; exit 1
    fi
    src_args+=(--dpdk-src "$v-$b=$bin")
  done
  done
fi

sluice_args=()
for b in $baselines; do
  dir=build-l2fwd-$b
  if [ -d "$dir/meson-private" ]; then
    meson setup --reconfigure "$dir" -Dcpu_baseline="$b" -Dbuildtype=release -Db_sanitize=none >/dev/null
  else
    meson setup "$dir" -Dcpu_baseline="$b" -Dbuildtype=release -Db_sanitize=none >/dev/null
  fi
  # only what meson install installs (the libraries, testpmd-lite, the tools)
  targets=$(meson introspect "$dir" --targets | python3 -c '
import json, os, sys
d = os.path.abspath(sys.argv[1])
for t in json.load(sys.stdin):
    if t.get("installed"):
        for f in t["filename"]:
            print(os.path.relpath(f, d))' "$dir")
  echo "run-l2fwd: building Sluice for -march=$b in $dir"
  # shellcheck disable=SC2086
  ninja -C "$dir" -j2 $targets >/dev/null
  inst=$out/inst-$b
  meson install -C "$dir" --destdir "$inst" --no-rebuild --quiet >"$out/install-$b.log" 2>&1 ||
    { cat "$out/install-$b.log" >&2; exit 1; }
  pc=$(find "$inst" -name sluice-rte.pc | head -n 1)
  [ -n "$pc" ] || { echo "run-l2fwd: $inst has no sluice-rte.pc" >&2; exit 1; }
  libdir=$(dirname "$(dirname "$pc")")
  (
    PKG_CONFIG_PATH=$(dirname "$pc")
    PKG_CONFIG_SYSROOT_DIR=$inst
    export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
    echo "run-l2fwd: $cc $app_cflags \$(pkg-config --cflags sluice-rte) $src \$(pkg-config --libs sluice-rte) -o $out/bin/l2fwd-sluice-$b"
    # shellcheck disable=SC2046,SC2086
    $cc $app_cflags $(pkg-config --cflags sluice-rte) "$src" -o "$out/bin/l2fwd-sluice-$b" $(pkg-config --libs sluice-rte)
  )
  sluice_args+=(--sluice "$b=$out/bin/l2fwd-sluice-$b:$libdir")
  # and linked statically (libsluice_rte.a, libsluice.a), like the
  # from-source DPDK: the like-for-like row for the ratio
  (
    PKG_CONFIG_PATH=$(dirname "$pc")
    PKG_CONFIG_SYSROOT_DIR=$inst
    export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
    libs=$(pkg-config --static --libs sluice-rte | sed 's/-lsluice_rte\b/-l:libsluice_rte.a/; s/-lsluice\b/-l:libsluice.a/')
    echo "run-l2fwd: $cc $app_cflags \$(pkg-config --cflags sluice-rte) $src $libs -o $out/bin/l2fwd-sluice-$b-static"
    # shellcheck disable=SC2046,SC2086
    $cc $app_cflags $(pkg-config --cflags sluice-rte) "$src" -o "$out/bin/l2fwd-sluice-$b-static" $libs
  )
  if ldd "$out/bin/l2fwd-sluice-$b-static" | grep -q libsluice; then
    echo "run-l2fwd: l2fwd-sluice-$b-static links a shared libsluice" >&2; exit 1
  fi
  sluice_args+=(--sluice "$b-static=$out/bin/l2fwd-sluice-$b-static")
done

if [ "${BUILD_ONLY:-0}" = 1 ]; then
  echo "run-l2fwd: built (BUILD_ONLY=1): $(cd "$out/bin" && echo *)"
  exit 0
fi

$cc -O2 -o "$out/bin/tsc_hz" bench/l2fwd/tsc_hz.c
tsc_hz=$("$out/bin/tsc_hz")

extra=()
if [ "${CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null && [[ " $baselines " == *" corei7 "* ]]; then
  extra+=(--instructions corei7-static --instructions corei7)
fi

mkdir -p doc/perf
python3 bench/l2fwd/l2fwd.py --dpdk "$out/bin/l2fwd-dpdk" ${src_args[@]+"${src_args[@]}"} "${sluice_args[@]}" --tsc-hz "$tsc_hz" \
  "${extra[@]}" --svg "$top/doc/perf/l2fwd.svg" "$@"
