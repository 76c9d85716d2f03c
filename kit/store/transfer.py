"""Import and export of the observation log, and the sample season (see :mod:`kit.store.db`).

* :class:`LogTransfer` gives :class:`kit.store.db.Store` its ``export``/``export_text`` (CSV or
  JSON with the contract's field names, in the stable order, written atomically) and
  ``import_csv``/``import_json``/``import_records`` (every row validated first; all or
  nothing, or with ``skip_bad`` the good rows stored and the bad ones written to a reject
  file that can be re-imported once fixed), returning an :class:`ImportReport`.
* :class:`LogImportError`: an import file with bad rows, or one that cannot be read.
* :func:`ensure_sample_store`: a store holding the synthetic sample season.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kit.engine.observation import ObservationError, Problem
from kit.resources import sample_log_path
from kit.store.canonical import _dumps, _now_utc, _sort_key, canonical_observation
from kit.store.csvsafe import neutralise_row
from kit.store.private import atomic_write_text, private_dir

if TYPE_CHECKING:
    from kit.store.db import Store

__all__ = ["LogTransfer", "LogImportError", "ImportReport", "ensure_sample_store", "SAMPLE_LOG", "REJECT_COLUMNS"]

#: The synthetic sample season (see data/make_sample_log.py).
SAMPLE_LOG = sample_log_path()
REJECT_COLUMNS = ("source_line", "problems")  # leading columns of a reject file, dropped on re-import
#: Rows read, validated and assessed per chunk of a CSV import (memory stays bounded by this).
IMPORT_CHUNK_ROWS = 2_000
#: From this file size an import assesses its chunks in worker processes.
PARALLEL_FROM_BYTES = 8_000_000
#: Bad rows kept in memory (ImportReport.bad, LogImportError.problems); all are counted and written to the reject file.
MAX_BAD_KEPT = 1_000


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
    n_bad : int
        Number of rejected rows (``bad`` keeps the first :data:`MAX_BAD_KEPT`).
    duplicates : list of int
        Rows (CSV line numbers or JSON item indexes) identical to observations already
        stored (same athlete, observed_at and values) and therefore not stored again
        (unless ``allow_duplicates=True``).
    """

    ids: list[int] = field(default_factory=list)
    bad: list[tuple[int, Any, list[Problem]]] = field(default_factory=list)
    rejects_path: Path | None = None
    duplicates: list[int] = field(default_factory=list)
    n_bad: int = 0

    @classmethod
    def _from_insert(cls, ids: list[int | None], positions: list[int]) -> ImportReport:
        return cls(ids=[i for i in ids if i is not None], duplicates=[p for i, p in zip(ids, positions, strict=True) if i is None])


# --------------------------------------------------------------------------------------------
# import / export (mixed into kit.store.db.Store)


class LogTransfer:
    """Import and export methods of :class:`kit.store.db.Store`.

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
            from kit.store.csvio import write_log_csv

            buf = io.StringIO(newline="")
            write_log_csv(recs, buf)
            return buf.getvalue()
        raise ValueError(f"unknown export format {fmt!r}; allowed: 'csv' or 'json'")

    def _export_with_assessment(self, fmt: str, athlete_id: str | None) -> str:
        """Observations with what was shown (escalation, top cause, flags, rule_set, kit version, saved_at)."""
        from kit.store.csvio import ASSESSMENT_COLUMNS, write_log_csv

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
            CSV as :func:`kit.store.csvio.write_log_csv` writes it (every contract column), or a
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
                rows.append(self._prepare(item, pending=rows))
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
                   rejects: str | os.PathLike[str] | None = None, allow_duplicates: bool = False,
                   chunk_rows: int = IMPORT_CHUNK_ROWS, workers: int | None = None) -> ImportReport:
        """Import a team-log CSV (contract field names as columns, as :func:`kit.store.csvio.read_log_csv` reads).

        Every row is validated (cells, cross-field rules, the store's canonical form and an
        assessment); **all or nothing** unless ``skip_bad``: with ``skip_bad`` the good rows are
        stored and the bad ones written, cell for cell, to a reject file (``rejects``, default
        ``<file>.rejects.csv`` beside the input) with two leading columns, ``source_line`` and
        ``problems``; after fixing, the reject file can be imported as it is. A row identical to
        an observation already stored (same athlete, observed_at and values) is not stored
        again; its line is listed in ``duplicates`` (``allow_duplicates=True`` stores it anyway).

        The file is streamed in bounded memory: rows are read, validated and assessed in chunks
        of ``chunk_rows`` and staged in a temporary table (SQLite's temp file, not memory); only
        when the whole file was read without a bad row (or with ``skip_bad``) are the staged rows
        copied into the log, in one short transaction. A failure at any point stores nothing.
        ``workers`` processes assess the chunks (default: 1 for files under 8 MB, else up to 2).

        Raises
        ------
        LogImportError
            Bad rows (without ``skip_bad``), an unknown or repeated column, or a file that is not
            a readable UTF-8 CSV; nothing is stored. Its ``problems`` hold those of the first
            :data:`MAX_BAD_KEPT` bad rows; the message gives the count of all.
        StoreError
            The store could not be written.
        """
        from kit.store.csvio import open_csv_rows

        path = Path(os.fspath(src))
        n_workers = workers if workers is not None else (1 if _size(path) < PARALLEL_FROM_BYTES else min(2, os.cpu_count() or 1))
        fh = _open_text(path)
        bad_rows: list[tuple[int, Any, list[Problem]]] = []
        n_bad = 0
        rejects_path = (Path(os.fspath(rejects)) if rejects else path.with_name(path.name + ".rejects.csv")) if skip_bad else None
        rej = _RejectWriter(rejects_path) if rejects_path is not None else None
        try:
            with fh, _Staging(self) as staging:
                try:
                    header, rows = open_csv_rows(_lines(fh, path), drop_leading=REJECT_COLUMNS, raw=True)
                    for chunk in _prepared_chunks(rows, header, chunk_rows, n_workers, history=staging.episode):
                        good = [(line, row) for line, row, _, _ in chunk if row is not None]
                        bad = [(line, raw, probs) for line, row, raw, probs in chunk if row is None]
                        if bad:
                            n_bad += len(bad)
                            room = MAX_BAD_KEPT - len(bad_rows)
                            if room > 0:
                                bad_rows.extend((line, dict(zip(header, raw, strict=False)), probs) for line, raw, probs in bad[:room])
                            if rej is not None:
                                rej.write(header, bad)
                        if good and (skip_bad or n_bad == 0):
                            staging.add(good)
                except ObservationError as err:
                    raise LogImportError([Problem(p.field, p.value, p.message, p.row or 1) for p in err.problems],
                                         source=str(path)) from None
                if n_bad and not skip_bad:
                    raise LogImportError([p for _, _, ps in bad_rows for p in ps], source=str(path), what="line", n_bad=n_bad)
                if rej is not None and n_bad:
                    rej.finish()
                ids, lines = staging.commit(source=f"import:{path.name}", skip_stored=not allow_duplicates)
        finally:
            if rej is not None:
                rej.discard()
        report = ImportReport._from_insert(ids, lines)
        report.bad = bad_rows
        report.n_bad = n_bad
        if n_bad:
            report.rejects_path = rejects_path
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


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _open_text(path: Path) -> TextIO:
    """The file opened for streaming (UTF-8, ``newline=""`` as csv needs); LogImportError if it cannot be."""
    try:
        if path.is_dir():
            raise LogImportError([Problem("<file>", None, "is a folder, not a CSV file")], source=str(path))
        return open(path, encoding="utf-8", newline="")
    except FileNotFoundError:
        raise LogImportError([Problem("<file>", None, "does not exist")], source=str(path)) from None
    except OSError as err:
        raise LogImportError([Problem("<file>", None, f"cannot be read: {err.strerror or err}")], source=str(path)) from None


def _lines(fh: TextIO, path: Path) -> Iterator[str]:
    """The file's lines; a byte that is not UTF-8 is a LogImportError naming its position."""
    done = 0
    try:
        for line in fh:
            done += len(line) if line.isascii() else len(line.encode("utf-8", "surrogatepass"))
            yield line
    except UnicodeDecodeError as err:
        raise LogImportError([Problem("<file>", None, f"is not UTF-8 text (near byte {done + err.start})")], source=str(path)) from None
    except OSError as err:
        raise LogImportError([Problem("<file>", None, f"cannot be read: {err.strerror or err}")], source=str(path)) from None


#: Marks a stored assessment that holds the summary of :func:`kit.assess_frame` (an imported row), not the full JSON.
SUMMARY_MARK = "assess_frame"


def assessment_summaries(frame: Any, rule_set: str) -> list[dict[str, Any]]:
    """The stored assessment of each imported row: what :func:`kit.assess_frame` gave for it (``frame``).

    ``escalation``, ``top_cause``, ``scores`` (cause -> score), ``flags`` (sorted),
    ``reassess_in_min`` (``None`` for self_care), ``trend``, ``rule_set`` and ``stored``
    (:data:`SUMMARY_MARK`). The rest of the contract's assessment (actions, evidence,
    reasons...) is computed when shown (:meth:`kit.store.db.Store.assessment_detail`).
    """
    from kit.engine.rules import CAUSES

    split: dict[str, list[str]] = {}
    for f in set(frame["flags"].tolist()):
        split[f] = [x for x in str(f or "").split(";") if x]
    waits = [None if math.isnan(w) else int(w) if w.is_integer() else w for w in frame["reassess_in_min"].astype(float).tolist()]
    scores = zip(*(frame[f"score_{c}"].tolist() for c in CAUSES), strict=True)
    return [{"escalation": e, "top_cause": t, "scores": dict(zip(CAUSES, map(int, sc), strict=True)), "flags": list(split[f]),
             "reassess_in_min": w, "trend": tr, "rule_set": rule_set, "stored": SUMMARY_MARK}
            for e, t, sc, f, w, tr in zip(frame["escalation"].tolist(), frame["top_cause"].tolist(), scores,
                                          frame["flags"].tolist(), waits, frame["trend"].tolist(), strict=True)]


def _canonical(records: list[tuple[int, dict[str, Any]]]) -> tuple[list[tuple[int, dict[str, Any]]], dict[int, list[Problem]]]:
    """Each record validated into the store's canonical form; (good (line, obs), problems by line)."""
    good, bad = [], {}
    for line, rec in records:
        try:
            good.append((line, canonical_observation(rec, fill_time=True)))
        except ObservationError as err:
            bad[line] = list(err.with_row(line).problems)
    return good, bad


def _vector_rows(good: list[tuple[int, dict[str, Any]]]) -> dict[int, tuple[Any, ...]] | None:
    """Stored rows of observations without an episode, assessed at once by :func:`kit.assess_frame`.

    ``None`` when the vectorised engine cannot take the chunk (then each row is assessed alone,
    which names the bad row).
    """
    from kit import __version__
    from kit.engine.assessment import RULE_SET
    from kit.engine.frame import assess_frame
    from kit.store.csvio import records_to_frame

    if not good:
        return {}
    import numpy as np

    try:
        with np.errstate(all="ignore"):
            out = assess_frame(records_to_frame([o for _, o in good]), extra="ignore", progress=False)
        rows = {}
        for (line, obs), summary in zip(good, assessment_summaries(out, RULE_SET), strict=True):
            rows[line] = (obs.get("athlete_id"), obs["observed_at"], _sort_key(obs["observed_at"]), _dumps(obs), _dumps(summary),
                          summary["escalation"], summary["top_cause"], __version__, RULE_SET, None)
        return rows
    except (ObservationError, ArithmeticError, ValueError, TypeError):
        return None


def _prepare_chunk(records: list[tuple[int, dict[str, Any]]],
                   history: Callable[[str], list[dict[str, Any]]] | None = None) -> list[tuple[int, Any, list[Problem]]]:
    """Validate + assess records (a worker's job): (line, stored row or None, problems).

    Rows without an ``episode_id`` are assessed together by :func:`kit.assess_frame` (their
    stored assessment is its summary, see :func:`assessment_summaries`); a row with an
    ``episode_id`` is assessed alone with the full JSON, and ``history(episode_id)`` gives the
    episode's entries stored or staged before this chunk; the chunk's own earlier rows of the
    episode are added here (rechecks, contract v0.2). Without ``history`` (in a worker), rows
    with an ``episode_id`` are returned as ``(line, EPISODE_LATER, [])`` for the caller.
    """
    from kit.store.db import prepare_row

    good, bad = _canonical(records)
    plain = [(line, obs) for line, obs in good if obs.get("episode_id") in (None, "")]
    vector = _vector_rows(plain)
    out: list[tuple[int, Any, list[Problem]]] = []
    mine: dict[str, list[dict[str, Any]]] = {}
    for line, rec in records:
        if line in bad:
            out.append((line, None, bad[line]))
            continue
        if vector is not None and line in vector:
            out.append((line, vector[line], []))
            continue
        eid = rec.get("episode_id")
        if eid not in (None, "") and history is None:
            out.append((line, EPISODE_LATER, []))
            continue
        hist = None
        if history is not None and eid not in (None, ""):
            def hist(e: str, _eid: Any = eid) -> list[dict[str, Any]]:
                return history(e) + mine.get(str(_eid), [])
        try:
            row = prepare_row(rec, None, hist)
            out.append((line, row, []))
            if row[9] is not None:
                mine.setdefault(row[9], []).append(json.loads(row[3]))
        except ObservationError as err:
            out.append((line, None, list(err.with_row(line).problems)))
    return out


#: Placeholder for a row of an episode that a worker leaves to the importing process (it needs the store's history).
EPISODE_LATER = ("episode",)


def _prepare_cells(header: list[str], cells: list[tuple[int, list[str]]],
                   history: Callable[[str], list[dict[str, Any]]] | None = None) -> list[tuple[Any, ...]]:
    """Convert, validate and assess CSV rows as read (a worker's job): (line, stored row or None, raw, problems, record).

    Blank rows are left out. ``raw`` (the cells, formula escaping undone, for the reject file)
    and ``record`` are kept only for a bad row and for a row of an episode left to the importing
    process (:data:`EPISODE_LATER`, when there is no ``history`` here).
    """
    from kit.store.csvio import convert_row

    conv = [r for r in (convert_row(header, c, line) for line, c in cells) if r is not None]
    done = {line: (row, probs) for line, row, probs in _prepare_chunk([(line, rec) for line, rec, _, _ in conv if rec is not None], history)}
    out: list[tuple[Any, ...]] = []
    for line, rec, raw, probs in conv:
        if rec is None:
            out.append((line, None, raw, probs, None))
            continue
        row, more = done[line]
        later = row == EPISODE_LATER
        out.append((line, row, raw if row is None or later else None, more, rec if later else None))
    return out


def _finish_episodes(prepared: list[tuple[Any, ...]],
                     history: Callable[[str], list[dict[str, Any]]] | None) -> list[tuple[int, Any, Any, list[Problem]]]:
    """Assess, in this process and in file order, the episode rows a worker left (:data:`EPISODE_LATER`)."""
    later = [(line, rec) for line, row, _, _, rec in prepared if row == EPISODE_LATER]
    if not later:
        return [(line, row, raw, probs) for line, row, raw, probs, _ in prepared]
    done = {line: (row, probs) for line, row, probs in _prepare_chunk(later, history or (lambda e: []))}
    out = []
    for line, row, raw, probs, _ in prepared:
        if row == EPISODE_LATER:
            row, probs = done[line]
        out.append((line, row, raw, probs))
    return out


def _prepared_chunks(rows: Iterator[tuple[int, list[str]]], header: list[str], size: int,
                     workers: int, history: Callable[[str], list[dict[str, Any]]] | None = None,
                     ) -> Iterator[list[tuple[int, Any, Any, list[Problem]]]]:
    """Chunks of (line, stored row or None, raw cells of a bad row, problems), in file order.

    ``rows`` are the CSV rows as read (:func:`kit.store.csvio.open_csv_rows` with ``raw=True``); with
    ``workers`` > 1 they are converted, validated and assessed in worker processes, at most
    2 x workers chunks in flight. Rows with an ``episode_id`` are assessed in this process,
    chunk after chunk and in file order, so that each recheck gets its episode's earlier
    entries (``history``, stored or staged) as the engine needs them; the other rows of a chunk
    are assessed at once (:func:`kit.assess_frame`).
    """
    if "episode_id" not in header:
        history = None

    def chunks() -> Iterator[list[tuple[int, list[str]]]]:
        buf = []
        for r in rows:
            buf.append(r)
            if len(buf) >= size:
                yield buf
                buf = []
        if buf:
            yield buf

    if workers <= 1:
        for chunk in chunks():  # the caller stages each chunk before asking for the next
            yield _finish_episodes(_prepare_cells(header, chunk, history), history)
        return
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        window: deque[Any] = deque()
        for chunk in chunks():
            window.append(pool.submit(_prepare_cells, header, chunk))
            if len(window) >= 2 * workers:
                yield _finish_episodes(window.popleft().result(), history)
        while window:
            yield _finish_episodes(window.popleft().result(), history)


_STAGE_COLUMNS = ("athlete_id", "observed_at", "observed_sort", "observation_json", "assessment_json", "escalation", "top_cause",
                  "kit_version", "rule_set", "episode_id")


class _Staging:
    """Validated rows of an import, in a TEMP table (on disk) until the whole file was read."""

    def __init__(self, store: Any):
        self.store = store

    def __enter__(self) -> _Staging:
        with self.store._lock:
            db = self.store._db()
            db.execute("PRAGMA temp_store = FILE")
            db.execute("DROP TABLE IF EXISTS temp.import_rows")
            db.execute(f"CREATE TEMP TABLE import_rows (seq INTEGER PRIMARY KEY, line INTEGER NOT NULL, "
                       f"{', '.join(_STAGE_COLUMNS)}, dup INTEGER NOT NULL DEFAULT 0)")
            db.execute("CREATE INDEX temp.ix_import_episode ON import_rows (episode_id)")
        return self

    def __exit__(self, *exc: object) -> None:
        with self.store._lock, contextlib.suppress(Exception):
            self.store._db().execute("DROP TABLE IF EXISTS temp.import_rows")

    def episode(self, episode_id: str) -> list[dict[str, Any]]:
        """The episode's observations stored (current) or staged so far (the history of a recheck)."""
        with self.store._lock:
            db = self.store._db()
            staged = [json.loads(r[0]) for r in db.execute(
                "SELECT observation_json FROM temp.import_rows WHERE episode_id = ? ORDER BY seq", (episode_id,))]
        return self.store.observations_of_episode(episode_id) + staged

    def add(self, good: list[tuple[int, tuple[Any, ...]]]) -> None:
        sql = f"INSERT INTO temp.import_rows (line, {', '.join(_STAGE_COLUMNS)}) VALUES (?{', ?' * len(_STAGE_COLUMNS)})"
        with self.store._lock:
            db = self.store._db()
            try:
                db.execute("BEGIN")
                db.executemany(sql, ((line, *row) for line, row in good))
                db.execute("COMMIT")
            except sqlite3.Error as err:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise self.store._error(err, "stage the imported rows") from None

    def commit(self, *, source: str, skip_stored: bool) -> tuple[list[int | None], list[int]]:
        """Copy the staged rows into the log in one transaction; (ids with None for duplicates, lines)."""
        from kit.store.db import _audit

        cols = ", ".join(_STAGE_COLUMNS)

        def copy(db: sqlite3.Connection) -> tuple[list[int | None], list[int]]:
            before = db.execute("SELECT COALESCE(MAX(id), 0) FROM observations").fetchone()[0]
            if skip_stored:  # compared with what was stored before this import: rows repeated in the file are all kept
                db.execute("UPDATE temp.import_rows SET dup = 1 WHERE EXISTS (SELECT 1 FROM main.observations o "
                           "WHERE o.observed_sort = import_rows.observed_sort AND o.observation_json = import_rows.observation_json)")
            now = _now_utc()
            db.execute(f"INSERT INTO main.observations ({cols}, saved_at, source) SELECT {cols}, ?, ? FROM temp.import_rows "
                       "WHERE dup = 0 ORDER BY seq", (now, source))
            new_ids = iter([r[0] for r in db.execute("SELECT id FROM observations WHERE id > ? ORDER BY id", (before,))])
            ids, lines = [], []
            for line, dup in db.execute("SELECT line, dup FROM temp.import_rows ORDER BY seq"):
                ids.append(None if dup else next(new_ids))
                lines.append(line)
            kept = sum(i is not None for i in ids)
            _audit(db, "import", kept, f"from {source}" + (f"; {len(ids) - kept} duplicates skipped" if kept < len(ids) else ""))
            return ids, lines

        return self.store._transaction(copy, doing="store the imported rows")


class _RejectWriter:
    """Bad rows written as they are found to a 0600 temporary file, renamed to the reject file at the end."""

    def __init__(self, dest: Path):
        self.dest = dest
        self.tmp: Path | None = None
        self.fh: Any = None
        self.w: Any = None

    def write(self, header: list[str], bad: list[tuple[int, list[str], list[Problem]]]) -> None:
        if self.fh is None:
            private_dir(self.dest.parent)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.dest.name}.", suffix=".tmp", dir=self.dest.parent)
            os.fchmod(fd, 0o600)
            self.tmp = Path(tmp)
            self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
            self.w = csv.writer(self.fh, lineterminator="\r\n")  # CRLF: every cell with a line break (even a bare \r) is quoted
            self.w.writerow(neutralise_row([*REJECT_COLUMNS, *header]))
        for line, raw, probs in bad:  # cells as the file meant them, written safe (kit.store.csvsafe): re-import gives the same values
            self.w.writerow(neutralise_row([line, "; ".join(f"{p.field}: {p.message}" for p in probs), *raw]))

    def finish(self) -> None:
        if self.fh is not None:
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
            self.fh = None
            os.replace(self.tmp, self.dest)  # type: ignore[arg-type]
            self.tmp = None

    def discard(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self.tmp = None


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
    from kit.store.csvio import parse_csv_rows
    from kit.store.db import Store, _audit  # kit.store.db imports this module: import it when called

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
