#!/usr/bin/env python3
# bind.py: hand NICs to Sluice (bind them to vfio-pci) and give them back,
# show which VFIO nodes and backend (iommufd, type1, no-IOMMU) a program
# would use, and set up what a non-root user needs. Standard library only.
# Every path goes through a root prefix (--root / SLUICE_SYSFS_ROOT) so the
# unit tests can run it against a fake sysfs tree.
"""Claim and release NICs for Sluice (vfio-pci), and show their status.

Exit codes: 0 done; 1 failed (changes undone); 2 usage error;
3 refused (nothing changed; --force overrides); 4 failed and the rollback
failed too (the devices named in the message need attention)."""

import argparse
import errno
import fcntl
import fnmatch
import grp
import json
import os
import pwd
import re
import resource
import socket
import stat
import struct
import subprocess
import sys
import time

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_ROLLBACK_FAILED = 4

VFIO_PCI = "vfio-pci"
# Drivers a device may sit on without making its IOMMU group unusable for
# VFIO (the kernel's own list of DMA-safe drivers, plus "no driver").
GROUP_SAFE_DRIVERS = {None, VFIO_PCI, "pci-stub", "pcieport"}
# The kernel refuses VFIO (iommufd at VFIO_DEVICE_BIND_IOMMUFD, type1 at
# VFIO_SET_IOMMU) for a device whose MSIs are not isolated (no interrupt
# remapping) unless the backend's parameter is set.
UNSAFE_INTR_PARAMS = (
    ("iommufd", "iommufd", "/sys/module/iommufd/parameters/allow_unsafe_interrupts"),
    ("type1", "vfio_iommu_type1", "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"),
)


def msi_isolation(system):
    """Whether devices' MSIs are isolated, from the interrupt chips the
    kernel lists in /proc/interrupts: ("isolated"|"not isolated"|"unknown",
    evidence). x86 with interrupt remapping names its chips IR-IO-APIC,
    IR-PCI-MSI..., without it IO-APIC, PCI-MSI...; ARM's GICv3 ITS isolates."""
    text = system.read("/proc/interrupts")
    if not text:
        return ("unknown", "no /proc/interrupts")
    if re.search(r"(^|\s)IR-(IO-APIC|PCI-MSI)", text, re.M):
        return ("isolated", "interrupt remapping on (IR- interrupt chips in /proc/interrupts)")
    if re.search(r"ITS-", text):
        return ("isolated", "GICv3 ITS (ITS- interrupt chips in /proc/interrupts)")
    if re.search(r"(^|\s)(IO-APIC|PCI-MSI)", text, re.M):
        return ("not isolated", "no interrupt remapping: /proc/interrupts shows IO-APIC/PCI-MSI "
                "interrupt chips, none with IR-")
    return ("unknown", "no interrupt chip in /proc/interrupts tells")
NOIOMMU_GROUP_NAME = "vfio-noiommu"
STATE_FILE = "/run/sluice/bind-state.json"
PROG = "bind.py"

CLASS_NAMES = {
    0x0200: "Ethernet controller", 0x0207: "InfiniBand controller",
    0x0280: "Network controller", 0x0100: "SCSI storage controller",
    0x0106: "SATA controller", 0x0108: "Non-Volatile memory controller",
    0x0300: "VGA compatible controller", 0x0600: "Host bridge",
    0x0601: "ISA bridge", 0x0604: "PCI bridge", 0x0c03: "USB controller",
    0x0c05: "SMBus", 0x0403: "Audio device", 0x0780: "Communication controller",
}


class UsageError(Exception):
    """The command line is wrong; nothing was changed."""


class Refused(Exception):
    """A safety check said no; nothing was changed."""

    def __init__(self, reasons):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class Failed(Exception):
    """Something was tried and did not work; changes were undone."""


class RollbackFailed(Failed):
    """A failure whose rollback failed too."""


# ---------------------------------------------------------------------------
# The machine: every file, write, chown and command goes through here.
# ---------------------------------------------------------------------------

class System:
    """Access to sysfs, /dev, /proc and /run under a root prefix. The unit
    tests subclass it to simulate the kernel's reaction to sysfs writes."""

    def __init__(self, root="/", modprobe="modprobe", wait=5.0):
        self.root = os.path.abspath(root or "/")
        self.modprobe = modprobe
        self.wait = wait  # seconds to wait for the kernel (probe, udev)

    def path(self, p):
        """The real location of absolute path P under the root prefix."""
        if self.root == "/":
            return p
        return os.path.join(self.root, p.lstrip("/"))

    def exists(self, p):
        return os.path.lexists(self.path(p))

    def isdir(self, p):
        return os.path.isdir(self.path(p))

    def listdir(self, p):
        try:
            return sorted(os.listdir(self.path(p)))
        except OSError:
            return []

    def read(self, p, default=None):
        try:
            with open(self.path(p), "r", errors="replace") as f:
                return f.read().strip()
        except OSError:
            return default

    def readlink(self, p):
        try:
            return os.readlink(self.path(p))
        except OSError:
            return None

    def link_name(self, p):
        """Last component of the symlink P's target (a driver, a group)."""
        target = self.readlink(p)
        return os.path.basename(target.rstrip("/")) if target else None

    def write(self, p, value):
        """Write VALUE to the sysfs (or procfs) file P; OSError on failure."""
        with open(self.path(p), "w") as f:
            f.write(value)

    def chown(self, p, uid, gid):
        os.chown(self.path(p), uid, gid)

    def chmod(self, p, mode):
        os.chmod(self.path(p), mode)

    def stat(self, p):
        return os.stat(self.path(p))

    def makedirs(self, p, mode=0o755):
        os.makedirs(self.path(p), mode=mode, exist_ok=True)

    def run(self, argv):
        """Run a command; returns (exit status, combined output)."""
        try:
            res = subprocess.run(argv, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True,
                                 timeout=60, check=False)
            return res.returncode, res.stdout.strip()
        except FileNotFoundError:
            return 127, "%s: command not found" % argv[0]
        except subprocess.TimeoutExpired:
            return 124, "%s: timed out after 60 s" % argv[0]

    def sleep(self, seconds):
        time.sleep(seconds)

    def wait_for(self, predicate):
        """Poll PREDICATE until it is true or self.wait seconds pass."""
        deadline = time.monotonic() + self.wait
        while True:
            if predicate():
                return True
            if time.monotonic() >= deadline:
                return False
            self.sleep(0.05)


# ---------------------------------------------------------------------------
# Names of vendors and devices (pci.ids)
# ---------------------------------------------------------------------------

class PciIds:
    """Vendor and device names from the pci.ids database, or None."""

    def __init__(self, system, path=None):
        self.vendors = {}
        self.devices = {}
        self.loaded_from = None
        cands = [path] if path else ["/usr/share/misc/pci.ids",
                                     "/usr/share/hwdata/pci.ids"]
        for c in cands:
            try:
                with open(system.path(c), "r", errors="replace") as f:
                    self._parse(f)
                self.loaded_from = c
                break
            except OSError:
                continue

    def _parse(self, f):
        vendor = None
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("C "):
                break  # the class section follows the vendors
            if not line.startswith("\t"):
                vid, _, name = line.strip().partition("  ")
                vendor = vid.lower()
                self.vendors[vendor] = name.strip()
            elif not line.startswith("\t\t") and vendor:
                did, _, name = line.strip().partition("  ")
                self.devices[(vendor, did.lower())] = name.strip()

    def vendor(self, vid):
        return self.vendors.get(vid)

    def device(self, vid, did):
        return self.devices.get((vid, did))


# ---------------------------------------------------------------------------
# Routes and SSH sessions (/proc/net)
# ---------------------------------------------------------------------------

def _ipv4_from_proc(hexstr):
    """An IPv4 address as /proc/net prints it (host-order hex) to text."""
    return socket.inet_ntoa(struct.pack("<I", int(hexstr, 16)))


def _ipv6_from_tcp6(hexstr):
    """/proc/net/tcp6 prints four host-order 32-bit words."""
    raw = b"".join(struct.pack("<I", int(hexstr[i:i + 8], 16))
                   for i in range(0, 32, 8))
    return socket.inet_ntop(socket.AF_INET6, raw)


class Routes:
    """The routing tables (IPv4 and IPv6 main tables) and the SSH sessions,
    read from /proc/net under the root prefix."""

    def __init__(self, system, environ):
        self.v4 = []   # (ifname, dest, mask, metric)
        self.v6 = []   # (ifname, dest_int, plen, metric)
        text = system.read("/proc/net/route", "")
        for line in text.splitlines()[1:]:
            f = line.split()
            if len(f) < 8:
                continue
            try:
                flags = int(f[3], 16)
                if not flags & 0x1:  # RTF_UP
                    continue
                self.v4.append((f[0], int(f[1], 16), int(f[7], 16), int(f[6])))
            except ValueError:
                continue
        text = system.read("/proc/net/ipv6_route", "")
        for line in text.splitlines():
            f = line.split()
            if len(f) < 10:
                continue
            try:
                dest, plen = int(f[0], 16), int(f[1], 16)
                metric, flags = int(f[5], 16), int(f[8], 16)
            except ValueError:
                continue
            ifname = f[9]
            if ifname == "lo" or flags & 0x80000000:  # RTF_LOCAL: own address
                continue
            top = dest >> 112
            if (top & 0xffc0) == 0xfe80 or (top & 0xff00) == 0xff00:
                continue  # link-local and multicast exist on every up link
            self.v6.append((ifname, dest, plen, metric))
        self.ssh_peers = self._ssh_peers(system, environ)

    def routes_of(self, ifname):
        """Number of routes through IFNAME and whether one is a default."""
        n, default = 0, False
        for name, dest, mask, _ in self.v4:
            if name == ifname:
                n += 1
                default |= (dest == 0 and mask == 0)
        for name, dest, plen, _ in self.v6:
            if name == ifname:
                n += 1
                default |= (plen == 0)
        return n, default

    def iface_for(self, addr):
        """The interface the kernel would use to reach ADDR (longest match)."""
        best = None
        try:
            if ":" in addr:
                mapped = re.match(r"^::ffff:(\d+\.\d+\.\d+\.\d+)$", addr, re.I)
                if mapped:
                    addr = mapped.group(1)
            if ":" not in addr:
                a = struct.unpack("<I", socket.inet_aton(addr))[0]
                for name, dest, mask, metric in self.v4:
                    if a & mask == dest:
                        key = (bin(mask).count("1"), -metric)
                        if best is None or key > best[0]:
                            best = (key, name)
            else:
                a = int.from_bytes(socket.inet_pton(socket.AF_INET6, addr), "big")
                for name, dest, plen, metric in self.v6:
                    shift = 128 - plen
                    if (a >> shift) == (dest >> shift) or plen == 0:
                        key = (plen, -metric)
                        if best is None or key > best[0]:
                            best = (key, name)
        except (OSError, ValueError, struct.error):
            return None
        return best[1] if best else None

    @staticmethod
    def _ssh_peers(system, environ):
        """Remote addresses of SSH sessions: this shell's (SSH_CONNECTION)
        and every established TCP connection to local port 22."""
        peers = []
        ports = {22}
        conn = environ.get("SSH_CONNECTION", "").split()
        if len(conn) == 4:
            peers.append((conn[0], "this session (SSH_CONNECTION)"))
            try:
                ports.add(int(conn[3]))
            except ValueError:
                pass
        for fname, conv in (("/proc/net/tcp", _ipv4_from_proc),
                            ("/proc/net/tcp6", _ipv6_from_tcp6)):
            for line in system.read(fname, "").splitlines()[1:]:
                f = line.split()
                if len(f) < 4 or f[3] != "01":  # TCP_ESTABLISHED
                    continue
                try:
                    lport = int(f[1].split(":")[1], 16)
                    if lport not in ports:
                        continue
                    remote = conv(f[2].split(":")[0])
                except (ValueError, IndexError, OSError, struct.error):
                    continue
                if remote not in [p[0] for p in peers]:
                    peers.append((remote, "an SSH connection"))
        return peers

    def ssh_sessions_on(self, ifname):
        return [(addr, how) for addr, how in self.ssh_peers
                if self.iface_for(addr) == ifname]


# ---------------------------------------------------------------------------
# Devices
# ---------------------------------------------------------------------------

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
                if n.startswith("vfio")]
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
        return self.group_name == NOIOMMU_GROUP_NAME

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
        noiommu = system.read("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode")
        self.noiommu_param = noiommu  # None when vfio lacks no-IOMMU support
        self.noiommu_enabled = noiommu in ("Y", "1")
        self.msi_state, self.msi_evidence = msi_isolation(system)
        # backend -> True/False, None when the parameter does not exist
        self.unsafe_interrupts = {}
        for be, _, path in UNSAFE_INTR_PARAMS:
            v = system.read(path)
            self.unsafe_interrupts[be] = None if v is None else v in ("Y", "1")

    def vfio_refusal(self, backend):
        """Why the kernel will refuse BACKEND (iommufd/type1) for devices
        here (None when it will not): MSIs not isolated and the backend's
        allow_unsafe_interrupts not set. Says what the parameters are and
        what setting them costs."""
        if backend not in ("iommufd", "type1") or self.msi_state != "not isolated":
            return None
        if self.unsafe_interrupts.get(backend):
            return None
        now = ", ".join("%s.allow_unsafe_interrupts=%s" % (mod, {True: "Y", False: "N", None: "not present"}[
            self.unsafe_interrupts[be]]) for be, mod, _ in UNSAFE_INTR_PARAMS)
        other = "type1" if backend == "iommufd" else "iommufd"
        hint = (" %s is allowed: -a BDF,iommu=%s." % (other, other)
                if self.unsafe_interrupts.get(other) else "")
        return ("the kernel will refuse %s for it (VFIO_%s: Operation not permitted): its MSIs are "
                "not isolated (%s). Enable interrupt remapping (an IOMMU with it, not intremap=off), "
                "or, accepting weaker isolation between the device and the host, set "
                "iommufd.allow_unsafe_interrupts=1 / vfio_iommu_type1.allow_unsafe_interrupts=1; "
                "now %s.%s" % (backend, "DEVICE_BIND_IOMMUFD" if backend == "iommufd" else "SET_IOMMU",
                               self.msi_evidence, now, hint))

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
        if dev.group is not None:
            name = ("noiommu-%s" if dev.noiommu else "%s") % dev.group
            out["group"] = "/dev/vfio/" + name
            out["container"] = "/dev/vfio/vfio"
        # 6.12 registers vfio-dev/vfioN for no-IOMMU devices too, but makes
        # no /dev node for it: no-IOMMU goes through the group only.
        cdev = "/dev/vfio/devices/%s" % dev.vfio_dev if dev.vfio_dev else None
        if cdev and (not dev.noiommu or self.system.exists(cdev)):
            out["cdev"] = cdev
            if self.iommufd:
                out["iommu"] = "/dev/iommu"
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
        if dev.group is None:
            return ("none", "no IOMMU group (no IOMMU, and no-IOMMU mode was off "
                    "when it was bound)", [])
        if blockers:
            return ("none", "IOMMU group %s is not usable: %s still on a kernel "
                    "driver; bind those to vfio-pci too" % (
                        dev.group, ", ".join(b.describe() for b in blockers)), [])
        exists = self.system.exists
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


# ---------------------------------------------------------------------------
# State file: what each device was bound to before bind.py took it
# ---------------------------------------------------------------------------

class State:
    def __init__(self, system, path=STATE_FILE):
        self.system = system
        self.path = path
        self.devices = {}
        self.owners = {}
        self._lock = None
        text = system.read(path, None)
        if text:
            try:
                data = json.loads(text)
                self.devices = dict(data.get("devices", {}))
                self.owners = dict(data.get("owners", {}))
            except (ValueError, AttributeError):
                raise Failed("the state file %s is not valid JSON; look at it, "
                             "then remove it (original drivers recorded in it "
                             "are lost)" % path)

    def lock(self):
        """Serialize bind.py runs that change things (flock on a lock file)."""
        d = os.path.dirname(self.path)
        self.system.makedirs(d)
        self._lock = open(self.system.path(d + "/bind.lock"), "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise Failed("another bind.py is running (lock %s/bind.lock); wait "
                         "for it to finish" % d)

    def save(self):
        d = os.path.dirname(self.path)
        self.system.makedirs(d)
        real = self.system.path(self.path)
        tmp = real + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"version": 1, "devices": self.devices,
                       "owners": self.owners}, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, real)


# ---------------------------------------------------------------------------
# Resolving DEV arguments
# ---------------------------------------------------------------------------

def listed(machine, state):
    """Devices --status shows and globs match: network devices, anything on
    vfio-pci, and devices bind.py took."""
    return [d for b, d in sorted(machine.devices.items())
            if d.is_network or d.driver == VFIO_PCI or b in state.devices]


def resolve(machine, state, specs):
    """BDFs for DEV arguments: full or short BDF, interface name, or glob."""
    out = []
    cands = listed(machine, state)
    for spec in specs:
        s = spec.strip()
        found = []
        if any(c in s for c in "*?["):
            sl = s.lower()
            for d in cands:
                names = [d.bdf] + ([d.short_bdf] if d.short_bdf else [])
                names += [i.name for i in d.ifaces]
                names += state.devices.get(d.bdf, {}).get("ifaces", [])
                if any(fnmatch.fnmatchcase(n, s) or fnmatch.fnmatchcase(n, sl)
                       for n in names):
                    found.append(d.bdf)
            if not found:
                raise UsageError("'%s' matched no network device; see --status for "
                                 "the devices and their interface names" % spec)
        elif BDF_RE.match(s) or SHORT_BDF_RE.match(s):
            bdf = s.lower() if BDF_RE.match(s) else "0000:" + s.lower()
            if bdf not in machine.devices:
                raise UsageError("no PCI device %s (not in %s); see --status or "
                                 "lspci -D" % (bdf, PCI_DEVICES))
            found.append(bdf)
        else:
            for d in machine.devices.values():
                if s in [i.name for i in d.ifaces]:
                    found.append(d.bdf)
            if not found:
                for b, e in state.devices.items():
                    if s in e.get("ifaces", []) and b in machine.devices:
                        found.append(b)
            if not found:
                if machine.system.exists("/sys/class/net/" + s):
                    raise UsageError("interface %s is not a PCI device (no "
                                     "/sys/class/net/%s/device)" % (s, s))
                raise UsageError("'%s' is not a PCI address (0000:01:00.0 or "
                                 "01:00.0), an interface name or a glob "
                                 "('0000:00:0[34].0', 'eth*'); see --status" % spec)
        for b in found:
            if b not in out:
                out.append(b)
    return out


# ---------------------------------------------------------------------------
# Binding and unbinding
# ---------------------------------------------------------------------------

DRIVER_TYPO_RE = re.compile(r"^vfio[-_ ]?(pci)?$|^vfiopci$|^vfio[-_]pci[-_]core$", re.I)


def check_driver_name(machine, drv):
    """Refusal text when DRV looks like a mistyped vfio-pci, else None."""
    if drv == VFIO_PCI:
        return None
    if DRIVER_TYPO_RE.match(drv) and not machine.system.isdir(
            "%s/%s" % (PCI_DRIVERS, drv)):
        return ("driver '%s' is not vfio-pci: the PCI driver is named 'vfio-pci' "
                "(the module is vfio_pci); use --bind vfio-pci" % drv)
    return None


class Out:
    def __init__(self, stream=None, quiet=False):
        self.stream = stream or sys.stdout
        self.quiet = quiet

    def __call__(self, msg):
        if not self.quiet:
            print(msg, file=self.stream)

    def warn(self, msg):
        print("%s: warning: %s" % (PROG, msg), file=sys.stderr)


def ensure_driver(system, machine, drv, out):
    """Make sure PCI driver DRV exists, loading its module if needed."""
    st = machine.driver_state(drv)
    if st == "builtin":
        out("%s is built into the kernel (no module to load)" % drv)
        return
    if st == "loaded":
        return
    module = drv.replace("-", "_")
    out("%s is not loaded: running %s %s" % (drv, system.modprobe, module))
    rc, text = system.run([system.modprobe, module])
    if rc != 0:
        raise Failed("could not load %s: '%s %s' exited %d%s. Install a kernel with "
                     "%s (CONFIG_VFIO_PCI for vfio-pci) or load it by hand"
                     % (drv, system.modprobe, module, rc,
                        (": " + text) if text else "", drv))
    if not system.wait_for(lambda: system.isdir("%s/%s" % (PCI_DRIVERS, drv))):
        raise Failed("'%s %s' succeeded but %s/%s did not appear; check dmesg"
                     % (system.modprobe, module, PCI_DRIVERS, drv))


def current_driver(system, bdf):
    return system.link_name("%s/%s/driver" % (PCI_DEVICES, bdf))


def write_sysfs(system, path, value, what):
    try:
        system.write(path, value)
    except OSError as e:
        hint = " (run as root)" if e.errno in (errno.EACCES, errno.EPERM) else ""
        raise Failed("%s: writing '%s' to %s failed: %s%s"
                     % (what, value.strip(), path, e.strerror or e, hint))


def unbind_and_wait(system, bdf, cur, advice):
    """Unbind BDF from its driver CUR and wait until it is on none; Failed
    (ending with ADVICE) if it stays."""
    write_sysfs(system, "%s/%s/unbind" % (PCI_DRIVERS, cur), bdf,
                "%s: unbinding from %s" % (bdf, cur))
    if not system.wait_for(lambda: current_driver(system, bdf) is None):
        raise Failed("%s stayed on %s after unbind; %s" % (bdf, cur, advice))


def bind_one(system, bdf, drv):
    """driver_override + unbind + drivers_probe; Failed if it did not stick."""
    base = "%s/%s" % (PCI_DEVICES, bdf)
    cur = current_driver(system, bdf)
    write_sysfs(system, base + "/driver_override", drv, bdf)
    if cur and cur != drv:
        unbind_and_wait(system, bdf, cur, "check dmesg")
    write_sysfs(system, "/sys/bus/pci/drivers_probe", bdf,
                "%s: probing for %s" % (bdf, drv))
    if not system.wait_for(lambda: current_driver(system, bdf) == drv):
        now = current_driver(system, bdf)
        raise Failed("%s did not bind to %s (it is on %s); dmesg says why "
                     "(a probe error, or no IOMMU group: no IOMMU and no-IOMMU "
                     "mode off, see --noiommu-mode)"
                     % (bdf, drv, now or "no driver"))


def return_one(system, bdf, driver, override):
    """Give BDF back to DRIVER (None: leave unbound), restore driver_override.
    Returns the interface names that appeared, or raises Failed."""
    base = "%s/%s" % (PCI_DEVICES, bdf)
    cur = current_driver(system, bdf)
    if cur and cur != driver:
        unbind_and_wait(system, bdf, cur, "a program may still hold it open")
    # "\n" clears driver_override; the kernel ignores the trailing newline.
    write_sysfs(system, base + "/driver_override", (override or "") + "\n", bdf)
    if driver and cur != driver:
        try:
            system.write("%s/%s/bind" % (PCI_DRIVERS, driver), bdf)
        except OSError:
            write_sysfs(system, "/sys/bus/pci/drivers_probe", bdf,
                        "%s: probing for %s" % (bdf, driver))
        if not system.wait_for(lambda: current_driver(system, bdf) == driver):
            now = current_driver(system, bdf)
            raise Failed("%s did not go back to %s (it is on %s); load the driver "
                         "(modprobe %s) and run --restore again, or see dmesg"
                         % (bdf, driver, now or "no driver", driver))
    return net_names(system, bdf)


def wait_ifaces(system, bdf, driver):
    """Net drivers register their interface a moment after probe."""
    if driver and driver != VFIO_PCI:
        system.wait_for(lambda: bool(net_names(system, bdf)))
    return net_names(system, bdf)


def bind_refusals(machine, devs, drv, bdfs):
    reasons = []
    for bdf in bdfs:
        d = machine.devices[bdf]
        if d.driver == drv:
            continue
        if not d.is_network:
            reasons.append("%s is a %s, not a network device; binding it to %s "
                           "takes it away from the kernel" % (bdf, d.class_name(), drv))
        for i in d.ifaces:
            if not i.up:
                continue
            if i.ssh:
                reasons.append(
                    "%s (%s) carries %s from %s: binding it cuts this session "
                    "off. Use another interface for SSH, or a console" % (
                        bdf, i.label(), i.ssh[0][1], i.ssh[0][0]))
            elif i.default_route:
                reasons.append(
                    "%s (%s) is up and carries the default route: binding it "
                    "takes this machine off the network. Move the default route "
                    "to another interface or take %s down first (ip link set %s "
                    "down)" % (bdf, i.label(), i.name, i.name))
            elif i.routes:
                reasons.append(
                    "%s (%s) is up with %d route(s) through it%s: traffic using "
                    "them stops. Take it down first (ip link set %s down)"
                    % (bdf, i.name, i.routes, " and " + ", ".join(i.uppers)
                       if i.uppers else "", i.name))
        if drv == VFIO_PCI:
            blockers = machine.group_blockers(d, also_bound=bdfs)
            if blockers:
                reasons.append(
                    "%s is in IOMMU group %s with %s, still on kernel driver(s): "
                    "VFIO can only use a group when all of its members are on "
                    "vfio-pci or unbound. Add them to this command, or unbind "
                    "them" % (bdf, d.group, ", ".join(b.describe() for b in blockers)))
    return reasons


def holders(system, nodes):
    """(pid, command) of processes with one of NODES open (from /proc)."""
    want = set(n for n in nodes if n)
    found = []
    if not want:
        return found
    for pid in system.listdir("/proc"):
        if not pid.isdigit():
            continue
        for fd in system.listdir("/proc/%s/fd" % pid):
            if system.readlink("/proc/%s/fd/%s" % (pid, fd)) in want:
                comm = system.read("/proc/%s/comm" % pid, "?")
                found.append((int(pid), comm))
                break
    return found


def release_refusals(machine, bdfs):
    reasons = []
    for bdf in bdfs:
        d = machine.devices[bdf]
        if d.driver != VFIO_PCI:
            continue
        nodes = machine.nodes(d)
        # The group node is shared by the group; a cdev is the device's own.
        users = holders(machine.system, [nodes["cdev"], nodes["group"]])
        if users:
            reasons.append(
                "%s is open in %s: vfio-pci waits until it is closed, so the "
                "unbind would hang. Stop the program first" % (bdf, ", ".join(
                    "pid %d (%s)" % u for u in users)))
    return reasons


def do_bind(system, machine, state, drv, bdfs, force, out):
    """Bind every BDF to DRV, or none of them."""
    typo = check_driver_name(machine, drv)
    reasons = ([typo] if typo else []) + bind_refusals(machine, machine.devices,
                                                       drv, bdfs)
    if reasons and not force:
        raise Refused(reasons)
    for r in reasons:
        out.warn("--force: going on although " + r)
    ensure_driver(system, machine, drv, out)
    done = []  # (bdf, previous state entry or None)
    try:
        for bdf in bdfs:
            d = machine.devices[bdf]
            if d.driver == drv:
                out("%s: already on %s" % (bdf, drv))
                continue
            prev = state.devices.get(bdf)
            if prev is None:
                state.devices[bdf] = {
                    "driver": d.driver, "override": d.override,
                    "ifaces": [i.name for i in d.ifaces],
                    "vendor": d.vendor, "device": d.device,
                    "bound_at": int(time.time()),
                }
            state.save()  # on disk before anything changes
            done.append((bdf, prev, d.driver, d.override))
            bind_one(system, bdf, drv)
            was = d.driver or "no driver"
            ifs = [i.name for i in d.ifaces]
            out("%s: %s -> %s%s" % (bdf, was, drv,
                                    " (interface %s is gone)" % ", ".join(ifs)
                                    if ifs else ""))
    except Failed as e:
        errors = []
        for bdf, prev, driver, override in reversed(done):
            try:
                return_one(system, bdf, driver, override)
                wait_ifaces(system, bdf, driver)
            except Failed as re_err:
                errors.append(str(re_err))
                continue
            if prev is None:
                state.devices.pop(bdf, None)
            else:
                state.devices[bdf] = prev
        state.save()
        names = ", ".join(b for b, _, _, _ in done)
        if errors:
            raise RollbackFailed("%s. Rolling back failed too: %s. The state "
                                 "file %s keeps the original drivers; fix the "
                                 "cause and run --restore" % (
                                     e, "; ".join(errors), state.path))
        raise Failed("%s. Nothing was changed: %s went back to %s" % (
            e, names, "its driver" if len(done) == 1 else "their drivers"))


def do_release(system, machine, state, bdfs, force, out, restore):
    """--unbind (any listed device) and --restore (recorded devices)."""
    reasons = release_refusals(machine, bdfs)
    if reasons and not force:
        raise Refused(reasons)
    for r in reasons:
        out.warn("--force: going on although " + r)
    errors = []
    for bdf in bdfs:
        d = machine.devices[bdf]
        entry = state.devices.get(bdf)
        if entry is None:
            if restore:
                out("%s: bind.py has no record of it; left on %s"
                    % (bdf, d.driver or "no driver"))
                continue
            if d.driver and d.driver != VFIO_PCI:
                out("%s: already on kernel driver %s" % (bdf, d.driver))
                continue
            # No record: clear the override and let the kernel pick its driver.
            target, override = None, None
        else:
            target, override = entry.get("driver"), entry.get("override")
        try:
            if target is None and entry is None:
                return_one(system, bdf, None, None)
                write_sysfs(system, "/sys/bus/pci/drivers_probe", bdf,
                            "%s: probing" % bdf)
                system.wait_for(lambda: current_driver(system, bdf) is not None)
                target = current_driver(system, bdf)
                note = " (no record of the original driver: the kernel chose it)"
            else:
                return_one(system, bdf, target, override)
                note = ""
            ifs = wait_ifaces(system, bdf, target)
        except Failed as e:
            errors.append(str(e))
            continue
        state.devices.pop(bdf, None)
        was = entry.get("ifaces", []) if entry else []
        msg = "%s: %s -> %s%s" % (bdf, d.driver or "no driver",
                                  target or "no driver", note)
        if ifs:
            msg += ", interface %s" % ", ".join(ifs)
            if was and was != ifs:
                msg += " (was %s)" % ", ".join(was)
            msg += " (down; addresses and routes are not restored)"
        elif target and target != VFIO_PCI and d.is_network:
            msg += ", no interface appeared yet (see dmesg)"
        out(msg)
    if not state.devices:
        restore_owners(system, state, out)
    state.save()
    if errors:
        raise Failed("; ".join(errors) + ". The others were released; the "
                     "state file %s still records these" % state.path)


# ---------------------------------------------------------------------------
# Handing VFIO nodes to a non-root user
# ---------------------------------------------------------------------------

def lookup_owner(user, group):
    uid, gid = -1, -1
    if user is not None:
        try:
            uid = int(user) if user.isdigit() else pwd.getpwnam(user).pw_uid
        except KeyError:
            raise UsageError("no user '%s' (see getent passwd)" % user)
    if group is not None:
        try:
            gid = int(group) if group.isdigit() else grp.getgrnam(group).gr_gid
        except KeyError:
            raise UsageError("no group '%s' (see getent group)" % group)
    return uid, gid


def restore_owners(system, state, out):
    for path, (uid, gid, mode) in sorted(state.owners.items()):
        try:
            system.chown(path, uid, gid)
            system.chmod(path, mode)
            out("%s: owner and mode restored" % path)
        except OSError:
            pass
    state.owners = {}


def give_nodes(system, machine, state, bdfs, user, group, out):
    uid, gid = lookup_owner(user, group)
    who = ":".join(x for x in (user, group) if x is not None)
    backends = set()
    given = set()
    for bdf in bdfs:
        d = machine.devices[bdf]
        if d.driver != VFIO_PCI:
            raise Failed("%s is on %s, not vfio-pci: it has no VFIO nodes to give "
                         "to %s; bind it first (--bind vfio-pci %s -u ...)"
                         % (bdf, d.driver or "no driver", who, bdf))
        nodes = machine.nodes(d)
        want = [nodes["group"], nodes["cdev"]]
        backend = machine.backend(d)[0]
        backends.add(backend)
        if nodes["iommu"] and backend == "iommufd":
            want.append(nodes["iommu"])
        for n in [w for w in want if w and w not in given]:
            given.add(n)
            if not system.wait_for(lambda n=n: system.exists(n)):
                raise Failed("%s did not appear for %s (is devtmpfs mounted on "
                             "/dev, udev running?)" % (n, bdf))
            st = system.stat(n)
            if n == "/dev/iommu" and n not in state.owners:
                state.owners[n] = [st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)]
            try:
                system.chown(n, uid, gid)
                mode = stat.S_IMODE(st.st_mode) | 0o600
                if group is not None:
                    mode |= 0o060
                system.chmod(n, mode)
            except OSError as e:
                raise Failed("could not give %s to %s: %s (run as root)"
                             % (n, who, e.strerror))
            out("%s: %s now belongs to %s" % (bdf, n, who))
    state.save()
    container = "/dev/vfio/vfio"
    if system.exists(container):
        m = stat.S_IMODE(system.stat(container).st_mode)
        if m & 0o006 != 0o006 and ("type1" in backends or "noiommu" in backends):
            out("note: %s is mode %o; the type1 backend needs it readable and "
                "writable by %s (chmod 0666 %s)" % (container, m, who, container))
    for line in nonroot_advice(system, who, uid, gid, backends):
        out(line)


def hugetlbfs_mounts(system):
    out = []
    for line in system.read("/proc/mounts", "").splitlines():
        f = line.split()
        if len(f) >= 4 and f[2] == "hugetlbfs":
            opts = dict((o.split("=", 1) + [""])[:2] for o in f[3].split(","))
            out.append((f[1], opts.get("pagesize", "default")))
    return out


def nonroot_advice(system, who, uid, gid, backends):
    user = who.split(":")[0] or "the user"
    lines = ["What else %s needs to run a Sluice program:" % who]
    soft, _hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    cur = "unlimited" if soft == resource.RLIM_INFINITY else "%d KiB" % (soft // 1024)
    lines.append(
        "  - RLIMIT_MEMLOCK covering all packet memory (every mapped page is "
        "pinned and charged to it; bind.py itself runs with %s, the user's own "
        "login limit may differ): e.g. a line "
        "'%s - memlock unlimited' in /etc/security/limits.d/sluice.conf (next "
        "login), LimitMEMLOCK=infinity in a systemd unit, or "
        "prlimit --memlock=unlimited --pid <pid>" % (cur, user))
    mounts = hugetlbfs_mounts(system)
    if not mounts:
        lines.append("  - hugepages: no hugetlbfs is mounted; use --hugepages SIZE "
                     "-u %s to reserve and mount some for this user, or run the "
                     "program with --no-huge" % user)
    for mnt, ps in mounts:
        try:
            st = system.stat(mnt)
            mode = stat.S_IMODE(st.st_mode)
            ok = ((uid != -1 and st.st_uid == uid and mode & 0o300 == 0o300) or
                  (gid != -1 and st.st_gid == gid and mode & 0o030 == 0o030) or
                  mode & 0o003 == 0o003)
        except OSError:
            ok = False
        lines.append("  - hugetlbfs %s (pagesize %s): %s" % (
            mnt, ps, "writable by %s" % who if ok else
            "not writable by %s: chown %s %s, or mount -o remount,uid=..,gid=..,"
            "mode=0770 %s" % (who, who, mnt, mnt)))
    if "noiommu" in backends:
        lines.append("  - no-IOMMU groups also need CAP_SYS_RAWIO: owning the node "
                     "is not enough (setcap cap_sys_rawio+ep on the program)")
    return lines


# ---------------------------------------------------------------------------
# No-IOMMU mode and hugepages
# ---------------------------------------------------------------------------

NOIOMMU_PARAM = "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
NOIOMMU_WARNING = (
    "unsafe no-IOMMU mode is on. It gives up DMA protection: a device bound "
    "to vfio-pci can read and write any physical memory, so a bug in the "
    "program or the device can corrupt the kernel and other processes. The "
    "kernel is tainted, programs need CAP_SYS_RAWIO, and DMA addresses are "
    "physical (Sluice: --allow-noiommu). Devices already on vfio-pci must be "
    "unbound and bound again to get a noiommu group.")


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


def parse_size(text):
    m = re.match(r"^\s*(\d+)\s*([kKmMgG]?)(i?[bB])?\s*$", text)
    if not m:
        raise UsageError("size '%s' is not a number with K, M or G (e.g. 512M, 1G)"
                         % text)
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]
    return int(m.group(1)) * mult


def fmt_size(n):
    for unit, size in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n % size == 0:
            return "%d%s" % (n // size, unit)
    return str(n)


def do_hugepages(system, total_text, page_text, huge_dir, user, group, out):
    total = parse_size(total_text)
    page = parse_size(page_text)
    kb = page // 1024
    pool = "/sys/kernel/mm/hugepages/hugepages-%dkB" % kb
    sizes = [n[len("hugepages-"):] for n in system.listdir("/sys/kernel/mm/hugepages")]
    if not system.isdir(pool):
        raise Failed("the kernel has no %s hugepages (sizes it has: %s); choose "
                     "one with --page-size" % (fmt_size(page),
                                               ", ".join(sizes) or "none"))
    if total <= 0 or total % page:
        raise UsageError("--hugepages %s is not a whole number of %s pages"
                         % (total_text, fmt_size(page)))
    count = total // page
    try:
        have = int(system.read(pool + "/nr_hugepages", "0"))
    except ValueError:
        have = 0
    if have >= count:
        out("%d pages of %s already reserved (asked for %d)"
            % (have, fmt_size(page), count))
    else:
        write_sysfs(system, pool + "/nr_hugepages", str(count),
                    "reserving %d pages of %s" % (count, fmt_size(page)))
        got = int(system.read(pool + "/nr_hugepages", "0") or 0)
        if got < count:
            try:
                system.write(pool + "/nr_hugepages", str(have))
            except OSError:
                pass
            raise Failed("the kernel reserved only %d of %d %s pages (memory is "
                         "fragmented or short); reserve them at boot with "
                         "'hugepagesz=%s hugepages=%d' on the kernel command line, "
                         "or use hugeadm --pool-pages-min %sB:%d"
                         % (got, count, fmt_size(page), fmt_size(page), count,
                            fmt_size(page), count))
        out("reserved %d pages of %s (%s)" % (got, fmt_size(page), fmt_size(total)))
    uid, gid = lookup_owner(user, group)
    mounted = [m for m, ps in hugetlbfs_mounts(system)
               if ps == fmt_size(page) or (ps == "default" and page == 2 << 20)]
    if huge_dir is None:
        huge_dir = "/dev/hugepages" if page == 2 << 20 else \
            "/dev/hugepages-%s" % fmt_size(page)
    if mounted and huge_dir not in mounted:
        huge_dir = mounted[0]
    if huge_dir in mounted:
        out("hugetlbfs for %s pages is mounted on %s" % (fmt_size(page), huge_dir))
        if uid != -1 or gid != -1:
            try:
                system.chown(huge_dir, uid, gid)
                system.chmod(huge_dir, 0o770 if gid != -1 else 0o700)
            except OSError as e:
                raise Failed("could not hand %s over: %s" % (huge_dir, e.strerror))
            out("%s now belongs to %s" % (huge_dir, ":".join(
                x for x in (user, group) if x is not None)))
        return
    system.makedirs(huge_dir)
    opts = ["pagesize=%s" % fmt_size(page)]
    if uid != -1:
        opts.append("uid=%d" % uid)
    if gid != -1:
        opts.append("gid=%d" % gid)
    if uid != -1 or gid != -1:
        opts.append("mode=%s" % ("0770" if gid != -1 else "0700"))
    argv = ["mount", "-t", "hugetlbfs", "-o", ",".join(opts), "nodev",
            system.path(huge_dir)]
    rc, text = system.run(argv)
    if rc != 0:
        raise Failed("'%s' failed: %s. Mount it yourself, or let hugeadm do it: "
                     "hugeadm --create-mounts" % (" ".join(argv), text))
    out("mounted hugetlbfs (%s) on %s" % (",".join(opts), huge_dir))


# ---------------------------------------------------------------------------
# --status
# ---------------------------------------------------------------------------

def device_json(machine, state, ids, d):
    backend, reason, open_nodes = machine.backend(d)
    members = []
    for m in machine.group_members(d.group):
        if m != d.bdf:
            md = machine.devices[m]
            members.append({"bdf": m, "driver": md.driver,
                            "interfaces": [i.name for i in md.ifaces]})
    entry = state.devices.get(d.bdf)
    nodes = machine.nodes(d)
    return {
        "bdf": d.bdf,
        "vendor": d.vendor, "device": d.device,
        "vendor_name": ids.vendor(d.vendor), "device_name": ids.device(d.vendor, d.device),
        "class": "%06x" % d.pci_class,
        "driver": d.driver,
        "driver_override": d.override,
        "original_driver": entry.get("driver") if entry else None,
        "original_interfaces": entry.get("ifaces", []) if entry else [],
        "interfaces": [i.to_json() for i in d.ifaces],
        "iommu_group": d.group,
        "noiommu_group": d.noiommu,
        "group_members": members,
        "vfio_nodes": {k: {"path": v, "exists": machine.system.exists(v)}
                       for k, v in nodes.items() if v},
        "backend": backend,
        "backend_reason": reason,
        "opens": open_nodes,
        "vfio_refusal": machine.vfio_refusal(backend),
    }


def status_json(machine, state, ids):
    groups = {"kernel_driver": [], "vfio_pci": [], "unbound": []}
    for d in listed(machine, state):
        key = ("vfio_pci" if d.driver == VFIO_PCI else
               "kernel_driver" if d.driver else "unbound")
        groups[key].append(device_json(machine, state, ids, d))
    return {
        "system": {
            "iommu_present": machine.iommu_present,
            "iommu_units": machine.iommu_units,
            "iommufd": machine.iommufd,
            "vfio_container": machine.system.exists("/dev/vfio/vfio"),
            "noiommu_mode": ("unavailable" if machine.noiommu_param is None else
                             "enabled" if machine.noiommu_enabled else "disabled"),
            "msi_isolation": {"state": machine.msi_state, "evidence": machine.msi_evidence,
                              "allow_unsafe_interrupts": machine.unsafe_interrupts},
            "vfio_pci": machine.driver_state(VFIO_PCI),
            "pci_ids": ids.loaded_from,
            "state_file": state.path,
        },
        "devices": groups,
    }


def print_status(data, out):
    s = data["system"]
    out("IOMMU: %s; iommufd (/dev/iommu): %s; no-IOMMU mode: %s; vfio-pci: %s" % (
        ("present (%s)" % ", ".join(s["iommu_units"]) if s["iommu_units"]
         else "present") if s["iommu_present"] else "none",
        "yes" if s["iommufd"] else "no", s["noiommu_mode"],
        {"loaded": "loaded", "builtin": "built into the kernel",
         "absent": "not loaded (--bind loads it)"}[s["vfio_pci"]]))
    m = s["msi_isolation"]
    if m["state"] != "unknown":
        out("MSI isolation: %s (%s); allow_unsafe_interrupts: %s" % (
            m["state"], m["evidence"], ", ".join(
                "%s %s" % (k, {True: "Y", False: "N", None: "absent"}[v])
                for k, v in m["allow_unsafe_interrupts"].items())))
    titles = (("kernel_driver", "Network devices on a kernel driver"),
              ("vfio_pci", "Devices on vfio-pci"),
              ("unbound", "Network devices on no driver"))
    for key, title in titles:
        out("")
        out(title)
        out("=" * len(title))
        devs = data["devices"][key]
        if not devs:
            out("(none)")
        for d in devs:
            name = " ".join(x for x in (d["vendor_name"], d["device_name"]) if x)
            ident = "%s:%s" % (d["vendor"], d["device"])
            out("%s  %s" % (d["bdf"], "%s [%s]" % (name, ident) if name else "[%s]" % ident))
            line = "    driver: %s" % (d["driver"] or "none")
            if d["original_driver"] and d["driver"] != d["original_driver"]:
                line += " (was %s%s)" % (d["original_driver"], ", " + ", ".join(
                    d["original_interfaces"]) if d["original_interfaces"] else "")
            out(line)
            for i in d["interfaces"]:
                extra = []
                if i["routes"]:
                    extra.append("%d route(s)" % i["routes"])
                if i["default_route"]:
                    extra.append("default route")
                if i["ssh_sessions"]:
                    extra.append("SSH from " + ", ".join(i["ssh_sessions"]))
                if i["upper"]:
                    extra.append("under " + ", ".join(i["upper"]))
                out("    interface: %s %s%s" % (i["name"], "up" if i["up"] else "down",
                                               " (" + ", ".join(extra) + ")" if extra else ""))
            if d["iommu_group"] is None:
                out("    IOMMU group: none")
            else:
                others = ", ".join("%s (%s)" % (m["bdf"], m["driver"] or "no driver")
                                   for m in d["group_members"]) or "no other members"
                out("    IOMMU group: %s%s; %s" % (
                    d["iommu_group"], " (no-IOMMU)" if d["noiommu_group"] else "", others))
            if d["vfio_nodes"]:
                out("    VFIO nodes: " + ", ".join(
                    v["path"] + ("" if v["exists"] else " (missing)")
                    for v in d["vfio_nodes"].values()))
            out("    backend: %s (%s)" % (d["backend"], d["backend_reason"]))
            if d.get("vfio_refusal"):
                out("    REFUSED: " + d["vfio_refusal"])


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def make_parser():
    p = Parser(prog=PROG, description=__doc__,
               formatter_class=argparse.RawDescriptionHelpFormatter,
               epilog="DEV: a PCI address (0000:01:00.0, or 01:00.0 for domain "
                      "0000), an interface name (eth1), or a glob ('0000:00:0[34].0', "
                      "'enp*'). See doc/bind.md.")
    act = p.add_argument_group("actions")
    act.add_argument("-s", "--status", action="store_true",
                     help="show network devices, drivers, IOMMU groups, VFIO nodes "
                          "and the backend Sluice would choose")
    act.add_argument("-b", "--bind", metavar="DRIVER",
                     help="bind DEV... to DRIVER (vfio-pci)")
    act.add_argument("--unbind", action="store_true",
                     help="give DEV... back to the driver it had before --bind "
                          "(or to the kernel's choice if bind.py has no record)")
    act.add_argument("--restore", action="store_true",
                     help="give every device bind.py took (or DEV...) back to its "
                          "original driver")
    act.add_argument("--noiommu-mode", action="store_true",
                     help="enable vfio's unsafe no-IOMMU mode (only without an IOMMU)")
    act.add_argument("--hugepages", metavar="SIZE",
                     help="reserve SIZE (e.g. 1G, 512M) of hugepages and mount "
                          "hugetlbfs")
    p.add_argument("devices", nargs="*", metavar="DEV")
    p.add_argument("--json", action="store_true", help="--status as JSON")
    p.add_argument("-u", "--user", help="give the VFIO nodes (and hugetlbfs "
                   "mount) of DEV... to USER")
    p.add_argument("-g", "--group", help="give them to GROUP (mode 0660)")
    p.add_argument("--force", action="store_true",
                   help="do it even though a safety check refuses")
    p.add_argument("--page-size", default="2M",
                   help="hugepage size for --hugepages (default 2M)")
    p.add_argument("--huge-dir", help="hugetlbfs mount point (default "
                   "/dev/hugepages, /dev/hugepages-1G for 1G pages)")
    p.add_argument("--root", default=os.environ.get("SLUICE_SYSFS_ROOT", "/"),
                   help="root prefix for /sys, /dev, /proc and /run (tests; "
                        "env SLUICE_SYSFS_ROOT)")
    p.add_argument("--state-file", default=STATE_FILE,
                   help="where original drivers are recorded (default %(default)s)")
    p.add_argument("--pci-ids", help="pci.ids database (default "
                   "/usr/share/misc/pci.ids, under --root)")
    p.add_argument("--modprobe", default=os.environ.get("SLUICE_MODPROBE", "modprobe"),
                   help=argparse.SUPPRESS)
    p.add_argument("--wait", type=float, default=5.0,
                   help="seconds to wait for the kernel to probe (default 5)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    return p


def run(argv, system=None, environ=None, stdout=None):
    """The whole program; returns the exit code. Tests call this directly."""
    try:
        args = make_parser().parse_intermixed_args(argv)
        actions = [a for a in ("status", "bind", "unbind", "restore") if getattr(args, a)]
        if len(actions) > 1:
            raise UsageError("use one of --status, --bind, --unbind, --restore at a time")
        if args.json and not args.status:
            raise UsageError("--json goes with --status")
        if (args.bind or args.unbind) and not args.devices:
            raise UsageError("--%s needs at least one DEV" % actions[0])
        if args.devices and not (actions and actions[0] != "status") and \
                not args.user and not args.group:
            raise UsageError("DEV arguments need --bind, --unbind, --restore or -u/-g")
        if not (actions or args.noiommu_mode or args.hugepages or args.user or args.group):
            raise UsageError("nothing to do: give --status, --bind vfio-pci DEV..., "
                             "--unbind DEV..., --restore, --noiommu-mode, "
                             "--hugepages SIZE or -u USER DEV... (see --help)")
        if (args.user or args.group) and (args.unbind or args.restore):
            raise UsageError("-u/-g go with --bind or DEV... alone; --unbind and "
                             "--restore remove the VFIO nodes anyway")
        if (args.user or args.group) and not (args.devices or args.hugepages):
            raise UsageError("-u/-g need DEV... (or --hugepages) to know what to "
                             "hand over")
        if system is None:
            system = System(args.root, modprobe=args.modprobe, wait=args.wait)
        out = Out(stdout, quiet=args.quiet and not args.status)
        if system.root == "/" and os.geteuid() != 0 and not args.status:
            raise Failed("changing drivers, nodes or hugepages needs root; run it "
                         "with sudo")
        state = State(system, args.state_file)
        if args.status:
            machine = Machine(system, environ)
            data = status_json(machine, state, PciIds(system, args.pci_ids))
            if args.json:
                print(json.dumps(data, indent=1, sort_keys=True), file=out.stream)
            else:
                print_status(data, out)
            return EXIT_OK
        state.lock()
        machine = Machine(system, environ)
        # Everything that can be a usage error is checked before any change.
        lookup_owner(args.user, args.group)
        if args.hugepages:
            parse_size(args.hugepages)
            parse_size(args.page_size)
        if args.restore and not args.devices:
            bdfs = [b for b in state.devices if b in machine.devices]
            gone = [b for b in state.devices if b not in machine.devices]
            for b in gone:
                out("%s: recorded but no longer present; forgetting it" % b)
                state.devices.pop(b)
            if not bdfs:
                out("nothing to restore (no devices recorded in %s)" % state.path)
        elif args.devices:
            bdfs = resolve(machine, state, args.devices)
        else:
            bdfs = []
        if args.noiommu_mode:
            do_noiommu(system, machine, args.force, out)
            machine = Machine(system, environ)
        if args.hugepages:
            do_hugepages(system, args.hugepages, args.page_size, args.huge_dir,
                         args.user, args.group, out)
        if args.bind:
            do_bind(system, machine, state, args.bind, bdfs, args.force, out)
            machine = Machine(system, environ)
        elif args.unbind or args.restore:
            do_release(system, machine, state, bdfs, args.force, out, args.restore)
        if (args.user or args.group) and bdfs and not (args.unbind or args.restore):
            give_nodes(system, machine, state, bdfs, args.user, args.group, out)
        return EXIT_OK
    except UsageError as e:
        print("%s: usage error: %s" % (PROG, e), file=sys.stderr)
        return EXIT_USAGE
    except Refused as e:
        for r in e.reasons:
            print("%s: refused: %s" % (PROG, r), file=sys.stderr)
        print("%s: nothing was changed; pass --force to do it anyway" % PROG,
              file=sys.stderr)
        return EXIT_REFUSED
    except RollbackFailed as e:
        print("%s: failed: %s" % (PROG, e), file=sys.stderr)
        return EXIT_ROLLBACK_FAILED
    except Failed as e:
        print("%s: failed: %s" % (PROG, e), file=sys.stderr)
        return EXIT_FAILED


def main():
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
