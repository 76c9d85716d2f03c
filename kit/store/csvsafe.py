"""CSV cells that a spreadsheet will not run: one rule for every CSV the kit writes (issue 11 item 3).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line
feed is a formula to Excel, LibreOffice and Google Sheets (OWASP "CSV Injection"):
``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0`` would run when a coach opens the export.
:func:`neutralise` prefixes such a cell with a single quote ``'`` (OWASP's advice), so the
spreadsheet shows it as text. Numbers stay numbers: a cell that is a plain decimal number
(``-4.5``, ``+3``, ``1e-05``) is left alone, so a negative temperature is still a number.

The kit's readers undo the rule (:func:`restore`), so export -> import -> export gives
byte-identical files and a note typed as ``=1+1`` comes back as ``=1+1``. To keep that
exact, a cell that already starts with quotes followed by one of those characters
(``'=x``, ``''+y``) gets one more quote on writing, and reading removes exactly one:

* write: ``"'" * k + c + rest`` (``k >= 0``, ``c`` one of the characters above, not a number)
  becomes ``"'" * (k + 1) + c + rest``; every other cell is written as it is;
* read: ``"'" * (k + 1) + c + rest`` becomes ``"'" * k + c + rest``; every other cell is read as it is.

So the only cells a reader changes are those the writer escaped; a hand-made CSV whose cell
is literally ``'=1+1`` is read as ``=1+1`` (a spreadsheet shows that cell the same way).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["FORMULA_START", "neutralise", "restore", "neutralise_row", "restore_row", "is_number_text"]

#: A cell starting with one of these is read as a formula by spreadsheets (OWASP; LF added: some strip it).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def is_number_text(cell: str) -> bool:
    """Whether ``cell`` is a plain decimal number (``-4.5``, ``1e-05``): written as it is."""
    return _NUMBER.fullmatch(cell) is not None


def _needs_quote(text: str) -> bool:
    """``text`` is ``'``*k + a formula character + ..., and not a number."""
    if text.startswith("'"):
        return text.lstrip("'").startswith(FORMULA_START)
    return text.startswith(FORMULA_START) and not is_number_text(text)


def neutralise(cell: Any) -> Any:
    """The cell as it is safe to write: a formula-like text gets a leading ``'``; anything else unchanged.

    Examples
    --------
    >>> neutralise("=1+1"), neutralise("-4.5"), neutralise("'=x"), neutralise("note"), neutralise(-3)
    ("'=1+1", '-4.5', "''=x", 'note', -3)
    """
    if isinstance(cell, str) and cell and _needs_quote(cell):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """Undo :func:`neutralise` (one ``'`` removed from a cell the writer escaped).

    Examples
    --------
    >>> restore("'=1+1"), restore("''=x"), restore("-4.5"), restore("'plain")
    ('=1+1', "'=x", '-4.5', "'plain")
    """
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_START):
        return cell[1:]
    return cell


def neutralise_row(cells: Iterable[Any]) -> list[Any]:
    """:func:`neutralise` on every cell of a row."""
    return [neutralise(c) for c in cells]


def restore_row(cells: Iterable[str]) -> list[str]:
    """:func:`restore` on every cell of a row."""
    return [restore(c) for c in cells]
