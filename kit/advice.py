"""What to do now and what not to do, in words a trainer can read aloud.

Advice comes from the source article, with the safety corrections of
clinical-reference §7 and the "must not advise" rules of §9.7 applied **after** the
actions are chosen: an id that is contraindicated is removed from the actions, so an id
is never both advised and contraindicated. Tiers are cumulative (§9): a higher tier keeps
the on-site care of the lower ones.

Only the contract's action ids are used; where the situation needs other words (cooling
for heat exhaustion, holding drinks when hyponatraemia is possible, measuring glucose when
no reading exists) they go into the text of ``rest``, ``recheck_glucose`` or a
contraindication's ``why``.

Hyponatraemia is treated as *possible* (and every drink is withheld) on the
``hyponatremia_risk`` flag and also, per clinical-reference §7, on confusion or on
vomiting with headache, since those are EAH signs when body mass and sodium are unknown.

References
----------
.. [1] clinical-reference.md §7 (article caveats), §9 (tiers), §9.7 (must not advise).
.. [2] ADA 15-15 rule (15-20 g fast carbohydrate, recheck at 15 min) [secondary].
.. [3] Casa DJ et al. NATA position statement, J Athl Train 2015 (cool first, transport second).
.. [4] Hew-Butler T et al. EAH consensus 2015; Bennett BL et al. WMS EAH guidelines 2019.
.. [5] Miller KC. Curr Sports Med Rep 2015 (never answer a cramp with "drink lots of water").
.. [6] Lipman GS et al. Emerg Med J 2017 (ibuprofen and acute kidney injury in ultramarathon).
"""

from __future__ import annotations

from typing import Any

from kit.formatting import threshold_text
from kit.thresholds import T

__all__ = ["ACTION_TEXT", "choose_advice", "reassess_interval"]


#: Plain-language text of every action id (read aloud to the athlete / by the trainer).
ACTION_TEXT: dict[str, str] = {
    "call_emergency": "Call emergency services now and stay with the athlete until help arrives.",
    "cold_water_immersion": (
        f"Cool first, transport second: whole-body cold-water immersion (water under {threshold_text(T.cwi_water_max_c)} °C, "
        f"stirred, ice on the surface) while help is called; stop at a core temperature of about "
        f"{threshold_text(T.cwi_stop_core_low_c)}-{threshold_text(T.cwi_stop_core_c)} °C. No tub: rotate ice-water towels over the body."),
    "recovery_position": "If unresponsive but breathing, lay them on their side (recovery position) and keep the "
                         "airway clear; during a seizure protect the head and do not hold them down.",
    "nothing_by_mouth": "Nothing by mouth (no drinks, food or tablets) while unconscious, seizing or unable to "
                        "swallow. Glucagon only if it is prescribed and you are trained to give it.",
    "oral_carbohydrate": (
        f"Give {threshold_text(T.carb_treatment_min_g)}-{threshold_text(T.carb_treatment_max_g)} g of fast-acting sugar (glucose tablets or "
        "gel, fruit juice or regular soda), only if they can swallow safely. Not chocolate: fat makes it act slowly."),
    "recheck_glucose": (
        f"Recheck blood glucose {threshold_text(T.glucose_recheck_min)} min after the sugar and repeat the sugar while it is still "
        f"under {threshold_text(T.hypo_level1_mg_dl)} mg/dL ({threshold_text(round(T.hypo_level1_mg_dl / T.glucose_mmol_to_mg_dl, 1))} mmol/L); "
        "once normal, eat a snack or meal."),
    "stop_running": "No more running today.",
    "rest": "Rest somewhere cool and sheltered; eat, and drink to thirst.",
    "stretch": "Gently stretch the cramping muscle (slow, passive, held) until it lets go.",
    "massage": "Massage the muscle gently.",
    "heat": "Once settled, warmth can ease a stiff muscle (never on a hot athlete or a swollen limb).",
    "ice": "For soreness, an ice pack wrapped in a towel (never directly on the skin).",
    "drink_water": "Replace the documented fluid loss by sipping drinks to thirst; do not force large volumes.",
    "electrolyte_drink": "Prefer a drink with salt/electrolytes (or water with salty food) to replace sweat losses.",
    "see_doctor": "Arrange a non-urgent medical review (within days).",
}

#: Variants of an action's text for particular situations (same id, other words).
_TEXT_VARIANTS: dict[str, str] = {
    "rest_no_drinks": "Rest lying down somewhere cool and sheltered, with someone staying beside them; no drinks for now "
                      "(see what not to do).",
    "rest_vomiting": "Rest lying down somewhere cool and sheltered, with someone staying beside them.",
    "rest_heat": "Rest in the shade: remove extra clothing, cool with cold wet towels and fanning, and lie down with the "
                 "legs raised.",
    "measure_glucose": "Measure blood glucose now if a meter is available: it separates a low from plain fatigue.",
    "glucose_no_meter": (
        f"Measure blood glucose now if a meter is available; give the sugar anyway, then measure again "
        f"{threshold_text(T.glucose_recheck_min)} min later and repeat the sugar while it is under {threshold_text(T.hypo_level1_mg_dl)} mg/dL."),
    "glucose_nothing_by_mouth": (
        f"Measure blood glucose every {threshold_text(T.glucose_recheck_min)} min if you can and tell the paramedics the readings "
        "(no sugar by mouth)."),
    "electrolyte_heat": "If they are not vomiting, sips of a drink with salt/electrolytes help (to thirst).",
}

_SEE_DOCTOR_WHY = {
    "recurrent_despite_prevention": "spasms keep recurring despite prevention (possible mineral or nerve disorder)",
    "low_glucose_workup": "a documented low glucose needs a work-up or a review of the diabetes plan",
    "possible_nerve_irritation": "numbness or tingling with weakness or repeat episodes (possible nerve irritation)",
}


def choose_advice(obs: Any, r: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Choose actions and contraindications for one scalar rule result.

    Parameters
    ----------
    obs : Observation
        The validated observation.
    r : dict
        The result of :func:`kit.rules.evaluate` with :data:`kit.rules.SCALAR`.

    Returns
    -------
    actions : list of dict
        ``{"id", "text"}`` in the order to do them.
    contraindicated : list of dict
        ``{"id", "why"}``; no id is in both lists.

    References
    ----------
    clinical-reference.md §7 and §9.7; ADA 15-15 rule; NATA 2015; EAH consensus 2015.
    """
    f = r["flags"]
    tier = int(r["tier"])
    unconscious, seizure = obs.unconscious is True, obs.seizure is True
    cns = bool(f["altered_mental_status"])
    hot = bool(f["heat_exhaustion"] or f["exertional_heat_stroke"] or r["amber"]["core_raised"] or r["red"]["core_over_40"]
               or (obs.ambient_temp_c is not None and obs.ambient_temp_c >= T.heat_context_ambient_c))
    swollen = obs.muscle_swelling is True or bool(f["rhabdomyolysis_risk"])

    nv, headache = obs.nausea_vomiting is True, obs.headache is True
    contra: dict[str, str] = {}
    no_drink_why = None
    if f["hyponatremia_risk"]:
        no_drink_why = ("possible exercise-associated hyponatraemia: more water (or a standard, hypotonic sports drink) "
                        "dilutes blood sodium further. Hold all drinks until they pass urine freely; a salty snack or broth "
                        "is fine. Get help at once if headache, vomiting or confusion appear (EAH consensus 2015; WMS 2019)")
    elif cns:
        no_drink_why = "altered mental state: no drinks (choking risk, and hyponatraemia is possible) (clinical-reference §7, §9.7)"
    elif nv and headache:
        no_drink_why = ("vomiting with headache after a run can be hyponatraemia: hold all drinks until it is ruled out "
                        "(body mass before/after, or a sodium test) (clinical-reference §7)")
    if unconscious or seizure:
        no_drink_why = no_drink_why or "unconscious or seizing: nothing by mouth (choking risk)"
        contra["oral_carbohydrate"] = "unconscious or seizing: nothing by mouth (choking risk); glucagon if prescribed"
    if no_drink_why:
        contra["drink_water"] = no_drink_why
        contra["electrolyte_drink"] = no_drink_why
    nsaid_why = [why for on, why in (
        (f["dehydration"], "dehydration"), (f["hyponatremia_risk"], "possible hyponatraemia"),
        (f["heat_exhaustion"] or f["exertional_heat_stroke"] or r["red"]["core_over_40"], "heat illness"),
        (f["rhabdomyolysis_risk"], "possible rhabdomyolysis"), (f["prolonged_spasm"], "a spasm of an hour or more"),
        (f["severe_pain"], "severe pain that needs assessment")) if on]
    if nsaid_why:
        contra["nsaid"] = ("no ibuprofen or other NSAIDs with " + ", ".join(nsaid_why) +
                           ": kidney injury and sodium risk (Lipman 2017; Wharam 2006)")
    if tier >= 1:
        contra["continue_running"] = "stop for today: the situation needs watching (clinical-reference §9.7)"
    if hot or swollen:
        contra["heat"] = "never apply heat to a hot athlete or a swollen limb (clinical-reference §7)"
    if swollen:
        contra["massage"] = ("no massage on a swollen muscle: think rhabdomyolysis or compartment syndrome first "
                             "(clinical-reference §4, §6)")

    wanted: list[tuple[str, str | None]] = []  # (id, text variant)
    if tier == 3:
        wanted.append(("call_emergency", None))
    if f["exertional_heat_stroke"] or r["red"]["core_over_40"]:
        wanted.append(("cold_water_immersion", None))
    if unconscious or seizure:
        wanted += [("recovery_position", None), ("nothing_by_mouth", None)]
    if f["hypoglycemia"] or f["severe_hypoglycemia"]:
        if "oral_carbohydrate" in contra:
            wanted.append(("recheck_glucose", "glucose_nothing_by_mouth"))
        else:
            wanted += [("oral_carbohydrate", None),
                       ("recheck_glucose", "glucose_no_meter" if obs.blood_glucose is None else None)]
    elif obs.blood_glucose is None and obs.tremor is True:
        wanted.append(("recheck_glucose", "measure_glucose"))
    if tier >= 1:
        wanted.append(("stop_running", None))
    if no_drink_why:
        rest = "rest_no_drinks"
    elif f["heat_exhaustion"]:
        rest = "rest_heat"
    elif nv:
        rest = "rest_vomiting"
    else:
        rest = None
    wanted.append(("rest", rest))
    if obs.spasm is True and not f["rhabdomyolysis_risk"]:
        wanted += [("stretch", None), ("massage", None)]
    if not nv:
        if f["dehydration"]:  # drinks only for a documented deficit (clinical-reference §7)
            wanted += [("electrolyte_drink", None), ("drink_water", None)]
        elif f["heat_exhaustion"]:
            wanted.append(("electrolyte_drink", "electrolyte_heat"))
    if tier < 3:
        if (obs.pain_score is not None and obs.pain_score > 0) or swollen:
            wanted.append(("ice", None))  # soreness: cold
        elif obs.spasm is True:
            wanted.append(("heat", None))  # stiffness: warmth
    if any(bool(v) for v in r["pattern"].values()):
        wanted.append(("see_doctor", None))

    actions = []
    seen = set()
    for a, variant in wanted:
        if a in contra or a in seen:
            continue
        seen.add(a)
        text = _TEXT_VARIANTS[variant] if variant else ACTION_TEXT[a]
        if a == "see_doctor":
            why = [_SEE_DOCTOR_WHY[k] for k, on in r["pattern"].items() if on]
            text = text[:-1] + ": " + "; ".join(why) + "."
        actions.append({"id": a, "text": text})
    contraindicated = [{"id": k, "why": v} for k, v in contra.items()]
    return actions, contraindicated


def reassess_interval(obs: Any, r: dict[str, Any]) -> int | None:
    """Minutes until the trainer should reassess, or ``None`` where no interval applies.

    The shortest of: the 15-minute glucose recheck after carbohydrate (hypoglycaemia,
    conscious); 30 min for dehydration or heat exhaustion and 15 min for a cramp under
    monitoring (monitor tier: "15-30 min"); the time left before an ongoing spasm reaches
    the 60-minute limit. In an emergency only the glucose recheck is kept (everything else
    waits for the ambulance).

    References
    ----------
    ADA 15-15 rule; clinical-reference §9 (monitor tier); source article (1-hour spasm limit).
    """
    f = r["flags"]
    tier = int(r["tier"])
    out: list[float] = []
    if (f["hypoglycemia"] or f["severe_hypoglycemia"]) and obs.unconscious is not True and obs.seizure is not True:
        out.append(T.glucose_recheck_min)
    if tier < 3:
        if tier >= 1 and (f["dehydration"] or f["heat_exhaustion"] or f["hyponatremia_risk"]):
            out.append(T.reassess_monitor_min)
        if tier >= 1 and obs.spasm is True:
            out.append(T.reassess_cramp_min)
        if obs.spasm is True and obs.spasm_duration_min is not None and obs.spasm_duration_min < T.prolonged_spasm_min:
            out.append(T.prolonged_spasm_min - obs.spasm_duration_min)
    if not out:
        return None
    return max(1, round(min(out)))
