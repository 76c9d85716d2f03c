"""End to end: the consistency rules C1-C9 of clinical-reference §9.8 through ``kit.assess`` on
random observations (hypothesis), plus reading order, nsaid never advised and
``reassess_in_min`` null exactly for self_care.

tests/test_advice_properties.py checks the same rules on hand-made AdviceContexts; here the
kernel decides the flags, derived values and tier, so a mismatch between what the kernel
flags and what the advice reads (a wrong flag id, a derived value passed the wrong way) fails
here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit import assess
from kit.engine.advice import ACTION_ORDER, ACTION_TEXT, WHY

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

COLD = {"cold_stress", "hypothermia", "severe_hypothermia"}
TISSUE = {"rhabdomyolysis_risk", "rhabdomyolysis_red", "compartment_syndrome_risk", "dvt_risk", "prolonged_spasm", "severe_pain"}
DRINKS = {"drink_water", "electrolyte_drink"}
ORAL = {"oral_carbohydrate", "salty_snack", *DRINKS}
TIER_ACTION = {"emergency": "call_emergency", "urgent": "urgent_care", "see_doctor": "see_doctor"}

BOOLS = (
    "tremor", "spasm", "hunger", "sweating", "pale_skin", "palpitations", "confusion", "unconscious", "seizure",
    "nausea_vomiting", "vomiting", "headache", "dizziness", "thirst", "dark_urine", "numbness_tingling", "muscle_weakness",
    "muscle_swelling", "swelling_one_leg", "recent_long_travel", "sickle_cell_trait", "collapse", "collapse_during_run",
    "chest_pain", "breathing_difficulty", "breathing_normally", "has_diabetes", "glucose_lowering_medication", "nsaid_taken",
    "prevention_followed", "electrolyte_drink",
)
#: Values chosen at and around the §9 cut-offs, so random observations cross every rule.
NUMBERS = {
    "core_temp_c": [25.0, 29.5, 31.9, 32.0, 33.5, 34.9, 35.0, 35.5, 36.0, 37.0, 37.5, 38.4, 38.5, 38.6, 39.0, 39.9, 40.0,
                    40.2, 40.5, 41.5, 45.0],
    "ambient_temp_c": [-5, 6, 9.9, 10, 16, 26.9, 27, 30, 33],
    "pain_score": [0, 2.9, 3, 4, 5, 6, 7.5, 8, 10],
    "run_duration_min": [30, 59, 60, 150, 200, 239, 240, 300, 330],
    "fluid_intake_ml": [0, 500, 2100, 4500, 5200, 7000],
    "spasm_duration_min": [0, 1, 2, 3, 14, 15, 40, 59, 60, 90],
    "urine_color": [1, 3, 4, 6, 7, 8],
    "heart_rate_bpm": [38, 40, 41, 95, 110, 111, 130, 130.5, 150, 219, 220, 226],
    "minutes_since_run_end": [0, 5, 9.9, 10, 15, 40],
    "serum_sodium_mmol_l": [125, 129.9, 130, 134, 135, 140],
    "blood_ketones_mmol_l": [0.2, 0.6, 1.4, 1.5, 2.9, 3.0, 3.5],
    "prior_episodes_30d": [0, 1, 2, 3, 8, 12],
    "intensity": ["easy", "moderate", "hard", "race"],
}
GLUCOSE = [(60, "mg/dL"), (45, "mmol/L"), (60, "mmol/L"), (4.2, "mg/dL"), (15, "mg/dL"), (25, "mg/dL"), (72, "mg/dL"),
           (85, "mg/dL"), (110, "mg/dL"), (320, "mg/dL"), (450, "mg/dL"), (650, "mg/dL"), (0.8, "mmol/L"), (2.2, "mmol/L"),
           (2.5, "mmol/L"), (3.2, "mmol/L"), (4.8, "mmol/L"), (25, "mmol/L")]
YES_NO_UNKNOWN = st.sampled_from([None, False, True, None, False])


@st.composite
def observations(draw) -> dict:
    obs: dict = {}
    for k in BOOLS:
        v = draw(YES_NO_UNKNOWN)
        if v is not None or draw(st.booleans()):  # absent and null both mean unknown
            obs[k] = v
    for k, values in NUMBERS.items():
        if draw(st.integers(0, 2)) == 0:
            obs[k] = draw(st.sampled_from(values))
    if draw(st.integers(0, 2)) == 0:
        obs["blood_glucose"], obs["blood_glucose_unit"] = draw(st.sampled_from(GLUCOSE))
    if draw(st.integers(0, 3)) == 0:
        pre = draw(st.sampled_from([58.0, 60.0, 70.0]))
        obs["body_mass_pre_kg"] = pre
        obs["body_mass_post_kg"] = round(pre * (1 + draw(st.sampled_from([-0.034, -0.025, -0.02, -0.004, 0.0, 0.001, 0.005,
                                                                          0.015, 0.03]))), 2)
    return obs


def result(obs: dict):
    d = assess(obs).to_dict()
    actions = {a["id"]: a["text"] for a in d["actions"]}
    contra = {c["id"]: c["why"] for c in d["contraindicated"]}
    return d, [a["id"] for a in d["actions"]], actions, contra, set(d["flags"])


@SETTINGS
@given(observations())
def test_c1_no_id_in_both_lists(obs):
    _, order, actions, contra, _ = result(obs)
    assert not set(actions) & set(contra)
    assert len(order) == len(actions)


@SETTINGS
@given(observations())
def test_c2_gel_only_carbohydrate_when_drinks_are_contraindicated(obs):
    _, _, actions, contra, _ = result(obs)
    if "oral_carbohydrate" in actions:
        gel = "drink_water" in contra
        assert actions["oral_carbohydrate"] == ACTION_TEXT["oral_carbohydrate:gel_only" if gel else "oral_carbohydrate"]


@SETTINGS
@given(observations())
def test_c3_nothing_by_mouth_means_no_oral_action(obs):
    _, _, actions, _, _ = result(obs)
    if "nothing_by_mouth" in actions:
        assert not ORAL & set(actions)
        assert actions.get("rewarm", ACTION_TEXT["rewarm:no_drink"]) == ACTION_TEXT["rewarm:no_drink"]


@SETTINGS
@given(observations())
def test_c4_never_cooling_when_cold(obs):
    _, _, actions, contra, flags = result(obs)
    if flags & COLD:
        assert actions["rest"].startswith(ACTION_TEXT["rest:warm"])
        assert {"cold_water_immersion", "ice"} <= set(contra)
        assert "cold_water_immersion" not in actions and "ice" not in actions


@SETTINGS
@given(observations())
def test_c5_overdrinking_means_no_drink_action(obs):
    _, _, actions, contra, flags = result(obs)
    if "overdrinking" in flags:
        assert not DRINKS & set(actions) and DRINKS <= set(contra)


@SETTINGS
@given(observations())
def test_c6_tissue_damage_means_no_massage_heat_or_stretch(obs):
    _, _, actions, contra, flags = result(obs)
    if flags & TISSUE:
        assert {"massage", "heat", "stretch"} <= set(contra)
        assert not {"massage", "heat", "stretch"} & set(actions)


@SETTINGS
@given(observations())
def test_c7_exactly_one_tier_action_matches_the_tier(obs):
    d, _, actions, _, _ = result(obs)
    present = set(TIER_ACTION.values()) & set(actions)
    expected = TIER_ACTION.get(d["escalation"])
    if expected is None:
        assert not present
    else:
        assert expected in present and present - {expected} <= {"see_doctor"}


@SETTINGS
@given(observations())
def test_c8_rewarm_offers_no_drink_when_drinks_are_contraindicated(obs):
    _, _, actions, contra, _ = result(obs)
    if "rewarm" in actions:
        assert actions["rewarm"] == ACTION_TEXT["rewarm:no_drink" if "drink_water" in contra else "rewarm"]


@SETTINGS
@given(observations())
def test_c9_cpr_first(obs):
    _, _, actions, contra, flags = result(obs)
    if "not_breathing_normally" in flags:
        assert "cpr_aed" in actions
        assert {"cold_water_immersion", "recovery_position", "legs_up"} <= set(contra)


@SETTINGS
@given(observations())
def test_order_nsaid_and_reassess(obs):
    d, order, actions, contra, _ = result(obs)
    assert order == sorted(order, key=ACTION_ORDER.index)
    assert "nsaid" not in actions and "rest" in actions
    assert (d["reassess_in_min"] is None) == (d["escalation"] == "self_care")
    if d["escalation"] != "self_care":
        assert d["reassess_in_min"] > 0
        assert "stop_running" in actions and "continue_running" in contra and contra["nsaid"].startswith(WHY["nsaid"])


# ---------------------------------------------------------------------------------------------
# The ids advice reads are the kernel's ids
# ---------------------------------------------------------------------------------------------

def test_every_id_advice_reads_is_a_kernel_flag_field_or_action():
    import ast
    import inspect

    import kit.engine.advice as advice
    from kit.engine.fields import FIELD_NAMES
    from kit.engine.rules import FLAGS, PATTERNS, RED_FLAGS, TIERS

    assert set(advice.RED_FLAGS) == set(RED_FLAGS)
    assert set(advice.PATTERN_REASON) == set(PATTERNS)
    assert advice.HEAT_FLAGS | advice.HYPO_FLAGS | advice.TISSUE_DAMAGE_FLAGS | set(advice.CARRIED) <= set(FLAGS)
    src = inspect.getsource(advice.choose_advice) + inspect.getsource(advice._rest_text)
    literals = {n.value for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    words = {s for s in literals if s.replace("_", "").isalpha() and s.islower()}
    known = (set(FLAGS) | set(FIELD_NAMES) | set(TIERS) | set(ACTION_ORDER) | {"nsaid", "continue_running"}
             | {k.split(":")[0] for k in ACTION_TEXT} | set(WHY) | {"id", "text", "why"})
    assert words - known == set(), "ids in kit.engine.advice that the kernel, fields or actions do not know"


@SETTINGS
@given(observations())
def test_contraindication_rows_hold_end_to_end(obs):
    _, _, _, contra, flags = result(obs)
    t = {k for k, v in obs.items() if v is True}
    if flags & {"hyponatremia_risk", "severe_hyponatremia", "overdrinking", "cardiorespiratory_red_flag",
                "suspected_heat_stroke", "exertional_heat_stroke", "altered_mental_status"} or t & {"vomiting", "unconscious"}:
        assert DRINKS <= set(contra)
    if t & {"unconscious", "seizure"} or "not_breathing_normally" in flags:
        assert {"oral_carbohydrate", "salty_snack"} <= set(contra)
    if flags & {"compartment_syndrome_risk", "cardiorespiratory_red_flag"}:
        assert {"ice", "legs_up"} <= set(contra)
    if flags & {"exertional_heat_stroke", "hyperthermia", "heat_exhaustion"}:
        assert "rewarm" in contra
    if flags & {"hyperglycemia", "ketosis"}:
        assert "continue_running" in contra
    if obs.get("nsaid_taken") is True:
        assert "Already taken" in contra["nsaid"]


# ---------------------------------------------------------------------------------------------
# Episodes (rechecks, §9.9): the same rules on the last observation of random episodes, and the
# K7 carry-forward (earlier red flags keep their contraindications; the handover text). These
# need kit.engine.episodes (branch episodes); without it they are skipped.
# ---------------------------------------------------------------------------------------------

#: Red flags that are red whenever they are flagged (heart_rate_red and severe_pain count only
#: with their symptoms, so the output's flag list cannot tell whether they were red).
ALWAYS_RED = {
    "altered_mental_status", "severe_hypoglycemia", "hypoglycemia_cannot_swallow", "not_breathing_normally",
    "exertional_heat_stroke", "hyperthermia", "suspected_heat_stroke", "severe_hyponatremia", "rhabdomyolysis_red",
    "compartment_syndrome_risk", "exertional_sickling", "cardiorespiratory_red_flag", "collapse_during_run",
    "severe_hypothermia", "possible_dka", "prolonged_spasm",
}
K7_HOSPITAL = {
    "exertional_heat_stroke", "hyperthermia", "suspected_heat_stroke", "cardiorespiratory_red_flag", "collapse_during_run",
    "not_breathing_normally", "severe_hyponatremia", "possible_dka", "exertional_sickling", "severe_hypothermia",
    "compartment_syndrome_risk", "rhabdomyolysis_red",
}
CARRIED_ROWS = {
    "rhabdomyolysis_red": {"massage", "heat", "stretch"}, "exertional_sickling": {"massage", "heat", "stretch"},
    "prolonged_spasm": {"massage", "heat", "stretch"}, "compartment_syndrome_risk": {"massage", "heat", "stretch", "ice", "legs_up"},
    "severe_hyponatremia": {"drink_water", "electrolyte_drink"}, "cardiorespiratory_red_flag": {"legs_up", "ice"},
    "severe_hypothermia": {"cold_water_immersion", "ice", "massage"},
}
TREATMENTS = ["oral_carbohydrate", "stretch", "massage", "rest", "cold_water_immersion", "drink_water", "rewarm"]


@st.composite
def episodes(draw) -> list[dict]:
    rows = draw(st.lists(observations(), min_size=2, max_size=3))
    at = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    for row in rows:
        row["episode_id"] = "ep-1"
        row["observed_at"] = at.isoformat()
        at += timedelta(minutes=draw(st.sampled_from([10, 20, 25, 30, 35])))
        given = draw(st.lists(st.sampled_from(TREATMENTS), max_size=2, unique=True))
        if given:
            row["treatment_given"] = given
    return rows


def _episode_results(rows):
    import pytest

    pytest.importorskip("kit.engine.episodes")
    return [assess(row, history=rows[:i]).to_dict() for i, row in enumerate(rows)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(episodes())
def test_episode_last_observation_keeps_c1_to_c9(rows):
    d = _episode_results(rows)[-1]
    actions = {a["id"]: a["text"] for a in d["actions"]}
    contra = {c["id"]: c["why"] for c in d["contraindicated"]}
    flags = set(d["flags"])
    assert not set(actions) & set(contra)  # C1
    if "oral_carbohydrate" in actions:  # C2
        assert actions["oral_carbohydrate"] == ACTION_TEXT["oral_carbohydrate:gel_only" if "drink_water" in contra
                                                           else "oral_carbohydrate"]
    if "nothing_by_mouth" in actions:  # C3
        assert not ORAL & set(actions)
    if flags & COLD:  # C4
        assert actions["rest"].startswith(ACTION_TEXT["rest:warm"]) and {"cold_water_immersion", "ice"} <= set(contra)
    if "overdrinking" in flags:  # C5
        assert not DRINKS & set(actions)
    if flags & TISSUE:  # C6
        assert {"massage", "heat", "stretch"} <= set(contra)
    present = set(TIER_ACTION.values()) & set(actions)  # C7
    expected = TIER_ACTION.get(d["escalation"])
    assert (not present) if expected is None else (expected in present and present - {expected} <= {"see_doctor"})
    if "rewarm" in actions:  # C8
        assert actions["rewarm"] == ACTION_TEXT["rewarm:no_drink" if "drink_water" in contra else "rewarm"]
    if "not_breathing_normally" in flags:  # C9
        assert "cpr_aed" in actions and {"cold_water_immersion", "recovery_position", "legs_up"} <= set(contra)
    assert (d["reassess_in_min"] is None) == (d["escalation"] == "self_care")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(episodes())
def test_episode_k7_carries_red_flag_contraindications_and_handover(rows):
    results = _episode_results(rows)
    earlier = set().union(*(set(r["flags"]) for r in results[:-1])) & ALWAYS_RED
    last = results[-1]
    actions = {a["id"]: a["text"] for a in last["actions"]}
    contra = {c["id"] for c in last["contraindicated"]}
    if earlier:
        assert "nsaid" in contra and "red_flag_earlier" in last["recheck_reasons"]
        for red in earlier:
            assert CARRIED_ROWS.get(red, set()) <= contra
            assert not CARRIED_ROWS.get(red, set()) & set(actions)
    if earlier & K7_HOSPITAL:
        assert last["escalation"] == "emergency"
        assert actions["call_emergency"].endswith(ACTION_TEXT["call_emergency:handover"])
