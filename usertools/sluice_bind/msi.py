"""MSI isolation and the VFIO refusals it causes: whether /proc/interrupts
shows interrupt remapping (or a GICv3 ITS), and why the kernel will refuse
the iommufd or type1 backend when it does not and allow_unsafe_interrupts
is off."""

import re


# The kernel refuses VFIO (iommufd at VFIO_DEVICE_BIND_IOMMUFD, type1 at
# VFIO_SET_IOMMU) for a device whose MSIs are not isolated (no interrupt
# remapping) unless the backend's parameter is set.
UNSAFE_INTR_PARAMS = (
    ("iommufd", "iommufd", "/sys/module/iommufd/parameters/allow_unsafe_interrupts"),
    ("type1", "vfio_iommu_type1", "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"),
)


def msi_isolation(system):
    """Whether devices' MSIs are isolated, from the interrupt chips the
    kernel lists in /proc/interrupts: ("isolated"|"not isolated"|"unknown",
    evidence). x86 with interrupt remapping names its chips IR-IO-APIC,
    IR-PCI-MSI..., without it IO-APIC, PCI-MSI...; ARM's GICv3 ITS isolates."""
    text = system.read("/proc/interrupts")
    if not text:
        return ("unknown", "no /proc/interrupts")
    if re.search(r"(^|\s)IR-(IO-APIC|PCI-MSI)", text, re.M):
        return ("isolated", "interrupt remapping on (IR- interrupt chips in /proc/interrupts)")
    if re.search(r"ITS-", text):
        return ("isolated", "GICv3 ITS (ITS- interrupt chips in /proc/interrupts)")
    if re.search(r"(^|\s)(IO-APIC|PCI-MSI)", text, re.M):
        return ("not isolated", "no interrupt remapping: /proc/interrupts shows IO-APIC/PCI-MSI "
                "interrupt chips, none with IR-")
    return ("unknown", "no interrupt chip in /proc/interrupts tells")


def unsafe_interrupts(system):
    """{backend: True/False, or None when the parameter does not exist}."""
    out = {}
    for be, _, path in UNSAFE_INTR_PARAMS:
        v = system.read(path)
        out[be] = None if v is None else v in ("Y", "1")
    return out


def vfio_refusal(backend, msi_state, msi_evidence, unsafe):
    """Why the kernel will refuse BACKEND (iommufd/type1) for devices
    here (None when it will not): MSIs not isolated (MSI_STATE, as
    msi_isolation says) and the backend's allow_unsafe_interrupts (UNSAFE,
    as unsafe_interrupts says) not set. Says what the parameters are and
    what setting them costs."""
    if backend not in ("iommufd", "type1") or msi_state != "not isolated":
        return None
    if unsafe.get(backend):
        return None
    now = ", ".join("%s.allow_unsafe_interrupts=%s" % (mod, {True: "Y", False: "N", None: "not present"}[
        unsafe[be]]) for be, mod, _ in UNSAFE_INTR_PARAMS)
    other = "type1" if backend == "iommufd" else "iommufd"
    hint = (" %s is allowed: -a BDF,iommu=%s." % (other, other)
            if unsafe.get(other) else "")
    return ("the kernel will refuse %s for it (VFIO_%s: Operation not permitted): its MSIs are "
            "not isolated (%s). Enable interrupt remapping (an IOMMU with it, not intremap=off), "
            "or, accepting weaker isolation between the device and the host, set "
            "iommufd.allow_unsafe_interrupts=1 / vfio_iommu_type1.allow_unsafe_interrupts=1; "
            "now %s.%s" % (backend, "DEVICE_BIND_IOMMUFD" if backend == "iommufd" else "SET_IOMMU",
                           msi_evidence, now, hint))
