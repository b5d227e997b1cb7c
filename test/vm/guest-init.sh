#!/bin/sh
# test/vm/guest-init.sh: /init of the test-bed initramfs (busybox-static sh).
#
# Mounts the host's root read-only over 9p (tag "host") at /host, gives it a
# guest /proc, /sys, /dev, /run, /tmp and /dev/hugepages, reserves hugepages,
# mounts the writable run directory (tag "out") at the host path it has, and
# runs, chrooted into /host, the guest-side runner named on the kernel command
# line (sluice.run=<path of test/vm/guest-run.sh>). The runner's exit status
# is written to <out>/exit-status and printed as "SLUICE-GUEST-EXIT <rc>";
# then the guest powers off. Any failure here is printed as
# "SLUICE-GUEST-ERROR <what>" and reported as status 125.
#
# Kernel command-line parameters (set by test/vm/run-guest.sh):
#   sluice.run=PATH sluice.out=PATH sluice.scenario=NAME sluice.hugepages=N
#   sluice.src=PATH sluice.build=PATH sluice.cwd=PATH
export PATH=/bin

status=125
report() {
	echo "SLUICE-GUEST-EXIT $status"
	if [ -n "$out" ] && [ -d "/host$out" ]; then
		echo "$status" >"/host$out/exit-status"
	fi
	sync
	poweroff -f
	sleep 5
	echo "SLUICE-GUEST-ERROR poweroff failed"
	while :; do sleep 60; done
}
fail() {
	echo "SLUICE-GUEST-ERROR $*"
	status=125
	report
}

mkdir -p /proc /sys /dev /host
mount -t proc proc /proc || fail "cannot mount /proc"
mount -t sysfs sysfs /sys || fail "cannot mount /sys"
mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1

run= out= scenario= hugepages=256 src= build= cwd=
for arg in $(cat /proc/cmdline); do
	case $arg in
	sluice.run=*) run=${arg#*=} ;;
	sluice.out=*) out=${arg#*=} ;;
	sluice.scenario=*) scenario=${arg#*=} ;;
	sluice.hugepages=*) hugepages=${arg#*=} ;;
	sluice.src=*) src=${arg#*=} ;;
	sluice.build=*) build=${arg#*=} ;;
	sluice.cwd=*) cwd=${arg#*=} ;;
	esac
done
[ -n "$run" ] && [ -n "$out" ] || fail "kernel command line lacks sluice.run= or sluice.out="

# The host's root, read-only: the same binaries, libraries and paths as on the host.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose host /host ||
	fail "cannot mount the host root over 9p (tag host): is CONFIG_9P_FS in the kernel and -virtfs on the QEMU line?"
mkdir -p /hostview
mount -o bind /host /hostview || fail "cannot bind the host root at /hostview"
mount -t proc proc /host/proc || fail "cannot mount /host/proc"
mount -t sysfs sysfs /host/sys || fail "cannot mount /host/sys"
mount -t devtmpfs devtmpfs /host/dev || fail "cannot mount /host/dev"
ln -sf /proc/self/fd /host/dev/fd
ln -sf /proc/self/fd/0 /host/dev/stdin
ln -sf /proc/self/fd/1 /host/dev/stdout
ln -sf /proc/self/fd/2 /host/dev/stderr
mkdir -p /host/dev/pts /host/dev/shm 2>/dev/null
mount -t devpts devpts /host/dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /host/dev/shm 2>/dev/null
mount -t tmpfs -o mode=755 tmpfs /host/run || fail "cannot mount /host/run"
mount -t tmpfs -o mode=1777 tmpfs /host/tmp || fail "cannot mount /host/tmp"

# The repository, the build directory and the directory the command runs in
# (sluice.cwd) may lie under a path just covered
# with a guest tmpfs (a clone under /tmp): show them through a second,
# uncovered view of the host's root (bound at /hostview before the covering
# mounts), so checks see the same paths as the host.
for path in "$src" "$build" "$cwd"; do
	case $path in
	/tmp/* | /run/* | /dev/shm/* | /tmp | /run | /dev/shm)
		mkdir -p "/host$path" && mount -o bind "/hostview$path" "/host$path" ||
			fail "cannot show $path in the guest (it lies under a guest tmpfs)"
		;;
	esac
done

# Hugepages: reserved now, while memory is unfragmented.
echo "$hugepages" >/proc/sys/vm/nr_hugepages
got=$(cat /proc/sys/vm/nr_hugepages)
[ "$got" -ge "$hugepages" ] || fail "asked for $hugepages hugepages, the guest kernel gave $got"
mkdir -p /host/dev/hugepages
mount -t hugetlbfs -o pagesize=2M nodev /host/dev/hugepages || fail "cannot mount hugetlbfs"

# The writable run directory, where results and the exit status go. It may lie
# under a path the guest covers with tmpfs (e.g. /tmp), so create the mount point.
mkdir -p "/host$out" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out "/host$out" ||
	fail "cannot mount the run directory (tag out) at $out"

echo "SLUICE-GUEST-READY scenario=$scenario hugepages=$got kernel=$(uname -r)"
chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root TERM=dumb LANG=C.UTF-8 SCENARIO="$scenario" SLUICE_VM_OUT="$out" \
	SLUICE_SRC_DIR="$src" SLUICE_BUILD_DIR="$build" \
	/bin/bash "$run" </dev/null
status=$?
report
