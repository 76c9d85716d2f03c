"""The observation log's schema: one migration per version, applied in order (see :class:`kit.store.Store`).

Each migration runs inside its own ``BEGIN IMMEDIATE`` transaction and is recorded in the
``schema_version`` table; a store written by an older kit is upgraded in place on open,
one written by a newer kit is refused. Append only: never change a released migration.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]


def _m1(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE observations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        athlete_id TEXT,
        observed_at TEXT NOT NULL,
        observed_sort TEXT NOT NULL,
        observation_json TEXT NOT NULL,
        assessment_json TEXT NOT NULL,
        escalation TEXT NOT NULL,
        top_cause TEXT,
        kit_version TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        source TEXT
    )""")
    db.execute("CREATE INDEX ix_observations_athlete ON observations (athlete_id, observed_sort, id)")
    db.execute("CREATE INDEX ix_observations_time ON observations (observed_sort, id)")


def _m2(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE drafts (
        name TEXT PRIMARY KEY,
        form_json TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        kit_version TEXT NOT NULL
    )""")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _m3(db: sqlite3.Connection) -> None:
    # corrections: the old row is kept and points to the row that replaces it
    db.execute("ALTER TABLE observations ADD COLUMN supersedes INTEGER")
    db.execute("ALTER TABLE observations ADD COLUMN superseded_by INTEGER")
    # who did what and when: counts only, never health data (no athlete id, no value, no note)
    db.execute("""CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        os_user TEXT NOT NULL,
        action TEXT NOT NULL,
        rows INTEGER NOT NULL,
        detail TEXT NOT NULL,
        kit_version TEXT NOT NULL
    )""")


#: version -> (description, function applying it inside a transaction). Append only.
MIGRATIONS: dict[int, tuple[str, Callable[[sqlite3.Connection], None]]] = {
    1: ("observation log: contract JSON + indexed athlete/time + assessment shown + kit version", _m1),
    2: ("form drafts (autosave) and a key/value meta table", _m2),
    3: ("corrections (supersedes / superseded_by) and the audit table", _m3),
}
SCHEMA_VERSION = max(MIGRATIONS)
