"""A snapshot of the whole machine: the PCI devices, routes, IOMMU, no-IOMMU
and MSI state, and, per device, its IOMMU group members, the VFIO nodes a
program would open and the backend Sluice's bus_vfio would choose."""

import os

from .devices import BDF_RE, PCI_DEVICES, PCI_DRIVERS, VFIO_PCI, Device, interfaces_by_bdf
from .msi import msi_isolation, unsafe_interrupts, vfio_refusal
from .noiommu import NOIOMMU_GROUP_NAME, NOIOMMU_PARAM
from .routes import Routes


# Drivers a device may sit on without making its IOMMU group unusable for
# VFIO (the kernel's own list of DMA-safe drivers, plus "no driver").
GROUP_SAFE_DRIVERS = {None, VFIO_PCI, "pci-stub", "pcieport"}


class Machine:
    """A snapshot of the PCI devices, routes, IOMMU and VFIO state."""

    def __init__(self, system, environ=None):
        self.system = system
        self.routes = Routes(system, os.environ if environ is None else environ)
        self.devices = {}
        ifmap = interfaces_by_bdf(system)
        for bdf in system.listdir(PCI_DEVICES):
            if BDF_RE.match(bdf):
                self.devices[bdf] = Device(system, bdf, self.routes,
                                           ifmap.get(bdf, []))
        self.iommu_units = system.listdir("/sys/class/iommu")
        self.iommufd = system.exists("/dev/iommu")
        # VFIO groups exist at all (CONFIG_VFIO_GROUP; Linux 7.3 can be
        # built without them: device cdevs only, no /dev/vfio/vfio)
        self.vfio_groups = system.isdir("/sys/class/vfio") or \
            system.exists("/dev/vfio/vfio")
        self.container = system.exists("/dev/vfio/vfio")
        noiommu = system.read(NOIOMMU_PARAM)
        self.noiommu_param = noiommu  # None when vfio lacks no-IOMMU support
        self.noiommu_enabled = noiommu in ("Y", "1")
        self.msi_state, self.msi_evidence = msi_isolation(system)
        # backend -> True/False, None when the parameter does not exist
        self.unsafe_interrupts = unsafe_interrupts(system)

    def vfio_refusal(self, backend):
        """Why the kernel will refuse BACKEND for devices here, or None
        (see msi.vfio_refusal)."""
        return vfio_refusal(backend, self.msi_state, self.msi_evidence,
                            self.unsafe_interrupts)

    @property
    def iommu_present(self):
        if self.iommu_units:
            return True
        return any(d.group is not None and not d.noiommu
                   for d in self.devices.values())

    def group_members(self, group):
        if group is None:
            return []
        names = self.system.listdir("/sys/kernel/iommu_groups/%s/devices" % group)
        if not names:
            names = [b for b, d in self.devices.items() if d.group == group]
        return [n for n in names if n in self.devices]

    def driver_state(self, name):
        """How the kernel has driver NAME: 'loaded', 'builtin' or 'absent'."""
        if self.system.isdir("%s/%s" % (PCI_DRIVERS, name)):
            mod = "/sys/module/%s" % name.replace("-", "_")
            if self.system.isdir(mod) and not self.system.exists(mod + "/initstate"):
                return "builtin"
            return "loaded"
        return "absent"

    def nodes(self, dev):
        """The VFIO nodes a program would open for DEV, and which exist."""
        out = {"group": None, "cdev": None, "iommu": None, "container": None}
        if dev.driver != VFIO_PCI:
            return out
        # Without VFIO groups (CONFIG_VFIO_GROUP=n) there are no group nodes
        # and no container to expect, though sysfs still has IOMMU groups.
        if dev.group is not None and self.vfio_groups:
            name = ("noiommu-%s" if dev.group_name == NOIOMMU_GROUP_NAME else "%s") % dev.group
            out["group"] = "/dev/vfio/" + name
            out["container"] = "/dev/vfio/vfio"
        # 6.12 registers vfio-dev/vfioN for no-IOMMU devices too, but makes
        # no /dev node for it: no-IOMMU goes through the group only. 7.3
        # names a no-IOMMU device's cdev noiommu-vfioN and makes its node.
        cdev = "/dev/vfio/devices/%s" % dev.vfio_dev if dev.vfio_dev else None
        if cdev and (not dev.noiommu or dev.noiommu_cdev or self.system.exists(cdev)):
            out["cdev"] = cdev
            if self.iommufd:
                out["iommu"] = "/dev/iommu"
        return out

    def backends_offered(self, dev):
        """Every backend the kernel offers DEV (whether or not it is the
        default), as Sluice's bus_vfio would accept it forced."""
        if dev.driver != VFIO_PCI:
            return []
        nodes = self.nodes(dev)
        exists = self.system.exists
        have_cdev = bool(nodes["cdev"] and exists(nodes["cdev"]) and nodes["iommu"])
        have_group = bool(nodes["group"] and exists(nodes["group"]) and
                          nodes["container"] and exists(nodes["container"]))
        out = []
        if not dev.noiommu:
            if have_cdev:
                out.append("iommufd")
            if have_group:
                out.append("type1")
        else:
            if have_cdev and dev.noiommu_cdev:
                out.append("noiommu-cdev")
            if have_group:
                out.append("noiommu")
        return out

    def group_blockers(self, dev, also_bound=()):
        """Members of DEV's group on drivers that make the group unusable."""
        out = []
        for m in self.group_members(dev.group):
            if m == dev.bdf or m in also_bound:
                continue
            md = self.devices[m]
            if md.driver in GROUP_SAFE_DRIVERS or md.is_bridge:
                continue
            out.append(md)
        return out

    def backend(self, dev):
        """(backend, reason, nodes to open) as Sluice's bus_vfio would pick."""
        if dev.driver != VFIO_PCI:
            return ("none", "not bound to vfio-pci; bind it with --bind vfio-pci %s"
                    % dev.bdf, [])
        nodes = self.nodes(dev)
        blockers = self.group_blockers(dev)
        exists = self.system.exists
        if dev.noiommu_cdev and nodes["cdev"] and exists(nodes["cdev"]):
            # Linux 7.3+: no-IOMMU through the device cdev, preferred over
            # the group where both exist (bus_vfio does the same)
            if not self.noiommu_enabled:
                return ("none", "no-IOMMU cdev but no-IOMMU mode is off", [])
            if not nodes["iommu"]:
                return ("none", "no-IOMMU cdev %s but no /dev/iommu" % nodes["cdev"], [])
            also = (" (the group %s works too: -a BDF,iommu=noiommu)" % nodes["group"]
                    if nodes["group"] and exists(nodes["group"]) else "")
            return ("noiommu-cdev", "no IOMMU; %s present; physical addresses from "
                    "IOMMU_IOAS_NOIOMMU_GET_PA (Sluice uses it only with "
                    "--allow-noiommu; needs CAP_SYS_RAWIO)%s"
                    % (dev.vfio_dev, also), [nodes["iommu"], nodes["cdev"]])
        if dev.group is None:
            return ("none", "no IOMMU group (no IOMMU, and no-IOMMU mode was off "
                    "when it was bound)", [])
        if blockers:
            return ("none", "IOMMU group %s is not usable: %s still on a kernel "
                    "driver; bind those to vfio-pci too" % (
                        dev.group, ", ".join(b.describe() for b in blockers)), [])
        if not self.vfio_groups and not (nodes["iommu"] and nodes["cdev"]):
            return ("none", "this kernel has no VFIO groups (CONFIG_VFIO_GROUP=n) and "
                    "the device has no usable cdev", [])
        if dev.noiommu:
            if not self.noiommu_enabled:
                return ("none", "no-IOMMU group but no-IOMMU mode is off", [])
            want = [nodes["container"], nodes["group"]]
            missing = [n for n in want if not exists(n)]
            if missing:
                return ("none", "missing " + ", ".join(missing), [])
            return ("noiommu", "no IOMMU; unsafe no-IOMMU mode is enabled (Sluice "
                    "uses it only with --allow-noiommu; IOVA = physical address)",
                    want)
        if nodes["iommu"] and nodes["cdev"] and exists(nodes["cdev"]):
            return ("iommufd", "/dev/iommu exists and the device has %s"
                    % nodes["cdev"], [nodes["iommu"], nodes["cdev"]])
        want = [nodes["container"], nodes["group"]]
        missing = [n for n in want if not exists(n)]
        if missing:
            return ("none", "no /dev/iommu with a device cdev, and missing %s"
                    % ", ".join(missing), [])
        why = ("no /dev/iommu (kernel without CONFIG_IOMMUFD)" if not self.iommufd
               else "no device cdev (kernel without CONFIG_VFIO_DEVICE_CDEV)")
        return ("type1", why + "; legacy group and container", want)
