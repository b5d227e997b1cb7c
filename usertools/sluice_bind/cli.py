"""bind.py's command line: the options, the checks between them, and run(),
which does the actions in order and turns the outcome into an exit code."""

import argparse
import json
import os
import sys

from .binding import do_bind, do_release
from .hugepages import do_hugepages, parse_size
from .machine import Machine
from .noiommu import do_noiommu
from .owners import give_nodes, lookup_owner, owner_name
from .pciids import PciIds
from .report import (EXIT_FAILED, EXIT_OK, EXIT_REFUSED, EXIT_ROLLBACK_FAILED,
                     EXIT_USAGE, PROG, Failed, Out, Refused, RollbackFailed,
                     UsageError)
from .resolve import resolve
from .state import STATE_FILE, State
from .status import print_status, status_json
from .sysfs import System


DESCRIPTION = """Claim and release NICs for Sluice (vfio-pci), and show their status.

Exit codes: 0 done; 1 failed (changes undone); 2 usage error;
3 refused (nothing changed; --force overrides); 4 failed and the rollback
failed too (the devices named in the message need attention)."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def make_parser():
    p = Parser(prog=PROG, description=DESCRIPTION,
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
        uid, gid = lookup_owner(args.user, args.group)
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
                         uid, gid, owner_name(args.user, args.group), out)
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
