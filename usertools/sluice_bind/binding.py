"""Binding and unbinding: --bind (all devices or none, with the safety
refusals: SSH, routes, non-network devices, IOMMU group members), and
--unbind / --restore (back to the recorded driver, refused while a program
holds the device open)."""

import re
import time

from .devices import PCI_DEVICES, PCI_DRIVERS, VFIO_PCI, net_names
from .owners import restore_owners
from .report import Failed, Refused, RollbackFailed
from .sysfs import write_sysfs


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
