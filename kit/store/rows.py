"""One observation into a stored row of the log: canonical form, the assessment shown, the kit version.

:func:`prepare_row` validates and canonicalises an observation (:mod:`kit.store.canonical`) and
assesses it (with its episode's earlier entries as history, contract v0.2); :func:`row_of` does
the same for an observation already in canonical form. Pure (no store access), so an import runs
them in worker processes. A row holds the values of ``Store._INSERT`` before ``saved_at`` and
``source``, in the order of :data:`ROW_COLUMNS`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kit import __version__
from kit.engine import assessment as engine  # looked up at each call, so a stand-in engine (tests) is used too
from kit.engine.observation import ObservationError, Problem
from kit.store.canonical import _dumps, _sort_key, canonical_observation

__all__ = ["ROW_COLUMNS", "RULE_SET_BEFORE", "History", "prepare_row", "row_of", "row_with", "earlier_entries"]

#: The columns of a prepared row (``observations`` table), in order.
ROW_COLUMNS = ("athlete_id", "observed_at", "observed_sort", "observation_json", "assessment_json", "escalation", "top_cause",
               "kit_version", "rule_set", "episode_id")
#: ``rule_set`` recorded for an assessment that does not name one (the v0.1 engine, and rows saved before).
RULE_SET_BEFORE = "0.1"

#: ``history(episode_id)``: the episode's observations stored (or staged) before this one.
History = Callable[[str], list[dict[str, Any]]]


def prepare_row(observation: Mapping[str, Any], assessment: Any = None, history: History | None = None) -> tuple[Any, ...]:
    """Validate, canonicalise and (unless ``assessment`` is given) assess one observation into a stored row.

    ``history(episode_id)`` gives the earlier observations of the observation's episode: they are
    passed to the engine (``assess(obs, history=...)``, contract v0.2 rechecks) when it accepts them.

    Raises
    ------
    ObservationError
        Invalid observation, or one that cannot be assessed.
    """
    return row_of(canonical_observation(observation, fill_time=True), assessment, history)


def row_of(obs: dict[str, Any], assessment: Any = None, history: History | None = None) -> tuple[Any, ...]:
    """:func:`prepare_row` for an observation already in the store's canonical form (not validated again)."""
    if assessment is None:
        earlier = (earlier_entries(history(str(obs["episode_id"])), obs)
                   if history is not None and obs.get("episode_id") not in (None, "") else [])
        try:
            shown = (engine.assess(obs, history=earlier) if earlier and _takes_history(engine.assess) else engine.assess(obs)).to_dict()
        except ArithmeticError as err:  # e.g. a glucose so large its mg/dL conversion overflows
            raise ObservationError([Problem("<observation>", None, f"cannot be assessed ({type(err).__name__}: {err}); "
                                            "check for an implausibly large number")]) from None
    else:
        shown = assessment.to_dict() if hasattr(assessment, "to_dict") else dict(assessment)
    return row_with(obs, shown, str(shown.get("rule_set") or RULE_SET_BEFORE))


def row_with(obs: Mapping[str, Any], shown: Mapping[str, Any], rule_set: str) -> tuple[Any, ...]:
    """The stored row of a canonical observation and the assessment shown for it (:data:`ROW_COLUMNS`)."""
    episode = obs.get("episode_id")  # contract v0.2; absent from v0.1 observations
    return (obs.get("athlete_id"), obs["observed_at"], _sort_key(obs["observed_at"]), _dumps(obs), _dumps(shown),
            shown.get("escalation"), shown.get("top_cause"), __version__, rule_set, None if episode in (None, "") else str(episode))


def earlier_entries(items: Iterable[Mapping[str, Any]], obs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The episode's entries observed before ``obs`` (by time; one copy of each), oldest first."""
    now = _sort_key(obs["observed_at"])
    seen, out = set(), []
    for h in items:
        at = h.get("observed_at")
        key = _dumps(h)
        if key in seen or not isinstance(at, str):
            continue
        try:
            if _sort_key(at) >= now:
                continue
        except ValueError:
            continue
        seen.add(key)
        out.append(dict(h))
    return sorted(out, key=lambda h: _sort_key(h["observed_at"]))


def _takes_history(fn: Callable[..., Any]) -> bool:
    """Whether the engine's ``assess`` accepts ``history=`` (contract v0.2)."""
    try:
        return "history" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
