#!/usr/bin/env python3
# fuzz_bind.py: fuzz driver for usertools/bind.py's argument handling. Each
# run builds a fake machine (test/usertools/fake_sysfs.py: two igb and two
# virtio-net NICs, a SATA controller, VT-d with iommufd), then calls
# bind.run() in-process with an argv of random and mutated tokens (options,
# device names, drivers, sizes, users). A run passes when bind.py returns
# (or argparse exits) with a documented exit code (0-4) and raises nothing
# else; anything else is a crash, saved with its argv and traceback.
#
#   test/fuzz/fuzz_bind.py [--seconds N] [--runs N] [--seed S] [--crash-dir D]
#
# Prints "executions: N" and "crashes: N"; exit status 1 if it found any.
import argparse
import io
import os
import random
import sys
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "usertools"))
from fake_sysfs import FakeTree, FakeKernel, bind, populate_standard  # noqa: E402

EXIT_CODES = {bind.EXIT_OK, bind.EXIT_FAILED, bind.EXIT_USAGE, bind.EXIT_REFUSED,
              bind.EXIT_ROLLBACK_FAILED}
IGB0, IGB1, VIRTIO0, VIRTIO1 = ("0000:01:00.0", "0000:02:00.0", "0000:03:00.0", "0000:04:00.0")

OPTIONS = ["-s", "--status", "-b", "--bind", "--unbind", "--restore", "--noiommu-mode",
           "--hugepages", "--json", "-u", "--user", "-g", "--group", "--force", "--page-size",
           "--huge-dir", "--state-file", "--pci-ids", "--wait", "-q", "--quiet", "-h", "--",
           "--bind=vfio-pci", "--hugepages=64", "-bvfio-pci", "--user=root", "--status=1"]
VALUES = [IGB0, IGB1, VIRTIO0, VIRTIO1, "01:00.0", "0000:00:1f.2", "0000:99:00.0", "eth1", "eth3",
          "igb", "vfio-pci", "virtio-pci", "ahci", "nosuchdriver", "8086:10c9", "1af4:1041",
          "*", "0000:0?:00.0", "", " ", "2M", "1G", "0", "-5", "64", "1e9", "abc", "4K",
          "99999999999999999999", "root", "nobody", "0", "nosuchuser-x", "nogroup",
          "/run/sluice/state.json", "/run/sluice", "/dev/hugepages", "/usr/share/misc/pci.ids",
          "nan", "inf", "-1", "0.01", "\u00e9\u00e8", "%s%n", "\\x00"]


def machine():
    """The standard fake machine of test/usertools/test_bind.py."""
    return populate_standard(FakeTree())


def mutate(rng, s):
    """Insert, delete, duplicate or replace a character of S."""
    alphabet = "-=:.,*?/0123456789abcdefxX _\t\n\"'\\\u00ff"
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(4)
        i = rng.randint(0, len(s))
        if k == 0:
            s = s[:i] + rng.choice(alphabet) + s[i:]
        elif k == 1 and s:
            s = s[:i] + s[i + 1:]
        elif k == 2:
            s = s[:i] + s[i:] * 2
        elif s:
            s = s[:i] + rng.choice(alphabet) + s[i + 1:]
    return s


# Command lines of the documented shapes, to get past the usage checks;
# the fuzzer then mutates, drops and adds tokens.
SHAPES = [["--bind", "vfio-pci", "DEV"], ["--bind", "vfio-pci", "DEV", "DEV", "-u", "USER"],
          ["--unbind", "DEV"], ["--restore"], ["--restore", "DEV"], ["--status"], ["--status", "--json"],
          ["--hugepages", "SIZE"], ["--hugepages", "SIZE", "--page-size", "SIZE", "-g", "USER"],
          ["--noiommu-mode"], ["-u", "USER", "DEV"], ["--bind", "DRV", "DEV", "--force"]]
DEVS = [IGB0, IGB1, VIRTIO0, VIRTIO1, "01:00.0", "0000:00:1f.2", "0000:99:00.0", "eth1", "eth4", "*",
        "8086:10c9", "1af4:*"]


def make_argv(rng):
    argv = []
    extra = rng.randint(0, 7)
    if rng.random() < 0.6:
        extra = rng.randint(1, 2) if rng.random() < 0.3 else 0
        for tok in rng.choice(SHAPES):
            if tok == "DEV":
                tok = rng.choice(DEVS)
            elif tok == "USER":
                tok = rng.choice(["root", "nobody", "nosuchuser-x", "0", "65534"])
            elif tok == "SIZE":
                tok = rng.choice(["2M", "1G", "64", "0", "-1", "1e9", "4K", "3M"])
            elif tok == "DRV":
                tok = rng.choice(["vfio-pci", "igb", "pci-stub", "nosuchdriver"])
            argv.append(tok)
        if rng.random() < 0.3 and argv:
            argv[rng.randrange(len(argv))] = mutate(rng, argv[rng.randrange(len(argv))])
    for _ in range(extra):
        r = rng.random()
        tok = rng.choice(OPTIONS) if r < 0.45 else rng.choice(VALUES)
        if rng.random() < 0.25:
            tok = mutate(rng, tok)
        argv.append(tok)
    # bind.py resolves every path under the fake root; never let a token
    # climb out of it
    return [t.replace("\0", "").replace("..", ".") for t in argv]


def run_one(argv):
    """Run bind.py on a fresh machine; returns (exit code, traceback or None)."""
    tree = machine()
    try:
        kernel = FakeKernel(tree)
        out, err = io.StringIO(), io.StringIO()
        try:
            with redirect_stdout(out), redirect_stderr(err):
                rc = bind.run(argv, system=kernel, environ={}, stdout=out)
        except SystemExit as e:  # argparse: usage errors (2) and --help (0)
            rc = e.code if isinstance(e.code, int) else 2
        except Exception:  # noqa: BLE001 - any other exception is the finding
            return None, traceback.format_exc()
        if rc not in EXIT_CODES:
            return rc, "exit code %r is not one of the documented %s" % (rc, sorted(EXIT_CODES))
        return rc, None
    finally:
        tree.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--runs", type=int, default=0, help="stop after this many (0: time only)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--crash-dir", default=None, help="write each crash's argv and traceback here")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    execs = crashes = 0
    codes = {}
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline and (args.runs == 0 or execs < args.runs):
        argv = make_argv(rng)
        rc, tb = run_one(argv)
        execs += 1
        codes[rc] = codes.get(rc, 0) + 1
        if tb is not None:
            crashes += 1
            print("crash: argv %r\n%s" % (argv, tb), file=sys.stderr)
            if args.crash_dir:
                os.makedirs(args.crash_dir, exist_ok=True)
                with open(os.path.join(args.crash_dir, "crash-%d.txt" % crashes), "w") as f:
                    f.write("%r\n%s" % (argv, tb))
    print("fuzz_bind: seed %d, exit codes %s" % (seed, dict(sorted(codes.items(), key=str))))
    print("executions: %d" % execs)
    print("crashes: %d" % crashes)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
