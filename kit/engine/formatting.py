"""Numbers in words: one way to print a threshold and one way to print a measured value.

Used by every layer that writes text for people (evidence labels, reasons, advice, charts,
handouts), so the same number always reads the same.
"""

from __future__ import annotations

import math

__all__ = ["threshold_text", "value_text"]


def threshold_text(x: float) -> str:
    """A threshold as written in the reference: ``70``, ``40.5``, ``18.016`` (no trailing zeros)."""
    return f"{x:g}"


def value_text(x: float | None, digits: int = 1) -> str:
    """A measured value rounded to ``digits`` decimals: ``57.7``, ``3`` (whole numbers without ``.0``).

    ``None`` (unknown) reads ``?``; a non-finite or astronomically large value keeps 4
    significant digits instead of crashing.
    """
    if x is None:
        return "?"
    x = float(x)
    if not math.isfinite(x) or abs(x) >= 1e15:
        return f"{x:.4g}"
    r = round(x, digits)
    return f"{r:g}" if r != int(r) else str(int(r))
