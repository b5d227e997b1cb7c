#!/usr/bin/env bash
# bench/run-virtio-ipp.sh: instructions per packet of the virtio-net rx/tx
# burst functions, Sluice's net_virtio vs DPDK 22.11's virtio PMD, counted
# with callgrind on the host (bench/virtio/ipp.py explains how). Builds
# sl-virtio-replay for -march=corei7 like Debian's DPDK.
#
#   bench/run-virtio-ipp.sh [--rings split,packed] [--packets N] [--seconds S] [--json FILE]
#
# Needs valgrind and dpdk-testpmd (apt-get install valgrind dpdk). Uses 2 CPUs
# for about two minutes per ring format; no hugepages (--no-huge).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "run-virtio-ipp: valgrind not found: apt-get install valgrind" >&2; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "run-virtio-ipp: dpdk-testpmd not found: apt-get install dpdk" >&2; exit 1; }
dir=build-virtio-ipp
if [ -d "$dir/meson-private" ]; then
	meson setup --reconfigure "$dir" -Dcpu_baseline=corei7 -Dbuildtype=release -Db_sanitize=none >/dev/null
else
	meson setup "$dir" -Dcpu_baseline=corei7 -Dbuildtype=release -Db_sanitize=none >/dev/null
fi
ninja -C "$dir" test/virtio/sl-virtio-replay >/dev/null
exec python3 bench/virtio/ipp.py --replay "$dir/test/virtio/sl-virtio-replay" "$@"
