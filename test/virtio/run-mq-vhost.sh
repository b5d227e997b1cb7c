#!/usr/bin/env bash
# test/virtio/run-mq-vhost.sh: virtio-net on two real queue pairs. QEMU's
# hubport backend (the test bed's wire) has one queue pair, so this boots
# the test-bed guest by hand (no-IOMMU scenario, 3 vCPUs) with the two
# virtio-net NICs on vhost-user backends (queues=2, mq=on, packed=on) served
# by a host dpdk-testpmd that io-forwards vhost0 queue i <-> vhost1 queue i:
# port 0's tx queue q reaches port 1's rx queue q. In the guest, with split
# and with packed rings:
#   queues    sl-virtio-guest queues 20000: port 1's two rx queues, each
#             polled by its own lcore, every frame once
#   rx-intr   sl-rx-intr-guest --multiqueue txq: the one-queue interrupt
#             checks, then two rx queues whose fds each wake only for their
#             own queue's traffic (the interrupt comes from DPDK's vhost
#             through the call eventfd, so this also checks that a vhost
#             backend honours the ring's suppression flags)
# Prints "MQ-RESULT PASS|FAIL name" per run and "N passed, N failed";
# exits 1 on any failure. Needs dpdk-testpmd (vhost PMD), the guest kernel
# (SLUICE_GUEST_KERNEL or test/vm/kernel.sh) and an initramfs from
# test/vm/initramfs.sh; busy-polls one host CPU for about a minute. Run by
# devtools/test-all.sh after the guest suite.
#   test/virtio/run-mq-vhost.sh [BUILD_DIR]   (default build)
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
out=$build/vm-runs/virtio-mq; rm -rf "$out"; mkdir -p "$out"
{
	printf 'cd %q || exit 125\n' "$src"
	cat <<'EOF'
b=($SLUICE_VIRTIO_BDFS); failed=0
run() { # name command...
	local name=$1; shift
	echo "+ $*"
	if "$@"; then echo "MQ-RESULT PASS $name"; else echo "MQ-RESULT FAIL $name"; failed=1; fi
}
eal="-l 0-2 -m 256 --log-level net_virtio:info --allow-noiommu --iova-mode pa"
for ring in split packed; do
	run "queues-$ring" "$SLUICE_BUILD_DIR"/test/virtio/sl-virtio-guest $eal \
		-a "${b[0]},iommu=noiommu,ring=$ring" -a "${b[1]},iommu=noiommu,ring=$ring" -- queues 20000
	run "rx-intr-$ring" "$SLUICE_BUILD_DIR"/test/ethdev/sl-rx-intr-guest --backend noiommu \
		--rounds 10 --multiqueue txq --devargs ring=$ring "${b[0]}" "${b[1]}"
done
exit $failed
EOF
} >"$out/command.sh"
printf 'SLUICE_NIC_MACS=%q\n' "52:54:00:5c:00:01 52:54:00:5c:00:02 52:54:00:5c:00:03 52:54:00:5c:00:04" >"$out/guest.env"
sock=/tmp/sl-virtio-mq
rm -f $sock.0 $sock.1
dpdk-testpmd -l 0-1 -n 1 --no-huge -m 512 --no-pci --file-prefix slmq \
	--vdev net_vhost0,iface=$sock.0,queues=2 --vdev net_vhost1,iface=$sock.1,queues=2 -- \
	--forward-mode=io --rxq=2 --txq=2 --nb-cores=1 --stats-period=1000 --no-lsc-interrupt \
	--total-num-mbufs=8192 </dev/null >"$out/vhost.log" 2>&1 &
vpid=$!
for _ in $(seq 100); do [ -S $sock.1 ] && break; sleep 0.3; done
initrd=$("$src/test/vm/initramfs.sh")
kernel=${SLUICE_GUEST_KERNEL:-$("$src/test/vm/kernel.sh")}
rp() { echo "-device pcie-root-port,id=rp$1,chassis=$1,slot=$1,x-speed=2_5"; }
vnic() { # index socket mac
	echo "-chardev socket,id=vu$1,path=$2 -netdev vhost-user,id=p$(($1 + 2)),chardev=vu$1,queues=2"
	echo "-device virtio-net-pci,netdev=p$(($1 + 2)),bus=rp$(($1 + 3)),mac=$3,disable-legacy=on,mq=on,packed=on,vectors=6"
}
# shellcheck disable=SC2046
timeout --kill-after=10 500 qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot \
	-M q35,kernel-irqchip=split,memory-backend=mem0 -object memory-backend-memfd,id=mem0,size=2048M,share=on \
	-accel tcg,thread=single -cpu max -smp 3 -m 2048 \
	$(rp 1) $(rp 2) $(rp 3) $(rp 4) \
	-netdev hubport,id=p0,hubid=0 -device igb,netdev=p0,bus=rp1,mac=52:54:00:5c:00:01 \
	-netdev hubport,id=p1,hubid=0 -device igb,netdev=p1,bus=rp2,mac=52:54:00:5c:00:02 \
	$(vnic 0 $sock.0 52:54:00:5c:00:03) $(vnic 1 $sock.1 52:54:00:5c:00:04) \
	-chardev stdio,id=con0,signal=off -serial chardev:con0 \
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$out",mount_tag=out,security_model=none,multidevs=remap \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 loglevel=4 panic=-1 no_timer_check sluice.scenario=noiommu sluice.run=$src/test/vm/guest-run.sh sluice.out=$out sluice.src=$src sluice.build=$build sluice.hugepages=256 intel_iommu=off vfio.enable_unsafe_noiommu_mode=1" \
	</dev/null >"$out/console.log" 2>"$out/qemu.err"
qrc=$?
kill -INT $vpid; sleep 2; kill $vpid 2>/dev/null
grep -E "^(FAIL|MQ-RESULT|rx queue|queues|  \(|sl-rx-intr-guest)" "$out/console.log"
rc=$(cat "$out/exit-status" 2>/dev/null || echo 125)
pass=$(grep -c '^MQ-RESULT PASS' "$out/console.log")
fail=$(grep -c '^MQ-RESULT FAIL' "$out/console.log")
# every run must have reported; a guest that died early counts as a failure
[ $((pass + fail)) -eq 4 ] || fail=$((4 - pass))
[ "$rc" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1
echo "run-mq-vhost: qemu exit $qrc, guest status $rc (console: $out/console.log)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
