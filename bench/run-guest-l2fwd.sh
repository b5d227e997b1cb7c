#!/usr/bin/env bash
# bench/run-guest-l2fwd.sh: DPDK's unmodified l2fwd (Debian's dpdk-doc
# main.c) on a real (emulated) NIC in the QEMU test-bed guest, built
# (bench/run-l2fwd.sh BUILD_ONLY=1, -march=corei7) against Sluice's rte_
# layer (static), against each DPDK built from source like Sluice (static
# -O3, bench/build-dpdk.sh: 22.11, and 25.11 where it can be built) and
# against Debian's shared DPDK 22.11, round by round in one guest boot, the
# order turning each round.
#
#   bench/run-guest-l2fwd.sh [--rounds N] [--seconds S] [--scenario type1|noiommu]
#                            [--build-dir DIR] [--out DIR] igb|virtio
#
# The NICs of one kind are wired to each other and to nothing else, so the
# traffic comes from the other NIC: l2fwd holds the first (-p 0x1 -P -T 1:
# it forwards the port to itself, rewriting both MACs, promiscuous so it
# takes the generator's frames), and Sluice's testpmd-lite holds the second
# in io mode with one port (it sends back what it receives) and puts 32
# bursts of 32 frames on the wire first. The same 1,024 frames then go round
# l2fwd and the generator; the figure is the generator's received rate
# (testpmd-lite's per-second counters, the mean over S seconds after 1 s of
# warm-up), the same measuring code for every build. l2fwd's own totals at
# its exit are printed beside it. Under TCG one host thread runs both vCPUs
# and both NIC models, so the rate is that of the whole loop: l2fwd's share
# of it is what differs between the builds, and the ratios are diluted by
# what is common. Compare figures within one run only.
#
# DPDK has no iommufd, so the scenario is type1 (default) or noiommu; Sluice
# is given the same backend. Sluice's testpmd-lite is built for the guest
# into DIR (default build-bench-guest, corei7, release). Needs what
# bench/run-l2fwd.sh needs (dpdk-doc, libdpdk-dev, the from-source DPDK)
# and the guest kernel (SLUICE_GUEST_KERNEL or test/vm/kernel.sh). The l2fwd
# binaries in build-l2fwd-bench/bin are reused when all of them are there
# (REBUILD=1 builds them again). A benchmark, not a test: keep the host
# otherwise idle (no second guest beside it).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)

me=run-guest-l2fwd
. "$here/guest-bench-lib.sh"
gb_parse_args "$@"
bins=$src/build-l2fwd-bench/bin
# NAME=BINARY: Sluice, each DPDK version built from source that
# bench/run-l2fwd.sh built (DPDK_VERSIONS there), Debian's DPDK
guest_builds() {
	local f v
	builds=(sluice=l2fwd-sluice-corei7-static)
	for f in "$bins"/l2fwd-dpdk-src-*-corei7; do
		[ -x "$f" ] || continue
		v=${f##*/l2fwd-dpdk-src-}
		v=${v%-corei7}
		builds+=("dpdk-src-$v=${f##*/}")
	done
	builds+=(dpdk-debian=l2fwd-dpdk)
}
guest_builds

# ---- in the guest ----------------------------------------------------------
if [ "$in_guest" = 1 ]; then
	if [ "$nic" = igb ]; then bdfs=($SLUICE_IGB_BDFS); else bdfs=($SLUICE_VIRTIO_BDFS); fi
	[ ${#bdfs[@]} -ge 2 ] || { echo "run-guest-l2fwd: fewer than two $nic NICs in the guest" >&2; exit 1; }
	fwd_bdf=${bdfs[0]} gen_bdf=${bdfs[1]}
	testpmd_lite=$SLUICE_BUILD_DIR/app/testpmd-lite/testpmd-lite
	res=$SLUICE_VM_OUT/l2fwd-$nic
	mkdir -p "$res"
	if [ "$nic" = virtio ]; then desc=256; else desc=512; fi
	gen=(-l 0-1 -m 128 --file-prefix gen --log-level warning -a "$gen_bdf,iommu=$scenario")
	sl_l2fwd=(-l 0 -n 4 -a "$fwd_bdf,iommu=$scenario")
	dpdk_l2fwd=(-l 0 -n 4 --in-memory -a "$fwd_bdf")
	if [ "$scenario" = noiommu ]; then
		gen+=(--allow-noiommu --iova-mode pa)
		sl_l2fwd+=(--allow-noiommu --iova-mode pa)
		dpdk_l2fwd+=(--iova-mode=pa)
	fi
	echo "guest: l2fwd on $fwd_bdf, testpmd-lite generating on $gen_bdf ($nic), scenario $scenario," \
		"$rounds rounds of ${seconds}s"
	run_one() { # ROUND NAME BINARY
		local r=$1 name=$2 exe=$bins/$3 log=$res/$2-$1.l2fwd.log pid i
		local eal
		[ "$name" = sluice ] && eal=("${sl_l2fwd[@]}") || eal=("${dpdk_l2fwd[@]}")
		[ -x "$exe" ] || { echo "round $r: $exe not built"; return 1; }
		"$exe" "${eal[@]}" -- -p 0x1 -P -T 1 >"$log" 2>&1 &
		pid=$!
		for i in $(seq 300); do
			grep -q "Port statistics" "$log" && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.2
		done
		if ! grep -q "Port statistics" "$log"; then
			echo "round $r: $name l2fwd did not start:"; tail -n 15 "$log"
			kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; return 1
		fi
		"$testpmd_lite" "${gen[@]}" -- --forward-mode=io --rxd=$desc --txd=$desc --tx-first=32 \
			--run-time="$((seconds + 1)).5" --stats-period=1 --json \
			>"$res/$name-$r.gen.json" 2>"$res/$name-$r.gen.err"
		local grc=$?
		kill -INT $pid 2>/dev/null
		for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.2; done
		kill -0 $pid 2>/dev/null && { kill -9 $pid; echo "round $r: $name l2fwd still ran 20 s after SIGINT"; }
		wait $pid
		local lrc=$?
		[ $grc = 0 ] || { echo "round $r: the generator failed ($grc):"; tail -n 5 "$res/$name-$r.gen.err"; return 1; }
		[ $lrc = 0 ] || { echo "round $r: $name l2fwd exited $lrc:"; tail -n 10 "$log"; return 1; }
		python3 - "$res/$name-$r.gen.err" "$log" "$r" "$name" <<'PY' || return 1
import re, sys
rates = [float(x) for x in re.findall(r"^port \d+ .*\| rx ([0-9.]+) Mpps", open(sys.argv[1]).read(), re.M)]
if len(rates) < 2:
    sys.exit("too few stats intervals in " + sys.argv[1])
after = rates[1:]
log = open(sys.argv[2], errors="replace").read()
sent = re.findall(r"Total packets sent:\s+(\d+)", log)
recv = re.findall(r"Total packets received:\s+(\d+)", log)
print("round %s: %s %.4f Mpps (generator rx, mean of %d 1-s intervals after 1 s of warm-up: %s; "
      "l2fwd totals: received %s, sent %s)" % (sys.argv[3], sys.argv[4], sum(after) / len(after), len(after),
      " ".join("%.3f" % x for x in after), recv[-1] if recv else "?", sent[-1] if sent else "?"))
PY
	}
	for r in $(seq "$rounds"); do
		n=${#builds[@]}
		for k in $(seq 0 $((n - 1))); do
			b=${builds[$(( (k + r) % n ))]}
			run_one "$r" "${b%%=*}" "${b#*=}" || exit 1
		done
	done | tee "$res/rounds.txt"
	exit "${PIPESTATUS[0]}"
fi

# ---- on the host ---------------------------------------------------------------
have_all=1
for b in "${builds[@]}"; do [ -x "$bins/${b#*=}" ] || have_all=0; done
[ "${#builds[@]}" -ge 3 ] || have_all=0
if [ "$have_all" = 1 ] && [ "${REBUILD:-0}" != 1 ]; then
	echo "run-guest-l2fwd: using the l2fwd builds in $bins (REBUILD=1 to build them again)"
else
	# run-l2fwd.sh starts from an empty build-l2fwd-bench: never while
	# another run uses those binaries
	echo "run-guest-l2fwd: building the l2fwd builds (bench/run-l2fwd.sh, BASELINES=corei7 BUILD_ONLY=1)"
	BASELINES=corei7 BUILD_ONLY=1 "$src/bench/run-l2fwd.sh" >/dev/null ||
		{ echo "run-guest-l2fwd: building l2fwd failed (run BASELINES=corei7 BUILD_ONLY=1 bench/run-l2fwd.sh)" >&2; exit 1; }
fi
guest_builds
[ "${#builds[@]}" -ge 3 ] || { echo "run-guest-l2fwd: no l2fwd built against a DPDK from source in $bins" >&2; exit 1; }
for b in "${builds[@]}"; do
	[ -x "$bins/${b#*=}" ] || { echo "run-guest-l2fwd: $bins/${b#*=} missing after the build" >&2; exit 1; }
done
echo "run-guest-l2fwd: builds: ${builds[*]}"
gb_run_guest l2fwd "$(( 180 + rounds * 3 * (seconds + 40) ))"
rc=$?
rounds_file=$out/l2fwd-$nic/rounds.txt
[ -f "$rounds_file" ] || { echo "run-guest-l2fwd: no results (guest exit $rc; console: $out/console.log)" >&2; exit 1; }
python3 - "$rounds_file" "$nic" "$scenario" "${builds[@]%%=*}" <<'PY'
import re, statistics, sys
names = sys.argv[4:]
res = {}
for line in open(sys.argv[1]):
    m = re.match(r"round (\d+): (\S+) ([0-9.]+) Mpps", line)
    if m:
        res.setdefault(m.group(2), []).append(float(m.group(3)))
print(open(sys.argv[1]).read(), end="")
if set(res) != set(names) or len({len(v) for v in res.values()}) != 1:
    sys.exit("run-guest-l2fwd: incomplete results")
print("l2fwd on %s in the guest (%s, TCG), Mpps round the loop, median of %d rounds (min-max):"
      % (sys.argv[2], sys.argv[3], len(res["sluice"])))
for name in names:
    v = res[name]
    print("  %-15s %.4f (%.4f-%.4f)" % (name, statistics.median(v), min(v), max(v)))
for other in names[1:]:
    pair = statistics.median(a / b for a, b in zip(res["sluice"], res[other]))
    print("  Sluice / %-15s %.3f (medians), %.3f (median of the per-round ratios)"
          % (other, statistics.median(res["sluice"]) / statistics.median(res[other]), pair))
PY
[ "$rc" = 0 ] || exit "$rc"
