"""Import and export of the observation log, and the sample season (see :mod:`kit.store`).

* :class:`LogTransfer` gives :class:`kit.store.Store` its ``export``/``export_text`` (CSV or
  JSON with the contract's field names, in the stable order, written atomically) and
  ``import_csv``/``import_json``/``import_records`` (every row validated first; all or
  nothing, or with ``skip_bad`` the good rows stored and the bad ones written to a reject
  file that can be re-imported once fixed), returning an :class:`ImportReport`.
* :class:`LogImportError`: an import file with bad rows, or one that cannot be read.
* :func:`ensure_sample_store`: a store holding the synthetic sample season.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kit.csvsafe import neutralise_row, restore_row
from kit.observation import ObservationError, Problem
from kit.private import atomic_write_text
from kit.store_canonical import _now_utc

if TYPE_CHECKING:
    from kit.store import Store

__all__ = ["LogTransfer", "LogImportError", "ImportReport", "ensure_sample_store", "SAMPLE_LOG", "REJECT_COLUMNS"]

#: The synthetic sample season (see data/make_sample_log.py).
SAMPLE_LOG = Path(__file__).resolve().parents[1] / "data" / "sample-team-log.csv"
REJECT_COLUMNS = ("source_line", "problems")  # leading columns of a reject file, dropped on re-import


# --------------------------------------------------------------------------------------------
# errors and results


class LogImportError(ObservationError):
    """An import file with bad rows (or a file that cannot be read as a log); nothing was stored.

    ``problems`` lists every problem; for CSV, ``Problem.row`` is the 1-based line number
    in the file, for JSON the 0-based item index.
    """

    def __init__(self, problems: Iterable[Problem], *, source: str, what: str = "line", n_bad: int | None = None):
        super().__init__(list(problems))
        rows = sorted({p.row for p in self.problems if p.row is not None}, key=lambda r: (str(type(r)), r))
        n = len(rows) if n_bad is None else n_bad
        head = (f"{source}: {n} bad {'row' if what == 'line' else 'item'}{'s' if n != 1 else ''}, nothing was stored"
                if rows else f"{source}: cannot be imported, nothing was stored")
        where = (lambda r: f"line {r}") if what == "line" else (lambda r: f"item [{r}]")
        lines = [f"  - {where(p.row)}: {_clip(p.field, 80)}: {_clip(p.message, 500)}" if p.row is not None
                 else f"  - {_clip(p.field, 80)}: {_clip(p.message, 500)}" for p in self.problems[:100]]
        more = [f"  ... and {len(self.problems) - 100} more"] if len(self.problems) > 100 else []
        self.args = ("\n".join([head, *lines, *more]),)

    def __str__(self) -> str:
        return str(self.args[0])


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


@dataclass
class ImportReport:
    """What an import did.

    Attributes
    ----------
    ids : list of int
        Row ids of the stored observations, in file order.
    bad : list of (row, raw, problems)
        Rejected rows (only with ``skip_bad=True``): CSV line number (or JSON item index),
        the raw cells, the problems.
    rejects_path : Path or None
        Where the rejected rows were written.
    duplicates : list of int
        Rows (CSV line numbers or JSON item indexes) identical to observations already
        stored (same athlete, observed_at and values) and therefore not stored again
        (unless ``allow_duplicates=True``).
    """

    ids: list[int] = field(default_factory=list)
    bad: list[tuple[int, Any, list[Problem]]] = field(default_factory=list)
    rejects_path: Path | None = None
    duplicates: list[int] = field(default_factory=list)

    @classmethod
    def _from_insert(cls, ids: list[int | None], positions: list[int]) -> ImportReport:
        return cls(ids=[i for i in ids if i is not None], duplicates=[p for i, p in zip(ids, positions, strict=True) if i is None])


# --------------------------------------------------------------------------------------------
# import / export (mixed into kit.store.Store)


class LogTransfer:
    """Import and export methods of :class:`kit.store.Store`.

    A mixin: it relies on the store's ``observations``, ``_prepare`` (validate + assess one
    observation into a row) and ``_insert_rows`` (store rows in one transaction).
    """

    def export_text(self, fmt: str, athlete_id: str | None = None, *, with_assessment: bool = False) -> str:
        """The log as CSV or JSON text (see :meth:`export`)."""
        if with_assessment:
            return self._export_with_assessment(fmt, athlete_id)
        recs = self.observations(athlete_id)
        if fmt == "json":
            return json.dumps(recs, ensure_ascii=False, allow_nan=False, indent=2) + "\n"
        if fmt == "csv":
            from kit.io import write_log_csv

            buf = io.StringIO(newline="")
            write_log_csv(recs, buf)
            return buf.getvalue()
        raise ValueError(f"unknown export format {fmt!r}; allowed: 'csv' or 'json'")

    def _export_with_assessment(self, fmt: str, athlete_id: str | None) -> str:
        """Observations with what was shown (escalation, top cause, flags, rule_set, kit version, saved_at)."""
        from kit.io import ASSESSMENT_COLUMNS, write_log_csv

        entries = self.entries(athlete_id)
        if fmt == "json":
            keep = ("id", "observation", "assessment", "rule_set", "kit_version", "saved_at")
            return json.dumps([{k: e[k] for k in keep} for e in entries], ensure_ascii=False, allow_nan=False, indent=2) + "\n"
        if fmt == "csv":
            recs = [{**e["observation"], "escalation": e["assessment"].get("escalation"), "top_cause": e["assessment"].get("top_cause"),
                     "flags": ";".join(sorted(e["assessment"].get("flags") or ())), "rule_set": e["rule_set"],
                     "kit_version": e["kit_version"], "saved_at": e["saved_at"]} for e in entries]
            buf = io.StringIO(newline="")
            write_log_csv(recs, buf, extra=ASSESSMENT_COLUMNS)
            return buf.getvalue()
        raise ValueError(f"unknown export format {fmt!r}; allowed: 'csv' or 'json'")

    def export(self, fmt: str, dest: str | os.PathLike[str] | TextIO | None = None, *, athlete_id: str | None = None,
               with_assessment: bool = False) -> str | None:
        """Export the log with the contract's field names, in the stable order.

        Parameters
        ----------
        fmt : {"csv", "json"}
            CSV as :func:`kit.io.write_log_csv` writes it (every contract column), or a
            JSON list of observation objects (UTF-8, 2-space indent, contract key order).
        dest : path or text stream, optional
            A path is written atomically (temporary file, then rename). ``None`` returns
            the text.
        athlete_id : str, optional
            Only this athlete.
        with_assessment : bool
            Add what was shown: CSV columns ``escalation``, ``top_cause``, ``flags``, ``rule_set``,
            ``kit_version``, ``saved_at`` after the contract's (ignored when imported: rows are
            assessed anew); JSON a list of ``{id, observation, assessment, rule_set, kit_version, saved_at}``
            (for reading, not for import).

        Notes
        -----
        Export, import into an empty store, export again: the two files are byte-identical.
        Writing to ``dest`` is recorded in the audit table (counts only; not on a read-only store).
        """
        text = self.export_text(fmt, athlete_id, with_assessment=with_assessment)
        if dest is None:
            return text
        if hasattr(dest, "write"):
            dest.write(text)  # type: ignore[union-attr]
        else:
            _atomic_write(Path(os.fspath(dest)), text)
        self.record("export", self.count(athlete_id), f"{fmt} {'one athlete' if athlete_id else 'whole log'}")
        return None

    def import_records(self, items: Iterable[Any], *, skip_bad: bool = False, source: str = "import",
                       what: str = "item", allow_duplicates: bool = False) -> ImportReport:
        """Validate every item, then store them in one transaction (all or nothing unless ``skip_bad``).

        An item identical to an observation already stored (same athlete, observed_at and
        values) is skipped and listed in ``duplicates``, unless ``allow_duplicates``.
        """
        items = list(items)
        rows, kept, positions, bad = [], [], [], []
        for i, item in enumerate(items):
            try:
                rows.append(self._prepare(item))
                kept.append(item)
                positions.append(i)
            except ObservationError as err:
                bad.append((i, item, list(err.with_row(i).problems)))
        if bad and not skip_bad:
            raise LogImportError([p for _, _, ps in bad for p in ps], source=source, what=what, n_bad=len(bad))
        report = ImportReport._from_insert(self._insert_rows(rows, source=source, keep=kept, skip_stored=not allow_duplicates,
                                                             action="import"),
                                           positions)
        report.bad = bad
        return report

    def import_json(self, src: str | os.PathLike[str], *, skip_bad: bool = False, allow_duplicates: bool = False) -> ImportReport:
        """Import a JSON file holding one observation object or a list of them."""
        path = Path(os.fspath(src))
        text = _read_text(path, newline=None)
        try:
            data = json.loads(text)
        except RecursionError:
            raise LogImportError([Problem("<file>", None, "is nested too deeply to hold observations")], source=str(path)) from None
        except ValueError as err:
            raise LogImportError([Problem("<file>", None, f"is not valid JSON: {err}")], source=str(path)) from None
        items = data if isinstance(data, list) else [data]
        if not items:
            raise LogImportError([Problem("<file>", None, "holds an empty list: expected at least one observation")], source=str(path))
        return self.import_records(items, skip_bad=skip_bad, source=f"import:{path.name}", allow_duplicates=allow_duplicates)

    def import_csv(self, src: str | os.PathLike[str], *, skip_bad: bool = False,
                   rejects: str | os.PathLike[str] | None = None, allow_duplicates: bool = False) -> ImportReport:
        """Import a team-log CSV (contract field names as columns, as :func:`kit.io.read_log_csv` reads).

        Every row is validated first. If any row is bad, nothing is stored and
        :class:`LogImportError` lists every bad row with its line number, unless
        ``skip_bad``: then the good rows are stored and the bad ones are written to a
        reject file (``rejects``, default ``<file>.rejects.csv`` beside the input) with
        two leading columns, ``source_line`` and ``problems``; after fixing, the reject
        file can be imported as it is. A row identical to an observation already stored
        (same athlete, observed_at and values) is not stored again; its line is listed in
        ``duplicates`` (``allow_duplicates=True`` stores it anyway).

        Raises
        ------
        LogImportError
            Bad rows (without ``skip_bad``), an unknown column, or a file that is not a
            readable UTF-8 CSV; nothing is stored.
        StoreError
            The store could not be written.
        """
        from kit.io import parse_csv_rows

        path = Path(os.fspath(src))
        text = _read_text(path, newline="")
        first = text.split("\n", 1)[0].lstrip("\ufeff").strip().split(",")[:2]
        if tuple(c.strip() for c in first) == REJECT_COLUMNS:
            text = _drop_reject_columns(text, path)
        try:
            good, bad = parse_csv_rows(text)
        except ObservationError as err:
            raise LogImportError([Problem(p.field, p.value, p.message, 1) for p in err.problems], source=str(path)) from None
        except csv.Error as err:
            hint = (f": a cell is longer than {csv.field_size_limit()} characters, far more than any field of the contract allows"
                    if "field larger" in str(err) else f": {err}")
            raise LogImportError([Problem("<file>", None, f"is not a readable CSV file{hint}")], source=str(path)) from None
        # the store's own checks (canonical form, assessment) on the rows the CSV reader accepted
        bad_lines = {line for line, _, _ in bad}
        good_lines = [line for line in _row_lines(text) if line not in bad_lines]
        rows, kept, lines = [], [], []
        for line, rec in zip(good_lines, good, strict=True):
            try:
                rows.append(self._prepare(rec))
                kept.append(rec)
                lines.append(line)
            except ObservationError as err:
                bad.append((line, rec, list(err.with_row(line).problems)))
        bad.sort(key=lambda b: b[0])
        if bad and not skip_bad:
            raise LogImportError([p for _, _, ps in bad for p in ps], source=str(path), what="line", n_bad=len(bad))
        report = ImportReport._from_insert(self._insert_rows(rows, source=f"import:{path.name}", keep=kept, action="import",
                                                             skip_stored=not allow_duplicates), lines)
        if bad:
            report.bad = [(line, raw, probs) for line, raw, probs in bad]
            report.rejects_path = Path(os.fspath(rejects)) if rejects else path.with_name(path.name + ".rejects.csv")
            _write_rejects(report.rejects_path, text, bad)
        return report


# --------------------------------------------------------------------------------------------
# files


def _read_text(path: Path, newline: str | None) -> str:
    try:
        with open(path, encoding="utf-8", newline=newline) as fh:
            return fh.read()
    except FileNotFoundError:
        raise LogImportError([Problem("<file>", None, "does not exist")], source=str(path)) from None
    except UnicodeDecodeError as err:
        raise LogImportError([Problem("<file>", None, f"is not UTF-8 text (byte {err.start})")], source=str(path)) from None
    except OSError as err:
        raise LogImportError([Problem("<file>", None, f"cannot be read: {err.strerror or err}")], source=str(path)) from None


def _row_lines(text: str) -> list[int]:
    """CSV line number (where each record ends) of every non-blank data row, as kit.io numbers them."""
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    return [reader.line_num for row in reader if any(c.strip() for c in row)]


def _drop_reject_columns(text: str, path: Path) -> str:
    """A fixed reject file: drop its two leading columns (source_line, problems)."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as err:
        raise LogImportError([Problem("<file>", None, f"is not a readable CSV file: {err}")], source=str(path)) from None
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")  # CRLF: a cell holding a bare \r stays quoted
    for row in rows:
        w.writerow(row[2:])
    return buf.getvalue()


def _write_rejects(dest: Path, text: str, bad: list[tuple[int, dict[str, Any], list[Problem]]]) -> None:
    """The bad rows, cell for cell as they were in the file, after two columns saying where and what."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    raw_by_line = {}
    wanted = {line for line, _, _ in bad}
    for row in reader:
        if reader.line_num in wanted:
            raw_by_line[reader.line_num] = row
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")  # CRLF: every cell with a line break (even a bare \r) is quoted
    # cells as the file meant them (kit.csvsafe.restore), written safe (neutralise): re-import gives the same values
    w.writerow(neutralise_row([*REJECT_COLUMNS, *restore_row(header)]))
    for line, _, probs in bad:
        w.writerow(neutralise_row([line, "; ".join(f"{p.field}: {p.message}" for p in probs),
                                   *restore_row(raw_by_line.get(line, []))]))
    _atomic_write(dest, buf.getvalue())


def _atomic_write(dest: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never half of it (0600, new folders 0700)."""
    atomic_write_text(dest, text)


# --------------------------------------------------------------------------------------------
# the demo store


def ensure_sample_store(path: str | os.PathLike[str] | None = None, sample: str | os.PathLike[str] | None = None) -> Store:
    """Open the store at ``path`` and, if it holds no observation, import the sample season.

    Parameters
    ----------
    path : path, optional
        The store (default: :func:`default_store_path`). ``make lab`` uses
        ``data/store/postrun.sqlite``.
    sample : path, optional
        The CSV to import (default: ``data/sample-team-log.csv``).

    Returns
    -------
    Store
        Open; safe to call from several processes at once (the check and the import
        are one transaction, so the sample is never imported twice).
    """
    from kit.io import parse_csv_rows
    from kit.store import Store, _audit  # kit.store imports this module: import it when called

    st = Store(path)
    if st.count() > 0:
        return st
    src = Path(os.fspath(sample)) if sample else SAMPLE_LOG
    good, bad = parse_csv_rows(_read_text(src, newline=""))
    if bad:
        raise LogImportError([p for _, _, ps in bad for p in ps], source=str(src), what="line", n_bad=len(bad))
    rows = [st._prepare(r) for r in good]

    def fill(db: sqlite3.Connection) -> int:
        if db.execute("SELECT COUNT(*) FROM observations").fetchone()[0]:
            return 0
        now = _now_utc()
        for r in rows:
            db.execute(Store._INSERT, (*r, now, f"sample:{src.name}"))
        _audit(db, "import", len(rows), f"from sample:{src.name}")
        db.execute("INSERT INTO meta (key, value) VALUES ('sample_imported', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                   (now,))
        return len(rows)

    st._transaction(fill, doing="import the sample team log")
    return st
