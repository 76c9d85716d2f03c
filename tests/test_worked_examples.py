"""Every single-observation worked example of clinical-reference §9.12, as its own test.

Each row is the example's input (abbreviated in the reference; spelled out here) and what
the reference says the result must be: tier, flags present (and absent where it says so),
key actions, contraindications, text variants, reassessment time, warnings and top cause.
The recheck examples of §9.12 need history (kit.engine.episodes) and are tested there.
"""

from __future__ import annotations

import pytest

from kit import assess

MG = {"blood_glucose_unit": "mg/dL"}
MMOL = {"blood_glucose_unit": "mmol/L"}
SKIP = object()


def ex(id_, obs, tier, *, flags=(), not_flags=(), actions=(), not_actions=(), contra=(), reassess=SKIP, warnings=None,
       top=SKIP, texts=None, first=None):
    return pytest.param(dict(obs=obs, tier=tier, flags=set(flags), not_flags=set(not_flags), actions=set(actions),
                             not_actions=set(not_actions), contra=set(contra), reassess=reassess, warnings=warnings,
                             top=top, texts=texts or {}, first=first), id=id_)


EXAMPLES = [
    # --- v0.1 review cases ---------------------------------------------------------------------------------------
    ex("R01-dark-urine-spasm", {"spasm": True, "spasm_duration_min": 3, "dark_urine": True}, "urgent",
       flags={"rhabdomyolysis_risk"}, not_flags={"rhabdomyolysis_red"}, contra={"massage", "heat", "stretch", "nsaid"}, top=None),
    ex("R01-dark-urine-pain-5", {"spasm": True, "spasm_duration_min": 3, "dark_urine": True, "pain_score": 5}, "emergency",
       flags={"rhabdomyolysis_red"}, contra={"massage", "heat", "stretch", "nsaid"}, top=None),
    ex("R01-dark-urine-weakness", {"spasm": True, "spasm_duration_min": 3, "dark_urine": True, "muscle_weakness": True},
       "emergency", flags={"rhabdomyolysis_red"}, top=None),
    ex("T10-confusion-hot-race", {"confusion": True, "ambient_temp_c": 33, "intensity": "race"}, "emergency",
       flags={"suspected_heat_stroke"}, actions={"cold_water_immersion", "call_emergency"},
       contra={"drink_water", "electrolyte_drink"}, reassess=5,
       texts={"cold_water_immersion": "If you cannot and the athlete is hot to the touch"}),
    ex("T05-core-39.9-confusion", {"core_temp_c": 39.9, "confusion": True}, "emergency", flags={"exertional_heat_stroke"},
       actions={"cold_water_immersion"}, texts={"cold_water_immersion": "Cool now"}),
    ex("T14-hypothermia", {"tremor": True, "core_temp_c": 33.5, "ambient_temp_c": -5}, "monitor", flags={"hypothermia"},
       actions={"rewarm", "rest"}, contra={"cold_water_immersion", "ice"}, top=None, reassess=15,
       texts={"rest": "Rest somewhere warm"}),
    ex("T16-core-29.5-unconscious", {"core_temp_c": 29.5, "unconscious": True}, "emergency", flags={"severe_hypothermia"},
       actions={"cpr_aed", "rewarm", "nothing_by_mouth"}, not_actions={"recovery_position"},
       texts={"cpr_aed": "pulse for up to 60 s", "rewarm": "No drinks."}),
    ex("T16-breathing-normally", {"core_temp_c": 29.5, "unconscious": True, "breathing_normally": True}, "emergency",
       flags={"severe_hypothermia"}, actions={"recovery_position", "rewarm", "nothing_by_mouth"}, not_actions={"cpr_aed"}),
    ex("U02-60-mmol", {"blood_glucose": 60, **MMOL, "tremor": True, "hunger": True, "sweating": True}, "monitor",
       flags={"hypoglycemia"}, actions={"oral_carbohydrate"}, reassess=15, warnings={"glucose_unit_reinterpreted"},
       top="hypoglycemia"),
    ex("U03-45-mmol-insulin", {"blood_glucose": 45, **MMOL, "glucose_lowering_medication": True}, "monitor",
       flags={"hypoglycemia"}, actions={"oral_carbohydrate"}, warnings={"glucose_unit_reinterpreted"}),
    ex("H01-diabetes-tremor-sweating", {"has_diabetes": True, "tremor": True, "sweating": True}, "monitor",
       flags={"hypoglycemia"}, reassess=15),
    ex("H02-insulin-tremor", {"glucose_lowering_medication": True, "tremor": True}, "monitor", flags={"hypoglycemia"},
       reassess=15),
    ex("X03-insulin-85", {"glucose_lowering_medication": True, "blood_glucose": 85, **MG, "tremor": True, "sweating": True,
                          "hunger": True}, "monitor", flags={"falling_glucose"}, not_flags={"hypoglycemia"},
       actions={"oral_carbohydrate"}, reassess=15),
    ex("X04-insulin-72", {"glucose_lowering_medication": True, "blood_glucose": 72, **MG, "tremor": True, "sweating": True,
                          "hunger": True}, "monitor", flags={"falling_glucose"}, actions={"oral_carbohydrate"}, reassess=15),
    ex("R04-swelling-weakness-pain-6", {"muscle_swelling": True, "muscle_weakness": True, "pain_score": 6}, "emergency",
       flags={"compartment_syndrome_risk", "rhabdomyolysis_risk"}, contra={"legs_up", "ice", "stretch", "massage"}, top=None),
    ex("R06-plus-numbness", {"muscle_swelling": True, "muscle_weakness": True, "pain_score": 6, "numbness_tingling": True},
       "emergency", flags={"compartment_syndrome_risk", "rhabdomyolysis_risk"}, contra={"legs_up", "ice", "stretch", "massage"},
       top=None),
    ex("B04-weight-maintained-300-min", {"body_mass_pre_kg": 60, "body_mass_post_kg": 60, "run_duration_min": 300,
                                         "fluid_intake_ml": 4500, "nausea_vomiting": True, "headache": True}, "emergency",
       flags={"hyponatremia_risk", "overdrinking", "severe_hyponatremia"}),
    ex("B07-gain-3pct-nausea", {"body_mass_pre_kg": 60, "body_mass_post_kg": 61.8, "nausea_vomiting": True}, "urgent",
       flags={"hyponatremia_risk"}, not_flags={"severe_hyponatremia"}, contra={"drink_water", "electrolyte_drink"}),
    ex("B07-plus-vomiting", {"body_mass_pre_kg": 60, "body_mass_post_kg": 61.8, "nausea_vomiting": True, "vomiting": True},
       "emergency", flags={"severe_hyponatremia"}),
    ex("Z12-overdrinker-urine-7", {"urine_color": 7, "fluid_intake_ml": 7000, "run_duration_min": 330}, "monitor",
       flags={"overdrinking", "hyponatremia_risk", "dehydration"}, not_actions={"drink_water", "electrolyte_drink"}, reassess=15),
    ex("X01-insulin-400", {"glucose_lowering_medication": True, "blood_glucose": 400, **MG}, "monitor", flags={"hyperglycemia"},
       actions={"check_ketones"}, contra={"continue_running"}, top=None),
    ex("X02-insulin-320-nausea", {"glucose_lowering_medication": True, "blood_glucose": 320, **MG, "nausea_vomiting": True},
       "urgent", flags={"hyperglycemia"}, not_flags={"possible_dka"}, actions={"check_ketones"}),
    ex("X02-plus-vomiting", {"glucose_lowering_medication": True, "blood_glucose": 320, **MG, "nausea_vomiting": True,
                             "vomiting": True}, "emergency", flags={"possible_dka"}),
    ex("Z03-hr-220-palpitations", {"heart_rate_bpm": 220, "palpitations": True}, "emergency", flags={"heart_rate_red"},
       warnings={"heart_rate_confirm"}, texts={"call_emergency": "Confirm by counting the pulse for 30 s"}),
    ex("Z02-hr-150-timing-unknown", {"heart_rate_bpm": 150, "palpitations": True, "pale_skin": True}, "monitor",
       not_flags={"heart_rate_red", "heart_rate_amber"}, warnings={"heart_rate_not_scored"}, reassess=10),
    ex("Z02-plus-chest-pain", {"heart_rate_bpm": 150, "palpitations": True, "pale_skin": True, "chest_pain": True}, "emergency",
       flags={"cardiorespiratory_red_flag"}),
    ex("Z13-spasm-12-prior", {"spasm": True, "prior_episodes_30d": 12}, "see_doctor", flags={"frequent_episodes"},
       actions={"see_doctor"}),
    ex("Z16-tremor-8-prior", {"tremor": True, "prior_episodes_30d": 8}, "see_doctor",
       flags={"frequent_episodes", "recurrent_tremor"}, actions={"see_doctor"}),
    ex("Z18-five-amber", {"headache": True, "dizziness": True, "palpitations": True, "pale_skin": True, "muscle_weakness": True},
       "urgent", actions={"urgent_care"}),
    ex("Z19-headache", {"headache": True}, "monitor", reassess=30),
    ex("Z20-palpitations", {"palpitations": True}, "monitor", reassess=30),
    ex("Z21-core-39.0", {"core_temp_c": 39.0}, "monitor", reassess=15, texts={"rest": "cool and shaded"}),
    ex("T01-core-40.0", {"core_temp_c": 40.0}, "monitor", not_flags={"hyperthermia"}, reassess=15,
       texts={"rest": "cool and shaded"}),
    ex("B01-70-to-68.6", {"body_mass_pre_kg": 70, "body_mass_post_kg": 68.6}, "self_care", not_flags={"dehydration"},
       reassess=None),
    ex("B05-70-to-70.07", {"body_mass_pre_kg": 70, "body_mass_post_kg": 70.07}, "self_care", not_flags={"hyponatremia_risk"}),
    ex("K01-empty", {}, "monitor", reassess=15, warnings={"no_findings"}, top=None),
    ex("X05-spasm-false-90-min", {"spasm": False, "spasm_duration_min": 90}, "emergency", flags={"prolonged_spasm"},
       warnings={"spasm_false_with_duration"}),
    ex("Z07-one-leg-swollen-travel", {"spasm": True, "swelling_one_leg": True, "recent_long_travel": True}, "urgent",
       flags={"dvt_risk"}, contra={"massage", "stretch", "heat"}),
    ex("Z08-sickle-trait-collapse", {"sickle_cell_trait": True, "collapse": True}, "emergency",
       flags={"exertional_sickling", "collapse_during_run"}, warnings={"collapse_timing_unknown"}),
    ex("Z01-post-finish-collapse", {"collapse": True, "collapse_during_run": False}, "monitor", flags={"post_finish_collapse"},
       actions={"legs_up", "electrolyte_drink", "drink_water"}, reassess=15),
    ex("G13-2.2-mmol-confusion-insulin", {"blood_glucose": 2.2, **MMOL, "confusion": True, "glucose_lowering_medication": True},
       "emergency", flags={"severe_hypoglycemia"}, top="hypoglycemia", texts={"oral_carbohydrate": "gel or tablets only"}),
    ex("G-LO-4.2-mg-dl", {"blood_glucose": 4.2, **MG, "tremor": True, "hunger": True, "sweating": True}, "see_doctor",
       flags={"hypoglycemia"}, actions={"oral_carbohydrate", "see_doctor"}, top="hypoglycemia",
       warnings={"glucose_out_of_meter_range", "glucose_unit_suspicious"}),
    ex("pain-7.5", {"pain_score": 7.5}, "monitor", not_flags={"severe_pain"}),
    ex("pain-8-alone", {"pain_score": 8}, "urgent", flags={"severe_pain"}, contra={"massage", "heat", "stretch"}),
    ex("pain-8-weakness", {"pain_score": 8, "muscle_weakness": True}, "emergency", flags={"severe_pain"}),
    ex("pain-8-spasm-15", {"pain_score": 8, "spasm": True, "spasm_duration_min": 15}, "emergency", flags={"severe_pain"}),
    ex("hr-130.5-at-15-min", {"heart_rate_bpm": 130.5, "minutes_since_run_end": 15}, "urgent", flags={"heart_rate_red"}),
    ex("hr-38-timing-unknown", {"heart_rate_bpm": 38}, "monitor", flags={"heart_rate_amber"}, reassess=30, warnings=set()),
    ex("hr-38-pale", {"heart_rate_bpm": 38, "pale_skin": True}, "urgent", flags={"heart_rate_red"}, reassess=15),
    ex("short-cramp", {"spasm": True, "spasm_duration_min": 2}, "self_care", reassess=None, top="muscle_fatigue",
       actions={"stretch", "massage", "heat"}, not_actions={"ice"}, texts={"rest": "Eat, and drink to thirst."}),
    ex("hot-air-cold-core-headache", {"ambient_temp_c": 30, "core_temp_c": 35.5, "headache": True}, "monitor",
       flags={"cold_stress", "heat_exhaustion"}, contra={"rewarm", "ice"}, texts={"rest": "Rest somewhere warm"}),
    ex("over-drinker-confused", {"run_duration_min": 320, "fluid_intake_ml": 5200, "body_mass_pre_kg": 58,
                                 "body_mass_post_kg": 59.1, "ambient_temp_c": 16, "nausea_vomiting": True, "headache": True,
                                 "confusion": True}, "emergency", flags={"severe_hyponatremia", "suspected_heat_stroke"},
       actions={"cold_water_immersion"}, top="dehydration_electrolyte",
       texts={"cold_water_immersion": "If you cannot and the athlete is hot to the touch"}),
    # --- review 2 cases ---------------------------------------------------------------------------------------------
    ex("R01b-collapse-race-seizure-gasping", {"collapse": True, "collapse_during_run": True, "seizure": True,
                                             "breathing_normally": False, "ambient_temp_c": 15, "intensity": "race"},
       "emergency", flags={"not_breathing_normally"}, actions={"call_emergency", "cpr_aed", "nothing_by_mouth"},
       contra={"recovery_position", "cold_water_immersion", "legs_up"}, first=("call_emergency", "cpr_aed"),
       texts={"cpr_aed": "start CPR"}),
    ex("R01b-collapse-race-nothing-else", {"collapse": True, "collapse_during_run": True, "intensity": "race"}, "emergency",
       actions={"cpr_aed", "cold_water_immersion"},
       texts={"cpr_aed": "Check breathing for no more than 10 s", "cold_water_immersion": "If you cannot"}),
    ex("R01b-C9-unconscious-gasping-41.5", {"unconscious": True, "breathing_normally": False, "core_temp_c": 41.5},
       "emergency", flags={"exertional_heat_stroke", "not_breathing_normally"}, actions={"cpr_aed"},
       contra={"cold_water_immersion"}),
    ex("R04-confusion-cold-day", {"confusion": True, "ambient_temp_c": 8, "intensity": "race", "run_duration_min": 200},
       "emergency", flags={"suspected_heat_stroke"}, actions={"cold_water_immersion"}, not_actions={"rewarm"},
       texts={"cold_water_immersion": "Measure rectal temperature first", "rest": "passive warmth only"}),
    ex("R05-insulin-2.5-vomiting", {"glucose_lowering_medication": True, "blood_glucose": 2.5, **MMOL, "vomiting": True},
       "emergency", flags={"hypoglycemia_cannot_swallow"}, actions={"oral_carbohydrate"},
       texts={"oral_carbohydrate": "gel or tablets only", "call_emergency": "Glucagon"}),
    ex("R06-300-min-vomiting", {"run_duration_min": 300, "vomiting": True}, "emergency", flags={"severe_hyponatremia"},
       contra={"drink_water", "electrolyte_drink"}),
    ex("R07-dka-no-diabetes", {"has_diabetes": False, "blood_glucose": 450, **MG, "blood_ketones_mmol_l": 3.5, "vomiting": True},
       "emergency", flags={"possible_dka"}, top=None),
    ex("R07-450-thirst", {"has_diabetes": False, "blood_glucose": 450, **MG, "thirst": True}, "urgent",
       flags={"hyperglycemia"}, actions={"check_ketones"}),
    ex("R09-post-finish-collapse-palpitations", {"collapse": True, "collapse_during_run": False, "palpitations": True,
                                                "confusion": False}, "urgent", not_flags={"post_finish_collapse"}),
    ex("R11-long-run-gain-cold", {"run_duration_min": 330, "body_mass_pre_kg": 60, "body_mass_post_kg": 60.9,
                                  "ambient_temp_c": 6, "tremor": True}, "monitor", flags={"hyponatremia_risk", "cold_stress"},
       actions={"rewarm"}, not_actions={"drink_water", "electrolyte_drink"}, texts={"rewarm": "No drinks."}),
    ex("R15-chest-pain-pain-6", {"chest_pain": True, "pain_score": 6}, "emergency", contra={"ice", "legs_up"}),
    ex("R21-840-ml-h-hot-short-cramp", {"run_duration_min": 150, "fluid_intake_ml": 2100, "ambient_temp_c": 30, "spasm": True,
                                        "spasm_duration_min": 2}, "self_care", not_flags={"overdrinking", "hyponatremia_risk"}),
]


@pytest.mark.parametrize("e", EXAMPLES)
def test_worked_example(e):
    a = assess(e["obs"])
    flags = set(a.flags)
    advised = [x["id"] for x in a.actions]
    contra = {x["id"] for x in a.contraindicated}
    assert a.escalation == e["tier"], a.reasons
    assert e["flags"] <= flags
    assert not e["not_flags"] & flags
    assert e["actions"] <= set(advised)
    assert not e["not_actions"] & set(advised)
    assert e["contra"] <= contra
    if e["reassess"] is not SKIP:
        assert a.reassess_in_min == e["reassess"]
    if e["warnings"] is not None:
        assert {w.split(":", 1)[0] for w in a.warnings} == e["warnings"]
    if e["top"] is not SKIP:
        assert a.top_cause == e["top"]
    texts = {x["id"]: x["text"] for x in a.actions}
    for action, fragment in e["texts"].items():
        assert fragment in texts[action], (action, texts[action])
    if e["first"]:
        assert tuple(advised[:len(e["first"])]) == e["first"]
