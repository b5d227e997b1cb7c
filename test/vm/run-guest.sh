#!/usr/bin/env bash
# test/vm/run-guest.sh: boot the test-bed guest (QEMU, TCG) in one scenario,
# run a command in it, and exit with the command's in-guest exit status.
#
#   test/vm/run-guest.sh [options] SCENARIO -- COMMAND [ARG...]
#
# SCENARIO: iommufd | type1 | mixed (q35 + emulated VT-d) or noiommu (no
# vIOMMU, vfio.enable_unsafe_noiommu_mode=1); iommufd-aw39 is iommufd with
# a VT-d of 39 address bits (IOVAs up to 0x7fffffffff, as on many client
# Intel IOMMUs), where IOVA = VA only works with low virtual addresses;
# nointremap has a VT-d without interrupt remapping (intremap=off), where the
# kernel refuses VFIO unless allow_unsafe_interrupts is set. The machine always has 2 igb
# NICs on one QEMU hub (a wire between them) and 2 virtio-net NICs on
# another, each behind its own pcie-root-port (own IOMMU group); in the guest
# all four are bound to vfio-pci and hugepages are reserved before COMMAND
# runs, chrooted into the host's root (read-only 9p), in the current
# directory, with the variables listed in test/vm/guest-run.sh.
#
# Options:
#   --build-dir DIR   build directory the command uses (default $SLUICE_BUILD_DIR, else ./build)
#   --out DIR         run directory: console.log, results, exit-status
#                     (default: <build-dir>/vm-runs/<scenario>-<time>); writable in the guest
#   --timeout SECS    hard limit for the whole guest run (default 600)
#   --hugepages N     2 MiB hugepages reserved in the guest (default $SLUICE_VM_HUGEPAGES, else 256)
#   --mem MIB, --smp N  guest size (default 2048, 2)
#   --aw-bits N       intel-iommu aw-bits, the vIOMMU's address width: 39 or 48
#                     (default $SLUICE_VM_AW_BITS, else 48; iommufd-aw39 is always 39);
#                     reaches the guest as SLUICE_VM_AW_BITS
#   --tcg-thread single|multi  TCG threading (default $SLUICE_VM_TCG_THREAD, else
#                     single): multi runs the vCPUs in parallel (for benchmarks)
#                     but QEMU 10.0 then sometimes aborts with "iotlb_to_section:
#                     Assertion ... failed" when VFIO resets a device (2 in 14 type1
#                     runs on a loaded host); single never did, see doc/guest-testbed.md
#   --omit-nic N      leave NIC N (0-3: igb0 igb1 virtio0 virtio1) out of the machine,
#                     to test that a missing device is reported (test/vm/selftest.sh)
#   -v, --verbose     also stream the guest console to stderr
#
# The monitor channel: QEMU gets a QMP socket and a second guest serial port
# (the guest's /dev/ttyS1, SLUICE_VM_MONITOR) on unix sockets, and
# test/vm/monitor-relay.py runs on the host, executing the HMP commands a
# guest check writes to that port (set_link, device_del, device_add, info;
# check-lib.sh's host_monitor) and writing the answers back; its log is
# <run dir>/monitor.log. The NICs have ids igb0 igb1 virtio0 virtio1, their
# netdevs (hub ports) p0 p1 p2 p3.
#
# Exit status: the command's status in the guest; 124 when the guest hung
# (timeout); 125 when the run itself failed (QEMU or kernel missing, kernel
# panic, expected device missing, guest setup failed): the message says which.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

die() { echo "run-guest: error: $*" >&2; exit 125; }
usage() { sed -n '2,/^set -uo/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2; exit 2; }

build_dir=${SLUICE_BUILD_DIR:-$src/build}
out= timeout_s=600 hugepages=${SLUICE_VM_HUGEPAGES:-256} mem=2048 smp=2 verbose=0
tcg_thread=${SLUICE_VM_TCG_THREAD:-single}
aw_bits=${SLUICE_VM_AW_BITS:-48}
omit_nic=
while [ $# -gt 0 ]; do
	case $1 in
	--build-dir) build_dir=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--hugepages) hugepages=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--tcg-thread) tcg_thread=$2; shift 2 ;;
	--aw-bits) aw_bits=$2; shift 2 ;;
	--omit-nic) omit_nic=$2; shift 2 ;;
	-v | --verbose) verbose=1; shift ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) echo "run-guest: unknown option $1" >&2; usage ;;
	*) [ -z "${scenario:-}" ] || usage; scenario=$1; shift ;;
	esac
done
[ -n "${scenario:-}" ] || usage
[ $# -gt 0 ] || { echo "run-guest: no command given after --" >&2; usage; }
case $scenario in iommufd | type1 | mixed | noiommu | noiommu-cdev | iommufd-aw39 | nointremap) ;; *) die "unknown scenario '$scenario' (iommufd, type1, mixed, noiommu, noiommu-cdev, iommufd-aw39, nointremap)" ;; esac
[ "$scenario" = iommufd-aw39 ] && aw_bits=39
case $aw_bits in 39 | 48) ;; *) die "invalid --aw-bits/SLUICE_VM_AW_BITS '$aw_bits': QEMU's intel-iommu takes 39 or 48" ;; esac
export SLUICE_VM_AW_BITS=$aw_bits
[ -d "$build_dir" ] || die "build directory $build_dir does not exist (meson setup $build_dir && ninja -C $build_dir)"
build_dir=$(cd "$build_dir" && pwd)
# The guest sees the host's root over 9p with its own /proc, /sys and /dev
# (and tmpfs over /tmp, /run and /dev/shm, under which guest-init.sh shows
# these paths again); the paths travel on the kernel command line.
for path in "$src" "$build_dir" "$(pwd)"; do
	case $path in
	*[[:space:]]*) die "path '$path' contains white space, which the guest kernel command line cannot carry: clone or build under a path without spaces" ;;
	/dev/shm/*) ;;
	/proc | /proc/* | /sys | /sys/* | /dev | /dev/*) die "path '$path' lies under $(echo "$path" | cut -d/ -f1-2), which the guest replaces with its own: clone or build elsewhere (e.g. under /work or /root)" ;;
	esac
done

qemu=${SLUICE_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null ||
	die "$qemu not found: install QEMU >= 8 from bookworm-backports (devtools/install-deps.sh)"
"$qemu" -device help 2>/dev/null | grep -q '"igb"' ||
	die "$qemu has no igb device model (QEMU $("$qemu" --version | head -n1)); need QEMU >= 8 from bookworm-backports (devtools/install-deps.sh)"

kernel=$("$here/kernel.sh") || die "no guest kernel (see the message above)"
initramfs=$("$here/initramfs.sh") || die "cannot build the initramfs (see the message above)"

if [ -z "$out" ]; then
	out=$build_dir/vm-runs/$scenario-$(date +%Y%m%d-%H%M%S)-$$
fi
mkdir -p "$out" || die "cannot create run directory $out"
out=$(cd "$out" && pwd)
rm -f "$out/exit-status" "$out/console.log" "$out/qemu.err"
log=$out/console.log

# The command, run in the guest from the same directory as here.
{
	echo "# written by run-guest.sh: the command to run in the guest"
	printf 'cd %q || exit 125\n' "$(pwd)"
	printf '%q ' "$@"
	echo
} >"$out/command.sh"

# Fixed MACs, so checks can compare what they read from the devices.
macs=(52:54:00:5c:00:01 52:54:00:5c:00:02 52:54:00:5c:00:03 52:54:00:5c:00:04)
{
	echo "# written by run-guest.sh: settings for test/vm/guest-run.sh"
	printf 'SLUICE_NIC_MACS=%q\n' "${macs[*]}"
	# Pass SLUICE_VM_* and SLUICE_CHECK_* settings through (SLUICE_VM_BIND,
	# SLUICE_VM_CHECKS, SLUICE_CHECK_TIMEOUT, ...), except what the guest sets.
	for var in $(compgen -v | grep -E '^SLUICE_(VM|CHECK)_' | grep -vx 'SLUICE_VM_OUT\|SLUICE_VM_MONITOR'); do
		printf 'export %s=%q\n' "$var" "${!var}"
	done
	# the guest's end of the host monitor channel (see above)
	echo 'export SLUICE_VM_MONITOR=/dev/ttyS1'
} >"$out/guest.env"

machine=(-M q35,kernel-irqchip=split -accel "tcg,thread=$tcg_thread" -cpu max -smp "$smp" -m "$mem")
cmdline="console=ttyS0 loglevel=4 panic=-1 no_timer_check sluice.scenario=$scenario sluice.run=$here/guest-run.sh"
cmdline+=" sluice.out=$out sluice.src=$src sluice.build=$build_dir sluice.cwd=$(pwd) sluice.hugepages=$hugepages"
iommu=()
case $scenario in
iommufd | type1 | mixed | iommufd-aw39)
	iommu=(-device "intel-iommu,intremap=on,aw-bits=$aw_bits")
	cmdline+=" intel_iommu=on"
	;;
nointremap)
	# a VT-d without interrupt remapping: MSIs are not isolated, so the
	# kernel refuses VFIO unless allow_unsafe_interrupts is set
	iommu=(-device "intel-iommu,intremap=off,aw-bits=$aw_bits")
	cmdline+=" intel_iommu=on"
	# its one check needs no kernel NIC driver: keep igb and virtio_net
	# off the NICs at boot, so handing them to vfio-pci costs no unbind
	cmdline+=" initcall_blacklist=igb_init_module,virtio_net_driver_init"
	;;
noiommu | noiommu-cdev)
	# noiommu-cdev: the same machine; the devices go through their no-IOMMU
	# cdev (Linux 7.3+) instead of the group
	cmdline+=" intel_iommu=off vfio.enable_unsafe_noiommu_mode=1"
	;;
esac
nics=()
# x-speed=2_5: QEMU 10.0's root ports default to 16 GT/s and then advertise
# Data Link Layer Link Active reporting without ever showing the link
# active, so Linux 6.12 fails every secondary bus reset with -ENOTTY after
# ~3 s of waiting (the reset itself happens). At <= 5 GT/s it waits 100 ms
# and polls the device instead, and hot resets work (checks/43).
for i in 1 2 3 4; do
	nics+=(-device "pcie-root-port,id=rp$i,chassis=$i,slot=$i,x-speed=2_5")
done
# hub 0: two igb wired together; hub 1: two virtio-net wired together
nics+=(-netdev hubport,id=p0,hubid=0 -device "igb,netdev=p0,bus=rp1,mac=${macs[0]},id=igb0")
nics+=(-netdev hubport,id=p1,hubid=0 -device "igb,netdev=p1,bus=rp2,mac=${macs[1]},id=igb1")
# SLUICE_VIRTIO_PROPS: extra virtio-net-pci properties (default packed=on, so
# the devices offer VIRTIO_F_RING_PACKED and drivers can use either ring
# format; set it empty for devices that offer split rings only).
vprops=${SLUICE_VIRTIO_PROPS-packed=on}
nics+=(-netdev hubport,id=p2,hubid=1 -device "virtio-net-pci,netdev=p2,bus=rp3,mac=${macs[2]},id=virtio0,disable-legacy=on,iommu_platform=on${vprops:+,$vprops}")
nics+=(-netdev hubport,id=p3,hubid=1 -device "virtio-net-pci,netdev=p3,bus=rp4,mac=${macs[3]},id=virtio1,disable-legacy=on,iommu_platform=on${vprops:+,$vprops}")

if [ -n "$omit_nic" ]; then
	# Each NIC is 4 words: -netdev hubport,... -device ...; drop NIC $omit_nic.
	first=$((8 + 4 * omit_nic))
	nics=("${nics[@]:0:first}" "${nics[@]:first+4}")
fi

# The host monitor channel (unix socket paths must stay short: a private /tmp dir).
mondir=$(mktemp -d /tmp/sluice-mon.XXXXXX) || die "cannot create a directory for the monitor sockets"
relay_pid=
trap '[ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null; rm -rf "$mondir"' EXIT
monitor=(-chardev "socket,id=qmp0,path=$mondir/qmp.sock,server=on,wait=off" -mon chardev=qmp0,mode=control
	-chardev "socket,id=hostmon,path=$mondir/serial.sock,server=on,wait=off")
qemu_cmd=(timeout --kill-after=10 "$timeout_s" "$qemu" -nodefaults -no-user-config -display none -no-reboot
	"${machine[@]}" "${iommu[@]}" "${nics[@]}"
	-chardev stdio,id=con0,signal=off -serial chardev:con0 "${monitor[@]}" -serial chardev:hostmon
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap
	-virtfs "local,path=$out,mount_tag=out,security_model=none,multidevs=remap"
	-kernel "$kernel" -initrd "$initramfs" -append "$cmdline")
printf '%q ' "${qemu_cmd[@]}" >"$out/qemu-command.txt"
echo >>"$out/qemu-command.txt"

echo "run-guest: scenario $scenario, kernel $kernel, console log $log" >&2
t0=$(date +%s.%N)
: >"$out/monitor.log"
python3 "$here/monitor-relay.py" "$mondir/qmp.sock" "$mondir/serial.sock" "$out/monitor.log" </dev/null 2>>"$out/monitor.log" &
relay_pid=$!
if [ "$verbose" = 1 ]; then
	"${qemu_cmd[@]}" </dev/null 2>"$out/qemu.err" | tee "$log" >&2
	qrc=${PIPESTATUS[0]}
else
	"${qemu_cmd[@]}" </dev/null >"$log" 2>"$out/qemu.err"
	qrc=$?
fi
t1=$(date +%s.%N)
kill "$relay_pid" 2>/dev/null
wait "$relay_pid" 2>/dev/null
rm -rf "$mondir"
wall=$(awk "BEGIN{printf \"%.1f\", $t1 - $t0}")
echo "wall_s=$wall" >"$out/host-timing"

last_lines() { tail -n "${1:-15}" "$log" | sed 's/^/  | /' >&2; }

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "run-guest: error: guest hung: no result within ${timeout_s}s in scenario $scenario; last console lines ($log):" >&2
	last_lines 20
	exit 124
fi
if grep -q "Kernel panic" "$log"; then
	echo "run-guest: error: guest kernel panicked in scenario $scenario: $(grep -m1 'Kernel panic' "$log")" >&2
	last_lines 20
	exit 125
fi
if grep -q "^SLUICE-SETUP-FAIL" "$log"; then
	echo "run-guest: error: guest setup failed in scenario $scenario: $(grep -m1 '^SLUICE-SETUP-FAIL' "$log" | cut -d' ' -f2-)" >&2
	exit 125
fi
if grep -q "^SLUICE-GUEST-ERROR" "$log"; then
	echo "run-guest: error: guest init failed in scenario $scenario: $(grep -m1 '^SLUICE-GUEST-ERROR' "$log" | cut -d' ' -f2-)" >&2
	last_lines 10
	exit 125
fi
if [ -f "$out/exit-status" ]; then
	rc=$(cat "$out/exit-status")
	echo "run-guest: scenario $scenario: command exited $rc in the guest (${wall}s wall)" >&2
	exit "$rc"
fi
if [ "$qrc" != 0 ]; then
	echo "run-guest: error: QEMU exited with status $qrc before the guest reported a result: $(head -c 2000 "$out/qemu.err")" >&2
	last_lines 10
	exit 125
fi
echo "run-guest: error: guest stopped without reporting a status in scenario $scenario; last console lines ($log):" >&2
last_lines 20
exit 125
