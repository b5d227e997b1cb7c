#!/usr/bin/env python3
# hugepages.py: show, reserve and clear hugepages and mount hugetlbfs, on
# its own (the hugepage part of bind.py, like DPDK's dpdk-hugepages.py).
# The program is the package sluice_bind next to this script (installed:
# PKGDIR below, filled in by meson); this file only finds it and runs it.
"""Entry script of hugepages.py (installed as sluice-hugepages); see
sluice_bind.hugepages_cli."""

import os
import sys

# Where meson installed the package, relative to this script; left as the
# placeholder in the source tree, where the package sits next to the script.
PKGDIR = "@SLUICE_PKGDIR@"

here = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, here if PKGDIR.startswith("@") else os.path.join(here, PKGDIR))

from sluice_bind.hugepages_cli import main  # noqa: E402

if __name__ == "__main__":
    main()
