"""The audit trail of the observation log (issue 11 item 10): who did what, when; never health data.

:func:`audit` adds one row to the ``audit`` table inside the caller's transaction: the OS user,
the action (one of :data:`AUDIT_ACTIONS`), the time (UTC), a count of rows and a short detail
(counts and file names only: no athlete id, value or note), and the kit version.
"""

from __future__ import annotations

import getpass
import os
import sqlite3

from kit import __version__
from kit.store.canonical import _now_utc

__all__ = ["AUDIT_ACTIONS", "audit", "os_user"]

#: What the audit table records (never health data: no athlete id, value or note).
AUDIT_ACTIONS = ("add", "import", "export", "correct", "erase", "handout")


def os_user() -> str:
    """The operating-system user running the kit (for the audit table)."""
    try:
        return getpass.getuser()
    except Exception:  # no login name and no passwd entry (some containers)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def audit(db: sqlite3.Connection, action: str, rows: int, detail: str) -> None:
    """Record ``action`` on ``rows`` rows in the ``audit`` table (inside the caller's transaction).

    Raises
    ------
    ValueError
        ``action`` is not one of :data:`AUDIT_ACTIONS`.
    """
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; allowed: {', '.join(AUDIT_ACTIONS)}")
    db.execute("INSERT INTO audit (at, os_user, action, rows, detail, kit_version) VALUES (?, ?, ?, ?, ?, ?)",
               (_now_utc(), os_user(), action, int(rows), detail, __version__))
