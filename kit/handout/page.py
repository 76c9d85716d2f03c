"""The data one handout shows: :class:`HandoutPage`, computed once by :func:`prepare`.

The first call of ``notebooks/handout-template.ipynb`` (through :mod:`kit.handout.build`); the
section renderers in :mod:`kit.handout.sections` read the page it returns. With no
observations the page is a built-in example athlete (:func:`example_observations`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kit import __version__
from kit.engine.assessment import Assessment, assess
from kit.engine.fields import FIELD_NAMES
from kit.engine.observation import Observation, parse_observation
from kit.resources import load_cases
from kit.views.history import history_frame, history_summary

__all__ = ["EXAMPLE_ATHLETE", "HandoutPage", "example_observations", "prepare"]

_EXAMPLE_CASES = (
    ("pub-01-easy-calf-cramp", "2026-04-12T09:30:00"),
    ("pub-04-hot-day-dehydration-cramps", "2026-06-21T17:45:00"),
    ("pub-08-recurrent-cramps-despite-prevention", "2026-07-05T08:15:00"),
)
EXAMPLE_ATHLETE = "EXAMPLE-01"


def example_observations() -> list[dict[str, Any]]:
    """A small built-in example athlete: three public teaching cases as one runner's season.

    Used when the template runs with its default parameters (nbval, a first look): the
    cases come from ``data/cases.json``; only the athlete id and the dates are set here.
    """
    cases = {c["id"]: c for c in load_cases()}
    out = []
    for case_id, when in _EXAMPLE_CASES:
        obs = dict(cases[case_id]["observation"])
        obs.update(athlete_id=EXAMPLE_ATHLETE, observed_at=when)
        out.append(obs)
    return out


@dataclass(frozen=True)
class HandoutPage:
    """Everything one handout shows, computed once by :func:`prepare`.

    Attributes
    ----------
    label : str
        The athlete as shown (id or pseudonym); escaped wherever it is written.
    latest : Observation
        The episode (the latest observation).
    latest_raw : dict
        The same as a contract mapping.
    assessment : Assessment
        The kit's assessment of the episode.
    history : pandas.DataFrame
        :func:`kit.views.history.history_frame` of all the athlete's observations.
    summary : dict
        :func:`kit.views.history.history_summary`.
    generated_on : str
        ISO date the handout was made.
    version : str
        The kit's version.
    pseudonymised, example : bool
        Whether the label is a pseudonym; whether this is the built-in example.
    episodes : tuple of dict
        One per episode (observations sharing an ``episode_id``), oldest first: ``episode_id``
        and ``steps``, one per entry in order with ``observed_at``, ``escalation``, ``trend``,
        ``recheck_reasons`` and ``treatment_given`` (each entry assessed with the earlier ones
        as history, clinical-reference §9.9).
    """

    label: str
    latest: Observation
    latest_raw: dict[str, Any]
    assessment: Assessment
    history: pd.DataFrame
    summary: dict[str, Any]
    generated_on: str
    version: str
    pseudonymised: bool = False
    example: bool = False
    episodes: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def _sort_key(obs: Mapping[str, Any], i: int) -> tuple[int, str, int]:
    when = obs.get("observed_at")
    if not when:
        return (0, "", i)
    try:
        t = dt.datetime.fromisoformat(str(when).replace("Z", "+00:00"))
        if t.tzinfo is not None:
            t = t.astimezone(dt.UTC).replace(tzinfo=None)
        return (1, t.isoformat(), i)
    except ValueError:
        return (0, "", i)


def prepare(observations: Sequence[Mapping[str, Any]] | None = None, *, athlete_label: str = "",
            generated_on: str = "", pseudonymised: bool = False) -> HandoutPage:
    """Validate one athlete's observations and compute what the handout shows.

    Parameters
    ----------
    observations : sequence of mappings, optional
        This athlete's observations (contract fields), any order. Empty or ``None``: the
        built-in example (:func:`example_observations`).
    athlete_label : str
        The name shown; default the observations' ``athlete_id``.
    generated_on : str
        ``YYYY-MM-DD``; default today.
    pseudonymised : bool
        Say on the page that the label is a pseudonym.

    Returns
    -------
    HandoutPage

    Raises
    ------
    kit.ObservationError
        If an observation is invalid.
    ValueError
        If the observations belong to more than one athlete (a handout holds one athlete).
    """
    example = not observations
    obs_list = [dict(o) for o in (observations or example_observations())]
    ids = {str(o.get("athlete_id") or "").strip() for o in obs_list}
    ids.discard("")
    if len(ids) > 1:
        raise ValueError(f"a handout shows one athlete, got {len(ids)} different athlete ids")
    order = sorted(range(len(obs_list)), key=lambda i: _sort_key(obs_list[i], i))
    obs_list = [obs_list[i] for i in order]
    latest_raw = {k: v for k, v in obs_list[-1].items() if k in FIELD_NAMES}
    label = (athlete_label or (next(iter(ids)) if ids else "") or "(no athlete id)").strip()
    day = generated_on or dt.date.today().isoformat()
    hist = history_frame([{k: v for k, v in o.items() if k in FIELD_NAMES} for o in obs_list])
    clean = [{k: v for k, v in o.items() if k in FIELD_NAMES} for o in obs_list]
    episodes = _episodes(clean)
    eid = latest_raw.get("episode_id")
    earlier = [o for o in clean[:-1] if eid not in (None, "") and o.get("episode_id") == eid]
    return HandoutPage(
        label=label, latest=parse_observation(latest_raw), latest_raw=latest_raw,
        assessment=assess(latest_raw, history=earlier) if earlier else assess(latest_raw),
        history=hist, summary=history_summary(hist), generated_on=day, version=__version__,
        pseudonymised=pseudonymised, example=example, episodes=episodes,
    )


def _episodes(obs_list: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    """The athlete's episodes (observations sharing an ``episode_id``; already in time order), each entry scored
    with the earlier entries of its episode as history."""
    groups: dict[Any, list[Mapping[str, Any]]] = {}
    for o in obs_list:
        if o.get("episode_id") not in (None, ""):
            groups.setdefault(o["episode_id"], []).append(o)
    out = []
    for eid, entries in groups.items():
        steps = []
        for k, o in enumerate(entries):
            a = assess(o, history=list(entries[:k])) if k else assess(o)
            steps.append({"observed_at": o.get("observed_at"), "escalation": a.escalation, "trend": a.trend,
                          "recheck_reasons": list(a.recheck_reasons), "treatment_given": list(o.get("treatment_given") or ())})
        out.append({"episode_id": eid, "steps": steps})
    return tuple(out)
