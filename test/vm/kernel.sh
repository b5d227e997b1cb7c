#!/usr/bin/env bash
# test/vm/kernel.sh: find or build the guest kernel for the VFIO test bed and
# print its path on stdout (all messages go to stderr).
#
# Order of preference:
#   1. $SLUICE_GUEST_KERNEL, when set (must be an existing bzImage);
#   2. the cached build $SLUICE_CACHE_DIR/bzImage-<linux-source version>-<fragment hash>
#      (SLUICE_CACHE_DIR defaults to ~/.cache/sluice);
#   3. a build from Debian's linux-source-6.12 with test/vm/kernel-fragment.config
#      merged over x86_64_defconfig + kernel/configs/kvm_guest.config, then cached.
#      Takes 15-30 minutes on 2 busy cores (see doc/guest-testbed.md).
#
# Options: --build  build (and cache) even when a kernel is given or cached.
# Environment: SLUICE_KERNEL_JOBS (default: nproc), SLUICE_KERNEL_NICE (default 10),
#              SLUICE_NO_INSTALL=1 to never apt-get missing build packages.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/kernel-fragment.config
cache=${SLUICE_CACHE_DIR:-$HOME/.cache/sluice}
src_pkg=linux-source-6.12
build_pkgs=("$src_pkg" bc flex bison libelf-dev libssl-dev make gcc xz-utils)

say() { echo "kernel: $*" >&2; }
die() { echo "kernel: error: $*" >&2; exit 1; }

force_build=0
[ "${1:-}" = --build ] && force_build=1

if [ "$force_build" = 0 ] && [ -n "${SLUICE_GUEST_KERNEL:-}" ]; then
	k=$SLUICE_GUEST_KERNEL
	[ -f "$k" ] || die "SLUICE_GUEST_KERNEL=$k does not exist; point it at a bzImage or unset it to use/build the cached kernel"
	# An x86 boot image carries the magic "HdrS" at offset 0x202.
	[ "$(dd if="$k" bs=1 skip=514 count=4 2>/dev/null | tr -d '\0')" = HdrS ] ||
		die "SLUICE_GUEST_KERNEL=$k is not an x86 bzImage (no HdrS boot header)"
	say "using SLUICE_GUEST_KERNEL=$k (sha256 $(sha256sum "$k" | cut -c1-16)...)"
	realpath "$k"
	exit 0
fi

frag_hash=$(sha256sum "$fragment" | cut -c1-12)

pkg_version() { dpkg-query -W -f='${Version}' "$src_pkg" 2>/dev/null || true; }

# Name of the cache entry: needs the source package version. Without the
# package installed, look for any cached build of this fragment.
version=$(pkg_version)
if [ "$force_build" = 0 ]; then
	if [ -n "$version" ]; then
		cached=$cache/bzImage-$version-$frag_hash
	else
		cached=$(ls -1t "$cache"/bzImage-*-"$frag_hash" 2>/dev/null | head -n 1 || true)
	fi
	if [ -n "$cached" ] && [ -f "$cached" ]; then
		say "using cached $cached"
		echo "$cached"
		exit 0
	fi
fi

# --- build -----------------------------------------------------------------
missing=()
for p in "${build_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && [ "${SLUICE_NO_INSTALL:-0}" != 1 ]; then
		say "installing kernel build packages: ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 ||
			die "apt-get install ${missing[*]} failed"
	else
		die "no guest kernel: set SLUICE_GUEST_KERNEL=<bzImage>, or install ${missing[*]} (apt-get install ${missing[*]}) so it can be built"
	fi
fi
version=$(pkg_version)
tarball=/usr/src/$src_pkg.tar.xz
[ -f "$tarball" ] || die "$tarball missing although $src_pkg is installed"
cached=$cache/bzImage-$version-$frag_hash

mkdir -p "$cache"
exec 9>"$cache/kernel-build.lock"
if ! flock -n 9; then
	say "another kernel build holds $cache/kernel-build.lock; waiting for it"
	flock 9
	if [ "$force_build" = 0 ] && [ -f "$cached" ]; then
		say "using $cached, built meanwhile"
		echo "$cached"
		exit 0
	fi
fi

work=$cache/linux-build-$version
say "building the guest kernel from $src_pkg $version in $work"
say "(first build: 15-30 minutes on 2 cores; the result is cached as $cached)"
t0=$SECONDS
rm -rf "$work"
mkdir -p "$work"
tar -xf "$tarball" -C "$work"
tree=$work/$src_pkg
jobs=${SLUICE_KERNEL_JOBS:-$(nproc)}
nicelvl=${SLUICE_KERNEL_NICE:-10}
log=$cache/kernel-build.log
(
	cd "$tree"
	make x86_64_defconfig
	scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config "$fragment"
	make olddefconfig
) >"$log" 2>&1 || die "kernel configuration failed; see $log"

# Every option the fragment asks for must have survived olddefconfig.
bad=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=n) opt=${line%%=*}; grep -q "^$opt=" "$tree/.config" && bad+=("$opt (wanted n)") ;;
	CONFIG_*=*) grep -qx "$line" "$tree/.config" || bad+=("$line") ;;
	esac
done <"$fragment"
[ ${#bad[@]} -eq 0 ] || die "kernel config lost options from $fragment: ${bad[*]}"

say "compiling with nice -n $nicelvl make -j$jobs bzImage (log: $log)"
(cd "$tree" && nice -n "$nicelvl" make -j"$jobs" bzImage) >>"$log" 2>&1 ||
	die "kernel build failed; last lines of $log:$(tail -n 20 "$log" | sed 's/^/\n  /')"

cp "$tree/arch/x86/boot/bzImage" "$cached.tmp"
cp "$tree/.config" "$cached.config"
mv "$cached.tmp" "$cached"
secs=$((SECONDS - t0))
echo "$(date -u +%FT%TZ) built $cached in ${secs}s (jobs=$jobs nice=$nicelvl)" >>"$cache/kernel-build-times.txt"
say "built $cached in $((secs / 60))m$((secs % 60))s; removing the build tree"
rm -rf "$work"
echo "$cached"
