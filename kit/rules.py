"""The rule kernel: flags, red flags, amber points, pattern rules, cause scores, tier.

One function, :func:`evaluate`, implements clinical-reference §9 and the cause scores.
It is written only with operators that mean the same on Python floats and on numpy
arrays (``<``, ``>=``, ``==``, ``&``, ``|``, ``*``, ``+``) plus four helpers passed in
as ``ops`` (``not_``, ``where``, ``maximum``, ``minimum``). :func:`kit.assess` calls it
with Python scalars (:data:`SCALAR`) and :func:`kit.assess_frame` with whole numpy
columns (:data:`VECTOR`), so the scalar path and the vectorised path are the same
code and give identical results by construction (and a test checks it).

Encoding of inputs: every value is a float; **unknown is NaN**. A yes/no field is
1.0 (yes), 0.0 (no) or NaN (unknown). Every comparison with NaN is false, so an
unknown value never fires a rule and is never read as "normal" either: a rule that
needs "known to be normal" checks that the value is known (``x == x``).

Design notes, with the clinically load-bearing pitfalls:

* A single red flag forces ``emergency`` whatever the total (NEWS2's "single red
  parameter" idea); final tier = max(red-flag tier, amber tier, pattern tier) (§9).
* A measured normal glucose overrides a presumptive (symptom-based) hypoglycaemia.
* Hyponatraemia risk is judged on a measured sodium when there is one, else on any
  body-mass gain; the ``dehydration_electrolyte`` cause covers **both directions**
  (deficit and dilution) and never implies "give water".
* The nerve-irritation review (§9.5, "tingling without low glucose plus weakness or a prior
  episode") is kept when glucose is low as well, so that a lower glucose never lowers the
  tier; the differential then credits the tingling to hypoglycaemia, not to a nerve.
* Cause scores: each finding adds fixed points with a reason and a source; a cause
  scores only when its *key finding* is present (§9.6: nothing discriminating known ->
  no evidence). Key findings carry enough points that the highest score follows the
  precedence of §9.6 (hypoglycaemia > fluid/electrolyte > nerve > fatigue): the least a
  cause with a key finding can score exceeds the most any lower-precedence cause can
  score. Scores are capped at 100 and are relative weights of evidence, not
  probabilities.

References
----------
.. [1] clinical-reference.md §9 "Proposed escalation ladder and rules (v0.1)" [design].
.. [2] Royal College of Physicians. NEWS2, 2017 (single red parameter; aggregate bands).
.. [3] ADA. Standards of Care in Diabetes-2024, section 6 (hypoglycaemia levels 1-3).
.. [4] Cryer PE et al. J Clin Endocrinol Metab 2009;94(3):709-728 (Whipple's triad, < 55 mg/dL).
.. [5] Sawka MN et al. Med Sci Sports Exerc 2007;39(2):377-390 (2 % body-mass loss).
.. [6] Hew-Butler T et al. Clin J Sport Med 2015;25(4):303-320 (EAH, Na < 135 mmol/L).
.. [7] Casa DJ et al. J Athl Train 2015;50(9):986-1000 (exertional heat stroke >= 40.5 degC + CNS).
.. [8] O'Connor FG et al. Curr Sports Med Rep 2008;7(6):328-331; Nye NS et al. 2021 (rhabdomyolysis).
.. [9] Schwellnus MP. Br J Sports Med 2009;43:401-408; Miller KC et al. J Athl Train 2022;57(1):5-15 (EAMC).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from kit.thresholds import T

__all__ = [
    "CAUSES", "TIERS", "FLAGS", "INTENSITY_CODES", "KERNEL_INPUTS", "Finding", "FINDINGS",
    "Ops", "SCALAR", "VECTOR", "evaluate",
]

#: The four causes in order of precedence (clinical-reference §9.6).
CAUSES: tuple[str, ...] = ("hypoglycemia", "dehydration_electrolyte", "nerve_irritation", "muscle_fatigue")
#: Escalation tiers, lowest first; the tier code is the index.
TIERS: tuple[str, ...] = ("self_care", "monitor", "see_doctor", "urgent", "emergency")
#: Flag ids in the contract's order (most severe first).
FLAGS: tuple[str, ...] = (
    "severe_hypoglycemia", "hypoglycemia", "altered_mental_status", "prolonged_spasm", "severe_pain",
    "exertional_heat_stroke", "heat_exhaustion", "hyponatremia_risk", "rhabdomyolysis_risk", "dehydration",
    "recurrent_despite_prevention",
)
INTENSITY_CODES: dict[str, float] = {"easy": 0.0, "moderate": 1.0, "hard": 2.0, "race": 3.0}

#: Inputs the kernel reads (contract names plus the two derived values).
KERNEL_INPUTS: tuple[str, ...] = (
    "glucose_mg_dl", "body_mass_change_pct", "intensity",
    "confusion", "unconscious", "seizure", "tremor", "spasm", "hunger", "sweating", "pale_skin",
    "palpitations", "nausea_vomiting", "headache", "thirst", "dark_urine", "numbness_tingling",
    "muscle_weakness", "muscle_swelling", "has_diabetes", "glucose_lowering_medication",
    "prevention_followed", "prior_episodes_30d", "spasm_duration_min", "pain_score", "urine_color",
    "core_temp_c", "ambient_temp_c", "serum_sodium_mmol_l",
)


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
    small_int: Callable[[int], Any] = int


SCALAR = Ops(not_=lambda x: not x, where=lambda c, a, b: a if c else b, maximum=max, minimum=min)
VECTOR = Ops(not_=np.logical_not, where=np.where, maximum=np.maximum, minimum=np.minimum, small_int=np.int16)


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
        ``{t[key]}`` from :data:`kit.thresholds.THRESHOLDS` (no number is typed twice).
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


#: The differential's evidence points. Key findings: 60 / 30 / 15 / 5, chosen so the
#: precedence of §9.6 holds: hypoglycaemia key 60 > fluid max 59; fluid key 30 > nerve
#: max 29; nerve key 15 > fatigue max 14 (checked by tests/test_differential.py).
FINDINGS: tuple[Finding, ...] = (
    # hypoglycemia: key = the hypoglycemia flag (measured < 70 mg/dL or presumptive)
    Finding("hypo_flagged", "hypoglycemia", 60, "{hypo_basis}", "ADA 2024; Cryer 1999 (symptoms)", key=True),
    Finding("hypo_measured", "hypoglycemia", 10, "measured glucose {glucose} mg/dL (< {t[hypo_level1_mg_dl]}, ADA level 1)", "ADA 2024, level 1"),
    Finding("hypo_level2", "hypoglycemia", 5, "glucose {glucose} mg/dL is below {t[hypo_level2_mg_dl]} (ADA level 2)", "ADA 2024, level 2"),
    Finding("hypo_level3", "hypoglycemia", 5, "low glucose with altered mental state (ADA level 3, severe)", "ADA 2024, level 3"),
    Finding("hypo_tremor", "hypoglycemia", 4, "trembling (autonomic sign)", "Cryer 1999"),
    Finding("hypo_hunger", "hypoglycemia", 4, "hunger (autonomic sign)", "Cryer 1999"),
    Finding("hypo_sweating", "hypoglycemia", 4, "sweating (autonomic sign)", "Cryer 1999"),
    Finding("hypo_pale", "hypoglycemia", 4, "pale skin (autonomic sign)", "Cryer 1999; source article"),
    Finding("hypo_palpitations", "hypoglycemia", 4, "palpitations (autonomic sign)", "Cryer 1999"),
    Finding("hypo_tingling", "hypoglycemia", 2, "tingling (autonomic sign)", "Cryer 1999"),
    Finding("hypo_medication", "hypoglycemia", 4, "takes insulin or a sulfonylurea (commonest cause of lows)",
            "Endocrine Society 2009 (Cryer)"),
    # dehydration_electrolyte: key = dehydration, heat exhaustion or hyponatraemia risk
    Finding("fluid_flagged", "dehydration_electrolyte", 30, "fluid-electrolyte disturbance: {fluid_basis}", "clinical-reference §9.6", key=True),
    Finding("fluid_mass_loss", "dehydration_electrolyte", 5, "body-mass loss {mass_loss} % (over {t[mass_loss_pct]} %)", "ACSM 2007 (Sawka)"),
    Finding("fluid_urine_dark", "dehydration_electrolyte", 4, "urine colour {urine} ({t[urine_color_dehydrated]} or darker: likely dehydrated)",
            "Armstrong urine colour chart"),
    Finding("fluid_urine_mid", "dehydration_electrolyte", 2, "urine colour {urine} "
            "({t[urine_color_possibly_under]} or darker, below {t[urine_color_dehydrated]}: possibly under-hydrated)",
            "Armstrong urine colour chart"),
    Finding("fluid_heat_exhaustion", "dehydration_electrolyte", 5, "heat exhaustion picture (heat with nausea, headache, pallor or weakness)", "NATA 2015"),
    Finding("fluid_hyponatremia", "dehydration_electrolyte", 5, "{hypona_basis}", "EAH consensus 2015; WMS 2019"),
    Finding("fluid_thirst", "dehydration_electrolyte", 2, "thirst", "ACSM 2007 (Sawka)"),
    Finding("fluid_nausea", "dehydration_electrolyte", 2, "nausea or vomiting", "NATA 2015; EAH consensus 2015"),
    Finding("fluid_headache", "dehydration_electrolyte", 2, "headache", "NATA 2015; EAH consensus 2015"),
    Finding("fluid_hot_air", "dehydration_electrolyte", 2, "air temperature {ambient} °C ({t[heat_context_ambient_c]} or more: hot)",
            "clinical-reference §9.2"),
    Finding("fluid_core_raised", "dehydration_electrolyte", 2, "core temperature {core} °C ({t[heat_context_core_c]} to {t[core_emergency_c]})",
            "clinical-reference §9.4"),
    # nerve_irritation: key = numbness/tingling without hypoglycaemia
    Finding("nerve_tingling", "nerve_irritation", 15, "numbness or tingling without low glucose", "source article; clinical-reference §9.5", key=True),
    Finding("nerve_weakness", "nerve_irritation", 5, "muscle weakness", "clinical-reference §9.5"),
    Finding("nerve_prior", "nerve_irritation", 5, "{prior} earlier episode(s) in 30 days", "clinical-reference §9.5"),
    Finding("nerve_spasm", "nerve_irritation", 4, "spasm with the tingling (irritated nerve causes pain and spasm)", "source article"),
    # muscle_fatigue: key = spasm or tremor
    Finding("fatigue_spasm", "muscle_fatigue", 5, "spasm (cramp) during or soon after running", "Schwellnus 2009; Miller 2022", key=True),
    Finding("fatigue_tremor", "muscle_fatigue", 4, "trembling after effort (motor-unit fatigue)", "source article", key=True),
    Finding("fatigue_intensity", "muscle_fatigue", 3, "ran {intensity} (harder than usual is a cramp risk)", "Shang 2011"),
    Finding("fatigue_prior", "muscle_fatigue", 2, "{prior} earlier episode(s) in 30 days (previous cramps are a risk)", "Shang 2011"),
)


def evaluate(v: dict[str, Any], ops: Ops) -> dict[str, Any]:
    """Apply every rule of clinical-reference §9 to one observation or to columns.

    Parameters
    ----------
    v : dict
        :data:`KERNEL_INPUTS` to floats (or float arrays); NaN = unknown; yes/no as 1.0/0.0.
    ops : Ops
        :data:`SCALAR` for Python floats, :data:`VECTOR` for numpy arrays.

    Returns
    -------
    dict
        ``flags`` (flag id -> bool), ``red`` / ``amber`` / ``pattern`` (item -> bool),
        ``amber_total``, ``tier`` (0-3), ``findings`` (finding id -> bool),
        ``scores`` (cause -> 0-100), ``top`` (index into :data:`CAUSES`, -1 = none),
        ``outside_model`` (heat stroke or rhabdomyolysis dominates).

    References
    ----------
    clinical-reference.md §9.2-§9.6; see the module docstring for the full list.
    """
    def yes(name: str) -> Any:
        return v[name] == 1.0

    not_ = ops.not_
    g, dm = v["glucose_mg_dl"], v["body_mass_change_pct"]
    core, ambient, na = v["core_temp_c"], v["ambient_temp_c"], v["serum_sodium_mmol_l"]
    pain, spasm_min, urine, prior = v["pain_score"], v["spasm_duration_min"], v["urine_color"], v["prior_episodes_30d"]

    confusion, unconscious, seizure = yes("confusion"), yes("unconscious"), yes("seizure")
    tremor, spasm, hunger, sweating = yes("tremor"), yes("spasm"), yes("hunger"), yes("sweating")
    pale, palp, nv, headache = yes("pale_skin"), yes("palpitations"), yes("nausea_vomiting"), yes("headache")
    weakness, swelling, tingling = yes("muscle_weakness"), yes("muscle_swelling"), yes("numbness_tingling")
    dark, thirst, diab, glm = yes("dark_urine"), yes("thirst"), yes("has_diabetes"), yes("glucose_lowering_medication")

    cns = confusion | unconscious | seizure
    g_unknown = g != g
    low_g = g < T.hypo_level1_mg_dl
    presumptive = g_unknown & tremor & ((hunger & (sweating | pale)) | (glm & (sweating | hunger | pale | palp)))
    f_hypo = low_g | presumptive
    f_severe_hypo = cns & (low_g | (g_unknown & glm))
    hypo_any = f_hypo | f_severe_hypo
    f_ehs = (core >= T.ehs_core_c) | ((core > T.core_emergency_c) & cns)
    heat_ctx = (core >= T.heat_context_core_c) | (ambient >= T.heat_context_ambient_c)
    f_heat_exh = not_(f_ehs) & not_(cns) & heat_ctx & (nv | headache | pale | weakness)
    na_known = na == na
    f_hypona = ops.where(na_known, na < T.eah_sodium_mmol_l, dm > T.mass_gain_pct)
    f_rhabdo = (dark & (weakness | swelling | (pain >= T.rhabdo_pain_with_dark_urine))) | (
        swelling & weakness & (pain >= T.rhabdo_pain_triad))
    mass_loss = dm < -T.mass_loss_pct
    urine_dark = urine >= T.urine_color_dehydrated
    f_dehyd = mass_loss | urine_dark
    f_prolonged = spasm_min >= T.prolonged_spasm_min
    f_severe_pain = pain >= T.severe_pain
    f_recurrent = spasm & yes("prevention_followed") & (prior >= T.recurrent_episodes)

    flags = {
        "severe_hypoglycemia": f_severe_hypo, "hypoglycemia": f_hypo, "altered_mental_status": cns,
        "prolonged_spasm": f_prolonged, "severe_pain": f_severe_pain, "exertional_heat_stroke": f_ehs,
        "heat_exhaustion": f_heat_exh, "hyponatremia_risk": f_hypona, "rhabdomyolysis_risk": f_rhabdo,
        "dehydration": f_dehyd, "recurrent_despite_prevention": f_recurrent,
    }

    severe_eah = f_hypona & (cns | (nv & headache) | (na < T.eah_severe_sodium_mmol_l))
    red = {
        "altered_mental_status": cns, "severe_hypoglycemia": f_severe_hypo, "exertional_heat_stroke": f_ehs,
        "core_over_40": core > T.core_emergency_c, "severe_hyponatremia": severe_eah,
        "rhabdomyolysis_risk": f_rhabdo, "prolonged_spasm": f_prolonged, "severe_pain": f_severe_pain,
    }
    any_red = red["altered_mental_status"]
    for item in list(red.values())[1:]:
        any_red = any_red | item

    amber = {
        "mass_loss": mass_loss, "urine_dark": urine_dark, "hypoglycemia_conscious": f_hypo & not_(cns),
        "core_raised": (core >= T.heat_context_core_c) & (core <= T.core_emergency_c),
        "nausea_vomiting": nv, "headache": headache,
        "pain_moderate": (pain >= T.pain_amber) & (pain < T.severe_pain),
        "spasm_long": (spasm_min >= T.spasm_amber_min) & (spasm_min < T.prolonged_spasm_min),
        "muscle_weakness": weakness, "muscle_swelling": swelling, "numbness_tingling": tingling,
        "palpitations": palp, "pale_skin": pale, "hyponatremia_risk": f_hypona & not_(severe_eah),
    }
    amber_total = 0
    for item in amber.values():
        amber_total = amber_total + item * ops.small_int(1)

    whipple = not_(cns) & ((diab & (g < T.hypo_level2_mg_dl)) | (not_(diab) & (g < T.whipple_mg_dl)))
    nerve = tingling & not_(hypo_any)
    pattern = {
        "recurrent_despite_prevention": f_recurrent, "low_glucose_workup": whipple,
        # §9.5 says "without low glucose"; the review is kept when glucose is also low so that a
        # lower reading never lowers the tier (monotonicity); the differential still credits
        # the tingling to hypoglycaemia in that case (nerve key needs no hypoglycaemia).
        "possible_nerve_irritation": tingling & (weakness | (prior >= T.nerve_prior_episodes)),
    }
    any_pattern = pattern["recurrent_despite_prevention"] | pattern["low_glucose_workup"] | pattern["possible_nerve_irritation"]

    amber_tier = ops.where(amber_total >= T.amber_emergency, 3, ops.where(amber_total >= T.amber_monitor, 1, 0))
    tier = ops.maximum(ops.maximum(any_red * 3, amber_tier), any_pattern * 2)

    fluid_key = f_dehyd | f_heat_exh | f_hypona
    fatigue_key = spasm | tremor
    # (a measured normal glucose overrides the symptom points: hypo_any needs a low or an unknown glucose)
    findings = {
        "hypo_flagged": hypo_any, "hypo_measured": low_g,
        "hypo_level2": g < T.hypo_level2_mg_dl, "hypo_level3": f_severe_hypo,
        "hypo_tremor": hypo_any & tremor, "hypo_hunger": hypo_any & hunger,
        "hypo_sweating": hypo_any & sweating, "hypo_pale": hypo_any & pale,
        "hypo_palpitations": hypo_any & palp, "hypo_tingling": hypo_any & tingling,
        "hypo_medication": hypo_any & glm,
        "fluid_flagged": fluid_key, "fluid_mass_loss": fluid_key & mass_loss,
        "fluid_urine_dark": fluid_key & urine_dark,
        "fluid_urine_mid": fluid_key & (urine >= T.urine_color_possibly_under) & (urine < T.urine_color_dehydrated),
        "fluid_heat_exhaustion": fluid_key & f_heat_exh, "fluid_hyponatremia": fluid_key & f_hypona,
        "fluid_thirst": fluid_key & thirst, "fluid_nausea": fluid_key & nv, "fluid_headache": fluid_key & headache,
        "fluid_hot_air": fluid_key & (ambient >= T.heat_context_ambient_c),
        "fluid_core_raised": fluid_key & amber["core_raised"],
        "nerve_tingling": nerve, "nerve_weakness": nerve & weakness,
        "nerve_prior": nerve & (prior >= T.nerve_prior_episodes), "nerve_spasm": nerve & spasm,
        "fatigue_spasm": spasm, "fatigue_tremor": tremor,
        "fatigue_intensity": fatigue_key & (v["intensity"] >= INTENSITY_CODES["hard"]),
        "fatigue_prior": fatigue_key & (prior >= T.nerve_prior_episodes),
    }
    raw = {c: 0 for c in CAUSES}
    for f in FINDINGS:
        raw[f.cause] = raw[f.cause] + findings[f.id] * ops.small_int(f.points)
    scores = {c: ops.minimum(raw[c], 100) for c in CAUSES}

    outside = f_rhabdo | f_ehs
    # argmax in precedence order (first maximum wins); -1 when nothing scores or outside the model
    top = 0
    best = scores[CAUSES[0]]
    for i, c in enumerate(CAUSES[1:], start=1):
        better = scores[c] > best
        top = ops.where(better, i, top)
        best = ops.maximum(best, scores[c])
    top = ops.where(outside | (best <= 0), -1, top)

    return {
        "flags": flags, "red": red, "amber": amber, "amber_total": amber_total, "pattern": pattern,
        "any_red": any_red, "tier": tier, "findings": findings, "scores": scores, "top": top,
        "outside_model": outside,
    }
