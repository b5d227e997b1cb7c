#!/usr/bin/env python3
# test_hugepages.py: unit tests for usertools/hugepages.py (sluice-hugepages),
# the hugepage tool on its own, against a fake sysfs tree (fake_sysfs.py):
# show (text and JSON), reserve by size or page count, per NUMA node, clear,
# mount, unmount, --setup, and the failures (short reservation undone, no
# such page size, busy mount). Run: python3 test/usertools/test_hugepages.py
import io
import json
import os
import subprocess
import sys
import unittest
from contextlib import redirect_stderr

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fake_sysfs import FakeTree, FakeKernel, bind  # noqa: E402
from sluice_bind import hugepages_cli  # noqa: E402

HUGEPAGES_PY = os.path.join(HERE, "..", "..", "usertools", "hugepages.py")
POOL2M = "sys/kernel/mm/hugepages/hugepages-2048kB"
POOL1G = "sys/kernel/mm/hugepages/hugepages-1048576kB"


def node_pool(node, kb=2048):
    return "sys/devices/system/node/node%d/hugepages/hugepages-%dkB" % (node, kb)


class HugepagesTestCase(unittest.TestCase):
    """A machine with 2M and 1G pages, two NUMA nodes, 2M the default."""

    def setUp(self):
        self.tree = t = FakeTree()
        self.addCleanup(t.cleanup)
        for pool in (POOL2M, POOL1G, node_pool(0), node_pool(1),
                     node_pool(0, 1048576), node_pool(1, 1048576)):
            for f, v in (("nr_hugepages", 0), ("free_hugepages", 0),
                         ("surplus_hugepages", 0)):
                t.write(pool + "/" + f, "%d\n" % v)
        t.write(POOL2M + "/resv_hugepages", "0\n")
        t.write("proc/meminfo", "MemTotal:       8000000 kB\nHugepagesize:       2048 kB\n")
        self.kernel = FakeKernel(t)

    def run_tool(self, *args):
        """Run hugepages.py in-process; returns (exit code, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        with redirect_stderr(err):
            rc = hugepages_cli.run(list(args), system=self.kernel, stdout=out)
        return rc, out.getvalue(), err.getvalue()

    def read(self, pool):
        return int(self.tree.read(pool + "/nr_hugepages"))

    def mounted(self, path, pagesize):
        with open(self.tree.p("proc/mounts"), "a") as f:
            f.write("nodev %s hugetlbfs rw,relatime,pagesize=%s 0 0\n" % (path, pagesize))


class TestShow(HugepagesTestCase):
    def test_json_pools_per_size_and_node_and_mounts(self):
        self.tree.write(POOL2M + "/nr_hugepages", "256\n")
        self.tree.write(POOL2M + "/free_hugepages", "200\n")
        self.tree.write(node_pool(1) + "/nr_hugepages", "256\n")
        self.mounted("/dev/hugepages", "2M")
        rc, out, err = self.run_tool("--show", "--json")
        self.assertEqual(rc, 0, err)
        data = json.loads(out)
        self.assertEqual(data["default_page_size"], "2M")
        self.assertEqual(data["page_sizes"], ["2M", "1G"])
        self.assertEqual(data["nodes"], [0, 1])
        self.assertEqual(len(data["pools"]), 6)
        whole = [p for p in data["pools"] if p["node"] is None and p["page_size_text"] == "2M"][0]
        self.assertEqual((whole["total"], whole["free"], whole["page_size"]),
                         (256, 200, 2 << 20))
        n1 = [p for p in data["pools"] if p["node"] == 1 and p["page_size_text"] == "2M"][0]
        self.assertEqual(n1["total"], 256)
        self.assertEqual(data["mounts"], [{"path": "/dev/hugepages", "page_size": "2M"}])

    def test_text(self):
        self.tree.write(POOL1G + "/nr_hugepages", "2\n")
        rc, out, err = self.run_tool("-s")
        self.assertEqual(rc, 0, err)
        self.assertIn("page sizes 2M, 1G; default 2M", out)
        self.assertRegex(out, r"all\s+1G\s+2\s+0\s+0")
        self.assertRegex(out, r"0\s+2M\s+0\s+0\s+0")
        self.assertIn("hugetlbfs: none mounted", out)

    def test_no_hugepages_in_kernel(self):
        import shutil
        shutil.rmtree(self.tree.p("sys/kernel/mm/hugepages"))
        rc, out, err = self.run_tool("-s")
        self.assertEqual(rc, 0, err)
        self.assertIn("the kernel has no hugepages", out)
        rc, out, err = self.run_tool("-r", "1G")
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("sizes it has: none", err)


class TestReserve(HugepagesTestCase):
    def test_reserve_size_total_default_page_size(self):
        rc, out, err = self.run_tool("--reserve", "1G")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.read(POOL2M), 512)
        self.assertIn("512 pages of 2M (1G) reserved", out)
        self.assertEqual(self.kernel.commands, [])

    def test_reserve_shrinks_too(self):
        self.tree.write(POOL2M + "/nr_hugepages", "1024\n")
        rc, out, err = self.run_tool("-r", "64M")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.read(POOL2M), 32)

    def test_pages_per_node_and_page_size(self):
        rc, out, err = self.run_tool("--pages", "2", "-p", "1G", "-n", "0", "-n", "1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.read(node_pool(0, 1048576)), 2)
        self.assertEqual(self.read(node_pool(1, 1048576)), 2)
        self.assertEqual(self.read(POOL1G), 0)  # the fake kernel does not sum nodes
        self.assertIn("2 pages of 1G (2G) reserved on node 1", out)

    def test_node_without_pool(self):
        rc, out, err = self.run_tool("--pages", "2", "-n", "3")
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("NUMA node 3 has no 2M hugepage pool", err)
        self.assertIn("nodes with pools: 0, 1", err)

    def test_short_reservation_is_undone(self):
        self.tree.write(POOL2M + "/nr_hugepages", "4\n")
        self.kernel.hugepage_limit = 100
        rc, out, err = self.run_tool("-r", "1G")
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("reserved only 100 of 512 2M pages", err)
        self.assertIn("hugeadm --pool-pages-min 2MB:512", err)
        self.assertEqual(self.read(POOL2M), 4)

    def test_bad_sizes(self):
        rc, _, err = self.run_tool("-r", "3M")
        self.assertEqual(rc, bind.EXIT_USAGE)
        self.assertIn("not a whole number of 2M pages", err)
        rc, _, err = self.run_tool("-r", "lots")
        self.assertEqual(rc, bind.EXIT_USAGE)
        rc, _, err = self.run_tool("-r", "1G", "-p", "16M")
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("sizes it has: 1048576kB, 2048kB", err)
        self.assertEqual(self.kernel.writes, [])


class TestClearMountUnmount(HugepagesTestCase):
    def test_clear_every_size(self):
        self.tree.write(POOL2M + "/nr_hugepages", "64\n")
        self.tree.write(POOL1G + "/nr_hugepages", "2\n")
        rc, out, err = self.run_tool("--clear")
        self.assertEqual(rc, 0, err)
        self.assertEqual((self.read(POOL2M), self.read(POOL1G)), (0, 0))
        self.assertIn("released the 2M, 1G hugepages", out)

    def test_clear_one_size_on_one_node(self):
        self.tree.write(node_pool(1) + "/nr_hugepages", "64\n")
        self.tree.write(POOL1G + "/nr_hugepages", "2\n")
        rc, out, err = self.run_tool("-c", "-p", "2M", "-n", "1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.read(node_pool(1)), 0)
        self.assertEqual(self.read(POOL1G), 2)
        self.assertEqual([w[0] for w in self.kernel.writes],
                         ["/" + node_pool(1) + "/nr_hugepages"])

    def test_mount_for_user(self):
        rc, out, err = self.run_tool("--mount", "-p", "1G", "--user", str(os.getuid()))
        self.assertEqual(rc, 0, err)
        mount = self.kernel.commands[-1]
        self.assertEqual(mount[:3], ["mount", "-t", "hugetlbfs"])
        self.assertIn("pagesize=1G,uid=%d,mode=0700" % os.getuid(), mount)
        self.assertEqual(mount[-1], self.tree.p("dev/hugepages-1G"))
        rc, out, err = self.run_tool("--mount", "-p", "1G")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.kernel.commands), 1)
        self.assertIn("mounted on /dev/hugepages-1G", out)

    def test_unmount_all_one_and_busy(self):
        self.mounted("/dev/hugepages", "2M")
        self.mounted("/mnt/huge1g", "1G")
        rc, out, err = self.run_tool("--unmount", "-d", "/mnt/nothing")
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("/mnt/nothing is not a hugetlbfs mount", err)
        self.kernel.busy_mounts.add("/mnt/huge1g")
        rc, out, err = self.run_tool("--unmount")
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertIn("target is busy", err)
        self.assertIn("fuser -m /mnt/huge1g", err)
        self.kernel.busy_mounts.clear()
        rc, out, err = self.run_tool("--unmount", "-d", "/mnt/huge1g")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.kernel.commands[-1], ["umount", self.tree.p("mnt/huge1g")])
        rc, out, err = self.run_tool("--unmount")
        self.assertEqual(rc, 0, err)
        self.assertNotIn("hugetlbfs", self.tree.read("proc/mounts"))

    def test_setup_clears_unmounts_reserves_mounts(self):
        self.tree.write(POOL1G + "/nr_hugepages", "2\n")
        self.mounted("/dev/hugepages-1G", "1G")
        rc, out, err = self.run_tool("--setup", "512M")
        self.assertEqual(rc, 0, err)
        self.assertEqual((self.read(POOL2M), self.read(POOL1G)), (256, 0))
        self.assertEqual([c[0] for c in self.kernel.commands], ["umount", "mount"])
        self.assertEqual(self.kernel.commands[-1][-1], self.tree.p("dev/hugepages"))
        self.assertIn("/dev/hugepages hugetlbfs", self.tree.read("proc/mounts"))

    def test_setup_mounts_on_directory_after_unmounting_all(self):
        self.mounted("/dev/hugepages", "2M")
        rc, out, err = self.run_tool("--setup", "64M", "-d", "/mnt/huge")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.kernel.commands[0], ["umount", self.tree.p("dev/hugepages")])
        self.assertEqual(self.kernel.commands[1][-1], self.tree.p("mnt/huge"))
        self.assertEqual(self.read(POOL2M), 32)

    def test_unmount_of_a_non_mount_changes_nothing(self):
        self.tree.write(POOL2M + "/nr_hugepages", "64\n")
        rc, out, err = self.run_tool("--clear", "--unmount", "-d", "/mnt/nothing")
        self.assertEqual(rc, bind.EXIT_FAILED)
        self.assertEqual(self.read(POOL2M), 64)
        self.assertEqual(self.kernel.writes, [])


class TestCommandLine(HugepagesTestCase):
    def test_usage_errors(self):
        for argv, word in (([], "nothing to do"),
                           (["--json"], "--json goes with --show"),
                           (["-r", "1G", "--pages", "3"], "not both"),
                           (["--setup", "1G", "-r", "1G"], "already reserves"),
                           (["--pages", "-1"], "0 or more"),
                           (["-s", "-n", "0"], "--node goes with"),
                           (["-r", "1G", "-n", "-1"], "NUMA node number"),
                           (["-r", "1G", "--user", "0"], "go with --mount"),
                           (["-m", "--user", "nosuchuser-x"], "no user"),
                           (["--frobnicate"], "unrecognized")):
            rc, out, err = self.run_tool(*argv)
            self.assertEqual(rc, bind.EXIT_USAGE, argv)
            self.assertIn(word, err, argv)
        self.assertEqual(self.kernel.writes, [])

    def test_script_runs_with_root_from_environment(self):
        self.tree.write(POOL2M + "/nr_hugepages", "8\n")
        env = dict(os.environ, SLUICE_SYSFS_ROOT=self.tree.root)
        res = subprocess.run([sys.executable, HUGEPAGES_PY, "--show", "--json"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=30)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(json.loads(res.stdout)["pools"][0]["total"], 8)
        res = subprocess.run([sys.executable, HUGEPAGES_PY, "--root", self.tree.root,
                              "-r", "5M"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=30)
        self.assertEqual(res.returncode, bind.EXIT_USAGE)
        self.assertIn("hugepages.py: usage error", res.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
