#!/usr/bin/env bash
# test/vm/run-suite.sh: the guest suite. For each scenario (default: iommufd
# type1 noiommu mixed iommufd-aw39 nointremap, then the Linux 7.3 ones below)
# boots one QEMU guest (test/vm/run-guest.sh) and runs
# every in-guest check in it; prints each check's and each scenario's
# PASS/FAIL/n/a with times, then "N passed, N failed"; exits 1 on any failure.
#
#   test/vm/run-suite.sh [--build-dir DIR] [--logs DIR] [--timeout SECS]
#                        [--jobs N] [--check GLOB]... [--list] [SCENARIO...]
#
# --build-dir  the (already built) build directory whose check programs run
#              in the guest (default $SLUICE_BUILD_DIR, else <repo>/build)
# --logs       where each scenario's run directory goes (default
#              <build-dir>/vm-logs/<scenario>: console.log, results.txt,
#              checks/<check>.log, dmesg.txt)
# --timeout    hard limit per guest (default 600 s)
# --jobs       guests booted at once (default $SLUICE_VM_JOBS, else 1). Each
#              guest is one TCG thread (thread=single), so on a machine with
#              N free cores N guests take about 1/N of the time; with more
#              than 1 the scenarios' results are printed when all have ended
# --check      run only the checks whose names match GLOB (repeatable); without
#              it the scenarios iommufd-aw39 and nointremap run only their own
#              sets (see aw39_checks, nointremap_checks), every other scenario
#              (the 7.3 ones too) runs every check
# --list       list the checks and verify the scripts parse; boots nothing
#
# ADDING A CHECK (the convention other parts of the project follow):
# put an executable file in test/vm/checks/ (a script, or a wrapper that runs
# a program built into <build-dir>); name it NN-what so the order is clear.
# It runs in every scenario's guest, as root, chrooted into the host's root,
# in the repository directory, with SCENARIO (iommufd|type1|noiommu|noiommu-cdev|mixed|iommufd-aw39|nointremap),
# SLUICE_VM_KERNEL (6.12|7.3-compat|7.3-cdevonly),
# SLUICE_SRC_DIR, SLUICE_BUILD_DIR, SLUICE_VM_OUT (writable), SLUICE_IGB_BDFS,
# SLUICE_VIRTIO_BDFS, SLUICE_NIC_BDFS (all bound to vfio-pci) and
# SLUICE_NIC_MACS set, and hugepages reserved. Exit 0 = PASS, 77 = not
# applicable to this scenario (shown as n/a), anything else = FAIL; print
# what was expected and what was seen. Every check must PASS in at least one
# scenario of a full run, or the suite fails. Shell checks may source
# test/vm/check-lib.sh. Each check has SLUICE_CHECK_TIMEOUT (default 180) s.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
all_scenarios=(iommufd type1 noiommu mixed iommufd-aw39 nointremap
	iommufd@7.3-compat type1@7.3-compat noiommu@7.3-compat noiommu-cdev@7.3-compat mixed@7.3-compat
	iommufd@7.3-cdevonly noiommu-cdev@7.3-cdevonly)
# SCENARIO@KERNEL runs SCENARIO on that guest kernel (test/vm/kernel.sh
# --kernel KERNEL; SLUICE_GUEST_KERNEL_73_COMPAT / _73_CDEVONLY give the
# images); a plain name runs on $SLUICE_VM_KERNEL (default 6.12). The guest
# sees SCENARIO and SLUICE_VM_KERNEL=KERNEL. The Linux 7.3 scenarios run every
# check; each check expects what that kernel has (7.3-compat: no legacy
# container, iommufd serves /dev/vfio/vfio, no-IOMMU on both the group and
# the cdev path; 7.3-cdevonly: CONFIG_VFIO_GROUP=n, no groups, no container)
# and is n/a only where the kernel cannot do what it tests, saying why.
# iommufd-aw39 (a VT-d of 39 address bits) differs from iommufd only in
# where IOVAs may lie, so it runs just the checks that map memory and DMA
# through it: the test bed's iommufd checks (30 asserts the 0x7fffffffff
# top), bus_vfio open + DMA, igb port to port, testpmd-lite forwarding.
aw39_checks=(10-device-nodes 30-iommufd-ioas 40-bus-vfio-open 50-igb-p2p 54-igb-testpmd)
# nointremap (a VT-d without interrupt remapping) only shows that the
# kernel's refusal of VFIO is explained (and that the parameters lift it).
nointremap_checks=(45-vfio-msi-isolation)

build_dir=${SLUICE_BUILD_DIR:-$src/build}
logs= timeout_s=600 list=0 jobs=${SLUICE_VM_JOBS:-1}
scenarios=() checks=()
while [ $# -gt 0 ]; do
	case $1 in
	--build-dir) build_dir=$2; shift 2 ;;
	--logs) logs=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--check) checks+=("$2"); shift 2 ;;
	--list) list=1; shift ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
	-*) echo "run-suite: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) scenarios+=("$1"); shift ;;
	esac
done
[ ${#scenarios[@]} -gt 0 ] || scenarios=("${all_scenarios[@]}")
case $jobs in '' | *[!0-9]* | 0) echo "run-suite: --jobs/SLUICE_VM_JOBS must be a number >= 1, not '$jobs'" >&2; exit 2 ;; esac
for s in "${scenarios[@]}"; do
	case " ${all_scenarios[*]} " in *" $s "*) ;; *) echo "run-suite: unknown scenario '$s' (${all_scenarios[*]})" >&2; exit 2 ;; esac
done
# the guest kernel of a scenario: its @KERNEL, else $SLUICE_VM_KERNEL (6.12)
kernel_of() { case $1 in *@*) echo "${1#*@}" ;; *) echo "${SLUICE_VM_KERNEL:-6.12}" ;; esac; }

# The checks: executable files in test/vm/checks/, in name order.
check_list=()
bad=0
for path in "$here"/checks/*; do
	name=$(basename "$path")
	[ -f "$path" ] || continue
	if [ ! -x "$path" ]; then
		case $name in README* | *.md | *.txt) ;; *) echo "run-suite: warning: $path is not executable, so it is not a check" >&2 ;; esac
		continue
	fi
	if head -n 1 "$path" | grep -q 'sh$' && ! bash -n "$path"; then
		echo "run-suite: $path does not parse" >&2
		bad=1
	fi
	check_list+=("$name")
done
for script in run-guest.sh guest-run.sh guest-checks.sh check-lib.sh kernel.sh initramfs.sh selftest.sh; do
	bash -n "$here/$script" || { echo "run-suite: $here/$script does not parse" >&2; bad=1; }
done
if [ "$list" = 1 ]; then
	printf '%s\n' "${check_list[@]}"
	[ ${#check_list[@]} -gt 0 ] || { echo "run-suite: no checks in $here/checks" >&2; exit 1; }
	exit $bad
fi
[ "$bad" = 0 ] || { echo "0 passed, 1 failed"; exit 1; }

selected() {
	local g
	[ ${#checks[@]} -eq 0 ] && return 0
	for g in "${checks[@]}"; do [[ $1 == $g ]] && return 0; done
	return 1
}
# The checks a scenario runs: --check's, else all (iommufd-aw39: its own set).
scenario_checks=()
selected_in_scenario() {
	local g
	[ ${#scenario_checks[@]} -eq 0 ] && return 0
	for g in "${scenario_checks[@]}"; do [[ $1 == $g ]] && return 0; done
	return 1
}

[ -d "$build_dir" ] || { echo "run-suite: build directory $build_dir does not exist; build first (meson setup $build_dir && ninja -C $build_dir)" >&2; echo "0 passed, 1 failed"; exit 1; }
build_dir=$(cd "$build_dir" && pwd)

# The guest CPU (QEMU TCG, -cpu max) has AVX2 but not AVX-512: binaries built
# with -march=native on a host with AVX-512 die there with SIGILL. For such a
# build directory, build a sibling <build-dir>-guest for the guest instead.
guest_baseline=${SLUICE_GUEST_CPU_BASELINE:-x86-64-v3}
baseline=$(meson introspect --buildoptions "$build_dir" 2>/dev/null | python3 -c '
import json, sys
print(next((o["value"] for o in json.load(sys.stdin) if o["name"] == "cpu_baseline"), ""))' 2>/dev/null)
if [ "$baseline" = native ]; then
	guest_build=$build_dir-guest
	echo "run-suite: $build_dir is built with -march=native, which the emulated guest CPU may not run;"
	echo "run-suite: building $guest_build with -Dcpu_baseline=$guest_baseline for the guest"
	t_build=$(date +%s)
	if [ -d "$guest_build/meson-private" ]; then
		meson setup --reconfigure "$guest_build" -Dcpu_baseline="$guest_baseline" >/dev/null
	else
		meson setup "$guest_build" "$src" -Dwerror=true -Dcpu_baseline="$guest_baseline" >/dev/null
	fi || { echo "run-suite: configuring $guest_build failed"; echo "0 passed, 1 failed"; exit 1; }
	ninja -C "$guest_build" >"$guest_build/guest-build.log" 2>&1 ||
		{ tail -n 30 "$guest_build/guest-build.log"; echo "run-suite: building $guest_build failed (log: $guest_build/guest-build.log)"; echo "0 passed, 1 failed"; exit 1; }
	echo "run-suite: $guest_build built in $(( $(date +%s) - t_build ))s"
	build_dir=$guest_build
fi
for prog in vm-vfio-open vm-iommufd-ioas vm-type1-dma; do
	[ -x "$build_dir/test/vm/$prog" ] || { echo "run-suite: $build_dir/test/vm/$prog is missing; build first: ninja -C $build_dir" >&2; echo "0 passed, 1 failed"; exit 1; }
done
logs=${logs:-$build_dir/vm-logs}

passed=0 failed=0
summary=()
declare -A passed_somewhere=() ran_somewhere=()
t_suite=$(date +%s)

fmt_s() { awk "BEGIN{printf \"%.1f\", $1}"; }

# Find each kernel once (it may need building) so the scenarios do not race for it.
declare -A kernels_found=()
for s in "${scenarios[@]}"; do
	k=$(kernel_of "$s")
	[ -n "${kernels_found[$k]:-}" ] && continue
	if ! SLUICE_VM_KERNEL=$k "$here/kernel.sh" >/dev/null; then
		echo "run-suite: no guest kernel $k (see above)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	kernels_found[$k]=1
done

# The checks SCENARIO runs (scenario_checks): --check's, else all
# (iommufd-aw39, nointremap: their own sets).
checks_for() {
	scenario_checks=("${checks[@]}")
	[ ${#checks[@]} -eq 0 ] && [ "$1" = iommufd-aw39 ] && scenario_checks=("${aw39_checks[@]}")
	[ ${#checks[@]} -eq 0 ] && [ "$1" = nointremap ] && scenario_checks=("${nointremap_checks[@]}")
}

# run_guest SCENARIO: boot it and run its checks; run-guest.sh's status
# goes to <out>/run-guest.rc.
run_guest() {
	local scenario=$1 out=$logs/$1
	checks_for "$scenario"
	SLUICE_VM_CHECKS="${scenario_checks[*]:-}" SLUICE_VM_KERNEL=$(kernel_of "$scenario") \
		"$here/run-guest.sh" --build-dir "$build_dir" --out "$out" --timeout "$timeout_s" "${scenario%@*}" -- \
		bash "$here/guest-checks.sh" 2>"$out/run-guest.err"
	echo $? >"$out/run-guest.rc"
}

# report SCENARIO: its checks' results, why the guest failed if it did, its
# times; adds to the totals.
report() {
	local scenario=$1 out=$logs/$1 rc sp=0 sf=0 sn=0 name res secs code
	local wall boot ready end times verdict line
	checks_for "$scenario"
	rc=$(cat "$out/run-guest.rc" 2>/dev/null || echo 125)
	declare -A reported=()
	if [ -f "$out/results.txt" ]; then
		while read -r name res secs code; do
			reported[$name]=1
			ran_somewhere[$name]=1
			case $res in
			PASS) sp=$((sp + 1)); passed_somewhere[$name]=1; printf '  PASS  %-28s %6ss\n' "$name" "$secs" ;;
			N/A) sn=$((sn + 1)); printf '  n/a   %-28s %6ss  (not applicable to %s)\n' "$name" "$secs" "$scenario" ;;
			*) sf=$((sf + 1)); printf '  FAIL  %-28s %6ss  (exit %s; output: %s)\n' "$name" "$secs" "$code" "$out/checks/$name.log"
			   sed 's/^/        | /' "$out/checks/$name.log" | grep -E '^        \| (FAIL|.*timed out)' | head -n 10 ;;
			esac
		done <"$out/results.txt"
	fi
	# Checks that never reported: the guest died, hung or failed to start.
	for name in "${check_list[@]}"; do
		selected_in_scenario "$name" || continue
		if [ -z "${reported[$name]:-}" ]; then
			sf=$((sf + 1))
			printf '  FAIL  %-28s         (did not run: the guest stopped first)\n' "$name"
		fi
	done
	# Why the guest run failed, if it did beyond failed checks.
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		sed 's/^/  /' "$out/run-guest.err" | grep -v '^  kernel: using\|^  run-guest: scenario' >&2
		[ "$sf" -eq 0 ] && sf=1
	elif [ "$rc" -eq 1 ] && [ "$sf" -eq 0 ]; then
		sed 's/^/  /' "$out/run-guest.err" >&2
		sf=1
	fi
	wall=$(sed -n 's/^wall_s=//p' "$out/host-timing" 2>/dev/null)
	boot=$(sed -n 's/^boot_s=//p' "$out/guest-timing" 2>/dev/null)
	ready=$(sed -n 's/^ready_s=//p' "$out/guest-timing" 2>/dev/null)
	end=$(sed -n 's/^end_s=//p' "$out/guest-timing" 2>/dev/null)
	times="wall ${wall:-?}s"
	[ -n "$boot" ] && times+=", boot ${boot}s"
	[ -n "$boot" ] && [ -n "$ready" ] && times+=", setup $(fmt_s "$ready - $boot")s"
	[ -n "$ready" ] && [ -n "$end" ] && times+=", checks $(fmt_s "$end - $ready")s"
	if [ "$sf" -eq 0 ]; then verdict=PASS; else verdict=FAIL; fi
	line=$(printf 'scenario %-24s %s  %d passed, %d failed, %d n/a  (%s)' "$scenario" "$verdict" "$sp" "$sf" "$sn" "$times")
	echo "$line"
	summary+=("$line")
	passed=$((passed + sp))
	failed=$((failed + sf))
}

for scenario in "${scenarios[@]}"; do
	rm -rf "${logs:?}/$scenario"
	mkdir -p "$logs/$scenario"
done
if [ "$jobs" -le 1 ]; then
	for scenario in "${scenarios[@]}"; do
		echo "=== scenario $scenario (log: $logs/$scenario/console.log)"
		run_guest "$scenario"
		report "$scenario"
	done
else
	# the initramfs once, before guests that would race to build it
	"$here/initramfs.sh" >/dev/null || { echo "run-suite: cannot build the initramfs"; echo "0 passed, 1 failed"; exit 1; }
	echo "=== ${#scenarios[@]} scenarios, $jobs guests at a time"
	for scenario in "${scenarios[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
		echo "=== scenario $scenario started (log: $logs/$scenario/console.log)"
		run_guest "$scenario" &
	done
	wait
	for scenario in "${scenarios[@]}"; do
		echo "=== scenario $scenario (log: $logs/$scenario/console.log)"
		report "$scenario"
	done
fi

# A full run: every check must pass somewhere, or it tests nothing.
if [ ${#scenarios[@]} -eq ${#all_scenarios[@]} ]; then
	for name in "${check_list[@]}"; do
		selected "$name" || continue
		if [ -n "${ran_somewhere[$name]:-}" ] && [ -z "${passed_somewhere[$name]:-}" ]; then
			echo "FAIL  $name passed in no scenario (not applicable or failed everywhere)"
			failed=$((failed + 1))
		fi
	done
fi

echo "=== guest suite: $(( $(date +%s) - t_suite ))s"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
