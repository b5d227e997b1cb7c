#!/usr/bin/env bash
# bench/run-l2fwd.sh: the same application on both (issue 13's figure).
# DPDK's l2fwd from Debian's dpdk-doc (/usr/share/dpdk/examples/l2fwd/main.c,
# unmodified and never copied into the repository) built in one run
#   (a) against Debian's DPDK 22.11: pkg-config libdpdk, shared, as DPDK's
#       example Makefile builds it (net_null is a plugin EAL loads from its
#       driver directory, pmds-23.0, without -d);
#   (b) against Sluice's rte_ layer: sluice-rte.pc from a meson install
#       --destdir of a Sluice build, once per -Dcpu_baseline in BASELINES
#       (corei7, the -march Debian builds DPDK for, and native), linked the
#       same way (shared);
# with the same compiler and the same application flags: the Makefile's
# -O3 -DALLOW_EXPERIMENTAL_API plus -march=corei7 (what libdpdk.pc adds, so
# every build of main.c gets it). Then runs them alternately over two null
# ports, lcore 0 forwarding both, and reports cycles per packet (l2fwd's own
# counters over whole 1 s statistics periods, TSC) and, under callgrind,
# instructions per packet of the forwarding lcore with the top functions of
# each (bench/l2fwd/l2fwd.py says how).
#
#   bench/run-l2fwd.sh [--rounds N] [--seconds S] [--cg-seconds S] [--top N] [--json-out FILE]
#
# Environment: BASELINES="corei7 native", CALLGRIND=0 to skip the callgrind
# part (it needs a corei7 build: valgrind cannot run AVX-512 code), CC.
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
done

$cc -O2 -o "$out/bin/tsc_hz" bench/l2fwd/tsc_hz.c
tsc_hz=$("$out/bin/tsc_hz")

extra=()
if [ "${CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null && [[ " $baselines " == *" corei7 "* ]]; then
  extra+=(--instructions corei7)
fi

python3 bench/l2fwd/l2fwd.py --dpdk "$out/bin/l2fwd-dpdk" "${sluice_args[@]}" --tsc-hz "$tsc_hz" "${extra[@]}" "$@"
