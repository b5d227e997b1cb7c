"""Permissions (-u/-g): handing a device's VFIO nodes to a non-root user or
group, putting shared nodes back, and telling the user what else a
non-root Sluice program needs (memlock limit, hugetlbfs, CAP_SYS_RAWIO)."""

import grp
import pwd
import resource
import stat

from .devices import VFIO_PCI
from .hugepages import hugetlbfs_mounts
from .report import Failed, UsageError


def owner_name(user, group):
    """USER:GROUP as given (either may be None), for messages."""
    return ":".join(x for x in (user, group) if x is not None)


def lookup_owner(user, group):
    """(uid, gid) for -u USER / -g GROUP (names or numbers; -1 when not
    given); UsageError when one does not exist."""
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
    who = owner_name(user, group)
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
        if nodes["iommu"] and backend in ("iommufd", "noiommu-cdev"):
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
    if "noiommu-cdev" in backends:
        lines.append("  - no-IOMMU cdevs need CAP_SYS_RAWIO too (the open and "
                     "IOMMU_IOAS_NOIOMMU_GET_PA check it), but not CAP_SYS_ADMIN: "
                     "physical addresses come from the kernel, not /proc/self/pagemap "
                     "(setcap cap_sys_rawio+ep on the program)")
    return lines
