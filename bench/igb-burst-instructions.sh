#!/usr/bin/env bash
# bench/igb-burst-instructions.sh: instructions per packet of net_igb's
# receive and transmit bursts, counted by valgrind's callgrind on the host
# replay (test/igb/igb_replay --bench: the driver's real queue and burst code
# against a fake BAR in plain memory, the program playing the device, io
# forwarding 32-packet bursts of 64-byte frames). Each burst function is
# counted with its callees (mempool get/put, mbuf reset) and without the
# fake device's work.
#
#   bench/igb-burst-instructions.sh [--bursts N]
#
# Built with -march=corei7 (valgrind does not run AVX-512 code) into
# build-igb-replay-corei7. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
bursts=20000
[ "${1:-}" = --bursts ] && bursts=$2
command -v valgrind >/dev/null || { echo "igb-burst-instructions: valgrind not found: apt-get install valgrind" >&2; exit 1; }
dir=build-igb-replay-corei7
[ -d "$dir/meson-private" ] || meson setup "$dir" -Dcpu_baseline=corei7 -Dbuildtype=release -Db_sanitize=none >/dev/null
ninja -C "$dir" test/igb/igb_replay >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
packets=$((bursts * 32))
for fn in igb_recv_pkts igb_xmit_pkts; do
	valgrind --tool=callgrind --callgrind-out-file="$tmp/$fn.out" --toggle-collect="$fn" \
		"$dir/test/igb/igb_replay" --bench "$bursts" >"$tmp/$fn.log" 2>&1 ||
		{ cat "$tmp/$fn.log"; exit 1; }
	ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/$fn.log")
	awk -v fn="$fn" -v ir="$ir" -v p="$packets" 'BEGIN { printf "%-14s %12d instructions / %d packets = %.1f per packet\n", fn, ir, p, ir / p }'
done
