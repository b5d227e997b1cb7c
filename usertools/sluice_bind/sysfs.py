"""Access to the machine: every read and write of sysfs, /dev, /proc and
/run, every chown and every command goes through System, under a root
prefix (--root / SLUICE_SYSFS_ROOT) so the unit tests can run everything
against a fake tree."""

import errno
import os
import subprocess
import time

from .report import Failed


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


def write_sysfs(system, path, value, what):
    """Write VALUE to PATH; Failed naming WHAT (and root, for EACCES/EPERM)."""
    try:
        system.write(path, value)
    except OSError as e:
        hint = " (run as root)" if e.errno in (errno.EACCES, errno.EPERM) else ""
        raise Failed("%s: writing '%s' to %s failed: %s%s"
                     % (what, value.strip(), path, e.strerror or e, hint))
