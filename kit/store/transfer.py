"""Import and export of the observation log (see :mod:`kit.store.db`).

* :func:`export_text` / :func:`export`: the log as CSV or JSON with the contract's field names,
  in the stable order (a path is written atomically).
* :func:`import_csv` / :func:`import_json` / :func:`import_records`: every row validated first;
  all or nothing, or with ``skip_bad`` the good rows stored and the bad ones written to a reject
  file that can be re-imported once fixed; an :class:`ImportReport` says what was done.
* :class:`LogImportError`: an import file with bad rows, or one that cannot be read.

Each function takes the store as its first argument: what it needs of one is the protocol
:class:`LogStore`, which :class:`kit.store.db.Store` satisfies; the store's methods of the same
names call these functions. So this module depends on no other module of the store that
depends on it (``kit.store.db`` imports this one, never the other way round).

A CSV import runs in two passes over the rows (:func:`import_csv`): first every row is read,
converted and validated once (:func:`kit.store.csvio.convert_row`, then
:func:`kit.store.canonical.canonical_from_cells`), the rows without an episode assessed together
(:func:`kit.assess_frame`) and everything staged on disk; then the rows of each episode are
assessed in file order with the episode's earlier entries as history (contract v0.2 rechecks).
Both passes run in worker processes for a large file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import math
import multiprocessing as mp
import os
import sqlite3
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO, TypeVar

import numpy as np

from kit.engine import assessment as engine  # looked up at each call, so a stand-in engine (tests) is used too
from kit.engine.episodes import parse_time
from kit.engine.observation import ObservationError, Problem, parse_observation
from kit.engine.rules import CAUSES, RULE_SET
from kit.resources import sample_log_path
from kit.store.audit import audit
from kit.store.canonical import _dumps, _now_utc, _sort_key, canonical_from_cells, canonical_observation
from kit.store.csvio import ASSESSMENT_COLUMNS, CsvRow, convert_row, open_csv_rows, records_to_frame, write_log_csv
from kit.store.csvsafe import neutralise_row
from kit.store.private import atomic_write_text, private_dir, writing
from kit.store.rows import ROW_COLUMNS, row_of, row_with

__all__ = ["LogStore", "LogImportError", "ImportReport", "SAMPLE_LOG", "REJECT_COLUMNS", "SUMMARY_MARK",
           "export_text", "export", "import_records", "import_json", "import_csv", "assessment_summaries"]

#: The synthetic sample season (see data/make_sample_log.py).
SAMPLE_LOG = sample_log_path()
REJECT_COLUMNS = ("source_line", "problems")  # leading columns of a reject file, dropped on re-import
#: Rows read, validated and assessed per chunk of a CSV import (memory stays bounded by this).
IMPORT_CHUNK_ROWS = 2_000
#: From this file size an import assesses its chunks in worker processes.
PARALLEL_FROM_BYTES = 8_000_000
#: Bad rows kept in memory (ImportReport.bad, LogImportError.problems); all are counted and written to the reject file.
MAX_BAD_KEPT = 1_000

T = TypeVar("T")


class LogStore(Protocol):
    """What import and export need of a store (:class:`kit.store.db.Store` is one)."""

    path: Path
    _lock: Any

    def observations(self, athlete_id: str | None = None) -> list[dict[str, Any]]: ...

    def entries(self, athlete_id: str | None = None, *, include_superseded: bool = False,
                episode_id: str | None = None) -> list[dict[str, Any]]: ...

    def observations_of_episode(self, episode_id: str) -> list[dict[str, Any]]: ...

    def count(self, athlete_id: str | None = None) -> int: ...

    def record(self, action: str, rows: int, detail: str = "") -> bool: ...

    def _prepare(self, observation: Mapping[str, Any], assessment: Any = None,
                 pending: list[tuple[Any, ...]] | None = None) -> tuple[Any, ...]: ...

    def _insert_rows(self, rows: list[tuple[Any, ...]], *, source: str | None, keep: Any,
                     skip_stored: bool = False, action: str = "add") -> list[int | None]: ...

    def _transaction(self, fn: Callable[[sqlite3.Connection], T], *, doing: str, observation: Any = None) -> T: ...

    def _db(self) -> sqlite3.Connection: ...

    def _error(self, err: BaseException, doing: str, observation: Any = None) -> Exception: ...


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

        def where(r: Any) -> str:
            return f"line {r}" if what == "line" else f"item [{r}]"

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
# export


def export_text(store: LogStore, fmt: str, athlete_id: str | None = None, *, with_assessment: bool = False) -> str:
    """The log as CSV or JSON text (see :func:`export`)."""
    if fmt not in ("csv", "json"):
        raise ValueError(f"unknown export format {fmt!r}; allowed: 'csv' or 'json'")
    extra: tuple[str, ...] = ()
    if with_assessment:
        entries = store.entries(athlete_id)
        if fmt == "json":
            keep = ("id", "observation", "assessment", "rule_set", "kit_version", "saved_at")
            recs: list[dict[str, Any]] = [{k: e[k] for k in keep} for e in entries]
        else:
            recs = [{**e["observation"], "escalation": e["assessment"].get("escalation"), "top_cause": e["assessment"].get("top_cause"),
                     "flags": ";".join(sorted(e["assessment"].get("flags") or ())), "rule_set": e["rule_set"],
                     "kit_version": e["kit_version"], "saved_at": e["saved_at"]} for e in entries]
            extra = ASSESSMENT_COLUMNS
    else:
        recs = store.observations(athlete_id)
    if fmt == "json":
        return json.dumps(recs, ensure_ascii=False, allow_nan=False, indent=2) + "\n"
    buf = io.StringIO(newline="")
    write_log_csv(recs, buf, extra=extra)
    return buf.getvalue()


def export(store: LogStore, fmt: str, dest: str | os.PathLike[str] | TextIO | None = None, *, athlete_id: str | None = None,
           with_assessment: bool = False) -> str | None:
    """Export the log with the contract's field names, in the stable order.

    Parameters
    ----------
    store : LogStore
        The log.
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
    text = export_text(store, fmt, athlete_id, with_assessment=with_assessment)
    if dest is None:
        return text
    if isinstance(dest, (str, os.PathLike)):
        atomic_write_text(Path(os.fspath(dest)), text)  # 0600, readers see the old or the new content, never half
    else:
        dest.write(text)
    store.record("export", store.count(athlete_id), f"{fmt} {'one athlete' if athlete_id else 'whole log'}")
    return None


# --------------------------------------------------------------------------------------------
# import


def import_records(store: LogStore, items: Iterable[Any], *, skip_bad: bool = False, source: str = "import",
                   what: str = "item", allow_duplicates: bool = False) -> ImportReport:
    """Validate every item, then store them in one transaction (all or nothing unless ``skip_bad``).

    An item identical to an observation already stored (same athlete, observed_at and
    values) is skipped and listed in ``duplicates``, unless ``allow_duplicates``.
    """
    rows: list[tuple[Any, ...]] = []
    kept: list[Any] = []
    positions: list[int] = []
    bad: list[tuple[int, Any, list[Problem]]] = []
    for i, item in enumerate(list(items)):
        try:
            rows.append(store._prepare(item, pending=rows))
            kept.append(item)
            positions.append(i)
        except ObservationError as err:
            bad.append((i, item, list(err.with_row(i).problems)))
    if bad and not skip_bad:
        raise LogImportError([p for _, _, ps in bad for p in ps], source=source, what=what, n_bad=len(bad))
    ids = store._insert_rows(rows, source=source, keep=kept, skip_stored=not allow_duplicates, action="import")
    report = ImportReport._from_insert(ids, positions)
    report.bad = bad
    return report


def import_json(store: LogStore, src: str | os.PathLike[str], *, skip_bad: bool = False, allow_duplicates: bool = False) -> ImportReport:
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
    return import_records(store, items, skip_bad=skip_bad, source=f"import:{path.name}", allow_duplicates=allow_duplicates)


def import_csv(store: LogStore, src: str | os.PathLike[str], *, skip_bad: bool = False,
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

    The file is streamed in bounded memory, in two passes. First the rows are read, validated
    and (those without an episode) assessed in chunks of ``chunk_rows`` and staged in a
    temporary table (SQLite's temp file, not memory). Then the staged rows of each episode are
    assessed in file order, each with the episode's entries stored or staged before it as
    history. Only when the whole file was read without a bad row (or with ``skip_bad``) are the
    staged rows copied into the log, in one short transaction. A failure at any point stores
    nothing. ``workers`` processes do both passes (default: 1 for files under 8 MB, else up to 2).

    Raises
    ------
    LogImportError
        Bad rows (without ``skip_bad``), an unknown or repeated column, or a file that is not
        a readable UTF-8 CSV; nothing is stored. Its ``problems`` hold those of the first
        :data:`MAX_BAD_KEPT` bad rows; the message gives the count of all.
    StoreError
        The store could not be written.

    Notes
    -----
    The reject file lists the bad rows in file order, except a row of an episode that passed
    validation but could not be assessed (a number so large the engine overflows): found in
    the second pass, it comes after the others (its ``source_line`` says where it was).
    """
    path = Path(os.fspath(src))
    n_workers = workers if workers is not None else (1 if _size(path) < PARALLEL_FROM_BYTES else min(2, os.cpu_count() or 1))
    fh = _open_text(path)
    rejects_path = (Path(os.fspath(rejects)) if rejects else path.with_name(path.name + ".rejects.csv")) if skip_bad else None
    rej = _RejectWriter(rejects_path) if rejects_path is not None else None
    try:
        with fh, _Staging(store) as staging, _pool(n_workers) as pool:
            try:
                header, rows = open_csv_rows(_lines(fh, path), drop_leading=REJECT_COLUMNS, raw=True)
                bads = _BadRows(header, rej)
                for chunk in _in_order(pool, _prepare_cells, ((header, c) for c in _batches(rows, chunk_rows)), n_workers):
                    bads.add([(line, raw, probs) for line, row, raw, probs in chunk if row is None])
                    # rows without an episode are staged while they may be stored; episode rows always (the history of the next pass)
                    staging.add([(line, row, raw) for line, row, raw, _ in chunk
                                 if row is not None and (row[4] is None or skip_bad or not bads.n)])
            except ObservationError as err:
                raise LogImportError([Problem(p.field, p.value, p.message, p.row or 1) for p in err.problems],
                                     source=str(path)) from None
            for done in _in_order(pool, _assess_episodes, ((t,) for t in staging.episode_tasks(chunk_rows)), n_workers):
                bads.add(staging.assessed(done))
            if bads.n and not skip_bad:
                raise LogImportError([p for _, _, ps in bads.kept for p in ps], source=str(path), what="line", n_bad=bads.n)
            if rej is not None and bads.n:
                rej.finish()
            ids, lines = staging.commit(source=f"import:{path.name}", skip_stored=not allow_duplicates)
    finally:
        if rej is not None:
            rej.discard()
    report = ImportReport._from_insert(ids, lines)
    report.bad = bads.kept
    report.n_bad = bads.n
    if bads.n:
        report.rejects_path = rejects_path
    return report


# --------------------------------------------------------------------------------------------
# the two passes of a CSV import (the work a worker process does)


def _batches(rows: Iterator[T], size: int) -> Iterator[list[T]]:
    """``rows`` in lists of ``size`` (the last one shorter)."""
    while batch := list(itertools.islice(rows, size)):
        yield batch


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[Executor | None]:
    """``workers`` processes (forked where the platform can), or ``None`` for one (work done in this process)."""
    if workers <= 1:
        yield None
        return
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        yield pool


def _in_order(pool: Executor | None, fn: Callable[..., T], jobs: Iterable[tuple[Any, ...]], workers: int) -> Iterator[T]:
    """``fn(*job)`` for every job, results in job order; in ``pool`` at most 2 x ``workers`` jobs in flight.

    Without a pool each job runs when its result is asked for (the caller stages one chunk before
    the next is read).
    """
    if pool is None:
        for job in jobs:
            yield fn(*job)
        return
    window: deque[Any] = deque()
    for job in jobs:
        window.append(pool.submit(fn, *job))
        if len(window) >= 2 * workers:
            yield window.popleft().result()
    while window:
        yield window.popleft().result()


def _prepare_cells(header: list[str], cells: list[tuple[int, list[str]]]) -> list[tuple[int, Any, Any, list[Problem]]]:
    """The first pass over CSV rows as read: (line, stored row or None, raw cells, problems); blank rows left out.

    Each row is converted and checked once (:func:`kit.store.csvio.convert_row`) and put in the
    store's canonical form (:func:`kit.store.canonical.canonical_from_cells`; in full by
    :func:`kit.store.canonical.canonical_observation` only when that cannot). Rows without an
    episode are assessed together (:func:`_vector_rows`); a row of an episode gets no assessment
    yet (``row[4]`` is ``None``): the second pass assesses it with its history. ``raw`` (the cells,
    formula escaping undone, for the reject file) is kept for bad rows and rows of an episode.
    """
    conv: list[CsvRow] = [r for r in (convert_row(header, c, line) for line, c in cells) if r is not None]
    good: list[tuple[int, dict[str, Any]]] = []
    bad: dict[int, list[Problem]] = {}
    for line, rec, _, _ in conv:
        if rec is None:
            continue
        try:
            obs = canonical_from_cells(rec, fill_time=True)
            good.append((line, obs if obs is not None else canonical_observation(rec, fill_time=True)))
        except ObservationError as err:
            bad[line] = list(err.with_row(line).problems)
    plain = [(line, obs) for line, obs in good if obs.get("episode_id") is None]
    done = _vector_rows(plain)
    if done is None:  # the vectorised engine could not take the chunk: each row alone names the bad one
        done = {}
        for line, obs in plain:
            try:
                done[line] = row_of(obs)
            except ObservationError as err:
                bad[line] = list(err.with_row(line).problems)
    for line, obs in good:
        if obs.get("episode_id") is not None:
            done[line] = (obs.get("athlete_id"), obs["observed_at"], _sort_key(obs["observed_at"]), _dumps(obs), None, None, None,
                          None, None, str(obs["episode_id"]))
    out: list[tuple[int, Any, Any, list[Problem]]] = []
    for line, rec, raw, probs in conv:
        row = done.get(line)
        if rec is None or row is None:
            out.append((line, None, raw, probs if rec is None else bad[line]))
        else:
            out.append((line, row, raw if row[4] is None else None, []))
    return out


def _vector_rows(good: list[tuple[int, dict[str, Any]]]) -> dict[int, tuple[Any, ...]] | None:
    """Stored rows of observations without an episode, assessed at once by :func:`kit.assess_frame`.

    ``None`` when the vectorised engine cannot take the chunk (then each row is assessed alone,
    which names the bad row).
    """
    if not good:
        return {}
    # pandas and kit.engine.frame (which imports it) load in ~1 s (measured: `import pandas` 1.0 s on the project's
    # 2-core machine, kit.store 0.47 s without it); only a CSV import needs them here, so `kit log add/list` start fast
    from kit.engine.frame import assess_frame

    try:
        with np.errstate(all="ignore"):
            out = assess_frame(records_to_frame([o for _, o in good]), extra="ignore", progress=False)
        return {line: row_with(obs, summary, RULE_SET)
                for (line, obs), summary in zip(good, assessment_summaries(out, RULE_SET), strict=True)}
    except (ObservationError, ArithmeticError, ValueError, TypeError):
        return None


#: One task of the second pass: (episode_id, its observations stored before the import, its staged rows (seq, line, observation)).
EpisodeTask = tuple[str, list[dict[str, Any]], list[tuple[int, int, dict[str, Any]]]]


def _assess_episodes(task: list[EpisodeTask]) -> list[tuple[int, int, tuple[Any, ...] | None, list[Problem]]]:
    """The second pass: each staged row of an episode assessed with its history; (seq, line, row or None, problems).

    A row's history is the episode's entries stored before the import and those staged before it
    in the file, observed before it (:func:`kit.store.rows.earlier_entries`); a row that cannot be
    assessed is left out of the later rows' history, as it will not be stored. The episodes whose
    entries (stored, then staged in file order) are in strictly increasing time are assessed together
    by the vectorised engine (:func:`_frame_episodes`; if it cannot take them, each such episode in one
    pass of :func:`_whole_episode`), which gives the same; any other episode row by row.
    """
    timed = [(stored, rows) for _, stored, rows in task if _in_time_order([*stored, *(obs for _, _, obs in rows)])]
    at_once = _frame_episodes(timed)
    done = {id(rows) for _, rows in timed} if at_once is not None else set()
    out = list(at_once or ())
    for _, stored, rows in task:
        if id(rows) not in done:
            out.extend(_whole_episode(stored, rows) or _row_by_row(stored, rows))
    return out


def _row_by_row(stored: list[dict[str, Any]],
                rows: list[tuple[int, int, dict[str, Any]]]) -> list[tuple[int, int, tuple[Any, ...] | None, list[Problem]]]:
    """Each row of one episode assessed alone with its history (any order of times; a bad row is named and left out)."""
    out: list[tuple[int, int, tuple[Any, ...] | None, list[Problem]]] = []
    before: list[dict[str, Any]] = list(stored)
    for seq, line, obs in rows:
        def history(_episode: str, _h: list[dict[str, Any]] = before) -> list[dict[str, Any]]:
            return _h

        try:
            row = row_of(obs, None, history)
        except ObservationError as err:
            out.append((seq, line, None, list(err.with_row(line).problems)))
            continue
        out.append((seq, line, row, []))
        before = [*before, obs]
    return out


def _in_time_order(entries: list[dict[str, Any]]) -> bool:
    """Whether the entries (stored ones, then the file's rows in file order) are in strictly increasing time.

    Both by the store's sort key and by the engine's :func:`kit.engine.episodes.parse_time`: then the
    history of each entry (the entries observed before it) is exactly the entries before it in the list,
    which is also the engine's episode order.
    """
    try:
        keys = [_sort_key(e["observed_at"]) for e in entries]
        times = [parse_time(e["observed_at"]) for e in entries]
    except (ObservationError, KeyError, TypeError, ValueError):
        return False
    return all(a < b for a, b in itertools.pairwise(keys)) and all(a is not None and b is not None and a < b
                                                                    for a, b in itertools.pairwise(times))


def _frame_episodes(timed: list[tuple[list[dict[str, Any]], list[tuple[int, int, dict[str, Any]]]]],
                    ) -> list[tuple[int, int, tuple[Any, ...] | None, list[Problem]]] | None:
    """The rows of many episodes in time order, assessed in one call of :func:`kit.assess_frame`, or ``None``.

    The frame holds every episode's stored entries and its rows (rows sharing an ``episode_id`` are one
    episode there, in time order: each row gets what ``assess(row, history=entries before it)`` gives;
    tests/test_frame_equivalence.py checks the frame against ``assess``). Each row is stored with its
    summary (:func:`assessment_summaries`), as the rows without an episode are; its detail is computed
    with the episode's history when shown (:meth:`kit.store.db.Store.assessment_detail`). ``None`` when
    the frame cannot take them (the caller then assesses each episode alone, which names a bad row).
    """
    if not timed:
        return []
    # pandas and kit.engine.frame load in ~1 s (see _vector_rows): only a CSV import needs them
    from kit.engine.frame import assess_frame

    entries = [e for stored, rows in timed for e in (*stored, *(obs for _, _, obs in rows))]
    try:
        with np.errstate(all="ignore"):
            summaries = assessment_summaries(assess_frame(records_to_frame(entries), extra="ignore", progress=False), RULE_SET)
    except (ObservationError, ArithmeticError, ValueError, TypeError):
        return None
    out: list[tuple[int, int, tuple[Any, ...] | None, list[Problem]]] = []
    k = 0
    for stored, rows in timed:
        k += len(stored)
        for seq, line, obs in rows:
            out.append((seq, line, row_with(obs, summaries[k], RULE_SET), []))
            k += 1
    return out


def _whole_episode(stored: list[dict[str, Any]],
                   rows: list[tuple[int, int, dict[str, Any]]]) -> list[tuple[int, int, tuple[Any, ...] | None, list[Problem]]] | None:
    """Every row of one episode assessed in one pass of the engine (:func:`kit.engine.assessment.assess_episode`), or ``None``.

    When the entries, stored ones first and then the rows in file order, are in strictly increasing
    time (by the store's sort key and by the engine's :func:`kit.engine.episodes.parse_time`), the
    history of each row (entries observed before it) is exactly the entries before it in that
    list, so ``assess_episode`` (item k equals ``assess(item k, history=items before k)``) gives
    each row what ``assess`` with its history gives, in time linear in the episode's length
    instead of quadratic. ``None`` (the caller assesses row by row) for any other order, or when
    an entry cannot be validated or assessed (the row-by-row path names it).
    """
    entries = [*stored, *(obs for _, _, obs in rows)]
    if not _in_time_order(entries):
        return None
    try:
        shown = engine.assess_episode([parse_observation(e) for e in entries])
    except (ObservationError, ArithmeticError, KeyError, TypeError, ValueError):
        return None
    return [(seq, line, row_of(obs, a), []) for (seq, line, obs), a in zip(rows, shown[len(stored):], strict=True)]


class _Staging:
    """Validated rows of an import, in a TEMP table (on disk) until the whole file was read and assessed."""

    def __init__(self, store: LogStore):
        self.store = store

    def __enter__(self) -> _Staging:
        with self.store._lock:
            db = self.store._db()
            db.execute("PRAGMA temp_store = FILE")
            db.execute("DROP TABLE IF EXISTS temp.import_rows")
            db.execute(f"CREATE TEMP TABLE import_rows (seq INTEGER PRIMARY KEY, line INTEGER NOT NULL, "
                       f"{', '.join(ROW_COLUMNS)}, raw_json TEXT, dup INTEGER NOT NULL DEFAULT 0)")
            db.execute("CREATE INDEX temp.ix_import_episode ON import_rows (episode_id)")
        return self

    def __exit__(self, *exc: object) -> None:
        with self.store._lock, contextlib.suppress(Exception):
            self.store._db().execute("DROP TABLE IF EXISTS temp.import_rows")

    def _write(self, doing: str, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn(db)`` in one transaction on the temp table (other processes are not blocked)."""
        with self.store._lock:
            db = self.store._db()
            try:
                db.execute("BEGIN")
                result = fn(db)
                db.execute("COMMIT")
                return result
            except sqlite3.Error as err:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise self.store._error(err, doing) from None

    def add(self, good: list[tuple[int, tuple[Any, ...], Any]]) -> None:
        """Stage rows of the first pass: (line, row, raw cells kept for a row of an episode)."""
        if not good:
            return
        sql = f"INSERT INTO temp.import_rows (line, {', '.join(ROW_COLUMNS)}, raw_json) VALUES (?{', ?' * len(ROW_COLUMNS)}, ?)"
        params = ((line, *row, None if raw is None else _dumps(raw)) for line, row, raw in good)
        self._write("stage the imported rows", lambda db: db.executemany(sql, params))

    def episode_tasks(self, size: int) -> Iterator[list[EpisodeTask]]:
        """The staged rows of the episodes, whole episodes per task of about ``size`` rows, in file order within each."""
        task: list[EpisodeTask] = []
        n, after = 0, ""
        while True:
            with self.store._lock:
                ids = [r[0] for r in self.store._db().execute(
                    "SELECT DISTINCT episode_id FROM temp.import_rows WHERE episode_id > ? ORDER BY episode_id LIMIT 500", (after,))]
            if not ids:
                break
            after = ids[-1]
            for eid in ids:
                with self.store._lock:
                    rows = [(seq, line, json.loads(obs)) for seq, line, obs in self.store._db().execute(
                        "SELECT seq, line, observation_json FROM temp.import_rows WHERE episode_id = ? ORDER BY seq", (eid,))]
                task.append((eid, self.store.observations_of_episode(eid), rows))
                n += len(rows)
                if n >= size:
                    yield task
                    task, n = [], 0
        if task:
            yield task

    def assessed(self, done: list[tuple[int, int, tuple[Any, ...] | None, list[Problem]]]) -> list[tuple[int, list[str], list[Problem]]]:
        """Store the second pass's assessments; rows that could not be assessed are unstaged and returned (line, raw, problems)."""
        cols = ROW_COLUMNS[4:9]
        sql = f"UPDATE temp.import_rows SET {', '.join(f'{c} = ?' for c in cols)} WHERE seq = ?"

        def apply(db: sqlite3.Connection) -> list[tuple[int, list[str], list[Problem]]]:
            db.executemany(sql, ((*row[4:9], seq) for seq, _, row, _ in done if row is not None))
            bad = []
            for seq, line, row, probs in done:
                if row is None:
                    raw = db.execute("SELECT raw_json FROM temp.import_rows WHERE seq = ?", (seq,)).fetchone()[0]
                    db.execute("DELETE FROM temp.import_rows WHERE seq = ?", (seq,))
                    bad.append((line, json.loads(raw), probs))
            return bad

        return self._write("stage the assessed rows", apply)

    def commit(self, *, source: str, skip_stored: bool) -> tuple[list[int | None], list[int]]:
        """Copy the staged rows into the log in one transaction; (ids with None for duplicates, lines)."""
        cols = ", ".join(ROW_COLUMNS)

        def copy(db: sqlite3.Connection) -> tuple[list[int | None], list[int]]:
            before = db.execute("SELECT COALESCE(MAX(id), 0) FROM observations").fetchone()[0]
            if skip_stored:  # compared with what was stored before this import: rows repeated in the file are all kept
                db.execute("UPDATE temp.import_rows SET dup = 1 WHERE EXISTS (SELECT 1 FROM main.observations o "
                           "WHERE o.observed_sort = import_rows.observed_sort AND o.observation_json = import_rows.observation_json)")
            now = _now_utc()
            db.execute(f"INSERT INTO main.observations ({cols}, saved_at, source) SELECT {cols}, ?, ? FROM temp.import_rows "
                       "WHERE dup = 0 ORDER BY seq", (now, source))
            new_ids = iter([r[0] for r in db.execute("SELECT id FROM observations WHERE id > ? ORDER BY id", (before,))])
            ids: list[int | None] = []
            lines: list[int] = []
            for line, dup in db.execute("SELECT line, dup FROM temp.import_rows ORDER BY seq"):
                ids.append(None if dup else next(new_ids))
                lines.append(line)
            kept = sum(i is not None for i in ids)
            audit(db, "import", kept, f"from {source}" + (f"; {len(ids) - kept} duplicates skipped" if kept < len(ids) else ""))
            return ids, lines

        return self.store._transaction(copy, doing="store the imported rows")


class _BadRows:
    """The bad rows of a CSV import: all counted and written to the reject file, the first :data:`MAX_BAD_KEPT` kept."""

    def __init__(self, header: list[str], rejects: _RejectWriter | None):
        self.header = header
        self.rejects = rejects
        self.n = 0
        self.kept: list[tuple[int, Any, list[Problem]]] = []

    def add(self, bad: list[tuple[int, list[str], list[Problem]]]) -> None:
        if not bad:
            return
        self.n += len(bad)
        room = MAX_BAD_KEPT - len(self.kept)
        if room > 0:
            self.kept.extend((line, dict(zip(self.header, raw, strict=False)), probs) for line, raw, probs in bad[:room])
            self.kept.sort(key=lambda b: int(b[0]))
        if self.rejects is not None:
            self.rejects.write(self.header, bad)


class _RejectWriter:
    """Bad rows written as they are found to a 0600 temporary file, renamed to the reject file at the end."""

    def __init__(self, dest: Path):
        self.dest = dest
        self.tmp: Path | None = None
        self.fh: Any = None
        self.w: Any = None

    def write(self, header: list[str], bad: list[tuple[int, list[str], list[Problem]]]) -> None:
        with writing(self.dest):  # kit.errors.WriteError "cannot write PATH: reason" (exit 2), never a bare OSError
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
            with writing(self.dest):
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
    split: dict[str, list[str]] = {}
    for f in set(frame["flags"].tolist()):
        split[f] = [x for x in str(f or "").split(";") if x]
    waits = [None if math.isnan(w) else int(w) if w.is_integer() else w for w in frame["reassess_in_min"].astype(float).tolist()]
    scores = zip(*(frame[f"score_{c}"].tolist() for c in CAUSES), strict=True)
    return [{"escalation": e, "top_cause": t, "scores": dict(zip(CAUSES, map(int, sc), strict=True)), "flags": list(split[f]),
             "reassess_in_min": w, "trend": tr, "rule_set": rule_set, "stored": SUMMARY_MARK}
            for e, t, sc, f, w, tr in zip(frame["escalation"].tolist(), frame["top_cause"].tolist(), scores,
                                          frame["flags"].tolist(), waits, frame["trend"].tolist(), strict=True)]
