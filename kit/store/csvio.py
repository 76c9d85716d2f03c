"""Team-log files: CSV with the contract's field names as columns.

:func:`read_log_csv` reads every cell as text and converts it by the field table
(:data:`kit.engine.fields.FIELDS`), reporting every bad cell with its CSV line number; an empty
cell is unknown. :func:`write_log_csv` writes a log in a stable, documented format so
that export -> import -> export gives byte-identical files.

Cell formats: yes/no fields ``true``/``false`` (also accepted on reading: yes/no, 1/0,
any case); numbers as plain decimals; ``treatment_given`` as action ids joined by ``;``;
empty = unknown. A text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``,
``@``, tab, CR, LF first) is written with a leading ``'`` and read back without it (:mod:`kit.store.csvsafe`).
"""

from __future__ import annotations

import csv
import functools
import io
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kit.engine.fields import ACTIONS_SEPARATOR, FIELD_NAMES, FIELDS, FieldSpec, number_from_text, split_actions
from kit.engine.ids import normalise_athlete_id
from kit.engine.observation import ObservationError, Problem, _actions, _cross_field, suggest_field
from kit.store.csvsafe import neutralise_row, restore, restore_row
from kit.store.private import open_private, writing

if TYPE_CHECKING:  # pandas is imported only by the functions that build frames (fast CLI start)
    import pandas as pd

__all__ = ["ASSESSMENT_COLUMNS", "read_log_csv", "parse_csv_rows", "open_csv_rows", "write_log_csv", "records_to_frame", "frame_to_records", "format_cell"]

#: Columns ``kit log export --with-assessment`` adds after the contract's: what was shown, not observations.
#: Readers ignore them (an import assesses each row anew).
ASSESSMENT_COLUMNS = ("escalation", "top_cause", "flags", "rule_set", "kit_version", "saved_at")

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def _convert(spec: FieldSpec, text: str) -> tuple[Any, str | None]:
    """Convert one CSV cell; returns (value, error message or None)."""
    t = text.strip()
    if t == "":
        return None, None
    if spec.kind == "actions":
        ids, problem = _actions(spec, t, text=True)
        return (None, problem.message) if problem is not None else (list(ids), None)
    value: Any = t  # the cell as a Python value, then the field table's one check (kit.engine.fields)
    if spec.kind == "bool":
        value = True if t.lower() in _TRUE else False if t.lower() in _FALSE else t
    elif spec.kind in ("number", "int"):
        value = number_from_text(t)  # the one reading of a number's text (form boxes too): 12 stays 12, not 12.0
    elif spec.kind == "str":  # free text: kept exactly as entered (not stripped)
        value = text
        if spec.name == "athlete_id":  # kit.engine.ids' rule (NFC, no control characters)
            try:
                value = normalise_athlete_id(text)
            except ValueError as exc:
                return None, str(exc)
    message = spec.problem(value)
    if message is not None:
        return None, message
    return (float(value) if spec.kind == "number" else value), None


#: One parsed CSV row: (line, record or None when bad, raw cells, problems).
CsvRow = tuple[int, "dict[str, Any] | None", list[str], list[Problem]]


def open_csv_rows(lines: Iterable[str], *, extra: str = "error",
                  drop_leading: Sequence[str] = (), raw: bool = False) -> tuple[list[str], Iterator[Any]]:
    """Read a CSV header now and its rows lazily (bounded memory for any file size).

    Parameters
    ----------
    lines : iterable of str
        The CSV text as lines (a file opened with ``newline=""``, or ``io.StringIO``).
    extra : {"error", "ignore"}
        Unknown columns are an error, or ignored.
    drop_leading : sequence of str
        When the header starts with exactly these columns (a reject file's ``source_line``,
        ``problems``), they are dropped from the header and every row.
    raw : bool
        Yield ``(line, cells)`` as read (leading columns dropped) instead: the caller converts
        them with :func:`convert_row` (e.g. in worker processes).

    Returns
    -------
    header : list of str
        Column names (kit formula escaping undone, blanks and BOM stripped).
    rows : iterator of (line, record, raw, problems)
        Every non-blank row: its 1-based CSV line number (where the record ends), the converted
        record (``None`` when the row has problems), its raw cells, and its problems.

    Raises
    ------
    ObservationError
        For problems with the header (repeated columns; unknown columns when ``extra="error"``),
        at once; for a row that cannot be read as CSV, when the iterator reaches it.
    """
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return [], iter(())
    except csv.Error as exc:
        raise ObservationError([Problem("<csv>", None, f"the header cannot be read as CSV: {exc}", 1)]) from None
    header = [h.strip() for h in restore_row(h.lstrip("\ufeff") for h in header)]
    drop = len(drop_leading) if drop_leading and tuple(header[:len(drop_leading)]) == tuple(drop_leading) else 0
    header = header[drop:]
    problems = []
    if len(header) == 1 and extra == "error":  # Excel in some locales saves "CSV" with ';' or tabs
        for sep, name in ((";", "semicolons"), ("\t", "tabs")):
            parts = [h.strip() for h in header[0].split(sep)]
            if len(parts) > 1 and sum(p in FIELDS for p in parts) >= len(parts) / 2:
                raise ObservationError([Problem("<csv>", None, f"this file separates columns with {name}, not commas: "
                                                "save it as 'CSV UTF-8 (comma delimited)'", 1)])
    repeated = sorted(h for h, n in Counter(header).items() if n > 1 and h)
    if repeated:  # the later cell would silently win (e.g. a row stored under the wrong athlete)
        names = ", ".join(repr(h) for h in repeated)
        raise ObservationError([Problem("<csv>", None, f"the header names {'a column' if len(repeated) == 1 else 'columns'} "
                                        f"more than once ({names}); each column may appear only once", 1)])
    for h in header:
        if h not in FIELDS and h not in ASSESSMENT_COLUMNS and extra == "error":
            hint = suggest_field(h)
            problems.append(Problem(h, None, "column is not a field of the contract" + (f"; did you mean {hint!r}?" if hint else "")))
    if problems:
        raise ObservationError(problems)
    return header, (_cells(reader, drop) if raw else _rows(reader, header, drop))


def _rows(reader: Any, header: list[str], drop: int) -> Iterator[CsvRow]:
    for line, cells in _cells(reader, drop):
        row = convert_row(header, cells, line)
        if row is not None:
            yield row


def _cells(reader: Any, drop: int) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every row as read (the leading ``drop`` cells removed), not yet converted."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a cell over the csv module's field size limit
            why = (f"a cell is longer than {csv.field_size_limit()} characters, far more than any field of the contract allows"
                   if "field larger" in str(exc) else str(exc))
            raise ObservationError([Problem("<csv>", None, f"cannot be read as CSV: {why}", reader.line_num)]) from None
        yield reader.line_num, row[drop:]


def convert_row(header: Sequence[str], cells: list[str], line: int) -> CsvRow | None:
    """One CSV row (cells as read, under ``header``) converted and checked, as :func:`open_csv_rows` yields it.

    ``None`` for a blank row. Pure (a worker process can run it on rows read by another).
    """
    row = [restore(c) if c[:1] == "'" else c for c in cells]  # undo the kit's formula escaping (kit.store.csvsafe)
    if not any(c.strip() for c in row):
        return None
    rec: dict[str, Any] = {}
    row_problems = []
    if len(row) != len(header):
        row_problems.append(Problem("<row>", len(row), f"has {len(row)} cells, the header has {len(header)}", line))
    for (name, spec, quick), cell in zip(_columns(tuple(header)), row, strict=False):
        if not cell or spec is None:  # an empty cell is unknown (as _convert says), the common case; an unknown column is ignored
            continue
        value = quick(cell) if quick is not None else None
        if value is not None:  # the common, plainly valid cell: what _convert gives, fewer steps
            rec[name] = value
            continue
        value, err = _convert(spec, cell)
        if err:
            row_problems.append(Problem(name, cell, err, line))
        elif value is not None:
            rec[name] = value
    if not row_problems:  # every cell passed its field's rule: the cross-field rules remain
        row_problems = [Problem(p.field, p.value, p.message, line) for p in _cross_field(rec, rec)]
    return line, (None if row_problems else rec), row, row_problems


#: Yes/no cells as the kit writes them (and their common spellings): exactly what :func:`_convert` gives them.
_BOOL_CELLS = {c: v for v, words in ((True, _TRUE), (False, _FALSE)) for w in words for c in (w, w.upper(), w.capitalize())}


def _quick(spec: FieldSpec) -> Callable[[str], Any] | None:
    """A converter for the plainly valid cells of ``spec`` (``None`` for any other cell: :func:`_convert` decides), or ``None``."""
    if spec.kind == "bool":
        return _BOOL_CELLS.get
    if spec.kind == "choice":
        choices = frozenset(spec.choices or ())
        return lambda cell: cell if cell in choices else None
    if spec.kind in ("number", "int"):
        lo, hi, lo_open, whole = spec.lo, spec.hi, spec.lo_exclusive, spec.kind == "int"

        def number(cell: str) -> float | int | None:
            try:
                x = float(cell)  # float() ignores surrounding whitespace as str.strip() does
            except ValueError:
                return None
            if not math.isfinite(x) or (lo is not None and (x <= lo if lo_open else x < lo)) or (hi is not None and x > hi):
                return None
            if whole:
                return int(x) if x.is_integer() else None
            return x

        return number
    return None


@functools.lru_cache(maxsize=16)
def _columns(header: tuple[str, ...]) -> list[tuple[str, FieldSpec | None, Callable[[str], Any] | None]]:
    """Each column's name, field (``None``: not a field) and quick converter (:func:`_quick`)."""
    return [(name, FIELDS.get(name), _quick(FIELDS[name]) if name in FIELDS else None) for name in header]


def parse_csv_rows(text: str, *, extra: str = "error") -> tuple[list[dict[str, Any]], list[tuple[int, dict[str, Any], list[Problem]]]]:
    """Parse CSV text into observation mappings (all in memory; :func:`open_csv_rows` streams).

    Returns
    -------
    good : list of dict
        Converted rows with no problem (only known cells are present).
    bad : list of (line, raw_row, problems)
        Rows with at least one problem; ``line`` is the 1-based CSV line number.

    Raises
    ------
    ObservationError
        For problems with the header (unknown columns, when ``extra="error"``).
    """
    header, rows = open_csv_rows(io.StringIO(text), extra=extra)
    good, bad = [], []
    for line, rec, raw, problems in rows:
        if rec is None:
            bad.append((line, dict(zip(header, raw, strict=False)), problems))
        else:
            good.append(rec)
    return good, bad


def read_log_csv(path: str | Path, *, extra: str = "error") -> pd.DataFrame:
    """Read a team-log CSV into a DataFrame ready for :func:`kit.assess_frame`.

    Raises
    ------
    ObservationError
        Listing every bad cell with its CSV line number (``Problem.row``) and field.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    good, bad = parse_csv_rows(text, extra=extra)
    if bad:
        raise ObservationError([p for _, _, probs in bad for p in probs])
    return records_to_frame(good)


def records_to_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Observation mappings to a DataFrame with one column per contract field that occurs.

    Yes/no columns hold True/False/None (object dtype); numbers are float64 with NaN for
    unknown; text stays text.
    """
    import pandas as pd  # ~1 s to load (measured), so only when a frame is built: reading and writing CSV (kit log) start fast

    records = list(records)
    present = {k for r in records for k, v in r.items() if v is not None}
    names = [n for n in FIELD_NAMES if n in present]
    cols: dict[str, Any] = {}
    for n in names:
        spec = FIELDS[n]
        values = [r.get(n) for r in records]
        if spec.kind in ("number", "int"):
            cols[n] = pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")
        else:
            cols[n] = pd.Series(values, dtype=object)
    return pd.DataFrame(cols, index=pd.RangeIndex(len(records)))


def frame_to_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows back to observation mappings (unknown cells left out)."""
    out = []
    names = [c for c in df.columns if c in FIELDS]
    for row in df[names].itertuples(index=False, name=None):
        rec = {}
        for n, v in zip(names, row, strict=True):
            if v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ == "NAType":
                continue
            if FIELDS[n].kind == "int":
                v = int(v)
            elif FIELDS[n].kind == "actions":  # a ";"-joined cell or a list (Parquet: an array)
                v = split_actions(v) if isinstance(v, str) else [x.item() if hasattr(x, "item") else x for x in v]
            elif hasattr(v, "item"):
                v = v.item()
            rec[n] = v
        out.append(rec)
    return out


def format_cell(spec: FieldSpec, v: Any) -> str:
    """One value as a CSV cell, in the stable format."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if spec.kind == "bool":
        return "true" if v else "false"
    if spec.kind == "int":
        return str(int(v))
    if spec.kind == "number":
        x = float(v)
        return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)
    if spec.kind == "actions" and not isinstance(v, str):
        return ACTIONS_SEPARATOR.join(v)
    return str(v)


def write_log_csv(records: Iterable[Mapping[str, Any]], dest: str | Path | io.TextIOBase, *, extra: Sequence[str] = ()) -> None:
    """Write observations as CSV: every contract field as a column, in contract order, then the ``extra`` columns (as text)."""
    if isinstance(dest, (str, Path)):
        with writing(dest), open_private(dest, "w", encoding="utf-8", newline="") as fh:  # 0600; kit.errors.WriteError if it cannot be written
            _write_log_rows(records, fh, extra)
    else:
        _write_log_rows(records, dest, extra)


def _write_log_rows(records: Iterable[Mapping[str, Any]], fh: Any, extra: Sequence[str]) -> None:
    w = csv.writer(fh, lineterminator="\n")
    # QUOTE_MINIMAL does not quote a bare "\r" when the line terminator is "\n": such rows are
    # written with every cell quoted, so they read back exactly
    w_all = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
    w.writerow([*FIELD_NAMES, *extra])
    for r in records:
        cells = neutralise_row([*(format_cell(FIELDS[n], r.get(n)) for n in FIELD_NAMES),  # no formulas (kit.store.csvsafe)
                                *("" if r.get(c) is None else str(r.get(c)) for c in extra)])
        (w_all if any("\r" in c for c in cells) else w).writerow(cells)
