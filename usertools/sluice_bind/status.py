"""--status: the machine as JSON (--json) and as text."""

from .devices import VFIO_PCI
from .resolve import listed


def device_json(machine, state, ids, d):
    backend, reason, open_nodes = machine.backend(d)
    members = []
    for m in machine.group_members(d.group):
        if m != d.bdf:
            md = machine.devices[m]
            members.append({"bdf": m, "driver": md.driver,
                            "interfaces": [i.name for i in md.ifaces]})
    entry = state.devices.get(d.bdf)
    nodes = machine.nodes(d)
    return {
        "bdf": d.bdf,
        "vendor": d.vendor, "device": d.device,
        "vendor_name": ids.vendor(d.vendor), "device_name": ids.device(d.vendor, d.device),
        "class": "%06x" % d.pci_class,
        "driver": d.driver,
        "driver_override": d.override,
        "original_driver": entry.get("driver") if entry else None,
        "original_interfaces": entry.get("ifaces", []) if entry else [],
        "interfaces": [i.to_json() for i in d.ifaces],
        "iommu_group": d.group,
        "noiommu_group": d.noiommu and not d.noiommu_cdev or d.group_name == "vfio-noiommu",
        "noiommu_cdev": d.noiommu_cdev,
        "group_members": members,
        "vfio_nodes": {k: {"path": v, "exists": machine.system.exists(v)}
                       for k, v in nodes.items() if v},
        "backend": backend,
        "backend_reason": reason,
        "backends_offered": machine.backends_offered(d),
        "opens": open_nodes,
        "vfio_refusal": machine.vfio_refusal(backend),
    }


def status_json(machine, state, ids):
    groups = {"kernel_driver": [], "vfio_pci": [], "unbound": []}
    for d in listed(machine, state):
        key = ("vfio_pci" if d.driver == VFIO_PCI else
               "kernel_driver" if d.driver else "unbound")
        groups[key].append(device_json(machine, state, ids, d))
    return {
        "system": {
            "iommu_present": machine.iommu_present,
            "iommu_units": machine.iommu_units,
            "iommufd": machine.iommufd,
            "vfio_container": machine.system.exists("/dev/vfio/vfio"),
            "vfio_groups": machine.vfio_groups,
            "noiommu_mode": ("unavailable" if machine.noiommu_param is None else
                             "enabled" if machine.noiommu_enabled else "disabled"),
            "msi_isolation": {"state": machine.msi_state, "evidence": machine.msi_evidence,
                              "allow_unsafe_interrupts": machine.unsafe_interrupts},
            "vfio_pci": machine.driver_state(VFIO_PCI),
            "pci_ids": ids.loaded_from,
            "state_file": state.path,
        },
        "devices": groups,
    }


def print_status(data, out):
    s = data["system"]
    out("IOMMU: %s; iommufd (/dev/iommu): %s; no-IOMMU mode: %s; vfio-pci: %s" % (
        ("present (%s)" % ", ".join(s["iommu_units"]) if s["iommu_units"]
         else "present") if s["iommu_present"] else "none",
        "yes" if s["iommufd"] else "no", s["noiommu_mode"],
        {"loaded": "loaded", "builtin": "built into the kernel",
         "absent": "not loaded (--bind loads it)"}[s["vfio_pci"]]))
    m = s["msi_isolation"]
    if m["state"] != "unknown":
        out("MSI isolation: %s (%s); allow_unsafe_interrupts: %s" % (
            m["state"], m["evidence"], ", ".join(
                "%s %s" % (k, {True: "Y", False: "N", None: "absent"}[v])
                for k, v in m["allow_unsafe_interrupts"].items())))
    titles = (("kernel_driver", "Network devices on a kernel driver"),
              ("vfio_pci", "Devices on vfio-pci"),
              ("unbound", "Network devices on no driver"))
    for key, title in titles:
        out("")
        out(title)
        out("=" * len(title))
        devs = data["devices"][key]
        if not devs:
            out("(none)")
        for d in devs:
            name = " ".join(x for x in (d["vendor_name"], d["device_name"]) if x)
            ident = "%s:%s" % (d["vendor"], d["device"])
            out("%s  %s" % (d["bdf"], "%s [%s]" % (name, ident) if name else "[%s]" % ident))
            line = "    driver: %s" % (d["driver"] or "none")
            if d["original_driver"] and d["driver"] != d["original_driver"]:
                line += " (was %s%s)" % (d["original_driver"], ", " + ", ".join(
                    d["original_interfaces"]) if d["original_interfaces"] else "")
            out(line)
            for i in d["interfaces"]:
                extra = []
                if i["routes"]:
                    extra.append("%d route(s)" % i["routes"])
                if i["default_route"]:
                    extra.append("default route")
                if i["ssh_sessions"]:
                    extra.append("SSH from " + ", ".join(i["ssh_sessions"]))
                if i["upper"]:
                    extra.append("under " + ", ".join(i["upper"]))
                out("    interface: %s %s%s" % (i["name"], "up" if i["up"] else "down",
                                               " (" + ", ".join(extra) + ")" if extra else ""))
            if d["iommu_group"] is None:
                out("    IOMMU group: none")
            else:
                others = ", ".join("%s (%s)" % (m["bdf"], m["driver"] or "no driver")
                                   for m in d["group_members"]) or "no other members"
                out("    IOMMU group: %s%s; %s" % (
                    d["iommu_group"], " (no-IOMMU)" if d["noiommu_group"] else "", others))
            if d["vfio_nodes"]:
                out("    VFIO nodes: " + ", ".join(
                    v["path"] + ("" if v["exists"] else " (missing)")
                    for v in d["vfio_nodes"].values()))
            out("    backend: %s (%s)" % (d["backend"], d["backend_reason"]))
            if d.get("backends_offered"):
                out("    backends the kernel offers it: " + ", ".join(d["backends_offered"]))
            if d.get("vfio_refusal"):
                out("    REFUSED: " + d["vfio_refusal"])
