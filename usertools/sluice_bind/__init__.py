"""The bind.py package: claim and release NICs for Sluice (vfio-pci), show
their status, set up no-IOMMU mode, permissions and hugepages. Standard
library only. This file only gathers the names programs and tests use;
each module's docstring says its one job:

  report     exit codes, exceptions, Out (messages)
  sysfs      System: every file, write, chown and command, under --root
  pciids     vendor, device and class names
  routes     routing tables and SSH sessions (/proc/net)
  devices    the device model: PCI functions and their interfaces
  msi        MSI isolation and the VFIO refusals it causes
  noiommu    vfio's unsafe no-IOMMU mode
  machine    a snapshot of everything: groups, VFIO nodes, backend choice
  state      the state file (original drivers) and the run lock
  resolve    DEV arguments to PCI addresses
  binding    --bind, --unbind, --restore and their safety refusals
  owners     -u/-g: VFIO nodes for a non-root user, and what else it needs
  hugepages  hugepage pools and hugetlbfs mounts
  status     --status as JSON and text
  cli        bind.py's command line and run()
  hugepages_cli  hugepages.py's command line (sluice-hugepages)
"""

from . import hugepages
from .binding import do_bind, do_release
from .cli import main, make_parser, run
from .devices import (BDF_RE, PCI_DEVICES, PCI_DRIVERS, VFIO_PCI,
                      Device, Iface)
from .machine import GROUP_SAFE_DRIVERS, Machine
from .msi import UNSAFE_INTR_PARAMS, msi_isolation
from .noiommu import NOIOMMU_GROUP_NAME, NOIOMMU_PARAM
from .report import (EXIT_FAILED, EXIT_OK, EXIT_REFUSED,
                     EXIT_ROLLBACK_FAILED, EXIT_USAGE, Failed, Out, Refused,
                     RollbackFailed, UsageError)
from .resolve import listed, resolve
from .state import STATE_FILE, State
from .sysfs import System

__all__ = [
    "hugepages", "do_bind", "do_release", "main", "make_parser", "run",
    "BDF_RE", "PCI_DEVICES", "PCI_DRIVERS", "VFIO_PCI", "Device", "Iface",
    "GROUP_SAFE_DRIVERS", "Machine", "UNSAFE_INTR_PARAMS", "msi_isolation",
    "NOIOMMU_GROUP_NAME", "NOIOMMU_PARAM", "EXIT_FAILED", "EXIT_OK",
    "EXIT_REFUSED", "EXIT_ROLLBACK_FAILED", "EXIT_USAGE", "Failed", "Out",
    "Refused", "RollbackFailed", "UsageError", "listed", "resolve",
    "STATE_FILE", "State", "System",
]
