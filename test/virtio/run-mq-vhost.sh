#!/usr/bin/env bash
# test/virtio/run-mq-vhost.sh: net_virtio multiqueue on real virtio-net queue pairs.
# QEMU's hubport backend (the test bed's wire) has one queue pair, so this
# boots the test-bed guest by hand with the two virtio-net NICs on vhost-user
# backends (queues=2, mq=on) served by a host dpdk-testpmd that io-forwards
# vhost0 queue i <-> vhost1 queue i (a two-queue wire), no-IOMMU scenario, 3
# vCPUs, and runs `sl-virtio-guest queues 20000` in it: port 1's two rx queues
# each polled by its own lcore. Needs dpdk-testpmd on the host (vhost PMD),
# the guest kernel and an initramfs from test/vm/initramfs.sh; busy-polls one
# host CPU for about 20 s. Run by devtools/test-all.sh after the guest suite.
#   test/virtio/run-mq-vhost.sh [BUILD_DIR]   (default build)
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
out=$build/vm-runs/virtio-mq; rm -rf $out; mkdir -p $out
{
	printf 'cd %q || exit 125\n' "$src"
	echo 'b=($SLUICE_VIRTIO_BDFS)'
	echo '"$SLUICE_BUILD_DIR"/test/virtio/sl-virtio-guest -l 0-2 -m 256 --log-level net_virtio:info --allow-noiommu --iova-mode pa -a ${b[0]},iommu=noiommu -a ${b[1]},iommu=noiommu -- queues 20000'
} >"$out/command.sh"
printf 'SLUICE_NIC_MACS=%q\n' "52:54:00:5c:00:01 52:54:00:5c:00:02 52:54:00:5c:00:03 52:54:00:5c:00:04" > $out/guest.env
rm -f /tmp/slmq0.sock /tmp/slmq1.sock
dpdk-testpmd -l 0-1 -n 1 --no-huge -m 512 --no-pci --file-prefix slmq --vdev net_vhost0,iface=/tmp/slmq0.sock,queues=2 --vdev net_vhost1,iface=/tmp/slmq1.sock,queues=2 -- --forward-mode=io --rxq=2 --txq=2 --nb-cores=1 --stats-period=1000 --no-lsc-interrupt --total-num-mbufs=8192 </dev/null >$out/vhost.log 2>&1 &
vpid=$!
for i in $(seq 100); do [ -S /tmp/slmq1.sock ] && break; sleep 0.3; done
initrd=$($src/test/vm/initramfs.sh)
timeout --kill-after=10 400 qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot \
 -M q35,kernel-irqchip=split,memory-backend=mem0 -object memory-backend-memfd,id=mem0,size=2048M,share=on \
 -accel tcg,thread=single -cpu max -smp 3 -m 2048 \
 -device pcie-root-port,id=rp1,chassis=1,slot=1 -device pcie-root-port,id=rp2,chassis=2,slot=2 -device pcie-root-port,id=rp3,chassis=3,slot=3 -device pcie-root-port,id=rp4,chassis=4,slot=4 \
 -netdev hubport,id=p0,hubid=0 -device igb,netdev=p0,bus=rp1,mac=52:54:00:5c:00:01 -netdev hubport,id=p1,hubid=0 -device igb,netdev=p1,bus=rp2,mac=52:54:00:5c:00:02 \
 -chardev socket,id=vu0,path=/tmp/slmq0.sock -netdev vhost-user,id=p2,chardev=vu0,queues=2 -device virtio-net-pci,netdev=p2,bus=rp3,mac=52:54:00:5c:00:03,disable-legacy=on,mq=on,vectors=6 \
 -chardev socket,id=vu1,path=/tmp/slmq1.sock -netdev vhost-user,id=p3,chardev=vu1,queues=2 -device virtio-net-pci,netdev=p3,bus=rp4,mac=52:54:00:5c:00:04,disable-legacy=on,mq=on,vectors=6 \
 -chardev stdio,id=con0,signal=off -serial chardev:con0 \
 -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap -virtfs local,path=$out,mount_tag=out,security_model=none,multidevs=remap \
 -kernel $($src/test/vm/kernel.sh) -initrd $initrd \
 -append "console=ttyS0 loglevel=4 panic=-1 no_timer_check sluice.scenario=noiommu sluice.run=$src/test/vm/guest-run.sh sluice.out=$out sluice.src=$src sluice.build=$build sluice.hugepages=256 intel_iommu=off vfio.enable_unsafe_noiommu_mode=1" \
 </dev/null >$out/console.log 2>$out/qemu.err
qrc=$?
kill -INT $vpid; sleep 2; kill $vpid 2>/dev/null
grep -E "^(FAIL|rx queue|queues|net_virtio)" "$out/console.log"
rc=$(cat "$out/exit-status" 2>/dev/null || echo 125)
echo "run-mq-vhost: qemu exit $qrc, guest status $rc (console: $out/console.log)"
exit "$rc"
