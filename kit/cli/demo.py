"""``python -m kit demo`` and ``python -m kit thresholds``: readable tables in a terminal."""

from __future__ import annotations

import argparse

from kit.resources import load_cases

__all__ = ["load_cases", "configure", "run_demo", "run_thresholds"]


def configure(parser: argparse.ArgumentParser) -> None:
    """No arguments beyond an optional cases file."""
    if parser.prog.endswith("demo"):
        parser.add_argument("--cases", help="a cases JSON file (default: the public teaching cases)")
    else:
        parser.add_argument("--markdown", action="store_true", help="print a Markdown table (as in the README)")


def run_demo(args: argparse.Namespace) -> int:
    """Assess every teaching case and print one line each."""
    from kit import assess
    from kit.words import DISCLAIMER

    cases = load_cases(getattr(args, "cases", None))
    print(f"{'case':44} {'tier':11} {'leading cause':24} flags")
    for c in cases:
        a = assess(c["observation"])
        print(f"{c['id'][:44]:44} {a.escalation:11} {a.top_cause!s:24} {', '.join(a.flags)}")
    print("\n" + DISCLAIMER)
    return 0


def run_thresholds(args: argparse.Namespace) -> int:
    """Print every threshold with its unit and source."""
    from kit.engine.thresholds import THRESHOLDS, thresholds_markdown

    if getattr(args, "markdown", False):
        print(thresholds_markdown())
        return 0
    for t in THRESHOLDS.values():
        print(f"{t.key:30} {t.comparison:>9} {t.value:>8g} {t.unit:18} {t.status:9} {t.source}")
    return 0
