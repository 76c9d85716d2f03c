"""``kit.assess``: one observation in, one explained assessment out.

The assessment follows ``docs/reference/contract.md`` (v0.2) exactly, and adds (as the
contract allows) ``confidence``, ``amber_points`` and ``reasons`` (why the tier is what it
is: every red flag, urgent rule, amber point and pattern rule that fired, each naming its
finding and its source). Every point of every cause score is an evidence entry that names
the finding and its source. Warnings are ``"code: text"`` for every §9.11 code that applies.

The rule kernel (:func:`kit.engine.rules.evaluate`) decides flags, tiers and scores; advice
(:mod:`kit.engine.advice`) turns them into actions, contraindications and the reassessment time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from kit.engine.advice import AdviceContext, choose_advice, kernel_reassess
from kit.engine.episodes import SpasmRow, StepSummary, order_episode, reason_entries, recheck_episode, spasm_totals, step_summaries
from kit.engine.episodes import recheck as episode_recheck
from kit.engine.formatting import threshold_text, value_text
from kit.engine.missing import confidence, missing_fields
from kit.engine.observation import Observation, ObservationError, Problem, parse_observation
from kit.engine.rules import (
    CAUSES,
    FINDINGS,
    FLAGS,
    G_HI,
    G_LO,
    G_REINTERPRETED,
    G_STATUS,
    INTENSITY_CODES,
    KERNEL_INPUTS,
    RULE_SET,
    SCALAR,
    TIERS,
    UNIT_CODES,
    WARNING_CODES,
    KernelResult,
    evaluate,
)
from kit.engine.thresholds import THRESHOLDS, T

__all__ = ["Assessment", "assess", "assess_one", "assess_episode", "episode_in_order", "kernel_inputs", "advice_context", "warning_texts", "scalar_reassess",
           "RECHECK_WARNING_TEXT"]

_NAN = math.nan


def _t(key: str) -> str:
    return threshold_text(getattr(T, key))


#: Why a red flag counts (§9.3): text and source.
_RED_REASON: dict[str, tuple[str, str]] = {
    "altered_mental_status": ("altered mental state (confused, unresponsive or seizure)", "NEWS2 2017 (new confusion is red)"),
    "severe_hypoglycemia": ("severe hypoglycaemia: low (or presumed low) glucose with altered mental state", "ADA 2024, level 3"),
    "hypoglycemia_cannot_swallow": ("low glucose that cannot be treated by mouth (vomiting, seizure or unresponsive)",
                                    "ADA 2024; clinical-reference §9.3 (review 2)"),
    "not_breathing_normally": ("not breathing normally (gasping counts): cardiac arrest until proven otherwise", "AHA/ERC lay-rescuer CPR wording"),
    "exertional_heat_stroke": (f"exertional heat stroke (core {_t('ehs_core_c')} °C or more, or {_t('ehs_cns_core_c')} °C or more "
                               "with altered mental state)", "NATA 2015; ACSM 2021"),
    "hyperthermia": (f"core temperature over {_t('hyperthermia_core_c')} °C", "ACSM 2007; clinical-reference §9.2"),
    "suspected_heat_stroke": ("suspected heat stroke: altered mental state or collapse during the run, no rectal temperature",
                              "NATA 2015; ACSM 2021; clinical-reference §5"),
    "severe_hyponatremia": ("possible severe hyponatraemia (EAH with altered mental state, vomiting, breathlessness or "
                            f"sodium below {_t('eah_severe_sodium_mmol_l')} mmol/L)", "EAH consensus 2015; WMS 2019"),
    "rhabdomyolysis_red": ("possible rhabdomyolysis: dark urine with muscle pain, weakness, swelling, vomiting or altered "
                           "mental state, or swelling with weakness and severe pain", "O'Connor 2008; Nye 2021"),
    "compartment_syndrome_risk": ("possible compartment syndrome: swollen muscle with numbness or weakness and pain",
                                  "clinical-reference §8D"),
    "exertional_sickling": ("possible exertional sickling (sickle cell trait with weakness, collapse, pain or breathlessness)",
                            "ACSM/CHAMP 2012; ECAST 2021"),
    "cardiorespiratory_red_flag": ("chest pain or breathing difficulty", "clinical-reference §8B"),
    "collapse_during_run": ("collapse during the run (or timing unknown): a serious cause is more likely", "Asplund 2011; Phys Sportsmed 2003"),
    "severe_hypothermia": (f"severe hypothermia (core below {_t('hypothermia_severe_core_c')} °C, or below "
                           f"{_t('hypothermia_severe_cns_core_c')} °C with altered mental state)", "WMS 2019 (via AFP 2020)"),
    "possible_dka": ("possible diabetic ketoacidosis", "Umpierrez 2024 (ADA/EASD/JBDS/AACE/DTS)"),
    "heart_rate_red": ("red heart rate with palpitations or dizziness (symptomatic arrhythmia)", "NEWS2 2017 pulse bands; clinical-reference §8B"),
    "prolonged_spasm": (f"spasm lasting {_t('prolonged_spasm_min')} min or more", "source article; Miller 2022"),
    "severe_pain": (f"pain of {_t('severe_pain')}/10 or more with swelling, numbness, weakness, dark urine or a spasm of "
                    f"{_t('severe_pain_spasm_min')} min or more (possible tissue damage)", "source article; Miller 2022"),
}
#: Why an urgent rule fired (§9.4).
_URGENT_REASON: dict[str, tuple[str, str]] = {
    "U1": (f"amber total {_t('amber_urgent')}-{threshold_text(T.amber_emergency - 1)}", "NEWS2 2017 (5-6: urgent response); clinical-reference §9.5"),
    "U2": ("red heart rate without palpitations or dizziness: confirm and get it assessed today", "NEWS2 2017 pulse bands; clinical-reference §8B"),
    "U3": (f"ketones of {_t('ketosis_mmol_l')} mmol/L or more in diabetes (ketosis)", "Riddell 2017 (via Colberg)"),
    "U4": ("high glucose with nausea or vomiting", "clinical-reference §8F"),
    "U5": ("glucose above the meter's range (HI)", "meter manuals; clinical-reference §8F"),
    "U6": ("possible deep-vein thrombosis: one swollen leg with recent long travel or pain", "WHO WRIGHT 2007; clinical-reference §8D"),
    "U7": ("possible mild hyponatraemia with symptoms: needs a sodium measurement", "EAH consensus 2015; WMS 2019"),
    "U8": ("repeated vomiting cannot be managed on site", "clinical-reference §9.4"),
    "U13": ("dark urine: same-day CK and kidney tests (possible myoglobin)", "O'Connor 2008; Nye 2021"),
    "U14": ("palpitations with dizziness or collapse", "ESC 2018 syncope guideline (high-risk feature)"),
    "U15": (f"glucose {_t('new_diabetes_lo_mg_dl')}-{_t('new_diabetes_hi_mg_dl')} mg/dL without known diabetes: possible new diabetes",
            "NICE NG18; clinical-reference §8F"),
    "U16": (f"pain of {_t('severe_pain')}/10 or more after stretching, without tissue-damage signs", "source article; clinical-reference §9.4"),
}
#: What each amber point is (§9.5).
_AMBER_REASON: dict[str, tuple[str, str]] = {
    "A1": (f"body-mass loss over {_t('mass_loss_amber_pct')} %", "ACSM 2007 (Sawka)"),
    "A2": (f"urine colour {_t('urine_color_amber')} or darker", "Armstrong urine colour chart"),
    "A3": ("hypoglycaemia or falling glucose (not severe)", "ADA 2024; ADA 2016 (Colberg)"),
    "A4": (f"core temperature {_t('core_amber_lo_c')}-{_t('core_amber_hi_c')} °C", "NEWS2 2017 temperature bands; clinical-reference §9.5"),
    "A5": ("nausea or vomiting", "NATA 2015; EAH consensus 2015"),
    "A6": ("headache", "NATA 2015; EAH consensus 2015"),
    "A7": ("dizziness", "NATA 2015; Asplund 2011"),
    "A8": (f"pain {_t('pain_amber')} to under {_t('pain_amber_max')}/10", "clinical-reference §9.5"),
    "A9": (f"spasm {_t('spasm_amber_min')} to under {_t('spasm_amber_max_min')} min", "clinical-reference §9.5"),
    "A10": ("muscle weakness", "Miller 2022 (serious EAMC)"),
    "A11": ("muscle swelling", "Miller 2022 (serious EAMC)"),
    "A12": ("numbness or tingling", "clinical-reference §9.5"),
    "A13": ("palpitations", "Cryer 1999; clinical-reference §8B"),
    "A14": ("pale skin", "Cryer 1999; NATA 2015"),
    "A15": ("hyponatraemia risk (not severe)", "EAH consensus 2015"),
    "A16": ("heart rate in the amber band", "NEWS2 2017 pulse bands; clinical-reference §8B"),
    "A17": ("high glucose (hyperglycaemia)", "ADA 2016 (Colberg)"),
    "A18": ("raised ketones", "Riddell 2017 (via Colberg)"),
    "A19": ("cold stress", "WMS 2019; NEWS2 2017 temperature bands"),
    "A20": ("hypothermia", "WMS 2019 (via AFP 2020)"),
    "A21": ("collapse after the finish (alert)", "Asplund 2011"),
    "A22": ("one swollen leg", "clinical-reference §8D"),
    "A23": ("NSAID taken with a long run, dehydration, hyponatraemia risk, heat exhaustion or dark urine", "Wharam 2006; Lipman 2017"),
}
#: Why a pattern rule fired (§9.6).
_PATTERN_REASON: dict[str, tuple[str, str]] = {
    "P1": ("spasms recurring despite prevention", "source article"),
    "P2": (f"{_t('frequent_episodes')} or more earlier episodes in 30 days", "clinical-reference §9.6"),
    "P3": ("tremor with repeat episodes: possible recurrent hypoglycaemia (measure glucose next time)", "clinical-reference §9.6"),
    "P4": (f"glucose low enough for a medical work-up (< {_t('hypo_level2_mg_dl')} mg/dL with diabetes, "
           f"< {_t('whipple_mg_dl')} mg/dL without) with symptoms", "ADA 2024 level 2; Endocrine Society 2009 (Whipple)"),
    "P5": ("numbness or tingling with weakness or repeat episodes: possible nerve irritation", "clinical-reference §9.6"),
    "P6": ("one swollen leg without pain or travel: get it checked", "clinical-reference §8D"),
}


#: Texts of the recheck-level warning codes (§9.11), for :mod:`kit.engine.episodes` results that give bare codes.
RECHECK_WARNING_TEXT: dict[str, str] = {
    "spasm_unrelieved": "spasm unrelieved by stretching: stretching is not helping",
    "recheck_time_unknown": "observed_at is missing at this or an earlier observation of the episode: time-based recheck rules "
                            "skip those pairs",
}
_RECHECK_SOURCE = "clinical-reference §9.9"


@dataclass(frozen=True)
class Assessment:
    """The result of :func:`assess` (immutable). ``to_dict()`` gives the contract JSON."""

    escalation: str
    top_cause: str | None
    causes: tuple[Mapping[str, Any], ...]
    flags: tuple[str, ...]
    actions: tuple[Mapping[str, str], ...]
    contraindicated: tuple[Mapping[str, str], ...]
    reassess_in_min: int | float | None
    missing: tuple[str, ...]
    warnings: tuple[str, ...]
    trend: str = "first"
    recheck_reasons: tuple[str, ...] = ()
    rule_set: str = RULE_SET
    confidence: str = "low"
    amber_points: int = 0
    reasons: tuple[Mapping[str, str], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The contract's assessment JSON (plain lists and dicts)."""
        return {
            "escalation": self.escalation,
            "top_cause": self.top_cause,
            "causes": [{"cause": c["cause"], "score": c["score"], "evidence": [dict(e) for e in c["evidence"]]}
                       for c in self.causes],
            "flags": list(self.flags),
            "actions": [dict(a) for a in self.actions],
            "contraindicated": [dict(c) for c in self.contraindicated],
            "reassess_in_min": self.reassess_in_min,
            "missing": list(self.missing),
            "warnings": list(self.warnings),
            "trend": self.trend,
            "recheck_reasons": list(self.recheck_reasons),
            "rule_set": self.rule_set,
            "confidence": self.confidence,
            "amber_points": self.amber_points,
            "reasons": [dict(r) for r in self.reasons],
        }

    @property
    def score(self) -> dict[str, int]:
        """Cause -> score."""
        return {c["cause"]: c["score"] for c in self.causes}


def _frozen(d: dict[str, Any]) -> Mapping[str, Any]:
    """A read-only view: an Assessment cannot be changed after the fact."""
    return MappingProxyType(d)


def kernel_inputs(obs: Observation, spasm_total_min: float | None = None) -> dict[str, float]:
    """The rule kernel's inputs for one observation: floats, NaN for unknown, yes/no as 1.0/0.0.

    Parameters
    ----------
    obs : Observation
        The validated observation.
    spasm_total_min : float, optional
        §9.9 K4's spasm total (from :mod:`kit.engine.episodes`); default: the observation's own
        ``spasm_duration_min``.
    """
    v: dict[str, float] = {}
    for name in KERNEL_INPUTS:
        if name == "spasm_total_min":
            x = obs.spasm_duration_min if spasm_total_min is None else spasm_total_min
        elif name == "intensity":
            x = INTENSITY_CODES.get(obs.intensity) if obs.intensity is not None else None
        elif name == "blood_glucose_unit":
            x = UNIT_CODES.get(obs.blood_glucose_unit) if obs.blood_glucose_unit is not None else None
        else:
            x = getattr(obs, name)
        v[name] = _NAN if x is None else float(x)
    return v


def _known(x: Any) -> float | None:
    x = float(x)
    return None if x != x else x


def _label_values(obs: Observation, r: KernelResult) -> dict[str, Any]:
    f, d = r.flags, r.d
    g, status = _known(d.g), G_STATUS[int(d.g_status)]
    if f.falling_glucose and not (f.hypoglycemia or f.severe_hypoglycemia):
        hypo = "falling glucose: on glucose-lowering treatment with symptoms, glucose not yet low"
    elif d.low_g:
        hypo = f"possible hypoglycaemia on a {status} glucose reading (fast to treat: ranked first)"
    elif f.severe_hypoglycemia:
        hypo = "altered mental state in an athlete with diabetes or on glucose-lowering medication, glucose not reliably measured"
    elif d.g_status == G_REINTERPRETED:
        hypo = "presumptive hypoglycaemia: symptoms, and the only reading is uncertain (unit reinterpreted)"
    else:
        hypo = "presumptive hypoglycaemia: autonomic signs, glucose not measured"
    fluid = [name for on, name in ((f.dehydration, "dehydration"), (f.heat_exhaustion, "heat exhaustion"),
                                   (f.hyponatremia_risk, "possible hyponatraemia (dilution: do not give water)"),
                                   (f.severe_hyponatremia, "possible severe hyponatraemia")) if on]
    dm, rate = _known(d.dm_r), _known(d.rate)
    if obs.serum_sodium_mmol_l is not None:
        hypona = f"serum sodium {value_text(obs.serum_sodium_mmol_l)} mmol/L (below {_t('eah_sodium_mmol_l')}: hyponatraemia)"
    elif d.mass_gain:
        hypona = f"body-mass gain {value_text(dm)} % during the run (over-drinking: hyponatraemia risk)"
    elif f.overdrinking:
        hypona = f"drinking rate {value_text(rate, 0)} mL/h (over-drinking: hyponatraemia risk)"
    elif dm is not None:
        hypona = (f"body mass maintained ({value_text(dm)} %) over a run of {_t('eah_long_run_min')} min or more "
                  "(over-drinking: hyponatraemia risk)")
    else:
        hypona = f"repeated vomiting after a run of {_t('eah_vomit_run_min')} min or more (possible hyponatraemia)"
    return {
        "hypo_basis": hypo, "fluid_basis": ", ".join(fluid), "hypona_basis": hypona,
        "glucose": value_text(g), "glucose_status": status, "mass_loss": value_text(-dm if dm is not None else None),
        "urine": value_text(obs.urine_color), "ambient": value_text(obs.ambient_temp_c), "core": value_text(obs.core_temp_c),
        "prior": value_text(obs.prior_episodes_30d), "intensity": obs.intensity or "?", "rate": value_text(rate, 0),
        "t": _T_TEXT,
    }


_T_TEXT = {k: threshold_text(t.value) for k, t in THRESHOLDS.items()}


def _causes(obs: Observation, r: KernelResult) -> tuple[Mapping[str, Any], ...]:
    labels = _label_values(obs, r)
    evidence: dict[str, list[Mapping[str, Any]]] = {c: [] for c in CAUSES}
    for f in FINDINGS:
        if r.findings[f.id]:
            evidence[f.cause].append(_frozen({"finding": f.label.format(**labels), "points": f.points, "source": f.source}))
    rank = {c: i for i, c in enumerate(CAUSES)}
    ordered = sorted(CAUSES, key=lambda c: (-int(r.scores[c]), rank[c]))
    return tuple(_frozen({"cause": c, "score": int(r.scores[c]), "evidence": tuple(evidence[c])}) for c in ordered)


def _reasons(r: KernelResult) -> tuple[Mapping[str, str], ...]:
    out = [{"tier": "emergency", "reason": "red flag: " + _RED_REASON[k][0], "source": _RED_REASON[k][1]}
           for k, on in r.red.items() if on]
    out += [{"tier": "urgent", "reason": "urgent rule " + k + ": " + _URGENT_REASON[k][0], "source": _URGENT_REASON[k][1]}
            for k, on in r.urgent.items() if on]
    total = int(r.amber_total)
    if total:
        tier = TIERS[int(r.amber_tier)]
        out.append({"tier": tier, "reason": f"{total} amber point(s)",
                    "source": "NEWS2 2017 structure; clinical-reference §9.5"})
        out += [{"tier": tier, "reason": "amber " + k + ": " + _AMBER_REASON[k][0], "source": _AMBER_REASON[k][1]}
                for k, on in r.amber.items() if on]
    out += [{"tier": "see_doctor", "reason": "pattern " + k + ": " + _PATTERN_REASON[k][0], "source": _PATTERN_REASON[k][1]}
            for k, on in r.pattern.items() if on]
    if r.no_findings:
        out.append({"tier": "monitor", "reason": "nothing recorded: this is not reassurance (stay and assess)",
                    "source": "clinical-reference §9.11 (no_findings floor)"})
    if not out:
        out.append({"tier": "self_care", "reason": "no red flag, urgent rule, amber point or pattern rule",
                    "source": "clinical-reference §9"})
    return tuple(map(_frozen, out))


def warning_texts(obs: Observation, r: KernelResult) -> tuple[str, ...]:
    """The ``"code: text"`` warnings of §9.11 that apply to one observation (row-level codes only)."""
    g_raw, unit = obs.blood_glucose, obs.blood_glucose_unit
    raw = value_text(g_raw, 2)
    other = "mmol/L" if unit == "mg/dL" else "mg/dL"
    hr = value_text(obs.heart_rate_bpm)
    status = r.d.g_status
    texts = {
        "glucose_unit_reinterpreted": (f"{raw} mmol/L is above any meter's mmol/L range ({_t('glucose_meter_mmol_l_lo')}-"
                                       f"{_t('glucose_meter_mmol_l_hi')}): read as {raw} mg/dL, which is uncertain; "
                                       "check the meter's unit"),
        "glucose_unit_suspicious": (f"blood glucose {raw} {unit} is implausible for {unit}: did you mean {raw} {other}? "
                                    "Check the meter's unit before acting on it"),
        "glucose_out_of_meter_range": (
            f"{raw} {unit} is below the meter range, or a unit slip: treat as low and recheck (a LO reading is never read "
            "upward)" if status == G_LO else
            f"{raw} {unit} is above the meter range (HI): very high glucose, check ketones and get medical advice today"
            if status == G_HI else ""),
        "spasm_false_with_duration": (f"spasm recorded as over, with a duration of {value_text(obs.spasm_duration_min)} min: "
                                      "the duration still counts"),
        "pain_while_unconscious": "a pain score was recorded for an unresponsive athlete: it is ignored",
        "medication_without_diabetes": "glucose-lowering medication recorded with diabetes 'no': the medication is kept (treated as diabetes)",
        "collapse_timing_unknown": "collapse recorded without its timing: treated as during the run (record collapse_during_run)",
        "collapse_flag_missing": "collapse during the run recorded with collapse 'no': treated as a collapse",
        "vomiting_without_nausea_vomiting": "repeated vomiting recorded with nausea/vomiting 'no': vomiting wins",
        "dark_urine_vs_colour": f"dark (cola/tea) urine recorded with urine colour {value_text(obs.urine_color)}: dark urine is kept",
        "heart_rate_not_scored": (f"heart rate {hr} bpm not scored: a rate above {_t('hr_not_scored_lo_bpm')} and below "
                                  f"{_t('hr_not_scored_hi_bpm')} counts only after {_t('hr_rest_min')} min of rest "
                                  "(record minutes_since_run_end, recount then)"),
        "ketones_without_diabetes": "ketones measured without known diabetes: used only as an amber point",
        "heart_rate_confirm": (f"heart rate {hr} bpm: confirm by counting the pulse for {_t('pulse_count_s')} s "
                               "(wrist sensors can double-count)"),
        "no_findings": "nothing recorded: this is not reassurance",
    }
    return tuple(f"{code}: {texts[code]}" for code, on in zip(WARNING_CODES, r.warn, strict=True) if on)


def _flag_ids(r: KernelResult) -> tuple[str, ...]:
    """The ids of the flags raised in one scalar kernel result, in :data:`FLAGS` order."""
    return tuple(fl for fl, on in zip(FLAGS, r.flags, strict=True) if on)


def advice_context(obs: Observation, r: KernelResult, tier: str, *, patterns: frozenset[str] = frozenset(),
                   earlier_red_flags: frozenset[str] = frozenset(), handover: bool = False) -> AdviceContext:
    """The :class:`kit.engine.advice.AdviceContext` of one scalar kernel result at final tier ``tier``.

    ``patterns`` and ``earlier_red_flags`` add what earlier observations of the episode carry (§9.9 K7).
    """
    d = r.d
    return AdviceContext(
        tier=tier, flags=frozenset(_flag_ids(r)), obs=obs.to_dict(), cns=bool(d.cns),
        collapse_in_run=bool(d.collapse_in_run), cold_context=bool(d.cold_context),
        heat_context=bool(d.heat_context), pain=_known(d.pain), glucose_known=bool(d.g_known),
        patterns=frozenset(p for p, on in r.pattern.items() if on) | patterns,
        earlier_red_flags=earlier_red_flags, handover=handover,
    )


def scalar_reassess(obs: Observation, r: KernelResult, tier_code: int, *, k8: bool = False) -> int | float | None:
    """``reassess_in_min`` for one scalar kernel result at final tier ``tier_code`` (§9.10); ``None`` for self_care."""
    m = float(kernel_reassess(r, tier_code, obs.spasm is True, k8, SCALAR))
    if m != m:
        return None
    return int(m) if m.is_integer() else m


def assess(observation: Mapping[str, Any] | Observation, history: Sequence[Mapping[str, Any]] | None = None) -> Assessment:
    """Assess one observation of a runner with trembling or spasming legs.

    Parameters
    ----------
    observation : Mapping or Observation
        Contract field names to values; absent or ``None`` means unknown.
    history : sequence of Mapping, optional
        Earlier observations of the same episode (§9.9 rechecks, :mod:`kit.engine.episodes`), any
        order: sorted by ``observed_at`` when every one has it, else used as given; the
        observation is always last. Every item must carry the observation's ``episode_id``.
        ``None`` or empty: the single-observation result (``trend`` "first").

    Returns
    -------
    Assessment
        Escalation tier, ranked causes with evidence, flags, actions, contraindications,
        reassessment time, missing data, warnings, trend, recheck reasons and rule set.

    Raises
    ------
    ObservationError
        Every problem with the input, each naming the field, the value and what is allowed.

    See Also
    --------
    kit.assess_frame : the same rules over a pandas DataFrame, vectorised.

    References
    ----------
    .. [1] clinical-reference.md §9 (escalation ladder v0.2, review 2; design, not validated).
    .. [2] ADA Standards of Care 2024 §6; NATA 2015; ACSM 2007; EAH consensus 2015; NEWS2 2017; WMS 2019.

    Examples
    --------
    >>> from kit import assess
    >>> a = assess({"tremor": True, "blood_glucose": 3.2, "blood_glucose_unit": "mmol/L"})
    >>> a.escalation, a.top_cause, a.reassess_in_min
    ('monitor', 'hypoglycemia', 15)
    >>> assess({"spasm": True, "spasm_duration_min": 75}).escalation
    'emergency'
    >>> assess({"dark_urine": True}).escalation
    'urgent'
    >>> first = {"episode_id": "E1", "observed_at": "2025-06-14T09:00:00Z", "spasm": True, "spasm_duration_min": 50}
    >>> now = {"episode_id": "E1", "observed_at": "2025-06-14T09:12:00Z", "spasm": True, "treatment_given": ["stretch"]}
    >>> a = assess(now, history=[first])  # K4: 50 + 12 min of spasm
    >>> a.escalation, a.trend, a.recheck_reasons
    ('emergency', 'worsening', ('spasm_unrelieved', 'new_red_flag'))
    """
    if not history:
        obs = observation if isinstance(observation, Observation) else parse_observation(observation)
        return assess_one(obs)
    ordered = episode_in_order(observation, history)
    steps, totals, results = _episode_steps(ordered)
    return assess_one(ordered[-1], spasm_total_min=totals[-1], recheck=episode_recheck(steps), kernel=results[-1])


def episode_in_order(observation: Mapping[str, Any] | Observation,
                     history: Sequence[Mapping[str, Any] | Observation]) -> list[Observation]:
    """Validate an observation and its history and return the episode in order, the observation last.

    Raises
    ------
    ObservationError
        Every problem of the observation, then of each history item (row ``"history[i]"``),
        or, when all are valid, each history item without the observation's ``episode_id``.

    References
    ----------
    clinical-reference.md §9.9 (ordering); contract.md v0.2 §Python.
    """
    problems: list[Problem] = []
    parsed: list[Observation] = []
    for i, item in enumerate([observation, *history]):
        try:
            parsed.append(item if isinstance(item, Observation) else parse_observation(item))
        except ObservationError as err:
            problems.extend(err.problems if i == 0 else err.with_row(f"history[{i - 1}]").problems)
    if problems:
        raise ObservationError(problems)
    return order_episode(parsed[1:], parsed[0])


def _episode_steps(ordered: Sequence[Observation]) -> tuple[list[StepSummary], list[float], list[KernelResult]]:
    """K4 spasm totals, then the kernel per observation: the recheck summaries of an ordered episode (and the kernel results)."""
    totals = spasm_totals([SpasmRow(o.spasm, o.spasm_duration_min, o.observed_at) for o in ordered])
    steps: list[StepSummary] = []
    results: list[KernelResult] = []
    for o, total in zip(ordered, totals, strict=True):
        r = evaluate(kernel_inputs(o, total), SCALAR)
        results.append(r)
        steps += step_summaries(r, core_temp_c=[o.core_temp_c], spasm=[o.spasm], treatment_given=[o.treatment_given],
                                observed_at=[o.observed_at])
    return steps, totals, results


def assess_episode(ordered: Sequence[Observation]) -> list[Assessment]:
    """Assess every observation of an ordered episode, each with its predecessors as history.

    ``ordered`` is in episode order (:func:`kit.engine.episodes.order_episode` or
    :func:`kit.engine.episodes.episode_orders`); item k equals ``assess(ordered[k], history=ordered[:k])``.
    """
    steps, totals, results = _episode_steps(ordered)
    return [assess_one(o, spasm_total_min=t, recheck=rc, kernel=r)
            for o, t, rc, r in zip(ordered, totals, recheck_episode(steps), results, strict=True)]


def assess_one(obs: Observation, *, spasm_total_min: float | None = None, recheck: Any = None,
               kernel: KernelResult | None = None) -> Assessment:
    """Assess one validated observation, optionally with what its episode adds (the seam for :mod:`kit.engine.episodes`).

    Parameters
    ----------
    obs : Observation
        The validated observation.
    spasm_total_min : float, optional
        §9.9 K4's spasm total; default: the observation's own ``spasm_duration_min``.
    recheck : object, optional
        A recheck result with the attributes of ``kit.engine.episodes.RecheckResult``: ``tier_code``
        (0 when no recheck rule fired), ``reasons`` (recheck ids), ``trend``, ``earlier_red``
        (red-flag ids of earlier observations), ``handover``, ``earlier_patterns`` (P-ids),
        ``k8`` and ``warnings`` (codes, or ``"code: text"`` strings). ``None``: a first observation.
    kernel : KernelResult, optional
        The rule kernel's result for ``obs`` with ``spasm_total_min``, when the caller has it already
        (:func:`assess_episode` scores each step once); default: computed here.

    Returns
    -------
    Assessment
        Final tier = max(base tier, recheck tier) (§9.12).
    """
    r = kernel if kernel is not None else evaluate(kernel_inputs(obs, spasm_total_min), SCALAR)
    tier_code = int(r.base_tier)
    trend = "first"
    recheck_reasons: tuple[str, ...] = ()
    extra_warnings: tuple[str, ...] = ()
    earlier_red: frozenset[str] = frozenset()
    earlier_patterns: frozenset[str] = frozenset()
    handover = k8 = False
    if recheck is not None:
        tier_code = max(tier_code, int(recheck.tier_code))
        trend, recheck_reasons = recheck.trend, tuple(recheck.reasons)
        earlier_red, earlier_patterns = frozenset(recheck.earlier_red), frozenset(recheck.earlier_patterns)
        handover, k8 = bool(recheck.handover), bool(recheck.k8)
        extra_warnings = tuple(w if ": " in w else f"{w}: {RECHECK_WARNING_TEXT.get(w, w)}" for w in recheck.warnings)
    tier = TIERS[tier_code]
    top = int(r.top)
    ctx = advice_context(obs, r, tier, patterns=earlier_patterns, earlier_red_flags=earlier_red, handover=handover)
    actions, contra = choose_advice(ctx)
    missing = missing_fields(obs, r)
    reasons = _reasons(r)
    if recheck is not None:
        reasons += tuple(map(_frozen, reason_entries(recheck, base_tier=int(r.base_tier),
                                                     post_finish_collapse=bool(r.flags.post_finish_collapse))))
    return Assessment(
        escalation=tier,
        top_cause=None if top < 0 else CAUSES[top],
        causes=_causes(obs, r),
        flags=_flag_ids(r),
        actions=tuple(map(_frozen, actions)),
        contraindicated=tuple(map(_frozen, contra)),
        reassess_in_min=scalar_reassess(obs, r, tier_code, k8=k8),
        missing=tuple(missing),
        warnings=warning_texts(obs, r) + extra_warnings,
        trend=trend,
        recheck_reasons=recheck_reasons,
        rule_set=RULE_SET,
        confidence=confidence(missing, obs),
        amber_points=int(r.amber_total),
        reasons=reasons,
    )
