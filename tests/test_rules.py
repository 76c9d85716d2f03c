"""Each rule of clinical-reference §9 (v0.2) and each threshold: at, just under and just over its boundary.

Worked arithmetic is in the comments; thresholds are read from kit.engine.thresholds so a test
fails if a rule stops using the table, and the literal numbers next to them document what
the table says today (test_table_values_used_by_these_tests).
"""

from __future__ import annotations

import math

import pytest

from kit import assess
from kit.engine.observation import parse_observation
from kit.engine.rules import CAUSES, FLAGS, G_STATUS, KERNEL_INPUTS, RED_FLAGS, SCALAR, TIERS, evaluate
from kit.engine.thresholds import T


def tier(**obs) -> str:
    return assess(obs).escalation


def flags(**obs) -> set[str]:
    return set(assess(obs).flags)


def kernel(**obs):
    from kit.engine.assessment import kernel_inputs

    return evaluate(kernel_inputs(parse_observation(obs)), SCALAR)


MG = {"blood_glucose_unit": "mg/dL"}
MMOL = {"blood_glucose_unit": "mmol/L"}


def test_table_values_used_by_these_tests():
    # if the table changes, these boundary tests must be revisited on purpose
    assert (T.hypo_level1_mg_dl, T.hypo_level2_mg_dl, T.whipple_mg_dl, T.falling_glucose_mg_dl) == (70, 54, 55, 90)
    assert (T.glucose_meter_mg_dl_lo, T.glucose_meter_mg_dl_hi, T.glucose_meter_mmol_l_lo, T.glucose_meter_mmol_l_hi) == (20, 600, 1.1, 33.3)
    assert (T.hyperglycemia_mg_dl, T.dka_glucose_mg_dl, T.dka_ketones_mmol_l, T.ketosis_mmol_l) == (250, 200, 3.0, 1.5)
    assert (T.ehs_core_c, T.ehs_cns_core_c, T.hyperthermia_core_c, T.core_amber_lo_c, T.core_amber_hi_c) == (40.5, 39.0, 40.0, 38.5, 40.0)
    assert (T.hypothermia_core_c, T.hypothermia_severe_core_c, T.cold_stress_hi_c, T.cold_context_ambient_c) == (35, 32, 36, 10)
    assert (T.eah_sodium_mmol_l, T.eah_severe_sodium_mmol_l, T.eah_gain_pct, T.mass_loss_pct, T.urine_color_dehydrated) == (135, 130, 0.5, 2, 7)
    assert (T.overdrinking_rate_ml_h, T.overdrinking_long_rate_ml_h, T.overdrinking_long_run_min) == (1500, 800, 240)
    assert (T.prolonged_spasm_min, T.spasm_amber_min, T.severe_pain, T.pain_amber) == (60, 15, 8, 5)
    assert (T.rhabdo_pain_with_dark_urine, T.rhabdo_risk_pain_triad, T.compartment_pain, T.dvt_pain, T.sickling_pain) == (5, 6, 6, 3, 4)
    assert (T.hr_max_bpm, T.hr_red_bpm, T.hr_amber_bpm, T.hr_low_bpm, T.hr_red_rest_min) == (220, 130, 110, 40, 10)
    assert (T.recurrent_episodes, T.frequent_episodes, T.amber_urgent, T.amber_emergency) == (2, 3, 5, 7)


def test_tiers_and_flags_are_the_contract_ones():
    assert TIERS == ("self_care", "monitor", "see_doctor", "urgent", "emergency")
    assert len(FLAGS) == len(set(FLAGS)) == 37
    assert set(RED_FLAGS) <= set(FLAGS)


# --- D1 glucose reading rule -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "unit", "g", "status"), [
    (60, MMOL, 60.0, "reinterpreted"), (45, MMOL, 45.0, "reinterpreted"), (4.2, MG, 19.0, "LO"), (15, MG, 19.0, "LO"),
    (25, MG, 25.0, "measured"), (25, MMOL, 25 * 18.016, "measured"), (0.8, MMOL, 19.0, "LO"), (650, MG, 601.0, "HI"),
    (700, MMOL, 601.0, "HI"), (20, MG, 20.0, "measured"), (19.9, MG, 19.0, "LO"), (600, MG, 600.0, "measured"),
    (600.1, MG, 601.0, "HI"), (1.1, MMOL, 1.1 * 18.016, "measured"), (1.09, MMOL, 19.0, "LO"),
    (33.3, MMOL, 33.3 * 18.016, "measured"), (33.4, MMOL, 33.4, "reinterpreted"), (600, MMOL, 600.0, "reinterpreted"),
])
def test_glucose_meter_range_reading_rule(value, unit, g, status):
    r = kernel(blood_glucose=value, **unit)
    assert r.d.g == pytest.approx(g) and G_STATUS[int(r.d.g_status)] == status


def test_a_low_reading_is_never_reinterpreted_upward():
    # 4.2 "mg/dL" could be 4.2 mmol/L (75.7 mg/dL): it is LO, treated as low
    a = assess({"blood_glucose": 4.2, "tremor": True, **MG})
    assert "hypoglycemia" in a.flags
    assert {w.split(":")[0] for w in a.warnings} == {"glucose_out_of_meter_range", "glucose_unit_suspicious"}


def test_reinterpreted_reading_never_cancels_presumptive_hypoglycemia():
    # 100 "mmol/L" -> 100 mg/dL (uncertain): the symptoms still count (D20)
    assert "hypoglycemia" in flags(blood_glucose=100, tremor=True, hunger=True, sweating=True, **MMOL)
    assert "hypoglycemia" not in flags(blood_glucose=100, tremor=True, hunger=True, sweating=True, **MG)


# --- hypoglycaemia (ADA 2024 level 1: < 70 mg/dL) -------------------------------------------

@pytest.mark.parametrize(("g", "flagged"), [(69.9, True), (70.0, False), (70.1, False)])
def test_hypoglycemia_level1_boundary_mg_dl(g, flagged):
    assert ("hypoglycemia" in flags(blood_glucose=g, **MG)) is flagged


@pytest.mark.parametrize(("g", "flagged"), [(3.88, True), (3.9, False), (3.95, False)])
def test_hypoglycemia_boundary_mmol_l_uses_factor_18_016(g, flagged):
    # 3.88 x 18.016 = 69.90 (< 70); 3.9 x 18.016 = 70.26 (not < 70)
    assert ("hypoglycemia" in flags(blood_glucose=g, **MMOL)) is flagged


def test_glucose_conversion_factor_is_18_016():
    assert parse_observation({"blood_glucose": 3.0, **MMOL}).glucose_mg_dl == pytest.approx(54.048)
    assert T.glucose_mmol_to_mg_dl == 18.016


def test_measured_low_glucose_alone_is_monitor_with_15_min_recheck():
    a = assess({"blood_glucose": 65, **MG})
    assert a.escalation == "monitor" and a.top_cause == "hypoglycemia" and a.reassess_in_min == 15
    ids = [x["id"] for x in a.actions]
    assert "oral_carbohydrate" in ids and "recheck_glucose" in ids


@pytest.mark.parametrize(("g", "expected"), [(53.9, "see_doctor"), (54.0, "monitor"), (54.1, "monitor")])
def test_level2_with_diabetes_and_symptoms_needs_review(g, expected):
    assert tier(blood_glucose=g, has_diabetes=True, sweating=True, **MG) == expected


@pytest.mark.parametrize(("g", "expected"), [(54.9, "see_doctor"), (55.0, "monitor"), (55.1, "monitor")])
def test_whipple_threshold_without_diabetes(g, expected):
    assert tier(blood_glucose=g, has_diabetes=False, tremor=True, **MG) == expected


def test_whipple_triad_needs_a_symptom():
    assert tier(blood_glucose=50, **MG) == "monitor"  # no symptom recorded: A3 only


def test_diabetes_unknown_uses_the_safer_55_threshold():
    assert tier(blood_glucose=54.5, tremor=True, **MG) == "see_doctor"


@pytest.mark.parametrize(("g", "severe"), [(69.9, True), (70.0, False)])
def test_severe_hypoglycemia_is_low_glucose_with_altered_mental_state(g, severe):
    f = flags(blood_glucose=g, confusion=True, **MG)
    assert ("severe_hypoglycemia" in f) is severe
    assert tier(blood_glucose=g, confusion=True, **MG) == "emergency"


def test_severe_hypoglycemia_presumed_with_diabetes_and_glucose_unknown():
    assert "severe_hypoglycemia" in flags(confusion=True, glucose_lowering_medication=True)
    assert "severe_hypoglycemia" in flags(confusion=True, has_diabetes=True)
    assert "severe_hypoglycemia" not in flags(confusion=True, glucose_lowering_medication=False)


def test_presumptive_hypoglycemia_from_tremor_hunger_sweating_without_meter():
    assert "hypoglycemia" in flags(tremor=True, hunger=True, sweating=True)
    assert "hypoglycemia" in flags(tremor=True, hunger=True, pale_skin=True)
    assert "hypoglycemia" not in flags(tremor=True, hunger=True)
    assert "hypoglycemia" not in flags(tremor=True, sweating=True)


@pytest.mark.parametrize("sign", ["tremor", "sweating", "hunger", "pale_skin", "palpitations"])
def test_presumptive_hypoglycemia_in_diabetes_needs_one_autonomic_sign(sign):
    assert "hypoglycemia" in flags(glucose_lowering_medication=True, **{sign: True})
    assert "hypoglycemia" in flags(has_diabetes=True, **{sign: True})


def test_measured_normal_glucose_overrides_presumptive_hypoglycemia():
    a = assess({"tremor": True, "hunger": True, "sweating": True, "blood_glucose": 92, **MG})
    assert "hypoglycemia" not in a.flags and a.score["hypoglycemia"] == 0


@pytest.mark.parametrize(("g", "flagged"), [(69.9, False), (70.0, True), (89.9, True), (90.0, False)])
def test_falling_glucose_band_70_to_90(g, flagged):
    assert ("falling_glucose" in flags(glucose_lowering_medication=True, blood_glucose=g, tremor=True, **MG)) is flagged


def test_falling_glucose_needs_medication_or_diabetes_with_medication_unknown_and_a_symptom():
    assert "falling_glucose" in flags(has_diabetes=True, blood_glucose=80, dizziness=True, **MG)
    assert "falling_glucose" not in flags(has_diabetes=True, glucose_lowering_medication=False, blood_glucose=80, tremor=True, **MG)
    assert "falling_glucose" not in flags(glucose_lowering_medication=True, blood_glucose=80, **MG)


def test_unconscious_low_gets_nothing_by_mouth_not_carbohydrate():
    a = assess({"unconscious": True, "blood_glucose": 40, **MG})
    ids = {x["id"] for x in a.actions}
    contra = {x["id"] for x in a.contraindicated}
    assert "oral_carbohydrate" in contra and "oral_carbohydrate" not in ids
    assert {"nothing_by_mouth", "call_emergency"} <= ids
    assert "hypoglycemia_cannot_swallow" in a.flags


# --- hyperglycaemia, ketones, DKA (ADA 2016; Umpierrez 2024) -------------------------------------------------

@pytest.mark.parametrize(("g", "flagged"), [(249.9, False), (250.0, True), (250.1, True)])
def test_hyperglycemia_from_250(g, flagged):
    assert ("hyperglycemia" in flags(blood_glucose=g, **MG)) is flagged


@pytest.mark.parametrize(("g", "expected"), [(249.9, "self_care"), (250, "urgent"), (600, "urgent"), (600.1, "urgent")])
def test_possible_new_diabetes_is_urgent_and_hi_is_urgent(g, expected):
    a = assess({"blood_glucose": g, "has_diabetes": False, **MG})
    assert a.escalation == expected
    assert ("U15" in {r["reason"].split(":")[0].split()[-1] for r in a.reasons}) is (250 <= g <= 600)


@pytest.mark.parametrize(("ket", "flag"), [(1.49, None), (1.5, "ketosis"), (2.99, "ketosis"), (3.0, "possible_dka")])
def test_ketone_bands_in_diabetes(ket, flag):
    f = flags(has_diabetes=True, blood_ketones_mmol_l=ket)
    assert ({"ketosis", "possible_dka"} & f) == ({flag} if flag else set())


@pytest.mark.parametrize(("ket", "expected"), [(0.59, "self_care"), (0.6, "monitor"), (1.49, "monitor"), (1.5, "urgent")])
def test_ketones_amber_then_ketosis_urgent(ket, expected):
    assert tier(has_diabetes=True, blood_ketones_mmol_l=ket) == expected


@pytest.mark.parametrize(("g", "dka"), [(199.9, False), (200.0, True)])
def test_dka_without_known_diabetes_needs_glucose_200(g, dka):
    assert ("possible_dka" in flags(blood_glucose=g, blood_ketones_mmol_l=3.0, **MG)) is dka


def test_ketones_without_diabetes_are_an_amber_point_only():
    a = assess({"blood_ketones_mmol_l": 2.0})
    assert a.escalation == "monitor" and not {"ketosis", "possible_dka"} & set(a.flags)
    assert [w.split(":")[0] for w in a.warnings] == ["ketones_without_diabetes"]


# --- heat illness (NATA 2015; ACSM 2007) -----------------------------------------------------

@pytest.mark.parametrize(("core", "ehs"), [(40.4, False), (40.5, True), (40.6, True)])
def test_heat_stroke_at_40_5(core, ehs):
    assert ("exertional_heat_stroke" in flags(core_temp_c=core)) is ehs
    assert tier(core_temp_c=core) == "emergency"


@pytest.mark.parametrize(("core", "ehs"), [(38.9, False), (39.0, True), (39.1, True)])
def test_heat_stroke_with_cns_signs_from_39(core, ehs):
    assert ("exertional_heat_stroke" in flags(core_temp_c=core, confusion=True)) is ehs


@pytest.mark.parametrize(("core", "expected", "flag"), [(40.0, "monitor", False), (40.1, "emergency", True)])
def test_core_over_40_is_hyperthermia(core, expected, flag):
    # 40.0 is the top of the amber band 38.5-40.0 (1 point -> monitor); over 40.0 is red
    assert tier(core_temp_c=core) == expected
    assert ("hyperthermia" in flags(core_temp_c=core)) is flag


@pytest.mark.parametrize(("core", "expected"), [(38.4, "self_care"), (38.5, "monitor"), (38.6, "monitor")])
def test_raised_core_amber_band_starts_at_38_5(core, expected):
    assert tier(core_temp_c=core) == expected


@pytest.mark.parametrize(("air", "flagged"), [(26.9, False), (27.0, True), (27.1, True)])
def test_heat_exhaustion_ambient_context(air, flagged):
    assert ("heat_exhaustion" in flags(ambient_temp_c=air, headache=True)) is flagged


def test_suspected_heat_stroke_only_a_measured_core_decides():
    assert "suspected_heat_stroke" in flags(confusion=True, ambient_temp_c=5)  # a cool day does not exclude it
    assert "suspected_heat_stroke" in flags(collapse=True)  # collapse timing unknown = during the run
    assert "suspected_heat_stroke" not in flags(confusion=True, core_temp_c=37.0)
    assert "heat_exhaustion" not in flags(ambient_temp_c=30, headache=True, confusion=True)


# --- cold (WMS 2019) ---------------------------------------------------------------------------

@pytest.mark.parametrize(("core", "flag"), [(31.9, "severe_hypothermia"), (32.0, "hypothermia"), (34.9, "hypothermia"),
                                            (35.0, "cold_stress"), (35.9, "cold_stress"), (36.0, None)])
def test_core_temperature_cold_bands(core, flag):
    f = flags(core_temp_c=core) & {"severe_hypothermia", "hypothermia", "cold_stress"}
    assert f == ({flag} if flag else set())


@pytest.mark.parametrize(("core", "expected"), [(31.9, "emergency"), (33.0, "monitor"), (34.9, "monitor"), (35.5, "monitor"),
                                                (36.0, "self_care")])
def test_cold_tiers(core, expected):
    assert tier(core_temp_c=core) == expected


def test_hypothermia_with_cns_is_severe():
    assert "severe_hypothermia" in flags(core_temp_c=34.9, confusion=True)
    assert "severe_hypothermia" not in flags(core_temp_c=35.0, confusion=True)


@pytest.mark.parametrize(("air", "flagged"), [(9.9, True), (10.0, False)])
def test_presumptive_cold_stress_is_tremor_on_a_cold_day(air, flagged):
    assert ("cold_stress" in flags(tremor=True, ambient_temp_c=air)) is flagged
    assert "cold_stress" not in flags(tremor=True, ambient_temp_c=air, core_temp_c=37)


# --- exercise-associated hyponatraemia (EAH consensus 2015) ---------------------------------

@pytest.mark.parametrize(("na", "flagged"), [(134.9, True), (135.0, False), (135.1, False)])
def test_hyponatremia_measured_sodium_below_135(na, flagged):
    assert ("hyponatremia_risk" in flags(serum_sodium_mmol_l=na)) is flagged


@pytest.mark.parametrize(("na", "expected"), [(129.9, "emergency"), (130.0, "monitor"), (130.1, "monitor")])
def test_measured_sodium_below_130_is_an_emergency(na, expected):
    assert tier(serum_sodium_mmol_l=na) == expected


@pytest.mark.parametrize(("post", "flagged"), [(70.0, False), (70.07, False), (70.31, False), (70.35, True), (70.4, True)])
def test_mass_gain_of_0_5_pct_after_rounding_is_hyponatremia_risk(post, flagged):
    # 70 -> 70.35: +0.5 % exactly; 70.31: +0.44 % -> +0.4 % (scale tolerance); 70.07: +0.1 %
    assert ("hyponatremia_risk" in flags(body_mass_pre_kg=70.0, body_mass_post_kg=post)) is flagged


@pytest.mark.parametrize(("run", "post", "flagged"), [(239, 70.0, False), (240, 70.0, True), (240, 69.7, True),
                                                      (240, 69.65, False), (240, 69.6, False)])
def test_weight_maintained_over_4_h_is_hyponatremia_risk(run, post, flagged):
    # 70 -> 69.7: -0.43 % -> -0.4 % (> -0.5: maintained); 69.65: -0.5 % exactly (not maintained)
    assert ("hyponatremia_risk" in flags(run_duration_min=run, body_mass_pre_kg=70.0, body_mass_post_kg=post)) is flagged


@pytest.mark.parametrize(("run", "fluid", "flagged"), [
    (60, 1500, False), (60, 1501, True), (239, 3980, False), (240, 3200, False), (240, 3204, True), (59, 5000, False)])
def test_overdrinking_rate(run, fluid, flagged):
    # 1501 mL in 60 min = 1501 mL/h (> 1500); 3204 mL in 240 min = 801 mL/h (> 800, run >= 4 h); rate only from 60 min
    assert ("overdrinking" in flags(run_duration_min=run, fluid_intake_ml=fluid)) is flagged


def test_overdrinking_is_ruled_out_by_measured_mass_loss():
    assert "overdrinking" not in flags(run_duration_min=60, fluid_intake_ml=2000, body_mass_pre_kg=70, body_mass_post_kg=69.65)
    assert "overdrinking" in flags(run_duration_min=60, fluid_intake_ml=2000, body_mass_pre_kg=70, body_mass_post_kg=69.7)


def test_measured_normal_sodium_overrides_weight_gain():
    assert "hyponatremia_risk" not in flags(body_mass_pre_kg=70, body_mass_post_kg=71, serum_sodium_mmol_l=140)


def test_vomiting_after_a_long_run_is_severe_hyponatremia():
    assert "severe_hyponatremia" in flags(run_duration_min=240, vomiting=True)
    assert "hyponatremia_risk" not in flags(run_duration_min=239, vomiting=True)
    assert tier(run_duration_min=239, vomiting=True) == "urgent"  # U8: repeated vomiting, sodium unknown


def test_mild_hyponatremia_risk_is_monitor_and_still_no_water():
    a = assess({"body_mass_pre_kg": 60, "body_mass_post_kg": 60.5, "spasm": True, "spasm_duration_min": 5})
    assert a.escalation == "monitor" and a.top_cause == "dehydration_electrolyte"
    assert "drink_water" in {x["id"] for x in a.contraindicated}
    assert "drink_water" not in {x["id"] for x in a.actions}


# --- dehydration (ACSM 2007: > 2 % loss; urine chart 7-8) ----------------------------------

@pytest.mark.parametrize(("post", "flagged"), [(98.0, False), (97.96, False), (97.9, True), (98.1, False)])
def test_dehydration_rounded_body_mass_loss_over_2_percent(post, flagged):
    # (98 - 100) / 100 x 100 = -2.0 %: not over 2 %; 97.96 -> -2.04 % -> -2.0 %; 97.9 -> -2.1 %
    assert ("dehydration" in flags(body_mass_pre_kg=100.0, body_mass_post_kg=post)) is flagged


def test_b01_70_to_68_6_is_exactly_minus_2_0_after_rounding():
    assert kernel(body_mass_pre_kg=70, body_mass_post_kg=68.6).d.dm_r == -2.0
    assert "dehydration" not in flags(body_mass_pre_kg=70, body_mass_post_kg=68.6)


@pytest.mark.parametrize(("shade", "flagged"), [(6, False), (7, True), (8, True)])
def test_dehydration_urine_colour_7_or_more(shade, flagged):
    assert ("dehydration" in flags(urine_color=shade)) is flagged


# --- muscle and leg (O'Connor 2008; §8D; §8E) -----------------------------------------------

@pytest.mark.parametrize(("pain", "red"), [(4.9, False), (5.0, True), (5.1, True)])
def test_dark_urine_with_pain_5_is_red(pain, red):
    f = flags(dark_urine=True, pain_score=pain)
    assert "rhabdomyolysis_risk" in f and ("rhabdomyolysis_red" in f) is red


def test_dark_urine_alone_is_urgent():
    a = assess({"dark_urine": True})
    assert a.escalation == "urgent" and a.top_cause is None


@pytest.mark.parametrize(("pain", "flagged"), [(5.9, False), (6.0, True), (6.1, True)])
def test_swelling_weakness_pain_6(pain, flagged):
    f = flags(muscle_swelling=True, muscle_weakness=True, pain_score=pain)
    assert ("rhabdomyolysis_risk" in f) is flagged and ("compartment_syndrome_risk" in f) is flagged


def test_compartment_without_pain_needs_numbness_and_weakness():
    assert "compartment_syndrome_risk" in flags(muscle_swelling=True, numbness_tingling=True, muscle_weakness=True)
    assert "compartment_syndrome_risk" not in flags(muscle_swelling=True, numbness_tingling=True)


@pytest.mark.parametrize(("pain", "flag", "expected"), [(2.9, "unilateral_leg_swelling", "see_doctor"), (3.0, "dvt_risk", "urgent")])
def test_one_swollen_leg_dvt_from_pain_3(pain, flag, expected):
    assert flag in flags(swelling_one_leg=True, pain_score=pain)
    assert tier(swelling_one_leg=True, pain_score=pain) == expected


@pytest.mark.parametrize(("pain", "flagged"), [(3.9, False), (4.0, True)])
def test_sickling_from_pain_4(pain, flagged):
    assert ("exertional_sickling" in flags(sickle_cell_trait=True, pain_score=pain)) is flagged


# --- spasm duration and pain (source article) -----------------------------------------------

@pytest.mark.parametrize(("minutes", "expected"), [(14.9, "self_care"), (15, "monitor"), (59.9, "monitor"), (60, "emergency"),
                                                   (61, "emergency")])
def test_spasm_duration_bands(minutes, expected):
    assert tier(spasm=True, spasm_duration_min=minutes) == expected


@pytest.mark.parametrize(("pain", "expected"), [(4.9, "self_care"), (5, "monitor"), (7.9, "monitor"), (8, "urgent"), (8.1, "urgent")])
def test_pain_bands(pain, expected):
    assert tier(pain_score=pain) == expected


@pytest.mark.parametrize(("spasm_min", "expected"), [(14.9, "urgent"), (15, "emergency")])
def test_severe_pain_is_red_with_a_spasm_of_15_min(spasm_min, expected):
    assert tier(pain_score=8, spasm=True, spasm_duration_min=spasm_min) == expected


def test_pain_while_unconscious_is_ignored():
    a = assess({"unconscious": True, "pain_score": 9})
    assert "severe_pain" not in a.flags
    assert "pain_while_unconscious" in {w.split(":")[0] for w in a.warnings}


# --- heart rate (NEWS2 bands after 10 min rest; §8B) -------------------------------------------

@pytest.mark.parametrize(("hr", "msre", "flag"), [
    (220, None, "heart_rate_red"), (219, None, None), (130.5, 10, "heart_rate_red"), (130, 10, "heart_rate_amber"),
    (110, 10, None), (110.1, 10, "heart_rate_amber"), (131, 9.9, None), (40, 9.9, "heart_rate_red"), (40, 10, "heart_rate_amber"),
    (40.1, 10, None), (38, None, "heart_rate_amber"),
])
def test_heart_rate_bands(hr, msre, flag):
    obs = {"heart_rate_bpm": hr} | ({"minutes_since_run_end": msre} if msre is not None else {})
    assert flags(**obs) & {"heart_rate_red", "heart_rate_amber"} == ({flag} if flag else set())


@pytest.mark.parametrize("sign", ["dizziness", "pale_skin", "confusion"])
def test_low_heart_rate_with_symptoms_is_red(sign):
    assert "heart_rate_red" in flags(heart_rate_bpm=38, minutes_since_run_end=30, **{sign: True})


def test_red_heart_rate_is_urgent_and_emergency_with_palpitations_or_dizziness():
    assert tier(heart_rate_bpm=140, minutes_since_run_end=12) == "urgent"
    assert tier(heart_rate_bpm=140, minutes_since_run_end=12, palpitations=True) == "emergency"
    assert tier(heart_rate_bpm=140, minutes_since_run_end=12, dizziness=True) == "emergency"


def test_heart_rate_not_scored_before_10_min_and_reassessed_at_the_10_minute_mark():
    a = assess({"heart_rate_bpm": 150, "minutes_since_run_end": 4, "headache": True})
    assert not {"heart_rate_red", "heart_rate_amber"} & set(a.flags)
    assert "heart_rate_not_scored" in {w.split(":")[0] for w in a.warnings}
    assert a.reassess_in_min == 6 and "minutes_since_run_end" not in a.missing  # known, just too early
    b = assess({"heart_rate_bpm": 150, "headache": True})
    assert b.reassess_in_min == 10 and "minutes_since_run_end" in b.missing


# --- collapse, breathing, chest (§8A, §8B) ---------------------------------------------------------

def test_collapse_timing():
    assert tier(collapse=True) == "emergency"  # unknown timing = during the run
    assert tier(collapse=True, collapse_during_run=False) == "monitor"
    assert "collapse_during_run" in flags(collapse_during_run=True, collapse=False)
    assert tier(collapse=True, collapse_during_run=False, palpitations=True) == "urgent"  # U14


@pytest.mark.parametrize(("unconscious", "flagged"), [(True, True), (None, True), (False, False)])
def test_not_breathing_normally_unless_known_responsive(unconscious, flagged):
    obs = {"breathing_normally": False} | ({"unconscious": unconscious} if unconscious is not None else {})
    assert ("not_breathing_normally" in flags(**obs)) is flagged


@pytest.mark.parametrize("sign", ["chest_pain", "breathing_difficulty"])
def test_cardiorespiratory_signs_are_red(sign):
    assert tier(**{sign: True}) == "emergency"


# --- pattern rules -> see_doctor --------------------------------------------------------------

@pytest.mark.parametrize(("prior", "expected"), [(1, "self_care"), (2, "see_doctor"), (3, "see_doctor")])
def test_recurrent_despite_prevention_needs_no_current_spasm(prior, expected):
    assert tier(prevention_followed=True, prior_episodes_30d=prior, thirst=True) == expected


@pytest.mark.parametrize(("prior", "expected"), [(2, "self_care"), (3, "see_doctor")])
def test_frequent_episodes_from_3_prior(prior, expected):
    assert tier(spasm=True, prior_episodes_30d=prior) == expected


@pytest.mark.parametrize(("prior", "flagged"), [(1, False), (2, True)])
def test_recurrent_tremor_from_2_prior(prior, flagged):
    assert ("recurrent_tremor" in flags(tremor=True, prior_episodes_30d=prior)) is flagged


def test_nerve_irritation_pattern():
    assert tier(numbness_tingling=True, muscle_weakness=True) == "see_doctor"
    assert tier(numbness_tingling=True, prior_episodes_30d=1) == "see_doctor"
    assert tier(numbness_tingling=True, prior_episodes_30d=0) == "monitor"  # 1 amber point
    a = assess({"numbness_tingling": True, "spasm": True, "prior_episodes_30d": 1, "blood_glucose": 100, **MG})
    assert a.top_cause == "nerve_irritation"


def test_tingling_with_low_glucose_is_credited_to_hypoglycemia_and_p5_does_not_fire():
    # v0.2 §9.6 P5 "not hypoglycemia" read literally (v0.1 kept the review for monotonicity)
    a = assess({"numbness_tingling": True, "muscle_weakness": True, "blood_glucose": 60, **MG})
    assert a.top_cause == "hypoglycemia" and a.score["nerve_irritation"] == 0
    assert a.escalation == "monitor"


# --- amber aggregate (NEWS2-like) ---------------------------------------------------------

def test_amber_totals_4_monitor_5_6_urgent_7_emergency():
    points = ["nausea_vomiting", "headache", "muscle_weakness", "palpitations", "pale_skin", "dizziness", "numbness_tingling"]
    expected = {4: "monitor", 5: "urgent", 6: "urgent", 7: "emergency"}
    for n, t in expected.items():
        a = assess({p: True for p in points[:n]})
        assert a.amber_points == n and a.escalation == t, n


def test_nothing_recorded_is_monitor_not_reassurance():
    a = assess({})
    assert a.escalation == "monitor" and a.top_cause is None and a.reassess_in_min == 15
    assert all(c["score"] == 0 for c in a.causes)
    assert [w.split(":")[0] for w in a.warnings] == ["no_findings"]
    assert assess({"thirst": True}).escalation == "self_care"  # something recorded, nothing found


def test_heart_rate_bands_outside_the_flags_score_nothing():
    a = assess({"heart_rate_bpm": 100, "minutes_since_run_end": 20})
    assert a.escalation == "self_care" and a.amber_points == 0


# --- unknown is not no -----------------------------------------------------------------------

def test_unknown_mental_state_is_asked_for_and_known_no_is_not():
    assert "confusion" in assess({"spasm": True}).missing
    assert "confusion" not in assess({"spasm": True, "confusion": False}).missing


def test_tremor_without_glucose_asks_for_glucose():
    a = assess({"tremor": True})
    assert "blood_glucose" in a.missing and a.confidence == "low"
    assert "recheck_glucose" in {x["id"] for x in a.actions}


def test_unknown_fields_never_fire_a_rule():
    r = evaluate({k: math.nan for k in KERNEL_INPUTS}, SCALAR)
    assert not any(r.flags) and not any(r.red.values()) and not any(r.urgent.values())
    assert r.amber_total == 0 and not any(r.pattern.values()) and r.top == -1
    assert r.no_findings and r.base_tier == TIERS.index("monitor")
    assert all(r.scores[c] == 0 for c in CAUSES)


# --- contract extras -------------------------------------------------------------------------------------------

def test_every_reason_names_a_source_and_rule_set_is_0_2():
    a = assess({"confusion": True, "pain_score": 6, "urine_color": 7, "dark_urine": True, "prior_episodes_30d": 4})
    assert a.reasons[0]["tier"] == "emergency"
    assert all(r["source"] and r["reason"] for r in a.reasons)
    d = a.to_dict()
    assert d["rule_set"] == "0.2" and d["trend"] == "first" and d["recheck_reasons"] == []


def test_every_warning_is_code_colon_text():
    a = assess({"spasm": False, "spasm_duration_min": 5, "glucose_lowering_medication": True, "has_diabetes": False,
                "collapse_during_run": True, "collapse": False, "vomiting": True, "nausea_vomiting": False,
                "dark_urine": True, "urine_color": 2, "heart_rate_bpm": 230, "unconscious": True, "pain_score": 3})
    codes = [w.split(": ", 1)[0] for w in a.warnings]
    assert codes == ["spasm_false_with_duration", "pain_while_unconscious", "medication_without_diabetes",
                     "collapse_flag_missing", "vomiting_without_nausea_vomiting", "dark_urine_vs_colour", "heart_rate_confirm"]
    assert all(len(w.split(": ", 1)[1]) > 10 for w in a.warnings)


def test_an_empty_history_is_a_first_observation():
    assert assess({"spasm": True}, history=[]).to_dict() == assess({"spasm": True}).to_dict()


def test_assess_one_takes_what_the_episode_adds():
    # the seam kit.engine.episodes uses: final tier = max(base, recheck tier); trend, reasons, warnings and K4's total pass through
    from types import SimpleNamespace

    from kit.engine.assessment import assess_one
    from kit.engine.episodes import reason_text

    obs = parse_observation({"spasm": True, "spasm_duration_min": 40, "episode_id": "E1"})
    assert assess_one(obs).escalation == "monitor"
    assert assess_one(obs, spasm_total_min=65).escalation == "emergency"  # K4: 40 + 25 min -> prolonged_spasm
    recheck = SimpleNamespace(tier_code=TIERS.index("urgent"), reasons=("not_improving",), trend="unchanged",
                              earlier_red=frozenset(), handover=False, earlier_patterns=frozenset({"P2"}), k8=False,
                              warnings=("spasm_unrelieved",))
    a = assess_one(obs, recheck=recheck)
    assert a.escalation == "urgent" and a.trend == "unchanged" and a.recheck_reasons == ("not_improving",)
    assert a.warnings[-1].startswith("spasm_unrelieved: ") and a.reassess_in_min == 15
    # recheck reasons in plain words with the tier each rule asks for; the earlier pattern rule (K7) adds a see_doctor entry
    assert a.reasons[-2] == {"tier": "urgent", "reason": "recheck: " + reason_text("not_improving"),
                             "source": "clinical-reference §9.9 K3 (design)"}
    assert a.reasons[-1]["tier"] == "see_doctor" and "(P2)" in a.reasons[-1]["reason"]


def test_missing_asks_first_for_what_would_change_the_tier_now():
    a = assess({"collapse": True})
    assert a.missing[:3] == ("breathing_normally", "collapse_during_run", "blood_glucose")
    assert "minutes_since_run_end" in assess({"heart_rate_bpm": 120}).missing
    assert "blood_ketones_mmol_l" in assess({"blood_glucose": 300, "blood_glucose_unit": "mg/dL"}).missing
    assert "core_temp_c" in assess({"confusion": True}).missing
    assert "recent_long_travel" in assess({"swelling_one_leg": True}).missing
