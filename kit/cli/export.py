"""``export``: a worked notebook to one self-contained HTML page (charts interactive, widgets' last state shown).

The conversion is :func:`kit.handout.build.export_notebook`. This module is imported only when
``export`` runs: it needs the ``[lab]`` extra (nbformat, nbconvert).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kit.handout.build import export_notebook
from kit.resources import PACKAGE_DATA

__all__ = ["configure", "run", "default_out"]


def default_out(notebook: str, out: str | None) -> str | None:
    """``--out``, else ``None`` (next to the notebook), except for a notebook of the installed package:
    the current folder then (nothing is ever written into the package)."""
    if out is not None:
        return out
    return "." if Path(notebook).resolve().is_relative_to(PACKAGE_DATA.resolve()) else None


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``export``."""
    parser.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb to export")
    parser.add_argument("--out", metavar="DIR",
                        help="output folder (default: next to the notebook; the current folder for a notebook shipped with "
                             "the kit), or a path ending in .html for the file itself")
    parser.add_argument("--execute", action="store_true",
                        help="RUN the notebook's code first (saves the widgets' state). The code runs on this computer with "
                             "your rights: use it only for a notebook you trust; without it the saved outputs are exported")
    parser.add_argument("--hide-code", action="store_true", help="leave out the code cells' input")


def run(args: argparse.Namespace) -> int:
    """Export the notebook and print the path written."""
    dest, removed = export_notebook(args.notebook, default_out(args.notebook, args.out), execute=args.execute, hide_code=args.hide_code)
    if removed:
        sys.stderr.write(f"note: {removed} web reference(s) (images, stylesheets) were disabled to keep the page offline\n")
    print(dest)
    return 0
