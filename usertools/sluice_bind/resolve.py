"""DEV arguments to PCI addresses: full or short BDF, interface name (also
one a device had before bind.py took it) or glob, over the devices
--status lists."""

import fnmatch

from .devices import BDF_RE, PCI_DEVICES, SHORT_BDF_RE, VFIO_PCI
from .report import UsageError


def listed(machine, state):
    """Devices --status shows and globs match: network devices, anything on
    vfio-pci, and devices bind.py took."""
    return [d for b, d in sorted(machine.devices.items())
            if d.is_network or d.driver == VFIO_PCI or b in state.devices]


def resolve(machine, state, specs):
    """BDFs for DEV arguments: full or short BDF, interface name, or glob."""
    out = []
    cands = listed(machine, state)
    for spec in specs:
        s = spec.strip()
        found = []
        if any(c in s for c in "*?["):
            sl = s.lower()
            for d in cands:
                names = [d.bdf] + ([d.short_bdf] if d.short_bdf else [])
                names += [i.name for i in d.ifaces]
                names += state.devices.get(d.bdf, {}).get("ifaces", [])
                if any(fnmatch.fnmatchcase(n, s) or fnmatch.fnmatchcase(n, sl)
                       for n in names):
                    found.append(d.bdf)
            if not found:
                raise UsageError("'%s' matched no network device; see --status for "
                                 "the devices and their interface names" % spec)
        elif BDF_RE.match(s) or SHORT_BDF_RE.match(s):
            bdf = s.lower() if BDF_RE.match(s) else "0000:" + s.lower()
            if bdf not in machine.devices:
                raise UsageError("no PCI device %s (not in %s); see --status or "
                                 "lspci -D" % (bdf, PCI_DEVICES))
            found.append(bdf)
        else:
            for d in machine.devices.values():
                if s in [i.name for i in d.ifaces]:
                    found.append(d.bdf)
            if not found:
                for b, e in state.devices.items():
                    if s in e.get("ifaces", []) and b in machine.devices:
                        found.append(b)
            if not found:
                if machine.system.exists("/sys/class/net/" + s):
                    raise UsageError("interface %s is not a PCI device (no "
                                     "/sys/class/net/%s/device)" % (s, s))
                raise UsageError("'%s' is not a PCI address (0000:01:00.0 or "
                                 "01:00.0), an interface name or a glob "
                                 "('0000:00:0[34].0', 'eth*'); see --status" % spec)
        for b in found:
            if b not in out:
                out.append(b)
    return out
