#!/usr/bin/env bash
# bench/build-dpdk.sh: a DPDK built the way Sluice's bench build is built
# (issue 15), so the benchmarks compare like with like: static libraries,
# buildtype=release (-O3), the same gcc and the same -march as
# build-bench-<march> (meson -Dcpu_baseline=<march> -Dbuildtype=release).
#
#   bench/build-dpdk.sh VERSION [--march corei7|native] [--jobs N] [--download-only]
#                       [--source DIR]
#
# VERSION 22.11 is Debian 12 (bookworm)'s dpdk source package, 25.11 sid's.
# The source comes from Debian's source packages, without touching the
# system's apt sources: a private sources list (deb-src, the archive URI that
# devtools/apt-mirror.py finds for bookworm, or for sid; sid falls back to
# the bookworm URI, same archive) with private lists and caches, then
# `apt-get source --download-only` and `dpkg-source -x` (Debian's patches
# applied). When the mirror lacks the files (seen for sid's 25.11 on this
# project's machines: listed in Sources, 404 in the pool), --source DIR takes
# an unpacked DPDK VERSION tree instead (a release tarball or `git archive
# vVERSION.N` of DPDK's own repository); it is copied into src/ and its
# origin written next to it (src/ORIGIN) and into the build stamp. Everything
# lives under
#   ${XDG_CACHE_HOME:-~/.cache}/sluice/dpdk-src/VERSION/
#     apt/                 private sources list, lists, pkgcache
#     src/dpdk-*/          the unpacked source (+ .dsc, .orig.tar.*, .debian.tar.*)
#     build-MARCH/         the meson build directory
#     MARCH/               the install prefix:
#       bin/dpdk-testpmd   (statically linked against DPDK)
#       lib/x86_64-linux-gnu/librte_*.a, lib/x86_64-linux-gnu/pkgconfig/libdpdk.pc
#       include/
# Built: the drivers the benchmarks need (net/null, net/e1000 (igb),
# net/virtio, mempool/ring, bus/pci, bus/vdev), the libraries those and
# dpdk-testpmd need (optional libraries disabled as far as the version
# allows), app/test-pmd only; no tests, examples, docs or kernel modules.
# A second call with the same VERSION and --march returns at once; the last
# line printed is always the prefix, so
#   prefix=$(bench/build-dpdk.sh 22.11 | tail -1)
#   PKG_CONFIG_PATH=$prefix/lib/x86_64-linux-gnu/pkgconfig pkg-config --static --libs libdpdk
# Needs (Debian 12's dpdk build-depends, the part this build uses): gcc,
# meson, ninja-build, python3-pyelftools, libnuma-dev, pkg-config, dpkg-dev
# (dpkg-source), apt. Run as root for apt-get's private update, or as a user
# (apt then downloads unsandboxed into the private directories).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

usage() { echo "usage: bench/build-dpdk.sh 22.11|25.11 [--march corei7|native] [--jobs N] [--download-only] [--source DIR]" >&2; exit 2; }
[ $# -ge 1 ] || usage
version=$1; shift
march=corei7
jobs=$(nproc)
download_only=0
source_dir=
while [ $# -gt 0 ]; do
  case $1 in
    --march) march=${2:?}; shift 2 ;;
    --march=*) march=${1#*=}; shift ;;
    --jobs|-j) jobs=${2:?}; shift 2 ;;
    --download-only) download_only=1; shift ;;
    --source) source_dir=${2:?}; shift 2 ;;
    --source=*) source_dir=${1#*=}; shift ;;
    *) usage ;;
  esac
done
case $version in
  22.11) suite=bookworm ;;
  25.11) suite=sid ;;
  *) echo "build-dpdk: VERSION must be 22.11 (bookworm) or 25.11 (sid), got $version" >&2; exit 2 ;;
esac
case $march in corei7|native) ;; *) echo "build-dpdk: --march corei7 or native" >&2; exit 2 ;; esac

root=${XDG_CACHE_HOME:-$HOME/.cache}/sluice/dpdk-src/$version
prefix=$root/$march
builddir=$root/build-$march
stamp=$prefix/.sluice-build-done

if [ -f "$stamp" ] && [ -x "$prefix/bin/dpdk-testpmd" ]; then
  echo "build-dpdk: DPDK $version for -march=$march already built ($(cat "$stamp"))" >&2
  echo "$prefix"
  exit 0
fi

# Build dependencies: name what is missing, with the command that installs it.
missing=()
for p in gcc meson ninja-build python3-pyelftools libnuma-dev pkg-config dpkg-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-dpdk: missing build dependencies: ${missing[*]}" >&2
  echo "build-dpdk: install them with: apt-get install ${missing[*]}" >&2
  exit 1
fi

start=$(date +%s)

# --- the source, given: a DPDK tree of this VERSION ---
if [ -n "$source_dir" ]; then
  [ -f "$source_dir/meson_options.txt" ] && [ -f "$source_dir/VERSION" ] || {
    echo "build-dpdk: --source $source_dir is not a DPDK source tree (no meson_options.txt or VERSION)" >&2; exit 1; }
  given=$(cat "$source_dir/VERSION")
  case $given in
    "$version".*) ;;
    *) echo "build-dpdk: --source $source_dir is DPDK $given, not $version.x" >&2; exit 1 ;;
  esac
  rm -rf "$root/src" && mkdir -p "$root/src"
  cp -a "$source_dir" "$root/src/dpdk-$given"
  origin=$(git -C "$source_dir" describe --tags 2>/dev/null || true)
  echo "DPDK $given from $(cd "$source_dir" && pwd)${origin:+ (git $origin)}, not Debian's source package" > "$root/src/ORIGIN"
  rm -f "$stamp"
fi

# --- the source, from Debian's source package, through a private apt setup ---
srcdir=$(find "$root/src" -mindepth 1 -maxdepth 1 -type d -name 'dpdk*' 2>/dev/null | head -1 || true)
if [ -z "$srcdir" ] || [ ! -f "$srcdir/meson_options.txt" ]; then
  uri=$(python3 "$top/devtools/apt-mirror.py" "$suite" 2>/dev/null) ||
    uri=$(python3 "$top/devtools/apt-mirror.py" bookworm) || {
      echo "build-dpdk: no apt source for $suite or bookworm to take the archive URI from" >&2; exit 1; }
  apt=$root/apt
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$root/src"
  echo "deb-src $uri $suite main" > "$apt/sources.list"
  aptopts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
           -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
           -o Debug::NoLocking=1)
  [ "$(id -u)" = 0 ] || aptopts+=(-o APT::Sandbox::User="$(id -un)")
  [ "$(id -u)" != 0 ] || aptopts+=(-o APT::Sandbox::User=root)
  echo "build-dpdk: apt-get update with a private sources list: deb-src $uri $suite main" >&2
  apt-get "${aptopts[@]}" -q update >&2
  # every $version.x the suite lists, newest first: a mirror may lack the
  # pool files of one (seen: sid listing 25.11.4-1 and 25.11.2-1, neither
  # in the pool of this machine's mirror)
  debvers=$(apt-cache "${aptopts[@]}" showsrc dpdk 2>/dev/null | sed -n 's/^Version: //p' |
            grep -E "^$version[.-]" | sort -uVr || true)
  [ -n "$debvers" ] || {
    echo "build-dpdk: $suite lists no dpdk $version source ($(apt-cache "${aptopts[@]}" showsrc dpdk 2>/dev/null | sed -n 's/^Version: //p' | tr '\n' ' '))" >&2; exit 1; }
  got=
  for debver in $debvers; do
    echo "build-dpdk: downloading dpdk $debver ($suite) source" >&2
    if (cd "$root/src" && apt-get "${aptopts[@]}" -q source --download-only "dpdk=$debver" >&2); then
      got=$debver; break
    fi
    rm -f "$root/src"/dpdk_"$debver"* "$root/src"/dpdk_"${debver%-*}".orig.tar.*
  done
  [ -n "$got" ] || {
    echo "build-dpdk: could not download dpdk $version ($(echo $debvers)) from $uri: the mirror lacks the files" >&2; exit 1; }
  dsc=$root/src/dpdk_$got.dsc
  (cd "$root/src" && dpkg-source -x "$(basename "$dsc")" >&2)
  srcdir=$(find "$root/src" -mindepth 1 -maxdepth 1 -type d -name 'dpdk*' | head -1)
fi
echo "build-dpdk: source in $srcdir" >&2
[ "$download_only" = 0 ] || { echo "$srcdir"; exit 0; }

# --- meson options, spelled the way this DPDK version spells them ---
opts=$srcdir/meson_options.txt
has_opt() { grep -q "option('$1'" "$opts"; }
args=(--prefix="$prefix" --libdir=lib/x86_64-linux-gnu
      -Dbuildtype=release -Ddefault_library=static -Dc_args=-march="$march"
      -Dtests=false -Dexamples=)
if has_opt cpu_instruction_set; then
  args+=(-Dcpu_instruction_set="$march")
else
  args+=(-Dmachine="$march")
fi
has_opt enable_docs && args+=(-Denable_docs=false)
has_opt enable_kmods && args+=(-Denable_kmods=false)
# drivers: net/e1000 moved to net/intel/e1000 in DPDK 25.03
e1000=net/e1000
[ -d "$srcdir/drivers/net/e1000" ] || e1000=net/intel/e1000
args+=(-Denable_drivers="net/null,$e1000,net/virtio,mempool/ring,bus/pci,bus/vdev")
# apps: only dpdk-testpmd
if has_opt enable_apps; then
  args+=(-Denable_apps=test-pmd)
elif has_opt disable_apps; then
  others=$(cd "$srcdir/app" && for d in */; do d=${d%/}; [ "$d" = test-pmd ] || printf '%s,' "$d"; done)
  args+=(-Ddisable_apps="${others%,}")
fi
# libraries: every optional one testpmd can do without (enable_libs where the
# version has it, else disable_libs over the optional list in lib/meson.build)
keep_libs="gro gso metrics bitratestats latencystats"
if has_opt enable_libs; then
  args+=(-Denable_libs="$(echo $keep_libs | tr ' ' ,)")
elif has_opt disable_libs; then
  optional=$(python3 - "$srcdir/lib/meson.build" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"optional_libs\s*=\s*\[(.*?)\]", text, re.S)
print(" ".join(re.findall(r"'([^']+)'", re.sub(r"#.*", "", m.group(1)))) if m else "")
EOF
)
  dis=()
  for l in $optional; do
    [[ " $keep_libs " == *" $l "* ]] || dis+=("$l")
  done
  [ ${#dis[@]} -eq 0 ] || args+=(-Ddisable_libs="$(IFS=,; echo "${dis[*]}")")
fi

# Debian's python3 first: python3-pyelftools is installed for it, not for
# a python3 of pyenv or a venv earlier in PATH (25.11 checks at setup)
export PATH=/usr/bin:$PATH
rm -rf "$builddir"
echo "build-dpdk: meson setup $builddir ${args[*]}" >&2
(cd "$srcdir" && meson setup "$builddir" "${args[@]}" >"$root/meson-setup-$march.log" 2>&1) || {
  tail -30 "$root/meson-setup-$march.log" >&2; echo "build-dpdk: meson setup failed, log: $root/meson-setup-$march.log" >&2; exit 1; }
grep -A14 -i "^Drivers Enabled\|^Libraries Enabled\|^Applications Enabled" "$root/meson-setup-$march.log" | grep -v '^ *$' >&2 || true
echo "build-dpdk: ninja -j$jobs -C $builddir" >&2
ninja -j"$jobs" -C "$builddir" >"$root/ninja-$march.log" 2>&1 || {
  tail -30 "$root/ninja-$march.log" >&2; echo "build-dpdk: build failed, log: $root/ninja-$march.log" >&2; exit 1; }
rm -rf "$prefix"
meson install -C "$builddir" --quiet >"$root/install-$march.log" 2>&1 || {
  tail -30 "$root/install-$march.log" >&2; exit 1; }
[ -x "$prefix/bin/dpdk-testpmd" ] || { echo "build-dpdk: no dpdk-testpmd in $prefix/bin" >&2; exit 1; }
PKG_CONFIG_PATH=$prefix/lib/x86_64-linux-gnu/pkgconfig pkg-config --static --exists libdpdk || {
  echo "build-dpdk: pkg-config --static libdpdk fails for $prefix" >&2; exit 1; }

secs=$(( $(date +%s) - start ))
origin=Debian
[ ! -f "$root/src/ORIGIN" ] || origin=$(cat "$root/src/ORIGIN")
echo "$version $march $(gcc -dumpfullversion) built in ${secs}s on $(nproc) cores, $(date -u +%F); source: $origin" > "$stamp"
echo "build-dpdk: DPDK $version for -march=$march built in ${secs}s (wall, download + configure + build + install) with -j$jobs" >&2
echo "$prefix"
