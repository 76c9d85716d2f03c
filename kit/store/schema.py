"""The observation log's schema: one migration per version, applied in order (see :class:`kit.store.db.Store`).

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


def _m4(db: sqlite3.Connection) -> None:
    # the rule set that produced each stored assessment (rows saved before: "0.1", unless their assessment says)
    db.execute("ALTER TABLE observations ADD COLUMN rule_set TEXT NOT NULL DEFAULT '0.1'")
    db.execute("UPDATE observations SET rule_set = json_extract(assessment_json, '$.rule_set') "
               "WHERE json_type(assessment_json, '$.rule_set') = 'text'")
    # episodes (contract v0.2 episode_id): an indexed column, filled from the stored observation
    db.execute("ALTER TABLE observations ADD COLUMN episode_id TEXT")
    db.execute("UPDATE observations SET episode_id = json_extract(observation_json, '$.episode_id') "
               "WHERE json_type(observation_json, '$.episode_id') = 'text'")
    db.execute("CREATE INDEX ix_observations_episode ON observations (episode_id, observed_sort, id)")


#: version -> (description, function applying it inside a transaction). Append only.
MIGRATIONS: dict[int, tuple[str, Callable[[sqlite3.Connection], None]]] = {
    1: ("observation log: contract JSON + indexed athlete/time + assessment shown + kit version", _m1),
    2: ("form drafts (autosave) and a key/value meta table", _m2),
    3: ("corrections (supersedes / superseded_by) and the audit table", _m3),
    4: ("rule_set of each stored assessment; indexed episode_id", _m4),
}
SCHEMA_VERSION = max(MIGRATIONS)
