#!/usr/bin/env bash
# bench/run-guest-iofwd.sh: io forwarding across the two NICs of one kind in
# the QEMU test-bed guest (test/vm/run-guest.sh), Sluice's testpmd-lite
# against Debian's DPDK 22.11 dpdk-testpmd and the dpdk-testpmd of each DPDK
# built from source like Sluice (bench/build-dpdk.sh VERSION --march corei7,
# static -O3; the versions of DPDK_VERSIONS, default "22.11 25.11", that can
# be built; DPDK_SRC=0 or --program for none) on the same ports in the same
# guest run, every program once a round, the order turning round by round.
# Prints Mpps (all ports, received) per round, the medians, the best rounds
# and the ratio Sluice/DPDK (Debian's; also the median of the per-round
# ratios: each round's programs ran back to back, so it is the figure least
# disturbed by other load on the host), then the same against each
# from-source build.
#
#   bench/run-guest-iofwd.sh [--rounds N] [--seconds S] [--scenario type1|noiommu]
#                            [--build-dir DIR] [--out DIR] [--program NAME=PATH ...] igb|virtio
#
# --program NAME=PATH: a dpdk-testpmd to run beside Debian's instead of the
# from-source builds (PATH as the guest sees it: the host's root, 9p).
#
# Both sides: two lcores (main + one forwarding core), one queue per port,
# 512 rx/tx descriptors (virtio: 256, the device's queue size), burst 32, 32 bursts per port put on the wire first
# (dpdk-testpmd: "start tx_first 32"; testpmd-lite: --tx-first=32). DPDK has
# no iommufd, so the scenario is type1 (default) or noiommu. The DPDK figure
# is the sum of the ports' Rx-pps from "show port stats all" over S seconds
# after 1 s of warm-up; Sluice's the mean of testpmd-lite's per-second rates
# (--stats-period=1, all ports) over S seconds after 1 s of warm-up.
# Under TCG the device model dominates: compare figures only within one run.
#
# Sluice is built for the guest into DIR (default build-bench-guest,
# -Dcpu_baseline=corei7 like Debian's DPDK, release). Needs the guest kernel
# (SLUICE_GUEST_KERNEL or test/vm/kernel.sh) and dpdk-testpmd on the host
# root (apt-get install dpdk), which the guest runs through 9p.
#
# Inside the guest the script runs itself with --in-guest.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)

me=run-guest-iofwd
. "$here/guest-bench-lib.sh"
gb_parse_args "$@"

# ---- in the guest ----------------------------------------------------------
if [ "$in_guest" = 1 ]; then
	if [ "$nic" = igb ]; then bdfs=($SLUICE_IGB_BDFS); else bdfs=($SLUICE_VIRTIO_BDFS); fi
	[ ${#bdfs[@]} -ge 2 ] || { echo "run-guest-iofwd: fewer than two $nic NICs in the guest" >&2; exit 1; }
	testpmd_lite=$SLUICE_BUILD_DIR/app/testpmd-lite/testpmd-lite
	res=$SLUICE_VM_OUT/iofwd-$nic
	mkdir -p "$res"
	gb_io_eal "${bdfs[@]:0:2}"
	# QEMU's virtio-net queues have 256 entries (DPDK's virtio PMD takes the
	# device's size whatever --rxd says; Sluice's refuses more than it has)
	if [ "$nic" = virtio ]; then desc=256; else desc=512; fi
	fwd=(--forward-mode=io --nb-cores=1 --rxd=$desc --txd=$desc)
	echo "guest: $nic ports ${bdfs[*]:0:2}, scenario $scenario, $rounds rounds of ${seconds}s"
	run_sluice() {
		local r=$1
		# one second of warm-up, then S one-second intervals (--stats-period)
		"$testpmd_lite" "${sl_eal[@]}" -- "${fwd[@]}" --tx-first=32 --run-time="$((seconds + 1)).5" \
			--stats-period=1 --json >"$res/sluice-$r.json" 2>"$res/sluice-$r.err" ||
			{ echo "round $r: testpmd-lite failed:"; tail -n 5 "$res/sluice-$r.err"; exit 1; }
		python3 -c '
import json, re, sys
r = json.load(open(sys.argv[1]))
nports = len(r["ports"])
rates = [float(x) for x in re.findall(r"^port \d+ .*\| rx ([0-9.]+) Mpps", open(sys.argv[3]).read(), re.M)]
iv = [sum(rates[i:i + nports]) for i in range(0, len(rates) - nports + 1, nports)]
if len(iv) < 2:
    sys.exit("too few stats intervals in " + sys.argv[3])
after = iv[1:]
print("round %s: sluice %.4f Mpps (mean of %d 1-s intervals after 1 s of warm-up: %s; missed %d)" % (sys.argv[2],
      sum(after) / len(after), len(after), " ".join("%.3f" % x for x in after),
      sum(p["rx_missed"] for p in r["ports"])))' "$res/sluice-$r.json" "$r" "$res/sluice-$r.err" || exit 1
	}
	run_dpdk() { # ROUND [NAME BINARY]: Debian's dpdk-testpmd unless given
		local r=$1 name=${2:-dpdk} exe=${3:-dpdk-testpmd} log
		log=$res/$name-$r.log
		fifo=$res/$name-$r.fifo
		gb_testpmd_start "$exe" "$log" "$fifo" || { echo "round $r: $name failed to start"; exit 1; }
		echo "start tx_first 32" >&3; sleep 1
		echo "show port stats all" >&3; sleep "$seconds"
		echo "show port stats all" >&3; sleep 0.5
		echo "stop" >&3; echo "quit" >&3
		exec 3>&-
		wait "$dpdk_pid" || { echo "round $r: $name ($exe) failed:"; tail -n 15 "$log"; exit 1; }
		rm -f "$fifo"
		python3 -c '
import re, sys
t = open(sys.argv[1]).read()
pps = [int(x) for x in re.findall(r"Rx-pps:\s+(\d+)", t)]
rx = [int(x) for x in re.findall(r"NIC statistics for port \d+\s+#+\s+RX-packets:\s+(\d+)", t)]
n = len(pps) // 2
if n == 0 or len(rx) != 2 * n:
    sys.exit("no Rx-pps lines in " + sys.argv[1])
print("round %s: %s %.4f Mpps (Rx-pps %s; %d packets between the two readings)" % (sys.argv[2], sys.argv[3],
      sum(pps[-n:]) / 1e6, " + ".join(map(str, pps[-n:])), sum(rx[n:]) - sum(rx[:n])))' \
			"$log" "$r" "$name" || exit 1
	}
	# every program once a round, the order turning round by round, so none
	# always runs in another's wake: sluice, dpdk (Debian's), then --program
	progs=(sluice dpdk ${extra_bins[@]+"${extra_bins[@]}"})
	for r in $(seq "$rounds"); do
		n=${#progs[@]}
		for k in $(seq 0 $((n - 1))); do
			p=${progs[$(( (k + r - 1) % n ))]}
			case $p in
			sluice) run_sluice "$r" || exit 1 ;;
			dpdk) run_dpdk "$r" || exit 1 ;;
			*) run_dpdk "$r" "${p%%=*}" "${p#*=}" || exit 1 ;;
			esac
		done
	done | tee "$res/rounds.txt"
	exit "${PIPESTATUS[0]}"
fi

# ---- on the host ---------------------------------------------------------------
command -v dpdk-testpmd >/dev/null || { echo "run-guest-iofwd: dpdk-testpmd not found: apt-get install dpdk" >&2; exit 1; }
# DPDK built from source like Sluice, corei7 (bench/build-dpdk.sh), for
# each version of DPDK_VERSIONS that is built or can be; DPDK_SRC=0: none
if [ "${DPDK_SRC:-1}" != 0 ] && [ ${#extra_bins[@]} = 0 ]; then
	. "$here/dpdk-versions.sh"
	for v in ${DPDK_VERSIONS:-22.11 25.11}; do
		prefix=$(dpdk_prefix "$v" corei7) || continue
		extra_bins+=("dpdk-src-$v=$prefix/bin/dpdk-testpmd")
	done
fi
gb_run_guest iofwd "$(( 120 + rounds * (2 + ${#extra_bins[@]}) * (seconds + 15) ))"
rc=$?
rounds_file=$out/iofwd-$nic/rounds.txt
[ -f "$rounds_file" ] || { echo "run-guest-iofwd: no results (guest exit $rc; console: $out/console.log)" >&2; exit 1; }
python3 - "$rounds_file" "$nic" "$scenario" <<'PY'
import re, statistics, sys
res = {}
for line in open(sys.argv[1]):
    m = re.match(r"round (\d+): (\S+) ([0-9.]+) Mpps", line)
    if m:
        res.setdefault(m.group(2), []).append(float(m.group(3)))
print(open(sys.argv[1]).read(), end="")
if "sluice" not in res or "dpdk" not in res or len({len(v) for v in res.values()}) != 1:
    sys.exit("run-guest-iofwd: incomplete results")
s, d = res["sluice"], res["dpdk"]
ms, md = statistics.median(s), statistics.median(d)
pair = statistics.median(a / b for a, b in zip(s, d))
print("%s io forwarding in the guest (%s, TCG): testpmd-lite %.4f Mpps, dpdk-testpmd %.4f Mpps (medians of %d rounds), "
      "ratio Sluice/DPDK %.2f; best %.4f vs %.4f Mpps (%.2f); median of the per-round ratios %.2f"
      % (sys.argv[2], sys.argv[3], ms, md, len(s), ms / md, max(s), max(d), max(s) / max(d), pair))
for name in sorted(res):
    if name in ("sluice", "dpdk"):
        continue
    v = res[name]
    print("  against %s (static -O3 corei7): %.4f Mpps (%.4f-%.4f), ratio of medians %.2f, "
          "median of the per-round ratios %.2f" % (name, statistics.median(v), min(v), max(v),
          ms / statistics.median(v), statistics.median(a / b for a, b in zip(s, v))))
PY
[ "$rc" = 0 ] || exit "$rc"
