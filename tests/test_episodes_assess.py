"""Episodes end to end: ``kit.assess(observation, history=...)``, ``assess_frame`` and the CLI.

Every recheck worked example of clinical-reference §9.12 (the "Recheck:" rows, R02 for K7,
R12 for K8) is a test here; the four public history cases are in tests/test_cases.py.
Properties: the frame equals ``assess(row, history=predecessors)`` row for row on random
episodes, and an earlier red flag keeps the tier at least urgent at every later recheck.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit import ObservationError, assess, assess_frame
from kit.cli import main
from kit.engine.rules import TIERS
from kit.engine.thresholds import T

T0 = datetime(2025, 6, 14, 9, 0, tzinfo=UTC)
RANK = {t: i for i, t in enumerate(TIERS)}


def at(minutes):
    return (T0 + timedelta(minutes=minutes)).isoformat()


def episode(*steps, eid="E1"):
    """Observations of one episode: each step is (minutes after T0 or None, fields)."""
    out = []
    for minutes, fields in steps:
        o = {"episode_id": eid, **fields}
        if minutes is not None:
            o["observed_at"] = at(minutes)
        out.append(o)
    return out


def run(steps):
    """Assess the last observation with the others as history."""
    return assess(steps[-1], history=steps[:-1])


def ids(items):
    return {x["id"] for x in items}


def codes(warnings):
    return [w.split(":", 1)[0] for w in warnings]


# --- §9.12 worked examples: "Recheck:" rows --------------------------------------------------------------------------

def test_recheck_presumptive_hypo_treated_twice_is_emergency():
    insulin = {"glucose_lowering_medication": True, "tremor": True, "sweating": True}
    steps = episode((0, insulin), (15, {**insulin, "treatment_given": ["oral_carbohydrate"]}),
                    (30, {**insulin, "treatment_given": ["oral_carbohydrate"]}))
    a = run(steps)
    assert "hypoglycemia" in a.flags
    assert a.escalation == "emergency"
    assert a.recheck_reasons[0] == "glucose_not_recovering"
    assert "call_emergency" in ids(a.actions)


def test_recheck_60_then_62_mg_dl_treated_at_both_is_emergency():
    g = {"blood_glucose_unit": "mg/dL"}
    steps = episode((0, {**g, "blood_glucose": 60, "treatment_given": ["oral_carbohydrate"]}),
                    (15, {**g, "blood_glucose": 62, "treatment_given": ["oral_carbohydrate"]}))
    a = run(steps)
    assert a.escalation == "emergency" and "glucose_not_recovering" in a.recheck_reasons
    assert a.reassess_in_min == 5
    first = assess(steps[0], history=[])
    assert first.trend == "first" and first.escalation == "monitor"


def test_recheck_post_finish_collapse_unchanged_35_min_is_emergency_transfer():
    pfc = {"collapse": True, "collapse_during_run": False, "dizziness": True, "pale_skin": True}
    steps = episode((0, pfc), (35, pfc))
    assert assess(steps[0]).escalation == "monitor"
    a = run(steps)
    assert "post_finish_collapse" in a.flags
    assert a.escalation == "emergency" and a.recheck_reasons == ("not_improving",)
    assert a.trend == "unchanged"


def test_recheck_post_finish_collapse_unchanged_29_min_is_not_yet_escalated():
    pfc = {"collapse": True, "collapse_during_run": False, "dizziness": True, "pale_skin": True}
    a = run(episode((0, pfc), (29, pfc)))
    assert a.escalation == "monitor" and a.recheck_reasons == ()


def test_recheck_nothing_recorded_twice_40_min_apart_stays_monitor():
    a = run(episode((0, {}), (40, {})))
    assert a.escalation == "monitor" and "not_improving" not in a.recheck_reasons
    assert a.reassess_in_min == 15 and "no_findings" in codes(a.warnings)


def test_recheck_spasm_40_min_still_locked_25_min_later_after_stretching():
    steps = episode((0, {"spasm": True, "spasm_duration_min": 40}),
                    (25, {"spasm": True, "treatment_given": ["stretch"]}))
    assert assess(steps[0]).escalation == "monitor"
    a = run(steps)
    assert a.escalation == "emergency" and "prolonged_spasm" in a.flags
    assert "spasm_unrelieved" in codes(a.warnings)
    assert a.recheck_reasons == ("spasm_unrelieved", "new_red_flag") and a.trend == "worsening"
    assert {"stretch", "massage", "heat"} <= ids(a.contraindicated)


def test_recheck_spasm_count_restarts_after_a_resolved_cramp():
    steps = episode((0, {"spasm": True, "spasm_duration_min": 3}), (30, {"spasm": False}),
                    (65, {"spasm": True, "spasm_duration_min": 1}))
    a = run(steps)
    assert a.escalation == "self_care" and a.reassess_in_min is None
    assert "prolonged_spasm" not in a.flags


def test_recheck_urine_colour_7_unchanged_is_not_escalated():
    steps = episode((0, {"urine_color": 7, "thirst": True}), (35, {"urine_color": 7, "thirst": False}))
    a = run(steps)
    assert a.escalation == "monitor" and "not_improving" not in a.recheck_reasons


# --- §9.12 R02 (K7) ---------------------------------------------------------------------------------------------------

def test_r02_heat_stroke_cooled_and_lucid_stays_emergency_with_handover():
    steps = episode((0, {"core_temp_c": 41.3, "confusion": True, "ambient_temp_c": 29}),
                    (25, {"core_temp_c": 38.4, "confusion": False, "ambient_temp_c": 29,
                          "treatment_given": ["cold_water_immersion"]}))
    a = run(steps)
    assert a.escalation == "emergency"
    assert "red_flag_earlier" in a.recheck_reasons
    assert a.trend == "improving"
    assert "nsaid" in ids(a.contraindicated)
    call = next(x for x in a.actions if x["id"] == "call_emergency")
    assert "hand over" in call["text"]


def test_r02_severe_hypo_recovered_is_urgent_not_emergency():
    steps = episode((0, {"confusion": True, "blood_glucose": 2.4, "blood_glucose_unit": "mmol/L", "core_temp_c": 37.0,
                         "glucose_lowering_medication": True}),
                    (20, {"confusion": False, "blood_glucose": 110, "blood_glucose_unit": "mg/dL",
                          "glucose_lowering_medication": True, "treatment_given": ["oral_carbohydrate"]}))
    assert "severe_hypoglycemia" in assess(steps[0]).flags
    a = run(steps)
    assert a.escalation == "urgent"
    assert a.recheck_reasons == ("red_flag_earlier",)
    assert "urgent_care" in ids(a.actions) and "nsaid" in ids(a.contraindicated)
    assert a.trend == "improving"


def test_r02_unconscious_with_core_unknown_earlier_is_emergency():
    steps = episode((0, {"unconscious": True, "blood_glucose": 2.4, "blood_glucose_unit": "mmol/L",
                         "glucose_lowering_medication": True}),
                    (20, {"unconscious": False, "confusion": False, "blood_glucose": 110, "blood_glucose_unit": "mg/dL",
                          "glucose_lowering_medication": True}))
    assert "suspected_heat_stroke" in assess(steps[0]).flags
    a = run(steps)
    assert a.escalation == "emergency" and "red_flag_earlier" in a.recheck_reasons


# --- §9.12 R12 (K8) ---------------------------------------------------------------------------------------------------

def test_r12_low_glucose_symptom_free_without_reading_keeps_see_doctor_and_15_min():
    steps = episode((0, {"blood_glucose": 2.7, "blood_glucose_unit": "mmol/L", "tremor": True, "sweating": True}),
                    (15, {"tremor": False, "sweating": False, "treatment_given": ["oral_carbohydrate"]}))
    assert assess(steps[0]).escalation == "see_doctor"
    a = run(steps)
    assert a.escalation == "see_doctor"
    assert a.reassess_in_min == 15
    assert a.recheck_reasons == ("glucose_not_confirmed",)
    assert "see_doctor" in ids(a.actions)


def test_r12_insulin_user_symptom_free_without_reading_is_monitor_15():
    steps = episode((0, {"glucose_lowering_medication": True, "blood_glucose": 3.5, "blood_glucose_unit": "mmol/L",
                         "tremor": True}),
                    (15, {"glucose_lowering_medication": True, "tremor": False,
                          "treatment_given": ["oral_carbohydrate"]}))
    a = run(steps)
    assert a.escalation == "monitor" and a.reassess_in_min == 15
    assert a.recheck_reasons == ("glucose_not_confirmed",)


def test_r12_a_measured_4_8_mmol_l_confirms_recovery():
    steps = episode((0, {"glucose_lowering_medication": True, "blood_glucose": 3.5, "blood_glucose_unit": "mmol/L",
                         "tremor": True}),
                    (15, {"glucose_lowering_medication": True, "tremor": False, "blood_glucose": 4.8,
                          "blood_glucose_unit": "mmol/L", "treatment_given": ["oral_carbohydrate"]}))
    a = run(steps)
    assert "glucose_not_confirmed" not in a.recheck_reasons
    single = assess({k: v for k, v in steps[-1].items()})
    assert a.escalation == single.escalation


def test_r12_a_reinterpreted_reading_does_not_confirm():
    steps = episode((0, {"blood_glucose": 3.0, "blood_glucose_unit": "mmol/L", "tremor": True}),
                    (15, {"tremor": False, "blood_glucose": 110, "blood_glucose_unit": "mmol/L"}))  # read as 110 mg/dL (D1b)
    a = run(steps)
    assert "glucose_not_confirmed" in a.recheck_reasons and a.reassess_in_min == 15


# --- history semantics ---------------------------------------------------------------------------------------------------

def test_no_history_and_empty_history_equal_the_single_observation():
    o = {"episode_id": "E", "spasm": True, "spasm_duration_min": 20, "observed_at": at(0)}
    assert assess(o).to_dict() == assess(o, history=[]).to_dict() == assess(o, history=None).to_dict()
    d = assess(o).to_dict()
    assert d["trend"] == "first" and d["recheck_reasons"] == [] and d["rule_set"] == "0.2"


def test_history_order_does_not_matter_when_every_row_has_a_time():
    steps = episode((0, {"spasm": True, "spasm_duration_min": 40}), (10, {"spasm": True}),
                    (25, {"spasm": True, "treatment_given": ["stretch"]}))
    assert run(steps).to_dict() == assess(steps[-1], history=steps[-2::-1]).to_dict()


@pytest.mark.parametrize("bad", [{"episode_id": "OTHER"}, {}])
def test_history_from_another_or_no_episode_is_an_error_naming_its_index(bad):
    steps = episode((0, {"tremor": True}), (15, {"tremor": True}), (30, {"tremor": True}))
    hist = [steps[0], {**{k: v for k, v in steps[1].items() if k != "episode_id"}, **bad}]
    with pytest.raises(ObservationError) as exc:
        assess(steps[2], history=hist)
    assert isinstance(exc.value, ValueError)
    assert [(p.row, p.field) for p in exc.value.problems] == [("history[1]", "episode_id")]


def test_invalid_history_item_is_reported_with_its_index():
    steps = episode((0, {"pain_score": 12}), (15, {"tremor": True}))
    with pytest.raises(ObservationError) as exc:
        run(steps)
    assert [(p.row, p.field) for p in exc.value.problems] == [("history[0]", "pain_score")]


def test_missing_times_warn_and_skip_time_rules():
    he = {"ambient_temp_c": 29, "nausea_vomiting": True, "dizziness": True}
    steps = episode((None, he), (40, {**he, "treatment_given": ["rest"]}))
    a = run(steps)
    assert "recheck_time_unknown" in codes(a.warnings)
    assert "heat_exhaustion_not_improving" not in a.recheck_reasons and a.escalation == "monitor"


def test_treatment_given_with_an_unknown_action_id_is_an_error():
    with pytest.raises(ObservationError) as exc:
        assess({"episode_id": "E", "treatment_given": ["sugar"]})
    assert "treatment_given" in exc.value.fields


# --- CLI ------------------------------------------------------------------------------------------------------------

def cli(data):
    out, err = io.StringIO(), io.StringIO()
    import sys
    old = sys.stdin
    sys.stdin = io.StringIO(json.dumps(data))
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["assess", "-", "--compact"])
    finally:
        sys.stdin = old
    return code, out.getvalue(), err.getvalue()


def test_cli_list_with_episodes_answers_each_with_its_predecessors_in_input_order():
    g = {"blood_glucose_unit": "mg/dL"}
    e1 = episode((0, {**g, "blood_glucose": 60, "treatment_given": ["oral_carbohydrate"]}),
                 (15, {**g, "blood_glucose": 62, "treatment_given": ["oral_carbohydrate"]}), eid="A")
    lone = {"tremor": True}
    e2 = episode((0, {"spasm": True, "spasm_duration_min": 50}), (12, {"spasm": True, "treatment_given": ["stretch"]}), eid="B")
    items = [e1[1], e2[1], lone, e2[0], e1[0]]  # out of order, interleaved
    code, out, err = cli(items)
    assert code == 0, err
    got = json.loads(out)
    assert len(got) == 5
    assert got[0] == assess(e1[1], history=[e1[0]]).to_dict()
    assert got[1] == assess(e2[1], history=[e2[0]]).to_dict()
    assert got[2] == assess(lone).to_dict()
    assert got[3] == assess(e2[0]).to_dict() and got[4] == assess(e1[0]).to_dict()
    assert [g["trend"] for g in got] == ["unchanged", "worsening", "first", "first", "first"]
    assert got[0]["escalation"] == "emergency" and got[1]["escalation"] == "emergency"


def test_cli_single_object_has_trend_first():
    code, out, _ = cli({"episode_id": "A", "tremor": True})
    assert code == 0 and json.loads(out)["trend"] == "first"


def test_cli_invalid_observation_in_an_episode_list_exits_2_with_nothing_on_stdout():
    items = episode((0, {"tremor": True}), (15, {"pain_score": 11}), eid="A")
    code, out, err = cli(items)
    assert code == 2 and out == "" and "row 1" in err and "pain_score" in err


# --- frame --------------------------------------------------------------------------------------------------------

FRAME_COLS = ["escalation", "top_cause", "flags", "reassess_in_min", "trend"]


def expected_rows(items):
    """Each item assessed with its predecessors (episode order) as history."""
    from kit.engine.episodes import episode_orders

    hist: dict[int, list] = {}
    for order in episode_orders([o.get("episode_id") for o in items], [o.get("observed_at") for o in items]):
        for k, i in enumerate(order):
            hist[i] = [items[j] for j in order[:k]]
    rows = []
    for i, o in enumerate(items):
        a = assess(o, history=hist.get(i))
        rows.append({"escalation": a.escalation, "top_cause": a.top_cause, "flags": ";".join(sorted(a.flags)),
                     "reassess_in_min": a.reassess_in_min, "trend": a.trend,
                     **{f"score_{c['cause']}": c["score"] for c in a.causes}})
    return rows


def frame_of(items):
    df = pd.DataFrame.from_records(items)
    if "treatment_given" in df.columns:
        df["treatment_given"] = df["treatment_given"].map(lambda v: v if isinstance(v, list) else None)
    return df


def compare(items, df=None):
    df = frame_of(items) if df is None else df
    out = assess_frame(df, progress=False)
    exp = expected_rows(items)
    for pos, e in enumerate(exp):
        row = out.iloc[pos]
        for k, v in e.items():
            got = row[k]
            if k == "reassess_in_min":
                assert (v is None and pd.isna(got)) or got == v, (pos, k, got, v, items[pos])
            else:
                assert got == v, (pos, k, got, v, items[pos])
    return out


def test_frame_episode_rows_equal_assess_with_predecessors():
    g = {"blood_glucose_unit": "mg/dL"}
    e1 = episode((0, {**g, "blood_glucose": 60, "treatment_given": ["oral_carbohydrate"]}),
                 (15, {**g, "blood_glucose": 62, "treatment_given": ["oral_carbohydrate"]}), eid="A")
    e2 = episode((0, {"spasm": True, "spasm_duration_min": 40}), (25, {"spasm": True, "treatment_given": ["stretch"]}), eid="B")
    items = [e2[1], e1[1], {"tremor": True}, e1[0], e2[0]]
    out = compare(items)
    assert out["trend"].tolist() == ["worsening", "unchanged", "first", "first", "first"]
    assert out["escalation"].tolist()[:2] == ["emergency", "emergency"]
    assert out.index.tolist() == list(range(5))


def test_frame_treatment_given_as_joined_text():
    items = episode((0, {"spasm": True, "spasm_duration_min": 40}), (25, {"spasm": True, "treatment_given": ["stretch", "massage"]}))
    df = frame_of(items)
    df["treatment_given"] = [None, "stretch;massage"]
    out = assess_frame(df, progress=False)
    assert out["escalation"].tolist() == ["monitor", "emergency"]
    assert out["trend"].tolist() == ["first", "worsening"]


def test_frame_without_episodes_has_trend_first_and_reassess_column():
    out = assess_frame(pd.DataFrame({"tremor": [True, None], "spasm": [None, True], "spasm_duration_min": [None, 2.0]}),
                       progress=False)
    assert out["trend"].tolist() == ["first", "first"]
    assert "reassess_in_min" in out.columns


# --- properties on random episodes -----------------------------------------------------------------------------------

_ACTIONS = ["oral_carbohydrate", "stretch", "rest", "cold_water_immersion", "legs_up", "massage"]


@st.composite
def recheck_obs(draw):
    o = {}
    for name in ("tremor", "spasm", "sweating", "hunger", "dizziness", "headache", "nausea_vomiting", "confusion",
                 "pale_skin", "collapse", "collapse_during_run", "glucose_lowering_medication", "has_diabetes", "thirst"):
        if draw(st.integers(0, 3)) == 0:
            o[name] = draw(st.booleans())
    if draw(st.booleans()):
        o["spasm_duration_min"] = draw(st.sampled_from([0, 1, 14, 15, 30, 45, 59, 60, 90]))
    if draw(st.integers(0, 2)) == 0:
        o["pain_score"] = draw(st.sampled_from([0, 3, 5, 7.5, 8]))
    if draw(st.booleans()):
        unit = draw(st.sampled_from(["mg/dL", "mmol/L"]))
        mg = draw(st.sampled_from([45, 54, 60, 69.9, 70, 85, 110, 260]))
        o["blood_glucose"] = round(mg / 18.016, 1) if unit == "mmol/L" else mg
        o["blood_glucose_unit"] = unit
    if draw(st.integers(0, 2)) == 0:
        o["core_temp_c"] = draw(st.sampled_from([31.5, 34.0, 34.5, 35.5, 37.0, 38.6, 39.5, 40.6]))
    if draw(st.integers(0, 2)) == 0:
        o["ambient_temp_c"] = draw(st.sampled_from([5, 15, 29]))
    if draw(st.integers(0, 2)) == 0:
        o["urine_color"] = draw(st.sampled_from([3, 7]))
    if draw(st.booleans()):
        o["treatment_given"] = draw(st.lists(st.sampled_from(_ACTIONS), max_size=2, unique=True))
    return o


@st.composite
def episodes_list(draw):
    items = []
    n = draw(st.integers(1, 7))
    for _ in range(n):
        o = draw(recheck_obs())
        eid = draw(st.sampled_from(["A", "A", "B", None]))
        if eid is not None:
            o["episode_id"] = eid
        minutes = draw(st.one_of(st.none(), st.sampled_from([0, 10, 15, 29, 30, 40, 65]))) \
            if draw(st.integers(0, 5)) == 0 else draw(st.sampled_from([0, 10, 15, 29, 30, 40, 65]))
        if minutes is not None:
            o["observed_at"] = at(minutes)
        items.append(o)
    return items


PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(episodes_list())
def test_frame_equals_assess_with_predecessors_on_random_episodes(items):
    compare(items)


_UNCONDITIONAL_RED = {"altered_mental_status", "severe_hypoglycemia", "hypoglycemia_cannot_swallow", "not_breathing_normally",
                      "exertional_heat_stroke", "hyperthermia", "suspected_heat_stroke", "severe_hyponatremia",
                      "rhabdomyolysis_red", "compartment_syndrome_risk", "exertional_sickling", "cardiorespiratory_red_flag",
                      "collapse_during_run", "severe_hypothermia", "possible_dka", "prolonged_spasm"}


@PROPS
@given(st.lists(recheck_obs(), min_size=2, max_size=5), st.data())
def test_an_earlier_red_flag_keeps_the_tier_at_least_urgent_at_every_later_recheck(obs_list, data):
    items = [{**o, "episode_id": "E", "observed_at": at(10 * k)} for k, o in enumerate(obs_list)]
    seen_red = False
    for k, o in enumerate(items):
        a = assess(o, history=items[:k])
        if seen_red:
            assert RANK[a.escalation] >= RANK["urgent"], (k, items)
            assert "red_flag_earlier" in a.recheck_reasons
        seen_red = seen_red or bool(set(a.flags) & _UNCONDITIONAL_RED)


@PROPS
@given(st.lists(recheck_obs(), min_size=1, max_size=5))
def test_recheck_never_lowers_the_single_observation_tier(obs_list):
    # final tier = max(base, recheck): with history the tier is never below the base tier of the same
    # observation scored alone, except through K4, which only lengthens the spasm total
    items = [{**o, "episode_id": "E", "observed_at": at(10 * k)} for k, o in enumerate(obs_list)]
    for k, o in enumerate(items):
        assert RANK[assess(o, history=items[:k]).escalation] >= RANK[assess(o).escalation]


def test_frame_keeps_a_non_default_index_for_episode_rows():
    items = episode((0, {"spasm": True, "spasm_duration_min": 50}), (12, {"spasm": True, "treatment_given": ["stretch"]}))
    df = frame_of(items)
    df.index = pd.Index([70, 12], name="obs")
    out = assess_frame(df, progress=False)
    assert out.index.tolist() == [70, 12] and out.loc[12, "trend"] == "worsening"
    assert np.isclose(out.loc[12, "reassess_in_min"], 5)


def test_frame_with_datetime_column_and_nullable_dtypes_orders_episodes_by_time():
    items = episode((25, {"spasm": True, "treatment_given": ["stretch"]}), (0, {"spasm": True, "spasm_duration_min": 40}),
                    (10, {"spasm": True}))
    df = frame_of(items)
    df["observed_at"] = pd.to_datetime(df["observed_at"], utc=True)
    df["spasm"] = df["spasm"].astype("boolean")
    df["episode_id"] = df["episode_id"].astype("string")
    out = assess_frame(df, progress=False)
    assert out["trend"].tolist() == ["worsening", "first", "unchanged"]
    assert out["escalation"].tolist() == ["emergency", "monitor", "monitor"]
    assert out.loc[0, "escalation"] == run([items[1], items[2], items[0]]).escalation


_HYPO = {"hypoglycemia", "falling_glucose", "severe_hypoglycemia"}


def _reliable_g(o):
    """mg/dL of a reading inside its meter range (the strategy only draws those), else None."""
    if "blood_glucose" not in o:
        return None
    return o["blood_glucose"] * T.glucose_mmol_to_mg_dl if o["blood_glucose_unit"] == "mmol/L" else o["blood_glucose"]


@PROPS
@given(st.lists(recheck_obs(), min_size=2, max_size=5))
def test_a_low_glucose_is_not_over_until_a_reading_shows_it(obs_list):
    # K8: after a hypoglycaemia flag, a check without one stays >= monitor with a 15-min recheck until a reading >= 70 mg/dL
    items = [{**o, "episode_id": "E", "observed_at": at(10 * k)} for k, o in enumerate(obs_list)]
    pending = False
    for k, o in enumerate(items):
        a = assess(o, history=items[:k])
        hypo_now = bool(set(a.flags) & _HYPO)
        g = _reliable_g(o)
        confirmed = g is not None and g >= T.hypo_level1_mg_dl
        if pending and not hypo_now and not confirmed:
            assert "glucose_not_confirmed" in a.recheck_reasons
            assert RANK[a.escalation] >= RANK["monitor"] and a.reassess_in_min <= 15
        else:
            assert "glucose_not_confirmed" not in a.recheck_reasons
        pending = hypo_now or (pending and not confirmed)
