# test/vm/dpdk-examples.sh: sourced by the checks that run DPDK's unmodified
# examples in the guest (59-igb-dpdk-l2fwd, 65-virtio-dpdk-l2fwd,
# 66-dpdk-skeleton). The binaries are built on the host by `ninja` from
# Debian's dpdk-doc sources against the rte_ layer (test/rte_compat/meson.build:
# dpdk-l2fwd, dpdk-skeleton); the far side is the kernel's igb / virtio_net
# driver on the other NIC of each pair, driven by test/vm/dpdk-far-side.py.
#
#   dx_app NAME            sets DX_APP to dpdk-NAME's path (FAIL and exit when
#                          not built)
#   dx_eal BDF=BACKEND...  fills EAL: DPDK's usual -l 0-1 -n 4, the scenario's
#                          options, -a BDF,iommu=BACKEND per device
#   dx_backend I           the backend for the I-th device of the app in this
#                          scenario (mixed: 0 iommufd, 1 type1)
#   dx_to_kernel BDF       hands BDF from vfio-pci to its kernel driver (igb
#                          or virtio-pci), IPv6 off, link up; sets DX_IF,
#                          DX_KMAC; given back to vfio-pci on exit (dx_restore)
#   dx_start LOG REGEX CMD...  starts CMD (SIGINT at its default) with output
#                          to LOG, waits up to 60 s until LOG matches REGEX;
#                          sets DX_PID
#   dx_stop                SIGINT to DX_PID; sets DX_RC (130: died of SIGINT)
. "$SLUICE_SRC_DIR/test/vm/check-lib.sh"

DX_FAR=$SLUICE_SRC_DIR/test/vm/dpdk-far-side.py
read -r -a DX_IGB <<<"$SLUICE_IGB_BDFS"
read -r -a DX_VIRTIO <<<"$SLUICE_VIRTIO_BDFS"
read -r -a DX_MACS <<<"$SLUICE_NIC_MACS"   # igb0 igb1 virtio0 virtio1
DX_KERNEL_BDFS=()

dx_app() {
	local p=$SLUICE_BUILD_DIR/test/rte_compat/dpdk-$1
	if [ ! -x "$p" ]; then
		echo "FAIL: $p not built: it is DPDK's $1 example from /usr/share/dpdk/examples (Debian's dpdk-doc);" \
			"install dpdk-doc (devtools/install-deps.sh), then meson setup --reconfigure and ninja -C $SLUICE_BUILD_DIR"
		exit 1
	fi
	DX_APP=$p
}

dx_backend() {
	case $SCENARIO in
	iommufd | type1 | noiommu | noiommu-cdev) echo "$SCENARIO" ;;
	iommufd-aw39) echo iommufd ;;
	mixed) if [ "$1" = 0 ]; then echo iommufd; else echo type1; fi ;;
	*) not_applicable "unknown scenario" ;;
	esac
}

dx_eal() {
	local spec
	EAL=(-l 0-1 -n 4 --log-level bus_vfio:notice)
	case $SCENARIO in noiommu | noiommu-cdev) EAL+=(--allow-noiommu --iova-mode pa) ;; esac
	for spec in "$@"; do
		EAL+=(-a "${spec%%=*},iommu=${spec#*=}")
	done
}

dx_restore() {
	local bdf d
	for bdf in "${DX_KERNEL_BDFS[@]}"; do
		d=/sys/bus/pci/devices/$bdf
		[ -e "$d/driver" ] && echo "$bdf" >"$d/driver/unbind"
		echo vfio-pci >"$d/driver_override"
		echo "$bdf" >/sys/bus/pci/drivers_probe
	done
	DX_KERNEL_BDFS=()
}

dx_to_kernel() {
	local bdf=$1 d=/sys/bus/pci/devices/$1 drv name netglob
	case $(cat "$d/vendor"):$(cat "$d/device") in
	0x8086:*) drv=igb name=igb netglob="$d/net" ;;
	0x1af4:*) drv=virtio-pci name="virtio-pci + virtio_net" netglob="$d/virtio*/net" ;;
	*) fail "$bdf: not an igb or virtio-net NIC"; return 1 ;;
	esac
	[ -d /sys/bus/pci/drivers/$drv ] || not_applicable "the guest kernel has no $drv driver"
	DX_KERNEL_BDFS+=("$bdf")
	trap dx_restore EXIT
	[ -e "$d/driver" ] && echo "$bdf" >"$d/driver/unbind"
	echo "$drv" >"$d/driver_override"
	echo "$bdf" >/sys/bus/pci/drivers_probe
	DX_IF=
	for _ in $(seq 50); do
		# shellcheck disable=SC2086
		DX_IF=$(ls $netglob 2>/dev/null | head -n 1)
		[ -n "$DX_IF" ] && break
		sleep 0.1
	done
	[ -n "$DX_IF" ] || { fail "no network interface appeared for $bdf under the kernel's $drv"; return 1; }
	# the kernel must send nothing of its own: no IPv6 (router solicitations, MLD)
	[ -e /proc/sys/net/ipv6/conf/$DX_IF/disable_ipv6 ] && echo 1 >/proc/sys/net/ipv6/conf/$DX_IF/disable_ipv6
	ip link set "$DX_IF" up || { fail "ip link set $DX_IF up failed"; return 1; }
	for _ in $(seq 100); do
		[ "$(cat /sys/class/net/$DX_IF/carrier 2>/dev/null)" = 1 ] && break
		sleep 0.1
	done
	DX_KMAC=$(cat /sys/class/net/$DX_IF/address)
	echo "  far side: $bdf is $DX_IF (MAC $DX_KMAC) on the kernel's $name, IPv6 off," \
		"carrier $(cat /sys/class/net/$DX_IF/carrier 2>/dev/null)"
}

dx_start() {
	local log=$1 ready=$2 end=$((SECONDS + 60))
	shift 2
	echo "+ $*"
	# A background command of a non-interactive shell starts with SIGINT
	# ignored; skeleton installs no handler, so it would never stop.
	env --default-signal=INT "$@" >"$log" 2>&1 &
	DX_PID=$!
	while [ $SECONDS -lt $end ]; do
		grep -q -- "$ready" "$log" && return 0
		kill -0 $DX_PID 2>/dev/null || break
		sleep 0.2
	done
	dx_stop
	fail "$(basename "$DX_APP") did not get to '$ready' within 60 s (exit status $DX_RC); its output:"
	sed 's/^/  | /' "$log"
	return 1
}

dx_stop() {
	local end=$((SECONDS + 20))
	kill -INT "$DX_PID" 2>/dev/null
	while [ $SECONDS -lt $end ] && kill -0 "$DX_PID" 2>/dev/null; do
		sleep 0.2
	done
	if kill -0 "$DX_PID" 2>/dev/null; then
		fail "pid $DX_PID still running 20 s after SIGINT; killing it"
		kill -KILL "$DX_PID"
	fi
	wait "$DX_PID"
	DX_RC=$?
}

# dx_l2fwd APP_BDF APP_MAC BACKEND KERNEL_BDF: l2fwd -p 0x1 on APP_BDF (its
# port 0, forwarded to itself: l2fwd's odd-port rule) against the kernel
# on KERNEL_BDF, the other NIC of the pair; dpdk-far-side.py checks frames
# and l2fwd's counters.
dx_l2fwd() {
	local bdf=$1 mac=$2 be=$3 kbdf=$4 log rc
	log=$SLUICE_VM_OUT/$check_name-l2fwd.log
	dx_app l2fwd
	dx_to_kernel "$kbdf" || return
	dx_eal "$bdf=$be"
	dx_start "$log" "Port statistics" "$DX_APP" "${EAL[@]}" -- -p 0x1 -T 1 || return
	grep -q "Notice: odd number of ports in portmask" "$log" && ok "l2fwd: odd number of ports, port 0 forwards to itself"
	python3 "$DX_FAR" l2fwd "$DX_IF" "$mac" 0 "${SLUICE_CHECK_DPDK_FRAMES:-200}" "$log"
	rc=$?
	dx_stop
	[ $rc = 0 ] || fail "l2fwd on $bdf: frames or counters wrong (above)"
	if [ "$DX_RC" != 0 ] || ! grep -q "^Bye" "$log"; then
		fail "l2fwd on $bdf: after SIGINT want exit 0 and 'Bye...', got exit $DX_RC; its output:"
		sed 's/^/  | /' "$log" | tr -d '\033' | tail -40
	else
		ok "l2fwd stopped on SIGINT: $(grep -c 'Closing port' "$log") port closed, exit 0"
	fi
	expect_backends "$log" "$bdf=$be"
	dx_restore
	[ $rc = 0 ] && ok "l2fwd forwarded on $bdf through $be, frames and counters checked above"
}
