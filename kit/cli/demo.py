"""``demo``: assess the public teaching cases and print one line each (a readable table in a terminal)."""

from __future__ import annotations

import argparse

from kit import assess
from kit.resources import load_cases
from kit.words import DISCLAIMER, NO_CAUSE_LABEL

__all__ = ["load_cases", "configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``demo``: an optional cases file."""
    parser.add_argument("--cases", help="a cases JSON file (default: the public teaching cases shipped with the kit)")


def run(args: argparse.Namespace) -> int:
    """Assess every teaching case and print one line each, then the disclaimer."""
    cases = load_cases(args.cases)
    print(f"{'case':44} {'tier':11} {'leading cause':24} flags")
    for c in cases:
        a = assess(c["observation"])
        cause = a.top_cause or NO_CAUSE_LABEL  # codes like the tier column; the words of kit.words when none leads
        print(f"{c['id'][:44]:44} {a.escalation:11} {cause:24} {', '.join(a.flags)}")
    print("\n" + DISCLAIMER)
    return 0
