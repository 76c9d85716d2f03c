"""kit.engine.advice v0.2: every action condition and text variant, every contraindication row (§9.8),
the reassessment times (§9.10) and the advice parts of the §9.12 worked examples.

Each AdviceContext is built by hand, so these tests pin the advice module alone; the
end-to-end checks through ``kit.assess`` are in tests/test_consistency.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kit.engine.advice import ACTION_ORDER, ACTION_TEXT, PATTERN_REASON, WHY, AdviceContext, choose_advice, reassess_minutes
from kit.engine.formatting import threshold_text
from kit.engine.rules import SCALAR, TIERS, VECTOR
from kit.engine.thresholds import T

NAN = math.nan


def ctx(tier: str = "monitor", flags=(), obs=None, **kw) -> AdviceContext:
    base = {"cns": False, "collapse_in_run": False, "cold_context": False, "heat_context": False, "pain": None,
            "glucose_known": False}
    base.update(kw)
    return AdviceContext(tier=tier, flags=frozenset(flags), obs=dict(obs or {}), **base)


def advise(*a, **kw):
    actions, contra = choose_advice(ctx(*a, **kw))
    return {x["id"]: x["text"] for x in actions}, {x["id"]: x["why"] for x in contra}, [x["id"] for x in actions]


def acts(*a, **kw) -> dict[str, str]:
    return advise(*a, **kw)[0]


def contra(*a, **kw) -> dict[str, str]:
    return advise(*a, **kw)[1]


def reassess(tier: str, **kw):
    args = {k: False for k in ("hypo", "heat", "spasm", "dehydration", "post_finish_collapse", "cold", "hyponatremia_risk",
                               "hyper", "no_findings", "k8")}
    args["hr_wait_min"] = NAN
    args.update(kw)
    out = reassess_minutes(TIERS.index(tier), **args, ops=SCALAR)
    return None if math.isnan(out) else out


def n(key: str) -> str:
    return threshold_text(getattr(T, key))


# ---------------------------------------------------------------------------------------------
# The context
# ---------------------------------------------------------------------------------------------

def test_context_rejects_an_unknown_tier_and_pattern_id():
    with pytest.raises(ValueError, match="unknown tier"):
        ctx(tier="critical")
    with pytest.raises(ValueError, match="pattern"):
        ctx(tier="see_doctor", patterns=frozenset({"P7"}))


def test_context_is_frozen_and_stores_frozensets():
    c = AdviceContext(tier="monitor", flags={"dehydration"}, obs={}, cns=False, collapse_in_run=False, cold_context=False,
                      heat_context=False, pain=None, glucose_known=False, patterns=["P1"])
    assert isinstance(c.flags, frozenset) and isinstance(c.patterns, frozenset)
    with pytest.raises(AttributeError):
        c.tier = "emergency"


def test_frame_style_observation_values_read_as_yes_no_unknown():
    # 1.0 / 0.0 / NaN (the frame encoding) mean yes / no / unknown
    assert "nothing_by_mouth" in acts(obs={"unconscious": 1.0})
    assert "nothing_by_mouth" not in acts(obs={"unconscious": 0.0})
    assert "nothing_by_mouth" not in acts(obs={"unconscious": NAN})
    assert "nothing_by_mouth" not in acts(obs={"unconscious": pd.NA})
    assert "cold_water_immersion" not in contra("emergency", obs={"core_temp_c": pd.NA})


# ---------------------------------------------------------------------------------------------
# Tier actions: call_emergency / urgent_care / see_doctor
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("tier", TIERS)
def test_call_emergency_exactly_at_emergency(tier):
    a = acts(tier)
    assert ("call_emergency" in a) == (tier == "emergency")
    if tier == "emergency":
        assert a["call_emergency"] == "Call emergency services now."


@pytest.mark.parametrize("flags, obs", [
    ({"severe_hypoglycemia", "altered_mental_status"}, {"unconscious": True}),
    ({"severe_hypoglycemia", "altered_mental_status"}, {"seizure": True}),
    ({"hypoglycemia", "hypoglycemia_cannot_swallow"}, {"vomiting": True}),
])
def test_call_emergency_glucagon_sentence(flags, obs):
    text = acts("emergency", flags, obs, cns="altered_mental_status" in flags)["call_emergency"]
    assert text == "Call emergency services now. Glucagon if prescribed and you are trained."


def test_no_glucagon_sentence_for_a_confused_but_swallowing_severe_low():
    text = acts("emergency", {"severe_hypoglycemia", "altered_mental_status"}, {"confusion": True}, cns=True)["call_emergency"]
    assert "Glucagon" not in text


def test_call_emergency_inhaler_sentence_only_without_chest_pain():
    assert acts("emergency", {"cardiorespiratory_red_flag"}, {"breathing_difficulty": True})["call_emergency"].endswith(
        "If they have asthma, help them use their own reliever inhaler.")
    assert "inhaler" not in acts("emergency", {"cardiorespiratory_red_flag"},
                                 {"breathing_difficulty": True, "chest_pain": True})["call_emergency"]


def test_call_emergency_pulse_sentence_with_heart_rate_red():
    text = acts("emergency", {"heart_rate_red"}, {"palpitations": True})["call_emergency"]
    assert text == f"Call emergency services now. Confirm by counting the pulse for {n('pulse_count_s')} s."
    assert "pulse" not in acts("emergency", {"cardiorespiratory_red_flag"}, {"chest_pain": True})["call_emergency"]


def test_call_emergency_handover_sentence_at_a_k7_recheck():
    text = acts("emergency", earlier_red_flags=frozenset({"exertional_heat_stroke"}), handover=True)["call_emergency"]
    assert text.endswith("Keep the ambulance coming and hand over, even if the athlete has improved.")
    assert "hand over" not in acts("emergency")["call_emergency"]


def test_call_emergency_sentences_in_reference_order():
    text = acts("emergency", {"hypoglycemia", "hypoglycemia_cannot_swallow", "heart_rate_red", "cardiorespiratory_red_flag"},
                {"vomiting": True, "breathing_difficulty": True}, handover=True)["call_emergency"]
    assert [text.index(s) for s in ("Glucagon", "asthma", "pulse", "ambulance")] == sorted(
        text.index(s) for s in ("Glucagon", "asthma", "pulse", "ambulance"))


@pytest.mark.parametrize("tier", TIERS)
def test_urgent_care_exactly_at_urgent(tier):
    a = acts(tier)
    assert ("urgent_care" in a) == (tier == "urgent")
    if tier == "urgent":
        assert a["urgent_care"] == ACTION_TEXT["urgent_care"]
        assert a["urgent_care"].startswith("Get a medical assessment today, within hours")


def test_urgent_care_pulse_sentence_with_heart_rate_red():
    assert acts("urgent", {"heart_rate_red"})["urgent_care"].endswith(
        f"Confirm by counting the pulse for {n('pulse_count_s')} s.")


@pytest.mark.parametrize("tier", TIERS)
def test_see_doctor_at_its_tier_without_a_pattern(tier):
    a = acts(tier)
    assert ("see_doctor" in a) == (tier == "see_doctor")
    if tier == "see_doctor":
        assert a["see_doctor"] == "Book a medical review within days."


@pytest.mark.parametrize("pid", sorted(PATTERN_REASON))
def test_see_doctor_names_each_pattern_reason(pid):
    text = acts("see_doctor", patterns=frozenset({pid}))["see_doctor"]
    assert text == f"Book a medical review within days: {PATTERN_REASON[pid]}."


@pytest.mark.parametrize("tier", ["urgent", "emergency"])
def test_see_doctor_is_a_follow_up_at_higher_tiers_when_a_pattern_fired(tier):
    a, _, order = advise(tier, patterns=frozenset({"P1", "P3"}))
    assert order[-1] == "see_doctor"
    assert a["see_doctor"] == f"Book a medical review within days: {PATTERN_REASON['P1']}; {PATTERN_REASON['P3']}."


def test_pattern_reasons_contain_no_numbers():
    assert not any(ch.isdigit() for text in PATTERN_REASON.values() for ch in text)


# ---------------------------------------------------------------------------------------------
# cpr_aed, recovery_position, nothing_by_mouth
# ---------------------------------------------------------------------------------------------

def test_cpr_start_variant_when_not_breathing_normally():
    a = acts("emergency", {"not_breathing_normally"}, {"breathing_normally": False})
    assert a["cpr_aed"] == ("Not breathing normally (gasping counts): start CPR and send for an AED; "
                            "use it as soon as it arrives.")


@pytest.mark.parametrize("obs, kw", [
    ({"unconscious": True}, {"cns": True}),
    ({"seizure": True}, {"cns": True}),
    ({"collapse": True}, {"collapse_in_run": True}),
])
def test_cpr_check_variant_when_breathing_is_unknown(obs, kw):
    a = acts("emergency", (), obs, **kw)
    assert a["cpr_aed"] == f"Check breathing for no more than {n('cpr_breath_check_s')} s. " + ACTION_TEXT["cpr_aed:start"]


def test_no_cpr_prompt_for_an_athlete_recorded_as_responsive():
    assert "cpr_aed" not in acts("emergency", (), {"collapse": True, "unconscious": False}, collapse_in_run=True)


def test_no_cpr_when_breathing_normally():
    assert "cpr_aed" not in acts("emergency", (), {"unconscious": True, "breathing_normally": True}, cns=True)


def test_no_cpr_for_a_conscious_athlete_without_collapse():
    assert "cpr_aed" not in acts("emergency", {"altered_mental_status"}, {"confusion": True}, cns=True)


@pytest.mark.parametrize("flags, obs", [
    ({"severe_hypothermia"}, {"unconscious": True, "core_temp_c": 33.0}),
    ((), {"unconscious": True, "core_temp_c": 31.9}),
    ({"severe_hypothermia", "not_breathing_normally"}, {"unconscious": True, "core_temp_c": 29.5, "breathing_normally": False}),
])
def test_cpr_cold_variant_replaces_both(flags, obs):
    text = acts("emergency", flags, obs, cns=True)["cpr_aed"]
    assert text.startswith(f"Check breathing and pulse for up to {n('cpr_cold_check_s')} s")
    assert "handle gently" in text and "no more than" not in text


def test_cpr_cold_variant_not_at_exactly_32():
    assert "pulse" not in acts("emergency", {"hypothermia"}, {"unconscious": True, "core_temp_c": 32.0}, cns=True)["cpr_aed"]


@pytest.mark.parametrize("obs", [{"unconscious": True, "breathing_normally": True}, {"seizure": True, "breathing_normally": True}])
def test_recovery_position_only_when_breathing_normally(obs):
    assert acts("emergency", (), obs, cns=True)["recovery_position"] == "Breathing normally: recovery position, keep checking breathing."
    assert "recovery_position" not in acts("emergency", (), {**obs, "breathing_normally": None}, cns=True)


@pytest.mark.parametrize("obs", [{"unconscious": True}, {"seizure": True}])
def test_nothing_by_mouth_when_unconscious_or_seizing(obs):
    assert acts("emergency", (), obs, cns=True)["nothing_by_mouth"] == "Nothing by mouth."


def test_no_nothing_by_mouth_for_confusion_alone():
    assert "nothing_by_mouth" not in acts("emergency", {"altered_mental_status"}, {"confusion": True}, cns=True)


# ---------------------------------------------------------------------------------------------
# cold_water_immersion, rewarm, rest
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flag, core", [("exertional_heat_stroke", 40.6), ("hyperthermia", 40.2)])
def test_cooling_variant_a_for_measured_heat_stroke_or_hyperthermia(flag, core):
    text = acts("emergency", {flag}, {"core_temp_c": core})["cold_water_immersion"]
    assert text == (f"Cool now: whole-body cold-water immersion (< {n('cwi_water_max_c')} °C, stirred) or rotating ice-water "
                    f"towels until rectal {n('cwi_stop_core_low_c')}–{n('cwi_stop_core_c')} °C; call EMS in parallel.")


def test_cooling_variant_a_even_on_a_cold_day():
    # a cold day alone does not block cooling of a measured heat stroke
    a, c, _ = advise("emergency", {"exertional_heat_stroke"}, {"core_temp_c": 41.0, "ambient_temp_c": 5}, cold_context=True)
    assert a["cold_water_immersion"].startswith("Cool now:") and "cold_water_immersion" not in c


def test_cooling_variant_b_for_suspected_heat_stroke():
    text = acts("emergency", {"suspected_heat_stroke"})["cold_water_immersion"]
    assert text.startswith("Measure rectal temperature. If you cannot and the athlete is hot to the touch, cool now: whole-body")


def test_cooling_variant_c_on_a_cold_day():
    text = acts("emergency", {"suspected_heat_stroke"}, cold_context=True)["cold_water_immersion"]
    assert text.startswith(f"Measure rectal temperature first: above {n('cwi_variant_c_cool_above_c')} °C cool now by whole-body")
    assert text.endswith(f"below {n('cwi_variant_c_rewarm_below_c')} °C rewarm; meanwhile shelter and insulate.")


def test_no_cooling_without_a_heat_stroke_flag():
    assert "cold_water_immersion" not in acts("monitor", {"heat_exhaustion"}, {"core_temp_c": 39.5}, heat_context=True)


@pytest.mark.parametrize("flag", ["cold_stress", "hypothermia", "severe_hypothermia"])
def test_rewarm_with_each_cold_flag(flag):
    text = acts("monitor", {flag}, {"core_temp_c": 33.0})["rewarm"]
    assert text == ("Shelter, remove wet clothing, insulate from the ground, cover head; heat packs to chest/armpits/back. "
                    "Warm sweet drink only if alert and able to swallow. Severe/unconscious: keep horizontal, handle gently.")


def test_no_rewarm_for_a_cold_day_without_a_cold_flag():
    assert "rewarm" not in acts("emergency", {"suspected_heat_stroke"}, {"confusion": True}, cold_context=True, cns=True)


def test_rewarm_no_drink_variant_when_drinks_are_contraindicated():
    text = acts("monitor", {"cold_stress", "hyponatremia_risk"})["rewarm"]
    assert "No drinks." in text and "drink only" not in text


@pytest.mark.parametrize("flags", [{"cold_stress"}, {"hypothermia"}, {"severe_hypothermia"}, {"cold_stress", "heat_exhaustion"}])
def test_rest_warm_variant_with_a_cold_flag(flags):
    assert acts("monitor", flags, heat_context="heat_exhaustion" in flags)["rest"] == "Rest somewhere warm, sheltered and dry."


@pytest.mark.parametrize("flags", [{"exertional_heat_stroke"}, {"hyperthermia"}, {"heat_exhaustion"}])
def test_rest_cool_variant_with_a_heat_flag(flags):
    assert acts("monitor", flags)["rest"] == ("Rest lying down somewhere cool and shaded; remove excess clothing; "
                                              "cold wet towels; measure rectal temperature if you can.")


def test_rest_warm_on_a_cold_day():
    assert acts("monitor", (), {"ambient_temp_c": 5, "headache": True}, cold_context=True)["rest"] == ACTION_TEXT["rest:warm"]


@pytest.mark.parametrize("obs, kw", [({"confusion": True}, {"cns": True}), ({"collapse": True, "collapse_during_run": False}, {})])
def test_rest_passive_warm_on_a_cold_day_without_a_core_reading(obs, kw):
    text = acts("emergency", (), {"ambient_temp_c": 8, **obs}, cold_context=True, **kw)["rest"]
    assert text == ("Rest sheltered and dry: dry clothes, insulate from the ground, cover; passive warmth only "
                    "(no heat packs) until a rectal temperature is known.")


def test_rest_plain_warm_on_a_cold_day_once_the_core_is_known():
    assert acts("emergency", (), {"ambient_temp_c": 8, "confusion": True, "core_temp_c": 37.0},
                cold_context=True, cns=True)["rest"] == ACTION_TEXT["rest:warm"]


@pytest.mark.parametrize("flags, kw", [((), {"heat_context": True}), ({"suspected_heat_stroke"}, {})])
def test_rest_cool_in_heat_context_or_suspected_heat_stroke(flags, kw):
    assert acts("emergency", flags, **kw)["rest"] == ACTION_TEXT["rest:cool"]


def test_rest_neutral_otherwise():
    assert acts("monitor", (), {"headache": True})["rest"] == "Rest somewhere sheltered."


def test_rest_is_always_an_action():
    for tier in TIERS:
        assert "rest" in acts(tier)


def test_self_care_rest_adds_eat_and_drink_to_thirst():
    assert acts("self_care", (), {"spasm": True})["rest"] == "Rest somewhere sheltered. Eat, and drink to thirst."
    assert "Eat" not in acts("monitor", (), {"spasm": True})["rest"]


@pytest.mark.parametrize("flag", ["hyponatremia_risk", "severe_hyponatremia", "overdrinking"])
def test_self_care_rest_no_drink_to_thirst_with_hyponatraemia_flags(flag):
    assert "drink" not in acts("self_care", {flag})["rest"]


# ---------------------------------------------------------------------------------------------
# Glucose, ketones
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flag", ["hypoglycemia", "falling_glucose", "severe_hypoglycemia"])
def test_oral_carbohydrate_and_recheck_with_each_hypoglycaemia_flag(flag):
    a = acts("monitor", {flag}, glucose_known=True)
    assert a["oral_carbohydrate"] == (f"{n('carb_treatment_min_g')}–{n('carb_treatment_max_g')} g fast glucose "
                                      "(tablets, gel, juice or regular soda).")
    assert a["recheck_glucose"] == (f"Recheck glucose in {n('glucose_recheck_min')} min; repeat treatment while "
                                    f"< {n('hypo_level1_mg_dl')} mg/dL.")


def test_oral_carbohydrate_gel_only_when_drinks_are_contraindicated():
    a = acts("emergency", {"severe_hypoglycemia", "altered_mental_status"}, {"confusion": True}, cns=True, glucose_known=True)
    assert a["oral_carbohydrate"] == (f"{n('carb_treatment_min_g')}–{n('carb_treatment_max_g')} g glucose gel or tablets only, "
                                      "and only if awake and able to swallow safely; no juice, soda or other drinks.")


def test_no_oral_carbohydrate_without_a_hypoglycaemia_flag():
    assert "oral_carbohydrate" not in acts("monitor", (), {"tremor": True})


def test_recheck_glucose_for_tremor_with_glucose_unknown():
    assert "recheck_glucose" in acts("self_care", (), {"tremor": True})
    assert "recheck_glucose" not in acts("self_care", (), {"tremor": True}, glucose_known=True)


@pytest.mark.parametrize("field", ["has_diabetes", "glucose_lowering_medication"])
def test_recheck_glucose_in_diabetes(field):
    assert "recheck_glucose" in acts("self_care", (), {field: True}, glucose_known=True)
    assert "recheck_glucose" not in acts("self_care", (), {field: False}, glucose_known=True)


def test_check_ketones_with_hyperglycaemia_and_ketones_unknown():
    assert acts("monitor", {"hyperglycemia"})["check_ketones"] == "Check blood ketones now; no more exercise until known."
    assert "check_ketones" not in acts("monitor", {"hyperglycemia"}, {"blood_ketones_mmol_l": 0.4})
    assert "check_ketones" not in acts("monitor", (), {})


# ---------------------------------------------------------------------------------------------
# stop_running, legs_up, drinks, salty_snack, stretch/massage/heat/ice
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("tier", TIERS)
def test_stop_running_from_monitor_up(tier):
    a = acts(tier)
    assert ("stop_running" in a) == (tier != "self_care")


@pytest.mark.parametrize("flags, obs", [({"post_finish_collapse"}, {}), ({"heat_exhaustion"}, {}), ((), {"dizziness": True})])
def test_legs_up(flags, obs):
    assert acts("monitor", flags, obs)["legs_up"] == "Lie down with legs and pelvis raised."


def test_no_legs_up_for_dizziness_after_a_collapse_in_the_run():
    assert "legs_up" not in acts("emergency", (), {"dizziness": True, "collapse": True}, collapse_in_run=True)


@pytest.mark.parametrize("flag", ["dehydration", "heat_exhaustion", "post_finish_collapse"])
def test_drinks_electrolyte_first(flag):
    a, _, order = advise("monitor", {flag})
    assert order.index("electrolyte_drink") + 1 == order.index("drink_water")
    for i in ("electrolyte_drink", "drink_water"):
        assert a[i].endswith("Drink to thirst, small amounts; do not gain weight.")


def test_no_drinks_without_their_condition():
    a = acts("monitor", (), {"thirst": True, "headache": True})
    assert "drink_water" not in a and "electrolyte_drink" not in a


def test_salty_snack_with_hyponatraemia_risk():
    assert acts("monitor", {"hyponatremia_risk"})["salty_snack"] == (
        "Salty snack or concentrated broth; no drinks until urinating freely.")


@pytest.mark.parametrize("flags, obs, kw", [
    ({"hyponatremia_risk", "severe_hyponatremia"}, {}, {}),
    ({"hyponatremia_risk"}, {"nausea_vomiting": True}, {}),
    ({"hyponatremia_risk"}, {"vomiting": True}, {}),
    ({"hyponatremia_risk", "altered_mental_status"}, {"confusion": True}, {"cns": True}),
])
def test_no_salty_snack_when_severe_nauseous_or_cns(flags, obs, kw):
    assert "salty_snack" not in acts("emergency", flags, obs, **kw)


def test_stretch_massage_heat_for_a_spasm():
    a = acts("self_care", (), {"spasm": True, "spasm_duration_min": 2})
    assert a["stretch"] == "Gentle passive stretch of the cramping muscle until it relaxes."
    assert a["massage"] == "Gentle massage."
    assert a["heat"] == "Local heat for stiffness only."


def test_no_stretch_or_massage_without_a_spasm():
    a = acts("self_care", (), {"spasm": False})
    assert "stretch" not in a and "massage" not in a and "heat" not in a


def test_no_local_heat_for_a_spasm_in_heat_context():
    a, c, _ = advise("monitor", (), {"spasm": True}, heat_context=True)
    assert "heat" not in a and "stretch" in a and c["heat"] == "No local heat."


def test_ice_for_soreness_without_a_spasm():
    assert acts("self_care", (), {"pain_score": 3}, pain=3)["ice"] == f"Wrapped ice pack for soreness, {n('ice_minutes')} min."
    assert "ice" not in acts("self_care", (), {"pain_score": 2.9}, pain=2.9)


def test_heat_and_ice_never_both():
    a = acts("self_care", (), {"spasm": True, "pain_score": 6}, pain=6)
    assert "heat" in a and "ice" not in a


def test_no_ice_when_pain_is_unknown_or_unconscious():
    assert "ice" not in acts("emergency", (), {"unconscious": True, "pain_score": 7}, pain=None, cns=True)


# ---------------------------------------------------------------------------------------------
# Contraindication rows
# ---------------------------------------------------------------------------------------------

NO_DRINKS = "No drinks: possible hyponatraemia (over-drinking) or unsafe swallow."


@pytest.mark.parametrize("flags, obs, kw", [
    ({"hyponatremia_risk"}, {}, {}), ({"severe_hyponatremia", "hyponatremia_risk"}, {}, {}), ({"overdrinking"}, {}, {}),
    ({"altered_mental_status"}, {"confusion": True}, {"cns": True}), ((), {"vomiting": True}, {}),
    ({"cardiorespiratory_red_flag"}, {"chest_pain": True}, {}), ({"suspected_heat_stroke"}, {}, {}),
    ({"exertional_heat_stroke"}, {"core_temp_c": 41}, {}), ((), {"unconscious": True}, {}), ((), {"seizure": True}, {}),
])
def test_drinks_contraindicated(flags, obs, kw):
    c = contra("emergency", set(flags) | {"dehydration"}, obs, **kw)
    assert c["drink_water"] == c["electrolyte_drink"] == NO_DRINKS
    assert "drink_water" not in acts("emergency", set(flags) | {"dehydration"}, obs, **kw)


def test_nausea_alone_does_not_forbid_drinks():
    a, c, _ = advise("monitor", {"dehydration"}, {"nausea_vomiting": True})
    assert "drink_water" in a and "drink_water" not in c


@pytest.mark.parametrize("flags, obs", [((), {"unconscious": True}), ((), {"seizure": True}),
                                        ({"not_breathing_normally"}, {"breathing_normally": False})])
def test_nothing_by_mouth_row(flags, obs):
    c = contra("emergency", set(flags) | {"hypoglycemia", "hyponatremia_risk"}, obs)
    assert c["oral_carbohydrate"] == c["salty_snack"] == "Nothing by mouth."
    a = acts("emergency", set(flags) | {"hypoglycemia", "hyponatremia_risk"}, obs)
    assert "oral_carbohydrate" not in a and "salty_snack" not in a


NSAID = ("No ibuprofen/naproxen-type painkillers (NSAIDs) for muscle pain: kidney and sodium risk. "
         "Aspirin for chest pain only if the emergency call-taker advises it.")


@pytest.mark.parametrize("tier, flags, obs, kw", [
    ("monitor", (), {}, {}),
    ("self_care", (), {"nsaid_taken": True}, {}),
    ("self_care", {"dehydration"}, {}, {}),
    ("self_care", {"hyponatremia_risk"}, {}, {}),
    ("self_care", {"heat_exhaustion"}, {}, {}),
    ("self_care", {"suspected_heat_stroke"}, {}, {}),
    ("self_care", {"exertional_heat_stroke"}, {}, {}),
    ("self_care", {"hyperthermia"}, {}, {}),
    ("self_care", (), {"core_temp_c": 40.1}, {}),
    ("self_care", {"rhabdomyolysis_risk"}, {}, {}),
    ("self_care", {"compartment_syndrome_risk"}, {}, {}),
    ("self_care", {"prolonged_spasm"}, {}, {}),
    ("self_care", {"severe_pain"}, {}, {}),
    ("self_care", (), {"run_duration_min": 240}, {}),
    ("self_care", (), {}, {"earlier_red_flags": frozenset({"altered_mental_status"})}),
])
def test_nsaid_contraindicated(tier, flags, obs, kw):
    c = contra(tier, flags, obs, **kw)
    assert c["nsaid"].startswith(NSAID)
    assert ("Already taken" in c["nsaid"]) == bool(obs.get("nsaid_taken"))


@pytest.mark.parametrize("obs", [{}, {"core_temp_c": 40.0}, {"run_duration_min": 239}, {"nsaid_taken": False}])
def test_no_nsaid_row_at_self_care_without_a_trigger(obs):
    assert "nsaid" not in contra("self_care", (), obs)


def test_nsaid_already_taken_sentence():
    assert contra("monitor", (), {"nsaid_taken": True})["nsaid"] == NSAID + " Already taken: take no more, and tell the medical team."


def test_nsaid_is_never_an_action():
    assert "nsaid" not in ACTION_ORDER and "nsaid" not in ACTION_TEXT


MASSAGE_TRIGGERS = [
    ({"rhabdomyolysis_risk"}, {}), ({"compartment_syndrome_risk"}, {}), ({"dvt_risk"}, {}), ({"unilateral_leg_swelling"}, {}),
    ((), {"muscle_swelling": True}), ({"prolonged_spasm"}, {}), ({"severe_pain"}, {}), ({"exertional_sickling"}, {}),
    ({"hypothermia"}, {}), ({"severe_hypothermia"}, {}),
]


@pytest.mark.parametrize("flags, obs", MASSAGE_TRIGGERS)
def test_massage_and_heat_contraindicated(flags, obs):
    a, c, _ = advise("monitor", flags, {"spasm": True, **obs})
    assert c["massage"] == "No massage: possible tissue damage or clot; gentle handling."
    assert c["heat"] == "No local heat."
    assert "massage" not in a and "heat" not in a


def test_massage_and_heat_contraindicated_at_emergency():
    c = contra("emergency", (), {"spasm": True})
    assert "massage" in c and "heat" in c
    assert "massage" not in contra("urgent", (), {"spasm": True})


@pytest.mark.parametrize("flags, kw", [((), {"heat_context": True}), ({"heat_exhaustion"}, {}), ({"suspected_heat_stroke"}, {}),
                                        ({"hyperthermia"}, {}), ({"exertional_heat_stroke"}, {})])
def test_heat_contraindicated_in_heat(flags, kw):
    a, c, _ = advise("monitor", flags, {"spasm": True}, **kw)
    assert c["heat"] == "No local heat." and "heat" not in a
    assert "massage" not in c


@pytest.mark.parametrize("flags, obs", [
    ({"rhabdomyolysis_risk"}, {}), ({"compartment_syndrome_risk"}, {}), ({"dvt_risk"}, {}), ({"prolonged_spasm"}, {}),
    ({"severe_pain"}, {}), ({"exertional_sickling"}, {}), ((), {"unconscious": True}), ((), {"seizure": True}),
])
def test_stretch_contraindicated(flags, obs):
    a, c, _ = advise("monitor", flags, {"spasm": True, **obs})
    assert c["stretch"] == "No further stretching: possible tissue damage." and "stretch" not in a


def test_swelling_alone_does_not_forbid_stretching():
    assert "stretch" in acts("monitor", (), {"spasm": True, "muscle_swelling": True})


@pytest.mark.parametrize("flags, kw", [((), {"cold_context": True}), ({"cold_stress"}, {}), ({"hypothermia"}, {}),
                                        ({"severe_hypothermia"}, {}), ({"compartment_syndrome_risk"}, {}),
                                        ({"cardiorespiratory_red_flag"}, {})])
def test_ice_contraindicated(flags, kw):
    a, c, _ = advise("monitor", flags, {"pain_score": 6}, pain=6, **kw)
    assert c["ice"] == "No ice: cold / compartment / chest pain." and "ice" not in a


@pytest.mark.parametrize("flags, obs", [({"hypothermia"}, {}), ({"severe_hypothermia"}, {}), ({"cold_stress"}, {}),
                                        ((), {"core_temp_c": 38.5})])
def test_cooling_contraindicated_when_cold_or_already_cool(flags, obs):
    assert contra("emergency", flags, obs)["cold_water_immersion"] == "No cooling: cold or already cool."


def test_cooling_not_blocked_at_the_stop_temperature():
    assert "cold_water_immersion" not in contra("emergency", {"hyperthermia"}, {"core_temp_c": T.cwi_block_core_c})


def test_cpr_first_row():
    a, c, _ = advise("emergency", {"not_breathing_normally", "exertional_heat_stroke"},
                     {"unconscious": True, "breathing_normally": False, "core_temp_c": 41.5}, cns=True)
    cpr_first = ("CPR first: no immersion or recovery position during CPR; "
                 "cool with ice-water towels without interrupting compressions.")
    assert c["cold_water_immersion"] == c["recovery_position"] == cpr_first
    assert "cold_water_immersion" not in a and "cpr_aed" in a


def test_cold_row_gives_the_why_when_both_cooling_rows_apply():
    c = contra("emergency", {"not_breathing_normally", "severe_hypothermia"}, {"breathing_normally": False, "core_temp_c": 30})
    assert c["cold_water_immersion"] == WHY["cold_water_immersion"]


@pytest.mark.parametrize("flags, obs", [({"compartment_syndrome_risk"}, {"dizziness": True}),
                                        ({"cardiorespiratory_red_flag"}, {"dizziness": True}),
                                        ((), {"unconscious": True, "dizziness": True}),
                                        ({"not_breathing_normally"}, {"dizziness": True})])
def test_legs_up_contraindicated(flags, obs):
    a, c, _ = advise("emergency", set(flags) | {"post_finish_collapse"}, obs)
    assert c["legs_up"] == "Do not raise the legs (compartment pressure / breathing / CPR)." and "legs_up" not in a


@pytest.mark.parametrize("flags, obs", [({"exertional_heat_stroke"}, {}), ({"hyperthermia"}, {}), ({"heat_exhaustion"}, {}),
                                        ((), {"core_temp_c": 37.5})])
def test_rewarm_contraindicated_when_not_cold(flags, obs):
    a, c, _ = advise("monitor", set(flags) | {"cold_stress"}, obs)
    assert c["rewarm"] == "No active rewarming: the athlete is not cold." and "rewarm" not in a


def test_rewarm_not_blocked_just_below_its_limit():
    assert "rewarm" in acts("monitor", {"cold_stress"}, {"core_temp_c": 37.4})


@pytest.mark.parametrize("tier, flags", [("monitor", ()), ("emergency", ()), ("self_care", {"hyperglycemia"}),
                                         ("self_care", {"ketosis"})])
def test_continue_running_contraindicated(tier, flags):
    assert contra(tier, flags)["continue_running"] == "No more exercise today."


def test_nothing_contraindicated_for_a_plain_self_care_cramp():
    assert contra("self_care", (), {"spasm": True, "spasm_duration_min": 2}) == {}


@pytest.mark.parametrize("red, ids", [
    ("rhabdomyolysis_red", ("massage", "heat", "stretch")),
    ("exertional_sickling", ("massage", "heat", "stretch")),
    ("prolonged_spasm", ("massage", "heat", "stretch")),
    ("severe_pain", ("massage", "heat", "stretch")),
    ("compartment_syndrome_risk", ("massage", "heat", "stretch", "ice", "legs_up")),
    ("severe_hyponatremia", ("drink_water", "electrolyte_drink")),
    ("cardiorespiratory_red_flag", ("legs_up", "ice")),
    ("severe_hypothermia", ("cold_water_immersion", "ice", "massage")),
])
def test_carried_contraindications_of_an_earlier_red_flag(red, ids):
    # for each carried id, a recheck where it would be advised now; the earlier red flag removes it
    now = {"massage": ((), {"spasm": True}, {}), "heat": ((), {"spasm": True}, {}), "stretch": ((), {"spasm": True}, {}),
           "ice": ((), {"pain_score": 4}, {"pain": 4}), "legs_up": ((), {"dizziness": True}, {}),
           "drink_water": ({"dehydration"}, {}, {}), "electrolyte_drink": ({"dehydration"}, {}, {}),
           "cold_water_immersion": ({"hyperthermia"}, {"core_temp_c": 40.2}, {})}
    for i in ids:
        flags, obs, kw = now[i]
        assert i in acts("urgent", flags, obs, **kw) and i not in contra("urgent", flags, obs, **kw)
        a, c, _ = advise("urgent", flags, obs, earlier_red_flags=frozenset({red}), **kw)
        assert i not in a
        assert c[i] == {"drink_water": NO_DRINKS, "electrolyte_drink": NO_DRINKS}.get(i, WHY.get(i))
        assert "nsaid" in c
    # rows not named for this red flag are not carried
    for i in set(now) - set(ids):
        flags, obs, kw = now[i]
        assert i in acts("urgent", flags, obs, earlier_red_flags=frozenset({red}), **kw)


def test_carried_rows_do_not_carry_present_state_rows():
    # an earlier unconscious athlete (altered_mental_status) now alert: nothing-by-mouth follows the current observation
    a, c, _ = advise("urgent", {"hypoglycemia"}, {"unconscious": False}, earlier_red_flags=frozenset({"altered_mental_status"}))
    assert "oral_carbohydrate" in a and "oral_carbohydrate" not in c and "nsaid" in c


# ---------------------------------------------------------------------------------------------
# Order and texts
# ---------------------------------------------------------------------------------------------

def test_reading_order_life_saving_first():
    _, _, order = advise("emergency", {"not_breathing_normally", "hypoglycemia", "severe_hypothermia", "dehydration"},
                         {"breathing_normally": False, "seizure": True, "core_temp_c": 30, "spasm": True},
                         cns=True, cold_context=True, patterns=frozenset({"P2"}))
    assert order == sorted(order, key=ACTION_ORDER.index)
    assert order[:3] == ["call_emergency", "cpr_aed", "nothing_by_mouth"] and order[-1] == "see_doctor"


def test_no_text_types_a_clinical_number():
    # every digit in a text comes from a threshold: strip the threshold values and no digit is left
    values = sorted({threshold_text(v) for v in (getattr(T, k) for k in T.__slots__)}, key=len, reverse=True)
    for text in [*ACTION_TEXT.values(), *WHY.values(), *PATTERN_REASON.values()]:
        rest = text
        for v in values:
            rest = rest.replace(v, "")
        assert not any(ch.isdigit() for ch in rest), text


# ---------------------------------------------------------------------------------------------
# Reassessment times (§9.10)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("tier, minutes", [("monitor", 30), ("see_doctor", 30), ("urgent", 15), ("emergency", 5)])
def test_tier_defaults(tier, minutes):
    assert reassess(tier) == minutes


@pytest.mark.parametrize("situation, minutes", [
    ("hypo", 15), ("heat", 15), ("spasm", 15), ("dehydration", 15), ("post_finish_collapse", 15), ("cold", 15),
    ("hyponatremia_risk", 30), ("hyper", 30), ("no_findings", 15), ("k8", 15),
])
def test_situation_times_at_monitor(situation, minutes):
    assert reassess("monitor", **{situation: True}) == minutes
    assert reassess("emergency", **{situation: True}) == 5  # never later than the tier default


@pytest.mark.parametrize("situation", ["hypo", "heat", "spasm", "dehydration", "post_finish_collapse", "cold",
                                       "hyponatremia_risk", "hyper", "no_findings", "k8"])
def test_self_care_is_always_null(situation):
    assert reassess("self_care", **{situation: True}) is None
    assert reassess("self_care", hr_wait_min=4.0) is None


def test_heart_rate_not_scored_wait():
    assert reassess("monitor", hr_wait_min=T.hr_rest_min) == 10  # msre unknown
    assert reassess("monitor", hr_wait_min=T.hr_rest_min - 7) == 3  # 7 min since the run
    assert reassess("emergency", hr_wait_min=T.hr_rest_min) == 5


def test_reassess_vector_equals_scalar():
    rng = np.random.default_rng(7)
    size = 400
    cols = {k: rng.integers(0, 2, size).astype(bool) for k in ("hypo", "heat", "spasm", "dehydration", "post_finish_collapse",
                                                                  "cold", "hyponatremia_risk", "hyper", "no_findings", "k8")}
    hr = np.where(rng.integers(0, 2, size) == 1, rng.uniform(0, 10, size), np.nan)
    tier = rng.integers(0, len(TIERS), size)
    vec = reassess_minutes(tier, **cols, hr_wait_min=hr, ops=VECTOR)
    for i in range(size):
        one = reassess_minutes(int(tier[i]), **{k: bool(v[i]) for k, v in cols.items()}, hr_wait_min=float(hr[i]), ops=SCALAR)
        assert (math.isnan(one) and math.isnan(vec[i])) or one == vec[i]
    assert np.isnan(vec[tier == 0]).all() and not np.isnan(vec[tier > 0]).any()


# ---------------------------------------------------------------------------------------------
# §9.12 worked examples (advice parts; contexts built by hand from each example)
# ---------------------------------------------------------------------------------------------

def test_example_r01_dark_urine_with_a_short_cramp():
    a, c, _ = advise("urgent", {"rhabdomyolysis_risk"}, {"spasm": True, "spasm_duration_min": 3, "dark_urine": True})
    assert {"massage", "heat", "stretch", "nsaid"} <= set(c) and "urgent_care" in a
    assert not {"massage", "heat", "stretch"} & set(a)


def test_example_t10_confusion_hot_race():
    a, c, _ = advise("emergency", {"altered_mental_status", "suspected_heat_stroke"},
                     {"confusion": True, "ambient_temp_c": 33, "intensity": "race"}, cns=True, heat_context=True)
    assert a["cold_water_immersion"] == ACTION_TEXT["cold_water_immersion:B"]
    assert "drink_water" in c and "electrolyte_drink" in c
    assert reassess("emergency", heat=True) == 5


def test_example_t05_core_39_9_with_confusion():
    a = acts("emergency", {"altered_mental_status", "exertional_heat_stroke"}, {"confusion": True, "core_temp_c": 39.9},
             cns=True, heat_context=True)
    assert a["cold_water_immersion"] == ACTION_TEXT["cold_water_immersion:A"]


def test_example_t14_hypothermia_on_a_freezing_day():
    a, c, _ = advise("monitor", {"hypothermia"}, {"tremor": True, "core_temp_c": 33.5, "ambient_temp_c": -5}, cold_context=True)
    assert "rewarm" in a and a["rest"] == ACTION_TEXT["rest:warm"]
    assert {"cold_water_immersion", "ice"} <= set(c)
    assert reassess("monitor", cold=True) == 15


def test_example_t16_core_29_5_unconscious():
    flags = {"severe_hypothermia", "altered_mental_status"}
    obs = {"core_temp_c": 29.5, "unconscious": True}
    a, c, _ = advise("emergency", flags, obs, cns=True, cold_context=True)
    assert a["cpr_aed"] == ACTION_TEXT["cpr_aed:cold"] and "recovery_position" not in a
    assert a["rewarm"] == ACTION_TEXT["rewarm:no_drink"] and "nothing_by_mouth" in a and "drink_water" in c
    a2 = acts("emergency", flags, {**obs, "breathing_normally": True}, cns=True, cold_context=True)
    assert "recovery_position" in a2 and "cpr_aed" not in a2


@pytest.mark.parametrize("flags, obs", [
    ({"hypoglycemia"}, {"tremor": True, "hunger": True, "sweating": True}),  # U02 60 "mmol/L"
    ({"hypoglycemia"}, {"glucose_lowering_medication": True}),  # U03 45 "mmol/L", insulin
])
def test_examples_u02_u03_reinterpreted_lows(flags, obs):
    a = acts("monitor", flags, obs, glucose_known=True)
    assert a["oral_carbohydrate"] == ACTION_TEXT["oral_carbohydrate"]
    assert reassess("monitor", hypo=True) == 15


@pytest.mark.parametrize("obs", [{"has_diabetes": True, "tremor": True, "sweating": True},
                                 {"glucose_lowering_medication": True, "tremor": True}])
def test_examples_h01_h02_presumptive_hypoglycaemia(obs):
    a = acts("monitor", {"hypoglycemia"}, obs)
    assert {"oral_carbohydrate", "recheck_glucose"} <= set(a)
    assert reassess("monitor", hypo=True) == 15


def test_examples_x03_x04_falling_glucose():
    a = acts("monitor", {"falling_glucose"}, {"glucose_lowering_medication": True, "tremor": True, "sweating": True, "hunger": True},
             glucose_known=True)
    assert "oral_carbohydrate" in a and reassess("monitor", hypo=True) == 15


def test_examples_r04_r06_compartment_syndrome():
    a, c, _ = advise("emergency", {"compartment_syndrome_risk", "rhabdomyolysis_risk", "rhabdomyolysis_red"},
                     {"muscle_swelling": True, "muscle_weakness": True, "numbness_tingling": True, "pain_score": 6,
                      "dizziness": True}, pain=6)
    assert {"legs_up", "ice", "stretch", "massage"} <= set(c)
    assert not {"legs_up", "ice", "stretch", "massage"} & set(a)


def test_example_b07_weight_gain_with_nausea():
    a, c, _ = advise("urgent", {"hyponatremia_risk"}, {"nausea_vomiting": True})
    assert "drink_water" in c and "electrolyte_drink" in c and "drink_water" not in a


def test_example_z12_over_drinker_with_dark_urine():
    a, c, _ = advise("monitor", {"overdrinking", "hyponatremia_risk", "dehydration"}, {"urine_color": 7})
    assert not {"drink_water", "electrolyte_drink"} & set(a) and "drink_water" in c
    assert reassess("monitor", dehydration=True, hyponatremia_risk=True) == 15


def test_examples_x01_x02_hyperglycaemia():
    a, c, _ = advise("monitor", {"hyperglycemia"}, {"glucose_lowering_medication": True})
    assert "check_ketones" in a and "continue_running" in c
    assert reassess("monitor", hyper=True) == 30
    a2 = acts("urgent", {"hyperglycemia"}, {"glucose_lowering_medication": True, "nausea_vomiting": True})
    assert "check_ketones" in a2 and "urgent_care" in a2


def test_example_z03_heart_rate_220():
    assert acts("emergency", {"heart_rate_red"}, {"palpitations": True, "heart_rate_bpm": 220})["call_emergency"].endswith(
        ACTION_TEXT["pulse"])


def test_example_z02_heart_rate_not_scored():
    assert reassess("monitor", hr_wait_min=T.hr_rest_min) == 10


@pytest.mark.parametrize("patterns", [{"P2"}, {"P2", "P3"}])
def test_examples_z13_z16_frequent_episodes(patterns):
    text = acts("see_doctor", patterns=frozenset(patterns))["see_doctor"]
    assert all(PATTERN_REASON[p] in text for p in patterns)


def test_examples_z19_z20_and_k01():
    assert reassess("monitor") == 30
    assert reassess("monitor", no_findings=True) == 15


@pytest.mark.parametrize("core", [39.0, 40.0])
def test_examples_z21_t01_raised_core(core):
    assert acts("monitor", (), {"core_temp_c": core}, heat_context=True)["rest"] == ACTION_TEXT["rest:cool"]
    assert reassess("monitor", heat=True) == 15


def test_example_z07_dvt():
    a, c, _ = advise("urgent", {"dvt_risk"}, {"swelling_one_leg": True, "recent_long_travel": True, "spasm": True})
    assert {"massage", "stretch", "heat"} <= set(c) and not {"massage", "stretch", "heat"} & set(a)


def test_example_z01_collapse_after_the_finish():
    a = acts("monitor", {"post_finish_collapse"}, {"collapse": True, "collapse_during_run": False})
    assert {"legs_up", "electrolyte_drink", "drink_water"} <= set(a)
    assert reassess("monitor", post_finish_collapse=True) == 15


def test_example_g13_severe_low_gel_only():
    a = acts("emergency", {"severe_hypoglycemia", "hypoglycemia", "altered_mental_status"},
             {"confusion": True, "glucose_lowering_medication": True}, cns=True, glucose_known=True)
    assert a["oral_carbohydrate"] == ACTION_TEXT["oral_carbohydrate:gel_only"]


def test_example_g_lo_reading():
    a = acts("see_doctor", {"hypoglycemia"}, {"tremor": True, "hunger": True, "sweating": True}, glucose_known=True,
             patterns=frozenset({"P4"}))
    assert "oral_carbohydrate" in a and PATTERN_REASON["P4"] in a["see_doctor"]


def test_example_pain_8_alone():
    a, c, _ = advise("urgent", {"severe_pain"}, {"pain_score": 8, "spasm": True}, pain=8)
    assert {"massage", "heat", "stretch"} <= set(c) and not {"massage", "heat", "stretch"} & set(a)


def test_examples_heart_rate_38():
    assert reassess("monitor") == 30  # asymptomatic, timing unknown: heart_rate_amber, no not-scored wait
    assert reassess("urgent") == 15  # with pallor: heart_rate_red


def test_example_short_cramp():
    a, c, _ = advise("self_care", (), {"spasm": True, "spasm_duration_min": 2})
    assert {"stretch", "massage", "heat"} <= set(a) and "ice" not in a and c == {}
    assert a["rest"].endswith("Eat, and drink to thirst.")
    assert reassess("self_care", spasm=True) is None


def test_example_hot_day_low_core():
    a, c, _ = advise("monitor", {"cold_stress", "heat_exhaustion"}, {"ambient_temp_c": 30, "core_temp_c": 35.5, "headache": True},
                     heat_context=True)
    assert a["rest"] == ACTION_TEXT["rest:warm"]
    assert {"rewarm", "ice"} <= set(c) and "rewarm" not in a


def test_example_over_drinker_confused():
    a, c, _ = advise("emergency", {"severe_hyponatremia", "hyponatremia_risk", "suspected_heat_stroke", "altered_mental_status"},
                     {"ambient_temp_c": 16, "nausea_vomiting": True, "headache": True, "confusion": True}, cns=True)
    assert a["cold_water_immersion"] == ACTION_TEXT["cold_water_immersion:B"]
    assert "drink_water" in c


def test_example_k8_not_confirmed():
    assert reassess("see_doctor", k8=True) == 15
    assert reassess("monitor", k8=True) == 15


def test_example_review2_r01_seizure_not_breathing():
    a, c, order = advise("emergency", {"altered_mental_status", "collapse_during_run", "not_breathing_normally",
                                       "suspected_heat_stroke"},
                         {"collapse": True, "seizure": True, "breathing_normally": False, "ambient_temp_c": 15},
                         cns=True, collapse_in_run=True)
    assert order[:2] == ["call_emergency", "cpr_aed"] and a["cpr_aed"] == ACTION_TEXT["cpr_aed:start"]
    assert {"recovery_position", "cold_water_immersion", "legs_up"} <= set(c)
    assert "nothing_by_mouth" in a


def test_example_review2_r01_collapse_nothing_else():
    a = acts("emergency", {"collapse_during_run", "suspected_heat_stroke"}, {"collapse": True}, collapse_in_run=True)
    assert a["cpr_aed"] == ACTION_TEXT["cpr_aed:check"]
    assert a["cold_water_immersion"] == ACTION_TEXT["cold_water_immersion:B"]


def test_example_review2_r01_c9_hot_not_breathing():
    a, c, _ = advise("emergency", {"altered_mental_status", "exertional_heat_stroke", "not_breathing_normally"},
                     {"unconscious": True, "breathing_normally": False, "core_temp_c": 41.5}, cns=True, heat_context=True)
    assert "cpr_aed" in a and c["cold_water_immersion"] == WHY["cpr_first"]


def test_example_review2_r02_heat_stroke_then_lucid():
    a, c, _ = advise("emergency", (), {"core_temp_c": 38.4, "ambient_temp_c": 29}, heat_context=True,
                     earlier_red_flags=frozenset({"exertional_heat_stroke", "altered_mental_status"}), handover=True)
    assert a["call_emergency"].endswith(ACTION_TEXT["call_emergency:handover"]) and "nsaid" in c


def test_example_review2_r02_severe_low_then_alert():
    a, c, _ = advise("urgent", (), {"blood_glucose": 110, "blood_glucose_unit": "mg/dL", "glucose_lowering_medication": True},
                     glucose_known=True, earlier_red_flags=frozenset({"severe_hypoglycemia", "altered_mental_status"}))
    assert "urgent_care" in a and "call_emergency" not in a and "nsaid" in c


def test_example_review2_r04_confused_on_a_cold_day():
    a = acts("emergency", {"altered_mental_status", "suspected_heat_stroke"},
             {"confusion": True, "ambient_temp_c": 8, "intensity": "race", "run_duration_min": 200}, cns=True, cold_context=True)
    assert a["cold_water_immersion"] == ACTION_TEXT["cold_water_immersion:C"]
    assert "rewarm" not in a and a["rest"] == ACTION_TEXT["rest:passive_warm"]


def test_example_review2_r05_low_and_vomiting():
    a = acts("emergency", {"hypoglycemia", "hypoglycemia_cannot_swallow"}, {"glucose_lowering_medication": True, "vomiting": True},
             glucose_known=True)
    assert a["oral_carbohydrate"] == ACTION_TEXT["oral_carbohydrate:gel_only"]
    assert ACTION_TEXT["call_emergency:glucagon"] in a["call_emergency"]


def test_example_review2_r06_long_run_vomiting():
    a, c, _ = advise("emergency", {"hyponatremia_risk", "severe_hyponatremia"}, {"run_duration_min": 300, "vomiting": True})
    assert "drink_water" in c and "electrolyte_drink" in c and "salty_snack" not in a


def test_example_review2_r07_dka_and_new_diabetes():
    a = acts("emergency", {"possible_dka", "hyperglycemia"}, {"blood_ketones_mmol_l": 3.5, "vomiting": True}, glucose_known=True)
    assert "check_ketones" not in a  # ketones known
    a2 = acts("urgent", {"hyperglycemia"}, {"thirst": True}, glucose_known=True)
    assert "check_ketones" in a2 and "urgent_care" in a2


def test_example_review2_r09_palpitations_after_finish_collapse():
    a = acts("urgent", (), {"collapse": True, "collapse_during_run": False, "palpitations": True})
    assert "urgent_care" in a and "legs_up" not in a and "drink_water" not in a


def test_example_review2_r11_long_cold_run_with_weight_gain():
    a, c, _ = advise("monitor", {"hyponatremia_risk", "cold_stress"}, {"tremor": True, "ambient_temp_c": 6, "run_duration_min": 330},
                     cold_context=True)
    assert a["rewarm"] == ACTION_TEXT["rewarm:no_drink"]
    assert "drink_water" in c and "electrolyte_drink" in c


def test_example_review2_r12_p4_carried():
    a = acts("see_doctor", (), {}, patterns=frozenset({"P4"}))
    assert PATTERN_REASON["P4"] in a["see_doctor"] and reassess("see_doctor", k8=True) == 15


def test_example_review2_r15_chest_pain():
    a, c, _ = advise("emergency", {"cardiorespiratory_red_flag"}, {"chest_pain": True, "pain_score": 6}, pain=6)
    assert {"ice", "legs_up"} <= set(c) and "ice" not in a
