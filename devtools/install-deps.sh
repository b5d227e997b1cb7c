#!/usr/bin/env bash
# devtools/install-deps.sh: install what Sluice needs on Debian 12 (bookworm),
# from Debian only. Idempotent: does nothing when everything is present.
# QEMU comes from bookworm-backports (10.x), because bookworm's 7.2 has no igb model.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "install-deps: run as root (apt-get and hugepages need it)" >&2; exit 1; }

packages=(
  gcc libc6-dev meson ninja-build pkg-config python3   # build
  libasan8 libubsan1                                    # sanitizer build
  busybox-static cpio                                   # guest initramfs
  pci.ids                                               # device names in bind.py --status
  dpdk dpdk-dev                                         # the peer we benchmark against (bench/ only)
  dpdk-doc                                              # DPDK's example sources, built unmodified against sluice-rte (test/rte_compat)
  valgrind                                              # instruction counts in bench/
  gnuplot-nox                                           # the SVG charts bench/ draws (bench/chart.py, doc/perf/)
  clang libclang-rt-14-dev                              # libFuzzer targets (test/fuzz/run-fuzz.sh)
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user # aarch64 build, unit tests under qemu-user
  dpkg-dev debhelper dh-python help2man lintian         # Debian packages (debian/, test/packaging/)
)
backports_packages=(qemu-system-x86)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

qemu_ok() {
  command -v qemu-system-x86_64 >/dev/null &&
    qemu-system-x86_64 -device help 2>/dev/null | grep -q '"igb"'
}

if [ ${#missing[@]} -eq 0 ] && qemu_ok; then
  echo "install-deps: all packages present"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # The backports line uses the mirror this machine already takes bookworm
  # from (its own apt sources), never a fixed address.
  mirror=$(devtools/apt-mirror.py bookworm) || {
    echo "install-deps: no Debian mirror serving bookworm found in /etc/apt/sources.list{,.d}; add bookworm-backports to apt's sources by hand" >&2
    exit 1
  }
  echo "deb $mirror bookworm-backports main" > /etc/apt/sources.list.d/bookworm-backports.list
  echo "install-deps: added 'deb $mirror bookworm-backports main' to /etc/apt/sources.list.d/bookworm-backports.list (for QEMU 10 with the igb model)"
fi
apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  apt-get install -y -q "${missing[@]}"
fi
if ! qemu_ok; then
  echo "install-deps: installing ${backports_packages[*]} from bookworm-backports"
  apt-get install -y -q -t bookworm-backports "${backports_packages[@]}"
fi
qemu_ok || { echo "install-deps: qemu-system-x86_64 has no igb device model; need QEMU >= 8 (bookworm-backports)" >&2; exit 1; }
echo "install-deps: done"
