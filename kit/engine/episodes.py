"""Rechecks of one episode: treat, wait, recheck, escalate when it is not working.

An *episode* is one athlete's post-run problem seen several times: the first
assessment and its rechecks share an ``episode_id``. This module holds the parts of
clinical-reference §9.9 that look across the observations of an episode. It is pure
(no I/O, no pandas) and knows nothing about the rule kernel's internals: the kernel
scores each observation on its own, and this module compares the per-observation
summaries.

* :func:`order_episode` puts the history and the current observation in episode order
  and checks that every history item carries the observation's ``episode_id``.
* :func:`spasm_totals` computes the K4 spasm total of every observation *before* the
  kernel runs (the kernel reads it as ``spasm_total_min``: prolonged_spasm, A9 and the
  severe-pain red condition).
* :func:`recheck` applies K1-K8 to the last observation of an episode and returns the
  recheck tier (the final tier is ``max(base tier, recheck tier)``), ``trend``,
  ``recheck_reasons`` and what the advice needs from the earlier observations
  (earlier red flags, earlier pattern rules, the K7 handover, K8).
* :func:`episode_orders` groups the rows of a list or frame into episodes in the same
  order as :func:`order_episode`, so that a frame row's result equals
  ``kit.assess(row, history=predecessors)``.

Every clinical number comes from :mod:`kit.engine.thresholds`; the only numbers written here
are counts (0, 1) and the 60 seconds of a minute.

References
----------
.. [1] clinical-reference.md §9.9 "Rechecks" (v0.2, review 2) [design, not validated]; §9.3 red flags,
       §9.5 amber points, §9.6 pattern rules, §9.11 warnings ``spasm_unrelieved`` and ``recheck_time_unknown``.
.. [2] American Diabetes Association. Standards of Care in Diabetes-2024, section 6 (15-15 rule: treat,
       recheck in 15 min, repeat) - K1.
.. [3] Casa DJ et al. NATA position statement: exertional heat illnesses. J Athl Train 2015;50(9):986-1000
       (heat exhaustion should improve within about 30 min, else transport) - K2.
.. [4] Source article: a spasm that has not settled within an hour needs medical attention, counted from
       when it began - K4.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np

from kit.engine.fields import parse_datetime
from kit.engine.formatting import threshold_text
from kit.engine.observation import ObservationError, Problem
from kit.engine.rules import TIERS
from kit.engine.thresholds import T

__all__ = [
    "HYPO_FLAGS", "K7_EMERGENCY", "RECHECK_REASONS", "TRENDS", "FIRST",
    "SpasmRow", "StepSummary", "RecheckResult",
    "parse_time", "elapsed_min", "treatment_set", "order_episode", "spasm_totals", "recheck", "episode_orders",
    "history_problem", "reason_text", "reason_entries", "step_summaries", "recheck_episode",
]

#: The hypoglycaemia flags of K1 and K8 (measured or presumptive ``hypoglycemia``, ``falling_glucose``,
#: ``severe_hypoglycemia``).
HYPO_FLAGS: tuple[str, ...] = ("hypoglycemia", "falling_glucose", "severe_hypoglycemia")

#: K7: an earlier red flag with one of these ids keeps the tier at emergency (hospital care whatever the
#: recheck shows; ``call_emergency`` handover text). Any other earlier red flag keeps it at least urgent.
K7_EMERGENCY: frozenset[str] = frozenset({
    "exertional_heat_stroke", "hyperthermia", "suspected_heat_stroke", "cardiorespiratory_red_flag",
    "collapse_during_run", "not_breathing_normally", "severe_hyponatremia", "possible_dka", "exertional_sickling",
    "severe_hypothermia", "compartment_syndrome_risk", "rhabdomyolysis_red",
})

#: ``recheck_reasons`` ids in K order (K1 ... K8); K7's pattern carry-forward adds no id.
RECHECK_REASONS: tuple[str, ...] = (
    "glucose_not_recovering", "heat_exhaustion_not_improving", "not_improving", "spasm_unrelieved",
    "new_red_flag", "core_falling", "red_flag_earlier", "glucose_not_confirmed",
)

#: Values of ``trend``.
TRENDS: tuple[str, ...] = ("first", "improving", "unchanged", "worsening")

_MONITOR = TIERS.index("monitor")
_SEE_DOCTOR = TIERS.index("see_doctor")
_URGENT = TIERS.index("urgent")
_EMERGENCY = TIERS.index("emergency")
_SECONDS_PER_MINUTE = 60.0

#: Warning texts (§9.11); each is "code: text".
_SPASM_UNRELIEVED = "spasm_unrelieved: spasm unrelieved by stretching"
_TIME_UNKNOWN = ("recheck_time_unknown: the time (observed_at) of this observation or of an earlier one in the episode "
                 "is missing: the time-based recheck rules were skipped for those observations")


# --- small value helpers ---------------------------------------------------------------------------------------

def _missing(x: Any) -> bool:
    """None, NaN, pandas' NA / NaT: unknown."""
    if x is None:
        return True
    if isinstance(x, float):
        return math.isnan(x)
    return type(x).__name__ in ("NAType", "NaTType")


def _number(x: Any) -> float | None:
    return None if _missing(x) else float(x)


def _yes_no(x: Any) -> bool | None:
    """True / False / None from a bool or the kernel's 1.0 / 0.0 / NaN."""
    if _missing(x):
        return None
    return bool(x)


def parse_time(value: Any) -> datetime | None:
    """An ``observed_at`` value as an aware datetime, or ``None`` when unknown.

    Accepts an ISO 8601 text (a trailing ``Z`` is UTC), a :class:`datetime.datetime`
    (also a pandas ``Timestamp``) or a missing marker. A time without an offset is read as
    UTC, so that times with and without an offset can be compared (a design reading:
    the contract requires only "ISO 8601 date-time").

    Raises
    ------
    ValueError
        For a text that is not an ISO 8601 date-time; TypeError for another type.
    """
    if _missing(value):
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        dt = parse_datetime(value)  # the field table's one reading of ISO 8601
    elif hasattr(value, "astype") and str(getattr(value, "dtype", "")).startswith("datetime64"):  # numpy datetime64
        return parse_time(str(value))
    else:
        raise TypeError(f"observed_at must be an ISO 8601 text or a datetime, not {type(value).__name__}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt


def elapsed_min(earlier: datetime | None, later: datetime | None) -> float | None:
    """Minutes from ``earlier`` to ``later`` (negative when ``later`` is before ``earlier``); ``None`` if either is unknown."""
    if earlier is None or later is None:
        return None
    return (later - earlier).total_seconds() / _SECONDS_PER_MINUTE


def treatment_set(value: Any) -> frozenset[str]:
    """``treatment_given`` as a set of action ids: a list, a ";"-joined text (frame / CSV) or unknown (empty set)."""
    if _missing(value):
        return frozenset()
    if isinstance(value, str):
        return frozenset(p.strip() for p in value.split(";") if p.strip())
    return frozenset(str(v) for v in value)


def _get(item: Any, name: str) -> Any:
    """A field of a raw mapping or of a validated :class:`~kit.engine.observation.Observation`."""
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


# --- ordering ---------------------------------------------------------------------------------------------------

def history_problem(index: int, history_id: Any, episode_id: Any) -> Problem | None:
    """The problem with history item ``index`` whose ``episode_id`` is ``history_id``, or ``None`` if it matches."""
    if history_id is not None and history_id == episode_id:
        return None
    row = f"history[{index}]"
    if episode_id is None:
        return Problem("episode_id", history_id, "the observation has no episode_id, so it cannot have a history; "
                       "give the observation the episode_id of its history", row)
    if history_id is None:
        return Problem("episode_id", None, f"is missing; every history item must carry the observation's "
                       f"episode_id {episode_id!r}", row)
    return Problem("episode_id", history_id, f"is not the observation's episode_id {episode_id!r}; every history "
                   "item must belong to the same episode", row)


def order_episode(history: Sequence[Any], current: Any) -> list[Any]:
    """The observations of an episode in episode order: the history, then ``current`` (always last).

    The history is sorted by ``observed_at`` (stable: equal times keep the given order) when
    every history item has one, otherwise it is used in the order given (§9.9). Items are raw
    mappings or validated observations; their ``observed_at`` must be valid.

    Parameters
    ----------
    history : sequence
        The earlier observations of the episode, any order.
    current : mapping or Observation
        The observation being assessed.

    Returns
    -------
    list
        The same objects, history first, ``current`` last.

    Raises
    ------
    ObservationError
        When a history item does not carry the observation's ``episode_id`` (missing or
        different), one problem per such item, each naming the history index (row
        ``"history[i]"``). ObservationError is a ValueError.

    References
    ----------
    clinical-reference.md §9.9 (ordering); contract.md v0.2 §Python (history).
    """
    episode_id = _get(current, "episode_id")
    problems = [p for i, h in enumerate(history) if (p := history_problem(i, _get(h, "episode_id"), episode_id))]
    if problems:
        raise ObservationError(problems)
    items = list(history)
    times = [parse_time(_get(h, "observed_at")) for h in items]
    if all(t is not None for t in times):
        items = [h for _, _, h in sorted(zip(times, range(len(items)), items, strict=True), key=lambda x: (x[0], x[1]))]
    return [*items, current]


def episode_orders(episode_ids: Sequence[Any] | np.ndarray, observed_at: Sequence[Any] | np.ndarray) -> list[list[int]]:
    """Group the rows of a list or frame into episodes, each in episode order.

    Rows with the same (known) ``episode_id`` form one episode; rows without one are not
    in any episode (they are assessed alone). Within an episode, the rows before the first
    row without a time (all of the rows when every row has one) are sorted by time
    (stable), and the rest follow in the order given. Then every row's predecessors are
    exactly what :func:`order_episode` keeps in place: a prefix of time-sorted rows, or a
    prefix that holds a row without a time (used as given). So each row's result equals
    ``assess(row, history=its predecessors)``.

    Parameters
    ----------
    episode_ids, observed_at : sequence
        One value per row (missing markers allowed); ``observed_at`` must be valid.

    Returns
    -------
    list of list of int
        Row positions of each episode in episode order; episodes in order of their first row.
    """
    groups: dict[Any, list[int]] = {}
    for i, eid in enumerate(episode_ids):
        if not _missing(eid):
            groups.setdefault(eid, []).append(i)
    out = []
    when = _Memo(parse_time)
    for rows in groups.values():
        times = [when(observed_at[i]) for i in rows]
        cut = next((k for k, t in enumerate(times) if t is None), len(rows))
        head = sorted(range(cut), key=lambda k: (times[k], k))
        out.append([rows[k] for k in head] + rows[cut:])
    return out


# --- K4: spasm totals (before the kernel) ------------------------------------------------------------------------

class SpasmRow(NamedTuple):
    """What K4 reads of one observation: ``spasm`` (True/False/None or 1.0/0.0/NaN), its duration, its time."""

    spasm: Any
    duration_min: Any
    observed_at: Any


def spasm_totals(rows: Sequence[SpasmRow]) -> list[float]:
    """``spasm_total_min`` of every observation of an episode (K4), NaN when unknown.

    For an observation with T(spasm): ``max(spasm_duration_min now, first.spasm_duration_min
    (0 if unknown) + minutes from first to now)``, where *first* is the earliest T(spasm)
    observation after the last observation with F(spasm) (the count restarts after a
    resolved cramp; U(spasm) neither breaks nor starts it). The minutes term is 0 when
    either time is missing, and also when the time goes backwards (a design reading: never
    shorter than the first observation's own duration). Without an earlier T(spasm)
    observation, and for every observation without T(spasm), the total is the
    observation's own ``spasm_duration_min`` (so a single observation is unchanged).

    Reading: when neither the first duration nor the minutes are known the extension
    carries no information and the total stays the current duration (NaN when unknown)
    instead of a "known 0": unknown is never counted as a number.

    Parameters
    ----------
    rows : sequence of SpasmRow
        The episode in episode order (:func:`order_episode`).

    Returns
    -------
    list of float
        One total per row.

    References
    ----------
    clinical-reference.md §9.9 K4; §9.1 D18.
    """
    out: list[float] = []
    first: int | None = None
    times = _Memo(parse_time)
    for k, row in enumerate(rows):
        spasm = _yes_no(row.spasm)
        if spasm is False:
            first = None
        elif spasm is True and first is None:
            first = k
        now = _number(row.duration_min)
        total = math.nan if now is None else now
        if spasm is True and first is not None and first != k:
            f = rows[first]
            first_dur = _number(f.duration_min)
            minutes = elapsed_min(times(f.observed_at), times(row.observed_at))
            if first_dur is not None or minutes is not None:
                ext = (first_dur or 0.0) + max(0.0, minutes or 0.0)
                total = ext if now is None else max(now, ext)
        out.append(total)
    return out


# --- per-observation summaries and the K rules --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StepSummary:
    """What the recheck rules need to know about one observation of an episode.

    Built from the scalar (or one row of the vectorised) kernel result of that observation,
    scored with its K4 spasm total.

    Attributes
    ----------
    base_tier : int
        Tier code before the recheck rules (max of red flags, urgent rules, amber band,
        pattern rules and the no_findings floor).
    red : frozenset of str
        §9.3 red flag ids that count as red now (``heart_rate_red`` only with palpitations
        or dizziness, ``severe_pain`` only with its tissue-damage signs).
    flags : frozenset of str
        §9.2 flag ids present.
    patterns : frozenset of str
        §9.6 pattern rule ids that fired.
    amber_total, dynamic_amber_total : int
        §9.5 amber total, and the K3 "dynamic" total (without A1, A2, A15 when Na is
        unknown, A21, A22, A23).
    a4 : bool
        Amber point A4 (core 38.5-40.0 °C).
    core_temp_c : float or None
    g_reliable : bool
        D3 (a measured, LO or HI reading; a reinterpreted one is not reliable).
    g : float or None
        D1 glucose in mg/dL.
    spasm : bool or None
        T / F / U(spasm).
    treatment_given : frozenset of str
        Action ids given since the previous observation.
    observed_at : datetime or None
    """

    base_tier: int
    red: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    patterns: frozenset[str] = frozenset()
    amber_total: int = 0
    dynamic_amber_total: int = 0
    a4: bool = False
    core_temp_c: float | None = None
    g_reliable: bool = False
    g: float | None = None
    spasm: bool | None = None
    treatment_given: frozenset[str] = frozenset()
    observed_at: datetime | None = None

    @property
    def hypo(self) -> bool:
        """Any hypoglycaemia flag (K1, K8)."""
        return any(f in self.flags for f in HYPO_FLAGS)

    @property
    def heat_exhaustion(self) -> bool:
        return "heat_exhaustion" in self.flags

    @property
    def cooling_risk(self) -> bool:
        """``hypothermia`` or ``cold_stress`` (K6)."""
        return "hypothermia" in self.flags or "cold_stress" in self.flags

    @property
    def glucose_confirmed(self) -> bool:
        """A reliable reading at or over K8's limit: low glucose "shown to be over"."""
        return self.g_reliable and self.g is not None and self.g >= T.k8_glucose_over_mg_dl


class RecheckResult(NamedTuple):
    """The recheck rules' answer for the last observation of an episode.

    Attributes
    ----------
    tier_code : int
        The recheck tier (0 when no rule fired); final tier = max(base tier, this).
    reasons : tuple of str
        ``recheck_reasons``: fired K ids in K order.
    trend : str
        ``first``, ``improving``, ``unchanged`` or ``worsening``.
    earlier_red : frozenset of str
        Red flag ids of earlier observations (K7: their contraindications stay in force).
    handover : bool
        K7 emergency: an earlier red flag on the hospital list (``call_emergency`` handover text).
    earlier_patterns : frozenset of str
        Pattern rule ids that fired at earlier observations (K7: ``see_doctor`` still listed).
    k8 : bool
        K8 fired (hypoglycaemia not confirmed over: reassess 15).
    warnings : tuple of str
        ``spasm_unrelieved`` and ``recheck_time_unknown`` ("code: text").
    """

    tier_code: int
    reasons: tuple[str, ...]
    trend: str
    earlier_red: frozenset[str]
    handover: bool
    earlier_patterns: frozenset[str]
    k8: bool
    warnings: tuple[str, ...]


def _row_sets(d: Mapping[str, Any], n: int) -> list[frozenset[str]]:
    """Per row, the ids whose value in ``d`` (id -> bool or bool column) is true (one set per distinct combination)."""
    if n == 1:  # one observation (kit.assess, an episode's steps): a value is a bool or a one-element array
        return [frozenset(name for name, v in d.items() if v)]
    names = list(d)
    codes = np.zeros(n, dtype=object)  # Python ints: any number of ids
    for bit, name in enumerate(names):
        on = np.broadcast_to(np.asarray(d[name], dtype=bool), (n,))
        if on.any():
            codes[on] += 1 << bit
    uniq, inverse = np.unique(codes.astype(str), return_inverse=True)  # a code's text is unique to it
    table = [frozenset(name for bit, name in enumerate(names) if int(u) >> bit & 1) for u in uniq]
    return [table[k] for k in inverse.reshape(-1)]


class _Memo:
    """``f`` with its answers kept for hashable arguments (times and treatment texts repeat across rows)."""

    __slots__ = ("f", "seen")

    def __init__(self, f: Any) -> None:
        self.f = f
        self.seen: dict[Any, Any] = {}

    def __call__(self, x: Any) -> Any:
        try:
            return self.seen[x]
        except KeyError:
            out = self.seen[x] = self.f(x)
            return out
        except TypeError:  # a list, an array: not hashable
            return self.f(x)


def step_summaries(r: Any, *, core_temp_c: Sequence[Any] | np.ndarray, spasm: Sequence[Any] | np.ndarray,
                   treatment_given: Sequence[Any] | np.ndarray, observed_at: Sequence[Any] | np.ndarray) -> list[StepSummary]:
    """The :class:`StepSummary` of every row of a kernel result (scalar: one row; vectorised: one per row).

    Parameters
    ----------
    r : kit.engine.rules.KernelResult
        Scored with the K4 spasm totals (:func:`spasm_totals`).
    core_temp_c, spasm : sequence
        The kernel inputs of the same rows (NaN unknown; spasm 1.0 / 0.0 / NaN or True / False / None).
    treatment_given : sequence
        Each row's ``treatment_given`` (a list, a ";"-joined text or unknown).
    observed_at : sequence
        Each row's ``observed_at`` (text, datetime or unknown).
    """
    base = np.atleast_1d(np.asarray(r.base_tier)).astype(np.int64)
    n = len(base)
    red, flags, patterns = _row_sets(r.red, n), _row_sets(r.flags._asdict(), n), _row_sets(r.pattern, n)
    amber = np.broadcast_to(np.asarray(r.amber_total, dtype=np.int64), (n,))
    dynamic = np.broadcast_to(np.asarray(r.dynamic_amber_total, dtype=np.int64), (n,))
    a4 = np.broadcast_to(np.asarray(r.d.core_raised, dtype=bool), (n,))
    g = np.broadcast_to(np.asarray(r.d.g, dtype=np.float64), (n,))
    g_reliable = np.broadcast_to(np.asarray(r.d.g_reliable, dtype=bool), (n,))
    treatments, times = _Memo(treatment_set), _Memo(parse_time)
    return [StepSummary(
        base_tier=int(base[i]), red=red[i], flags=flags[i], patterns=patterns[i], amber_total=int(amber[i]),
        dynamic_amber_total=int(dynamic[i]), a4=bool(a4[i]), core_temp_c=_number(core_temp_c[i]),
        g_reliable=bool(g_reliable[i]), g=_number(float(g[i])), spasm=_yes_no(spasm[i]),
        treatment_given=treatments(treatment_given[i]), observed_at=times(observed_at[i]),
    ) for i in range(n)]


def recheck_episode(steps: Sequence[StepSummary]) -> list[RecheckResult]:
    """:func:`recheck` for every prefix of an episode: each observation's answer with its predecessors.

    One pass in episode order (linear in the episode's length): what the rules need of the
    earlier observations is carried forward (treatment counts, the earliest time of each kind
    of observation a time rule looks for, the union of earlier red flags and pattern rules,
    whether a hypoglycaemia flag is still unconfirmed). Item k equals the rules of §9.9
    applied to ``steps[:k + 1]`` (a test checks it against a direct reading of each rule).
    """
    out: list[RecheckResult] = []
    oral = 0
    stretched = False
    time_unknown = False
    heat_first: datetime | None = None  # earliest time of an observation with heat_exhaustion or A4 (K2)
    monitor_first: dict[int, datetime] = {}  # dynamic amber total -> earliest time at base tier >= monitor (K3)
    earlier_red: frozenset[str] = frozenset()
    earlier_patterns: frozenset[str] = frozenset()
    hypo_pending = False  # a hypoglycaemia flag earlier, no reliable reading >= 70 since (K8)
    prev: StepSummary | None = None
    for now in steps:
        oral += "oral_carbohydrate" in now.treatment_given
        stretched = stretched or "stretch" in now.treatment_given
        time_unknown = time_unknown or now.observed_at is None
        if prev is None:
            out.append(FIRST)
        else:
            tier = 0
            reasons: list[str] = []
            warnings: list[str] = []
            # K1 glucose not recovering after two oral treatments
            if now.hypo and oral >= T.k_glucose_treatments:
                tier = max(tier, _EMERGENCY)
                reasons.append("glucose_not_recovering")
            # K2 heat exhaustion not improving
            if now.heat_exhaustion and _minutes_at_least(heat_first, now.observed_at, T.k_heat_exhaustion_min):
                tier = max(tier, _URGENT)
                reasons.append("heat_exhaustion_not_improving")
            # K3 monitor not improving (dynamic amber points only)
            if now.base_tier == _MONITOR and now.dynamic_amber_total > 0 and any(
                    _minutes_at_least(t, now.observed_at, T.k_not_improving_min)
                    for dyn, t in monitor_first.items() if dyn <= now.dynamic_amber_total):
                tier = max(tier, _EMERGENCY if "post_finish_collapse" in now.flags else _URGENT)
                reasons.append("not_improving")
            # K4 spasm unrelieved by stretching
            if now.spasm is True and stretched:
                reasons.append("spasm_unrelieved")
                warnings.append(_SPASM_UNRELIEVED)
            # K5 new red flag
            new_red = now.red - prev.red
            if new_red:
                tier = max(tier, _EMERGENCY)
                reasons.append("new_red_flag")
            # K6 core temperature falling in hypothermia / cold stress
            if now.cooling_risk and now.core_temp_c is not None and prev.core_temp_c is not None \
                    and now.core_temp_c < prev.core_temp_c:
                tier = max(tier, _URGENT)
                reasons.append("core_falling")
            # K7 red flag (or pattern rule) earlier in the episode
            handover = bool(earlier_red & K7_EMERGENCY)
            if earlier_red:
                tier = max(tier, _EMERGENCY if handover else _URGENT)
                reasons.append("red_flag_earlier")
            if earlier_patterns:
                tier = max(tier, _SEE_DOCTOR)
            # K8 hypoglycaemia not confirmed over by a reliable reading
            k8 = not now.hypo and hypo_pending and not now.glucose_confirmed
            if k8:
                tier = max(tier, _MONITOR)
                reasons.append("glucose_not_confirmed")
            if time_unknown:
                warnings.append(_TIME_UNKNOWN)
            if new_red or now.base_tier > prev.base_tier or now.amber_total > prev.amber_total:
                trend = "worsening"
            elif now.base_tier < prev.base_tier or (now.amber_total < prev.amber_total and not now.flags - prev.flags):
                trend = "improving"
            else:
                trend = "unchanged"
            out.append(RecheckResult(tier, tuple(reasons), trend, earlier_red, handover, earlier_patterns, k8,
                                     tuple(warnings)))
        # this observation is "earlier" for the next one
        at = now.observed_at
        if at is not None and (now.heat_exhaustion or now.a4) and (heat_first is None or at < heat_first):
            heat_first = at
        if at is not None and now.base_tier >= _MONITOR:
            t = monitor_first.get(now.dynamic_amber_total)
            if t is None or at < t:
                monitor_first[now.dynamic_amber_total] = at
        earlier_red = earlier_red | now.red
        earlier_patterns = earlier_patterns | now.patterns
        if now.hypo:
            hypo_pending = True
        elif now.glucose_confirmed:
            hypo_pending = False
        prev = now
    return out


def _minutes_at_least(earlier: datetime | None, later: datetime | None, minutes: float) -> bool:
    """``earlier`` is at least ``minutes`` before ``later`` (false when either is unknown)."""
    m = elapsed_min(earlier, later)
    return m is not None and m >= minutes


#: The answer without history: no recheck tier, trend ``first``.
FIRST = RecheckResult(0, (), "first", frozenset(), False, frozenset(), False, ())


def recheck(steps: Sequence[StepSummary]) -> RecheckResult:
    """Apply the recheck rules K1-K8 to the last observation of an episode.

    Parameters
    ----------
    steps : sequence of StepSummary
        The episode in episode order (:func:`order_episode`), the observation being
        assessed last. One step (no history) gives :data:`FIRST`.

    Returns
    -------
    RecheckResult
        Recheck tier, reasons, trend and the carried context for the advice.

    Notes
    -----
    Rules (tier codes by name; "earlier" = any observation before the last; "previous" =
    the one just before it):

    - K1 ``glucose_not_recovering``: a hypoglycaemia flag now and ``oral_carbohydrate`` in
      the treatment_given of at least ``k_glucose_treatments`` observations -> emergency.
    - K2 ``heat_exhaustion_not_improving``: heat_exhaustion now and heat_exhaustion or A4 at
      an observation at least ``k_heat_exhaustion_min`` earlier -> urgent.
    - K3 ``not_improving``: base tier monitor now, dynamic amber total now at least 1, and
      an observation at least ``k_not_improving_min`` earlier with base tier at least monitor
      and a dynamic total not above today's -> urgent; emergency with post_finish_collapse now.
    - K4 ``spasm_unrelieved``: T(spasm) now and ``stretch`` given at any observation
      (the total itself is :func:`spasm_totals`, already in the base tier).
    - K5 ``new_red_flag``: a red flag id now that the previous observation did not have -> emergency.
    - K6 ``core_falling``: hypothermia or cold_stress now and core lower than at the previous -> urgent.
    - K7 ``red_flag_earlier``: a red flag at an earlier observation -> urgent; emergency (and
      the handover) when it is on :data:`K7_EMERGENCY`. An earlier pattern rule -> see_doctor
      (no reason id).
    - K8 ``glucose_not_confirmed``: no hypoglycaemia flag now, one earlier, and no reliable
      reading of at least 70 mg/dL since the last one -> monitor.

    ``trend``: ``worsening`` if K5 fired, the base tier rose or the amber total rose;
    else ``improving`` if the base tier fell, or the amber total fell with no flag id new
    since the previous observation; else ``unchanged``.

    References
    ----------
    clinical-reference.md §9.9 (v0.2 review 2); §9.11 warnings.
    """
    if not steps:
        raise ValueError("recheck needs at least one observation")
    return recheck_episode(steps)[-1]


# --- words for people -----------------------------------------------------------------------------------------------

_REASON_SOURCE = {
    "glucose_not_recovering": "ADA 2024 (15-15 rule); clinical-reference §9.9 K1 (review 2)",
    "heat_exhaustion_not_improving": "NATA 2015 (secondary); clinical-reference §9.9 K2",
    "not_improving": "clinical-reference §9.9 K3 (design)",
    "spasm_unrelieved": "source article; clinical-reference §9.9 K4",
    "new_red_flag": "clinical-reference §9.9 K5",
    "core_falling": "WMS 2019; clinical-reference §9.9 K6",
    "red_flag_earlier": "clinical-reference §9.9 K7 (review 2)",
    "glucose_not_confirmed": "ADA 2024 (15-15 rule); clinical-reference §9.9 K8 (review 2)",
}


def reason_text(reason: str) -> str:
    """A ``recheck_reasons`` id in plain words (numbers from :mod:`kit.engine.thresholds`)."""
    texts = {
        "glucose_not_recovering": (f"glucose still low after oral sugar at {threshold_text(T.k_glucose_treatments)} checks: "
                                   "treatment by mouth has failed"),
        "heat_exhaustion_not_improving": (f"heat exhaustion not improving after {threshold_text(T.k_heat_exhaustion_min)} min "
                                          "of treatment"),
        "not_improving": f"not improving after {threshold_text(T.k_not_improving_min)} min of on-site care",
        "spasm_unrelieved": "spasm unrelieved by stretching (the spasm's time counts from its first check)",
        "new_red_flag": "a new red flag since the last check",
        "core_falling": "core temperature still falling in the cold",
        "red_flag_earlier": "a red flag earlier in this episode: it still counts even if the athlete looks better now",
        "glucose_not_confirmed": (f"low glucose not yet shown to be over: measure it (at least "
                                  f"{threshold_text(T.k8_glucose_over_mg_dl)} mg/dL) before calling it resolved"),
    }
    return texts[reason]


def reason_entries(result: RecheckResult, *, base_tier: int, post_finish_collapse: bool) -> tuple[dict[str, str], ...]:
    """The recheck part of an assessment's ``reasons``: ``{"tier", "reason", "source"}`` per fired rule.

    ``tier`` is the tier the rule asks for (K4 asks for none itself: it shows the base tier its
    spasm total gave); the earlier pattern rules of K7 add a ``see_doctor`` entry without a reason id.
    """
    tier_of = {
        "glucose_not_recovering": _EMERGENCY, "heat_exhaustion_not_improving": _URGENT,
        "not_improving": _EMERGENCY if post_finish_collapse else _URGENT, "spasm_unrelieved": base_tier,
        "new_red_flag": _EMERGENCY, "core_falling": _URGENT,
        "red_flag_earlier": _EMERGENCY if result.handover else _URGENT, "glucose_not_confirmed": _MONITOR,
    }
    out = [{"tier": TIERS[tier_of[k]], "reason": "recheck: " + reason_text(k), "source": _REASON_SOURCE[k]}
           for k in result.reasons]
    if result.earlier_patterns:
        out.append({"tier": TIERS[_SEE_DOCTOR], "reason": "recheck: a pattern rule fired earlier in this episode ("
                    + ", ".join(sorted(result.earlier_patterns)) + "): book a medical review",
                    "source": "clinical-reference §9.6, §9.9 K7"})
    return tuple(out)
