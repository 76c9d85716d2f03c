"""The observation log: an embedded SQLite database that never loses an observation.

A trainer records episodes over a season; losing one, or mixing athletes up, is not
acceptable. The log is one SQLite file (the standard library's :mod:`sqlite3`, no server):

* **WAL journal, one transaction per save, ``synchronous=FULL``**: a save that returned
  is on disk, and a process killed at any moment (even mid-write) leaves the file intact;
  the next open rolls back the unfinished transaction.
* **Busy timeout and retry**: two processes (two notebooks, a notebook and the CLI) can
  save at the same moment; writers queue instead of failing (``BEGIN IMMEDIATE``,
  ``busy_timeout``, then a jittered retry loop).
* **Schema version table with migrations** (:data:`MIGRATIONS`): a store written by an
  older kit is upgraded in place on open; one written by a newer kit is refused.
* **History is never rewritten**: each row holds the validated observation as contract
  JSON, indexed ``athlete_id`` / ``observed_at`` columns, the assessment that was shown at
  the time (JSON) and the kit version that produced it. A later rule change changes what
  a *new* assessment says, never what the log says was shown.
* **Every SQL statement uses parameters**; nothing from an observation is ever
  interpolated into SQL.
* **Private files**: the store (and so its ``-wal``/``-shm``/``-journal``) is ``0600``, new
  folders ``0700`` (:mod:`kit.store.private`); ``secure_delete`` is on.
* **Corrections, erasure, audit**: :meth:`Store.correct` adds a row that supersedes another
  (kept, hidden from lists and exports); :meth:`Store.erase` removes an athlete's rows and
  drafts and scrubs the file and its WAL; every change, export and handout is recorded in the
  ``audit`` table (OS user, action, when, counts; never health data).
* Failures (read-only file, disk full, a locked or corrupt file) raise :class:`StoreError`
  with a plain message; the observation that could not be saved is kept on the exception
  (``err.observation``) and in :attr:`Store.unsaved`, so nothing typed is lost.

Canonical form (what "stored correctly" means): the observation is validated by
:func:`kit.engine.observation.parse_observation`; numbers are stored as floats (whole-number
fields as ints); text is kept as typed except that ``athlete_id`` and ``observed_at``
lose surrounding whitespace, line endings in ``notes`` become ``\\n``, and blank text is
unknown; an ``athlete_id`` with control characters is refused (it would look like
another athlete). ``observed_at`` is filled with the current UTC time when absent.

Location: an explicit path (``--store PATH``), else the ``KIT_STORE`` environment
variable, else ``postrun.sqlite`` in the user's data directory (platformdirs).

Modules: this one holds :class:`Store` (connection, pragmas, retries, saving, queries,
drafts, corrections, erasure), :class:`StoreError`, :func:`default_store_path` and the sample
season (:func:`ensure_sample_store`); :mod:`kit.store.schema` the migrations;
:mod:`kit.store.canonical` the canonical form; :mod:`kit.store.rows` one observation into a stored
row; :mod:`kit.store.transfer` import and export (functions on the :class:`kit.store.transfer.LogStore`
protocol that the store's methods call: this module imports that one, never the other way round);
:mod:`kit.store.audit` the audit trail. Every public name is importable from ``kit.store.db``.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import platformdirs

from kit import __version__
from kit.engine import assessment as engine  # looked up at each call, so a stand-in engine (tests) is used too
from kit.engine.fields import FIELD_NAMES, FIELDS
from kit.engine.observation import ObservationError, Problem
from kit.engine.rules import RULE_SET
from kit.errors import KitError
from kit.store import transfer
from kit.store.audit import AUDIT_ACTIONS as AUDIT_ACTIONS
from kit.store.audit import audit as _audit
from kit.store.audit import os_user as os_user
from kit.store.canonical import _draft_default, _now_utc, canonical_observation
from kit.store.canonical import canonical_order as canonical_order
from kit.store.csvio import parse_csv_rows, records_to_frame
from kit.store.episodes import EpisodeSummary, summarise_episodes
from kit.store.private import private_file, tighten
from kit.store.rows import RULE_SET_BEFORE as RULE_SET_BEFORE
from kit.store.rows import earlier_entries, prepare_row
from kit.store.schema import MIGRATIONS, SCHEMA_VERSION
from kit.store.transfer import REJECT_COLUMNS as REJECT_COLUMNS
from kit.store.transfer import SAMPLE_LOG, SUMMARY_MARK, ImportReport, LogImportError

if TYPE_CHECKING:  # pandas is imported only when a DataFrame is asked for
    import pandas as pd

__all__ = [
    "Store", "StoreError", "StoreRequestError", "EraseReport", "EpisodeSummary", "LogImportError", "ImportReport", "default_store_path", "ensure_sample_store",
    "demo_store_path", "open_demo_store", "DEMO_ENV_VAR", "DEMO_STORE_FILENAME",
    "canonical_observation", "MIGRATIONS", "SCHEMA_VERSION", "ENV_VAR", "SAMPLE_LOG", "unreadable_store",
]

ENV_VAR = "KIT_STORE"
APP_NAME = "postrun-kit"
STORE_FILENAME = "postrun.sqlite"
#: The demo store (the synthetic sample season), kept apart from the trainer's real store (issue 13 item 5).
DEMO_STORE_FILENAME = "demo-postrun.sqlite"
#: Environment variable naming the demo store (``kit lab --demo`` and ``kit app --demo`` set it for the kernels).
DEMO_ENV_VAR = "KIT_DEMO_STORE"

BUSY_TIMEOUT_MS = 10_000  # SQLite waits this long for a lock before reporting "busy"
RETRY_FOR_S = 60.0  # then the store retries (jittered back-off) for this long in total

T = TypeVar("T")


# --------------------------------------------------------------------------------------------
# errors


#: Appended to a :class:`StoreError` about a failed save (for Python callers; the CLI says it its own way).
UNSAVED_NOTE = " The observation was NOT saved; it is kept in memory (StoreError.observation, Store.unsaved)."


class StoreRequestError(KitError, ValueError):
    """A request that does not fit the log (no such observation, or one already corrected); nothing changed."""


class StoreError(KitError, RuntimeError):
    """The store could not do what was asked (read-only, disk full, locked, not a store).

    Attributes
    ----------
    observation : Any
        The observation (or list of observations) that was **not** saved, kept so the
        caller can retry or show it again; ``None`` for errors that are not about a save.
    path : Path or None
        The store file.
    cause : str
        A short machine-readable reason: ``read_only``, ``disk_full``, ``busy``,
        ``not_a_store``, ``cannot_open``, ``newer_schema``, ``io`` or ``other``.
    """

    def __init__(self, message: str, *, observation: Any = None, path: Path | None = None, cause: str = "other"):
        super().__init__(message)
        self.observation = observation
        self.path = path
        self.cause = cause


# --------------------------------------------------------------------------------------------
# location


def default_store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where the log lives.

    Parameters
    ----------
    explicit : path, optional
        A path given by the user (``--store PATH``); wins over everything.

    Returns
    -------
    Path
        ``explicit``, else the ``KIT_STORE`` environment variable, else
        ``<user data dir>/postrun-kit/postrun.sqlite`` (platformdirs).
    """
    if explicit not in (None, ""):
        return Path(os.fspath(explicit)).expanduser()
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / STORE_FILENAME


def demo_store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where the demo store (the synthetic sample season) lives: never the trainer's real store.

    Parameters
    ----------
    explicit : path, optional
        A path given by the caller; wins over everything.

    Returns
    -------
    Path
        ``explicit``, else the ``KIT_DEMO_STORE`` environment variable, else
        ``demo-postrun.sqlite`` in the folder of the real store (:func:`default_store_path`:
        ``<user data dir>/postrun-kit/`` unless ``KIT_STORE`` points elsewhere).
    """
    if explicit not in (None, ""):
        return Path(os.fspath(explicit)).expanduser()
    env = os.environ.get(DEMO_ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    return default_store_path().parent / DEMO_STORE_FILENAME


def open_demo_store(path: str | os.PathLike[str] | None = None) -> Store:
    """The demo store (:func:`demo_store_path`), holding the sample season (imported when it is empty)."""
    return ensure_sample_store(demo_store_path(path))


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
    st = Store(path)
    if st.count() > 0:
        return st
    src = Path(os.fspath(sample)) if sample else SAMPLE_LOG
    good, bad = parse_csv_rows(transfer._read_text(src, newline=""))
    if bad:
        raise LogImportError([p for _, _, ps in bad for p in ps], source=str(src), what="line", n_bad=len(bad))
    rows: list[tuple[Any, ...]] = []
    for r in good:
        rows.append(st._prepare(r, pending=rows))

    def fill(db: sqlite3.Connection) -> int:
        if db.execute("SELECT COUNT(*) FROM observations").fetchone()[0]:
            return 0
        now = _now_utc()
        db.executemany(Store._INSERT, ((*r, now, f"sample:{src.name}") for r in rows))
        _audit(db, "import", len(rows), f"from sample:{src.name}")
        db.execute("INSERT INTO meta (key, value) VALUES ('sample_imported', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                   (now,))
        return len(rows)

    st._transaction(fill, doing="import the sample team log")
    return st


def unreadable_store(path: Path) -> str | None:
    """Why ``path`` cannot be read as a store (missing, a folder, no permission, not SQLite), or ``None``."""
    try:
        path.stat()
    except FileNotFoundError:
        return f"no store at {path}"
    except PermissionError:
        return f"no permission to reach the store {path} (a folder on the way cannot be opened by this user)"
    except OSError as err:
        return f"cannot reach the store {path}: {err.strerror or err}"
    if path.is_dir():
        return f"{path} is a folder, not a store file; give the file, e.g. {path / STORE_FILENAME}"
    if not os.access(path, os.R_OK):
        return f"no permission to read the store {path} (ask its owner, or run as the user who made it)"
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as err:
        return f"cannot read the store {path}: {err.strerror or err}"
    if head and head != b"SQLite format 3\x00":
        return f"{path} is not a SQLite file, so not a postrun-kit store (is it a CSV or another file?)"
    return None


# --------------------------------------------------------------------------------------------
# the store


_LOCKED = ("database is locked", "database is busy", "database table is locked", "locked")


def _is_busy(err: BaseException) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return True
    return isinstance(err, sqlite3.OperationalError) and any(s in str(err).lower() for s in _LOCKED)


def _row_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just added."""
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("the INSERT added no row")
    return cursor.lastrowid


class Store:
    """An observation log in one SQLite file.

    Parameters
    ----------
    path : path, optional
        The store file; see :func:`default_store_path` for the default. Parent
        directories are created. The file is created (and migrated) on first use.
    read_only : bool
        Open the file read-only (SQLite ``mode=ro``); every write raises :class:`StoreError`.

    Notes
    -----
    One connection per process, opened lazily and re-opened after a ``fork``; a lock makes
    a Store safe to share between threads (e.g. widget callbacks). Use it as a context
    manager or call :meth:`close`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> st = Store(pathlib.Path(tempfile.mkdtemp()) / "log.sqlite")
    >>> i = st.save({"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:30:00", "tremor": True})
    >>> st.observations()[0]["athlete_id"], st.history("ATH-01")["escalation"].tolist()
    ('ATH-01', ['self_care'])
    >>> st.close()
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False):
        self.path = default_store_path(path)
        self.read_only = read_only
        self.unsaved: list[Any] = []
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._lock = threading.RLock()

    # -- connection ------------------------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def close(self) -> None:
        """Close the connection (a later call re-opens it)."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                with contextlib.suppress(sqlite3.Error):
                    self._conn.close()
            self._conn = None

    def _db(self) -> sqlite3.Connection:
        """The open connection, migrated to :data:`SCHEMA_VERSION`."""
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        self._conn, self._pid = None, os.getpid()  # never reuse a connection inherited through fork
        try:
            if self.read_only:
                problem = unreadable_store(self.path)
                if problem is not None:
                    raise StoreError(problem, path=self.path, cause="cannot_open" if "no store" in problem else "not_a_store")
                conn = self._connect_read_only()
            else:
                if self.path.is_dir():
                    raise StoreError(f"{self.path} is a folder, not a store file; give the file, e.g. "
                                     f"{self.path / STORE_FILENAME}", path=self.path, cause="cannot_open")
                # health data: the file 0600 (SQLite gives its -wal/-shm/-journal the same mode), new folders 0700
                private_file(self.path)
                for extra in ("-wal", "-shm", "-journal"):
                    tighten(f"{self.path}{extra}")
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        except OSError as err:
            raise StoreError(f"cannot create the folder for the store {self.path}: {err.strerror or err}", path=self.path,
                             cause="cannot_open") from None
        except sqlite3.Error as err:
            raise self._error(err, "open") from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
            if not self.read_only:
                self._retry(lambda: self._pragma_wal(conn))
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA secure_delete = ON")  # deleted content is overwritten with zeros (erasure)
            conn.execute("PRAGMA foreign_keys = ON")
            self._conn = conn
            self._migrate(conn)
        except BaseException as err:
            self._conn = None
            with contextlib.suppress(sqlite3.Error):
                conn.close()
            if isinstance(err, sqlite3.Error):
                raise self._error(err, "open") from None
            raise
        return conn

    def _connect_read_only(self) -> sqlite3.Connection:
        """A ``mode=ro`` connection; on a read-only folder without a ``-wal`` file, ``immutable=1``.

        SQLite needs the ``-shm`` file of a WAL store even to read; in a folder it may not write
        (a read-only mount, another user's folder) and with no ``-wal`` left (the store was
        closed cleanly), nothing can change the file, so it is opened as immutable.
        """
        uri = self.path.resolve().as_uri()
        kw: dict[str, Any] = {"uri": True, "timeout": BUSY_TIMEOUT_MS / 1000, "isolation_level": None, "check_same_thread": False}
        conn: sqlite3.Connection = sqlite3.connect(f"{uri}?mode=ro", **kw)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            wal = Path(f"{self.path}-wal")
            if os.access(self.path.parent, os.W_OK) or (wal.exists() and wal.stat().st_size > 0):
                conn.close()
                raise
            conn.close()
        immutable: sqlite3.Connection = sqlite3.connect(f"{uri}?mode=ro&immutable=1", **kw)
        return immutable

    @staticmethod
    def _pragma_wal(conn: sqlite3.Connection) -> None:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"could not switch the journal to WAL (got {mode!r})")

    def _error(self, err: BaseException, doing: str, observation: Any = None) -> StoreError:
        """Translate an sqlite3/OS error into a StoreError a trainer can act on."""
        msg = str(err)
        low = msg.lower()
        kept = UNSAVED_NOTE if observation is not None else ""
        if "readonly" in low or "read-only" in low or "query_only" in low or "attempt to write" in low:
            text, cause = f"the store {self.path} is read-only, so nothing can be written ({msg}).", "read_only"
        elif "full" in low or getattr(err, "errno", None) == 28:
            text, cause = f"the disk holding the store {self.path} is full ({msg}).", "disk_full"
        elif _is_busy(err):
            text, cause = (f"the store {self.path} stayed locked by another process for over {RETRY_FOR_S:.0f} s "
                           f"({msg}); try again."), "busy"
        elif "not a database" in low or "malformed" in low or "encrypted" in low:
            text, cause = f"{self.path} is not a readable postrun-kit store ({msg}).", "not_a_store"
        elif "unable to open" in low:
            text, cause = f"cannot open the store {self.path}: the folder is missing or not writable ({msg}).", "cannot_open"
        else:
            text, cause = f"the store {self.path} failed while trying to {doing}: {msg}.", "io"
        return StoreError(text + kept, observation=observation, path=self.path, cause=cause)

    def _retry(self, fn: Callable[[], T]) -> T:
        """Run ``fn``, retrying with jittered back-off while the database is busy."""
        deadline = time.monotonic() + RETRY_FOR_S
        delay = 0.005
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as err:
                if not _is_busy(err) or time.monotonic() > deadline:
                    raise
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.5)

    def _transaction(self, fn: Callable[[sqlite3.Connection], T], *, doing: str, observation: Any = None) -> T:
        """Run ``fn(conn)`` in one ``BEGIN IMMEDIATE`` transaction, with retries; errors -> StoreError."""
        with self._lock:
            try:
                conn = self._db()
            except StoreError as err:
                if observation is not None:
                    err.observation = observation
                    err.args = (str(err) + UNSAVED_NOTE,)
                raise

            def attempt() -> T:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = fn(conn)
                    conn.execute("COMMIT")
                    return result
                except BaseException:
                    if conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise

            try:
                return self._retry(attempt)
            except (sqlite3.Error, OSError) as err:
                raise self._error(err, doing, observation) from None

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            conn = self._db()
            try:
                return self._retry(lambda: conn.execute(sql, params).fetchall())
            except sqlite3.Error as err:
                raise self._error(err, "read") from None

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Bring the schema to :data:`SCHEMA_VERSION` (each migration in its own transaction)."""
        def version() -> int:
            has = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
            if not has:
                return 0
            return int(conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])

        if version() == SCHEMA_VERSION:
            return
        if self.read_only:
            if version() > SCHEMA_VERSION:
                raise self._newer(version())
            if os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK):
                with Store(self.path) as rw:  # upgrade in place (as any writing command would), then read
                    rw.schema_version()
                conn.execute("SELECT 1").fetchone()  # (the read-only connection sees the new schema from its next read)
                if version() == SCHEMA_VERSION:
                    return
            raise StoreError(f"the store {self.path} needs an upgrade (schema {version()} -> {SCHEMA_VERSION}) "
                             "and is opened read-only", path=self.path, cause="read_only")
        for target in range(1, SCHEMA_VERSION + 1):
            def step(target: int = target) -> None:
                conn.execute("BEGIN IMMEDIATE")  # re-check inside the lock: another process may have done it
                try:
                    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                                 "description TEXT NOT NULL, applied_at TEXT NOT NULL, kit_version TEXT NOT NULL)")
                    have = version()
                    if have > SCHEMA_VERSION:
                        raise self._newer(have)
                    if have < target:
                        desc, apply = MIGRATIONS[target]
                        apply(conn)
                        conn.execute("INSERT INTO schema_version (version, description, applied_at, kit_version) VALUES (?, ?, ?, ?)",
                                     (target, desc, _now_utc(), __version__))
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise

            self._retry(step)

    def _newer(self, have: int) -> StoreError:
        return StoreError(f"the store {self.path} was written by a newer postrun-kit (schema {have}, this kit knows "
                          f"{SCHEMA_VERSION}); upgrade postrun-kit to use it", path=self.path, cause="newer_schema")

    # -- writing ---------------------------------------------------------------------------------

    def _prepare(self, observation: Mapping[str, Any], assessment: Any = None,
                 pending: list[tuple[Any, ...]] | None = None) -> tuple[Any, ...]:
        """:func:`prepare_row` with the episode's earlier entries (stored, and ``pending`` rows of the same batch) as history."""
        def history(episode_id: str) -> list[dict[str, Any]]:
            stored = self.observations_of_episode(episode_id)
            batch = [json.loads(r[3]) for r in pending or () if r[9] == episode_id]
            return stored + batch

        return prepare_row(observation, assessment, history)

    _INSERT = ("INSERT INTO observations (athlete_id, observed_at, observed_sort, observation_json, assessment_json, "
               "escalation, top_cause, kit_version, rule_set, episode_id, saved_at, source) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

    def save(self, observation: Mapping[str, Any], *, assessment: Any = None, source: str | None = None) -> int:
        """Validate, assess and store one observation in its own transaction.

        Parameters
        ----------
        observation : Mapping
            Contract fields. ``observed_at`` is filled with the current UTC time when absent.
        assessment : Assessment or dict, optional
            The assessment that was shown to the trainer (stored as is). By default the
            observation is assessed now with the installed rules.
        source : str, optional
            Where it came from (``form``, ``cli``, ``import:<file>``), kept for audit.

        Returns
        -------
        int
            The new row id. When this returns, the row is committed to disk.

        Raises
        ------
        ObservationError
            Invalid observation (nothing stored).
        StoreError
            The store could not be written; ``err.observation`` holds the observation,
            which is also appended to :attr:`unsaved`.
        """
        row = self._prepare(observation, assessment)

        def insert(db: sqlite3.Connection) -> int:
            rid = _row_id(db.execute(self._INSERT, (*row, _now_utc(), source)))
            _audit(db, "add", 1, f"from {source or 'python'}")
            return rid

        try:
            return self._transaction(insert, doing="save the observation", observation=dict(observation))
        except StoreError:
            self.unsaved.append(dict(observation))
            raise

    def save_many(self, observations: Iterable[Mapping[str, Any]], *, source: str | None = None) -> list[int]:
        """Store a list of observations: all or nothing.

        Raises
        ------
        ObservationError
            Listing every problem of every bad item, ``Problem.row`` = the item's 0-based
            position; nothing is stored.
        StoreError
            As :meth:`save`; ``err.observation`` holds the whole list.
        """
        items = list(observations)
        rows: list[tuple[Any, ...]] = []
        problems: list[Problem] = []
        for i, item in enumerate(items):
            try:
                rows.append(self._prepare(item, pending=rows))
            except ObservationError as err:
                problems.extend(err.with_row(i).problems)
        if problems:
            raise ObservationError(problems)
        return [i for i in self._insert_rows(rows, source=source, keep=items) if i is not None]  # (none is None: no skip_stored)

    def _insert_rows(self, rows: list[tuple[Any, ...]], *, source: str | None, keep: Any,
                     skip_stored: bool = False, action: str = "add") -> list[int | None]:
        """Store prepared rows in one transaction; their ids in order.

        With ``skip_stored`` a row identical to one already stored (same canonical
        observation: athlete, observed_at and every value) is not inserted; its id is ``None``.
        """
        if not rows:
            return []

        def insert(db: sqlite3.Connection) -> list[int | None]:
            now = _now_utc()
            # compared with what was stored before this call: rows repeated within ``rows`` are all kept
            stored = [skip_stored and db.execute("SELECT 1 FROM observations WHERE observed_sort = ? AND observation_json = ? LIMIT 1",
                                                 (r[2], r[3])).fetchone() is not None for r in rows]
            ids = [None if dup else _row_id(db.execute(self._INSERT, (*r, now, source))) for r, dup in zip(rows, stored, strict=True)]
            kept = sum(i is not None for i in ids)
            _audit(db, action, kept, f"from {source or 'python'}" + (f"; {len(ids) - kept} duplicates skipped" if kept < len(ids) else ""))
            return ids

        try:
            return self._transaction(insert, doing=f"save {len(rows)} observations", observation=keep)
        except StoreError:
            self.unsaved.append(keep)
            raise

    def retry_unsaved(self) -> list[int]:
        """Try again to save what earlier failed (:attr:`unsaved`), oldest first; returns the new ids.

        If the store still fails, :class:`StoreError` is raised and everything not yet
        saved stays in :attr:`unsaved`.
        """
        ids: list[int] = []
        pending, self.unsaved = self.unsaved, []
        for n, item in enumerate(pending):
            try:
                ids.extend(self.save_many(item) if isinstance(item, list) else [self.save(item)])
            except StoreError:  # save()/save_many() put this item back; keep the rest after it
                self.unsaved.extend(pending[n + 1:])
                raise
        return ids

    # -- import / export (kit.store.transfer) ------------------------------------------------------

    def export_text(self, fmt: str, athlete_id: str | None = None, *, with_assessment: bool = False) -> str:
        """The log as CSV or JSON text (:func:`kit.store.transfer.export_text`)."""
        return transfer.export_text(self, fmt, athlete_id, with_assessment=with_assessment)

    def export(self, fmt: str, dest: str | os.PathLike[str] | TextIO | None = None, *, athlete_id: str | None = None,
               with_assessment: bool = False) -> str | None:
        """Export the log with the contract's field names, in the stable order (:func:`kit.store.transfer.export`)."""
        return transfer.export(self, fmt, dest, athlete_id=athlete_id, with_assessment=with_assessment)

    def import_records(self, items: Iterable[Any], *, skip_bad: bool = False, source: str = "import",
                       what: str = "item", allow_duplicates: bool = False) -> ImportReport:
        """Validate every item, then store them in one transaction (:func:`kit.store.transfer.import_records`)."""
        return transfer.import_records(self, items, skip_bad=skip_bad, source=source, what=what, allow_duplicates=allow_duplicates)

    def import_json(self, src: str | os.PathLike[str], *, skip_bad: bool = False, allow_duplicates: bool = False) -> ImportReport:
        """Import a JSON file holding one observation object or a list of them (:func:`kit.store.transfer.import_json`)."""
        return transfer.import_json(self, src, skip_bad=skip_bad, allow_duplicates=allow_duplicates)

    def import_csv(self, src: str | os.PathLike[str], *, skip_bad: bool = False,
                   rejects: str | os.PathLike[str] | None = None, allow_duplicates: bool = False,
                   chunk_rows: int = transfer.IMPORT_CHUNK_ROWS, workers: int | None = None) -> ImportReport:
        """Import a team-log CSV, streamed, all or nothing unless ``skip_bad`` (:func:`kit.store.transfer.import_csv`)."""
        return transfer.import_csv(self, src, skip_bad=skip_bad, rejects=rejects, allow_duplicates=allow_duplicates,
                                   chunk_rows=chunk_rows, workers=workers)

    # -- reading ---------------------------------------------------------------------------------

    def _where(self, athlete_id: str | None, *, include_superseded: bool = False,
               episode_id: str | None = None) -> tuple[str, tuple[Any, ...]]:
        """The WHERE clause: current rows only (a corrected observation is shown by its correction)."""
        conds, params = ([] if include_superseded else ["superseded_by IS NULL"]), []
        if athlete_id is not None:
            conds.append("athlete_id = ?")
            params.append(athlete_id)
        if episode_id is not None:
            conds.append("episode_id = ?")
            params.append(episode_id)
        return (" WHERE " + " AND ".join(conds) if conds else ""), tuple(params)

    _ENTRY = ("SELECT id, observation_json, assessment_json, kit_version, saved_at, source, supersedes, superseded_by, rule_set, "
              "episode_id FROM observations")

    @staticmethod
    def _entry(r: tuple[Any, ...]) -> dict[str, Any]:
        return {"id": r[0], "observation": json.loads(r[1]), "assessment": json.loads(r[2]), "kit_version": r[3],
                "saved_at": r[4], "source": r[5], "supersedes": r[6], "superseded_by": r[7], "rule_set": r[8],
                "episode_id": r[9]}

    def entries(self, athlete_id: str | None = None, *, include_superseded: bool = False,
                episode_id: str | None = None) -> list[dict[str, Any]]:
        """Stored rows with everything kept: ``id``, ``observation``, ``assessment`` (as shown), ``kit_version``,
        ``saved_at``, ``source``, ``supersedes`` and ``superseded_by`` (row ids of a correction, else ``None``),
        ``rule_set`` (of the stored assessment) and ``episode_id``.

        In the stable order: ``observed_at`` (as time), then ``id``. Only current rows unless
        ``include_superseded`` (then also the versions a correction replaced); only one episode
        with ``episode_id``.
        """
        where, params = self._where(athlete_id, include_superseded=include_superseded, episode_id=episode_id)
        return [self._entry(r) for r in self._read(f"{self._ENTRY}{where} ORDER BY observed_sort, id", params)]

    def assessment_detail(self, row_id: int) -> dict[str, Any] | None:
        """The full assessment JSON of a stored row (actions, evidence, reasons...), or ``None`` for no such row.

        A row saved one by one stores the full JSON: it is returned as stored. An imported row
        stores the summary of :func:`kit.assess_frame` (``"stored": "assess_frame"``: tier, top
        cause, scores, flags, reassess_in_min, trend, rule_set); its detail is computed now by
        :func:`kit.assess` from the stored observation (a recheck with its episode's entries
        observed before it as history), only under the rule set it was stored with, and checked
        against the stored summary.

        Raises
        ------
        StoreError
            The row was stored under another rule set than this kit's (its detail would not be
            what the stored summary says), or the recomputed assessment disagrees with it.
        """
        entry = self.get(row_id)
        if entry is None:
            return None
        stored: dict[str, Any] = entry["assessment"]
        if stored.get("stored") != SUMMARY_MARK:
            return stored
        if stored.get("rule_set") != RULE_SET:
            raise StoreError(f"observation #{row_id} was imported under rule set {stored.get('rule_set')}; this kit runs {RULE_SET} "
                             "and cannot show the detail of that assessment (its summary is stored)", path=self.path)
        obs = entry["observation"]
        episode = entry.get("episode_id")  # an imported recheck: assessed with its episode's earlier entries, as at import
        earlier = earlier_entries(self.observations_of_episode(str(episode)), obs) if episode not in (None, "") else []
        full: dict[str, Any] = (engine.assess(obs, history=earlier) if earlier else engine.assess(obs)).to_dict()
        same = (full["escalation"] == stored["escalation"] and full["top_cause"] == stored["top_cause"]
                and sorted(full["flags"]) == stored["flags"] and {c["cause"]: c["score"] for c in full["causes"]} == stored["scores"])
        if not same:
            raise StoreError(f"observation #{row_id}: the assessment computed now differs from the one stored at import",
                             path=self.path)
        return full

    def observations(self, athlete_id: str | None = None) -> list[dict[str, Any]]:
        """The observations as contract dicts, ordered by ``observed_at`` then row id."""
        where, params = self._where(athlete_id)
        rows = self._read(f"SELECT observation_json FROM observations{where} ORDER BY observed_sort, id", params)
        return [json.loads(r[0]) for r in rows]

    def get(self, row_id: int) -> dict[str, Any] | None:
        """One stored row (as in :meth:`entries`), or ``None``."""
        rows = self._read(f"{self._ENTRY} WHERE id = ?", (int(row_id),))
        return self._entry(rows[0]) if rows else None

    def observations_of_episode(self, episode_id: str) -> list[dict[str, Any]]:
        """The current observations of one episode, by observed_at then id."""
        where, params = self._where(None, episode_id=episode_id)
        return [json.loads(r[0]) for r in self._read(f"SELECT observation_json FROM observations{where} ORDER BY observed_sort, id", params)]

    def episodes(self, athlete_id: str | None = None) -> list[EpisodeSummary]:
        """One :class:`kit.store.episodes.EpisodeSummary` per episode (current entries with an ``episode_id``).

        Ordered by each episode's first entry; ``athlete_id`` keeps that athlete's episodes.
        """
        where, params = self._where(athlete_id)
        rows = self._read(f"{self._ENTRY}{where} AND episode_id IS NOT NULL ORDER BY observed_sort, id", params)
        return summarise_episodes(self._entry(r) for r in rows)

    def count(self, athlete_id: str | None = None) -> int:
        """Number of stored observations."""
        where, params = self._where(athlete_id)
        return int(self._read(f"SELECT COUNT(*) FROM observations{where}", params)[0][0])

    def athletes(self) -> list[str]:
        """Athlete ids in the log, sorted (observations with no athlete id are left out)."""
        return [r[0] for r in self._read("SELECT DISTINCT athlete_id FROM observations WHERE athlete_id IS NOT NULL "
                                         "AND superseded_by IS NULL ORDER BY athlete_id")]

    def frame(self, athlete_id: str | None = None) -> pd.DataFrame:
        """The observations as a DataFrame: ``id`` plus every contract column.

        Unknown = NaN (numbers) or None; ready for ``kit.assess_frame(df, extra="ignore")``.
        """
        import pandas as pd  # ~1 s to load (measured; kit.store alone 0.47 s): only the frame readers need it (fast CLI start)

        where, params = self._where(athlete_id)
        rows = self._read(f"SELECT id, observation_json FROM observations{where} ORDER BY observed_sort, id", params)
        recs = [json.loads(r[1]) for r in rows]
        df = records_to_frame(recs)
        for n in FIELD_NAMES:
            if n not in df.columns:
                kind = FIELDS[n].kind
                df[n] = pd.Series(math.nan if kind in ("number", "int") else None, index=df.index,
                                  dtype="float64" if kind in ("number", "int") else object)
        df = df[list(FIELD_NAMES)]
        df.insert(0, "id", pd.Series([r[0] for r in rows], index=df.index, dtype="int64"))
        return df

    def history(self, athlete_id: str | None = None) -> pd.DataFrame:
        """Observations with the assessment that was stored with each (never recomputed).

        Columns: those of :meth:`frame`, then ``escalation``, ``top_cause``, ``flags``
        (";"-joined, sorted, as in :func:`kit.assess_frame`), ``kit_version``, ``saved_at``, ``rule_set``.
        """
        import pandas as pd  # see frame(): loaded only when a DataFrame is asked for

        df = self.frame(athlete_id)
        where, params = self._where(athlete_id)
        rows = self._read(f"SELECT assessment_json, kit_version, saved_at, rule_set FROM observations{where} ORDER BY observed_sort, id",
                          params)
        shown = [json.loads(r[0]) for r in rows]
        df["escalation"] = pd.Series([a.get("escalation") for a in shown], index=df.index, dtype=object)
        df["top_cause"] = pd.Series([a.get("top_cause") for a in shown], index=df.index, dtype=object)
        df["flags"] = pd.Series([";".join(sorted(a.get("flags") or ())) for a in shown], index=df.index, dtype=object)
        df["kit_version"] = pd.Series([r[1] for r in rows], index=df.index, dtype=object)
        df["saved_at"] = pd.Series([r[2] for r in rows], index=df.index, dtype=object)
        df["rule_set"] = pd.Series([r[3] for r in rows], index=df.index, dtype=object)
        return df

    def schema_version(self) -> int:
        """The schema version of the open file."""
        return int(self._read("SELECT MAX(version) FROM schema_version")[0][0])

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: ``"ok"`` for a healthy file."""
        return "; ".join(str(r[0]) for r in self._read("PRAGMA integrity_check"))

    # -- drafts ----------------------------------------------------------------------------------

    def save_draft(self, form: Mapping[str, Any], name: str = "triage") -> None:
        """Keep a filled-but-unsaved form (any values, valid or not) so it survives a restart.

        One draft per ``name`` (the last one wins). Values that are not JSON (dates, numpy
        scalars) are stored as text; NaN is kept.
        """
        text = json.dumps(dict(form), ensure_ascii=False, default=_draft_default)
        self._transaction(lambda db: db.execute("INSERT INTO drafts (name, form_json, saved_at, kit_version) VALUES (?, ?, ?, ?) "
                                                "ON CONFLICT(name) DO UPDATE SET form_json = excluded.form_json, "
                                                "saved_at = excluded.saved_at, kit_version = excluded.kit_version",
                                                (name, text, _now_utc(), __version__)),
                          doing="save the draft", observation=dict(form))

    def load_draft(self, name: str = "triage") -> dict[str, Any] | None:
        """The last draft saved under ``name``, or ``None``."""
        rows = self._read("SELECT form_json FROM drafts WHERE name = ?", (name,))
        return json.loads(rows[0][0]) if rows else None

    def clear_draft(self, name: str = "triage") -> None:
        """Forget the draft (after the observation was saved, or the form cleared)."""
        self._transaction(lambda db: db.execute("DELETE FROM drafts WHERE name = ?", (name,)), doing="clear the draft")

    # -- corrections, erasure, audit ------------------------------------------------------------

    def correct(self, row_id: int, observation: Mapping[str, Any], *, assessment: Any = None, source: str | None = "correct") -> int:
        """Store a corrected observation that supersedes row ``row_id``; returns the new row id.

        The old row is kept for the record, marked ``superseded_by`` the new one (which has
        ``supersedes``); lists, exports and handouts show only the current version.

        Raises
        ------
        ObservationError
            The correction is not a valid observation (nothing changed).
        StoreRequestError
            No row ``row_id``, or it was already corrected (the message names the current version).
        StoreError
            The store could not be written.
        """
        row = self._prepare(observation, assessment)
        old_id = int(row_id)

        def apply(db: sqlite3.Connection) -> int:
            found = db.execute("SELECT superseded_by FROM observations WHERE id = ?", (old_id,)).fetchone()
            if found is None:
                raise StoreRequestError(f"no observation #{old_id} in {self.path}")
            if found[0] is not None:
                current = found[0]
                while (nxt := db.execute("SELECT superseded_by FROM observations WHERE id = ?", (current,)).fetchone()) and nxt[0]:
                    current = nxt[0]
                raise StoreRequestError(f"observation #{old_id} was already corrected; the current version is #{current} "
                                        f"(correct that one)")
            new_id = _row_id(db.execute(self._INSERT, (*row, _now_utc(), source)))
            db.execute("UPDATE observations SET supersedes = ? WHERE id = ?", (old_id, new_id))
            db.execute("UPDATE observations SET superseded_by = ? WHERE id = ?", (new_id, old_id))
            _audit(db, "correct", 1, f"#{old_id} superseded by #{new_id}")
            return new_id

        with self._lock:
            try:
                return self._transaction(apply, doing="save the correction", observation=dict(observation))
            except StoreError:
                self.unsaved.append(dict(observation))
                raise

    def erase(self, *, athlete_id: str | None = None, row_id: int | None = None) -> EraseReport:
        """Remove an athlete's observations and drafts (or one observation) so that no readable copy stays.

        With ``athlete_id``: every row of that athlete (current and superseded) and every draft
        whose ``athlete_id`` is that id. With ``row_id``: that observation and every version of
        it (its correction chain). Then the file is scrubbed: ``secure_delete`` is on (deleted
        content is overwritten), ``PRAGMA wal_checkpoint(TRUNCATE)`` empties the ``-wal`` file,
        ``VACUUM`` rebuilds the file without free pages, and a second checkpoint empties the
        ``-wal`` again. The erasure is recorded in the audit table with counts only.

        Returns
        -------
        EraseReport
            Counts, and ``scrubbed`` = whether the ``-wal`` could be emptied (another program
            reading the store at that moment prevents it; run erase again once it is closed).

        Raises
        ------
        StoreRequestError
            Nothing matches (nothing changed).
        """
        if (athlete_id is None) == (row_id is None):
            raise ValueError("erase takes exactly one of athlete_id or row_id")

        def apply(db: sqlite3.Connection) -> tuple[int, int]:
            if athlete_id is not None:
                ids = [r[0] for r in db.execute("SELECT id FROM observations WHERE athlete_id = ?", (athlete_id,))]
            else:
                ids = self._chain(db, int(row_id))  # type: ignore[arg-type]
            drafts = []
            if athlete_id is not None:
                for name, text in db.execute("SELECT name, form_json FROM drafts").fetchall():
                    with contextlib.suppress(ValueError, TypeError, AttributeError):
                        if str(json.loads(text).get("athlete_id") or "").strip() == athlete_id:
                            drafts.append(name)
            if not ids and not drafts:
                what = f"athlete {athlete_id!r}" if athlete_id is not None else f"observation #{row_id}"
                raise StoreRequestError(f"no {what} in {self.path}; nothing was erased")
            for i in range(0, len(ids), 500):
                part = ids[i:i + 500]
                db.execute(f"DELETE FROM observations WHERE id IN ({','.join('?' * len(part))})", part)
            db.execute("UPDATE observations SET supersedes = NULL WHERE supersedes IS NOT NULL "
                       "AND supersedes NOT IN (SELECT id FROM observations)")
            for name in drafts:
                db.execute("DELETE FROM drafts WHERE name = ?", (name,))
            _audit(db, "erase", len(ids), f"{len(ids)} observations and {len(drafts)} drafts erased "
                                          f"({'one athlete' if athlete_id is not None else 'one observation'}; id not kept)")
            return len(ids), len(drafts)

        with self._lock:
            n_obs, n_drafts = self._transaction(apply, doing="erase")
            return EraseReport(observations=n_obs, drafts=n_drafts, scrubbed=self._scrub())

    @staticmethod
    def _chain(db: sqlite3.Connection, row_id: int) -> list[int]:
        """``row_id`` and every version linked to it by corrections (both directions)."""
        seen: set[int] = set()
        todo = [row_id]
        while todo:
            i = todo.pop()
            if i in seen:
                continue
            r = db.execute("SELECT supersedes, superseded_by FROM observations WHERE id = ?", (i,)).fetchone()
            if r is None:
                continue
            seen.add(i)
            todo.extend(x for x in r if x is not None)
        return sorted(seen)

    def _scrub(self) -> bool:
        """Checkpoint the WAL into the file and truncate it, VACUUM, truncate again; True if the -wal ended empty."""
        conn = self._db()
        try:
            busy1 = self._retry(lambda: conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())[0]
            self._retry(lambda: conn.execute("VACUUM"))
            busy2 = self._retry(lambda: conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())[0]
        except sqlite3.Error as err:
            raise self._error(err, "scrub the file after the erasure") from None
        wal = Path(f"{self.path}-wal")
        return not busy1 and not busy2 and (not wal.exists() or wal.stat().st_size == 0)

    def record(self, action: str, rows: int, detail: str = "") -> bool:
        """Add an audit entry (e.g. ``export``, ``handout``), also for a store opened read-only.

        Returns ``False`` (and records nothing) when the store cannot be written, e.g. on a
        read-only mount: reading must still work there.
        """
        try:
            if not self.read_only:
                self._transaction(lambda db: _audit(db, action, rows, detail), doing="record the audit entry")
            else:
                with Store(self.path) as rw:
                    rw._transaction(lambda db: _audit(db, action, rows, detail), doing="record the audit entry")
        except StoreError:
            return False
        return True

    def audit(self) -> list[dict[str, Any]]:
        """The audit trail, oldest first: ``id``, ``at`` (UTC), ``os_user``, ``action``, ``rows``, ``detail``, ``kit_version``."""
        rows = self._read("SELECT id, at, os_user, action, rows, detail, kit_version FROM audit ORDER BY id")
        return [dict(zip(("id", "at", "os_user", "action", "rows", "detail", "kit_version"), r, strict=True)) for r in rows]


@dataclass
class EraseReport:
    """What :meth:`Store.erase` removed: ``observations`` and ``drafts`` counts; ``scrubbed`` = the -wal was emptied."""

    observations: int
    drafts: int
    scrubbed: bool
