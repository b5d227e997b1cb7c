#!/usr/bin/env bash
# test/ethdev/run-rx-intr-mq-vhost.sh: virtio-net rx interrupts on two real
# queue pairs. The test bed's hub gives virtio-net one queue pair, so (as
# test/virtio/run-mq-vhost.sh does) this boots the test-bed guest by hand,
# no-IOMMU scenario, with the two virtio-net NICs on vhost-user backends
# (queues=2, mq=on, packed=on) served by a host dpdk-testpmd that
# io-forwards vhost0 queue i <-> vhost1 queue i: port 0's tx queue q reaches
# port 1's rx queue q. In the guest, sl-rx-intr-guest --multiqueue txq runs
# with split and with packed rings: the one-queue checks, then two rx queues
# whose fds must each wake only for their own queue's traffic (the
# interrupt comes from DPDK's vhost through the call eventfd, so this also
# checks that a vhost backend honours the ring's suppression flags).
# Needs dpdk-testpmd (vhost PMD), the guest kernel (SLUICE_GUEST_KERNEL or
# test/vm/kernel.sh) and busy-polls one host CPU for about half a minute.
#   test/ethdev/run-rx-intr-mq-vhost.sh [BUILD_DIR]   (default build)
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
out=$build/vm-runs/rx-intr-mq; rm -rf "$out"; mkdir -p "$out"
prog='"$SLUICE_BUILD_DIR"/test/ethdev/sl-rx-intr-guest --backend noiommu --rounds 10 --multiqueue txq'
{
	printf 'cd %q || exit 125\n' "$src"
	echo 'b=($SLUICE_VIRTIO_BDFS); rc=0'
	echo "$prog --devargs ring=split \${b[0]} \${b[1]} || rc=1"
	echo "$prog --devargs ring=packed \${b[0]} \${b[1]} || rc=1"
	echo 'exit $rc'
} >"$out/command.sh"
printf 'SLUICE_NIC_MACS=%q\n' "52:54:00:5c:00:01 52:54:00:5c:00:02 52:54:00:5c:00:03 52:54:00:5c:00:04" >"$out/guest.env"
sock=/tmp/sl-rxintr-mq
rm -f $sock.0 $sock.1
dpdk-testpmd -l 0-1 -n 1 --no-huge -m 512 --no-pci --file-prefix slrxintr \
	--vdev net_vhost0,iface=$sock.0,queues=2 --vdev net_vhost1,iface=$sock.1,queues=2 -- \
	--forward-mode=io --rxq=2 --txq=2 --nb-cores=1 --stats-period=1000 --no-lsc-interrupt \
	--total-num-mbufs=8192 </dev/null >"$out/vhost.log" 2>&1 &
vpid=$!
for _ in $(seq 100); do [ -S $sock.1 ] && break; sleep 0.3; done
initrd=$("$src/test/vm/initramfs.sh")
kernel=${SLUICE_GUEST_KERNEL:-$("$src/test/vm/kernel.sh")}
rp() { echo "-device pcie-root-port,id=rp$1,chassis=$1,slot=$1"; }
vnic() { # index socket mac
	echo "-chardev socket,id=vu$1,path=$2 -netdev vhost-user,id=p$(($1 + 2)),chardev=vu$1,queues=2"
	echo "-device virtio-net-pci,netdev=p$(($1 + 2)),bus=rp$(($1 + 3)),mac=$3,disable-legacy=on,mq=on,packed=on,vectors=6"
}
# shellcheck disable=SC2046
timeout --kill-after=10 400 qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot \
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
grep -E "^(FAIL|  \(|sl-rx-intr-guest|net_virtio: .*started)" "$out/console.log"
rc=$(cat "$out/exit-status" 2>/dev/null || echo 125)
echo "run-rx-intr-mq-vhost: qemu exit $qrc, guest status $rc (console: $out/console.log)"
exit "$rc"
