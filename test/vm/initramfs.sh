#!/usr/bin/env bash
# test/vm/initramfs.sh: build (or reuse) the test-bed initramfs and print its
# path on stdout. It holds only busybox-static and test/vm/guest-init.sh as
# /init; everything else comes from the host's root over 9p (see
# doc/guest-testbed.md). Cached by content in $SLUICE_CACHE_DIR (default
# ~/.cache/sluice) as initramfs-<hash>.cpio.gz: a changed init script or
# busybox gives a new image, an unchanged one is reused.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${SLUICE_CACHE_DIR:-$HOME/.cache/sluice}
busybox=${SLUICE_BUSYBOX:-/bin/busybox}
init=$here/guest-init.sh

die() { echo "initramfs: error: $*" >&2; exit 1; }

[ -x "$busybox" ] || die "$busybox missing: apt-get install busybox-static"
# A dynamically linked busybox names its ELF interpreter; the static one does not.
if grep -qa "/lib64/ld-linux" "$busybox"; then
	die "$busybox is dynamically linked (the busybox package, not busybox-static, is installed): apt-get install busybox-static"
fi
command -v cpio >/dev/null || die "cpio missing: apt-get install cpio"

hash=$(cat "$busybox" "$init" "$0" | sha256sum | cut -c1-16)
image=$cache/initramfs-$hash.cpio.gz
if [ -f "$image" ]; then
	echo "$image"
	exit 0
fi

mkdir -p "$cache"
stage=$(mktemp -d "$cache/initramfs-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,host}
cp "$busybox" "$stage/bin/busybox"
for applet in sh mount umount mkdir cat echo ln chroot poweroff sleep sync uname; do
	ln -s busybox "$stage/bin/$applet"
done
cp "$init" "$stage/init"
# The kernel opens /dev/console before /init runs (devtmpfs is not mounted yet).
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null ||
	echo "initramfs: warning: cannot mknod dev/console (not root?); early init output may be lost" >&2
chmod 755 "$stage/init"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --quiet) | gzip -9 >"$image.tmp"
mv "$image.tmp" "$image"
# Older images (from an older init script or busybox) are of no further use.
find "$cache" -maxdepth 1 -name 'initramfs-*.cpio.gz' ! -name "$(basename "$image")" -mmin +60 -delete 2>/dev/null || true
echo "initramfs: built $image" >&2
echo "$image"
