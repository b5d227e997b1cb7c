#!/usr/bin/env bash
# test/vm/guest-run.sh: runs inside the guest, chrooted into the host's root
# (started by guest-init.sh). Prepares the scenario: finds the four NICs
# (2 igb, 2 virtio-net), binds them to vfio-pci, checks that hugepages are
# there; then runs the command that run-guest.sh wrote to
# $SLUICE_VM_OUT/command.sh and exits with its status.
#
# The command sees, besides its own arguments:
#   SCENARIO            iommufd | type1 | noiommu | noiommu-cdev | mixed | iommufd-aw39 | nointremap
#   SLUICE_SRC_DIR      the repository (same path as on the host, read-only)
#   SLUICE_BUILD_DIR    the build directory (same path as on the host, read-only)
#   SLUICE_VM_OUT       a writable directory, kept on the host after the run
#   SLUICE_IGB_BDFS     the igb NICs, e.g. "0000:01:00.0 0000:02:00.0"
#   SLUICE_VIRTIO_BDFS  the virtio-net NICs
#   SLUICE_NIC_BDFS     all four, igb first
#   SLUICE_NIC_MACS     the MAC addresses QEMU gave the NICs (any order)
# A failed preparation prints "SLUICE-SETUP-FAIL <reason>" and exits 125.
set -uo pipefail

IGB_ID=8086:10c9           # Intel 82576, QEMU's igb model
VIRTIO_NET_ID=1af4:1041    # virtio-net, modern (virtio 1.x) PCI device

setup_fail() {
	echo "SLUICE-SETUP-FAIL $*"
	exit 125
}

# Bind PCI devices to vfio-pci with the kernel's sysfs interface.
bind_with_sysfs() {
	local bdf dev drv
	for bdf in "$@"; do
		dev=/sys/bus/pci/devices/$bdf
		if [ -e "$dev/driver" ]; then
			drv=$(basename "$(readlink "$dev/driver")")
			[ "$drv" = vfio-pci ] && continue
			echo "$bdf" >"$dev/driver/unbind" || return 1
		fi
		echo vfio-pci >"$dev/driver_override" || return 1
		echo "$bdf" >/sys/bus/pci/drivers_probe || return 1
	done
}

# Bind PCI devices to vfio-pci with the project's own tool.
bind_with_bindpy() {
	python3 "$SLUICE_SRC_DIR/usertools/bind.py" --quiet --bind vfio-pci "$@"
}

# The one place that chooses how NICs are handed to vfio-pci: the project's
# usertools/bind.py; SLUICE_VM_BIND=sysfs (or a tree without bind.py) uses
# the bare sysfs sequence instead.
bind_nics_to_vfio() {
	local how=${SLUICE_VM_BIND:-bindpy}
	[ -f "$SLUICE_SRC_DIR/usertools/bind.py" ] || how=sysfs
	echo "guest: binding $* to vfio-pci with $how"
	case $how in
	bindpy) bind_with_bindpy "$@" ;;
	*) bind_with_sysfs "$@" ;;
	esac
}

# PCI functions with vendor:device $1, sorted by address.
find_pci() {
	local want=$1 dev id
	for dev in /sys/bus/pci/devices/*; do
		id=$(sed 's/^0x//' "$dev/vendor"):$(sed 's/^0x//' "$dev/device")
		[ "$id" = "$want" ] && basename "$dev"
	done | sort
}

# Settings from the host (run-guest.sh): SLUICE_NIC_MACS, SLUICE_VM_BIND, ...
[ -f "$SLUICE_VM_OUT/guest.env" ] && . "$SLUICE_VM_OUT/guest.env"

t_start=$(cut -d' ' -f1 /proc/uptime)
echo "guest: scenario $SCENARIO, booted in ${t_start}s, kernel $(uname -r)"
cd "$SLUICE_SRC_DIR" || setup_fail "repository $SLUICE_SRC_DIR not visible in the guest"

igb=($(find_pci $IGB_ID))
virtio=($(find_pci $VIRTIO_NET_ID))
[ ${#igb[@]} -eq 2 ] || setup_fail "expected 2 igb NICs ($IGB_ID), found ${#igb[@]}: ${igb[*]:-none}; is the QEMU line right?"
[ ${#virtio[@]} -eq 2 ] || setup_fail "expected 2 virtio-net NICs ($VIRTIO_NET_ID), found ${#virtio[@]}: ${virtio[*]:-none}; is the QEMU line right?"
all=("${igb[@]}" "${virtio[@]}")

case $SCENARIO in
noiommu | noiommu-cdev)
	[ "$(cat /sys/module/vfio/parameters/enable_unsafe_noiommu_mode 2>/dev/null)" = Y ] ||
		setup_fail "scenario $SCENARIO but vfio.enable_unsafe_noiommu_mode is not Y"
	[ -z "$(ls /sys/class/iommu 2>/dev/null)" ] || setup_fail "scenario $SCENARIO but the guest has an IOMMU: $(ls /sys/class/iommu)"
	;;
nointremap)
	[ -n "$(ls /sys/class/iommu 2>/dev/null)" ] ||
		setup_fail "scenario nointremap needs the emulated VT-d IOMMU, the guest has none"
	! grep -qE '(^|[[:space:]])IR-' /proc/interrupts ||
		setup_fail "scenario nointremap but interrupts are remapped (IR- chips in /proc/interrupts)"
	# a one-check scenario kept under a minute: the bare sysfs binding (a
	# few seconds) unless asked otherwise; bind.py's binding is tested in
	# every other scenario
	: "${SLUICE_VM_BIND:=sysfs}"
	;;
iommufd | type1 | mixed | iommufd-aw39)
	[ -n "$(ls /sys/class/iommu 2>/dev/null)" ] ||
		setup_fail "scenario $SCENARIO needs the emulated VT-d IOMMU, the guest has none (intel-iommu device, intel_iommu=on?)"
	# the address width the VT-d reports (capability MGAW, bits 21:16, plus 1)
	cap=$(cat /sys/class/iommu/*/intel-iommu/cap 2>/dev/null | head -n 1)
	mgaw=$(( ((0x${cap:-0} >> 16) & 0x3f) + 1 ))
	[ "$mgaw" = "${SLUICE_VM_AW_BITS:-48}" ] ||
		setup_fail "scenario $SCENARIO: the VT-d reports $mgaw address bits (cap 0x$cap), expected aw-bits=${SLUICE_VM_AW_BITS:-48}"
	;;
*) setup_fail "unknown scenario '$SCENARIO'" ;;
esac

bind_nics_to_vfio "${all[@]}" || setup_fail "binding ${all[*]} to vfio-pci failed (SLUICE_VM_BIND=${SLUICE_VM_BIND:-bindpy}; see the lines above)"
for bdf in "${all[@]}"; do
	drv=$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver 2>/dev/null)" 2>/dev/null)
	[ "$drv" = vfio-pci ] || setup_fail "$bdf is bound to '${drv:-nothing}', expected vfio-pci"
done

if [ "$SCENARIO" = noiommu-cdev ]; then
	for bdf in "${all[@]}"; do
		ls /sys/bus/pci/devices/$bdf/vfio-dev/noiommu-vfio* >/dev/null 2>&1 ||
			setup_fail "scenario noiommu-cdev: $bdf has no vfio-dev/noiommu-vfioN (needs Linux 7.3+ with CONFIG_IOMMUFD_NOIOMMU; kernel $(uname -r), SLUICE_VM_KERNEL=${SLUICE_VM_KERNEL:-6.12})"
	done
fi

free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)
[ "$free" -gt 0 ] || setup_fail "no free 2 MiB hugepages in the guest"

export SCENARIO SLUICE_SRC_DIR SLUICE_BUILD_DIR SLUICE_VM_OUT
export SLUICE_IGB_BDFS="${igb[*]}" SLUICE_VIRTIO_BDFS="${virtio[*]}" SLUICE_NIC_BDFS="${all[*]}"
export SLUICE_NIC_MACS=${SLUICE_NIC_MACS:-}
t_ready=$(cut -d' ' -f1 /proc/uptime)
echo "guest: NICs igb ${igb[*]}, virtio-net ${virtio[*]} on vfio-pci; $free free hugepages; setup took $(awk "BEGIN{printf \"%.1f\", $t_ready - $t_start}")s"
printf 'boot_s=%s\nready_s=%s\n' "$t_start" "$t_ready" >"$SLUICE_VM_OUT/guest-timing"

bash "$SLUICE_VM_OUT/command.sh"
rc=$?
dmesg >"$SLUICE_VM_OUT/dmesg.txt" 2>&1
t_end=$(cut -d' ' -f1 /proc/uptime)
printf 'end_s=%s\n' "$t_end" >>"$SLUICE_VM_OUT/guest-timing"
exit $rc
