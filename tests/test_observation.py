"""Validation at the door: every bad input names the field, the value and the allowed range."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kit import ObservationError, assess
from kit.engine.fields import FIELDS
from kit.engine.observation import parse_observation, suggest_field

# (observation, field that must be named)
BAD_INPUTS: list[tuple[object, str]] = [
    ({"glucose": 5}, "glucose"),
    ({"blood_glucose": 5.4}, "blood_glucose_unit"),
    ({"blood_glucose": 90, "blood_glucose_unit": "mg/dl"}, "blood_glucose_unit"),
    ({"blood_glucose": 90, "blood_glucose_unit": "mmol"}, "blood_glucose_unit"),
    ({"blood_glucose": 0, "blood_glucose_unit": "mg/dL"}, "blood_glucose"),
    ({"blood_glucose": -3, "blood_glucose_unit": "mg/dL"}, "blood_glucose"),
    ({"blood_glucose": "90", "blood_glucose_unit": "mg/dL"}, "blood_glucose"),
    ({"pain_score": 11}, "pain_score"),
    ({"pain_score": -1}, "pain_score"),
    ({"pain_score": float("nan")}, "pain_score"),
    ({"pain_score": float("inf")}, "pain_score"),
    ({"pain_score": True}, "pain_score"),
    ({"tremor": "yes"}, "tremor"),
    ({"tremor": 1}, "tremor"),
    ({"spasm": "true"}, "spasm"),
    ({"confusion": [True]}, "confusion"),
    ({"urine_color": 2.5}, "urine_color"),
    ({"urine_color": 9}, "urine_color"),
    ({"urine_color": 0}, "urine_color"),
    ({"prior_episodes_30d": -1}, "prior_episodes_30d"),
    ({"prior_episodes_30d": 101}, "prior_episodes_30d"),
    ({"core_temp_c": 24.9}, "core_temp_c"),  # v0.2: 25-45 (v0.1 was 30-45)
    ({"core_temp_c": 45.1}, "core_temp_c"),
    ({"core_temp_c": 104}, "core_temp_c"),  # Fahrenheit typed into a Celsius field
    ({"ambient_temp_c": 60}, "ambient_temp_c"),
    ({"body_mass_pre_kg": 19.9, "body_mass_post_kg": 60}, "body_mass_pre_kg"),
    ({"body_mass_post_kg": 60}, "body_mass_post_kg"),
    ({"body_mass_pre_kg": 70, "body_mass_post_kg": 251}, "body_mass_post_kg"),
    ({"serum_sodium_mmol_l": 99}, "serum_sodium_mmol_l"),
    ({"heart_rate_bpm": 300}, "heart_rate_bpm"),
    ({"run_duration_min": 1441}, "run_duration_min"),
    ({"run_distance_km": -5}, "run_distance_km"),
    ({"fluid_intake_ml": 20001}, "fluid_intake_ml"),
    ({"hours_since_meal": 73}, "hours_since_meal"),
    ({"carbs_during_run_g": 1001}, "carbs_during_run_g"),
    ({"blood_ketones_mmol_l": 10.1}, "blood_ketones_mmol_l"),
    ({"minutes_since_run_end": -1}, "minutes_since_run_end"),
    ({"minutes_since_run_end": 10081}, "minutes_since_run_end"),
    ({"chest_pain": "yes"}, "chest_pain"),
    ({"episode_id": ""}, "episode_id"),
    ({"episode_id": "e" * 65}, "episode_id"),
    ({"treatment_given": ["stretch", "hug"]}, "treatment_given"),
    ({"treatment_given": 5}, "treatment_given"),
    ({"spasm_duration_min": -0.1}, "spasm_duration_min"),
    ({"intensity": "Hard"}, "intensity"),
    ({"intensity": "sprint"}, "intensity"),
    ({"intensity": 3}, "intensity"),
    ({"athlete_id": ""}, "athlete_id"),
    ({"athlete_id": "x" * 65}, "athlete_id"),
    ({"athlete_id": 17}, "athlete_id"),
    ({"notes": "n" * 2001}, "notes"),
    ({"observed_at": "yesterday"}, "observed_at"),
    ({"observed_at": "2026-05-01"}, "observed_at"),
    ({"observed_at": 1714550400}, "observed_at"),
    ({"Tremor": True}, "Tremor"),
    ({"pain": 5}, "pain"),
    ({"urine_colour": 5}, "urine_colour"),
    ({"dark_urine": None, "darkurine": True}, "darkurine"),
    ({"core_temp_c": "hot"}, "core_temp_c"),
    ({"has_diabetes": "no"}, "has_diabetes"),
    ({"blood_glucose": {"value": 5}, "blood_glucose_unit": "mmol/L"}, "blood_glucose"),
]


@pytest.mark.parametrize(("obs", "field"), BAD_INPUTS, ids=[f"{i}-{f}" for i, (_, f) in enumerate(BAD_INPUTS)])
def test_bad_input_raises_observation_error_naming_the_field(obs, field):
    with pytest.raises(ObservationError) as exc:
        assess(obs)
    assert field in exc.value.fields
    assert field in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_at_least_thirty_bad_inputs_are_tested():
    assert len(BAD_INPUTS) >= 30


@pytest.mark.parametrize("raw", [None, [], "tremor", 42, [{"tremor": True}]])
def test_non_mapping_is_rejected(raw):
    with pytest.raises(ObservationError) as exc:
        parse_observation(raw)
    assert exc.value.fields == ["<observation>"]


def test_every_problem_is_listed_at_once():
    with pytest.raises(ObservationError) as exc:
        assess({"pain_score": 11, "tremor": "yes", "urine_color": 2.5, "intensity": "Hard", "glucose": 5})
    assert set(exc.value.fields) == {"pain_score", "tremor", "urine_color", "intensity", "glucose"}


def test_message_states_value_and_allowed_range():
    with pytest.raises(ObservationError) as exc:
        assess({"pain_score": 11})
    msg = str(exc.value)
    assert "11" in msg and "from 0 to 10" in msg


def test_unknown_key_suggests_the_closest_field():
    with pytest.raises(ObservationError) as exc:
        assess({"urine_colour": 5})
    assert "did you mean 'urine_color'" in str(exc.value)
    assert suggest_field("Blood_Glucose") == "blood_glucose"


def test_unit_typo_suggests_the_right_spelling():
    with pytest.raises(ObservationError) as exc:
        assess({"blood_glucose": 90, "blood_glucose_unit": "mg/dl"})
    assert "Did you mean 'mg/dL'" in str(exc.value)
    assert exc.value.fields == ["blood_glucose_unit"]  # not also "required"


def test_nan_message_says_how_to_say_unknown():
    with pytest.raises(ObservationError) as exc:
        assess({"core_temp_c": math.nan})
    assert "leave the field out" in str(exc.value)


@pytest.mark.parametrize(("g", "unit"), [(5.4, "mg/dL"), (34.9, "mg/dL")])
def test_glucose_that_looks_like_mmol_labelled_mg_dl_warns(g, unit):
    a = assess({"blood_glucose": g, "blood_glucose_unit": unit})
    assert a.warnings and "mmol/L" in a.warnings[0]


def test_glucose_that_looks_like_mg_dl_labelled_mmol_is_reinterpreted_with_a_warning():
    # v0.2 D1(b): above the mmol/L meter range and inside the mg/dL range -> read as mg/dL, uncertain
    a = assess({"blood_glucose": 95, "blood_glucose_unit": "mmol/L"})
    assert [w.split(":")[0] for w in a.warnings] == ["glucose_unit_reinterpreted"]
    assert "read as 95 mg/dL" in a.warnings[0]


@pytest.mark.parametrize(("g", "unit"), [(35, "mg/dL"), (33.3, "mmol/L"), (5.4, "mmol/L"), (90, "mg/dL")])
def test_plausible_glucose_does_not_warn(g, unit):
    assert assess({"blood_glucose": g, "blood_glucose_unit": unit}).warnings == ()


def test_treatment_given_is_a_list_of_action_ids_duplicates_ignored():
    obs = parse_observation({"treatment_given": ["stretch", "oral_carbohydrate", "stretch"]})
    assert obs.treatment_given == ("stretch", "oral_carbohydrate")
    assert obs.to_dict() == {"treatment_given": ["stretch", "oral_carbohydrate"]}
    assert parse_observation({"treatment_given": []}).to_dict() == {}  # empty: unknown, as an empty CSV cell
    with pytest.raises(ObservationError, match="ids joined by ';'"):
        parse_observation({"treatment_given": "stretch; massage"})  # a joined string only in a frame or CSV cell
    with pytest.raises(ObservationError) as exc:
        parse_observation({"treatment_given": ["strech"]})
    assert "'strech' is not an action id" in str(exc.value) and "Did you mean 'stretch'" in str(exc.value)


def test_v0_2_fields_accept_their_ranges():
    obs = parse_observation({"core_temp_c": 25, "blood_ketones_mmol_l": 0, "minutes_since_run_end": 10080,
                             "episode_id": "E1", "collapse": True, "breathing_normally": False})
    assert obs.core_temp_c == 25 and obs.collapse is True and obs.breathing_normally is False


def test_a_warning_never_changes_the_reading():
    # 5.4 "mg/dL" is kept as entered (and is very low): no silent guess at mmol/L
    a = assess({"blood_glucose": 5.4, "blood_glucose_unit": "mg/dL"})
    assert "hypoglycemia" in a.flags


def test_none_means_unknown_and_is_not_false():
    obs = parse_observation({"confusion": None, "tremor": False})
    assert obs.confusion is None and obs.tremor is False
    assert obs.to_dict() == {"tremor": False}


def test_numpy_scalars_are_accepted():
    obs = parse_observation({"pain_score": np.float64(3), "tremor": np.bool_(True), "urine_color": np.int64(4)})
    assert obs.pain_score == 3 and obs.tremor is True and obs.urine_color == 4


def test_integral_float_is_accepted_for_whole_number_fields():
    assert parse_observation({"urine_color": 7.0}).urine_color == 7


def test_body_mass_change_percent():
    obs = parse_observation({"body_mass_pre_kg": 70, "body_mass_post_kg": 67.6})
    assert obs.body_mass_change_pct == pytest.approx(-3.428571, rel=1e-6)
    assert parse_observation({"body_mass_pre_kg": 70}).body_mass_change_pct is None


def test_every_contract_field_is_in_the_table():
    text = (__import__("pathlib").Path(__file__).resolve().parents[1] / "docs/reference/contract.md").read_text()
    table = text.split("## Assessment")[0]
    for name in FIELDS:
        assert f"{name}" in table, name


def test_free_text_is_kept_exactly():
    note = "  <script>alert(1)</script>, \"quoted\"\nnew line  "
    assert parse_observation({"notes": note}).notes == note


def test_observed_at_accepts_iso_8601_with_zone():
    for s in ("2026-05-01T09:30:00", "2026-05-01T09:30:00Z", "2026-05-01T09:30:00+02:00", "2026-05-01 09:30"):
        assert parse_observation({"observed_at": s}).observed_at == s


def test_giant_values_give_short_messages():
    for v in ("x" * 10_000_000, 10**5000, list(range(10_000))):
        with pytest.raises(ObservationError) as exc:
            assess({"pain_score": v})
        assert len(str(exc.value)) < 400 and "pain_score" in str(exc.value)


def test_absurd_but_positive_glucose_does_not_crash():
    a = assess({"blood_glucose": 9.99e306, "blood_glucose_unit": "mmol/L"})
    assert a.warnings  # flagged as implausible for mmol/L


def test_observation_error_survives_pickling():
    import pickle

    with pytest.raises(ObservationError) as exc:
        assess({"pain_score": 11, "tremor": "yes"})
    back = pickle.loads(pickle.dumps(exc.value))
    assert back.problems == exc.value.problems and str(back) == str(exc.value)
