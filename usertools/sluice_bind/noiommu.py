"""vfio's unsafe no-IOMMU mode: --noiommu-mode enables it (only where there
is no IOMMU, unless forced) and says what it costs."""

from .report import Failed, Refused
from .sysfs import write_sysfs


NOIOMMU_GROUP_NAME = "vfio-noiommu"
NOIOMMU_PARAM = "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
NOIOMMU_WARNING = (
    "unsafe no-IOMMU mode is on. It gives up DMA protection: a device bound "
    "to vfio-pci can read and write any physical memory, so a bug in the "
    "program or the device can corrupt the kernel and other processes. The "
    "kernel is tainted, programs need CAP_SYS_RAWIO, and DMA addresses are "
    "physical (Sluice: --allow-noiommu). Devices already on vfio-pci must be "
    "unbound and bound again to get a no-IOMMU group or (Linux 7.3+) a "
    "no-IOMMU cdev /dev/vfio/devices/noiommu-vfioN.")


def do_noiommu(system, machine, force, out):
    if machine.iommu_present:
        why = ("IOMMU present (%s): no-IOMMU mode is for machines without one; "
               "use the iommufd or type1 backend (nothing to enable)"
               % (", ".join(machine.iommu_units) or "IOMMU groups exist"))
        if not force:
            raise Refused([why])
        out.warn("--force: going on although " + why)
    if machine.noiommu_param is None:
        if not system.isdir("/sys/module/vfio"):
            rc, text = system.run([system.modprobe, "vfio"])
            if rc != 0:
                raise Failed("vfio is not loaded and '%s vfio' failed: %s"
                             % (system.modprobe, text))
        if system.read(NOIOMMU_PARAM) is None:
            raise Failed("%s does not exist: this kernel's vfio was built without "
                         "CONFIG_VFIO_NOIOMMU, so no-IOMMU mode is not available"
                         % NOIOMMU_PARAM)
    if system.read(NOIOMMU_PARAM) in ("Y", "1"):
        out("no-IOMMU mode is already enabled")
    else:
        write_sysfs(system, NOIOMMU_PARAM, "1", "enabling no-IOMMU mode")
        out("no-IOMMU mode enabled (%s = Y)" % NOIOMMU_PARAM)
    out.warn(NOIOMMU_WARNING)
