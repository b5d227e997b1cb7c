# test/virtio/check-common.sh: sourced by test/vm/checks/6*-virtio-*: the
# test program's path and the EAL arguments for the scenario's backend.
#   virtio_prog                  path of sl-virtio-guest (exits 1 when not built)
#   virtio_eal_args DEVARGS BDF...  fills the array EAL with -l/-m/--log-level,
#                                the backend options and -a BDF,DEVARGS[,iommu=...]
. "$SLUICE_SRC_DIR/test/vm/check-lib.sh"

virtio_prog=$SLUICE_BUILD_DIR/test/virtio/sl-virtio-guest
if [ ! -x "$virtio_prog" ]; then
	echo "FAIL: $virtio_prog not built; build the project first: ninja -C $SLUICE_BUILD_DIR"
	exit 1
fi
read -r -a VIRTIO_BDFS <<<"$SLUICE_VIRTIO_BDFS"
[ ${#VIRTIO_BDFS[@]} -eq 2 ] || { echo "FAIL: expected 2 virtio-net BDFs, got '$SLUICE_VIRTIO_BDFS'"; exit 1; }

virtio_eal_args() {
	local devargs=$1 i=0 bdf be
	shift
	EAL=(-l "${VIRTIO_LCORES:-0-1}" -m 256 --log-level net_virtio:info)
	case $SCENARIO in noiommu | noiommu-cdev) EAL+=(--allow-noiommu --iova-mode pa) ;; esac
	for bdf in "$@"; do
		case $SCENARIO in
		mixed) if [ $i = 0 ]; then be=iommufd; else be=type1; fi ;;
		*) be=$SCENARIO ;;
		esac
		EAL+=(-a "$bdf${devargs:+,$devargs},iommu=$be")
		i=$((i + 1))
	done
}
