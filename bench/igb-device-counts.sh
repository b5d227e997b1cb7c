#!/usr/bin/env bash
# bench/igb-device-counts.sh: count what Sluice's testpmd-lite and DPDK
# 22.11's dpdk-testpmd make QEMU's igb model do per forwarded frame (register
# reads and writes by register, MSI-X messages, interrupt throttling timers,
# rx flushes, frames the model could not place) in io forwarding across the
# two igb ports of one guest, from QEMU's own trace events.
#
#   bench/igb-device-counts.sh [--seconds S] [--scenario type1|noiommu]
#                              [--build-dir DIR] [--out DIR] igb
#
# The guest is booted with the trace events below logged to
# OUT/qemu-trace.log (through a QEMU wrapper written to OUT and given to
# test/vm/run-guest.sh as SLUICE_QEMU, as bench/virtio/qemu-trace-notify.sh
# is); in
# the guest each side forwards as in bench/run-guest-iofwd.sh (one round,
# S+1 seconds, the same options) and the size of the trace log is noted
# before and after it, so that the host can split the log between the two.
# Counts are whole runs of each program (start-up and teardown included,
# a few hundred accesses against millions of frames); "frames" is the
# number of frames the model wrote into a receive ring. Tracing slows the
# model several times, so the rates of this run mean nothing; the counts
# per frame are what it is for.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)

me=igb-device-counts
. "$here/guest-bench-lib.sh"
gb_parse_args "$@"
[ "$nic" = igb ] || { echo "$me: only igb is traced (give: igb)" >&2; exit 2; }

# the events counted (hw/net/igb_core.c reuses e1000e's trace points; the
# vtd_iotlb ones are the emulated VT-d's translations of the NICs' DMA:
# a hit in its IOTLB, or a page walk and update)
events=(e1000e_core_write e1000e_core_read e1000e_irq_msix_notify_vec e1000e_irq_rearm_timer
	e1000e_irq_postponed_by_xitr e1000e_rx_written_to_guest e1000e_rx_not_written_to_guest
	e1000e_rx_can_recv_rings_full e1000e_rx_start_recv e1000e_tx_descr
	vtd_iotlb_page_hit vtd_iotlb_page_update)

# ---- in the guest ----------------------------------------------------------
if [ "$in_guest" = 1 ]; then
	bdfs=($SLUICE_IGB_BDFS)
	trace=$SLUICE_VM_OUT/qemu-trace.log
	res=$SLUICE_VM_OUT/counts
	mkdir -p "$res"
	gb_io_eal "${bdfs[@]:0:2}"
	fwd=(--forward-mode=io --nb-cores=1 --rxd=512 --txd=512)
	size() { stat -c %s "$trace"; }
	s0=$(size)
	"$SLUICE_BUILD_DIR/app/testpmd-lite/testpmd-lite" "${sl_eal[@]}" -- "${fwd[@]}" --tx-first=32 \
		--run-time="$((seconds + 1))" --stats-period=1 >"$res/sluice.out" 2>&1 ||
		{ echo "testpmd-lite failed:"; tail -n 5 "$res/sluice.out"; exit 1; }
	sleep 1
	s1=$(size)
	echo "sluice $s0 $s1" >"$res/marks"
	gb_testpmd_start dpdk-testpmd "$res/dpdk.out" "$res/dpdk.fifo" || exit 1
	echo "start tx_first 32" >&3; sleep "$((seconds + 1))"
	echo "stop" >&3; echo "quit" >&3
	exec 3>&-
	wait "$dpdk_pid" || { echo "dpdk-testpmd failed:"; tail -n 15 "$res/dpdk.out"; exit 1; }
	sleep 1
	s2=$(size)
	echo "dpdk $s1 $s2" >>"$res/marks"
	exit 0
fi

# ---- on the host ---------------------------------------------------------------
build_dir=${build_dir:-$src/build-bench-guest}
out=${out:-$build_dir/guest-devcounts/$nic-$scenario-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
: >"$out/qemu-trace.log"
{
	echo '#!/bin/sh'
	echo "# written by $me: QEMU with the counted trace events logged"
	printf 'exec qemu-system-x86_64 -D %q' "$out/qemu-trace.log"
	printf ' -trace enable=%s' "${events[@]}"
	echo ' "$@"'
} >"$out/qemu-traced.sh"
chmod +x "$out/qemu-traced.sh"
export SLUICE_QEMU=$out/qemu-traced.sh
gb_run_guest devcounts "$((240 + 4 * seconds))"
rc=$?
[ -f "$out/counts/marks" ] || { echo "$me: no results (guest exit $rc; console: $out/console.log)" >&2; exit 1; }
python3 - "$out/qemu-trace.log" "$out/counts/marks" "$scenario" <<'PY'
import collections, re, sys

# 82576 register offsets (bytes) and the queue-0 aliases the drivers use
names = {0x0008: "STATUS", 0x00c0: "ICR", 0x00d0: "IMS", 0x00d8: "IMC", 0x1520: "EICS", 0x1524: "EIMS",
         0x1528: "EIMC", 0x152c: "EIAC", 0x1530: "EIAM", 0x1580: "EICR", 0x1680: "EITR0",
         0x2818: "RDT(0)", 0x3818: "TDT(0)", 0x3810: "TDH(0)", 0x2810: "RDH(0)"}
for q in range(16):
    base_rx = 0xc000 + 0x40 * q if q < 4 else 0xc100 + 0x40 * (q - 4)
    base_tx = 0xe000 + 0x40 * q if q < 4 else 0xe100 + 0x40 * (q - 4)
    names[base_rx + 0x18] = "RDT(%d)" % q
    names[base_rx + 0x10] = "RDH(%d)" % q
    names[base_rx + 0x28] = "RXDCTL(%d)" % q
    names[base_tx + 0x18] = "TDT(%d)" % q
    names[base_tx + 0x10] = "TDH(%d)" % q
    names[base_tx + 0x28] = "TXDCTL(%d)" % q
trace, marks, scenario = sys.argv[1:4]
reg = re.compile(r"e1000e_core_(write|read) (?:Write to|Read from) register 0x([0-9a-f]+)")
with open(trace, "rb") as f:
    for line in open(marks):
        side, a, b = line.split()
        f.seek(int(a))
        data = f.read(int(b) - int(a)).decode("ascii", "replace")
        ev = collections.Counter()
        regs = collections.Counter()
        for l in data.splitlines():
            m = re.search(r"((?:e1000e|vtd)_\w+)", l)
            if not m:
                continue
            ev[m.group(1)] += 1
            r = reg.search(l)
            if r:
                off = int(r.group(2), 16)
                regs[(r.group(1), names.get(off, "0x%04x" % off))] += 1
        frames = ev["e1000e_rx_written_to_guest"]
        print("%s (%s): %d frames written to rx rings, %d tx descriptors" % (side, scenario, frames,
              ev["e1000e_tx_descr"]))
        if frames == 0:
            continue
        for e, n in sorted(ev.items()):
            print("  %-36s %10d  %.4f per frame" % (e, n, n / frames))
        for (rw, r), n in sorted(regs.items(), key=lambda x: -x[1])[:14]:
            print("  %-5s %-14s %10d  %.4f per frame" % (rw, r, n, n / frames))
PY
[ "$rc" = 0 ] || exit "$rc"
