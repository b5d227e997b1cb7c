#!/usr/bin/env bash
# bench/run-soak.sh: a soak run (a benchmark, not a test): testpmd-lite
# io-forwards for S seconds or N frames, whichever comes first (default
# 600 s or 100,000,000 frames received), while the mbuf pool's available
# count (testpmd-lite's periodic "mbufs:" line) and the process's open file
# descriptors (/proc/PID/fd) are sampled every P seconds. Both must stay
# flat: no fd opened and not closed, no mbuf lost. Prints the samples, a
# summary and a verdict; exits 1 when either drifts.
#
#   bench/run-soak.sh [--seconds S] [--frames N] [--period P]
#                     [--where guest|host] [--scenario iommufd|type1|noiommu|mixed]
#                     [--build-dir DIR] [--out DIR] [igb|virtio|null]
#
# --where guest (default): in the QEMU test-bed guest (test/vm/run-guest.sh)
# between the two igb (default) or the two virtio-net NICs over real VFIO,
# scenario iommufd by default. --where host: two null ports on the host
# (100 M frames take about a second there; use --frames to make it last).
#
# "Flat" means: the fd count never changed after forwarding started, and
# the spread of the mbufs-in-use count (max - min over the samples after
# the first) is at most the descriptors the ports can hold in flight
# (rx + tx ring sizes of all ports), with the last sample not below the
# first by more than that either: a leak of even one mbuf per million
# frames would exceed it over 100 M frames.
#
# Inside the guest the script runs itself with --in-guest.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)

seconds=600 frames=100000000 period=10 where=guest scenario=iommufd build_dir= out= in_guest=0 nic=
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=$2; shift 2 ;;
	--frames) frames=$2; shift 2 ;;
	--period) period=$2; shift 2 ;;
	--where) where=$2; shift 2 ;;
	--scenario) scenario=$2; shift 2 ;;
	--build-dir) build_dir=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--in-guest) in_guest=1; shift ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
	-*) echo "run-soak: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) nic=$1; shift ;;
	esac
done
for v in seconds frames period; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "run-soak: --$v must be a positive integer, not '${!v}'" >&2; exit 2; }
done
case $where in
guest) nic=${nic:-igb}; case $nic in igb | virtio) ;; *) echo "run-soak: in the guest the NICs are igb or virtio, not '$nic'" >&2; exit 2 ;; esac ;;
host) nic=${nic:-null}; [ "$nic" = null ] || { echo "run-soak: on the host the ports are null ports, not '$nic'" >&2; exit 2; } ;;
*) echo "run-soak: --where must be guest or host" >&2; exit 2 ;;
esac
case $scenario in iommufd | type1 | noiommu | mixed) ;; *) echo "run-soak: unknown scenario '$scenario'" >&2; exit 2 ;; esac

# soak RESULT_DIR EAL-ARGS... : run testpmd-lite, sample, write samples.txt
soak() {
	local res=$1; shift
	local testpmd_lite=$SOAK_BUILD_DIR/app/testpmd-lite/testpmd-lite desc=512
	[ "$nic" = virtio ] && desc=256   # QEMU's virtio-net queues have 256 entries
	mkdir -p "$res"
	"$testpmd_lite" "$@" -- --forward-mode=io --rxd=$desc --txd=$desc --tx-first=32 \
		--run-time="$seconds" --max-packets="$frames" --stats-period="$period" \
		>"$res/testpmd-lite.out" 2>"$res/testpmd-lite.err" &
	local pid=$! t0=$SECONDS
	echo "# t_s fds" >"$res/fds.txt"
	while kill -0 "$pid" 2>/dev/null; do
		n=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
		[ "$n" -gt 0 ] && echo "$((SECONDS - t0)) $n" >>"$res/fds.txt"
		sleep "$period"
	done
	wait "$pid"
	local rc=$?
	echo "ports: 2, descriptors per ring: $desc" >"$res/setup.txt"
	[ "$rc" = 0 ] || { echo "run-soak: testpmd-lite exited $rc:"; tail -n 10 "$res/testpmd-lite.err"; return 1; }
}

# ---- in the guest ------------------------------------------------------------
if [ "$in_guest" = 1 ]; then
	if [ "$nic" = igb ]; then bdfs=($SLUICE_IGB_BDFS); else bdfs=($SLUICE_VIRTIO_BDFS); fi
	[ ${#bdfs[@]} -ge 2 ] || { echo "run-soak: fewer than two $nic NICs in the guest" >&2; exit 1; }
	eal=(-l 0-1 -m 256 --log-level warning)
	[ "$scenario" = noiommu ] && eal+=(--allow-noiommu --iova-mode pa)
	backends=("$scenario" "$scenario")
	[ "$scenario" = mixed ] && backends=(iommufd type1)
	eal+=(-a "${bdfs[0]},iommu=${backends[0]}" -a "${bdfs[1]},iommu=${backends[1]}")
	SOAK_BUILD_DIR=$SLUICE_BUILD_DIR soak "$SLUICE_VM_OUT/soak" "${eal[@]}"
	exit $?
fi

# ---- on the host -------------------------------------------------------------
if [ "$where" = host ]; then
	build_dir=${build_dir:-$src/build}
	ninja -C "$build_dir" app/testpmd-lite/testpmd-lite >/dev/null || { echo "run-soak: build failed" >&2; exit 1; }
	out=${out:-$build_dir/soak/null-$(date +%Y%m%d-%H%M%S)}
	SOAK_BUILD_DIR=$build_dir soak "$out/soak" -l 0-1 -m 256 --vdev null0 --vdev null1 || exit 1
else
	build_dir=${build_dir:-$src/build-bench-guest}
	if [ ! -d "$build_dir/meson-private" ]; then
		meson setup "$build_dir" "$src" -Dcpu_baseline=corei7 -Dbuildtype=release -Db_sanitize=none >/dev/null ||
			{ echo "run-soak: meson setup $build_dir failed" >&2; exit 1; }
	fi
	ninja -C "$build_dir" app/testpmd-lite/testpmd-lite >/dev/null || { echo "run-soak: build failed" >&2; exit 1; }
	out=${out:-$build_dir/soak/$nic-$scenario-$(date +%Y%m%d-%H%M%S)}
	mkdir -p "$out"
	echo "run-soak: $nic in a $scenario guest, up to ${seconds}s or $frames frames, sampling every ${period}s (console: $out/console.log)"
	"$src/test/vm/run-guest.sh" --build-dir "$build_dir" --out "$out" --timeout $((seconds + 240)) "$scenario" -- \
		bash "$src/bench/run-soak.sh" --in-guest --seconds "$seconds" --frames "$frames" --period "$period" \
		--scenario "$scenario" --where guest "$nic" || { echo "run-soak: the guest run failed (see above, $out)" >&2; exit 1; }
fi

python3 - "$out/soak" "$nic" "$where" "$scenario" <<'PY'
import re, sys
res, nic, where, scenario = sys.argv[1:5]
out = open(res + "/testpmd-lite.out").read()
desc = int(re.search(r"descriptors per ring: (\d+)", open(res + "/setup.txt").read()).group(1))
inflight = 2 * 2 * desc                      # 2 ports, rx + tx rings each
mb = [(int(a), int(u)) for a, u in re.findall(r"^mbufs: (\d+) available, (\d+) in use", out, re.M)]
fds = [tuple(map(int, l.split())) for l in open(res + "/fds.txt") if not l.startswith("#")]
rx = re.search(r"total: RX-packets (\d+) TX-packets (\d+) TX-dropped (\d+) in ([0-9.]+) s", out)
why = re.search(r"stopped by ([a-z-]+)", out)
if not rx or len(mb) < 3 or len(fds) < 3:
    sys.exit("run-soak: too few samples (%d mbuf lines, %d fd samples); see %s" % (len(mb), len(fds), res))
print("sample  mbufs-available  mbufs-in-use")
for i, (a, u) in enumerate(mb):
    print("%6d  %15d  %12d" % (i + 1, a, u))
print("t_s  fds")
for t, n in fds:
    print("%4d  %3d" % (t, n))
use = [u for _, u in mb[1:]]
fdn = [n for _, n in fds[1:]]
spread, drift = max(use) - min(use), use[-1] - use[0]
fd_flat = max(fdn) == min(fdn)
mb_flat = spread <= inflight and drift <= inflight
print("%s %s (%s): %s frames received, %s sent, %s dropped in %s s (stopped by %s)"
      % (nic, where, scenario if where == "guest" else "null ports", rx.group(1), rx.group(2), rx.group(3),
         rx.group(4), why.group(1) if why else "?"))
print("mbufs in use over %d samples: min %d, max %d, first %d, last %d (spread %d, drift %+d; in-flight bound %d)"
      % (len(use), min(use), max(use), use[0], use[-1], spread, drift, inflight))
print("open fds over %d samples: min %d, max %d" % (len(fdn), min(fdn), max(fdn)))
print("verdict: mbufs %s, fds %s" % ("flat" if mb_flat else "DRIFTING", "flat" if fd_flat else "DRIFTING"))
sys.exit(0 if mb_flat and fd_flat else 1)
PY
