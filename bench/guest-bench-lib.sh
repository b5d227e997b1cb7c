# bench/guest-bench-lib.sh: what the guest benchmarks (run-guest-iofwd.sh,
# run-guest-l2fwd.sh, igb-device-counts.sh) share, sourced with $me set to
# the script's name: their command line, the io-forwarding EAL options and
# dpdk-testpmd's interactive start in the guest, and on the host testpmd-lite's corei7 build for the guest and
# the guest run that calls the script again with --in-guest.

# gb_parse_args "$@": sets rounds, seconds, scenario, build_dir, out,
# in_guest, nic (igb|virtio; scenario type1|noiommu) and extra_bins (the
# --program NAME=PATH given: more programs for the guest to run), or exits 2.
gb_parse_args() {
	rounds=3 seconds=5 scenario=type1 build_dir= out= in_guest=0 nic=
	extra_bins=()
	while [ $# -gt 0 ]; do
		case $1 in
		--program) extra_bins+=("$2"); shift 2 ;;
		--rounds) rounds=$2; shift 2 ;;
		--seconds) seconds=$2; shift 2 ;;
		--scenario) scenario=$2; shift 2 ;;
		--build-dir) build_dir=$2; shift 2 ;;
		--out) out=$2; shift 2 ;;
		--in-guest) in_guest=1; shift ;;
		-h | --help) sed -n '2,/^set -uo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
		-*) echo "$me: unknown option $1 (see --help)" >&2; exit 2 ;;
		*) nic=$1; shift ;;
		esac
	done
	case $nic in
	igb | virtio) ;;
	*) echo "$me: give the NIC kind: igb or virtio (see --help)" >&2; exit 2 ;;
	esac
	case $scenario in
	type1 | noiommu) ;;
	*) echo "$me: --scenario must be type1 or noiommu (DPDK has no iommufd)" >&2; exit 2 ;;
	esac
}

# gb_run_guest KIND TIMEOUT: on the host, build testpmd-lite for the guest
# (build_dir, default build-bench-guest: corei7, release), boot the
# scenario's guest and run "$0 --in-guest ..." in it; results under
# out (default build_dir/guest-KIND/NIC-SCENARIO-TIME). Sets out; returns
# the guest's exit status.
gb_run_guest() {
	local kind=$1 timeout_s=$2 b
	local program_args=()
	for b in ${extra_bins[@]+"${extra_bins[@]}"}; do program_args+=(--program "$b"); done
	build_dir=${build_dir:-$src/build-bench-guest}
	if [ ! -d "$build_dir/meson-private" ]; then
		meson setup "$build_dir" "$src" -Dcpu_baseline=corei7 -Dbuildtype=release -Db_sanitize=none >/dev/null ||
			{ echo "$me: meson setup $build_dir failed" >&2; return 1; }
	fi
	echo "$me: building testpmd-lite (-march=corei7) in $build_dir"
	ninja -C "$build_dir" app/testpmd-lite/testpmd-lite >/dev/null || { echo "$me: build failed" >&2; return 1; }
	out=${out:-$build_dir/guest-$kind/$nic-$scenario-$(date +%Y%m%d-%H%M%S)}
	mkdir -p "$out"
	"$src/test/vm/run-guest.sh" --build-dir "$build_dir" --out "$out" --timeout "$timeout_s" "$scenario" -- \
		bash "$0" --in-guest --rounds "$rounds" --seconds "$seconds" --scenario "$scenario" \
		${program_args[@]+"${program_args[@]}"} "$nic"
}

# gb_io_eal BDF...: in the guest, the EAL options both io-forwarding sides
# use on these ports for the scenario: sets sl_eal (testpmd-lite) and
# dpdk_eal (dpdk-testpmd), two lcores each.
gb_io_eal() {
	local b
	sl_eal=(-l 0-1 -m 256 --log-level warning)
	dpdk_eal=(-l 0-1 -n 1 --in-memory --log-level=lib.eal:warning)
	if [ "$scenario" = noiommu ]; then
		sl_eal+=(--allow-noiommu --iova-mode pa)
		dpdk_eal+=(--iova-mode=pa)
	fi
	for b in "$@"; do
		sl_eal+=(-a "$b,iommu=$scenario")
		dpdk_eal+=(-a "$b")
	done
}

# gb_testpmd_start EXE LOG FIFO: in the guest, start EXE (a dpdk-testpmd)
# interactive with dpdk_eal and fwd, its input FIFO held open as fd 3, and
# wait for its prompt (start-up takes seconds under TCG) before anything is
# fed to it. Sets dpdk_pid; without a prompt prints the log's tail, closes
# fd 3 and returns 1.
gb_testpmd_start() {
	local exe=$1 log=$2 fifo=$3
	rm -f "$fifo"
	mkfifo "$fifo"
	"$exe" "${dpdk_eal[@]}" -- -i "${fwd[@]}" <"$fifo" >"$log" 2>&1 &
	dpdk_pid=$!
	exec 3>"$fifo"
	for _ in $(seq 600); do
		grep -q "testpmd>" "$log" 2>/dev/null && return 0
		kill -0 "$dpdk_pid" 2>/dev/null || break
		sleep 0.2
	done
	grep -q "testpmd>" "$log" && return 0
	echo "$exe did not reach its prompt:"
	tail -n 15 "$log"
	exec 3>&-
	return 1
}
