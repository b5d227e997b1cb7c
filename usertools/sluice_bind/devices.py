"""The device model: what sysfs says about each PCI function (IDs, class,
driver, IOMMU group, VFIO device) and its network interfaces (state,
stacked interfaces, routes, SSH sessions)."""

import re

from .noiommu import NOIOMMU_GROUP_NAME
from .pciids import CLASS_NAMES


VFIO_PCI = "vfio-pci"
PCI_DEVICES = "/sys/bus/pci/devices"
PCI_DRIVERS = "/sys/bus/pci/drivers"
BDF_RE = re.compile(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$", re.I)
SHORT_BDF_RE = re.compile(r"^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$", re.I)


def interfaces_by_bdf(system):
    """{bdf: [(ifname, sysfs dir)]}. A PCI NIC's interface sits in <bdf>/net
    (igb) or one level below, in a child device (virtio-pci: <bdf>/virtioN/
    net); /sys/class/net/<if> links to it either way."""
    out = {}
    for name in system.listdir("/sys/class/net"):
        target = system.readlink("/sys/class/net/" + name) or ""
        owners = [c for c in target.split("/") if BDF_RE.match(c)]
        if owners:
            out.setdefault(owners[-1].lower(), []).append(
                (name, "/sys/class/net/" + name))
    for bdf in system.listdir(PCI_DEVICES):
        base = "%s/%s" % (PCI_DEVICES, bdf)
        dirs = [base + "/net"] + ["%s/%s/net" % (base, c)
                                  for c in system.listdir(base)
                                  if re.match(r"^virtio\d+$", c)]
        for d in dirs:
            for name in system.listdir(d):
                known = [n for n, _ in out.get(bdf, [])]
                if name not in known:
                    out.setdefault(bdf, []).append((name, d + "/" + name))
    return out


def net_names(system, bdf):
    return [n for n, _ in interfaces_by_bdf(system).get(bdf, [])]


def upper_devices(system, name, seen=None):
    """Interfaces stacked on NAME (bridge, bond, VLAN, macvlan...), from the
    upper_<if> links in /sys/class/net/<if>/, transitively."""
    seen = set() if seen is None else seen
    for entry in system.listdir("/sys/class/net/" + name):
        if entry.startswith("upper_"):
            upper = entry[len("upper_"):]
            if upper not in seen:
                seen.add(upper)
                upper_devices(system, upper, seen)
    return sorted(seen)


class Iface:
    """One interface of a NIC; routes, default route and SSH sessions count
    those of the interfaces stacked on it (a bridge or bond carrying the
    address is what loses its traffic when the NIC goes)."""

    def __init__(self, name, up, operstate, uppers, routes):
        self.name = name
        self.up = up
        self.operstate = operstate
        self.uppers = uppers
        self.routes, self.default_route, self.ssh = 0, False, []
        self.via = None  # the interface the default route or SSH goes through
        for n in [name] + uppers:
            count, default = routes.routes_of(n)
            self.routes += count
            sessions = routes.ssh_sessions_on(n)
            if (default and not self.default_route) or (sessions and not self.ssh):
                self.via = n
            self.default_route |= default
            self.ssh += sessions

    def label(self):
        return self.name if self.via in (None, self.name) else \
            "%s, under %s" % (self.name, self.via)

    def to_json(self):
        return {"name": self.name, "up": self.up, "operstate": self.operstate,
                "upper": self.uppers,
                "routes": self.routes, "default_route": self.default_route,
                "ssh_sessions": [a for a, _ in self.ssh]}


class Device:
    """What sysfs says about one PCI function."""

    def __init__(self, system, bdf, routes, ifnames):
        base = "%s/%s" % (PCI_DEVICES, bdf)
        self.bdf = bdf
        self.vendor = (system.read(base + "/vendor", "0x0000") or "")[2:].lower()
        self.device = (system.read(base + "/device", "0x0000") or "")[2:].lower()
        try:
            self.pci_class = int(system.read(base + "/class", "0x0") or "0", 16)
        except ValueError:
            self.pci_class = 0
        self.driver = system.link_name(base + "/driver")
        override = system.read(base + "/driver_override", None)
        self.override = None if override in (None, "", "(null)") else override
        self.group = system.link_name(base + "/iommu_group")
        self.group_name = None
        if self.group is not None:
            self.group_name = system.read(
                "/sys/kernel/iommu_groups/%s/name" % self.group, None)
        vdev = [n for n in system.listdir(base + "/vfio-dev")
                if n.startswith("vfio") or n.startswith("noiommu-vfio")]
        self.vfio_dev = vdev[0] if vdev else None
        self.ifaces = []
        for name, ndir in ifnames:
            flags = system.read(ndir + "/flags", "0x0")
            try:
                up = bool(int(flags, 16) & 0x1)  # IFF_UP
            except ValueError:
                up = False
            operstate = system.read(ndir + "/operstate", "unknown")
            self.ifaces.append(Iface(name, up, operstate,
                                     upper_devices(system, name), routes))

    @property
    def is_network(self):
        return (self.pci_class >> 16) == 0x02

    @property
    def is_bridge(self):
        return (self.pci_class >> 8) == 0x0604

    @property
    def noiommu(self):
        """No IOMMU translates its DMA: a no-IOMMU group, or (Linux 7.3+,
        also without any group) a no-IOMMU cdev vfio-dev/noiommu-vfioN."""
        return self.group_name == NOIOMMU_GROUP_NAME or self.noiommu_cdev

    @property
    def noiommu_cdev(self):
        return bool(self.vfio_dev and self.vfio_dev.startswith("noiommu-vfio"))

    @property
    def short_bdf(self):
        return self.bdf[5:] if self.bdf.startswith("0000:") else None

    def class_name(self):
        code = self.pci_class >> 8
        return CLASS_NAMES.get(code, "device of class 0x%04x" % code)

    def describe(self):
        names = ", ".join(i.name for i in self.ifaces)
        return "%s (%s%s)" % (self.bdf, self.driver or "no driver",
                              ", " + names if names else "")
