#!/usr/bin/env python3
# bind.py: hand NICs to Sluice (bind them to vfio-pci) and give them back,
# show which VFIO nodes and backend (iommufd, type1, no-IOMMU) a program
# would use, and set up what a non-root user needs. Standard library only.
# The program is the package sluice_bind next to this script (installed:
# PKGDIR below, filled in by meson); this file only finds it and runs it.
"""Entry script of bind.py (installed as sluice-bind); see sluice_bind."""

import os
import sys

# Where meson installed the package, relative to this script; left as the
# placeholder in the source tree, where the package sits next to the script.
PKGDIR = "@SLUICE_PKGDIR@"

here = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, here if PKGDIR.startswith("@") else os.path.join(here, PKGDIR))

from sluice_bind.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
