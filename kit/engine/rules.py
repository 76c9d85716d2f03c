"""The rule kernel: derived values, flags, red flags, urgent rules, amber points, patterns, causes, tier.

One function, :func:`evaluate`, implements clinical-reference §9.1-§9.7, §9.11 (row-level
warnings) and the base tier of §9.12 (everything but the recheck rules of §9.9, which
:mod:`kit.engine.episodes` adds on top). It is written only with operators that mean the same on
Python floats and on numpy arrays (``<``, ``>=``, ``==``, ``&``, ``|``, ``*``, ``+``, ``/``)
plus the helpers passed in as ``ops`` (``not_``, ``where``, ``maximum``, ``minimum``,
``floor``). :func:`kit.assess` calls it with Python scalars (:data:`SCALAR`) and
:func:`kit.assess_frame` with whole numpy columns (:data:`VECTOR`), so the scalar path and
the vectorised path are the same code and give identical results by construction (tests
check it on random observations).

Encoding of inputs: every value is a float; **unknown is NaN**. A yes/no field is 1.0
(yes), 0.0 (no) or NaN (unknown); the glucose unit is 0.0 (mg/dL) or 1.0 (mmol/L); the
intensity is its :data:`INTENSITY_CODES` value. Every comparison with NaN is false, so an
unknown value never fires a rule and is never read as "normal" either: a rule that needs
"known" checks ``x == x``, a rule that needs "known to be no" checks ``x == 0``
(``F(x)`` of the reference) and one that needs "unknown" checks ``x != x`` (``U(x)``).

Design notes, with the clinically load-bearing pitfalls:

* The glucose reading rule (D1) runs here, vectorised: a value inside the stated unit's
  meter range is read as stated; a "mmol/L" value above that range that fits the mg/dL
  range is read in mg/dL (reinterpreted, uncertain); a value below the stated range is LO
  (never read upward); above 600 is HI. A reinterpreted reading never cancels a
  presumptive hypoglycaemia (D20).
* Body-mass change is rounded to 0.1 % (half away from zero) before any comparison (D4).
* A single red flag forces ``emergency`` (NEWS2's "single red parameter"); the urgent rules
  give at least ``urgent``; the amber total maps 0 / 1-4 / 5-6 / >= 7 to self_care / monitor /
  urgent / emergency; a pattern rule gives at least ``see_doctor``; an observation with
  nothing recorded gets the ``monitor`` floor (§9.11 no_findings).
* The ``dehydration_electrolyte`` cause covers **both directions** (deficit and dilution)
  and never implies "give water".
* Cause scores: each finding adds fixed points with a reason and a source; a cause scores
  only when its *key finding* is present. Key findings carry enough points that the
  highest score follows the precedence of §9.7 (hypoglycaemia > fluid/electrolyte > nerve >
  fatigue): the least a cause with a key finding can score exceeds the most any
  lower-precedence cause can score. Scores are capped at 100 and are relative weights of
  evidence, not probabilities. ``top`` is -1 (no leading cause) under a dominating
  condition of §9.7 rule 1, or when every score is 0.

References
----------
.. [1] clinical-reference.md §9 "Escalation ladder and rules (v0.2, review 2)" [design].
.. [2] Royal College of Physicians. NEWS2, 2017 (single red parameter; aggregate bands; pulse bands).
.. [3] ADA. Standards of Care in Diabetes-2024, section 6 (hypoglycaemia levels 1-3).
.. [4] Colberg SR et al. Diabetes Care 2016 (exercise table: < 90 and 250-350 mg/dL); ISPAD 2020.
.. [5] Umpierrez GE et al. Hyperglycemic crises in adults with diabetes. Diabetes Care 2024 (DKA criteria).
.. [6] Cryer PE et al. J Clin Endocrinol Metab 2009;94(3):709-728 (Whipple's triad, < 55 mg/dL).
.. [7] Sawka MN et al. Med Sci Sports Exerc 2007;39(2):377-390 (2 % body-mass loss; no gain).
.. [8] Hew-Butler T et al. Clin J Sport Med 2015;25(4):303-320 (EAH, Na < 135 mmol/L).
.. [9] Casa DJ et al. J Athl Train 2015;50(9):986-1000 (exertional heat stroke); Roberts WO et al. ACSM 2021.
.. [10] Dow J et al. WMS hypothermia guideline, Wilderness Environ Med 2019 (via AFP 2020).
.. [11] Asplund CA, O'Connor FG, Noakes TD. Br J Sports Med 2011 (exercise-associated collapse).
.. [12] O'Connor FG et al. Curr Sports Med Rep 2008; Nye NS et al. 2021 (rhabdomyolysis).
.. [13] O'Connor FG et al. ACSM/CHAMP 2012; ECAST 2021 (exertional sickling).
.. [14] WHO WRIGHT project 2007 (travel and venous thromboembolism).
.. [15] Schwellnus MP. Br J Sports Med 2009; Miller KC et al. J Athl Train 2022 (EAMC).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from kit.engine.thresholds import T

__all__ = [
    "CAUSES", "TIERS", "RULE_SET", "FLAGS", "RED_FLAGS", "URGENT_RULES", "AMBER_POINTS", "DYNAMIC_AMBER", "PATTERNS",
    "WARNING_CODES", "G_STATUS", "INTENSITY_CODES", "KERNEL_INPUTS", "HEAT_FLAGS", "HYPO_FLAGS", "Finding", "FINDINGS",
    "KernelResult", "Flags", "Warnings", "Derived", "Ops", "mmol_to_mg_dl", "SCALAR", "VECTOR", "evaluate", "tier_code",
]

#: The version of the rules (output key ``rule_set``).
RULE_SET = "0.2"
#: The four causes in order of precedence (clinical-reference §9.7).
CAUSES: tuple[str, ...] = ("hypoglycemia", "dehydration_electrolyte", "nerve_irritation", "muscle_fatigue")
#: Escalation tiers, lowest first; the tier code is the index (emergency = 4).
TIERS: tuple[str, ...] = ("self_care", "monitor", "see_doctor", "urgent", "emergency")
SELF_CARE, MONITOR, SEE_DOCTOR, URGENT, EMERGENCY = range(len(TIERS))


class Flags(NamedTuple):
    """The §9.2 flags of one observation (bools) or of columns (bool arrays), in the contract's order
    (v0.1, then v0.2, then review 2); :data:`FLAGS` is the tuple of these names."""

    severe_hypoglycemia: Any
    hypoglycemia: Any
    altered_mental_status: Any
    prolonged_spasm: Any
    severe_pain: Any
    exertional_heat_stroke: Any
    heat_exhaustion: Any
    hyponatremia_risk: Any
    rhabdomyolysis_risk: Any
    dehydration: Any
    recurrent_despite_prevention: Any
    falling_glucose: Any
    hyperglycemia: Any
    ketosis: Any
    possible_dka: Any
    hyperthermia: Any
    suspected_heat_stroke: Any
    overdrinking: Any
    severe_hyponatremia: Any
    compartment_syndrome_risk: Any
    dvt_risk: Any
    unilateral_leg_swelling: Any
    exertional_sickling: Any
    cardiorespiratory_red_flag: Any
    collapse_during_run: Any
    post_finish_collapse: Any
    not_breathing_normally: Any
    heart_rate_red: Any
    heart_rate_amber: Any
    hypothermia: Any
    severe_hypothermia: Any
    cold_stress: Any
    nsaid_exposure: Any
    frequent_episodes: Any
    recurrent_tremor: Any
    rhabdomyolysis_red: Any
    hypoglycemia_cannot_swallow: Any


class Warnings(NamedTuple):
    """The row-level warnings of §9.11, one bool (or bool array) each; spasm_unrelieved and
    recheck_time_unknown are recheck warnings (:mod:`kit.engine.episodes`)."""

    glucose_unit_reinterpreted: Any
    glucose_unit_suspicious: Any
    glucose_out_of_meter_range: Any
    spasm_false_with_duration: Any
    pain_while_unconscious: Any
    medication_without_diabetes: Any
    collapse_timing_unknown: Any
    collapse_flag_missing: Any
    vomiting_without_nausea_vomiting: Any
    dark_urine_vs_colour: Any
    heart_rate_not_scored: Any
    ketones_without_diabetes: Any
    heart_rate_confirm: Any
    no_findings: Any


#: Flag ids in the contract's order (v0.1, then v0.2, then review 2).
FLAGS: tuple[str, ...] = Flags._fields
#: Row-level warning codes of §9.11.
WARNING_CODES: tuple[str, ...] = Warnings._fields
#: The red flags of §9.3, by flag id (``heart_rate_red`` and ``severe_pain`` count only with their conditions).
RED_FLAGS: tuple[str, ...] = (
    "altered_mental_status", "severe_hypoglycemia", "hypoglycemia_cannot_swallow", "not_breathing_normally",
    "exertional_heat_stroke", "hyperthermia", "suspected_heat_stroke", "severe_hyponatremia", "rhabdomyolysis_red",
    "compartment_syndrome_risk", "exertional_sickling", "cardiorespiratory_red_flag", "collapse_during_run",
    "severe_hypothermia", "possible_dka", "heart_rate_red", "prolonged_spasm", "severe_pain",
)
#: The single-observation urgent rules of §9.4 (U9-U12 are recheck rules, in kit.engine.episodes).
URGENT_RULES: tuple[str, ...] = ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U13", "U14", "U15", "U16")
#: The amber points of §9.5.
AMBER_POINTS: tuple[str, ...] = tuple(f"A{i}" for i in range(1, 24))
#: Amber points that can change within 30 min (§9.9 K3); A15 only while sodium is measured.
DYNAMIC_AMBER: tuple[str, ...] = tuple(a for a in AMBER_POINTS if a not in ("A1", "A2", "A15", "A21", "A22", "A23"))
#: The pattern rules of §9.6 (P7 moved to U15).
PATTERNS: tuple[str, ...] = ("P1", "P2", "P3", "P4", "P5", "P6")
#: D1 ``g_status`` codes: the index in this tuple.
G_STATUS: tuple[str, ...] = ("unknown", "measured", "reinterpreted", "LO", "HI")
G_UNKNOWN, G_MEASURED, G_REINTERPRETED, G_LO, G_HI = (float(i) for i in range(len(G_STATUS)))
#: Heat flags (§9.2), used by advice and reassessment.
HEAT_FLAGS: tuple[str, ...] = ("exertional_heat_stroke", "hyperthermia", "suspected_heat_stroke", "heat_exhaustion")
#: Hypoglycaemia flags (K1, K8, reassessment).
HYPO_FLAGS: tuple[str, ...] = ("hypoglycemia", "falling_glucose", "severe_hypoglycemia")
INTENSITY_CODES: dict[str, float] = {"easy": 0.0, "moderate": 1.0, "hard": 2.0, "race": 3.0}
#: Glucose unit codes (kernel input ``blood_glucose_unit``).
UNIT_CODES: dict[str, float] = {"mg/dL": 0.0, "mmol/L": 1.0}

_BOOL_INPUTS: tuple[str, ...] = (
    "tremor", "spasm", "hunger", "sweating", "pale_skin", "palpitations", "confusion", "unconscious", "seizure",
    "nausea_vomiting", "vomiting", "headache", "thirst", "dizziness", "dark_urine", "numbness_tingling",
    "muscle_weakness", "muscle_swelling", "swelling_one_leg", "recent_long_travel", "sickle_cell_trait", "nsaid_taken",
    "collapse", "collapse_during_run", "chest_pain", "breathing_difficulty", "breathing_normally", "has_diabetes",
    "glucose_lowering_medication", "prevention_followed",
)
_NUMBER_INPUTS: tuple[str, ...] = (
    "blood_glucose", "blood_glucose_unit", "body_mass_pre_kg", "body_mass_post_kg", "run_duration_min",
    "fluid_intake_ml", "ambient_temp_c", "core_temp_c", "serum_sodium_mmol_l", "blood_ketones_mmol_l",
    "heart_rate_bpm", "minutes_since_run_end", "pain_score", "spasm_duration_min", "urine_color",
    "prior_episodes_30d", "intensity",
)
#: Inputs the kernel reads: contract fields (coded as floats) plus ``spasm_total_min`` (§9.9 K4; for a single
#: observation it equals ``spasm_duration_min``).
KERNEL_INPUTS: tuple[str, ...] = (*_NUMBER_INPUTS, *_BOOL_INPUTS, "spasm_total_min")
#: The §9.11 no_findings fields: when every one is unknown, nothing was recorded.
NO_FINDINGS_FIELDS: tuple[str, ...] = (
    "tremor", "spasm", "spasm_duration_min", "pain_score", "hunger", "sweating", "pale_skin", "palpitations",
    "confusion", "unconscious", "seizure", "nausea_vomiting", "vomiting", "headache", "dizziness", "thirst",
    "dark_urine", "urine_color", "numbness_tingling", "muscle_weakness", "muscle_swelling", "swelling_one_leg",
    "collapse", "collapse_during_run", "chest_pain", "breathing_difficulty", "blood_glucose", "heart_rate_bpm",
    "core_temp_c", "serum_sodium_mmol_l", "blood_ketones_mmol_l", "body_mass_post_kg",
)

_YES, _NO = 1.0, 0.0
_NAN = math.nan
_NO_CAUSE = -1
_SCORE_CAP = 100
_PERCENT = 100.0
_MIN_PER_HOUR = 60.0
_HALF = 0.5
_ROUNDING_EPS = 1e-9  # D4: guards k.5 steps against binary floating-point error


@dataclass(frozen=True, slots=True)
class Ops:
    """The operations whose spelling differs between scalars and arrays.

    ``small_int`` wraps the points and counts that are summed: ``int`` for scalars, a
    16-bit integer for arrays (sums stay far below its limit; narrow arrays are faster).
    """

    not_: Callable[[Any], Any]
    where: Callable[[Any, Any, Any], Any]
    maximum: Callable[[Any, Any], Any]
    minimum: Callable[[Any, Any], Any]
    floor: Callable[[Any], Any]
    small_int: Callable[[int], Any] = int


def _scalar_floor(x: float) -> float:
    return float(math.floor(x)) if x == x else x


def _scalar_max(a: Any, b: Any) -> Any:  # NaN-propagating, like numpy
    return a if a != a else b if b != b else max(a, b)


def _scalar_min(a: Any, b: Any) -> Any:
    return a if a != a else b if b != b else min(a, b)


SCALAR = Ops(not_=lambda x: not x, where=lambda c, a, b: a if c else b, maximum=_scalar_max, minimum=_scalar_min,
             floor=_scalar_floor)
VECTOR = Ops(not_=np.logical_not, where=np.where, maximum=np.maximum, minimum=np.minimum, floor=np.floor,
             small_int=np.int16)


def tier_code(tier: str) -> int:
    """The code (index) of a tier id."""
    return TIERS.index(tier)


@dataclass(frozen=True, slots=True)
class Finding:
    """One scored finding of the differential.

    Attributes
    ----------
    id : str
        Identifier (the kernel's condition of the same name decides if it is present).
    cause : str
        The cause it supports.
    points : int
        Points it adds to that cause's score.
    label : str
        Plain-words description; ``{placeholders}`` are filled from the observation, and
        ``{t[key]}`` from :data:`kit.engine.thresholds.THRESHOLDS` (no number is typed twice).
    source : str
        Citation.
    key : bool
        True for a cause's key finding (a cause without one scores nothing).
    """

    id: str
    cause: str
    points: int
    label: str
    source: str
    key: bool = False


#: The differential's evidence points. Key findings: 70 / 30 / 15 / 5, chosen so the
#: precedence of §9.7 holds: hypoglycaemia key 70 > fluid max 69; fluid key 30 > nerve
#: max 29; nerve key 15 > fatigue max 14 (checked by tests/test_differential.py).
FINDINGS: tuple[Finding, ...] = (
    # hypoglycemia: key = hypoglycemia, falling_glucose or severe_hypoglycemia (§9.7 rule 2)
    Finding("hypo_flagged", "hypoglycemia", 70, "{hypo_basis}", "ADA 2024; Cryer 1999 (symptoms)", key=True),
    Finding("hypo_measured", "hypoglycemia", 10, "glucose {glucose} mg/dL ({glucose_status}; < {t[hypo_level1_mg_dl]}, ADA level 1)",
            "ADA 2024, level 1"),
    Finding("hypo_level2", "hypoglycemia", 5, "glucose {glucose} mg/dL is below {t[hypo_level2_mg_dl]} (ADA level 2)", "ADA 2024, level 2"),
    Finding("hypo_level3", "hypoglycemia", 5, "low glucose with altered mental state (ADA level 3, severe)", "ADA 2024, level 3"),
    Finding("hypo_falling", "hypoglycemia", 5,
            "on glucose-lowering treatment, glucose {glucose} mg/dL ({t[falling_glucose_lo_mg_dl]} to under "
            "{t[falling_glucose_mg_dl]}) with symptoms: likely still falling", "ADA 2016 (Colberg); ISPAD 2020"),
    Finding("hypo_tremor", "hypoglycemia", 4, "trembling (autonomic sign)", "Cryer 1999"),
    Finding("hypo_hunger", "hypoglycemia", 4, "hunger (autonomic sign)", "Cryer 1999"),
    Finding("hypo_sweating", "hypoglycemia", 4, "sweating (autonomic sign)", "Cryer 1999"),
    Finding("hypo_pale", "hypoglycemia", 4, "pale skin (autonomic sign)", "Cryer 1999; source article"),
    Finding("hypo_palpitations", "hypoglycemia", 4, "palpitations (autonomic sign)", "Cryer 1999"),
    Finding("hypo_tingling", "hypoglycemia", 2, "tingling (autonomic sign)", "Cryer 1999"),
    Finding("hypo_medication", "hypoglycemia", 4, "takes insulin or a sulfonylurea (commonest cause of lows)",
            "Endocrine Society 2009 (Cryer)"),
    # dehydration_electrolyte: key = dehydration, heat exhaustion, hyponatraemia risk or severe (§9.7 rule 3)
    Finding("fluid_flagged", "dehydration_electrolyte", 30, "fluid-electrolyte disturbance: {fluid_basis}", "clinical-reference §9.7",
            key=True),
    Finding("fluid_mass_loss", "dehydration_electrolyte", 5, "body-mass loss {mass_loss} % (over {t[mass_loss_pct]} %)", "ACSM 2007 (Sawka)"),
    Finding("fluid_urine_dark", "dehydration_electrolyte", 4,
            "urine colour {urine} ({t[urine_color_dehydrated]} or darker: likely dehydrated)", "Armstrong urine colour chart"),
    Finding("fluid_urine_mid", "dehydration_electrolyte", 2, "urine colour {urine} "
            "({t[urine_color_possibly_under]} or darker, below {t[urine_color_dehydrated]}: possibly under-hydrated)",
            "Armstrong urine colour chart"),
    Finding("fluid_heat_exhaustion", "dehydration_electrolyte", 5, "heat exhaustion picture (heat with nausea, headache, pallor, "
            "weakness or dizziness)", "NATA 2015"),
    Finding("fluid_hyponatremia", "dehydration_electrolyte", 5, "{hypona_basis}", "EAH consensus 2015; WMS 2019"),
    Finding("fluid_severe_hyponatremia", "dehydration_electrolyte", 5,
            "possible severe hyponatraemia (altered mental state, vomiting, breathlessness or very low sodium)",
            "EAH consensus 2015; WMS 2019"),
    Finding("fluid_overdrinking", "dehydration_electrolyte", 5, "drank {rate} mL/h (over-drinking: do not give water)",
            "EAH consensus risk table; IMMDA 2006"),
    Finding("fluid_thirst", "dehydration_electrolyte", 2, "thirst", "ACSM 2007 (Sawka)"),
    Finding("fluid_nausea", "dehydration_electrolyte", 2, "nausea or vomiting", "NATA 2015; EAH consensus 2015"),
    Finding("fluid_headache", "dehydration_electrolyte", 2, "headache", "NATA 2015; EAH consensus 2015"),
    Finding("fluid_hot_air", "dehydration_electrolyte", 2, "air temperature {ambient} °C ({t[heat_context_ambient_c]} or more: hot)",
            "clinical-reference §9.1 D16"),
    Finding("fluid_core_raised", "dehydration_electrolyte", 2,
            "core temperature {core} °C ({t[core_amber_lo_c]} to {t[core_amber_hi_c]})", "clinical-reference §9.5 A4"),
    # nerve_irritation: key = numbness/tingling without low glucose and without compartment risk (§9.7 rule 4)
    Finding("nerve_tingling", "nerve_irritation", 15, "numbness or tingling without low glucose or compartment signs",
            "source article; clinical-reference §9.7", key=True),
    Finding("nerve_weakness", "nerve_irritation", 5, "muscle weakness", "clinical-reference §9.6 P5"),
    Finding("nerve_prior", "nerve_irritation", 5, "{prior} earlier episode(s) in 30 days", "clinical-reference §9.6 P5"),
    Finding("nerve_spasm", "nerve_irritation", 4, "spasm with the tingling (irritated nerve causes pain and spasm)", "source article"),
    # muscle_fatigue: key = spasm or tremor (§9.7 rule 5)
    Finding("fatigue_spasm", "muscle_fatigue", 5, "spasm (cramp) during or soon after running", "Schwellnus 2009; Miller 2022", key=True),
    Finding("fatigue_tremor", "muscle_fatigue", 4, "trembling after effort (motor-unit fatigue)", "source article", key=True),
    Finding("fatigue_intensity", "muscle_fatigue", 3, "ran {intensity} (harder than usual is a cramp risk)", "Shang 2011"),
    Finding("fatigue_prior", "muscle_fatigue", 2, "{prior} earlier episode(s) in 30 days (previous cramps are a risk)", "Shang 2011"),
)


class Derived(NamedTuple):
    """The §9.1 derived values (and named parts of rules that other rules or texts read), scalars or arrays."""

    g: Any  # glucose in mg/dL after the D1 reading rule (NaN unknown)
    g_status: Any  # D1 status as a :data:`G_STATUS` code
    g_known: Any  # D2: a glucose value is known (measured, reinterpreted, LO or HI)
    g_reliable: Any  # D3: known and not reinterpreted
    low_g: Any  # known glucose below the level-1 limit
    dm_r: Any  # D4: body-mass change in %, rounded to 0.1 %
    mass_gain: Any  # a gain beyond scale error (over-drinking, hyponatraemia risk)
    mass_deficit: Any  # a loss over the dehydration limit
    rate: Any  # D5: fluid intake in mL/h
    cns: Any  # D6: confusion, unresponsive or seizure
    diab: Any  # D7: diabetes or glucose-lowering medication
    autonomic: Any  # D8: an autonomic sign
    pain: Any  # D9: pain score, unknown while unconscious
    vomit: Any  # D10: repeated vomiting
    nv: Any  # D11: nausea or vomiting
    collapse_any: Any  # D12
    collapse_in_run: Any  # D13
    collapse_after: Any  # D14
    cold_context: Any  # D15
    heat_context: Any  # D16
    hot_air: Any  # D16's air-temperature part
    core_raised: Any  # core temperature in the amber band (A4)
    urine_dark: Any  # urine shade of the dehydration flag
    msre: Any  # minutes since the run ended
    spasm_total_min: Any  # §9.9 K4 spasm minutes
    na: Any  # serum sodium
    ket: Any  # blood ketones
    glu_unknown_for_presumptive: Any  # D20: no reading that rules presumptive hypoglycaemia out


class KernelResult(NamedTuple):
    """What :func:`evaluate` returns; every value is a scalar or, on the vectorised path, an array.

    Attributes
    ----------
    flags : Flags
        Every §9.2 flag (:data:`FLAGS`).
    red : dict
        Every §9.3 red flag id (:data:`RED_FLAGS`) -> "counts as a red flag now".
    urgent : dict
        Every single-observation urgent rule (:data:`URGENT_RULES`) -> fired.
    amber : dict
        Every amber point (:data:`AMBER_POINTS`) -> scored.
    amber_total, dynamic_amber_total : int
        Sum of the amber points; of the dynamic ones (§9.9 K3).
    pattern : dict
        Every pattern rule (:data:`PATTERNS`) -> fired.
    no_findings : bool
        Nothing recorded (§9.11): the monitor floor.
    amber_tier : int
        The tier code of the amber total's band (§9.5).
    base_tier : int
        Max of red -> 4, urgent -> 3, amber band, pattern -> 2, no_findings -> 1 (before rechecks).
    d : Derived
        The §9.1 derived values (``g`` in mg/dL, ``g_status`` as a :data:`G_STATUS` code, ``dm_r``, ``rate`` ...).
    warn : Warnings
        Row-level warnings (:data:`WARNING_CODES`).
    findings : dict
        Finding id (:data:`FINDINGS`) -> present.
    scores : dict
        Cause -> 0-100.
    top : int
        Index into :data:`CAUSES`; -1 = no leading cause.
    dominated : bool
        A dominating condition of §9.7 rule 1 holds.
    """

    flags: Flags
    red: dict[str, Any]
    urgent: dict[str, Any]
    amber: dict[str, Any]
    amber_total: Any
    dynamic_amber_total: Any
    pattern: dict[str, Any]
    no_findings: Any
    amber_tier: Any
    base_tier: Any
    d: Derived
    warn: Warnings
    findings: dict[str, Any]
    scores: dict[str, Any]
    top: Any
    dominated: Any


def _any(items: Any) -> Any:
    out = False
    for x in items:
        out = out | x
    return out


def _count(items: Any, ops: Ops) -> Any:
    total = ops.small_int(0)
    for x in items:
        total = total + x * ops.small_int(1)
    return total


def mmol_to_mg_dl(x: Any) -> Any:
    """A glucose value (or column) in mmol/L converted to mg/dL (clinical-reference §0: molar mass 180.16 g/mol)."""
    return x * T.glucose_mmol_to_mg_dl


def _rounded_change(pre: Any, post: Any, ops: Ops) -> Any:
    """D4: (post - pre) / pre x 100, rounded to one step (0.1 %) half away from zero; NaN when unknown."""
    dm = (post - pre) / pre * _PERCENT
    step = T.mass_change_step_pct
    steps = ops.floor(abs(dm) / step + _HALF + _ROUNDING_EPS)
    per_pct = round(1 / step)  # 10 steps per percent: dividing keeps k/10 exact in binary
    return ops.where(dm < 0, -steps / per_pct, steps / per_pct)


def evaluate(v: Mapping[str, Any], ops: Ops) -> KernelResult:
    """Apply every single-observation rule of clinical-reference §9 to one observation or to columns.

    Parameters
    ----------
    v : Mapping
        :data:`KERNEL_INPUTS` to floats (or float arrays); NaN = unknown; yes/no as 1.0/0.0;
        ``blood_glucose_unit`` 0.0 mg/dL, 1.0 mmol/L; ``spasm_total_min`` as §9.9 K4.
    ops : Ops
        :data:`SCALAR` for Python floats, :data:`VECTOR` for numpy arrays.

    Returns
    -------
    KernelResult

    References
    ----------
    clinical-reference.md §9.1 (D1-D20), §9.2 (flags), §9.3 (red flags), §9.4 (U1-U8, U13-U16),
    §9.5 (A1-A23 and bands), §9.6 (P1-P6), §9.7 (causes), §9.11 (warnings), §9.12 (floors).
    """
    not_, where = ops.not_, ops.where

    def yes(name: str) -> Any:  # T(x)
        return v[name] == _YES

    def no(name: str) -> Any:  # F(x)
        return v[name] == _NO

    def unknown(name: str) -> Any:  # U(x)
        return v[name] != v[name]

    core, ambient, na, ket = v["core_temp_c"], v["ambient_temp_c"], v["serum_sodium_mmol_l"], v["blood_ketones_mmol_l"]
    hr, msre, dur, urine = v["heart_rate_bpm"], v["minutes_since_run_end"], v["run_duration_min"], v["urine_color"]
    prior, spasm_total = v["prior_episodes_30d"], v["spasm_total_min"]
    tremor, spasm, hunger, sweating = yes("tremor"), yes("spasm"), yes("hunger"), yes("sweating")
    pale, palp, headache, dizzy = yes("pale_skin"), yes("palpitations"), yes("headache"), yes("dizziness")
    weakness, swelling, tingling, dark = yes("muscle_weakness"), yes("muscle_swelling"), yes("numbness_tingling"), yes("dark_urine")
    breathless, unconscious, seizure = yes("breathing_difficulty"), yes("unconscious"), yes("seizure")

    # ---- §9.1 derived values ----------------------------------------------------------------------
    # D1: the meter-range reading rule
    raw, unit = v["blood_glucose"], v["blood_glucose_unit"]
    mg, mmol = unit == UNIT_CODES["mg/dL"], unit == UNIT_CODES["mmol/L"]
    below_mg, above_mg = raw < T.glucose_meter_mg_dl_lo, raw > T.glucose_meter_mg_dl_hi
    below_mmol, above_mmol = raw < T.glucose_meter_mmol_l_lo, raw > T.glucose_meter_mmol_l_hi
    above_reinterpret = raw > T.glucose_reinterpret_max
    in_range = (raw == raw) & ((mg & not_(below_mg) & not_(above_mg)) | (mmol & not_(below_mmol) & not_(above_mmol)))
    reinterpreted = mmol & above_mmol & not_(above_reinterpret)
    g_lo = (mg & below_mg) | (mmol & below_mmol)
    g_hi = (mg & above_mg) | (mmol & above_reinterpret)
    g = where(in_range, where(mmol, mmol_to_mg_dl(raw), raw),
              where(reinterpreted, raw, where(g_lo, T.glucose_lo_mg_dl, where(g_hi, T.glucose_hi_mg_dl, _NAN))))
    g_status = where(in_range, G_MEASURED, where(reinterpreted, G_REINTERPRETED, where(g_lo, G_LO, where(g_hi, G_HI, G_UNKNOWN))))
    g_known = in_range | reinterpreted | g_lo | g_hi  # D2
    g_reliable = in_range | g_lo | g_hi  # D3
    dm_r = _rounded_change(v["body_mass_pre_kg"], v["body_mass_post_kg"], ops)  # D4
    rate = where(dur >= T.rate_min_run_min, v["fluid_intake_ml"] / (ops.maximum(dur, T.rate_min_run_min) / _MIN_PER_HOUR), _NAN)  # D5
    cns = yes("confusion") | unconscious | seizure  # D6
    diab = yes("has_diabetes") | yes("glucose_lowering_medication")  # D7
    autonomic = tremor | sweating | hunger | pale | palp  # D8
    pain = where(unconscious, _NAN, v["pain_score"])  # D9
    vomit = yes("vomiting")  # D10
    nv = yes("nausea_vomiting") | vomit  # D11
    collapse_any = yes("collapse") | yes("collapse_during_run")  # D12
    collapse_in_run = yes("collapse_during_run") | (yes("collapse") & unknown("collapse_during_run"))  # D13
    collapse_after = yes("collapse") & no("collapse_during_run")  # D14
    cold_context = (ambient < T.cold_context_ambient_c) | (core < T.cold_context_core_c)  # D15
    hot_air = ambient >= T.heat_context_ambient_c
    heat_context = (core >= T.heat_context_core_c) | hot_air  # D16
    core_unknown = core != core
    low_g = g_known & (g < T.hypo_level1_mg_dl)
    glu_unknown_for_presumptive = (g_status == G_UNKNOWN) | (reinterpreted & (g >= T.presumptive_reinterpreted_mg_dl))  # D20

    # ---- §9.2 flags ---------------------------------------------------------------------------------
    presumptive = glu_unknown_for_presumptive & ((tremor & hunger & (sweating | pale)) | (diab & autonomic))
    f_hypo = low_g | presumptive
    medicated = yes("glucose_lowering_medication") | (yes("has_diabetes") & unknown("glucose_lowering_medication"))
    f_falling = medicated & g_known & (g >= T.falling_glucose_lo_mg_dl) & (g < T.falling_glucose_mg_dl) & (autonomic | cns | dizzy)
    f_severe_hypo = cns & (low_g | (glu_unknown_for_presumptive & diab))
    hypo_any = f_hypo | f_falling | f_severe_hypo
    f_cannot_swallow = hypo_any & (vomit | seizure | unconscious)
    f_hyper = g_hi | (g_known & (g >= T.hyperglycemia_mg_dl))
    f_dka = (diab | (g_known & (g >= T.dka_glucose_mg_dl))) & (
        (ket >= T.dka_ketones_mmol_l) | (g_known & (g >= T.dka_glucose_symptoms_mg_dl) & (vomit | cns | breathless)))
    f_ketosis = diab & (ket >= T.ketosis_mmol_l) & not_(f_dka)
    f_ehs = (core >= T.ehs_core_c) | (cns & (core >= T.ehs_cns_core_c))
    f_hyperthermia = (core > T.hyperthermia_core_c) & not_(f_ehs)
    f_shs = (cns | collapse_in_run) & core_unknown
    f_heat_exh = not_(f_ehs) & not_(f_shs) & not_(cns) & heat_context & (nv | headache | pale | weakness | dizzy)
    mass_lost = dm_r <= -T.overdrinking_loss_pct
    mass_gain = dm_r >= T.eah_gain_pct
    f_overdrinking = ((rate > T.overdrinking_rate_ml_h) | ((rate > T.overdrinking_long_rate_ml_h) & (dur >= T.overdrinking_long_run_min))) & not_(
        mass_lost)
    na_known = na == na
    hypona_unmeasured = mass_gain | ((dur >= T.eah_long_run_min) & (dm_r > -T.eah_maintained_loss_pct)) | f_overdrinking | (
        vomit & (dur >= T.eah_vomit_run_min))
    f_hypona = where(na_known, na < T.eah_sodium_mmol_l, hypona_unmeasured)
    f_severe_hypona = f_hypona & (cns | vomit | breathless | (na < T.eah_severe_sodium_mmol_l) | (yes("nausea_vomiting") & headache))
    mass_deficit = dm_r < -T.mass_loss_pct
    urine_dark = urine >= T.urine_color_dehydrated
    f_dehyd = mass_deficit | urine_dark
    triad_risk = swelling & weakness & (pain >= T.rhabdo_risk_pain_triad)
    f_rhabdo = dark | triad_risk
    f_rhabdo_red = (dark & ((pain >= T.rhabdo_pain_with_dark_urine) | weakness | swelling | vomit | cns)) | (
        swelling & weakness & (pain >= T.rhabdo_red_pain_triad))
    f_compartment = swelling & (((pain >= T.compartment_pain) & (tingling | weakness)) | (tingling & weakness))
    f_dvt = yes("swelling_one_leg") & (yes("recent_long_travel") | (pain >= T.dvt_pain))
    f_unilateral = yes("swelling_one_leg") & not_(f_dvt)
    f_sickling = yes("sickle_cell_trait") & (weakness | collapse_any | (pain >= T.sickling_pain) | breathless)
    f_cardio = yes("chest_pain") | breathless
    f_post_finish = collapse_after & not_(cns) & not_(palp) & not_(f_cardio)
    f_not_breathing = no("breathing_normally") & not_(no("unconscious"))
    f_hr_red = (hr >= T.hr_max_bpm) | ((msre >= T.hr_red_rest_min) & (hr > T.hr_red_bpm)) | (
        (hr <= T.hr_low_bpm) & ((msre < T.hr_low_early_min) | dizzy | collapse_any | pale | cns))
    f_hr_amber = not_(f_hr_red) & (((msre >= T.hr_amber_rest_min) & (hr > T.hr_amber_bpm) & (hr <= T.hr_amber_max_bpm)) | (
        (hr <= T.hr_low_amber_bpm) & ((msre != msre) | (msre >= T.hr_low_amber_rest_min))))
    f_severe_hypothermia = (core < T.hypothermia_severe_core_c) | ((core < T.hypothermia_severe_cns_core_c) & cns)
    f_hypothermia = (core < T.hypothermia_core_c) & not_(f_severe_hypothermia)
    f_cold_stress = ((core >= T.cold_stress_lo_c) & (core < T.cold_stress_hi_c)) | (core_unknown & (ambient < T.cold_stress_ambient_c) & tremor)
    f_prolonged = spasm_total >= T.prolonged_spasm_min
    f_severe_pain = pain >= T.severe_pain
    f_nsaid = yes("nsaid_taken") & ((dur >= T.nsaid_exposure_run_min) | f_dehyd | f_hypona | f_heat_exh | f_rhabdo)
    f_recurrent = yes("prevention_followed") & (prior >= T.recurrent_episodes)
    f_frequent = prior >= T.frequent_episodes
    f_recurrent_tremor = tremor & (prior >= T.recurrent_tremor_episodes)

    flags = Flags(
        severe_hypoglycemia=f_severe_hypo, hypoglycemia=f_hypo, altered_mental_status=cns,
        prolonged_spasm=f_prolonged, severe_pain=f_severe_pain, exertional_heat_stroke=f_ehs,
        heat_exhaustion=f_heat_exh, hyponatremia_risk=f_hypona, rhabdomyolysis_risk=f_rhabdo,
        dehydration=f_dehyd, recurrent_despite_prevention=f_recurrent,
        falling_glucose=f_falling, hyperglycemia=f_hyper, ketosis=f_ketosis, possible_dka=f_dka,
        hyperthermia=f_hyperthermia, suspected_heat_stroke=f_shs, overdrinking=f_overdrinking,
        severe_hyponatremia=f_severe_hypona, compartment_syndrome_risk=f_compartment, dvt_risk=f_dvt,
        unilateral_leg_swelling=f_unilateral, exertional_sickling=f_sickling, cardiorespiratory_red_flag=f_cardio,
        collapse_during_run=collapse_in_run, post_finish_collapse=f_post_finish,
        not_breathing_normally=f_not_breathing, heart_rate_red=f_hr_red, heart_rate_amber=f_hr_amber,
        hypothermia=f_hypothermia, severe_hypothermia=f_severe_hypothermia, cold_stress=f_cold_stress,
        nsaid_exposure=f_nsaid, frequent_episodes=f_frequent, recurrent_tremor=f_recurrent_tremor,
        rhabdomyolysis_red=f_rhabdo_red, hypoglycemia_cannot_swallow=f_cannot_swallow,
    )

    # ---- §9.3 red flags -----------------------------------------------------------------------------
    hr_red_symptomatic = f_hr_red & (palp | dizzy)
    severe_pain_red = f_severe_pain & (swelling | tingling | weakness | dark | (spasm_total >= T.severe_pain_spasm_min))
    red = {name: getattr(flags, name) for name in RED_FLAGS}
    red["heart_rate_red"] = hr_red_symptomatic
    red["severe_pain"] = severe_pain_red
    any_red = _any(red.values())

    # ---- §9.5 amber points (before U1, which reads the total) ---------------------------------------
    core_raised = (core >= T.core_amber_lo_c) & (core <= T.core_amber_hi_c)
    amber = {
        "A1": dm_r < -T.mass_loss_amber_pct, "A2": urine >= T.urine_color_amber,
        "A3": (f_hypo | f_falling) & not_(f_severe_hypo),
        "A4": core_raised, "A5": nv, "A6": headache, "A7": dizzy,
        "A8": (pain >= T.pain_amber) & (pain < T.pain_amber_max),
        "A9": (spasm_total >= T.spasm_amber_min) & (spasm_total < T.spasm_amber_max_min),
        "A10": weakness, "A11": swelling, "A12": tingling, "A13": palp, "A14": pale,
        "A15": f_hypona & not_(f_severe_hypona), "A16": f_hr_amber, "A17": f_hyper & not_(f_dka),
        "A18": (diab & (ket >= T.ketones_amber_lo_mmol_l) & (ket < T.ketones_amber_hi_mmol_l)) | (
            not_(diab) & (ket >= T.ketones_no_diabetes_mmol_l)),
        "A19": f_cold_stress, "A20": f_hypothermia, "A21": f_post_finish, "A22": f_unilateral, "A23": f_nsaid,
    }
    amber_total = _count(amber.values(), ops)
    dynamic = [amber[a] for a in DYNAMIC_AMBER] + [amber["A15"] & na_known]
    dynamic_amber_total = _count(dynamic, ops)

    amber_tier = where(amber_total >= T.amber_emergency, EMERGENCY,
                       where(amber_total >= T.amber_urgent, URGENT, where(amber_total >= T.amber_monitor, MONITOR, SELF_CARE)))

    # ---- §9.4 urgent rules ---------------------------------------------------------------------------
    urgent = {
        "U1": amber_tier == URGENT,
        "U2": f_hr_red & not_(hr_red_symptomatic),
        "U3": f_ketosis,
        "U4": f_hyper & yes("nausea_vomiting"),
        "U5": g_hi,
        "U6": f_dvt,
        "U7": f_hypona & not_(f_severe_hypona) & (yes("nausea_vomiting") | headache | dizzy),
        "U8": vomit & not_(na_known) & not_(f_hypona),
        "U13": f_rhabdo & not_(f_rhabdo_red),
        "U14": palp & (dizzy | collapse_any),
        "U15": not_(diab) & g_known & (g >= T.new_diabetes_lo_mg_dl) & (g <= T.new_diabetes_hi_mg_dl),
        "U16": f_severe_pain & not_(severe_pain_red),
    }
    any_urgent = _any(urgent.values())

    # ---- §9.6 pattern rules ---------------------------------------------------------------------------
    level2 = g_known & (g < T.hypo_level2_mg_dl)
    nerve_prior = prior >= T.nerve_prior_episodes
    pattern = {
        "P1": f_recurrent, "P2": f_frequent, "P3": f_recurrent_tremor,
        "P4": not_(cns) & g_reliable & ((diab & level2) | (not_(diab) & (g < T.whipple_mg_dl))) & autonomic,
        "P5": tingling & not_(f_hypo) & not_(f_compartment) & (weakness | nerve_prior),
        "P6": f_unilateral,
    }
    any_pattern = _any(pattern.values())

    # ---- §9.11 no findings, §9.12 base tier -------------------------------------------------------------
    no_findings = True
    for name in NO_FINDINGS_FIELDS:
        no_findings = no_findings & unknown(name)
    base_tier = ops.maximum(
        ops.maximum(where(any_red, EMERGENCY, SELF_CARE), where(any_urgent, URGENT, SELF_CARE)),
        ops.maximum(amber_tier, ops.maximum(where(any_pattern, SEE_DOCTOR, SELF_CARE), where(no_findings, MONITOR, SELF_CARE))))

    # ---- §9.11 row-level warnings ------------------------------------------------------------------------
    warn = Warnings(
        glucose_unit_reinterpreted=reinterpreted,
        glucose_unit_suspicious=((mg & (raw < T.glucose_warn_mg_dl_below)) | (mmol & (raw > T.glucose_warn_mmol_l_above))) & not_(
            reinterpreted),
        glucose_out_of_meter_range=g_lo | g_hi,
        spasm_false_with_duration=no("spasm") & (v["spasm_duration_min"] > _NO),
        pain_while_unconscious=unconscious & (v["pain_score"] == v["pain_score"]),
        medication_without_diabetes=yes("glucose_lowering_medication") & no("has_diabetes"),
        collapse_timing_unknown=yes("collapse") & unknown("collapse_during_run"),
        collapse_flag_missing=yes("collapse_during_run") & no("collapse"),
        vomiting_without_nausea_vomiting=vomit & no("nausea_vomiting"),
        dark_urine_vs_colour=dark & (urine <= T.urine_color_hydrated_max),
        heart_rate_not_scored=(hr > T.hr_not_scored_lo_bpm) & (hr < T.hr_not_scored_hi_bpm) & (
            (msre != msre) | (msre < T.hr_not_scored_rest_min)),
        ketones_without_diabetes=(ket == ket) & not_(diab),
        heart_rate_confirm=hr >= T.hr_confirm_bpm,
        no_findings=no_findings,
    )

    # ---- §9.7 cause evidence and ranking ------------------------------------------------------------------
    fluid_key = f_dehyd | f_heat_exh | f_hypona | f_severe_hypona
    nerve = tingling & not_(hypo_any) & not_(f_compartment)
    fatigue_key = spasm | tremor
    hypo_scored = hypo_any & not_(g_reliable & (g >= T.hypo_score_zero_mg_dl))  # a reliable g >= 250 sets the score to 0
    urine_mid = (urine >= T.urine_color_possibly_under) & not_(urine_dark)
    findings = {
        "hypo_flagged": hypo_scored, "hypo_measured": hypo_scored & low_g,
        "hypo_level2": hypo_scored & level2, "hypo_level3": hypo_scored & f_severe_hypo,
        "hypo_falling": hypo_scored & f_falling,
        "hypo_tremor": hypo_scored & tremor, "hypo_hunger": hypo_scored & hunger,
        "hypo_sweating": hypo_scored & sweating, "hypo_pale": hypo_scored & pale,
        "hypo_palpitations": hypo_scored & palp, "hypo_tingling": hypo_scored & tingling,
        "hypo_medication": hypo_scored & yes("glucose_lowering_medication"),
        "fluid_flagged": fluid_key, "fluid_mass_loss": fluid_key & mass_deficit,
        "fluid_urine_dark": fluid_key & urine_dark, "fluid_urine_mid": fluid_key & urine_mid,
        "fluid_heat_exhaustion": fluid_key & f_heat_exh, "fluid_hyponatremia": fluid_key & f_hypona,
        "fluid_severe_hyponatremia": fluid_key & f_severe_hypona, "fluid_overdrinking": fluid_key & f_overdrinking,
        "fluid_thirst": fluid_key & yes("thirst"), "fluid_nausea": fluid_key & nv, "fluid_headache": fluid_key & headache,
        "fluid_hot_air": fluid_key & hot_air, "fluid_core_raised": fluid_key & core_raised,
        "nerve_tingling": nerve, "nerve_weakness": nerve & weakness,
        "nerve_prior": nerve & nerve_prior, "nerve_spasm": nerve & spasm,
        "fatigue_spasm": spasm, "fatigue_tremor": tremor,
        "fatigue_intensity": fatigue_key & (v["intensity"] >= INTENSITY_CODES["hard"]),
        "fatigue_prior": fatigue_key & (prior >= T.fatigue_prior_episodes),
    }
    raw_scores = {c: ops.small_int(0) for c in CAUSES}
    for f in FINDINGS:
        raw_scores[f.cause] = raw_scores[f.cause] + findings[f.id] * ops.small_int(f.points)
    scores = {c: ops.minimum(raw_scores[c], ops.small_int(_SCORE_CAP)) for c in CAUSES}

    shs_explained = (g_reliable & low_g) | f_severe_hypona
    dominated = _any((
        f_ehs, f_hyperthermia, f_shs & not_(shs_explained), f_rhabdo, f_compartment, f_dvt, f_sickling, f_cardio,
        collapse_in_run, f_not_breathing, f_hr_red, f_hypothermia, f_severe_hypothermia, f_cold_stress, f_dka, f_ketosis,
        f_hyper, cns & not_(f_hypo) & not_(f_severe_hypona),
    ))
    top = ops.small_int(0)
    best = scores[CAUSES[0]]
    for i, c in enumerate(CAUSES[1:], start=1):  # argmax in precedence order: the first maximum wins
        top = where(scores[c] > best, i, top)
        best = ops.maximum(best, scores[c])
    top = where(dominated | (best <= 0), _NO_CAUSE, top)

    d = Derived(
        g=g, g_status=g_status, g_known=g_known, g_reliable=g_reliable, low_g=low_g, dm_r=dm_r, mass_gain=mass_gain, mass_deficit=mass_deficit, rate=rate,
        cns=cns, diab=diab, autonomic=autonomic, pain=pain, vomit=vomit, nv=nv, collapse_any=collapse_any, collapse_in_run=collapse_in_run,
        collapse_after=collapse_after, cold_context=cold_context, heat_context=heat_context, hot_air=hot_air, core_raised=core_raised, urine_dark=urine_dark,
        msre=msre, spasm_total_min=spasm_total, na=na, ket=ket, glu_unknown_for_presumptive=glu_unknown_for_presumptive
    )
    return KernelResult(
        flags=flags, red=red, urgent=urgent, amber=amber, amber_total=amber_total, dynamic_amber_total=dynamic_amber_total,
        pattern=pattern, no_findings=no_findings, amber_tier=amber_tier, base_tier=base_tier, d=d, warn=warn, findings=findings, scores=scores,
        top=top, dominated=dominated,
    )
