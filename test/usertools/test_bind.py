#!/usr/bin/env python3
# test_bind.py: unit tests for usertools/bind.py against a fake sysfs tree
# (fake_sysfs.py): device resolution, --status --json, every refusal, bind
# with rollback, unbind/restore, module loading, node ownership, no-IOMMU
# mode and hugepages. Run: python3 test/usertools/test_bind.py
import io
import json
import os
import subprocess
import sys
import unittest
from contextlib import redirect_stderr

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fake_sysfs import FakeTree, FakeKernel, bind, populate_standard  # noqa: E402

BIND_PY = os.path.join(HERE, "..", "..", "usertools", "bind.py")
IGB0, IGB1, VIRTIO0, VIRTIO1 = ("0000:01:00.0", "0000:02:00.0",
                                "0000:03:00.0", "0000:04:00.0")


class BindTestCase(unittest.TestCase):
    """A machine like the guest test bed: two igb and two virtio-net NICs,
    each in its own IOMMU group, VT-d with iommufd."""

    def setUp(self):
        self.tree = t = FakeTree()
        self.addCleanup(t.cleanup)
        populate_standard(t)
        self.kernel = FakeKernel(t)
        self.environ = {}

    def use_machine_without_iommu(self, vfio_module=True, noiommu=None):
        """Replace the standard machine by one without an IOMMU: one igb
        (eth1) on its kernel driver and vfio-pci loaded; with VFIO_MODULE
        also the vfio module (NOIOMMU: its enable_unsafe_noiommu_mode value,
        None when not built in) and /dev/vfio/vfio. Returns the tree."""
        t = FakeTree()
        self.addCleanup(t.cleanup)
        t.add_driver("igb")
        t.add_driver("vfio-pci")
        if vfio_module:
            t.add_vfio_module(noiommu=noiommu)
            t.write("dev/vfio/vfio", "")
        t.add_device(IGB0, driver="igb", ifname="eth1")
        self.tree, self.kernel = t, FakeKernel(t)
        return t

    def run_bind(self, *argv):
        """Run bind.py in-process; returns (exit code, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        args = list(argv) + ["--state-file", "/run/sluice/bind-state.json"]
        with redirect_stderr(err):
            rc = bind.run(args, system=self.kernel, environ=self.environ, stdout=out)
        return rc, out.getvalue(), err.getvalue()

    def status(self):
        rc, out, err = self.run_bind("--status", "--json")
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def find(self, data, bdf):
        for key, devs in data["devices"].items():
            for d in devs:
                if d["bdf"] == bdf:
                    return key, d
        self.fail("%s not in --status" % bdf)

    def state(self):
        path = self.tree.p("run/sluice/bind-state.json")
        if not os.path.exists(path):
            return {}
        with open(path) as f:
            return json.load(f)["devices"]

    def sysfs_changes(self):
        return [w for w in self.kernel.writes]

    def assert_refused(self, argv, *words):
        rc, out, err = self.run_bind(*argv)
        self.assertEqual(rc, bind.EXIT_REFUSED, out + err)
        for w in words:
            self.assertIn(w, err)
        self.assertIn("--force", err)
        self.assertEqual(self.kernel.writes, [], "a refusal must change nothing")
        self.assertEqual(self.kernel.commands, [])
        return err


class TestResolve(BindTestCase):
    def resolve(self, *specs):
        machine = bind.Machine(self.kernel, self.environ)
        state = bind.State(self.kernel, "/run/sluice/bind-state.json")
        return bind.resolve(machine, state, list(specs))

    def test_full_short_and_upper_case_bdf(self):
        self.assertEqual(self.resolve("0000:01:00.0"), [IGB0])
        self.assertEqual(self.resolve("02:00.0"), [IGB1])
        self.assertEqual(self.resolve("0000:0A:00.0".replace("0A", "03").upper()), [VIRTIO0])

    def test_interface_names_including_virtio_child_device(self):
        self.assertEqual(self.resolve("eth2"), [IGB1])
        self.assertEqual(self.resolve("eth3"), [VIRTIO0])  # <bdf>/virtio0/net/eth3

    def test_globs_over_bdfs_short_bdfs_and_interfaces(self):
        self.assertEqual(self.resolve("0000:0[12]:00.0"), [IGB0, IGB1])
        self.assertEqual(self.resolve("0[34]:00.*"), [VIRTIO0, VIRTIO1])
        self.assertEqual(self.resolve("eth*"), [IGB0, IGB1, VIRTIO0, VIRTIO1])
        # globs only match network devices, never the SATA controller
        self.assertNotIn("0000:00:1f.2", self.resolve("*"))

    def test_order_kept_and_duplicates_dropped(self):
        self.assertEqual(self.resolve("eth4", "01:00.0", IGB0, "eth1"), [VIRTIO1, IGB0])

    def test_unknown_device_is_a_usage_error(self):
        for spec, word in (("05:00.0", "no PCI device 0000:05:00.0"),
                           ("eth9", "not a PCI address"),
                           ("eth9*", "matched no network device"),
                           ("01:00", "not a PCI address")):
            rc, out, err = self.run_bind("--bind", "vfio-pci", spec)
            self.assertEqual(rc, bind.EXIT_USAGE, spec)
            self.assertIn(word, err)
        self.assertEqual(self.kernel.writes, [])

    def test_virtual_interface_is_not_pci(self):
        os.makedirs(self.tree.p("sys/devices/virtual/net/lo"))
        self.tree.symlink("../../devices/virtual/net/lo", "sys/class/net/lo")
        rc, _, err = self.run_bind("--bind", "vfio-pci", "lo")
        self.assertEqual(rc, bind.EXIT_USAGE)
        self.assertIn("interface lo is not a PCI device", err)


class TestStatus(BindTestCase):
    def test_groups_names_interfaces_and_backend_before_bind(self):
        self.tree.set_up("eth1", True)
        self.tree.add_route("eth1", "192.168.7.0", "255.255.255.0")
        data = self.status()
        self.assertTrue(data["system"]["iommu_present"])
        self.assertTrue(data["system"]["iommufd"])
        self.assertEqual(data["system"]["vfio_pci"], "loaded")
        self.assertEqual([d["bdf"] for d in data["devices"]["kernel_driver"]],
                         [IGB0, IGB1, VIRTIO0, VIRTIO1])
        self.assertEqual(data["devices"]["vfio_pci"], [])
        key, d = self.find(data, IGB0)
        self.assertEqual(d["vendor_name"], "Intel Corporation")
        self.assertEqual(d["device_name"], "82576 Gigabit Network Connection")
        self.assertEqual((d["vendor"], d["device"], d["driver"]), ("8086", "10c9", "igb"))
        self.assertEqual(d["interfaces"], [{"name": "eth1", "up": True, "operstate": "up",
                                            "upper": [], "routes": 1,
                                            "default_route": False,
                                            "ssh_sessions": []}])
        self.assertEqual(d["iommu_group"], "10")
        self.assertEqual(d["group_members"], [])
        self.assertEqual(d["backend"], "none")
        self.assertIn("not bound to vfio-pci", d["backend_reason"])
        _, v = self.find(data, VIRTIO0)
        self.assertEqual(v["interfaces"][0]["name"], "eth3")
        self.assertEqual(v["interfaces"][0]["up"], False)

    def test_after_bind_iommufd_nodes(self):
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0, VIRTIO0)
        self.assertEqual(rc, 0, err)
        data = self.status()
        self.assertEqual([d["bdf"] for d in data["devices"]["vfio_pci"]], [IGB0, VIRTIO0])
        _, d = self.find(data, IGB0)
        self.assertEqual(d["driver"], "vfio-pci")
        self.assertEqual(d["original_driver"], "igb")
        self.assertEqual(d["original_interfaces"], ["eth1"])
        self.assertEqual(d["interfaces"], [])
        self.assertEqual(d["backend"], "iommufd")
        self.assertEqual(d["opens"], ["/dev/iommu", "/dev/vfio/devices/vfio0"])
        self.assertEqual(d["vfio_nodes"]["group"], {"path": "/dev/vfio/10", "exists": True})
        self.assertEqual(d["vfio_nodes"]["cdev"]["path"], "/dev/vfio/devices/vfio0")
        _, v = self.find(data, VIRTIO0)
        self.assertEqual(v["vfio_nodes"]["group"]["path"], "/dev/vfio/12")
        self.assertEqual(v["opens"], ["/dev/iommu", "/dev/vfio/devices/vfio1"])

    def test_type1_without_dev_iommu(self):
        os.unlink(self.tree.p("dev/iommu"))
        self.assertEqual(self.run_bind("--bind", "vfio-pci", IGB1)[0], 0)
        _, d = self.find(self.status(), IGB1)
        self.assertEqual(d["backend"], "type1")
        self.assertIn("no /dev/iommu", d["backend_reason"])
        self.assertEqual(d["opens"], ["/dev/vfio/vfio", "/dev/vfio/11"])

    def test_noiommu_group_and_backend(self):
        self.use_machine_without_iommu(noiommu=True)
        data = self.status()
        self.assertFalse(data["system"]["iommu_present"])
        self.assertEqual(data["system"]["noiommu_mode"], "enabled")
        self.assertEqual(self.run_bind("--bind", "vfio-pci", "eth1")[0], 0)
        _, d = self.find(self.status(), IGB0)
        self.assertTrue(d["noiommu_group"])
        self.assertEqual(d["backend"], "noiommu")
        self.assertIn("--allow-noiommu", d["backend_reason"])
        self.assertEqual(d["opens"], ["/dev/vfio/vfio", "/dev/vfio/noiommu-%s" % d["iommu_group"]])
        self.assertNotIn("cdev", d["vfio_nodes"])

    def test_backend_none_when_group_has_kernel_driver_member(self):
        self.tree.set_group(IGB1, "10")  # IGB0 and IGB1 share group 10
        self.assertEqual(self.run_bind("--bind", "vfio-pci", IGB0, "--force")[0], 0)
        _, d = self.find(self.status(), IGB0)
        self.assertEqual(d["backend"], "none")
        self.assertIn("IOMMU group 10 is not usable", d["backend_reason"])
        self.assertIn(IGB1, d["backend_reason"])
        self.assertEqual(d["group_members"], [{"bdf": IGB1, "driver": "igb",
                                               "interfaces": ["eth2"]}])

    PROC_INTR_NO_IR = ("           CPU0       CPU1\n"
                       "  0:         41          0   IO-APIC   2-edge      timer\n"
                       " 24:          0          0  PCI-MSIX-0000:00:02.0   0-edge  aerdrv\n")
    PROC_INTR_IR = ("           CPU0       CPU1\n"
                    "  0:         41          0   IR-IO-APIC   2-edge      timer\n"
                    " 24:          0          0  IR-PCI-MSIX-0000:00:02.0   0-edge  aerdrv\n")

    def set_unsafe(self, iommufd, type1):
        for (_, _, path), v in zip(bind.UNSAFE_INTR_PARAMS, (iommufd, type1)):
            self.tree.write(path, v + "\n")

    def test_msi_not_isolated_refusal_per_device(self):
        """No interrupt remapping: --status says per device that the kernel
        will refuse VFIO, why, which parameters would allow it and what that
        costs; tailored to the parameters' values."""
        self.tree.write("proc/interrupts", self.PROC_INTR_NO_IR)
        self.set_unsafe("N", "N")
        self.assertEqual(self.run_bind("--bind", "vfio-pci", IGB0)[0], 0)
        data = self.status()
        m = data["system"]["msi_isolation"]
        self.assertEqual(m["state"], "not isolated")
        self.assertEqual(m["allow_unsafe_interrupts"], {"iommufd": False, "type1": False})
        _, d = self.find(data, IGB0)
        self.assertEqual(d["backend"], "iommufd")
        r = d["vfio_refusal"]
        for w in ("refuse iommufd", "VFIO_DEVICE_BIND_IOMMUFD", "MSIs are not isolated",
                  "interrupt remapping", "weaker isolation", "iommufd.allow_unsafe_interrupts=1",
                  "vfio_iommu_type1.allow_unsafe_interrupts=1",
                  "now iommufd.allow_unsafe_interrupts=N, vfio_iommu_type1.allow_unsafe_interrupts=N"):
            self.assertIn(w, r)
        self.assertNotIn("is allowed", r)
        rc, out, _ = self.run_bind("--status")
        self.assertIn("MSI isolation: not isolated", out)
        self.assertIn("REFUSED: the kernel will refuse iommufd", out)
        # a device on a kernel driver gets no refusal line (its backend is none)
        _, k = self.find(data, IGB1)
        self.assertIsNone(k["vfio_refusal"])
        # type1 allowed: the iommufd refusal names it
        self.set_unsafe("N", "Y")
        _, d = self.find(self.status(), IGB0)
        self.assertIn("type1 is allowed: -a BDF,iommu=type1", d["vfio_refusal"])
        # type1 picked (no /dev/iommu) and allowed: no refusal
        os.unlink(self.tree.p("dev/iommu"))
        _, d = self.find(self.status(), IGB0)
        self.assertEqual(d["backend"], "type1")
        self.assertIsNone(d["vfio_refusal"])
        # iommufd allowed too: nothing refused
        self.tree.write("dev/iommu", "")
        self.set_unsafe("Y", "Y")
        _, d = self.find(self.status(), IGB0)
        self.assertIsNone(d["vfio_refusal"])

    def test_msi_isolated_or_unknown_no_refusal(self):
        self.assertEqual(self.run_bind("--bind", "vfio-pci", IGB0)[0], 0)
        self.set_unsafe("N", "N")
        data = self.status()     # no /proc/interrupts in the tree
        self.assertEqual(data["system"]["msi_isolation"]["state"], "unknown")
        self.assertIsNone(self.find(data, IGB0)[1]["vfio_refusal"])
        self.tree.write("proc/interrupts", self.PROC_INTR_IR)
        data = self.status()
        self.assertEqual(data["system"]["msi_isolation"]["state"], "isolated")
        self.assertIsNone(self.find(data, IGB0)[1]["vfio_refusal"])
        rc, out, _ = self.run_bind("--status")
        self.assertIn("MSI isolation: isolated (interrupt remapping on", out)
        self.assertNotIn("REFUSED", out)

    def test_without_pci_ids_numbers_only(self):
        os.unlink(self.tree.p("usr/share/misc/pci.ids"))
        data = self.status()
        self.assertIsNone(data["system"]["pci_ids"])
        _, d = self.find(data, IGB0)
        self.assertIsNone(d["vendor_name"])
        rc, out, _ = self.run_bind("--status")
        self.assertIn("%s  [8086:10c9]" % IGB0, out)

    def test_text_status_sections(self):
        self.run_bind("--bind", "vfio-pci", IGB1)
        rc, out, _ = self.run_bind("--status")
        self.assertEqual(rc, 0)
        kernel_at = out.index("Network devices on a kernel driver")
        vfio_at = out.index("Devices on vfio-pci")
        self.assertIn("Network devices on no driver", out)
        self.assertLess(kernel_at, out.index(IGB0), )
        self.assertLess(vfio_at, out.index(IGB1))
        self.assertIn("Intel Corporation 82576 Gigabit Network Connection [8086:10c9]", out)
        self.assertIn("driver: vfio-pci (was igb, eth2)", out)
        self.assertIn("backend: iommufd", out)
        self.assertIn("/dev/vfio/11", out)

    def test_unbound_section(self):
        self.tree.detach(VIRTIO1)
        data = self.status()
        self.assertEqual([d["bdf"] for d in data["devices"]["unbound"]], [VIRTIO1])


class TestLinux73(BindTestCase):
    """Linux 7.3's VFIO without the legacy container: no-IOMMU devices get a
    cdev (noiommu-vfioN) beside or instead of their group; a cdev-only
    kernel (CONFIG_VFIO_GROUP=n) has no group nodes and no /dev/vfio/vfio."""

    def machine_73(self, kind, iommu):
        if iommu:
            t = self.tree
            if kind == "7.3-cdevonly":
                os.unlink(t.p("dev/vfio/vfio"))
            else:
                os.makedirs(t.p("sys/class/vfio"), exist_ok=True)
        else:
            t = self.use_machine_without_iommu(noiommu=True)
            t.write("dev/iommu", "")
            if kind == "7.3-cdevonly":
                os.unlink(t.p("dev/vfio/vfio"))
            else:
                os.makedirs(t.p("sys/class/vfio"), exist_ok=True)
        t.vfio_kernel = kind
        self.kernel = FakeKernel(t)
        return t

    def test_cdevonly_iommu_no_missing_group_or_container(self):
        self.machine_73("7.3-cdevonly", iommu=True)
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0)
        self.assertEqual(rc, 0, err)
        data = self.status()
        self.assertFalse(data["system"]["vfio_container"])
        self.assertFalse(data["system"]["vfio_groups"])
        _, d = self.find(data, IGB0)
        self.assertEqual(d["backend"], "iommufd")
        self.assertEqual(d["backends_offered"], ["iommufd"])
        self.assertEqual(d["iommu_group"], "10")  # sysfs keeps the IOMMU group
        self.assertNotIn("group", d["vfio_nodes"])
        self.assertNotIn("container", d["vfio_nodes"])
        self.assertEqual(d["opens"], ["/dev/iommu", "/dev/vfio/devices/vfio0"])
        rc, out, err = self.run_bind("--status")
        self.assertEqual(rc, 0, err)
        self.assertNotIn("(missing)", out)
        self.assertIn("VFIO nodes: /dev/vfio/devices/vfio0, /dev/iommu", out)
        self.assertIn("backends the kernel offers it: iommufd", out)

    def test_cdevonly_noiommu_cdev_backend_and_owner(self):
        t = self.machine_73("7.3-cdevonly", iommu=False)
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0, "-u", str(os.getuid()))
        self.assertEqual(rc, 0, err)
        _, d = self.find(self.status(), IGB0)
        self.assertIsNone(d["iommu_group"])
        self.assertTrue(d["noiommu_cdev"])
        self.assertEqual(d["backend"], "noiommu-cdev")
        self.assertIn("noiommu-vfio0 present", d["backend_reason"])
        self.assertIn("IOMMU_IOAS_NOIOMMU_GET_PA", d["backend_reason"])
        self.assertEqual(d["backends_offered"], ["noiommu-cdev"])
        self.assertEqual(d["opens"], ["/dev/iommu", "/dev/vfio/devices/noiommu-vfio0"])
        self.assertEqual(sorted(p for p, _, _ in self.kernel.chowns),
                         ["/dev/iommu", "/dev/vfio/devices/noiommu-vfio0"])
        self.assertIn("no-IOMMU cdevs need CAP_SYS_RAWIO", out)
        self.assertIn("not CAP_SYS_ADMIN", out)
        rc, out, err = self.run_bind("--status")
        self.assertNotIn("(missing)", out)
        self.assertIn("backend: noiommu-cdev", out)

    def test_compat_noiommu_prefers_cdev_offers_both(self):
        t = self.machine_73("7.3-compat", iommu=False)
        self.assertEqual(self.run_bind("--bind", "vfio-pci", IGB0)[0], 0)
        _, d = self.find(self.status(), IGB0)
        grp = t.group_of(IGB0)
        self.assertEqual(d["backend"], "noiommu-cdev")
        self.assertIn("the group /dev/vfio/noiommu-%s works too" % grp, d["backend_reason"])
        self.assertEqual(d["backends_offered"], ["noiommu-cdev", "noiommu"])
        self.assertEqual(d["vfio_nodes"]["group"]["path"], "/dev/vfio/noiommu-%s" % grp)

    def test_noiommu_mode_with_only_the_cdev_path(self):
        t = self.machine_73("7.3-cdevonly", iommu=False)
        t.write(bind.NOIOMMU_PARAM, "N\n")
        rc, out, err = self.run_bind("--noiommu-mode", "--bind", "vfio-pci", IGB0)
        self.assertEqual(rc, 0, err)
        self.assertIn("noiommu-vfioN", err + out)
        _, d = self.find(self.status(), IGB0)
        self.assertEqual(d["backend"], "noiommu-cdev")

    def test_compat_iommu_offers_iommufd_and_type1(self):
        self.machine_73("7.3-compat", iommu=True)
        self.assertEqual(self.run_bind("--bind", "vfio-pci", IGB0)[0], 0)
        _, d = self.find(self.status(), IGB0)
        self.assertEqual(d["backend"], "iommufd")
        self.assertEqual(d["backends_offered"], ["iommufd", "type1"])


class TestRefusals(BindTestCase):
    def test_default_route(self):
        self.tree.set_up("eth1", True)
        self.tree.add_route("eth1", "0.0.0.0", "0.0.0.0", gateway="10.0.0.1")
        self.assert_refused(["--bind", "vfio-pci", "eth1"], "default route", "eth1")

    def test_routes_through_interface(self):
        self.tree.set_up("eth2", True)
        self.tree.add_route("eth2", "10.9.0.0", "255.255.0.0")
        self.assert_refused(["--bind", "vfio-pci", IGB1], "1 route(s)", "ip link set eth2 down")

    def test_ssh_session_from_environment(self):
        self.tree.set_up("eth3", True)
        self.tree.add_route("eth3", "172.16.0.0", "255.240.0.0")
        self.environ = {"SSH_CONNECTION": "172.16.5.9 50000 172.16.0.2 22"}
        self.assert_refused(["--bind", "vfio-pci", VIRTIO0], "this session", "172.16.5.9")

    def test_ssh_connection_in_proc_net_tcp(self):
        self.tree.set_up("eth4", True)
        self.tree.add_route("eth4", "0.0.0.0", "0.0.0.0", gateway="192.0.2.1")
        self.tree.add_route("eth4", "192.0.2.0", "255.255.255.0")
        self.tree.add_tcp("192.0.2.10", 22, "198.51.100.7", 40000)
        err = self.assert_refused(["--bind", "vfio-pci", "eth4"], "an SSH connection",
                                  "198.51.100.7")
        self.assertNotIn("default route", err)  # the SSH reason is the one given

    def test_ipv6_default_route_counts_link_local_does_not(self):
        zero = "0" * 32
        link_local = "fe80" + "0" * 28
        self.tree.set_up("eth1", True)
        self.tree.set_up("eth2", True)
        self.tree.write("proc/net/ipv6_route", "".join(
            "%s %s %s 00 %s 00000100 00000001 00000000 %s %s\n" % (d, plen, zero, zero, fl, ifn)
            for d, plen, fl, ifn in ((link_local, "40", "00000001", "eth1"),
                                     (zero, "00", "00450003", "eth2"))))
        self.assert_refused(["--bind", "vfio-pci", IGB1], "eth2", "default route")
        rc, _, err = self.run_bind("--bind", "vfio-pci", IGB0)
        self.assertEqual(rc, 0, err)  # eth1 has only its link-local route

    def test_default_route_and_ssh_on_a_bridge_above_the_nic(self):
        # eth2 is a port of bond0, which is a port of br0; br0 has the address
        for lower, upper in (("eth2", "bond0"), ("bond0", "br0")):
            os.makedirs(self.tree.p("sys/devices/virtual/net/" + upper), exist_ok=True)
            self.tree.symlink("../../devices/virtual/net/" + upper, "sys/class/net/" + upper)
            self.tree.symlink("../" + upper, "sys/class/net/%s/upper_%s" % (lower, upper))
        self.tree.set_up("eth2", True)
        self.tree.add_route("br0", "0.0.0.0", "0.0.0.0", gateway="10.0.0.1")
        self.tree.add_route("br0", "10.0.0.0", "255.255.255.0")
        self.assert_refused(["--bind", "vfio-pci", IGB1], "eth2, under br0",
                            "default route")
        self.kernel.writes.clear()
        self.environ = {"SSH_CONNECTION": "10.0.0.77 40000 10.0.0.2 22"}
        self.assert_refused(["--bind", "vfio-pci", IGB1], "eth2, under br0",
                            "this session")
        _, d = self.find(self.status(), IGB1)
        self.assertEqual(d["interfaces"][0]["upper"], ["bond0", "br0"])
        self.assertEqual(d["interfaces"][0]["routes"], 2)

    def test_down_interface_or_up_without_routes_is_allowed(self):
        self.tree.add_route("eth1", "0.0.0.0", "0.0.0.0")  # eth1 is down
        self.tree.set_up("eth2", True)                     # no routes
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0, IGB1)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.tree.driver_of(IGB0), "vfio-pci")
        self.assertEqual(self.tree.driver_of(IGB1), "vfio-pci")

    def test_group_member_on_kernel_driver_is_named(self):
        self.tree.set_group(IGB1, "10")
        err = self.assert_refused(["--bind", "vfio-pci", IGB0], "IOMMU group 10",
                                  "%s (igb, eth2)" % IGB1, "Add them to this command")
        self.assertIn(IGB0, err)

    def test_group_is_fine_when_all_members_are_bound_together(self):
        self.tree.set_group(IGB1, "10")
        rc, _, err = self.run_bind("--bind", "vfio-pci", IGB0, IGB1)
        self.assertEqual(rc, 0, err)

    def test_bridge_and_unbound_group_members_do_not_block(self):
        self.tree.add_device("0000:00:1c.0", "8086", "2448", cls=0x060400,
                             driver="pcieport", group="10")
        self.tree.add_driver("pcieport")
        self.tree.add_device("0000:01:00.1", "8086", "10c9", group="10")
        self.assertEqual(self.run_bind("--bind", "vfio-pci", IGB0)[0], 0)

    def test_driver_name_typed_wrongly(self):
        for typo in ("vfio_pci", "vfio", "VFIO-PCI", "vfiopci"):
            self.assert_refused(["--bind", typo, IGB0], "'%s' is not vfio-pci" % typo,
                                "use --bind vfio-pci")

    def test_not_a_network_device(self):
        self.assert_refused(["--bind", "vfio-pci", "00:1f.2"], "SATA controller",
                            "not a network device")

    def test_unbind_of_device_in_use(self):
        self.assertEqual(self.run_bind("--bind", "vfio-pci", IGB0)[0], 0)
        self.kernel.writes.clear()
        self.tree.add_holder(4242, "/dev/vfio/devices/vfio0")
        self.assert_refused(["--unbind", IGB0], "pid 4242 (testpmd-lite)", "hang")
        self.assert_refused(["--restore"], "pid 4242")

    def test_noiommu_mode_with_iommu_present(self):
        self.tree.add_vfio_module(noiommu=False)
        self.assert_refused(["--noiommu-mode"], "IOMMU present (dmar0)")

    def test_several_reasons_are_all_reported(self):
        self.tree.set_up("eth1", True)
        self.tree.add_route("eth1", "0.0.0.0", "0.0.0.0")
        self.tree.set_group(VIRTIO1, "12")
        err = self.assert_refused(["--bind", "vfio-pci", IGB0, VIRTIO0, "00:1f.2"],
                                  "default route", "IOMMU group 12", "SATA")
        self.assertEqual(err.count("refused:"), 3)

    def test_force_overrides_a_refusal(self):
        self.tree.set_up("eth1", True)
        self.tree.add_route("eth1", "0.0.0.0", "0.0.0.0")
        rc, out, err = self.run_bind("--bind", "vfio-pci", "eth1", "--force")
        self.assertEqual(rc, 0, err)
        self.assertIn("--force: going on although", err)
        self.assertEqual(self.tree.driver_of(IGB0), "vfio-pci")

    def test_force_with_typo_uses_the_literal_name_and_rolls_back(self):
        rc, out, err = self.run_bind("--bind", "vfio_pci", IGB0, "--force")
        self.assertEqual(rc, bind.EXIT_FAILED, err)
        self.assertIn("modprobe vfio_pci", " ".join(" ".join(c) for c in self.kernel.commands))
        self.assertEqual(self.tree.driver_of(IGB0), "igb")


class TestBind(BindTestCase):
    def test_bind_uses_driver_override_and_drivers_probe(self):
        rc, out, err = self.run_bind("--bind", "vfio-pci", "eth1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.kernel.writes, [
            ("/sys/bus/pci/devices/%s/driver_override" % IGB0, "vfio-pci"),
            ("/sys/bus/pci/drivers/igb/unbind", IGB0),
            ("/sys/bus/pci/drivers_probe", IGB0),
        ])
        self.assertFalse(any(p.endswith("new_id") for p, _ in self.kernel.writes))
        self.assertIn("%s: igb -> vfio-pci (interface eth1 is gone)" % IGB0, out)
        self.assertEqual(self.tree.override_of(IGB0), "vfio-pci")
        self.assertEqual(self.state()[IGB0]["driver"], "igb")
        self.assertEqual(self.state()[IGB0]["ifaces"], ["eth1"])

    def test_bind_twice_is_a_no_op_and_keeps_the_original_driver(self):
        self.run_bind("--bind", "vfio-pci", IGB0)
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0)
        self.assertEqual(rc, 0, err)
        self.assertIn("already on vfio-pci", out)
        self.assertEqual(self.state()[IGB0]["driver"], "igb")

    def test_failed_device_rolls_back_every_device(self):
        self.kernel.fail_bind.add((VIRTIO0, "vfio-pci"))
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0, IGB1, VIRTIO0, VIRTIO1)
        self.assertEqual(rc, bind.EXIT_FAILED, out + err)
        self.assertIn("%s did not bind to vfio-pci" % VIRTIO0, err)
        self.assertIn("Nothing was changed", err)
        for bdf, drv, ifname in ((IGB0, "igb", "eth1"), (IGB1, "igb", "eth2"),
                                 (VIRTIO0, "virtio-pci", "eth3"), (VIRTIO1, "virtio-pci", "eth4")):
            self.assertEqual(self.tree.driver_of(bdf), drv, bdf)
            self.assertIsNone(self.tree.override_of(bdf), bdf)
            self.assertEqual(self.tree.ifaces_of(bdf), [ifname])
        self.assertEqual(self.state(), {})
        self.assertEqual(os.listdir(self.tree.p("dev/vfio/devices")), [])
        # VIRTIO1 was never touched
        self.assertFalse(any(VIRTIO1 in p or v == VIRTIO1 for p, v in self.kernel.writes))

    def test_failed_rollback_is_reported_with_its_own_exit_code(self):
        self.kernel.fail_bind.add((IGB1, "vfio-pci"))
        self.kernel.fail_bind.add((IGB0, "igb"))
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0, IGB1)
        self.assertEqual(rc, bind.EXIT_ROLLBACK_FAILED, err)
        self.assertIn("Rolling back failed too", err)
        self.assertIn("%s did not go back to igb" % IGB0, err)
        self.assertIn("--restore", err)
        self.assertEqual(self.state()[IGB0]["driver"], "igb")  # kept for --restore
        self.assertNotIn(IGB1, self.state())
        self.assertEqual(self.tree.driver_of(IGB1), "igb")

    def test_module_is_loaded_when_missing(self):
        import shutil
        shutil.rmtree(self.tree.p("sys/bus/pci/drivers/vfio-pci"))
        shutil.rmtree(self.tree.p("sys/module/vfio_pci"))
        self.assertEqual(self.status()["system"]["vfio_pci"], "absent")
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.kernel.commands, [["modprobe", "vfio_pci"]])
        self.assertIn("vfio-pci is not loaded: running modprobe vfio_pci", out)
        self.assertEqual(self.tree.driver_of(IGB0), "vfio-pci")

    def test_module_load_failure_changes_nothing(self):
        import shutil
        shutil.rmtree(self.tree.p("sys/bus/pci/drivers/vfio-pci"))
        self.kernel.modprobe_ok = False
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0)
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("could not load vfio-pci", err)
        self.assertIn("CONFIG_VFIO_PCI", err)
        self.assertEqual(self.kernel.writes, [])
        self.assertEqual(self.tree.driver_of(IGB0), "igb")

    def test_built_in_vfio_pci_is_said_clearly(self):
        os.unlink(self.tree.p("sys/module/vfio_pci/initstate"))
        self.assertEqual(self.status()["system"]["vfio_pci"], "builtin")
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0)
        self.assertEqual(rc, 0, err)
        self.assertIn("vfio-pci is built into the kernel", out)
        self.assertEqual(self.kernel.commands, [])

    def test_no_iommu_and_no_noiommu_mode_fails_with_advice(self):
        t = self.use_machine_without_iommu(vfio_module=False)
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0)
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("--noiommu-mode", err)
        self.assertEqual(t.driver_of(IGB0), "igb")
        self.assertEqual(t.ifaces_of(IGB0), ["eth1"])


class TestRelease(BindTestCase):
    def bind_all(self):
        rc, out, err = self.run_bind("--bind", "vfio-pci", "eth*")
        self.assertEqual(rc, 0, err)
        self.kernel.writes.clear()

    def test_unbind_returns_to_original_driver_and_interface(self):
        self.bind_all()
        rc, out, err = self.run_bind("--unbind", "eth1", VIRTIO0)  # names from the record
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.tree.driver_of(IGB0), "igb")
        self.assertEqual(self.tree.driver_of(VIRTIO0), "virtio-pci")
        self.assertEqual(self.tree.ifaces_of(IGB0), ["eth1"])
        self.assertEqual(self.tree.ifaces_of(VIRTIO0), ["eth3"])
        self.assertIsNone(self.tree.override_of(IGB0))
        self.assertIn("%s: vfio-pci -> igb, interface eth1" % IGB0, out)
        self.assertEqual(sorted(self.state()), [IGB1, VIRTIO1])
        self.assertIn(("/sys/bus/pci/drivers/igb/bind", IGB0), self.kernel.writes)

    def test_restore_everything(self):
        self.bind_all()
        rc, out, err = self.run_bind("--restore")
        self.assertEqual(rc, 0, err)
        for bdf, drv in ((IGB0, "igb"), (IGB1, "igb"), (VIRTIO0, "virtio-pci"),
                         (VIRTIO1, "virtio-pci")):
            self.assertEqual(self.tree.driver_of(bdf), drv)
            self.assertTrue(self.tree.ifaces_of(bdf))
        self.assertEqual(self.state(), {})
        rc, out, err = self.run_bind("--restore")
        self.assertIn("nothing to restore", out)

    def test_restore_named_devices_by_glob(self):
        self.bind_all()
        self.assertEqual(self.run_bind("--restore", "0000:0[34]:00.0")[0], 0)
        self.assertEqual(sorted(self.state()), [IGB0, IGB1])
        self.assertEqual(self.tree.driver_of(VIRTIO1), "virtio-pci")

    def test_restore_leaves_an_originally_unbound_device_unbound(self):
        self.tree.detach(IGB1)
        self.assertEqual(self.run_bind("--bind", "vfio-pci", IGB1)[0], 0)
        self.assertIsNone(self.state()[IGB1]["driver"])
        self.assertEqual(self.run_bind("--restore")[0], 0)
        self.assertIsNone(self.tree.driver_of(IGB1))
        self.assertIsNone(self.tree.override_of(IGB1))

    def test_unbind_without_record_lets_the_kernel_choose(self):
        self.bind_all()
        os.unlink(self.tree.p("run/sluice/bind-state.json"))
        rc, out, err = self.run_bind("--unbind", IGB1)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.tree.driver_of(IGB1), "igb")
        self.assertIn("the kernel chose it", out)
        rc, out, err = self.run_bind("--restore", IGB0)
        self.assertIn("no record", out)
        self.assertEqual(self.tree.driver_of(IGB0), "vfio-pci")

    def test_unbind_of_a_device_on_its_kernel_driver_is_a_no_op(self):
        rc, out, err = self.run_bind("--unbind", IGB0)
        self.assertEqual(rc, 0)
        self.assertIn("already on kernel driver igb", out)
        self.assertEqual(self.kernel.writes, [])

    def test_restore_failure_keeps_the_record(self):
        self.bind_all()
        self.kernel.fail_bind.add((IGB0, "igb"))
        rc, out, err = self.run_bind("--restore")
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("did not go back to igb", err)
        self.assertEqual(list(self.state()), [IGB0])
        self.assertEqual(self.tree.driver_of(IGB1), "igb")


class TestOwnersNoiommuHugepages(BindTestCase):
    def test_user_and_group_get_the_nodes(self):
        me = str(os.getuid())
        gid = str(os.getgid())
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0, "-u", me, "-g", gid)
        self.assertEqual(rc, 0, err)
        paths = [p for p, _, _ in self.kernel.chowns]
        self.assertEqual(paths, ["/dev/vfio/10", "/dev/vfio/devices/vfio0", "/dev/iommu"])
        self.assertTrue(all((u, g) == (int(me), int(gid)) for _, u, g in self.kernel.chowns))
        self.assertEqual(os.stat(self.tree.p("dev/vfio/10")).st_mode & 0o660, 0o660)
        self.assertIn("RLIMIT_MEMLOCK", out)
        self.assertIn("no hugetlbfs is mounted", out)
        with open(self.tree.p("run/sluice/bind-state.json")) as f:
            self.assertIn("/dev/iommu", json.load(f)["owners"])
        self.kernel.chowns.clear()
        self.assertEqual(self.run_bind("--restore")[0], 0)
        self.assertEqual([p for p, _, _ in self.kernel.chowns], ["/dev/iommu"])

    def test_shared_dev_iommu_is_handed_over_once(self):
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0, VIRTIO1,
                                     "-u", str(os.getuid()))
        self.assertEqual(rc, 0, err)
        self.assertEqual([p for p, _, _ in self.kernel.chowns],
                         ["/dev/vfio/10", "/dev/vfio/devices/vfio0", "/dev/iommu",
                          "/dev/vfio/13", "/dev/vfio/devices/vfio1"])
        self.assertTrue(all(g == -1 for _, _, g in self.kernel.chowns))

    def test_noiommu_nodes_and_capability_advice(self):
        t = self.use_machine_without_iommu(noiommu=True)
        t.write("dev/iommu", "")  # iommufd built in, unused without an IOMMU
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0, "-u", str(os.getuid()))
        self.assertEqual(rc, 0, err)
        self.assertEqual([p for p, _, _ in self.kernel.chowns],
                         ["/dev/vfio/noiommu-%s" % t.group_of(IGB0)])
        self.assertIn("CAP_SYS_RAWIO", out)

    def test_user_on_a_device_not_on_vfio_pci_fails(self):
        rc, out, err = self.run_bind("-u", str(os.getuid()), IGB0)
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("bind it first", err)

    def test_unknown_user_is_a_usage_error_before_binding(self):
        rc, out, err = self.run_bind("--bind", "vfio-pci", IGB0, "-u", "no-such-user-x")
        self.assertEqual(rc, bind.EXIT_USAGE)
        self.assertIn("no user 'no-such-user-x'", err)
        self.assertEqual(self.tree.driver_of(IGB0), "igb")

    def test_hugetlbfs_mount_permission_advice(self):
        os.makedirs(self.tree.p("dev/hugepages"))
        os.chmod(self.tree.p("dev/hugepages"), 0o755)
        with open(self.tree.p("proc/mounts"), "a") as f:
            f.write("hugetlbfs /dev/hugepages hugetlbfs rw,pagesize=2M 0 0\n")
        self.run_bind("--bind", "vfio-pci", IGB0)
        rc, out, err = self.run_bind("-u", "65534", IGB0)
        self.assertEqual(rc, 0, err)
        self.assertIn("hugetlbfs /dev/hugepages (pagesize 2M): not writable by 65534", out)

    def test_noiommu_mode_enables_and_warns(self):
        t = FakeTree()
        self.addCleanup(t.cleanup)
        t.add_vfio_module(noiommu=False)
        self.tree, self.kernel = t, FakeKernel(t)
        rc, out, err = self.run_bind("--noiommu-mode")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.kernel.writes, [(bind.NOIOMMU_PARAM, "1")])
        for w in ("gives up DMA protection", "any physical memory", "tainted",
                  "CAP_SYS_RAWIO"):
            self.assertIn(w, err)

    def test_noiommu_mode_then_bind_in_one_command(self):
        self.use_machine_without_iommu(noiommu=False)
        rc, out, err = self.run_bind("--bind", "vfio-pci", "eth9", "--noiommu-mode")
        self.assertEqual(rc, bind.EXIT_USAGE)
        self.assertEqual(self.kernel.writes, [])  # DEV checked before any change
        rc, out, err = self.run_bind("--noiommu-mode", "--bind", "vfio-pci", "eth1")
        self.assertEqual(rc, 0, err)
        _, d = self.find(self.status(), IGB0)
        self.assertEqual(d["backend"], "noiommu")

    def test_noiommu_mode_unavailable_in_kernel(self):
        t = FakeTree()
        self.addCleanup(t.cleanup)
        t.add_vfio_module(noiommu=None)
        self.tree, self.kernel = t, FakeKernel(t)
        rc, out, err = self.run_bind("--noiommu-mode")
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("CONFIG_VFIO_NOIOMMU", err)

    def hugepage_pool(self, have=0):
        pool = "sys/kernel/mm/hugepages/hugepages-2048kB"
        self.tree.write(pool + "/nr_hugepages", "%d\n" % have)
        os.makedirs(self.tree.p("sys/kernel/mm/hugepages/hugepages-1048576kB"))
        return pool

    def test_hugepages_reserve_and_mount(self):
        pool = self.hugepage_pool()
        rc, out, err = self.run_bind("--hugepages", "512M", "-u", str(os.getuid()))
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.tree.read(pool + "/nr_hugepages"), "256")
        mount = self.kernel.commands[-1]
        self.assertEqual(mount[:3], ["mount", "-t", "hugetlbfs"])
        self.assertIn("pagesize=2M,uid=%d,mode=0700" % os.getuid(), mount)
        self.assertEqual(mount[-1], self.tree.p("dev/hugepages"))
        self.assertIn("reserved 256 pages of 2M (512M)", out)

    def test_hugepages_short_reservation_fails_and_undoes(self):
        pool = self.hugepage_pool(have=4)
        self.kernel.hugepage_limit = 100
        rc, out, err = self.run_bind("--hugepages", "1G")
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("reserved only 100 of 512", err)
        self.assertIn("hugeadm --pool-pages-min 2MB:512", err)
        self.assertEqual(self.tree.read(pool + "/nr_hugepages"), "4")

    def test_hugepages_bad_sizes(self):
        self.hugepage_pool()
        rc, _, err = self.run_bind("--hugepages", "lots")
        self.assertEqual(rc, bind.EXIT_USAGE)
        rc, _, err = self.run_bind("--hugepages", "3M")
        self.assertEqual(rc, bind.EXIT_USAGE)
        self.assertIn("whole number of 2M pages", err)
        rc, _, err = self.run_bind("--hugepages", "1G", "--page-size", "16M")
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("sizes it has: 1048576kB, 2048kB", err)


class TestCommandLine(BindTestCase):
    def test_usage_errors(self):
        for argv, word in (([], "nothing to do"),
                           (["--bind", "vfio-pci"], "needs at least one DEV"),
                           (["--json"], "--json goes with --status"),
                           (["--status", "--unbind", IGB0], "one of"),
                           ([IGB0], "need --bind"),
                           (["--frobnicate"], "unrecognized"),
                           (["--restore", "-u", "0"], "-u/-g go with --bind"),
                           (["-g", "0"], "need DEV")):
            rc, out, err = self.run_bind(*argv)
            self.assertEqual(rc, bind.EXIT_USAGE, argv)
            self.assertIn(word, err)

    def test_state_file_that_is_not_json(self):
        self.tree.write("run/sluice/bind-state.json", "{broken")
        rc, out, err = self.run_bind("--restore")
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("not valid JSON", err)

    def test_script_runs_with_root_from_environment(self):
        env = dict(os.environ, SLUICE_SYSFS_ROOT=self.tree.root)
        env.pop("SSH_CONNECTION", None)
        res = subprocess.run([sys.executable, BIND_PY, "--status", "--json"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=30)
        self.assertEqual(res.returncode, 0, res.stderr)
        data = json.loads(res.stdout)
        self.assertEqual(len(data["devices"]["kernel_driver"]), 4)
        res = subprocess.run([sys.executable, BIND_PY, "--root", self.tree.root,
                              "--bind", "vfio_pci", IGB0], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=30)
        self.assertEqual(res.returncode, bind.EXIT_REFUSED)


if __name__ == "__main__":
    unittest.main(verbosity=2)
