# fake_sysfs.py: builds a fake /sys, /dev, /proc and /run tree in a temp dir
# for bind.py's unit tests, and a FakeKernel (a bind.System) that reacts to
# sysfs writes the way Linux does: bind/unbind/drivers_probe move the driver
# symlink, vfio-pci creates the VFIO nodes, net drivers create interfaces.
import errno
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "usertools"))
import sluice_bind as bind  # noqa: E402

PCI_IDS = """# fake pci.ids
8086  Intel Corporation
\t10c9  82576 Gigabit Network Connection
\t\t8086 a03c  Gigabit ET Dual Port Server Adapter
\t1521  I350 Gigabit Network Connection
1af4  Red Hat, Inc.
\t1041  Virtio 1.0 network device
C 02  Network controller
\t00  Ethernet controller
"""


def route_hex(ip):
    """An IPv4 address the way /proc/net/route prints it."""
    a = [int(x) for x in ip.split(".")]
    return "%08X" % (a[0] | a[1] << 8 | a[2] << 16 | a[3] << 24)


class FakeTree:
    """A root directory holding a fake machine."""

    def __init__(self):
        # tmpfs when there is one: the trees are many small files
        shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        self.root = tempfile.mkdtemp(prefix="sluice-bind-test-", dir=shm)
        for d in ("sys/bus/pci/devices", "sys/bus/pci/drivers", "sys/class/net",
                  "sys/class/iommu", "sys/kernel/iommu_groups", "sys/module",
                  "dev/vfio/devices", "proc/net", "run",
                  "usr/share/misc"):
            os.makedirs(self.p(d), exist_ok=True)
        self.write("sys/bus/pci/drivers_probe", "")
        self.write("usr/share/misc/pci.ids", PCI_IDS)
        self.write("proc/net/route", "Iface\tDestination\tGateway \tFlags\tRefCnt\t"
                   "Use\tMetric\tMask\t\tMTU\tWindow\tIRTT\n")
        self.write("proc/net/tcp", "  sl  local_address rem_address   st\n")
        self.write("proc/mounts", "sysfs /sys sysfs rw 0 0\n")
        self.default_driver = {}  # bdf -> driver the kernel picks by ID
        # which VFIO the fake kernel has: "6.12"; "7.3-compat" (no-IOMMU
        # devices also get a noiommu-vfioN cdev with a node); "7.3-cdevonly"
        # (CONFIG_VFIO_GROUP=n: no group nodes, no container, no-IOMMU
        # devices get no group, only the noiommu-vfioN cdev)
        self.vfio_kernel = "6.12"
        self.iface_names = {}     # bdf -> (interface name, parent subdir)

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def p(self, rel):
        return os.path.join(self.root, rel.lstrip("/"))

    def write(self, rel, text):
        os.makedirs(os.path.dirname(self.p(rel)), exist_ok=True)
        with open(self.p(rel), "w") as f:
            f.write(text)

    def read(self, rel):
        with open(self.p(rel)) as f:
            return f.read()

    def symlink(self, target, rel):
        os.makedirs(os.path.dirname(self.p(rel)), exist_ok=True)
        if os.path.lexists(self.p(rel)):
            os.unlink(self.p(rel))
        os.symlink(target, self.p(rel))

    # --- building -------------------------------------------------------

    def add_driver(self, name, builtin=False):
        d = "sys/bus/pci/drivers/" + name
        os.makedirs(self.p(d), exist_ok=True)
        for f in ("bind", "unbind", "new_id"):
            self.write(d + "/" + f, "")
        mod = "sys/module/" + name.replace("-", "_")
        os.makedirs(self.p(mod), exist_ok=True)
        if not builtin:
            self.write(mod + "/initstate", "live\n")

    def enable_iommu(self, iommufd=True):
        os.makedirs(self.p("sys/class/iommu/dmar0"), exist_ok=True)
        self.write("dev/vfio/vfio", "")
        if iommufd:
            self.write("dev/iommu", "")

    def add_vfio_module(self, noiommu=None):
        os.makedirs(self.p("sys/module/vfio/parameters"), exist_ok=True)
        if noiommu is not None:
            self.write(bind.NOIOMMU_PARAM, "Y\n" if noiommu else "N\n")

    def dev_dir(self, bdf):
        return "sys/devices/pci0000:00/" + bdf

    def add_device(self, bdf, vendor="8086", device="10c9", cls=0x020000,
                   driver=None, default_driver=None, group=None, ifname=None,
                   iface_parent="", up=False):
        d = self.dev_dir(bdf)
        self.write(d + "/vendor", "0x%s\n" % vendor)
        self.write(d + "/device", "0x%s\n" % device)
        self.write(d + "/class", "0x%06x\n" % cls)
        self.write(d + "/driver_override", "(null)\n")
        self.symlink("../../../devices/pci0000:00/" + bdf, "sys/bus/pci/devices/" + bdf)
        if group is not None:
            self.set_group(bdf, group)
        self.default_driver[bdf] = default_driver or driver
        if ifname:
            self.iface_names[bdf] = (ifname, iface_parent)
        if driver:
            self.attach(bdf, driver)
            if ifname:
                self.set_up(ifname, up)

    def set_group(self, bdf, group, name=None):
        g = "sys/kernel/iommu_groups/%s" % group
        os.makedirs(self.p(g + "/devices"), exist_ok=True)
        if name:
            self.write(g + "/name", name + "\n")
        self.symlink("../../../devices/pci0000:00/" + bdf, g + "/devices/" + bdf)
        self.symlink("../../../kernel/iommu_groups/%s" % group,
                     self.dev_dir(bdf) + "/iommu_group")

    def set_up(self, ifname, up):
        self.write("sys/class/net/%s/flags" % ifname, "0x1003\n" if up else "0x1002\n")
        self.write("sys/class/net/%s/operstate" % ifname, "up\n" if up else "down\n")

    def add_route(self, ifname, dest, mask, gateway="0.0.0.0", metric=0):
        with open(self.p("proc/net/route"), "a") as f:
            f.write("%s\t%s\t%s\t0003\t0\t0\t%d\t%s\t0\t0\t0\n" % (
                ifname, route_hex(dest), route_hex(gateway), metric, route_hex(mask)))

    def add_tcp(self, local, lport, remote, rport, state="01"):
        with open(self.p("proc/net/tcp"), "a") as f:
            f.write("   0: %s:%04X %s:%04X %s 00000000:00000000 00:00000000 "
                    "00000000 0 0 1 1\n" % (route_hex(local), lport,
                                            route_hex(remote), rport, state))

    def add_holder(self, pid, node, comm="testpmd-lite"):
        self.write("proc/%d/comm" % pid, comm + "\n")
        self.symlink(node, "proc/%d/fd/7" % pid)

    # --- state the kernel keeps -----------------------------------------

    def driver_of(self, bdf):
        link = self.p(self.dev_dir(bdf) + "/driver")
        return os.path.basename(os.readlink(link)) if os.path.lexists(link) else None

    def group_of(self, bdf):
        link = self.p(self.dev_dir(bdf) + "/iommu_group")
        return os.path.basename(os.readlink(link)) if os.path.lexists(link) else None

    def override_of(self, bdf):
        v = self.read(self.dev_dir(bdf) + "/driver_override").strip()
        return None if v in ("", "(null)") else v

    def ifaces_of(self, bdf):
        out = []
        for n in sorted(os.listdir(self.p("sys/class/net"))):
            link = self.p("sys/class/net/" + n)
            if os.path.islink(link) and "/%s/" % bdf in os.readlink(link):
                out.append(n)
        return out

    # --- what the kernel does -------------------------------------------

    def attach(self, bdf, drv):
        d = self.dev_dir(bdf)
        self.symlink("../../../bus/pci/drivers/" + drv, d + "/driver")
        if drv == "vfio-pci" and self.vfio_kernel.startswith("7.3"):
            return self.attach_vfio_73(bdf, d)
        if drv == "vfio-pci":
            group = self.group_of(bdf)
            noiommu = False
            if group is None:
                param = self.p(bind.NOIOMMU_PARAM)
                if not (os.path.exists(param) and self.read(bind.NOIOMMU_PARAM).strip() == "Y"):
                    os.unlink(self.p(d + "/driver"))
                    return False  # vfio-pci: probe fails without a group
                group = str(100 + len(os.listdir(self.p("sys/kernel/iommu_groups"))))
                self.set_group(bdf, group, name=bind.NOIOMMU_GROUP_NAME)
                noiommu = True
            elif os.path.exists(self.p("sys/kernel/iommu_groups/%s/name" % group)):
                noiommu = True
            node = ("noiommu-%s" if noiommu else "%s") % group
            self.write("dev/vfio/" + node, "")
            # 6.12 adds vfio-dev/vfioN in sysfs for no-IOMMU devices too,
            # but no /dev/vfio/devices node (seen in the guest test bed)
            n = len(os.listdir(self.p("dev/vfio/devices")))
            while os.path.exists(self.p("dev/vfio/devices/vfio%d" % n)):
                n += 1
            os.makedirs(self.p(d + "/vfio-dev/vfio%d" % n), exist_ok=True)
            if not noiommu:
                self.write("dev/vfio/devices/vfio%d" % n, "")
        elif bdf in self.iface_names:
            name, parent = self.iface_names[bdf]
            ndir = d + ("/" + parent if parent else "") + "/net/" + name
            os.makedirs(self.p(ndir), exist_ok=True)
            self.symlink("../../devices/pci0000:00/%s%s/net/%s" % (
                bdf, "/" + parent if parent else "", name), "sys/class/net/" + name)
            self.set_up(name, False)
        return True

    def attach_vfio_73(self, bdf, d):
        """vfio-pci's probe on Linux 7.3 (vfio_device_set_noiommu_and_name)."""
        group = self.group_of(bdf)
        noiommu_on = (os.path.exists(self.p(bind.NOIOMMU_PARAM)) and
                      self.read(bind.NOIOMMU_PARAM).strip() == "Y")
        noiommu = group is None
        if noiommu and not noiommu_on:
            os.unlink(self.p(d + "/driver"))
            return False
        cdevonly = self.vfio_kernel == "7.3-cdevonly"
        if not cdevonly:
            if noiommu:
                group = str(100 + len(os.listdir(self.p("sys/kernel/iommu_groups"))))
                self.set_group(bdf, group, name=bind.NOIOMMU_GROUP_NAME)
            self.write("dev/vfio/" + ("noiommu-%s" if noiommu else "%s") % group, "")
        n = 0
        while any(os.path.exists(self.p("dev/vfio/devices/%s%d" % (pfx, n)))
                  for pfx in ("vfio", "noiommu-vfio")):
            n += 1
        name = ("noiommu-vfio%d" if noiommu else "vfio%d") % n
        os.makedirs(self.p(d + "/vfio-dev/" + name), exist_ok=True)
        self.write("dev/vfio/devices/" + name, "")
        return True

    def detach(self, bdf):
        d = self.dev_dir(bdf)
        drv = self.driver_of(bdf)
        os.unlink(self.p(d + "/driver"))
        if drv == "vfio-pci":
            vd = self.p(d + "/vfio-dev")
            for n in os.listdir(vd) if os.path.isdir(vd) else []:
                if os.path.exists(self.p("dev/vfio/devices/" + n)):
                    os.unlink(self.p("dev/vfio/devices/" + n))
            shutil.rmtree(vd, ignore_errors=True)
            group = self.group_of(bdf)
            for node in (group, "noiommu-%s" % group):
                if os.path.exists(self.p("dev/vfio/%s" % node)):
                    os.unlink(self.p("dev/vfio/%s" % node))
        elif bdf in self.iface_names:
            name, parent = self.iface_names[bdf]
            os.unlink(self.p("sys/class/net/" + name))
            shutil.rmtree(self.p(d + ("/" + parent if parent else "") + "/net"))


class FakeKernel(bind.System):
    """bind.System on a FakeTree: real file writes, plus the kernel's reaction."""

    def __init__(self, tree):
        super().__init__(tree.root, modprobe="modprobe", wait=0.05)
        self.tree = tree
        self.writes = []       # (path, value) in order
        self.commands = []     # argv lists
        self.chowns = []       # (path, uid, gid)
        self.fail_bind = set()     # (bdf, driver) pairs whose probe fails
        self.modprobe_ok = True
        self.hugepage_limit = None
        self.busy_mounts = set()  # mount points umount finds busy

    def sleep(self, seconds):
        pass

    def chown(self, p, uid, gid):
        self.chowns.append((p, uid, gid))

    def write(self, p, value):
        self.writes.append((p, value))
        t = self.tree
        parts = p.strip("/").split("/")
        if p == "/sys/bus/pci/drivers_probe":
            bdf = value.strip()
            if t.driver_of(bdf) is None:
                drv = t.override_of(bdf) or t.default_driver.get(bdf)
                if drv and os.path.isdir(t.p("sys/bus/pci/drivers/" + drv)) \
                        and (bdf, drv) not in self.fail_bind:
                    t.attach(bdf, drv)
            return
        if p.startswith("/sys/bus/pci/drivers/") and parts[-1] in ("bind", "unbind"):
            drv, bdf = parts[4], value.strip()
            if parts[-1] == "unbind":
                if t.driver_of(bdf) != drv:
                    raise OSError(errno.ENODEV, "No such device")
                t.detach(bdf)
                return
            ov = t.override_of(bdf)
            if t.driver_of(bdf) is not None:
                raise OSError(errno.EBUSY, "Device or resource busy")
            if (ov and ov != drv) or (not ov and t.default_driver.get(bdf) != drv) \
                    or (bdf, drv) in self.fail_bind:
                raise OSError(errno.ENODEV, "No such device")
            if not t.attach(bdf, drv):
                raise OSError(errno.EINVAL, "Invalid argument")
            return
        if p == bind.NOIOMMU_PARAM:  # a bool parameter reads back as Y/N
            value = "Y\n" if value.strip() in ("1", "Y", "y") else "N\n"
        if p.endswith("/nr_hugepages") and self.hugepage_limit is not None:
            value = str(min(int(value), self.hugepage_limit))
        super().write(p, value)

    def run(self, argv):
        self.commands.append(list(argv))
        if argv[0] == "modprobe":
            if not self.modprobe_ok:
                return 1, "modprobe: FATAL: Module %s not found" % argv[1]
            if argv[1] == "vfio_pci":
                self.tree.add_driver("vfio-pci")
            return 0, ""
        if argv[0] == "mount":
            mnt = argv[-1][len(self.tree.root):]
            with open(self.tree.p("proc/mounts"), "a") as f:
                f.write("nodev %s hugetlbfs %s 0 0\n" % (mnt, argv[4]))
            return 0, ""
        if argv[0] == "umount":
            mnt = argv[-1][len(self.tree.root):]
            lines = self.tree.read("proc/mounts").splitlines(True)
            kept = [ln for ln in lines if ln.split()[1:2] != [mnt]]
            if len(kept) == len(lines):
                return 32, "umount: %s: not mounted." % argv[-1]
            if mnt in self.busy_mounts:
                return 32, "umount: %s: target is busy." % argv[-1]
            self.tree.write("proc/mounts", "".join(kept))
            return 0, ""
        return 127, "unexpected command"


# The standard fake machine of the bind.py tests and its fuzz driver: two
# igb and two virtio-net NICs on their kernel drivers and a SATA controller,
# each in its own IOMMU group, VT-d with iommufd, vfio-pci loaded.
STANDARD_IGB0, STANDARD_IGB1 = "0000:01:00.0", "0000:02:00.0"
STANDARD_VIRTIO0, STANDARD_VIRTIO1 = "0000:03:00.0", "0000:04:00.0"


def populate_standard(t):
    """Fill the FakeTree T with the standard machine; returns T."""
    t.add_driver("igb")
    t.add_driver("virtio-pci", builtin=True)
    t.add_driver("vfio-pci")
    t.add_vfio_module(noiommu=None)
    t.enable_iommu(iommufd=True)
    t.add_device(STANDARD_IGB0, "8086", "10c9", driver="igb", group="10", ifname="eth1")
    t.add_device(STANDARD_IGB1, "8086", "10c9", driver="igb", group="11", ifname="eth2")
    t.add_device(STANDARD_VIRTIO0, "1af4", "1041", driver="virtio-pci", group="12",
                 ifname="eth3", iface_parent="virtio0")
    t.add_device(STANDARD_VIRTIO1, "1af4", "1041", driver="virtio-pci", group="13",
                 ifname="eth4", iface_parent="virtio1")
    t.add_device("0000:00:1f.2", "8086", "2922", cls=0x010601, driver="ahci", group="5")
    t.add_driver("ahci")
    return t
