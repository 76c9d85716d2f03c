"""Tables for people: no pandas index, blanks for unknown, numbers as a person writes them, whole texts.

The notebooks show team-log summaries and the thresholds through :class:`Table` instead of a raw
DataFrame: ``70`` not ``70.000``, an empty cell not ``None``/``NaN``, ids turned into words by the
caller (:mod:`kit.words`), and long texts (a threshold's meaning) never cut to "...". Its HTML and
text forms are deterministic, so nbval can check them.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from typing import Any

import numpy as np
import pandas as pd

from kit.engine.formatting import threshold_text
from kit.engine.thresholds import THRESHOLDS
from kit.words import TIER_MEANINGS, TIER_ORDER, tier_headline, tier_label

__all__ = ["Table", "cell_text", "thresholds_for_people", "tier_legend"]

#: Left-aligned cells that wrap (JupyterLab right-aligns table cells by default).
_CSS = ".kit-table td, .kit-table th { text-align: left; vertical-align: top; white-space: normal; }"
#: Widest text table that is padded into columns; wider ones are written one row per line.
_TEXT_WIDTH = 160


def cell_text(x: Any) -> str:
    """One cell as text: unknown -> "", ``True``/``False`` -> yes/no, ``70.0`` -> "70", a date -> ISO."""
    if x is None or x is pd.NA or x is pd.NaT:
        return ""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return "" if math.isnan(x) else threshold_text(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, pd.Timestamp):
        return x.strftime("%Y-%m-%d %H:%M") if (x.hour, x.minute) != (0, 0) else x.strftime("%Y-%m-%d")
    if isinstance(x, dt.datetime):
        return x.strftime("%Y-%m-%d %H:%M")
    if isinstance(x, dt.date):
        return x.isoformat()
    if isinstance(x, np.bool_):
        return "yes" if bool(x) else "no"
    if isinstance(x, np.integer):
        return str(int(x))
    if isinstance(x, np.floating):
        return cell_text(float(x))
    return str(x)


class Table:
    """A DataFrame shown for people (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        The rows to show; the index is dropped, every cell goes through :func:`cell_text`.
    caption : str
        Optional caption above the table.

    Attributes
    ----------
    frame : pandas.DataFrame
        The cells as text (for scripts and tests).
    """

    def __init__(self, df: pd.DataFrame, caption: str = "") -> None:
        self.frame = pd.DataFrame({str(c): [cell_text(v) for v in df[c].tolist()] for c in df.columns})
        self.caption = caption

    def __len__(self) -> int:
        return len(self.frame)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.frame.columns)
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
                       for row in self.frame.itertuples(index=False))
        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (f"<style>{_CSS}</style>"
                f'<table class="kit-table">{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')

    def __repr__(self) -> str:
        head = self.caption + "\n" if self.caption else ""
        if self.frame.empty:
            return head + "(no rows)"
        cols = list(self.frame.columns)
        rows = [cols, *([str(v) for v in r] for r in self.frame.itertuples(index=False))]
        widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
        if sum(widths) + 2 * len(widths) <= _TEXT_WIDTH:
            return head + "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows)
        # too wide to pad: one line per row, cells separated by " | " (the header line names them)
        return head + "\n".join(" | ".join(r) for r in rows)


def thresholds_for_people(keys: list[str] | None = None) -> Table:
    """Every clinical number (or the given keys) as a person reads it: rule, unit, meaning, source, status, key.

    The rule is written as in the README table (``< 70``, ``factor 18.016``), the whole meaning is
    shown, and there is no index.
    """
    rows = [THRESHOLDS[k] for k in keys] if keys is not None else list(THRESHOLDS.values())
    df = pd.DataFrame([{"rule": f"{t.comparison} {threshold_text(t.value)}", "unit": t.unit, "meaning": t.meaning,
                        "source": t.source, "status": t.status, "key": t.key} for t in rows])
    return Table(df)


def tier_legend() -> Table:
    """The five tiers for people, lowest first: icon and title, what it means, what the trainer says aloud."""
    return Table(pd.DataFrame({
        "level": [tier_label(t) for t in TIER_ORDER],
        "what it means": [TIER_MEANINGS[t] for t in TIER_ORDER],
        "the trainer says": [tier_headline(t, "the time shown") for t in TIER_ORDER],
    }))
