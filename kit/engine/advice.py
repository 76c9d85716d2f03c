"""What to do now and what not to do, in words a trainer can read aloud (rule set v0.2).

A pure module: :func:`choose_advice` turns an :class:`AdviceContext` (final tier, the
§9.2 flag ids present now, the observation, a few derived values and what the episode
carries forward) into the ``actions`` and ``contraindicated`` lists of the contract, and
:func:`reassess_minutes` gives ``reassess_in_min`` for one observation or for whole numpy
columns (written with :class:`kit.engine.rules.Ops`, like the rule kernel).

How the lists are built (clinical-reference §9.8):

* every action whose condition holds is chosen with its text variant;
* every contraindication row whose condition holds is listed with its why text, including
  the rows carried forward from red flags at earlier observations of the episode (§9.9 K7)
  and the ``nsaid`` row (``nsaid`` is never an action in v0.2);
* the contraindication wins: an id that is contraindicated is removed from the actions, so
  no id is in both lists (C1);
* actions are listed in the §9.8 reading order (life-saving first, ``see_doctor`` last).

Every number in a text comes from :data:`kit.engine.thresholds.T` through
:func:`kit.engine.formatting.threshold_text`.

Readings of the reference that are choices (documented here, reported to the integrator):

* ``cold_water_immersion`` variants B and C say "cool now (as A)"; the text spells out A's
  cooling method instead of "(as A)", since a trainer reads the text aloud.
* ``electrolyte_drink`` and ``drink_water`` share one reference sentence ("Drink to thirst,
  small amounts; do not gain weight."); each keeps it, preceded by a few words naming the
  drink, so the two lines do not read identically.
* The self_care ``rest`` addition "Eat, and drink to thirst." is also left out whenever
  ``drink_water`` is contraindicated (a superset of the reference's hyponatraemia and
  over-drinking flags, which are the only drink contraindications a self_care result can
  have; it keeps "drink" advice and "no drinks" out of the same panel).
* When two rows contraindicate the same id, the first row of the §9.8 table gives the why
  (for ``cold_water_immersion`` "No cooling: cold or already cool" comes before C9's
  "CPR first", so a cold athlete in CPR is told not to cool at all).

References
----------
.. [1] clinical-reference.md v0.2 §9.8 (actions, variants, contraindications, C1-C9),
       §9.9 K7/K8 (carried rows, handover), §9.10 (reassessment times) [design].
.. [2] ADA Standards of Care 2024 §6; 15-15 rule (15-20 g, recheck after 15 min) [confirmed].
.. [3] Casa DJ et al. NATA position statement, J Athl Train 2015;50(9):986-1000 (cool first,
       transport second; stop at 38.6-38.9 degC).
.. [4] Hew-Butler T et al. EAH consensus 2015; Bennett BL et al. WMS EAH guidelines 2019
       (no drinks with hyponatraemia risk; salty snack or broth).
.. [5] Dow J et al. WMS hypothermia guideline 2019 (insulate, active warming, gentle
       handling; 60-s breathing and pulse check in severe hypothermia).
.. [6] AHA/ERC lay-rescuer wording (unresponsive and not breathing normally: CPR and AED).
.. [7] Asplund CA et al. Br J Sports Med 2011 (collapse after the finish: legs and pelvis up).
.. [8] Lipman GS et al. Emerg Med J 2017; Wharam PC et al. Med Sci Sports Exerc 2006 (NSAIDs).
.. [9] Miller KC et al. J Athl Train 2022 (passive stretch; "serious EAMC" signs).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kit.engine.formatting import threshold_text
from kit.engine.rules import SCALAR, TIERS, KernelResult, Ops
from kit.engine.thresholds import T

__all__ = [
    "ACTION_ORDER", "ACTION_TEXT", "AdviceContext", "CARRIED", "HEAT_FLAGS", "HYPO_FLAGS", "PATTERN_REASON",
    "RED_FLAGS", "TISSUE_DAMAGE_FLAGS", "WHY", "choose_advice", "reassess_minutes", "kernel_reassess",
]


def _n(key: str) -> str:
    """A threshold as it is written in a text."""
    return threshold_text(getattr(T, key))


# ---------------------------------------------------------------------------------------------
# Texts (clinical-reference §9.8). Variants are separate entries; numbers come from T.
# ---------------------------------------------------------------------------------------------

_COOL_METHOD = (f"whole-body cold-water immersion (< {_n('cwi_water_max_c')} °C, stirred) or rotating ice-water towels "
                f"until rectal {_n('cwi_stop_core_low_c')}–{_n('cwi_stop_core_c')} °C")
_CPR_START = "Not breathing normally (gasping counts): start CPR and send for an AED; use it as soon as it arrives."
_REWARM_HEAD = ("Shelter, remove wet clothing, insulate from the ground, cover head; "
                "heat packs to chest/armpits/back.")
_REWARM_TAIL = "Severe/unconscious: keep horizontal, handle gently."
_DRINK = "Drink to thirst, small amounts; do not gain weight."

#: Every action text, variants under ``"<id>:<variant>"`` keys (the plain id is the default text).
ACTION_TEXT: dict[str, str] = {
    "call_emergency": "Call emergency services now.",
    "call_emergency:glucagon": "Glucagon if prescribed and you are trained.",
    "call_emergency:inhaler": "If they have asthma, help them use their own reliever inhaler.",
    "pulse": f"Confirm by counting the pulse for {_n('pulse_count_s')} s.",
    "call_emergency:handover": "Keep the ambulance coming and hand over, even if the athlete has improved.",
    "urgent_care": ("Get a medical assessment today, within hours: urgent care or emergency department. "
                    "No ambulance needed unless it gets worse."),
    "see_doctor": "Book a medical review within days",
    "cpr_aed:start": _CPR_START,
    "cpr_aed:check": f"Check breathing for no more than {_n('cpr_breath_check_s')} s. " + _CPR_START,
    "cpr_aed:cold": (f"Check breathing and pulse for up to {_n('cpr_cold_check_s')} s (slow, shallow breathing is easy to miss); "
                     "if not breathing normally, start CPR and send for an AED; handle gently."),
    "recovery_position": "Breathing normally: recovery position, keep checking breathing.",
    "nothing_by_mouth": "Nothing by mouth.",
    "cold_water_immersion:A": "Cool now: " + _COOL_METHOD + "; call EMS in parallel.",
    "cold_water_immersion:B": ("Measure rectal temperature. If you cannot and the athlete is hot to the touch, cool now: "
                               + _COOL_METHOD + "; call EMS in parallel."),
    "cold_water_immersion:C": (f"Measure rectal temperature first: above {_n('cwi_variant_c_cool_above_c')} °C cool now by "
                               + _COOL_METHOD + f"; below {_n('cwi_variant_c_rewarm_below_c')} °C rewarm; "
                               "meanwhile shelter and insulate."),
    "rewarm": _REWARM_HEAD + " Warm sweet drink only if alert and able to swallow. " + _REWARM_TAIL,
    "rewarm:no_drink": _REWARM_HEAD + " No drinks. " + _REWARM_TAIL,
    "legs_up": "Lie down with legs and pelvis raised.",
    "stop_running": "No more running today.",
    "rest:warm": "Rest somewhere warm, sheltered and dry.",
    "rest:cool": ("Rest lying down somewhere cool and shaded; remove excess clothing; cold wet towels; "
                  "measure rectal temperature if you can."),
    "rest:passive_warm": ("Rest sheltered and dry: dry clothes, insulate from the ground, cover; "
                          "passive warmth only (no heat packs) until a rectal temperature is known."),
    "rest:neutral": "Rest somewhere sheltered.",
    "rest:eat_drink": "Eat, and drink to thirst.",
    "oral_carbohydrate": f"{_n('carb_treatment_min_g')}–{_n('carb_treatment_max_g')} g fast glucose (tablets, gel, juice or regular soda).",
    "oral_carbohydrate:gel_only": (f"{_n('carb_treatment_min_g')}–{_n('carb_treatment_max_g')} g glucose gel or tablets only, and only "
                                   "if awake and able to swallow safely; no juice, soda or other drinks."),
    "recheck_glucose": (f"Recheck glucose in {_n('glucose_recheck_min')} min; "
                        f"repeat treatment while < {_n('hypo_level1_mg_dl')} mg/dL."),
    "check_ketones": "Check blood ketones now; no more exercise until known.",
    "salty_snack": "Salty snack or concentrated broth; no drinks until urinating freely.",
    "electrolyte_drink": "An electrolyte (sports) drink first. " + _DRINK,
    "drink_water": "Water is fine too. " + _DRINK,
    "stretch": "Gentle passive stretch of the cramping muscle until it relaxes.",
    "massage": "Gentle massage.",
    "heat": "Local heat for stiffness only.",
    "ice": f"Wrapped ice pack for soreness, {_n('ice_minutes')} min.",
}

#: Why texts of the contraindication rows (clinical-reference §9.8).
WHY: dict[str, str] = {
    "no_drinks": "No drinks: possible hyponatraemia (over-drinking) or unsafe swallow.",
    "nothing_by_mouth": "Nothing by mouth.",
    "nsaid": ("No ibuprofen/naproxen-type painkillers (NSAIDs) for muscle pain: kidney and sodium risk. "
              "Aspirin for chest pain only if the emergency call-taker advises it."),
    "nsaid:already_taken": "Already taken: take no more, and tell the medical team.",
    "massage": "No massage: possible tissue damage or clot; gentle handling.",
    "heat": "No local heat.",
    "stretch": "No further stretching: possible tissue damage.",
    "ice": "No ice: cold / compartment / chest pain.",
    "cold_water_immersion": "No cooling: cold or already cool.",
    "cpr_first": ("CPR first: no immersion or recovery position during CPR; "
                  "cool with ice-water towels without interrupting compressions."),
    "legs_up": "Do not raise the legs (compartment pressure / breathing / CPR).",
    "rewarm": "No active rewarming: the athlete is not cold.",
    "continue_running": "No more exercise today.",
}

#: The reason added to ``see_doctor`` for each pattern rule (§9.6), in words without numbers.
PATTERN_REASON: dict[str, str] = {
    "P1": "spasms keep coming back despite prevention (possible mineral or nerve disorder)",
    "P2": "frequent episodes in the last month",
    "P3": "repeated trembling after runs (possible recurring low glucose: measure glucose at the next episode)",
    "P4": "a documented low glucose with symptoms needs a work-up or a review of the diabetes plan",
    "P5": "numbness or tingling with weakness or earlier episodes (possible nerve irritation)",
    "P6": "one leg is swollen compared with the other: have it checked",
}

#: Reading order of actions (§9.8, review 2): life-saving first, the follow-up last.
ACTION_ORDER: tuple[str, ...] = (
    "call_emergency", "cpr_aed", "nothing_by_mouth", "recovery_position", "cold_water_immersion", "rewarm",
    "oral_carbohydrate", "recheck_glucose", "check_ketones", "urgent_care", "stop_running", "rest", "legs_up",
    "electrolyte_drink", "drink_water", "salty_snack", "stretch", "massage", "heat", "ice", "see_doctor",
)
_RANK = {a: i for i, a in enumerate(ACTION_ORDER)}

#: Heat flags (§9.2, last paragraph).
HEAT_FLAGS = frozenset({"exertional_heat_stroke", "hyperthermia", "suspected_heat_stroke", "heat_exhaustion"})
#: Hypoglycaemia flags ("any hypoglycaemia flag"; cannot_swallow implies one of the others).
HYPO_FLAGS = frozenset({"hypoglycemia", "falling_glucose", "severe_hypoglycemia", "hypoglycemia_cannot_swallow"})
_COLD_FLAGS = frozenset({"cold_stress", "hypothermia", "severe_hypothermia"})
#: Tissue-damage flags of C6 (rhabdomyolysis, compartment, DVT, prolonged spasm, severe pain).
TISSUE_DAMAGE_FLAGS = frozenset({"rhabdomyolysis_risk", "rhabdomyolysis_red", "compartment_syndrome_risk", "dvt_risk",
                                 "prolonged_spasm", "severe_pain"})
#: Red-flag ids of §9.3 (keys of the kernel's ``red``), as carried in ``earlier_red_flags``.
RED_FLAGS = frozenset({
    "altered_mental_status", "severe_hypoglycemia", "hypoglycemia_cannot_swallow", "not_breathing_normally",
    "exertional_heat_stroke", "hyperthermia", "suspected_heat_stroke", "severe_hyponatremia", "rhabdomyolysis_red",
    "compartment_syndrome_risk", "exertional_sickling", "cardiorespiratory_red_flag", "collapse_during_run",
    "severe_hypothermia", "possible_dka", "heart_rate_red", "prolonged_spasm", "severe_pain",
})
#: Contraindications an earlier red flag keeps in force (§9.8 "carried", §9.9 K7); any red flag -> nsaid.
CARRIED: dict[str, tuple[str, ...]] = {
    "rhabdomyolysis_red": ("massage", "heat", "stretch"),
    "exertional_sickling": ("massage", "heat", "stretch"),
    "prolonged_spasm": ("massage", "heat", "stretch"),
    "severe_pain": ("massage", "heat", "stretch"),
    "compartment_syndrome_risk": ("massage", "heat", "stretch", "ice", "legs_up"),
    "severe_hyponatremia": ("drink_water", "electrolyte_drink"),
    "cardiorespiratory_red_flag": ("legs_up", "ice"),
    "severe_hypothermia": ("cold_water_immersion", "ice", "massage"),
}
#: The why text of each id when it is carried ("as the row of origin").
_CARRIED_WHY = {"massage": "massage", "heat": "heat", "stretch": "stretch", "ice": "ice", "legs_up": "legs_up",
                "drink_water": "no_drinks", "electrolyte_drink": "no_drinks",
                "cold_water_immersion": "cold_water_immersion"}


@dataclass(frozen=True, slots=True)
class AdviceContext:
    """Everything :func:`choose_advice` reads (engine-interface §4).

    Attributes
    ----------
    tier : str
        Final tier id, one of :data:`kit.engine.rules.TIERS`.
    flags : frozenset of str
        §9.2 flag ids present now.
    obs : Mapping
        The validated observation's fields; an absent key or ``None`` (or NaN) is unknown.
    cns, collapse_in_run, cold_context, heat_context : bool
        Derived values D6, D13, D15, D16.
    pain : float or None
        D9: the pain score, ``None`` when unknown or when unconscious.
    glucose_known : bool
        D2 ``g_known``.
    patterns : frozenset of str
        Pattern ids ``"P1"``-``"P6"`` that fired now or earlier in the episode (K7).
    earlier_red_flags : frozenset of str
        Red-flag ids (§9.3) of earlier observations of the episode (K7 carried rows).
    handover : bool
        K7 emergency at a recheck: ``call_emergency`` adds the handover sentence.
    """

    tier: str
    flags: frozenset[str]
    obs: Mapping[str, Any]
    cns: bool
    collapse_in_run: bool
    cold_context: bool
    heat_context: bool
    pain: float | None
    glucose_known: bool
    patterns: frozenset[str] = frozenset()
    earlier_red_flags: frozenset[str] = frozenset()
    handover: bool = False

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"unknown tier {self.tier!r}; expected one of {', '.join(TIERS)}")
        unknown = sorted(set(self.patterns) - set(PATTERN_REASON))
        if unknown:
            raise ValueError(f"unknown pattern id(s) {unknown}; expected P1-P6")
        for name in ("flags", "patterns", "earlier_red_flags"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))


def _value(obs: Mapping[str, Any], name: str) -> Any:
    v = obs.get(name) if isinstance(obs, Mapping) else getattr(obs, name, None)
    if (isinstance(v, float) and math.isnan(v)) or type(v).__name__ == "NAType":  # NaN / pandas.NA: unknown
        return None
    return v


def _truth(obs: Mapping[str, Any], name: str) -> bool | None:
    """A yes/no field: True, False or None (unknown); 1.0/0.0 (frame encoding) read as yes/no."""
    v = _value(obs, name)
    return None if v is None else bool(v)


def _number(obs: Mapping[str, Any], name: str) -> float | None:
    v = _value(obs, name)
    return None if v is None else float(v)


def choose_advice(ctx: AdviceContext) -> tuple[tuple[dict[str, str], ...], tuple[dict[str, str], ...]]:
    """Choose the actions and contraindications for one assessment.

    Parameters
    ----------
    ctx : AdviceContext
        Final tier, flags now, the observation and what the episode carries forward.

    Returns
    -------
    actions : tuple of dict
        ``{"id", "text"}`` in the §9.8 reading order; no contraindicated id.
    contraindicated : tuple of dict
        ``{"id", "why"}`` in the order of the §9.8 contraindication table; ``nsaid`` is only
        ever here.

    References
    ----------
    clinical-reference.md §9.8 (actions, text variants, contraindications, consistency
    rules C1-C9) and §9.9 K7 (carried contraindications, handover text) [design]; ADA 15-15
    rule; NATA 2015; EAH consensus 2015 / WMS 2019; WMS hypothermia 2019; AHA/ERC CPR wording.
    """
    obs, f = ctx.obs, ctx.flags
    tier = TIERS.index(ctx.tier)
    emergency, urgent, see_doctor, monitor = (TIERS.index(t) for t in ("emergency", "urgent", "see_doctor", "monitor"))

    def yes(name: str) -> bool:  # T(x)
        return _truth(obs, name) is True

    def no(name: str) -> bool:  # F(x)
        return _truth(obs, name) is False

    def unknown(name: str) -> bool:  # U(x)
        return _truth(obs, name) is None

    core = _number(obs, "core_temp_c")
    run_min = _number(obs, "run_duration_min")
    unconscious, seizure = yes("unconscious"), yes("seizure")
    vomit = yes("vomiting")
    nv = yes("nausea_vomiting") or vomit
    diab = yes("has_diabetes") or yes("glucose_lowering_medication")
    collapse_any = ctx.collapse_in_run or yes("collapse") or yes("collapse_during_run")
    nbn = "not_breathing_normally" in f
    heat_flag = bool(f & HEAT_FLAGS)
    cold_flag = bool(f & _COLD_FLAGS)
    hypo = bool(f & HYPO_FLAGS)

    # ---- contraindications (row order of the §9.8 table; the first row gives an id's why) ----
    contra: dict[str, str] = {}

    def forbid(ids: tuple[str, ...], why_key: str) -> None:
        for i in ids:
            contra.setdefault(i, WHY[why_key])

    if (f & {"hyponatremia_risk", "severe_hyponatremia", "overdrinking", "cardiorespiratory_red_flag",
             "suspected_heat_stroke", "exertional_heat_stroke"}) or ctx.cns or vomit or unconscious or seizure:
        forbid(("drink_water", "electrolyte_drink"), "no_drinks")
    if unconscious or seizure or nbn:
        forbid(("oral_carbohydrate", "salty_snack"), "nothing_by_mouth")
    if (tier >= monitor or yes("nsaid_taken") or heat_flag
            or f & {"dehydration", "hyponatremia_risk", "rhabdomyolysis_risk", "rhabdomyolysis_red",
                    "compartment_syndrome_risk", "prolonged_spasm", "severe_pain"}
            or (core is not None and core > T.core_emergency_c)
            or (run_min is not None and run_min >= T.nsaid_long_run_min)
            or ctx.earlier_red_flags):
        contra["nsaid"] = WHY["nsaid"] + (" " + WHY["nsaid:already_taken"] if yes("nsaid_taken") else "")
    tissue = bool(f & {"rhabdomyolysis_risk", "rhabdomyolysis_red", "compartment_syndrome_risk", "dvt_risk",
                       "prolonged_spasm", "severe_pain", "exertional_sickling"})
    massage_rule = (tissue or bool(f & {"unilateral_leg_swelling", "hypothermia", "severe_hypothermia"})
                    or yes("muscle_swelling") or tier == emergency)
    if massage_rule:
        forbid(("massage",), "massage")
    if massage_rule or ctx.heat_context or heat_flag:
        forbid(("heat",), "heat")
    if tissue or unconscious or seizure:
        forbid(("stretch",), "stretch")
    if ctx.cold_context or cold_flag or f & {"compartment_syndrome_risk", "cardiorespiratory_red_flag"}:
        forbid(("ice",), "ice")
    if cold_flag or (core is not None and core < T.cwi_block_core_c):
        forbid(("cold_water_immersion",), "cold_water_immersion")
    if nbn:
        forbid(("cold_water_immersion", "recovery_position"), "cpr_first")
    if f & {"compartment_syndrome_risk", "cardiorespiratory_red_flag", "not_breathing_normally"} or unconscious:
        forbid(("legs_up",), "legs_up")
    if f & {"exertional_heat_stroke", "hyperthermia", "heat_exhaustion"} or (core is not None and core >= T.rewarm_block_core_c):
        forbid(("rewarm",), "rewarm")
    if tier >= monitor or f & {"hyperglycemia", "ketosis"}:
        forbid(("continue_running",), "continue_running")
    for red in sorted(ctx.earlier_red_flags):
        for i in CARRIED.get(red, ()):
            forbid((i,), _CARRIED_WHY[i])
    no_drinks = "drink_water" in contra

    # ---- actions (their conditions; variants chosen here) ----
    act: dict[str, str] = {}
    if tier == emergency:
        extra = []
        if ("severe_hypoglycemia" in f and (unconscious or seizure)) or "hypoglycemia_cannot_swallow" in f:
            extra.append(ACTION_TEXT["call_emergency:glucagon"])
        if yes("breathing_difficulty") and not yes("chest_pain"):
            extra.append(ACTION_TEXT["call_emergency:inhaler"])
        if "heart_rate_red" in f:
            extra.append(ACTION_TEXT["pulse"])
        if ctx.handover:
            extra.append(ACTION_TEXT["call_emergency:handover"])
        act["call_emergency"] = " ".join([ACTION_TEXT["call_emergency"], *extra])
    if tier == urgent:
        act["urgent_care"] = ACTION_TEXT["urgent_care"] + (" " + ACTION_TEXT["pulse"] if "heart_rate_red" in f else "")
    if tier == see_doctor or ctx.patterns:
        reasons = [PATTERN_REASON[p] for p in sorted(ctx.patterns)]
        act["see_doctor"] = ACTION_TEXT["see_doctor"] + (": " + "; ".join(reasons) if reasons else "") + "."
    check = (unconscious or seizure or ctx.collapse_in_run) and unknown("breathing_normally") and not no("unconscious")
    if nbn or check:
        cold_cpr = (core is not None and core < T.severe_hypothermia_core_c) or "severe_hypothermia" in f
        act["cpr_aed"] = ACTION_TEXT["cpr_aed:cold" if cold_cpr else "cpr_aed:start" if nbn else "cpr_aed:check"]
    if (unconscious or seizure) and yes("breathing_normally"):
        act["recovery_position"] = ACTION_TEXT["recovery_position"]
    if unconscious or seizure:
        act["nothing_by_mouth"] = ACTION_TEXT["nothing_by_mouth"]
    if f & {"exertional_heat_stroke", "hyperthermia"}:
        act["cold_water_immersion"] = ACTION_TEXT["cold_water_immersion:A"]
    elif "suspected_heat_stroke" in f:
        act["cold_water_immersion"] = ACTION_TEXT["cold_water_immersion:C" if ctx.cold_context else "cold_water_immersion:B"]
    if cold_flag:
        act["rewarm"] = ACTION_TEXT["rewarm:no_drink" if no_drinks else "rewarm"]
    if hypo:
        act["oral_carbohydrate"] = ACTION_TEXT["oral_carbohydrate:gel_only" if no_drinks else "oral_carbohydrate"]
    if hypo or (yes("tremor") and not ctx.glucose_known) or diab:
        act["recheck_glucose"] = ACTION_TEXT["recheck_glucose"]
    if "hyperglycemia" in f and unknown("blood_ketones_mmol_l"):
        act["check_ketones"] = ACTION_TEXT["check_ketones"]
    if tier >= monitor:
        act["stop_running"] = ACTION_TEXT["stop_running"]
    act["rest"] = _rest_text(ctx, tier, no_drinks, core is None, collapse_any)
    if f & {"post_finish_collapse", "heat_exhaustion"} or (yes("dizziness") and not ctx.collapse_in_run):
        act["legs_up"] = ACTION_TEXT["legs_up"]
    if f & {"dehydration", "heat_exhaustion", "post_finish_collapse"}:
        act["electrolyte_drink"] = ACTION_TEXT["electrolyte_drink"]
        act["drink_water"] = ACTION_TEXT["drink_water"]
    if "hyponatremia_risk" in f and "severe_hyponatremia" not in f and not nv and not ctx.cns:
        act["salty_snack"] = ACTION_TEXT["salty_snack"]
    if yes("spasm"):
        act["stretch"] = ACTION_TEXT["stretch"]
        act["massage"] = ACTION_TEXT["massage"]
        if not ctx.heat_context:
            act["heat"] = ACTION_TEXT["heat"]
    elif ctx.pain is not None and ctx.pain >= T.ice_pain_min:
        act["ice"] = ACTION_TEXT["ice"]

    actions = tuple({"id": a, "text": act[a]} for a in sorted(act, key=_RANK.__getitem__) if a not in contra)
    contraindicated = tuple({"id": i, "why": w} for i, w in contra.items())
    return actions, contraindicated


def _rest_text(ctx: AdviceContext, tier: int, no_drinks: bool, core_unknown: bool, collapse_any: bool) -> str:
    """The ``rest`` text: the first matching variant of §9.8 (warm, cool, cold day, heat, neutral)."""
    f = ctx.flags
    if f & _COLD_FLAGS:
        text = ACTION_TEXT["rest:warm"]  # C4: wins even when heat_exhaustion also holds
    elif f & {"exertional_heat_stroke", "hyperthermia", "heat_exhaustion"}:
        text = ACTION_TEXT["rest:cool"]
    elif ctx.cold_context:
        text = ACTION_TEXT["rest:passive_warm" if core_unknown and (ctx.cns or collapse_any) else "rest:warm"]
    elif ctx.heat_context or "suspected_heat_stroke" in f:
        text = ACTION_TEXT["rest:cool"]
    else:
        text = ACTION_TEXT["rest:neutral"]
    if (tier == TIERS.index("self_care") and not no_drinks
            and not f & {"hyponatremia_risk", "severe_hyponatremia", "overdrinking"}):
        text += " " + ACTION_TEXT["rest:eat_drink"]
    return text


def reassess_minutes(tier_code: Any, *, hypo: Any, heat: Any, spasm: Any, dehydration: Any, post_finish_collapse: Any,
                     cold: Any, hyponatremia_risk: Any, hyper: Any, hr_wait_min: Any, no_findings: Any, k8: Any,
                     ops: Ops = SCALAR) -> Any:
    """Minutes until the next reassessment (``reassess_in_min``), NaN for self_care.

    One function for one observation (Python scalars, :data:`kit.engine.rules.SCALAR`) and for
    whole numpy columns (:data:`kit.engine.rules.VECTOR`), like :func:`kit.engine.rules.evaluate`.

    Parameters
    ----------
    tier_code : int or array of int
        Final tier as an index into :data:`kit.engine.rules.TIERS` (self_care 0 ... emergency 4).
    hypo : bool or array
        Any hypoglycaemia flag (hypoglycemia, falling_glucose, severe_hypoglycemia).
    heat : bool or array
        heat_context or any heat flag.
    spasm : bool or array
        T(spasm).
    dehydration, post_finish_collapse : bool or array
        The flags of the same names.
    cold : bool or array
        cold_stress or hypothermia.
    hyponatremia_risk : bool or array
        The flag of that name.
    hyper : bool or array
        hyperglycemia or ketosis.
    hr_wait_min : float or array
        With the ``heart_rate_not_scored`` warning: ``hr_rest_min - msre``, or ``hr_rest_min``
        when msre is unknown; NaN without the warning.
    no_findings : bool or array
        The no-findings floor applies.
    k8 : bool or array
        Recheck rule K8 (hypoglycaemia not confirmed over) fired.
    ops : Ops
        :data:`kit.engine.rules.SCALAR` (default) or :data:`kit.engine.rules.VECTOR`.

    Returns
    -------
    float or array of float
        The minimum of the tier default and every applicable situation time; NaN exactly
        for self_care (the scalar path shows it as ``None``/null).

    References
    ----------
    clinical-reference.md §9.10 (tier defaults monitor 30, see_doctor 30, urgent 15,
    emergency 5; situation times) and §8B (heart rate scored after 10 min rest) [design];
    ADA 15-15 rule for the hypoglycaemia time [confirmed].
    """
    where, minimum = ops.where, ops.minimum
    default = where(tier_code == TIERS.index("emergency"), T.reassess_emergency_min,
                    where(tier_code == TIERS.index("urgent"), T.reassess_urgent_min,
                          where(tier_code == TIERS.index("see_doctor"), T.reassess_see_doctor_min, T.reassess_monitor_min)))
    m = default
    for applies, minutes in (
        (hypo, T.reassess_hypo_min), (heat, T.reassess_heat_min), (spasm, T.reassess_spasm_min),
        (dehydration, T.reassess_dehydration_min), (post_finish_collapse, T.reassess_post_finish_collapse_min),
        (cold, T.reassess_cold_min), (hyponatremia_risk, T.reassess_hyponatremia_min), (hyper, T.reassess_hyper_min),
        (no_findings, T.reassess_no_findings_min), (k8, T.reassess_k8_min),
    ):
        m = where(applies, minimum(m, minutes), m)
    hr_known = hr_wait_min == hr_wait_min  # NaN (warning absent) is the only value unequal to itself
    m = where(hr_known, minimum(m, where(hr_known, hr_wait_min, m)), m)
    return where(tier_code >= TIERS.index("monitor"), m, math.nan)



def kernel_reassess(r: KernelResult, tier_code: Any, spasm: Any, k8: Any = False, ops: Ops = SCALAR) -> Any:
    """:func:`reassess_minutes` for a kernel result (one observation or columns) at final tier ``tier_code``.

    Parameters
    ----------
    r : KernelResult
        What :func:`kit.engine.rules.evaluate` returned with the same ``ops``.
    tier_code : int or array of int
        Final tier code(s) (recheck rules included).
    spasm : bool or array
        T(spasm).
    k8 : bool or array
        Recheck rule K8 fired.
    ops : Ops
        :data:`kit.engine.rules.SCALAR` or :data:`kit.engine.rules.VECTOR`.

    Returns
    -------
    float or array of float
        Minutes; NaN for self_care.

    References
    ----------
    clinical-reference.md §9.10: with the ``heart_rate_not_scored`` warning, (10 - msre), or 10
    when msre is unknown (§8B: heart rate scored after 10 min of rest) [design].
    """
    f, d = r.flags, r.d
    msre = d.msre
    hr_wait = ops.where(r.warn.heart_rate_not_scored, ops.where(msre == msre, T.hr_rest_min - msre, T.hr_rest_min), math.nan)
    heat, hypo = d.heat_context, False
    for name in sorted(HEAT_FLAGS):
        heat = heat | getattr(f, name)
    for name in sorted(HYPO_FLAGS):
        hypo = hypo | getattr(f, name)
    return reassess_minutes(
        tier_code, hypo=hypo, heat=heat, spasm=spasm, dehydration=f.dehydration, post_finish_collapse=f.post_finish_collapse,
        cold=f.cold_stress | f.hypothermia, hyponatremia_risk=f.hyponatremia_risk, hyper=f.hyperglycemia | f.ketosis,
        hr_wait_min=hr_wait, no_findings=r.no_findings, k8=k8, ops=ops)
