"""hugepages.py's command line (installed as sluice-hugepages): show the
hugepage pools and hugetlbfs mounts, reserve or clear pages per page size
(whole machine or per NUMA node), mount and unmount hugetlbfs; the
hugepage part of bind.py on its own, like DPDK's dpdk-hugepages.py."""

import argparse
import json
import os
import sys

from .hugepages import (check_page_size, default_page_size, fmt_size,
                        hugetlbfs_mounts, mount_hugetlbfs, numa_nodes,
                        page_sizes, parse_size, pools, set_pool,
                        unmount_hugetlbfs)
from .owners import lookup_owner, owner_name
from .report import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Failed, Out, UsageError
from .sysfs import System

PROG = "hugepages.py"
DESCRIPTION = """Show, reserve and clear hugepages and mount hugetlbfs for Sluice.

Actions run in this order: --clear, --unmount, --reserve/--pages, --mount,
--show. --setup SIZE is --clear --unmount --reserve SIZE --mount.

Exit codes: 0 done; 1 failed (a reservation the kernel could not meet is
undone); 2 usage error."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def make_parser():
    p = Parser(prog=PROG, description=DESCRIPTION,
               formatter_class=argparse.RawDescriptionHelpFormatter,
               epilog="SIZE: bytes with K, M or G (512M, 1G). See doc/bind.md.")
    act = p.add_argument_group("actions")
    act.add_argument("-s", "--show", action="store_true",
                     help="show the pools (per page size and NUMA node) and the "
                          "hugetlbfs mounts")
    act.add_argument("-c", "--clear", action="store_true",
                     help="release all reserved pages (of --pagesize if given; "
                          "on --node if given)")
    act.add_argument("-r", "--reserve", metavar="SIZE",
                     help="set the pool to SIZE of pages (on each --node, else "
                          "for the whole machine); may shrink it")
    act.add_argument("--pages", metavar="N", type=int,
                     help="set the pool to N pages (instead of --reserve SIZE)")
    act.add_argument("-m", "--mount", action="store_true",
                     help="mount a hugetlbfs for --pagesize pages (unless one is)")
    act.add_argument("--unmount", action="store_true",
                     help="unmount the hugetlbfs on --directory, else every "
                          "hugetlbfs (of --pagesize if given)")
    act.add_argument("--setup", metavar="SIZE",
                     help="clear, unmount, reserve SIZE and mount")
    p.add_argument("-p", "--pagesize", metavar="SIZE",
                   help="page size (default: the kernel's, Hugepagesize in "
                        "/proc/meminfo)")
    p.add_argument("-n", "--node", type=int, action="append", metavar="NODE",
                   help="NUMA node to reserve on or clear (repeatable)")
    p.add_argument("-d", "--directory", metavar="DIR",
                   help="hugetlbfs mount point (default /dev/hugepages, "
                        "/dev/hugepages-1G for 1G pages)")
    p.add_argument("--user", help="owner of a hugetlbfs --mount mounts (mode 0700)")
    p.add_argument("--group", help="group of it (mode 0770)")
    p.add_argument("--json", action="store_true", help="--show as JSON")
    p.add_argument("--root", default=os.environ.get("SLUICE_SYSFS_ROOT", "/"),
                   help="root prefix for /sys, /proc and /dev (tests; env "
                        "SLUICE_SYSFS_ROOT)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    return p


def show_json(system):
    """--show's data: page sizes, NUMA nodes, pools and mounts."""
    return {
        "default_page_size": fmt_size(default_page_size(system)),
        "page_sizes": [fmt_size(s) for s in page_sizes(system)],
        "nodes": numa_nodes(system),
        "pools": pools(system),
        "mounts": [{"path": m, "page_size": ps} for m, ps in hugetlbfs_mounts(system)],
    }


def print_show(data, out):
    if not data["page_sizes"]:
        out("the kernel has no hugepages (no /sys/kernel/mm/hugepages; "
            "CONFIG_HUGETLBFS off?)")
    else:
        out("Hugepages (page sizes %s; default %s)" % (
            ", ".join(data["page_sizes"]), data["default_page_size"]))
        out("%-6s %-5s %8s %8s %8s" % ("Node", "Size", "Total", "Free", "Surplus"))
        for pl in data["pools"]:
            out("%-6s %-5s %8d %8d %8d" % (
                "all" if pl["node"] is None else pl["node"], pl["page_size_text"],
                pl["total"], pl["free"], pl["surplus"]))
    out("")
    if not data["mounts"]:
        out("hugetlbfs: none mounted")
    for m in data["mounts"]:
        out("hugetlbfs: %s (pagesize %s)" % (m["path"], m["page_size"]))


def clear(system, sizes, nodes, out):
    """Set the pools of SIZES on NODES (None: the whole machine) to 0."""
    if not sizes:
        out("no hugepages to release (the kernel has none)")
        return
    for page in sizes:
        for node in nodes:
            set_pool(system, page, 0, node)
    out("released the %s hugepages%s" % (
        ", ".join(fmt_size(s) for s in sizes),
        "" if nodes == [None] else " on node " + ", ".join(str(n) for n in nodes)))


def unmount(system, directory, page, out):
    """Unmount the hugetlbfs on DIRECTORY, else every one (of PAGE size)."""
    mounts = hugetlbfs_mounts(system)
    if directory is not None:
        d = os.path.normpath(directory)
        if d not in [m for m, _ in mounts]:
            raise Failed("%s is not a hugetlbfs mount (see --show)" % directory)
        targets = [d]
    else:
        targets = [m for m, ps in mounts
                   if page is None or ps == fmt_size(page) or
                   (ps == "default" and page == default_page_size(system))]
    if not targets:
        out("no hugetlbfs to unmount")
    for m in targets:
        unmount_hugetlbfs(system, m, out)


def run(argv, system=None, stdout=None):
    """The whole program; returns the exit code. Tests call this directly."""
    try:
        args = make_parser().parse_intermixed_args(argv)
        if args.setup and (args.reserve or args.pages is not None):
            raise UsageError("--setup SIZE already reserves; leave out "
                             "--reserve/--pages")
        if args.reserve and args.pages is not None:
            raise UsageError("give --reserve SIZE or --pages N, not both")
        if args.json and not args.show:
            raise UsageError("--json goes with --show")
        if args.pages is not None and args.pages < 0:
            raise UsageError("--pages %d: a count of pages is 0 or more" % args.pages)
        if (args.user or args.group) and not (args.mount or args.setup):
            raise UsageError("--user/--group go with --mount or --setup")
        if args.node and any(n < 0 for n in args.node):
            raise UsageError("--node takes a NUMA node number (0, 1, ...)")
        reserving = args.reserve or args.pages is not None or args.setup
        if args.node and not (reserving or args.clear):
            raise UsageError("--node goes with --reserve, --pages, --setup or --clear")
        if not (args.show or args.clear or reserving or args.mount or args.unmount):
            raise UsageError("nothing to do: give --show, --reserve SIZE, --pages N, "
                             "--clear, --mount, --unmount or --setup SIZE (see --help)")
        if system is None:
            system = System(args.root)
        out = Out(stdout, quiet=args.quiet and not args.show, prog=PROG)
        uid, gid = lookup_owner(args.user, args.group)
        page = parse_size(args.pagesize) if args.pagesize else None
        amount = args.setup or args.reserve
        total = parse_size(amount) if amount else None
        if page is not None and page <= 0:
            raise UsageError("--pagesize %s is not a page size" % args.pagesize)
        changing = args.clear or args.setup or reserving or args.mount or args.unmount
        if changing and system.root == "/" and os.geteuid() != 0:
            raise Failed("reserving pages and mounting need root; run it with sudo")
        psize = page if page is not None else default_page_size(system)
        if reserving or args.mount:
            check_page_size(system, psize)
        count = None
        if total is not None:
            if total % psize:
                raise UsageError("%s is not a whole number of %s pages"
                                 % (amount, fmt_size(psize)))
            count = total // psize
        elif args.pages is not None:
            count = args.pages
        nodes = args.node or [None]
        if args.unmount and args.directory is not None and os.path.normpath(
                args.directory) not in [m for m, _ in hugetlbfs_mounts(system)]:
            raise Failed("%s is not a hugetlbfs mount (see --show)" % args.directory)
        if args.clear or args.setup:
            clear(system, [page] if page is not None else page_sizes(system), nodes, out)
        if args.unmount:
            unmount(system, args.directory, page, out)
        elif args.setup:  # every hugetlbfs; -d is where --setup mounts
            unmount(system, None, None, out)
        if count is not None:
            for node in nodes:
                got = set_pool(system, psize, count, node)
                out("%d pages of %s (%s) reserved%s" % (
                    got, fmt_size(psize), fmt_size(got * psize) if got else "0",
                    "" if node is None else " on node %d" % node))
        if args.mount or args.setup:
            mount_hugetlbfs(system, psize, args.directory, uid, gid,
                            owner_name(args.user, args.group), out)
        if args.show:
            data = show_json(system)
            if args.json:
                print(json.dumps(data, indent=1, sort_keys=True), file=out.stream)
            else:
                print_show(data, out)
        return EXIT_OK
    except UsageError as e:
        print("%s: usage error: %s" % (PROG, e), file=sys.stderr)
        return EXIT_USAGE
    except Failed as e:
        print("%s: failed: %s" % (PROG, e), file=sys.stderr)
        return EXIT_FAILED


def main():
    sys.exit(run(sys.argv[1:]))
