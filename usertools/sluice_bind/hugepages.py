"""Hugepages: the pools per page size (and per NUMA node), reserving and
releasing pages, the hugetlbfs mounts, mounting and unmounting them.
Used by bind.py --hugepages and by hugepages.py (sluice-hugepages)."""

import re

from .report import Failed, UsageError
from .sysfs import write_sysfs

HUGEPAGES = "/sys/kernel/mm/hugepages"
NODES = "/sys/devices/system/node"


def hugetlbfs_mounts(system):
    """[(mount point, pagesize option or "default")] from /proc/mounts."""
    out = []
    for line in system.read("/proc/mounts", "").splitlines():
        f = line.split()
        if len(f) >= 4 and f[2] == "hugetlbfs":
            opts = dict((o.split("=", 1) + [""])[:2] for o in f[3].split(","))
            out.append((f[1], opts.get("pagesize", "default")))
    return out


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


def _read_int(system, path):
    try:
        return int(system.read(path, "0") or 0)
    except ValueError:
        return 0


def page_sizes(system):
    """The page sizes the kernel has, in bytes, smallest first."""
    out = []
    for n in system.listdir(HUGEPAGES):
        m = re.match(r"^hugepages-(\d+)kB$", n)
        if m:
            out.append(int(m.group(1)) * 1024)
    return sorted(out)


def default_page_size(system):
    """The kernel's default hugepage size (Hugepagesize in /proc/meminfo);
    2M when it does not say."""
    m = re.search(r"^Hugepagesize:\s+(\d+)\s*kB", system.read("/proc/meminfo", ""), re.M)
    return int(m.group(1)) * 1024 if m else 2 << 20


def numa_nodes(system):
    """NUMA node numbers with hugepage pools (empty without NUMA in sysfs)."""
    out = []
    for n in system.listdir(NODES):
        m = re.match(r"^node(\d+)$", n)
        if m and system.isdir("%s/%s/hugepages" % (NODES, n)):
            out.append(int(m.group(1)))
    return sorted(out)


def pool_dir(page, node=None):
    """The sysfs directory of the pool of PAGE-byte pages (on NODE)."""
    base = HUGEPAGES if node is None else "%s/node%d/hugepages" % (NODES, node)
    return "%s/hugepages-%dkB" % (base, page // 1024)


def check_page_size(system, page):
    """Failed unless the kernel has PAGE-byte hugepages."""
    if not system.isdir(pool_dir(page)):
        sizes = [n[len("hugepages-"):] for n in system.listdir(HUGEPAGES)]
        raise Failed("the kernel has no %s hugepages (sizes it has: %s); choose "
                     "one with --page-size" % (fmt_size(page),
                                               ", ".join(sizes) or "none"))


def pools(system):
    """Every pool: one per page size, and one per size and node when sysfs
    shows NUMA nodes. Dicts with node (None: the whole machine), size,
    total, free, surplus and reserved page counts."""
    out = []
    nodes = numa_nodes(system)
    for page in page_sizes(system):
        for node in [None] + nodes:
            d = pool_dir(page, node)
            if not system.isdir(d):
                continue
            out.append({
                "node": node, "page_size": page, "page_size_text": fmt_size(page),
                "total": _read_int(system, d + "/nr_hugepages"),
                "free": _read_int(system, d + "/free_hugepages"),
                "surplus": _read_int(system, d + "/surplus_hugepages"),
                "reserved": (_read_int(system, d + "/resv_hugepages")
                             if node is None else None),
            })
    return out


def set_pool(system, page, count, node=None):
    """Set the pool of PAGE-byte pages (on NODE) to COUNT pages. Returns
    the count the kernel reached; Failed, with the old count put back, when
    it reserved fewer than asked (memory short or fragmented)."""
    pool = pool_dir(page, node)
    if not system.isdir(pool):
        if node is not None and system.isdir(pool_dir(page)):
            raise Failed("NUMA node %d has no %s hugepage pool (%s); nodes with "
                         "pools: %s" % (node, fmt_size(page), pool, ", ".join(
                             str(n) for n in numa_nodes(system)) or "none"))
        check_page_size(system, page)
    have = _read_int(system, pool + "/nr_hugepages")
    where = "" if node is None else " on node %d" % node
    write_sysfs(system, pool + "/nr_hugepages", str(count),
                "reserving %d pages of %s%s" % (count, fmt_size(page), where))
    got = _read_int(system, pool + "/nr_hugepages")
    if got < count:
        try:
            system.write(pool + "/nr_hugepages", str(have))
        except OSError:
            pass
        raise Failed("the kernel reserved only %d of %d %s pages%s (memory is "
                     "fragmented or short); reserve them at boot with "
                     "'hugepagesz=%s hugepages=%d' on the kernel command line, "
                     "or use hugeadm --pool-pages-min %sB:%d"
                     % (got, count, fmt_size(page), where, fmt_size(page), count,
                        fmt_size(page), count))
    return got


def mount_hugetlbfs(system, page, huge_dir, uid, gid, who, out):
    """Make sure a hugetlbfs for PAGE-byte pages is mounted (on HUGE_DIR,
    default /dev/hugepages or /dev/hugepages-<size>), owned by UID/GID
    (-1: leave) when given; WHO names them in messages."""
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
            out("%s now belongs to %s" % (huge_dir, who))
        return huge_dir
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
    return huge_dir


def unmount_hugetlbfs(system, path, out):
    """Unmount the hugetlbfs on PATH; Failed when umount fails (a program
    still has files open on it)."""
    argv = ["umount", system.path(path)]
    rc, text = system.run(argv)
    if rc != 0:
        raise Failed("'%s' failed: %s (a program may still use it: see "
                     "fuser -m %s)" % (" ".join(argv), text, path))
    out("unmounted hugetlbfs from %s" % path)


def do_hugepages(system, total_text, page_text, huge_dir, uid, gid, who, out):
    """bind.py --hugepages: have at least TOTAL_TEXT of PAGE_TEXT pages
    reserved (it never shrinks the pool), and a hugetlbfs mounted for them."""
    total = parse_size(total_text)
    page = parse_size(page_text)
    check_page_size(system, page)
    if total <= 0 or total % page:
        raise UsageError("--hugepages %s is not a whole number of %s pages"
                         % (total_text, fmt_size(page)))
    count = total // page
    have = _read_int(system, pool_dir(page) + "/nr_hugepages")
    if have >= count:
        out("%d pages of %s already reserved (asked for %d)"
            % (have, fmt_size(page), count))
    else:
        got = set_pool(system, page, count)
        out("reserved %d pages of %s (%s)" % (got, fmt_size(page), fmt_size(total)))
    mount_hugetlbfs(system, page, huge_dir, uid, gid, who, out)
