#!/usr/bin/env python3
# test_layout.py: the shape of usertools/: every module of the sluice_bind
# package says its job in an opening docstring and stays under 500 lines,
# and the entry scripts run from an install laid out the way
# usertools/meson.build lays it out (scripts in bin/ with PKGDIR filled in,
# the package in share/sluice/), also through a symlink.
# Run: python3 test/usertools/test_layout.py
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
USERTOOLS = os.path.normpath(os.path.join(HERE, "..", "..", "usertools"))
PACKAGE = os.path.join(USERTOOLS, "sluice_bind")
SCRIPTS = {"bind.py": "sluice-bind", "hugepages.py": "sluice-hugepages"}


class TestModules(unittest.TestCase):
    def test_docstring_and_size(self):
        names = sorted(n for n in os.listdir(PACKAGE) if n.endswith(".py"))
        self.assertIn("cli.py", names)
        for name in names:
            with open(os.path.join(PACKAGE, name)) as f:
                text = f.read()
            self.assertTrue(ast.get_docstring(ast.parse(text)), name)
            self.assertLessEqual(text.count("\n"), 500, name)


class TestInstalledLayout(unittest.TestCase):
    def setUp(self):
        self.prefix = tempfile.mkdtemp(prefix="sluice-layout-test-")
        self.addCleanup(shutil.rmtree, self.prefix, True)
        os.makedirs(os.path.join(self.prefix, "bin"))
        shutil.copytree(PACKAGE, os.path.join(self.prefix, "share", "sluice", "sluice_bind"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        for script, installed in SCRIPTS.items():
            with open(os.path.join(USERTOOLS, script)) as f:
                text = f.read()
            self.assertIn("@SLUICE_PKGDIR@", text)
            dst = os.path.join(self.prefix, "bin", installed)
            with open(dst, "w") as f:
                f.write(text.replace("@SLUICE_PKGDIR@", "../share/sluice"))
            os.chmod(dst, 0o755)

    def run_script(self, path, *args):
        return subprocess.run([sys.executable, path] + list(args), cwd=self.prefix,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=30)

    def test_installed_scripts_find_the_package(self):
        for script, installed in SCRIPTS.items():
            res = self.run_script(os.path.join(self.prefix, "bin", installed), "--help")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIn("usage: %s" % script, res.stdout)
            src = self.run_script(os.path.join(USERTOOLS, script), "--help")
            self.assertEqual(res.stdout, src.stdout)

    def test_through_a_symlink(self):
        link = os.path.join(self.prefix, "elsewhere")
        os.symlink(os.path.join(self.prefix, "bin", "sluice-bind"), link)
        res = self.run_script(link, "--frobnicate")
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("bind.py: usage error", res.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
