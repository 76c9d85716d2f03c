"""kit.engine.episodes: ordering, K4 spasm totals and the recheck rules K1-K8 (clinical-reference §9.9).

Built from hand-made per-observation summaries, so that each rule is checked on its own,
at its boundaries (29 vs 30 min, 1 vs 2 treatments, 69.9 vs 70 mg/dL ...).
"""

from __future__ import annotations

import ast
import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.engine import episodes
from kit.engine.episodes import (
    FIRST,
    K7_EMERGENCY,
    RECHECK_REASONS,
    SpasmRow,
    StepSummary,
    elapsed_min,
    episode_orders,
    order_episode,
    parse_time,
    recheck,
    spasm_totals,
    treatment_set,
)
from kit.engine.observation import ObservationError
from kit.engine.rules import FLAGS, TIERS, Flags
from kit.engine.thresholds import T
from tests.conftest import ROOT

T0 = datetime(2025, 6, 14, 9, 0, tzinfo=UTC)
SELF_CARE, MONITOR, SEE_DOCTOR, URGENT, EMERGENCY = (TIERS.index(t) for t in
                                                     ("self_care", "monitor", "see_doctor", "urgent", "emergency"))


def step(base=MONITOR, *, red=(), flags=(), patterns=(), amber=None, dyn=None, a4=False, core=None,
         g=None, g_reliable=None, spasm=None, tx=(), at: float | None = 0.0) -> StepSummary:
    """A hand-made summary; ``at`` is minutes after T0 (None = time unknown). Red flags are also flags."""
    flags = frozenset(flags) | frozenset(red)
    amber = (1 if base == MONITOR else 0) if amber is None else amber
    return StepSummary(
        base_tier=base, red=frozenset(red), flags=flags, patterns=frozenset(patterns), amber_total=amber,
        dynamic_amber_total=amber if dyn is None else dyn, a4=a4, core_temp_c=core,
        g_reliable=(g is not None) if g_reliable is None else g_reliable, g=g, spasm=spasm,
        treatment_given=frozenset(tx), observed_at=None if at is None else T0 + timedelta(minutes=at))


def codes(warnings):
    return [w.split(":", 1)[0] for w in warnings]


# --- no history ---------------------------------------------------------------------------------------------------

def test_one_observation_is_first_with_no_recheck_tier():
    r = recheck([step(EMERGENCY, red={"exertional_heat_stroke"}, tx={"oral_carbohydrate", "stretch"}, spasm=True)])
    assert r == FIRST
    assert (r.tier_code, r.reasons, r.trend, r.warnings) == (0, (), "first", ())


def test_empty_episode_is_an_error():
    with pytest.raises(ValueError):
        recheck([])


# --- K1 glucose not recovering ------------------------------------------------------------------------------------

@pytest.mark.parametrize("flag", ["hypoglycemia", "falling_glucose", "severe_hypoglycemia"])
def test_k1_hypo_now_after_two_oral_treatments_is_emergency(flag):
    r = recheck([step(flags={flag}), step(flags={flag}, tx={"oral_carbohydrate"}, at=15),
                 step(flags={flag}, tx={"oral_carbohydrate"}, at=30)])
    assert r.tier_code == EMERGENCY
    assert "glucose_not_recovering" in r.reasons


def test_k1_one_treatment_is_not_enough():
    r = recheck([step(flags={"hypoglycemia"}), step(flags={"hypoglycemia"}, tx={"oral_carbohydrate"}, at=15)])
    assert "glucose_not_recovering" not in r.reasons
    assert r.tier_code < EMERGENCY


def test_k1_counts_the_first_observation_and_needs_no_times():
    r = recheck([step(flags={"hypoglycemia"}, tx={"oral_carbohydrate"}, at=None),
                 step(flags={"hypoglycemia"}, tx={"oral_carbohydrate"}, at=None)])
    assert r.reasons[0] == "glucose_not_recovering" and r.tier_code == EMERGENCY
    assert codes(r.warnings) == ["recheck_time_unknown"]


def test_k1_needs_a_hypoglycaemia_flag_now():
    r = recheck([step(flags={"hypoglycemia"}, tx={"oral_carbohydrate"}), step(flags={"hypoglycemia"}, tx={"oral_carbohydrate"}, at=15),
                 step(SELF_CARE, g=110, tx={"oral_carbohydrate"}, at=30)])
    assert "glucose_not_recovering" not in r.reasons


def test_k1_other_treatments_do_not_count():
    r = recheck([step(flags={"hypoglycemia"}, tx={"rest", "recheck_glucose"}),
                 step(flags={"hypoglycemia"}, tx={"oral_carbohydrate"}, at=15)])
    assert "glucose_not_recovering" not in r.reasons


def test_k1_threshold_is_the_table_value():
    assert T.k_glucose_treatments == 2


# --- K2 heat exhaustion not improving -----------------------------------------------------------------------------

@pytest.mark.parametrize(("minutes", "fires"), [(29, False), (29.99, False), (30, True), (45, True)])
def test_k2_heat_exhaustion_at_least_30_min_earlier(minutes, fires):
    r = recheck([step(flags={"heat_exhaustion"}), step(flags={"heat_exhaustion"}, at=minutes)])
    assert ("heat_exhaustion_not_improving" in r.reasons) is fires
    assert (r.tier_code >= URGENT) is fires
    assert T.k_heat_exhaustion_min == 30


def test_k2_a4_core_point_earlier_counts_as_heat_exhaustion():
    r = recheck([step(a4=True), step(flags={"heat_exhaustion"}, at=30)])
    assert r.reasons == ("heat_exhaustion_not_improving", "not_improving") and r.tier_code == URGENT


def test_k2_needs_heat_exhaustion_now():
    r = recheck([step(flags={"heat_exhaustion"}), step(a4=True, at=40)])
    assert "heat_exhaustion_not_improving" not in r.reasons


def test_k2_any_earlier_observation_counts_not_only_the_previous():
    r = recheck([step(flags={"heat_exhaustion"}, dyn=5), step(flags={"heat_exhaustion"}, dyn=5, at=20),
                 step(flags={"heat_exhaustion"}, at=35)])
    assert r.reasons == ("heat_exhaustion_not_improving",)


def test_k2_skipped_without_times_and_warns():
    r = recheck([step(flags={"heat_exhaustion"}, at=None), step(flags={"heat_exhaustion"}, at=60)])
    assert r.reasons == () and r.tier_code == 0
    assert codes(r.warnings) == ["recheck_time_unknown"]


# --- K3 monitor not improving -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("minutes", "fires"), [(29, False), (30, True)])
def test_k3_monitor_unchanged_for_30_min_is_urgent(minutes, fires):
    r = recheck([step(amber=2), step(amber=2, at=minutes)])
    assert (r.reasons == ("not_improving",)) is fires
    assert r.tier_code == (URGENT if fires else 0)
    assert T.k_not_improving_min == 30


def test_k3_fewer_dynamic_points_than_earlier_is_improving_not_escalated():
    assert recheck([step(amber=3), step(amber=2, at=30)]).reasons == ()
    assert recheck([step(amber=2), step(amber=3, at=30)]).reasons == ("not_improving",)  # worse: fires


def test_k3_needs_base_tier_monitor_now():
    assert recheck([step(amber=2), step(SEE_DOCTOR, amber=2, at=30)]).reasons == ()
    assert recheck([step(amber=2), step(URGENT, amber=5, at=30)]).reasons == ()


def test_k3_needs_a_dynamic_point_now_so_the_no_findings_floor_alone_never_escalates():
    # two observations 40 min apart with nothing recorded: base tier monitor by the floor, no amber point
    r = recheck([step(amber=0), step(amber=0, at=40)])
    assert r.reasons == () and r.tier_code == 0
    # urine colour 7 (A2, not dynamic): amber 1, dynamic 0
    assert recheck([step(amber=1, dyn=0), step(amber=1, dyn=0, at=35)]).reasons == ()


def test_k3_earlier_base_tier_must_be_at_least_monitor():
    assert recheck([step(SELF_CARE, amber=0, dyn=0), step(amber=1, at=30)]).reasons == ()
    assert recheck([step(EMERGENCY, red={"severe_pain"}, dyn=1), step(amber=1, at=30)]).reasons[0] == "not_improving"


def test_k3_with_post_finish_collapse_now_is_emergency_transfer():
    r = recheck([step(amber=3, dyn=2, flags={"post_finish_collapse"}),
                 step(amber=3, dyn=2, flags={"post_finish_collapse"}, at=35)])
    assert r.reasons == ("not_improving",) and r.tier_code == EMERGENCY


def test_k3_compares_dynamic_not_total_points():
    # total fell (a static point resolved) but the dynamic points did not: still not improving
    r = recheck([step(amber=3, dyn=2), step(amber=2, dyn=2, at=30)])
    assert r.reasons == ("not_improving",)


# --- K4 spasm unrelieved --------------------------------------------------------------------------------------------

def test_k4_stretch_given_and_spasm_now_is_reason_and_warning():
    r = recheck([step(spasm=True), step(spasm=True, tx={"stretch"}, at=12)])
    assert r.reasons == ("spasm_unrelieved",)
    assert r.warnings == ("spasm_unrelieved: spasm unrelieved by stretching",)
    assert r.tier_code == 0  # the escalation comes from the extended total in the base tier


def test_k4_stretch_at_an_earlier_observation_counts():
    r = recheck([step(spasm=True, tx={"stretch"}), step(spasm=True, at=12)])
    assert r.reasons == ("spasm_unrelieved",)


@pytest.mark.parametrize("spasm", [False, None])
def test_k4_no_spasm_now_no_reason(spasm):
    r = recheck([step(spasm=True, tx={"stretch"}), step(spasm=spasm, tx={"stretch"}, at=12)])
    assert "spasm_unrelieved" not in r.reasons and r.warnings == ()


def test_k4_without_stretch_no_reason():
    assert recheck([step(spasm=True), step(spasm=True, tx={"massage"}, at=12)]).reasons == ()


# --- K4 totals (before the kernel) ----------------------------------------------------------------------------------

def _t(minutes):
    return None if minutes is None else (T0 + timedelta(minutes=minutes)).isoformat()


def totals(*rows):
    return spasm_totals([SpasmRow(s, d, _t(m)) for s, d, m in rows])


def same(a, b):
    return len(a) == len(b) and all((x == y) or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))


def test_k4_total_counts_from_the_first_observation():
    # pub-31: 50 min at 09:00, still locked at 09:12 (duration not re-entered) -> 62
    assert same(totals((True, 50, 0), (True, None, 12)), [50, 62])


def test_k4_worked_example_40_plus_25_is_prolonged():
    got = totals((True, 40, 0), (True, 40, 25))
    assert got == [40, 65] and got[-1] >= T.prolonged_spasm_min


def test_k4_a_longer_current_duration_wins():
    assert totals((True, 10, 0), (True, 90, 5)) == [10, 90]


def test_k4_restarts_after_a_resolved_cramp():
    # cramp 3 min (t0), spasm false (t30), new 1-min cramp (t65): total 1 min, not 68
    got = totals((True, 3, 0), (False, None, 30), (True, 1, 65))
    assert got[0] == 3 and math.isnan(got[1]) and got[2] == 1


def test_k4_unknown_spasm_does_not_break_the_count():
    got = totals((True, 20, 0), (None, None, 20), (True, None, 45))
    assert got[0] == 20 and math.isnan(got[1]) and got[2] == 65


def test_k4_restart_counts_from_the_first_spasm_after_the_last_false():
    got = totals((True, 30, 0), (False, 30, 10), (True, 5, 20), (True, None, 70))
    assert got == [30, 30, 5, 55]  # false with a duration keeps its own duration (spasm_false_with_duration)


def test_k4_missing_time_makes_the_minutes_term_zero():
    assert totals((True, 50, None), (True, None, 12)) == [50, 50]
    assert totals((True, 50, 0), (True, 20, None)) == [50, 50]


def test_k4_unknown_first_duration_counts_as_zero_plus_minutes():
    got = totals((True, None, 0), (True, None, 61))
    assert math.isnan(got[0]) and got[1] == 61


def test_k4_nothing_known_stays_unknown_not_zero():
    got = totals((True, None, None), (True, None, None))
    assert all(math.isnan(x) for x in got)


def test_k4_single_observation_and_no_spasm_keep_their_own_duration():
    assert same(totals((True, None, 0)), [math.nan])
    assert totals((False, 90, 0)) == [90]
    assert same(totals((None, 12, 0), (None, None, 30)), [12, math.nan])


def test_k4_time_going_backwards_never_shortens_the_first_duration():
    assert totals((True, 30, 60), (True, None, 0)) == [30, 30]


def test_k4_accepts_kernel_encoding():
    assert totals((1.0, 50.0, 0), (1.0, math.nan, 12)) == [50, 62]
    got = totals((1.0, 50.0, 0), (0.0, math.nan, 12), (1.0, 2.0, 20))
    assert got[2] == 2


# --- K5 new red flag ----------------------------------------------------------------------------------------------

def test_k5_new_red_flag_is_emergency_and_worsening():
    r = recheck([step(amber=1), step(EMERGENCY, red={"prolonged_spasm"}, at=12)])
    assert r.reasons == ("new_red_flag",) and r.tier_code == EMERGENCY and r.trend == "worsening"


def test_k5_same_red_flag_again_is_not_new():
    r = recheck([step(EMERGENCY, red={"hypoglycemia_cannot_swallow"}),
                 step(EMERGENCY, red={"hypoglycemia_cannot_swallow"}, at=5)])
    assert "new_red_flag" not in r.reasons
    assert r.reasons == ("red_flag_earlier",)


def test_k5_a_different_red_flag_replacing_one_is_new():
    r = recheck([step(EMERGENCY, red={"prolonged_spasm"}), step(EMERGENCY, red={"severe_pain"}, at=5)])
    assert "new_red_flag" in r.reasons and r.trend == "worsening"


def test_k5_compares_with_the_previous_observation_only():
    r = recheck([step(EMERGENCY, red={"prolonged_spasm"}), step(amber=1, at=5), step(EMERGENCY, red={"prolonged_spasm"}, at=10)])
    assert "new_red_flag" in r.reasons


# --- K6 core falling in the cold ------------------------------------------------------------------------------------

def test_k6_hypothermia_and_falling_core_is_urgent():
    r = recheck([step(flags={"hypothermia"}, core=34.5), step(flags={"hypothermia"}, core=34.4, at=15)])
    assert r.reasons == ("core_falling",) and r.tier_code == URGENT


def test_k6_cold_stress_counts():
    assert recheck([step(core=36.5), step(flags={"cold_stress"}, core=35.8, at=15)]).reasons == ("core_falling",)


@pytest.mark.parametrize(("prev", "now"), [(34.4, 34.4), (34.0, 34.4), (None, 34.0)])
def test_k6_equal_rising_or_unknown_core_does_not_fire(prev, now):
    assert "core_falling" not in recheck([step(flags={"hypothermia"}, core=prev), step(flags={"hypothermia"}, core=now, at=15)]).reasons


def test_k6_needs_hypothermia_or_cold_stress_now():
    assert recheck([step(core=37.5), step(core=37.0, at=15)]).reasons == ()


# --- K7 red flag or pattern earlier ---------------------------------------------------------------------------------

@pytest.mark.parametrize("flag", sorted(K7_EMERGENCY))
def test_k7_earlier_hospital_red_flag_keeps_emergency_with_handover(flag):
    r = recheck([step(EMERGENCY, red={flag}), step(SELF_CARE, amber=0, at=25)])
    assert r.tier_code == EMERGENCY and r.handover
    assert r.reasons == ("red_flag_earlier",)
    assert r.earlier_red == {flag}
    assert r.trend == "improving"  # trend may still read improving


@pytest.mark.parametrize("flag", ["altered_mental_status", "severe_hypoglycemia", "hypoglycemia_cannot_swallow",
                                  "heart_rate_red", "prolonged_spasm", "severe_pain"])
def test_k7_other_earlier_red_flag_keeps_at_least_urgent(flag):
    r = recheck([step(EMERGENCY, red={flag}), step(SELF_CARE, amber=0, g=110, at=20)])  # a reading: no K8
    assert r.tier_code == URGENT and not r.handover and r.reasons == ("red_flag_earlier",)


def test_k7_any_earlier_observation_counts():
    r = recheck([step(EMERGENCY, red={"suspected_heat_stroke"}), step(amber=1, at=10), step(amber=1, at=20)])
    assert r.tier_code == EMERGENCY and r.handover and r.earlier_red == {"suspected_heat_stroke"}


def test_k7_a_red_flag_only_now_is_not_earlier():
    r = recheck([step(amber=1), step(EMERGENCY, red={"exertional_heat_stroke"}, at=10)])
    assert r.earlier_red == frozenset() and not r.handover and "red_flag_earlier" not in r.reasons


def test_k7_earlier_pattern_keeps_see_doctor_without_a_reason_id():
    r = recheck([step(SEE_DOCTOR, patterns={"P2"}), step(SELF_CARE, amber=0, at=15)])
    assert r.tier_code == SEE_DOCTOR and r.reasons == () and r.earlier_patterns == {"P2"}


def test_k7_pattern_now_is_not_carried():
    assert recheck([step(SELF_CARE, amber=0), step(SEE_DOCTOR, patterns={"P1"}, at=15)]).earlier_patterns == frozenset()


# --- K8 hypoglycaemia not confirmed over ----------------------------------------------------------------------------

def test_k8_symptom_free_without_a_reading_is_monitor():
    # R12: 2.7 mmol/L + tremor + sweating; 15 min later symptom-free, not re-measured
    r = recheck([step(SEE_DOCTOR, flags={"hypoglycemia"}, patterns={"P4"}, g=48.6),
                 step(SELF_CARE, amber=0, at=15)])
    assert r.k8 and r.reasons == ("glucose_not_confirmed",)
    assert r.tier_code == SEE_DOCTOR  # P4 carried (K7) is higher than K8's monitor


def test_k8_alone_is_monitor():
    r = recheck([step(flags={"hypoglycemia"}, g=63), step(SELF_CARE, amber=0, at=15)])
    assert r.tier_code == MONITOR and r.k8


@pytest.mark.parametrize(("g", "reliable", "fires"), [(69.9, True, True), (70, True, False), (86.5, True, False),
                                                      (110, False, True), (None, False, True)])
def test_k8_needs_a_reliable_reading_of_at_least_70(g, reliable, fires):
    r = recheck([step(flags={"falling_glucose"}, g=80), step(SELF_CARE, amber=0, g=g, g_reliable=reliable, at=15)])
    assert r.k8 is fires and (r.reasons == ("glucose_not_confirmed",)) is fires
    assert T.hypo_level1_mg_dl == 70


def test_k8_a_reading_between_the_last_hypo_and_now_confirms():
    r = recheck([step(flags={"hypoglycemia"}, g=60), step(SELF_CARE, amber=0, g=95, at=15), step(SELF_CARE, amber=0, at=30)])
    assert not r.k8


def test_k8_a_reading_before_the_last_hypo_does_not_confirm():
    r = recheck([step(SELF_CARE, amber=0, g=95), step(flags={"hypoglycemia"}, at=15), step(SELF_CARE, amber=0, at=30)])
    assert r.k8


def test_k8_does_not_fire_while_the_hypo_flag_is_present_now():
    r = recheck([step(flags={"hypoglycemia"}), step(flags={"hypoglycemia"}, at=15)])
    assert not r.k8 and "glucose_not_confirmed" not in r.reasons


def test_k8_needs_no_times():
    r = recheck([step(flags={"severe_hypoglycemia"}, at=None), step(SELF_CARE, amber=0, at=None)])
    assert r.k8 and codes(r.warnings) == ["recheck_time_unknown"]


# --- reasons in K order, warnings -----------------------------------------------------------------------------------

def test_reasons_are_listed_in_k_order():
    first = step(URGENT, red={"severe_pain"}, flags={"heat_exhaustion", "hypothermia"}, amber=3, core=34.9, spasm=True,
                 tx={"oral_carbohydrate"})
    now = step(MONITOR, red=set(), flags={"heat_exhaustion", "hypothermia", "hypoglycemia", "post_finish_collapse"}, amber=3,
               core=34.0, spasm=True, tx={"oral_carbohydrate", "stretch"}, at=30)
    now2 = StepSummary(**{**{f: getattr(now, f) for f in StepSummary.__slots__}, "red": frozenset({"prolonged_spasm"})})
    r = recheck([first, now2])
    assert r.reasons == ("glucose_not_recovering", "heat_exhaustion_not_improving", "not_improving", "spasm_unrelieved",
                         "new_red_flag", "core_falling", "red_flag_earlier")
    assert list(r.reasons) == sorted(r.reasons, key=RECHECK_REASONS.index)
    assert r.tier_code == EMERGENCY


def test_recheck_time_unknown_only_with_history():
    assert recheck([step(at=None)]).warnings == ()
    assert codes(recheck([step(at=0), step(at=None)]).warnings) == ["recheck_time_unknown"]
    assert recheck([step(at=0), step(at=10)]).warnings == ()


def test_warnings_are_code_colon_text():
    r = recheck([step(spasm=True, at=None), step(spasm=True, tx={"stretch"}, at=10)])
    assert codes(r.warnings) == ["spasm_unrelieved", "recheck_time_unknown"]
    assert all(": " in w and w.split(": ", 1)[1] for w in r.warnings)


# --- trend -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("prev", "now", "trend"), [
    (step(amber=2), step(amber=2, at=15), "unchanged"),
    (step(amber=2), step(amber=3, at=15), "worsening"),  # amber total rose
    (step(amber=2), step(URGENT, amber=5, at=15), "worsening"),  # base tier rose
    (step(amber=2), step(amber=1, at=15), "improving"),  # amber fell, no new flag
    (step(amber=2, flags={"heat_exhaustion"}), step(amber=1, flags={"dehydration"}, at=15), "unchanged"),  # fell but a new flag
    (step(URGENT, amber=5), step(amber=2, flags={"hypothermia"}, at=15), "improving"),  # base tier fell: new flags don't matter
    (step(EMERGENCY, red={"prolonged_spasm"}, amber=0), step(EMERGENCY, red={"severe_pain"}, amber=0, at=5), "worsening"),  # K5
    (step(EMERGENCY, red={"prolonged_spasm"}, amber=3), step(amber=4, at=5), "worsening"),  # base fell, amber rose: worsening first
])
def test_trend(prev, now, trend):
    assert recheck([prev, now]).trend == trend


def test_trend_compares_with_the_previous_observation():
    assert recheck([step(amber=4), step(amber=1, at=10), step(amber=2, at=20)]).trend == "worsening"


# --- ordering -------------------------------------------------------------------------------------------------------

def obs(eid="E", minutes=None, **kw):
    d = {"episode_id": eid, **kw}
    if minutes is not None:
        d["observed_at"] = _t(minutes)
    return d


def test_history_is_sorted_by_time_and_current_is_last():
    h = [obs(minutes=30, n=2), obs(minutes=0, n=0), obs(minutes=15, n=1)]
    cur = obs(minutes=5, n=9)  # even when it is earlier than the history
    assert [o["n"] for o in order_episode(h, cur)] == [0, 1, 2, 9]


def test_equal_times_keep_the_given_order():
    h = [obs(minutes=10, n=0), obs(minutes=0, n=1), obs(minutes=10, n=2)]
    assert [o["n"] for o in order_episode(h, obs(minutes=20, n=3))] == [1, 0, 2, 3]


def test_history_with_a_missing_time_is_used_as_given():
    h = [obs(minutes=30, n=0), obs(n=1), obs(minutes=0, n=2)]
    assert [o["n"] for o in order_episode(h, obs(minutes=40, n=3))] == [0, 1, 2, 3]


def test_current_without_time_does_not_stop_sorting_the_history():
    h = [obs(minutes=30, n=0), obs(minutes=0, n=1)]
    assert [o["n"] for o in order_episode(h, obs(n=2))] == [1, 0, 2]


def test_times_with_offsets_and_z_compare_as_instants():
    h = [obs(n=0, observed_at="2025-06-14T11:10:00+02:00"), obs(n=1, observed_at="2025-06-14T09:05:00Z")]
    assert [o["n"] for o in order_episode(h, obs(n=2, observed_at="2025-06-14T09:20:00"))] == [1, 0, 2]
    assert elapsed_min(parse_time("2025-06-14T09:05:00Z"), parse_time("2025-06-14T11:35:00+02:00")) == 30


def test_empty_history_is_just_the_observation():
    assert order_episode([], {"tremor": True}) == [{"tremor": True}]


@pytest.mark.parametrize(("hist_id", "fragment"), [("B", "is not the observation's episode_id 'A'"),
                                                     (None, "is missing")])
def test_history_item_of_another_episode_is_an_error_naming_its_index(hist_id, fragment):
    h = [obs("A", 0), obs(hist_id, 10), obs("A", 20)]
    with pytest.raises(ObservationError) as exc:
        order_episode(h, obs("A", 30))
    assert isinstance(exc.value, ValueError)
    assert [(p.row, p.field) for p in exc.value.problems] == [("history[1]", "episode_id")]
    assert fragment in str(exc.value) and "history[1]" in str(exc.value)


def test_observation_without_episode_id_cannot_have_history():
    with pytest.raises(ObservationError) as exc:
        order_episode([obs("A", 0), {"tremor": True}], {"tremor": True})
    assert [p.row for p in exc.value.problems] == ["history[0]", "history[1]"]
    assert "has no episode_id" in str(exc.value)


def test_order_accepts_objects_with_attributes():
    class Row:
        def __init__(self, t, n):
            self.episode_id, self.observed_at, self.n = "E", _t(t), n

    assert [o.n for o in order_episode([Row(20, 0), Row(10, 1)], Row(30, 2))] == [1, 0, 2]


# --- episode_orders (lists and frames) ----------------------------------------------------------------------------

def test_episode_orders_groups_sorts_and_leaves_rows_without_id_alone():
    ids = ["A", None, "B", "A", "A", float("nan"), "B"]
    times = [_t(30), _t(0), _t(5), _t(0), _t(15), None, None]
    assert episode_orders(ids, times) == [[3, 4, 0], [2, 6]]


def test_episode_orders_sorts_only_up_to_the_first_row_without_time():
    ids = ["A"] * 5
    times = [_t(30), _t(0), None, _t(5), _t(1)]
    assert episode_orders(ids, times) == [[1, 0, 2, 3, 4]]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", None]), st.one_of(st.none(), st.integers(0, 5))), max_size=12))
def test_episode_orders_agree_with_order_episode_for_every_prefix(rows):
    ids = [r[0] for r in rows]
    times = [_t(r[1]) if r[1] is not None else None for r in rows]
    items = [{"episode_id": e, "observed_at": t, "n": i} for i, (e, t) in enumerate(zip(ids, times, strict=True))]
    seen = []
    for order in episode_orders(ids, times):
        seen += order
        assert len({ids[i] for i in order}) == 1
        for k in range(len(order)):
            preds, cur = [items[i] for i in order[:k]], items[order[k]]
            assert [o["n"] for o in order_episode(preds, cur)] == order[:k + 1]
    assert sorted(seen) == [i for i, e in enumerate(ids) if e is not None]


# --- small helpers --------------------------------------------------------------------------------------------------

def test_parse_time_forms():
    assert parse_time(None) is None and parse_time(float("nan")) is None
    assert parse_time("2025-06-14T09:00:00Z") == T0 == parse_time("2025-06-14T09:00:00") == parse_time(T0)
    assert parse_time(datetime(2025, 6, 14, 9, 0)) == T0
    with pytest.raises(ValueError):
        parse_time("yesterday")


def test_parse_time_pandas_values():
    pd = pytest.importorskip("pandas")
    assert parse_time(pd.Timestamp("2025-06-14T09:00:00Z")) == T0
    assert parse_time(pd.NaT) is None and parse_time(pd.NA) is None


def test_treatment_set_from_list_text_or_unknown():
    assert treatment_set(["stretch", "stretch", "rest"]) == {"stretch", "rest"}
    assert treatment_set("oral_carbohydrate; rest") == {"oral_carbohydrate", "rest"}
    assert treatment_set(None) == treatment_set(float("nan")) == treatment_set("") == frozenset()


def test_episodes_module_types_no_clinical_number():
    # counts 0 and 1 and the seconds of a minute only; every clinical number comes from kit.engine.thresholds
    tree = ast.parse((ROOT / "kit" / "engine" / "episodes.py").read_text(encoding="utf-8"))
    nums = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, (int, float))
            and not isinstance(n.value, bool)}
    assert nums <= {0, 1, 60.0}, nums
    src = (ROOT / "kit" / "engine" / "episodes.py").read_text(encoding="utf-8")
    for key in ("k_glucose_treatments", "k_heat_exhaustion_min", "k_not_improving_min", "k8_glucose_over_mg_dl"):
        assert f"T.{key}" in src


def test_recheck_result_shape_matches_the_interface():
    assert episodes.RecheckResult._fields == ("tier_code", "reasons", "trend", "earlier_red", "handover",
                                              "earlier_patterns", "k8", "warnings")


# --- words ----------------------------------------------------------------------------------------------------------

def test_every_reason_has_words_with_numbers_from_the_table():
    for k in RECHECK_REASONS:
        assert episodes.reason_text(k)
    assert "30 min" in episodes.reason_text("not_improving") and "70 mg/dL" in episodes.reason_text("glucose_not_confirmed")


def test_reason_entries_name_the_tier_each_rule_asks_for():
    r = recheck([step(EMERGENCY, red={"exertional_heat_stroke"}, patterns={"P4"}), step(amber=2, at=30)])
    got = episodes.reason_entries(r, base_tier=MONITOR, post_finish_collapse=False)
    assert [(e["tier"], e["reason"].split(":")[0]) for e in got] == [("urgent", "recheck"), ("emergency", "recheck"),
                                                                       ("see_doctor", "recheck")]
    assert "P4" in got[-1]["reason"]
    pfc = recheck([step(amber=3, dyn=2, flags={"post_finish_collapse"}), step(amber=3, dyn=2, flags={"post_finish_collapse"}, at=35)])
    assert episodes.reason_entries(pfc, base_tier=MONITOR, post_finish_collapse=True)[0]["tier"] == "emergency"


def test_step_summaries_read_scalar_and_column_kernel_results():
    from types import SimpleNamespace

    import numpy as np

    def flags(n: int, **on: object) -> Flags:
        return Flags(**{name: np.zeros(n, dtype=bool) for name in FLAGS} | on)

    cols = SimpleNamespace(
        base_tier=np.array([1, 4]), red={"prolonged_spasm": np.array([False, True])},
        flags=flags(2, prolonged_spasm=np.array([False, True]), hypoglycemia=np.array([True, False])),
        pattern={"P4": np.array([True, False])}, amber_total=np.array([2, 0]), dynamic_amber_total=np.array([1, 0]),
        d=SimpleNamespace(g=np.array([50.0, np.nan]), g_reliable=np.array([True, False]), core_raised=np.array([False, True])))
    got = episodes.step_summaries(cols, core_temp_c=[np.nan, 38.6], spasm=[1.0, np.nan],
                                  treatment_given=[None, "stretch;rest"], observed_at=[_t(0), None])
    assert got[0] == StepSummary(1, frozenset(), frozenset({"hypoglycemia"}), frozenset({"P4"}), 2, 1, False, None, True, 50.0,
                                 True, frozenset(), T0)
    assert got[1] == StepSummary(4, frozenset({"prolonged_spasm"}), frozenset({"prolonged_spasm"}), frozenset(), 0, 0, True, 38.6,
                                 False, None, None, frozenset({"stretch", "rest"}), None)
    one = SimpleNamespace(base_tier=1, red={"prolonged_spasm": False}, flags=flags(1, hypoglycemia=True), pattern={"P4": False},
                          amber_total=1, dynamic_amber_total=1, d=SimpleNamespace(g=60.0, g_reliable=True, core_raised=False))
    [s] = episodes.step_summaries(one, core_temp_c=[None], spasm=[True], treatment_given=[["oral_carbohydrate"]],
                                  observed_at=[T0])
    assert s.hypo and s.g == 60.0 and s.treatment_given == {"oral_carbohydrate"} and s.spasm is True
    assert [r.trend for r in episodes.recheck_episode([s, s])] == ["first", "unchanged"]


# --- the one-pass recheck_episode equals a direct reading of each rule ------------------------------------------------

def _at_least(earlier, now, minutes):
    m = elapsed_min(earlier.observed_at, now.observed_at)
    return m is not None and m >= minutes


def _oracle(steps):
    """§9.9 read rule by rule over the whole prefix (quadratic; the reference for recheck_episode)."""
    _EMERGENCY, _URGENT, _SEE_DOCTOR, _MONITOR = EMERGENCY, URGENT, SEE_DOCTOR, MONITOR
    _SPASM_UNRELIEVED, _TIME_UNKNOWN = episodes._SPASM_UNRELIEVED, episodes._TIME_UNKNOWN
    now = steps[-1]
    if len(steps) == 1:
        return FIRST
    earlier = steps[:-1]
    prev = earlier[-1]
    tier = 0
    reasons: list[str] = []
    warnings: list[str] = []

    # K1 glucose not recovering after two oral treatments
    if now.hypo and sum("oral_carbohydrate" in s.treatment_given for s in steps) >= T.k_glucose_treatments:
        tier = max(tier, _EMERGENCY)
        reasons.append("glucose_not_recovering")
    # K2 heat exhaustion not improving
    if now.heat_exhaustion and any((s.heat_exhaustion or s.a4) and _at_least(s, now, T.k_heat_exhaustion_min)
                                   for s in earlier):
        tier = max(tier, _URGENT)
        reasons.append("heat_exhaustion_not_improving")
    # K3 monitor not improving (dynamic amber points only)
    if now.base_tier == _MONITOR and now.dynamic_amber_total > 0 and any(
            _at_least(s, now, T.k_not_improving_min) and s.base_tier >= _MONITOR
            and s.dynamic_amber_total <= now.dynamic_amber_total for s in earlier):
        tier = max(tier, _EMERGENCY if "post_finish_collapse" in now.flags else _URGENT)
        reasons.append("not_improving")
    # K4 spasm unrelieved by stretching
    if now.spasm is True and any("stretch" in s.treatment_given for s in steps):
        reasons.append("spasm_unrelieved")
        warnings.append(_SPASM_UNRELIEVED)
    # K5 new red flag
    new_red = now.red - prev.red
    if new_red:
        tier = max(tier, _EMERGENCY)
        reasons.append("new_red_flag")
    # K6 core temperature falling in hypothermia / cold stress
    if now.cooling_risk and now.core_temp_c is not None and prev.core_temp_c is not None \
            and now.core_temp_c < prev.core_temp_c:
        tier = max(tier, _URGENT)
        reasons.append("core_falling")
    # K7 red flag (or pattern rule) earlier in the episode
    earlier_red = frozenset().union(*(s.red for s in earlier))
    handover = bool(earlier_red & K7_EMERGENCY)
    if earlier_red:
        tier = max(tier, _EMERGENCY if handover else _URGENT)
        reasons.append("red_flag_earlier")
    earlier_patterns = frozenset().union(*(s.patterns for s in earlier))
    if earlier_patterns:
        tier = max(tier, _SEE_DOCTOR)
    # K8 hypoglycaemia not confirmed over by a reliable reading
    k8 = False
    if not now.hypo:
        last = max((j for j, s in enumerate(earlier) if s.hypo), default=None)
        if last is not None and not any(s.glucose_confirmed for s in steps[last + 1:]):
            k8 = True
            tier = max(tier, _MONITOR)
            reasons.append("glucose_not_confirmed")

    if any(s.observed_at is None for s in steps):
        warnings.append(_TIME_UNKNOWN)

    if new_red or now.base_tier > prev.base_tier or now.amber_total > prev.amber_total:
        trend = "worsening"
    elif now.base_tier < prev.base_tier or (now.amber_total < prev.amber_total and not now.flags - prev.flags):
        trend = "improving"
    else:
        trend = "unchanged"
    return episodes.RecheckResult(tier, tuple(reasons), trend, earlier_red, handover, earlier_patterns, k8, tuple(warnings))


_T = st.one_of(st.none(), st.sampled_from([0, 10, 29, 30, 31, 45, 60, 95]))


@st.composite
def summaries(draw):
    red = draw(st.frozensets(st.sampled_from(["prolonged_spasm", "exertional_heat_stroke", "severe_hypoglycemia"])))
    flags = draw(st.frozensets(st.sampled_from(["hypoglycemia", "falling_glucose", "heat_exhaustion", "hypothermia",
                                                "cold_stress", "post_finish_collapse", "dehydration"]))) | red
    amber = draw(st.integers(0, 4))
    minutes = draw(_T)
    return StepSummary(
        base_tier=draw(st.integers(0, 4)), red=red, flags=flags, patterns=draw(st.frozensets(st.sampled_from(["P2", "P4"]))),
        amber_total=amber, dynamic_amber_total=draw(st.integers(0, amber)), a4=draw(st.booleans()),
        core_temp_c=draw(st.sampled_from([None, 34.0, 34.5, 35.5])), g_reliable=draw(st.booleans()),
        g=draw(st.sampled_from([None, 60.0, 69.9, 70.0, 110.0])), spasm=draw(st.sampled_from([True, False, None])),
        treatment_given=draw(st.frozensets(st.sampled_from(["oral_carbohydrate", "stretch", "rest"]))),
        observed_at=None if minutes is None else T0 + timedelta(minutes=minutes))


@settings(max_examples=400, deadline=None)
@given(st.lists(summaries(), min_size=1, max_size=7))
def test_recheck_episode_equals_the_rules_read_directly(steps):
    got = episodes.recheck_episode(steps)
    assert got == [_oracle(steps[:k + 1]) for k in range(len(steps))]
    assert recheck(steps) == got[-1]
