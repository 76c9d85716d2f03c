"""``thresholds``: every clinical number of the rule set with its unit, status and source."""

from __future__ import annotations

import argparse

from kit.engine.thresholds import THRESHOLDS, thresholds_markdown

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``thresholds``."""
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table (as in the README)")


def run(args: argparse.Namespace) -> int:
    """Print every threshold (one line each, or a Markdown table)."""
    if args.markdown:
        print(thresholds_markdown())
        return 0
    for t in THRESHOLDS.values():
        print(f"{t.key:30} {t.comparison:>9} {t.value:>8g} {t.unit:18} {t.status:9} {t.source}")
    return 0
