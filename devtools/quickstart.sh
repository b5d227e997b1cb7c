#!/usr/bin/env bash
# devtools/quickstart.sh: the newcomer's first command. Installs what is
# needed (Debian packages only), builds Sluice, and runs the main job:
# testpmd-lite forwarding packets for a few seconds.
# Until the NIC drivers land (issues 6, 7) the main job forwards between two
# software null ports on this host; afterwards it runs in the QEMU guest over
# real vfio-pci devices.
set -euo pipefail
cd "$(dirname "$0")/.."

devtools/install-deps.sh
devtools/hugepages.sh 256
if [ -d build/meson-private ]; then meson setup --reconfigure build >/dev/null; else meson setup build >/dev/null; fi
ninja -C build

echo
echo "quickstart: testpmd-lite, io forwarding between null ports null0 <-> null1 for 5 s"
exec build/app/testpmd-lite/testpmd-lite -l 0-1 --vdev null0 --vdev null1 -- \
  --forward-mode=io --burst=32 --stats-period=1 --run-time=5
