#!/usr/bin/env bash
# test/vm/kernel.sh: find or build a guest kernel for the VFIO test bed and
# print its path on stdout (all messages go to stderr).
#
#   test/vm/kernel.sh [--build] [--kernel 6.12|7.3-compat|7.3-cdevonly]
#
# The kernels (default 6.12, or $SLUICE_VM_KERNEL):
#   6.12          iommufd, type1 and no-IOMMU (groups); Debian 12's linux-source-6.12
#   7.3-compat    no legacy container (iommufd serves /dev/vfio/vfio), groups
#                 and cdevs, no-IOMMU on both paths; linux-source-7.3
#   7.3-cdevonly  no VFIO groups at all, no-IOMMU over the device cdev; linux-source-7.3
# Order of preference for each:
#   1. its environment variable, when set (must be an existing bzImage):
#      SLUICE_GUEST_KERNEL, SLUICE_GUEST_KERNEL_73_COMPAT, SLUICE_GUEST_KERNEL_73_CDEVONLY;
#   2. the cached build $SLUICE_CACHE_DIR/bzImage-<linux-source version>-<fragment hash>
#      (SLUICE_CACHE_DIR defaults to ~/.cache/sluice);
#   3. a build from Debian's linux-source package with the kernel's fragment
#      (test/vm/kernel-fragment*.config) merged over x86_64_defconfig +
#      kernel/configs/kvm_guest.config, out of tree, then cached. Takes 15-30
#      minutes on 2 busy cores (see doc/guest-testbed.md). linux-source-6.12
#      is installed with apt-get; linux-source-7.3 lives in trixie-backports,
#      which is never added to the system's sources: it is fetched with
#      `apt-get download` through a private sources list naming the mirror the
#      machine already uses (devtools/apt-mirror.py) and unpacked with dpkg-deb.
#
# Options: --build  build (and cache) even when a kernel is given or cached.
# Environment: SLUICE_KERNEL_JOBS (default: nproc), SLUICE_KERNEL_NICE (default 10),
#              SLUICE_NO_INSTALL=1 to never apt-get missing build packages.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${SLUICE_CACHE_DIR:-$HOME/.cache/sluice}

force_build=0 name=${SLUICE_VM_KERNEL:-6.12}
while [ $# -gt 0 ]; do
	case $1 in
	--build) force_build=1; shift ;;
	--kernel) name=$2; shift 2 ;;
	*) echo "kernel: error: unknown argument '$1' (--build, --kernel NAME)" >&2; exit 2 ;;
	esac
done
case $name in
6.12) env_var=SLUICE_GUEST_KERNEL fragment=$here/kernel-fragment.config src_pkg=linux-source-6.12 src_suite= ;;
7.3-compat) env_var=SLUICE_GUEST_KERNEL_73_COMPAT fragment=$here/kernel-fragment-7.3-compat.config
	src_pkg=linux-source-7.3 src_suite=trixie-backports ;;
7.3-cdevonly) env_var=SLUICE_GUEST_KERNEL_73_CDEVONLY fragment=$here/kernel-fragment-7.3-cdevonly.config
	src_pkg=linux-source-7.3 src_suite=trixie-backports ;;
*) echo "kernel: error: unknown kernel '$name' (6.12, 7.3-compat, 7.3-cdevonly)" >&2; exit 2 ;;
esac
build_pkgs=(bc flex bison libelf-dev libssl-dev make gcc xz-utils)
[ -z "$src_suite" ] && build_pkgs+=("$src_pkg")

say() { echo "kernel: $*" >&2; }
die() { echo "kernel: error: $*" >&2; exit 1; }

if [ "$force_build" = 0 ] && [ -n "${!env_var:-}" ]; then
	k=${!env_var}
	[ -f "$k" ] || die "$env_var=$k does not exist; point it at a bzImage or unset it to use/build the cached kernel"
	# An x86 boot image carries the magic "HdrS" at offset 0x202.
	[ "$(dd if="$k" bs=1 skip=514 count=4 2>/dev/null | tr -d '\0')" = HdrS ] ||
		die "$env_var=$k is not an x86 bzImage (no HdrS boot header)"
	say "using $env_var=$k (sha256 $(sha256sum "$k" | cut -c1-16)...)"
	realpath "$k"
	exit 0
fi

frag_hash=$(sha256sum "$fragment" | cut -c1-12)

# The source package's version: installed (6.12), or the candidate in the
# private list of its suite (7.3), fetched when not yet known.
apt_private=$cache/apt-$src_suite
apt_opts=(-o "Dir::Etc::SourceList=$apt_private/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$apt_private/lists" -o "Dir::Cache=$apt_private/cache" -o APT::Get::List-Cleanup=0
	-o APT::Sandbox::User=root)  # the cache is root's own: no _apt sandbox
private_update() {
	local mirror
	mirror=$("$here/../../devtools/apt-mirror.py" bookworm) ||
		die "cannot find the Debian mirror this machine uses (no bookworm source in /etc/apt); set $env_var to a prebuilt kernel instead"
	mkdir -p "$apt_private/lists/partial" "$apt_private/cache/archives/partial"
	echo "deb $mirror $src_suite main" >"$apt_private/sources.list"
	say "reading $src_suite's package list into $apt_private (private; the system's apt sources are left as they are)"
	apt-get "${apt_opts[@]}" update -q >&2 || die "apt-get update of the private $src_suite list failed"
}
pkg_version() {
	if [ -z "$src_suite" ]; then
		dpkg-query -W -f='${Version}' "$src_pkg" 2>/dev/null || true
	elif [ -f "$apt_private/sources.list" ]; then
		apt-cache "${apt_opts[@]}" policy "$src_pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)' || true
	fi
}

# Name of the cache entry: needs the source package version. Without it
# (package not installed or list not fetched), take any cached build of
# this fragment.
version=$(pkg_version)
if [ "$force_build" = 0 ]; then
	if [ -n "$version" ]; then
		cached=$cache/bzImage-$version-$frag_hash
	else
		cached=$(ls -1t "$cache"/bzImage-*-"$frag_hash" 2>/dev/null | grep -v '\.config$' | head -n 1 || true)
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
if [ -n "$src_suite" ]; then
	private_update
	version=$(pkg_version)
	[ -n "$version" ] || die "$src_pkg is not in $src_suite (private list $apt_private)"
	unpacked=$cache/$src_pkg-$version
	tarball=$unpacked/usr/src/$src_pkg.tar.xz
	if [ ! -f "$tarball" ]; then
		say "downloading $src_pkg $version from $src_suite (apt-get download, not installed)"
		mkdir -p "$cache/debs"
		(cd "$cache/debs" && apt-get "${apt_opts[@]}" download -q "$src_pkg=$version" >&2) ||
			die "apt-get download $src_pkg=$version failed"
		deb=$(ls -1 "$cache/debs/${src_pkg}_"*.deb | head -n 1)
		rm -rf "$unpacked"
		dpkg-deb -x "$deb" "$unpacked" || die "dpkg-deb -x $deb failed"
		rm -f "$deb"
	fi
else
	version=$(pkg_version)
	tarball=/usr/src/$src_pkg.tar.xz
fi
[ -f "$tarball" ] || die "$tarball missing although $src_pkg $version is there"
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

work=$cache/linux-build-$version-$frag_hash
say "building the $name guest kernel from $src_pkg $version in $work"
say "(first build: 15-30 minutes on 2 cores; the result is cached as $cached)"
t0=$SECONDS
rm -rf "$work"
mkdir -p "$work/src" "$work/out"
tar -xf "$tarball" -C "$work/src"
tree=$(ls -d "$work"/src/linux-source-* | head -n 1)
obj=$work/out
jobs=${SLUICE_KERNEL_JOBS:-$(nproc)}
nicelvl=${SLUICE_KERNEL_NICE:-10}
log=$cache/kernel-build-$name.log
(
	cd "$tree"
	make O="$obj" x86_64_defconfig
	scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" kernel/configs/kvm_guest.config "$fragment"
	make O="$obj" olddefconfig
) >"$log" 2>&1 || die "kernel configuration failed; see $log"

# Every option the fragment asks for must have survived olddefconfig.
bad=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=n) opt=${line%%=*}; grep -q "^$opt=" "$obj/.config" && bad+=("$opt (wanted n)") ;;
	CONFIG_*=*) grep -qx "$line" "$obj/.config" || bad+=("$line") ;;
	esac
done <"$fragment"
# An option this kernel no longer has (e.g. VFIO_PCI_MMAP, gone in 7.x) is
# not lost: it is named and ignored.
lost=()
for b in "${bad[@]}"; do
	sym=${b%%[= ]*}
	if grep -rqsx --include='Kconfig*' "config ${sym#CONFIG_}" "$tree"; then
		lost+=("$b")
	else
		say "note: $sym is not an option of this kernel; the fragment's line for it is ignored"
	fi
done
[ ${#lost[@]} -eq 0 ] || die "kernel config lost options from $fragment: ${lost[*]}"

say "compiling with nice -n $nicelvl make -j$jobs bzImage (log: $log)"
(cd "$tree" && nice -n "$nicelvl" make O="$obj" -j"$jobs" bzImage) >>"$log" 2>&1 ||
	die "kernel build failed; last lines of $log:$(tail -n 20 "$log" | sed 's/^/\n  /')"

cp "$obj/arch/x86/boot/bzImage" "$cached.tmp"
cp "$obj/.config" "$cached.config"
mv "$cached.tmp" "$cached"
secs=$((SECONDS - t0))
echo "$(date -u +%FT%TZ) built $cached in ${secs}s (jobs=$jobs nice=$nicelvl)" >>"$cache/kernel-build-times.txt"
say "built $cached in $((secs / 60))m$((secs % 60))s; removing the build tree"
rm -rf "$work"
echo "$cached"
