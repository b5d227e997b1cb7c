#!/usr/bin/env bash
# devtools/quickstart.sh: the newcomer's first command (Debian 12, as root).
# Installs what is needed (Debian packages only), builds Sluice, and runs the
# main job: testpmd-lite forwarding between two real NICs bound to vfio-pci,
# inside a QEMU guest (the host has no VFIO devices): two emulated Intel
# 82576 (igb) NICs wired to each other, used through the iommufd backend.
#
# Guest kernel: $SLUICE_GUEST_KERNEL if set, else a cached one, else it is
# built from Debian's linux-source-6.12 (the first build takes 10-35 minutes
# on 2 cores; see doc/guest-testbed.md). Other scenarios: SCENARIO=type1,
# noiommu or mixed. NIC=virtio forwards between the two virtio-net NICs.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
scenario=${SCENARIO:-iommufd}
nic=${NIC:-igb}

devtools/install-deps.sh
devtools/hugepages.sh 256

# build/ for this host; build-guest/ for the emulated guest CPU (x86-64-v3:
# QEMU's TCG CPU has no AVX-512, which -march=native may use).
if [ -d build/meson-private ]; then meson setup --reconfigure build >/dev/null; else meson setup build >/dev/null; fi
ninja -C build
if [ -d build-guest/meson-private ]; then meson setup --reconfigure build-guest -Dcpu_baseline=x86-64-v3 >/dev/null
else meson setup build-guest -Dcpu_baseline=x86-64-v3 >/dev/null; fi
ninja -C build-guest

# In the guest: the NICs of kind $nic, each forced onto the scenario's backend.
case $nic in
igb) bdfs='$SLUICE_IGB_BDFS' ;;
virtio) bdfs='$SLUICE_VIRTIO_BDFS' ;;
*) echo "quickstart: NIC=$nic: use igb or virtio" >&2; exit 2 ;;
esac
case $scenario in
iommufd) devopt=; extra= ;;   # bus_vfio's own choice: iommufd, logged with why
type1) devopt="iommu=type1"; extra= ;;
noiommu) devopt="iommu=noiommu"; extra="--allow-noiommu --iova-mode pa" ;;
mixed) devopt=; extra= ;;    # the guest's bind leaves the choice to bus_vfio
*) echo "quickstart: SCENARIO=$scenario: use iommufd, type1, noiommu or mixed" >&2; exit 2 ;;
esac
guest_cmd="set -- $bdfs; a=(); for b; do a+=(-a \"\$b${devopt:+,$devopt}\"); done;
exec $top/build-guest/app/testpmd-lite/testpmd-lite -l 0-1 -m 128 $extra \"\${a[@]}\" -- \
  --forward-mode=io --tx-first=4 --rxd=512 --txd=512 --stats-period=1 --run-time=5"

echo
echo "quickstart: booting the $scenario guest; testpmd-lite forwards between the two $nic NICs for 5 s"
exec test/vm/run-guest.sh --build-dir "$top/build-guest" -v "$scenario" -- bash -c "$guest_cmd"
