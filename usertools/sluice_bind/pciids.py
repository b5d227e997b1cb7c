"""Names for PCI vendors, devices and classes: the pci.ids database and
the class codes --status prints."""




CLASS_NAMES = {
    0x0200: "Ethernet controller", 0x0207: "InfiniBand controller",
    0x0280: "Network controller", 0x0100: "SCSI storage controller",
    0x0106: "SATA controller", 0x0108: "Non-Volatile memory controller",
    0x0300: "VGA compatible controller", 0x0600: "Host bridge",
    0x0601: "ISA bridge", 0x0604: "PCI bridge", 0x0c03: "USB controller",
    0x0c05: "SMBus", 0x0403: "Audio device", 0x0780: "Communication controller",
}


class PciIds:
    """Vendor and device names from the pci.ids database, or None."""

    def __init__(self, system, path=None):
        self.vendors = {}
        self.devices = {}
        self.loaded_from = None
        cands = [path] if path else ["/usr/share/misc/pci.ids",
                                     "/usr/share/hwdata/pci.ids"]
        for c in cands:
            try:
                with open(system.path(c), "r", errors="replace") as f:
                    self._parse(f)
                self.loaded_from = c
                break
            except OSError:
                continue

    def _parse(self, f):
        vendor = None
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("C "):
                break  # the class section follows the vendors
            if not line.startswith("\t"):
                vid, _, name = line.strip().partition("  ")
                vendor = vid.lower()
                self.vendors[vendor] = name.strip()
            elif not line.startswith("\t\t") and vendor:
                did, _, name = line.strip().partition("  ")
                self.devices[(vendor, did.lower())] = name.strip()

    def vendor(self, vid):
        return self.vendors.get(vid)

    def device(self, vid, did):
        return self.devices.get((vid, did))
