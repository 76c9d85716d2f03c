"""``export``: a worked notebook to one self-contained HTML page (charts interactive, widgets' last state shown).

The conversion is :func:`kit.handout.build.export_notebook`. This module is imported only when
``export`` runs: it needs the ``[lab]`` extra (nbformat, nbconvert).
"""

from __future__ import annotations

import argparse
import sys

from kit.handout.build import export_notebook

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``export``."""
    parser.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb to export")
    parser.add_argument("--out", metavar="DIR",
                        help="output folder (default: next to the notebook), or a path ending in .html for the file itself")
    parser.add_argument("--execute", action="store_true",
                        help="RUN the notebook's code first (saves the widgets' state). The code runs on this computer with "
                             "your rights: use it only for a notebook you trust; without it the saved outputs are exported")
    parser.add_argument("--hide-code", action="store_true", help="leave out the code cells' input")


def run(args: argparse.Namespace) -> int:
    """Export the notebook and print the path written."""
    dest, removed = export_notebook(args.notebook, args.out, execute=args.execute, hide_code=args.hide_code)
    if removed:
        sys.stderr.write(f"note: {removed} web reference(s) (images, stylesheets) were disabled to keep the page offline\n")
    print(dest)
    return 0
