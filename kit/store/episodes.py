"""Episodes in the observation log (issue 12 item 2): one line per episode from the stored entries.

An episode is every current observation sharing an ``episode_id`` (contract v0.2: the first
assessment and its rechecks). :func:`summarise_episodes` turns stored entries (as
:meth:`kit.store.db.Store.entries` returns them: observation + assessment as shown) into
:class:`EpisodeSummary` rows: start, end, entries, highest tier, final tier, treatments and time
to resolution. Pure: no store access, so it is tested with any entries.

Time to resolution (not defined by the reference; read as): an episode is *resolved* when its
last entry's tier is ``self_care``; the time to resolution is then the minutes from its first to
its last entry. An episode whose last tier is higher is not resolved (``None``): still open, or
handed over (see_doctor, urgent, emergency).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["EpisodeSummary", "summarise_episodes", "ESCALATION_ORDER", "treatments_of"]

#: The five ordered tiers of contract v0.2 (``escalation``); the engine's :data:`kit.engine.rules.TIERS` is a
#: subsequence of it (tested), so a log holding v0.1 (four tiers) and v0.2 rows is ordered consistently.
ESCALATION_ORDER = ("self_care", "monitor", "see_doctor", "urgent", "emergency")
_RANK = {t: i for i, t in enumerate(ESCALATION_ORDER)}


@dataclass(frozen=True)
class EpisodeSummary:
    """One episode of the log.

    Attributes
    ----------
    episode_id, athlete_id : str
        The episode and its athlete (the first entry's).
    start, end : str
        ``observed_at`` of the first and last entry (as stored).
    entries : int
        Number of (current) entries.
    highest_tier, final_tier : str
        The highest tier shown during the episode, and the last entry's tier.
    treatments : dict of str to int
        Action id -> number of entries whose ``treatment_given`` holds it (repeats show).
    minutes_to_resolution : float or None
        Minutes from the first to the last entry when the last tier is ``self_care``, else ``None``.
    ids : list of int
        The row ids, in order.
    """

    episode_id: str
    athlete_id: str | None
    start: str
    end: str
    entries: int
    highest_tier: str
    final_tier: str
    treatments: dict[str, int] = field(default_factory=dict)
    minutes_to_resolution: float | None = None
    ids: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def treatments_of(observation: Mapping[str, Any]) -> list[str]:
    """``treatment_given`` of an observation as a list (a list, or a ";"-joined string as in CSV); [] when absent."""
    t = observation.get("treatment_given")
    if t is None:
        return []
    if isinstance(t, str):
        return [x.strip() for x in t.split(";") if x.strip()]
    return [str(x) for x in t]


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        t = dt.datetime.fromisoformat(s)
    except ValueError:
        return None
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


def summarise_episodes(entries: Iterable[Mapping[str, Any]]) -> list[EpisodeSummary]:
    """One :class:`EpisodeSummary` per ``episode_id``, in order of their first entry.

    Parameters
    ----------
    entries : iterable of mappings
        Stored entries (``id``, ``observation``, ``assessment``) in the log's order
        (observed_at, then id); entries without an ``episode_id`` are left out.
    """
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for e in entries:
        eid = e["observation"].get("episode_id")
        if eid is not None and eid != "":
            groups.setdefault(str(eid), []).append(e)
    out = []
    for eid, rows in groups.items():
        tiers = [str(r["assessment"].get("escalation")) for r in rows]
        treat: dict[str, int] = {}
        for r in rows:
            for a in dict.fromkeys(treatments_of(r["observation"])):  # duplicates within one entry ignored
                treat[a] = treat.get(a, 0) + 1
        first, last = rows[0]["observation"].get("observed_at"), rows[-1]["observation"].get("observed_at")
        minutes = None
        if tiers[-1] == "self_care":
            t0, t1 = _time(first), _time(last)
            minutes = round((t1 - t0).total_seconds() / 60, 1) if t0 is not None and t1 is not None else None
        out.append(EpisodeSummary(
            episode_id=eid, athlete_id=rows[0]["observation"].get("athlete_id"), start=str(first), end=str(last),
            entries=len(rows), highest_tier=max(tiers, key=lambda t: _RANK.get(t, -1)), final_tier=tiers[-1],
            treatments=treat, minutes_to_resolution=minutes, ids=[int(r["id"]) for r in rows]))
    return out
