"""Each rule of clinical-reference §9 and each threshold: at, just under and just over its boundary.

Worked arithmetic is in the comments; thresholds are read from kit.thresholds so a test
fails if a rule stops using the table, and the literal numbers next to them document
what the table says today.
"""

from __future__ import annotations

import pytest

from kit import assess
from kit.thresholds import T


def tier(**obs) -> str:
    return assess(obs).escalation


def flags(**obs) -> set[str]:
    return set(assess(obs).flags)


MG = {"blood_glucose_unit": "mg/dL"}
MMOL = {"blood_glucose_unit": "mmol/L"}


def test_table_values_used_by_these_tests():
    # if the table changes, these boundary tests must be revisited on purpose
    assert (T.hypo_level1_mg_dl, T.hypo_level2_mg_dl, T.whipple_mg_dl) == (70, 54, 55)
    assert (T.ehs_core_c, T.core_emergency_c, T.heat_context_core_c, T.heat_context_ambient_c) == (40.5, 40.0, 38.5, 27)
    assert (T.eah_sodium_mmol_l, T.eah_severe_sodium_mmol_l, T.mass_loss_pct, T.urine_color_dehydrated) == (135, 130, 2, 7)
    assert (T.prolonged_spasm_min, T.spasm_amber_min, T.severe_pain, T.pain_amber) == (60, 15, 8, 5)
    assert (T.rhabdo_pain_with_dark_urine, T.rhabdo_pain_triad, T.recurrent_episodes, T.amber_emergency) == (5, 7, 2, 5)


# --- hypoglycaemia (ADA 2024 level 1: < 70 mg/dL) -------------------------------------------

@pytest.mark.parametrize(("g", "flagged"), [(69.9, True), (70.0, False), (70.1, False)])
def test_hypoglycemia_level1_boundary_mg_dl(g, flagged):
    assert ("hypoglycemia" in flags(blood_glucose=g, **MG)) is flagged


@pytest.mark.parametrize(("g", "flagged"), [(3.88, True), (3.9, False), (3.95, False)])
def test_hypoglycemia_boundary_mmol_l_uses_factor_18_016(g, flagged):
    # 3.88 x 18.016 = 69.90 (< 70); 3.9 x 18.016 = 70.26 (not < 70)
    assert ("hypoglycemia" in flags(blood_glucose=g, **MMOL)) is flagged


def test_glucose_conversion_factor_is_18_016():
    from kit.observation import parse_observation

    assert parse_observation({"blood_glucose": 3.0, **MMOL}).glucose_mg_dl == pytest.approx(54.048)
    assert T.glucose_mmol_to_mg_dl == 18.016


def test_measured_low_glucose_alone_is_monitor_with_15_min_recheck():
    a = assess({"blood_glucose": 65, **MG})
    assert a.escalation == "monitor" and a.top_cause == "hypoglycemia" and a.reassess_in_min == 15
    ids = [x["id"] for x in a.actions]
    assert "oral_carbohydrate" in ids and "recheck_glucose" in ids


@pytest.mark.parametrize(("g", "expected"), [(53.9, "see_doctor"), (54.0, "monitor"), (54.1, "monitor")])
def test_level2_with_diabetes_needs_review(g, expected):
    assert tier(blood_glucose=g, has_diabetes=True, **MG) == expected


@pytest.mark.parametrize(("g", "expected"), [(54.9, "see_doctor"), (55.0, "monitor"), (55.1, "monitor")])
def test_whipple_threshold_without_diabetes(g, expected):
    assert tier(blood_glucose=g, has_diabetes=False, **MG) == expected


def test_diabetes_unknown_uses_the_safer_55_threshold():
    assert tier(blood_glucose=54.5, **MG) == "see_doctor"


@pytest.mark.parametrize(("g", "severe"), [(69.9, True), (70.0, False)])
def test_severe_hypoglycemia_is_low_glucose_with_altered_mental_state(g, severe):
    f = flags(blood_glucose=g, confusion=True, **MG)
    assert ("severe_hypoglycemia" in f) is severe
    assert tier(blood_glucose=g, confusion=True, **MG) == "emergency"


def test_severe_hypoglycemia_presumed_when_on_medication_and_glucose_unknown():
    a = assess({"confusion": True, "glucose_lowering_medication": True})
    assert "severe_hypoglycemia" in a.flags and a.top_cause == "hypoglycemia"
    assert "severe_hypoglycemia" not in flags(confusion=True, glucose_lowering_medication=False)


def test_presumptive_hypoglycemia_from_tremor_hunger_sweating_without_meter():
    assert "hypoglycemia" in flags(tremor=True, hunger=True, sweating=True)
    assert "hypoglycemia" in flags(tremor=True, hunger=True, pale_skin=True)
    assert "hypoglycemia" not in flags(tremor=True, hunger=True)
    assert "hypoglycemia" not in flags(tremor=True, sweating=True)


def test_presumptive_hypoglycemia_on_medication_needs_only_one_sign():
    assert "hypoglycemia" in flags(tremor=True, palpitations=True, glucose_lowering_medication=True)


def test_measured_normal_glucose_overrides_presumptive_hypoglycemia():
    a = assess({"tremor": True, "hunger": True, "sweating": True, "blood_glucose": 92, **MG})
    assert "hypoglycemia" not in a.flags and a.score["hypoglycemia"] == 0


def test_unconscious_low_gets_nothing_by_mouth_not_carbohydrate():
    a = assess({"unconscious": True, "blood_glucose": 40, **MG})
    ids = {x["id"] for x in a.actions}
    contra = {x["id"] for x in a.contraindicated}
    assert "oral_carbohydrate" in contra and "oral_carbohydrate" not in ids
    assert {"nothing_by_mouth", "recovery_position", "call_emergency"} <= ids


# --- heat illness (NATA 2015; ACSM 2007) -----------------------------------------------------

@pytest.mark.parametrize(("core", "ehs", "expected"), [(40.4, False, "emergency"), (40.5, True, "emergency"), (40.6, True, "emergency")])
def test_heat_stroke_at_40_5(core, ehs, expected):
    assert ("exertional_heat_stroke" in flags(core_temp_c=core)) is ehs
    assert tier(core_temp_c=core) == expected


@pytest.mark.parametrize(("core", "expected"), [(40.0, "monitor"), (40.1, "emergency")])
def test_core_over_40_is_a_red_flag_even_without_cns_signs(core, expected):
    # 40.0 is the top of the amber band 38.5-40.0 (1 point -> monitor); over 40.0 is red
    assert tier(core_temp_c=core) == expected


def test_core_over_40_with_confusion_is_heat_stroke():
    assert "exertional_heat_stroke" in flags(core_temp_c=40.1, confusion=True)
    assert "exertional_heat_stroke" not in flags(core_temp_c=40.0, confusion=True)


@pytest.mark.parametrize(("core", "expected"), [(38.4, "self_care"), (38.5, "monitor"), (38.6, "monitor")])
def test_raised_core_amber_band_starts_at_38_5(core, expected):
    assert tier(core_temp_c=core) == expected


@pytest.mark.parametrize(("core", "flagged"), [(38.4, False), (38.5, True)])
def test_heat_exhaustion_core_context(core, flagged):
    assert ("heat_exhaustion" in flags(core_temp_c=core, nausea_vomiting=True, ambient_temp_c=15)) is flagged


@pytest.mark.parametrize(("air", "flagged"), [(26.9, False), (27.0, True), (27.1, True)])
def test_heat_exhaustion_ambient_context(air, flagged):
    assert ("heat_exhaustion" in flags(ambient_temp_c=air, headache=True)) is flagged


def test_heat_exhaustion_not_flagged_with_cns_signs_or_heat_stroke():
    assert "heat_exhaustion" not in flags(ambient_temp_c=30, headache=True, confusion=True)
    assert "heat_exhaustion" not in flags(core_temp_c=40.6, headache=True)


def test_heat_stroke_cold_water_immersion_and_no_heat_pack():
    a = assess({"core_temp_c": 41.0, "confusion": True})
    assert "cold_water_immersion" in {x["id"] for x in a.actions}
    assert {"heat", "nsaid", "drink_water"} <= {x["id"] for x in a.contraindicated}
    assert a.top_cause is None


# --- exercise-associated hyponatraemia (EAH consensus 2015) ---------------------------------

@pytest.mark.parametrize(("na", "flagged"), [(134.9, True), (135.0, False), (135.1, False)])
def test_hyponatremia_measured_sodium_below_135(na, flagged):
    assert ("hyponatremia_risk" in flags(serum_sodium_mmol_l=na)) is flagged


@pytest.mark.parametrize(("na", "expected"), [(129.9, "emergency"), (130.0, "monitor"), (130.1, "monitor")])
def test_measured_sodium_below_130_is_an_emergency(na, expected):
    assert tier(serum_sodium_mmol_l=na) == expected


@pytest.mark.parametrize(("post", "flagged"), [(70.0, False), (70.07, True), (69.9, False)])
def test_any_body_mass_gain_is_hyponatremia_risk(post, flagged):
    assert ("hyponatremia_risk" in flags(body_mass_pre_kg=70.0, body_mass_post_kg=post)) is flagged


def test_measured_normal_sodium_overrides_weight_gain():
    assert "hyponatremia_risk" not in flags(body_mass_pre_kg=70, body_mass_post_kg=71, serum_sodium_mmol_l=140)


def test_hyponatremia_with_vomiting_and_headache_is_an_emergency_and_no_water():
    a = assess({"body_mass_pre_kg": 60, "body_mass_post_kg": 61, "nausea_vomiting": True, "headache": True})
    assert a.escalation == "emergency"
    contra = {x["id"] for x in a.contraindicated}
    assert {"drink_water", "electrolyte_drink", "nsaid"} <= contra
    why = next(x["why"] for x in a.contraindicated if x["id"] == "drink_water")
    assert "until they pass urine freely" in why


def test_mild_hyponatremia_risk_is_monitor_and_still_no_water():
    a = assess({"body_mass_pre_kg": 60, "body_mass_post_kg": 60.5, "spasm": True, "spasm_duration_min": 5})
    assert a.escalation == "monitor" and a.top_cause == "dehydration_electrolyte"
    assert "drink_water" in {x["id"] for x in a.contraindicated}
    assert "drink_water" not in {x["id"] for x in a.actions}


# --- dehydration (ACSM 2007: > 2 % loss; urine chart 7-8) ----------------------------------

@pytest.mark.parametrize(("post", "flagged"), [(98.0, False), (97.9, True), (98.1, False)])
def test_dehydration_body_mass_loss_over_2_percent(post, flagged):
    # (98 - 100) / 100 x 100 = -2.0 %: not over 2 %; 97.9 -> -2.1 %
    assert ("dehydration" in flags(body_mass_pre_kg=100.0, body_mass_post_kg=post)) is flagged


@pytest.mark.parametrize(("shade", "flagged"), [(6, False), (7, True), (8, True)])
def test_dehydration_urine_colour_7_or_more(shade, flagged):
    assert ("dehydration" in flags(urine_color=shade)) is flagged


def test_cramp_with_dehydration_never_gets_nsaid_and_drinks_are_sodium_first():
    a = assess({"spasm": True, "body_mass_pre_kg": 70, "body_mass_post_kg": 67.6})
    assert "nsaid" in {x["id"] for x in a.contraindicated}
    ids = [x["id"] for x in a.actions]
    assert ids.index("electrolyte_drink") < ids.index("drink_water")


def test_cramp_without_documented_dehydration_is_never_answered_with_water():
    a = assess({"spasm": True, "spasm_duration_min": 3, "pain_score": 2})
    assert "drink_water" not in {x["id"] for x in a.actions}


# --- rhabdomyolysis (O'Connor 2008; Nye 2021) -----------------------------------------------

@pytest.mark.parametrize(("pain", "flagged"), [(4.9, False), (5.0, True), (5.1, True)])
def test_rhabdomyolysis_dark_urine_with_pain_5(pain, flagged):
    assert ("rhabdomyolysis_risk" in flags(dark_urine=True, pain_score=pain)) is flagged


def test_rhabdomyolysis_dark_urine_with_weakness_or_swelling():
    assert "rhabdomyolysis_risk" in flags(dark_urine=True, muscle_weakness=True)
    assert "rhabdomyolysis_risk" in flags(dark_urine=True, muscle_swelling=True)
    assert "rhabdomyolysis_risk" not in flags(dark_urine=True)


@pytest.mark.parametrize(("pain", "flagged"), [(6.9, False), (7.0, True)])
def test_rhabdomyolysis_swelling_weakness_pain_7(pain, flagged):
    assert ("rhabdomyolysis_risk" in flags(muscle_swelling=True, muscle_weakness=True, pain_score=pain)) is flagged


def test_rhabdomyolysis_is_an_emergency_outside_the_four_causes():
    a = assess({"dark_urine": True, "muscle_weakness": True, "spasm": True})
    assert a.escalation == "emergency" and a.top_cause is None
    assert "nsaid" in {x["id"] for x in a.contraindicated}


# --- spasm duration and pain (source article) -----------------------------------------------

@pytest.mark.parametrize(("minutes", "expected"), [(14.9, "self_care"), (15, "monitor"), (59.9, "monitor"), (60, "emergency"), (61, "emergency")])
def test_spasm_duration_bands(minutes, expected):
    assert tier(spasm=True, spasm_duration_min=minutes) == expected


@pytest.mark.parametrize(("pain", "expected"), [(4.9, "self_care"), (5, "monitor"), (7.9, "monitor"), (8, "emergency"), (8.1, "emergency")])
def test_pain_bands(pain, expected):
    assert tier(pain_score=pain) == expected


def test_prolonged_spasm_gets_no_nsaid():
    assert "nsaid" in {x["id"] for x in assess({"spasm": True, "spasm_duration_min": 60}).contraindicated}


# --- pattern rules -> see_doctor --------------------------------------------------------------

@pytest.mark.parametrize(("prior", "expected"), [(1, "self_care"), (2, "see_doctor"), (3, "see_doctor")])
def test_recurrent_despite_prevention(prior, expected):
    assert tier(spasm=True, prevention_followed=True, prior_episodes_30d=prior) == expected


def test_recurrent_needs_prevention_followed_known_true():
    assert tier(spasm=True, prevention_followed=False, prior_episodes_30d=5) == "self_care"
    assert tier(spasm=True, prior_episodes_30d=5) == "self_care"


def test_nerve_irritation_pattern():
    assert tier(numbness_tingling=True, muscle_weakness=True) == "see_doctor"
    assert tier(numbness_tingling=True, prior_episodes_30d=1) == "see_doctor"
    assert tier(numbness_tingling=True, prior_episodes_30d=0) == "monitor"  # 1 amber point
    a = assess({"numbness_tingling": True, "spasm": True, "prior_episodes_30d": 1, "blood_glucose": 100, **MG})
    assert a.top_cause == "nerve_irritation"


def test_tingling_with_low_glucose_is_credited_to_hypoglycemia_but_review_kept():
    a = assess({"numbness_tingling": True, "muscle_weakness": True, "blood_glucose": 60, **MG})
    assert a.top_cause == "hypoglycemia" and a.score["nerve_irritation"] == 0
    assert a.escalation == "see_doctor"


# --- amber aggregate (NEWS2-like) ---------------------------------------------------------

def test_amber_total_4_is_monitor_and_5_is_emergency():
    four = {"nausea_vomiting": True, "headache": True, "muscle_weakness": True, "palpitations": True}
    a = assess(four)
    assert a.amber_points == 4 and a.escalation == "monitor"
    b = assess({**four, "pale_skin": True})
    assert b.amber_points == 5 and b.escalation == "emergency"


def test_no_finding_at_all_is_self_care_with_no_leading_cause():
    a = assess({})
    assert a.escalation == "self_care" and a.top_cause is None
    assert all(c["score"] == 0 for c in a.causes)


def test_heart_rate_is_recorded_but_not_scored():
    with_hr, without = assess({"heart_rate_bpm": 180}).to_dict(), assess({}).to_dict()
    with_hr.pop("confidence"), without.pop("confidence")  # something clinical is known now
    assert with_hr == without


# --- unknown is not no -----------------------------------------------------------------------

def test_unknown_mental_state_is_asked_for_and_known_no_is_not():
    assert "confusion" in assess({"spasm": True}).missing
    assert "confusion" not in assess({"spasm": True, "confusion": False}).missing


def test_tremor_without_glucose_asks_for_glucose_first():
    a = assess({"tremor": True})
    assert a.missing[0] == "blood_glucose" and a.confidence == "low"
    glucose = next(x for x in a.actions if x["id"] == "recheck_glucose")
    assert glucose["text"].startswith("Measure blood glucose now")


def test_unknown_fields_never_fire_a_rule():
    a = assess({"athlete_id": "X"})
    assert a.flags == () and a.amber_points == 0


# --- reassessment interval --------------------------------------------------------------------

def test_reassess_intervals():
    assert assess({"spasm": True, "spasm_duration_min": 3}).reassess_in_min == 57  # 60-min limit - 3
    assert assess({"spasm": True, "spasm_duration_min": 20}).reassess_in_min == 15  # monitored cramp
    assert assess({"urine_color": 7}).reassess_in_min == 30  # dehydration under monitoring
    assert assess({"blood_glucose": 60, **MG}).reassess_in_min == 15  # 15-15 rule
    assert assess({"spasm": True}).reassess_in_min is None
    assert assess({"pain_score": 9}).reassess_in_min is None  # emergency: wait for help


# --- tier reasons explain themselves -------------------------------------------------------------

def test_every_reason_names_a_source():
    a = assess({"confusion": True, "pain_score": 6, "urine_color": 7})
    assert a.reasons[0]["tier"] == "emergency"
    assert all(r["source"] for r in a.reasons)


# --- advice safety (clinical-reference §7, §9.7) -----------------------------------------------

CONTRACT_ACTION_IDS = {"rest", "stop_running", "stretch", "massage", "heat", "ice", "drink_water", "electrolyte_drink",
                       "oral_carbohydrate", "recheck_glucose", "nothing_by_mouth", "recovery_position",
                       "cold_water_immersion", "call_emergency", "see_doctor", "nsaid", "continue_running"}


@pytest.mark.parametrize("obs", [
    {"confusion": True, "urine_color": 8},
    {"nausea_vomiting": True, "headache": True},
    {"body_mass_pre_kg": 60, "body_mass_post_kg": 60.4, "urine_color": 8},
    {"seizure": True, "body_mass_pre_kg": 70, "body_mass_post_kg": 67},
])
def test_no_drink_of_any_kind_when_hyponatremia_is_possible(obs):
    a = assess(obs)
    assert not {"drink_water", "electrolyte_drink"} & {x["id"] for x in a.actions}
    assert {"drink_water", "electrolyte_drink"} <= {x["id"] for x in a.contraindicated}
    rest = next(x["text"] for x in a.actions if x["id"] == "rest")
    assert "drink to thirst" not in rest


def test_drinks_only_for_a_documented_deficit():
    assert "drink_water" not in {x["id"] for x in assess({"headache": True, "ambient_temp_c": 30}).actions}
    assert "drink_water" in {x["id"] for x in assess({"urine_color": 7}).actions}


def test_no_sugar_recheck_when_nothing_by_mouth():
    a = assess({"seizure": True, "blood_glucose": 40, "blood_glucose_unit": "mg/dL"})
    glucose = next(x["text"] for x in a.actions if x["id"] == "recheck_glucose")
    assert "no sugar by mouth" in glucose and "repeat the sugar" not in glucose


def test_no_massage_or_heat_on_a_swollen_muscle_and_never_both_ice_and_heat():
    a = assess({"spasm": True, "muscle_swelling": True, "pain_score": 4})
    assert {"massage", "heat"} <= {x["id"] for x in a.contraindicated}
    b = {x["id"] for x in assess({"spasm": True, "ambient_temp_c": -10, "pain_score": 3}).actions}
    assert not {"ice", "heat"} <= b


@pytest.mark.parametrize("case", __import__("tests.conftest", fromlist=["load_cases"]).load_cases(), ids=lambda c: c["id"])
def test_only_contract_action_ids_are_used(case):
    a = assess(case["observation"])
    assert {x["id"] for x in a.actions} | {x["id"] for x in a.contraindicated} <= CONTRACT_ACTION_IDS


def test_little_data_never_looks_confident():
    assert assess({}).confidence == "low"
    assert assess({"athlete_id": "A", "notes": "felt odd"}).confidence == "low"


def test_drinks_advised_ask_first_for_the_signs_that_make_drinking_unsafe():
    a = assess({"urine_color": 7})
    assert "drink_water" in {x["id"] for x in a.actions}
    assert {"nausea_vomiting", "headache", "body_mass_pre_kg"} <= set(a.missing)
