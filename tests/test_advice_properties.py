"""Hypothesis properties of kit.engine.advice: the consistency rules C1-C9 of clinical-reference §9.8
over random AdviceContexts, plus reading order, nsaid never advised and reassess_in_min
null exactly for self_care (scalar and numpy paths equal).

The random contexts draw every observation field as yes / no / unknown (numbers known or
unknown), derive the flags that the §9.2 definitions tie to the observation (altered mental
state, breathing, collapse, temperatures, cardiorespiratory, heat exhaustion, severe pain),
draw the remaining flags at random with their implications kept (severe_hyponatremia ->
hyponatremia_risk, rhabdomyolysis_red -> rhabdomyolysis_risk, exclusive pairs), and draw the
tier at random, raised only where the context says so (a pattern -> at least see_doctor, an
earlier red flag -> at least urgent, the handover text -> emergency).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.engine.advice import (
    ACTION_ORDER,
    ACTION_TEXT,
    PATTERN_REASON,
    RED_FLAGS,
    WHY,
    AdviceContext,
    choose_advice,
    reassess_minutes,
)
from kit.engine.rules import SCALAR, TIERS, VECTOR
from kit.engine.thresholds import T

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BOOLS = (
    "tremor", "spasm", "hunger", "sweating", "pale_skin", "palpitations", "confusion", "unconscious", "seizure",
    "nausea_vomiting", "vomiting", "headache", "dizziness", "thirst", "dark_urine", "numbness_tingling", "muscle_weakness",
    "muscle_swelling", "swelling_one_leg", "recent_long_travel", "sickle_cell_trait", "collapse", "collapse_during_run",
    "chest_pain", "breathing_difficulty", "breathing_normally", "has_diabetes", "glucose_lowering_medication", "nsaid_taken",
)
#: Flags drawn at random (the others are derived from the observation below).
RANDOM_FLAGS = (
    "hypoglycemia", "falling_glucose", "severe_hypoglycemia", "hypoglycemia_cannot_swallow", "hyperglycemia", "ketosis",
    "possible_dka", "overdrinking", "hyponatremia_risk", "severe_hyponatremia", "dehydration", "rhabdomyolysis_risk",
    "rhabdomyolysis_red", "compartment_syndrome_risk", "dvt_risk", "unilateral_leg_swelling", "exertional_sickling",
    "heart_rate_red", "heart_rate_amber", "prolonged_spasm", "nsaid_exposure", "recurrent_despite_prevention",
    "frequent_episodes", "recurrent_tremor",
)
COLD = {"cold_stress", "hypothermia", "severe_hypothermia"}
#: C6's tissue-damage flags and K7's carried rows, typed here from the reference (not imported from kit.engine.advice)
TISSUE = {"rhabdomyolysis_risk", "rhabdomyolysis_red", "compartment_syndrome_risk", "dvt_risk", "prolonged_spasm", "severe_pain"}
CARRIED_ROWS = {
    "rhabdomyolysis_red": {"massage", "heat", "stretch"}, "exertional_sickling": {"massage", "heat", "stretch"},
    "prolonged_spasm": {"massage", "heat", "stretch"}, "severe_pain": {"massage", "heat", "stretch"},
    "compartment_syndrome_risk": {"massage", "heat", "stretch", "ice", "legs_up"},
    "severe_hyponatremia": {"drink_water", "electrolyte_drink"}, "cardiorespiratory_red_flag": {"legs_up", "ice"},
    "severe_hypothermia": {"cold_water_immersion", "ice", "massage"},
}
DRINKS = {"drink_water", "electrolyte_drink"}
ORAL = {"oral_carbohydrate", "salty_snack", *DRINKS}


#: yes 1/5, no 2/5, unknown 2/5: most contexts are not saturated with findings, so each row is exercised alone
YES_NO_UNKNOWN = st.sampled_from([None, False, True, None, False])


def _maybe(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def contexts(draw) -> AdviceContext:
    obs = {k: draw(YES_NO_UNKNOWN) for k in BOOLS}
    obs["core_temp_c"] = draw(_maybe(st.sampled_from([29.5, 31.9, 32.0, 33.5, 35.0, 35.5, 36.9, 37.5, 38.5, 38.6, 39.0,
                                                      40.0, 40.2, 40.5, 41.5])))
    obs["ambient_temp_c"] = draw(_maybe(st.sampled_from([-5, 8, 9.9, 10, 16, 26.9, 27, 33])))
    obs["pain_score"] = draw(_maybe(st.sampled_from([0, 2.9, 3, 5, 6, 7.5, 8, 10])))
    obs["run_duration_min"] = draw(_maybe(st.sampled_from([30, 150, 239, 240, 330])))
    obs["blood_ketones_mmol_l"] = draw(_maybe(st.sampled_from([0.4, 1.5, 3.5])))
    obs["spasm_duration_min"] = draw(_maybe(st.sampled_from([0, 2, 20, 70])))
    obs = {k: v for k, v in obs.items() if v is not None or draw(st.booleans())}  # absent and None both mean unknown

    def yes(k):
        return obs.get(k) is True

    core, ambient, pain_score = obs.get("core_temp_c"), obs.get("ambient_temp_c"), obs.get("pain_score")
    cns = yes("confusion") or yes("unconscious") or yes("seizure")
    collapse_in_run = yes("collapse_during_run") or (yes("collapse") and obs.get("collapse_during_run") is None)
    cold_context = (ambient is not None and ambient < 10) or (core is not None and core < 35.0)
    heat_context = (core is not None and core >= 38.5) or (ambient is not None and ambient >= 27)
    pain = None if yes("unconscious") else pain_score
    vomit = yes("vomiting")
    nv = yes("nausea_vomiting") or vomit

    flags = {f for f in RANDOM_FLAGS if draw(st.integers(0, 3)) == 0}
    if "severe_hyponatremia" in flags or "overdrinking" in flags:
        flags.add("hyponatremia_risk")
    if "rhabdomyolysis_red" in flags:
        flags.add("rhabdomyolysis_risk")
    if "severe_hypoglycemia" in flags and not cns:
        flags.discard("severe_hypoglycemia")
    if "hypoglycemia_cannot_swallow" in flags:
        if not (vomit or yes("seizure") or yes("unconscious")):
            flags.discard("hypoglycemia_cannot_swallow")
        elif not flags & {"hypoglycemia", "falling_glucose", "severe_hypoglycemia"}:
            flags.add("hypoglycemia")
    for keep, drop in (("heart_rate_red", "heart_rate_amber"), ("dvt_risk", "unilateral_leg_swelling"),
                       ("possible_dka", "ketosis")):
        if keep in flags:
            flags.discard(drop)
    # flags the §9.2 definitions tie to the observation
    cardio = yes("chest_pain") or yes("breathing_difficulty")
    derived = {
        "altered_mental_status": cns,
        "not_breathing_normally": obs.get("breathing_normally") is False and obs.get("unconscious") is not False,
        "collapse_during_run": collapse_in_run,
        "cardiorespiratory_red_flag": cardio,
        "post_finish_collapse": (yes("collapse") and obs.get("collapse_during_run") is False and not cns
                                 and not yes("palpitations") and not cardio),
        "severe_pain": pain is not None and pain >= 8,
    }
    if core is not None:
        ehs = core >= 40.5 or (cns and core >= 39.0)
        severe_hypo_t = core < 32.0 or (core < 35.0 and cns)
        derived.update(exertional_heat_stroke=ehs, hyperthermia=core > 40.0 and not ehs, severe_hypothermia=severe_hypo_t,
                       hypothermia=core < 35.0 and not severe_hypo_t, cold_stress=35.0 <= core < 36.0)
    else:
        derived.update(suspected_heat_stroke=cns or collapse_in_run,
                       cold_stress=ambient is not None and ambient < 10 and yes("tremor"))
    derived["heat_exhaustion"] = (not derived.get("exertional_heat_stroke") and not derived.get("suspected_heat_stroke")
                                  and not cns and heat_context
                                  and (nv or yes("headache") or yes("pale_skin") or yes("muscle_weakness") or yes("dizziness")))
    flags |= {f for f, on in derived.items() if on}

    patterns = frozenset(p for p in PATTERN_REASON if draw(st.integers(0, 3)) == 0)
    earlier = frozenset(r for r in RED_FLAGS if draw(st.integers(0, 9)) == 0)
    handover = bool(earlier) and draw(st.booleans())
    tier = draw(st.integers(0, len(TIERS) - 1))
    if patterns:
        tier = max(tier, TIERS.index("see_doctor"))
    if earlier:
        tier = max(tier, TIERS.index("urgent"))
    if handover:
        tier = TIERS.index("emergency")
    return AdviceContext(tier=TIERS[tier], flags=frozenset(flags), obs=obs, cns=cns, collapse_in_run=collapse_in_run,
                         cold_context=cold_context, heat_context=heat_context, pain=pain,
                         glucose_known=draw(st.booleans()), patterns=patterns, earlier_red_flags=earlier, handover=handover)


def run(c: AdviceContext):
    actions, contra = choose_advice(c)
    return [a["id"] for a in actions], {a["id"]: a["text"] for a in actions}, {x["id"]: x["why"] for x in contra}


@SETTINGS
@given(contexts())
def test_c1_no_id_in_both_lists_and_no_duplicates(c):
    order, acts, contra = run(c)
    assert not set(acts) & set(contra)
    assert len(order) == len(set(order))
    _, contra_list = choose_advice(c)
    assert len(contra_list) == len(contra)


@SETTINGS
@given(contexts())
def test_c2_gel_only_carbohydrate_when_drinks_are_contraindicated(c):
    _, acts, contra = run(c)
    if "oral_carbohydrate" in acts:
        variant = "oral_carbohydrate:gel_only" if "drink_water" in contra else "oral_carbohydrate"
        assert acts["oral_carbohydrate"] == ACTION_TEXT[variant]


@SETTINGS
@given(contexts())
def test_c3_nothing_by_mouth_means_no_oral_action(c):
    _, acts, _ = run(c)
    if "nothing_by_mouth" in acts:
        assert not ORAL & set(acts)
        assert acts.get("rewarm", ACTION_TEXT["rewarm:no_drink"]) == ACTION_TEXT["rewarm:no_drink"]


@SETTINGS
@given(contexts())
def test_c4_never_cooling_when_cold(c):
    _, acts, contra = run(c)
    if c.flags & COLD:
        assert acts["rest"].startswith(ACTION_TEXT["rest:warm"])
        assert {"cold_water_immersion", "ice"} <= set(contra)
        if "heat_exhaustion" in c.flags:
            assert "rewarm" in contra


@SETTINGS
@given(contexts())
def test_c5_overdrinking_means_no_drink_action(c):
    _, acts, contra = run(c)
    if "overdrinking" in c.flags:
        assert not DRINKS & set(acts) and DRINKS <= set(contra)
        assert "drink" not in acts["rest"]


@SETTINGS
@given(contexts())
def test_c6_tissue_damage_means_no_massage_heat_or_stretch(c):
    _, acts, contra = run(c)
    if c.flags & TISSUE:
        assert {"massage", "heat", "stretch"} <= set(contra)
        assert not {"massage", "heat", "stretch"} & set(acts)


@SETTINGS
@given(contexts())
def test_c7_exactly_one_tier_action_matches_the_tier(c):
    _, acts, _ = run(c)
    tier_action = {"emergency": "call_emergency", "urgent": "urgent_care", "see_doctor": "see_doctor"}.get(c.tier)
    present = {"call_emergency", "urgent_care", "see_doctor"} & set(acts)
    if tier_action is None:
        assert not present  # self_care / monitor (a pattern would have raised the tier)
    else:
        assert tier_action in present
        assert present - {tier_action} <= {"see_doctor"}  # see_doctor may follow at a higher tier
        assert ("see_doctor" in present) == (c.tier == "see_doctor" or bool(c.patterns))


@SETTINGS
@given(contexts())
def test_c8_rewarm_offers_no_drink_when_drinks_are_contraindicated(c):
    _, acts, contra = run(c)
    if "rewarm" in acts:
        assert acts["rewarm"] == ACTION_TEXT["rewarm:no_drink" if "drink_water" in contra else "rewarm"]


@SETTINGS
@given(contexts())
def test_c9_cpr_first(c):
    _, acts, contra = run(c)
    if "not_breathing_normally" in c.flags:
        assert "cpr_aed" in acts
        assert {"cold_water_immersion", "recovery_position", "legs_up"} <= set(contra)


@SETTINGS
@given(contexts())
def test_nsaid_never_an_action_and_always_with_an_earlier_red_flag(c):
    _, acts, contra = run(c)
    assert "nsaid" not in acts
    if c.earlier_red_flags or TIERS.index(c.tier) >= TIERS.index("monitor"):
        assert contra["nsaid"].startswith(WHY["nsaid"])


@SETTINGS
@given(contexts())
def test_carried_rows_hold_for_every_earlier_red_flag(c):
    _, acts, contra = run(c)
    for red in c.earlier_red_flags:
        for i in CARRIED_ROWS.get(red, ()):
            assert i in contra and i not in acts


@SETTINGS
@given(contexts())
def test_reading_order_and_known_texts(c):
    order, acts, _ = run(c)
    assert order == sorted(order, key=ACTION_ORDER.index)
    assert "rest" in acts
    for i, text in acts.items():
        assert text and not text.startswith(" ") and text.endswith(".")
        if i not in {"call_emergency", "urgent_care", "see_doctor", "rest"}:  # the others are fixed texts or variants
            assert text in {v for k, v in ACTION_TEXT.items() if k == i or k.startswith(i + ":")}


SITUATIONS = ("hypo", "heat", "spasm", "dehydration", "post_finish_collapse", "cold", "hyponatremia_risk", "hyper",
              "no_findings", "k8")


@st.composite
def reassess_rows(draw):
    row = {k: draw(st.booleans()) for k in SITUATIONS}
    row["hr_wait_min"] = draw(st.one_of(st.just(math.nan), st.floats(0.01, T.hr_rest_min)))
    return draw(st.integers(0, len(TIERS) - 1)), row


@SETTINGS
@given(st.lists(reassess_rows(), min_size=1, max_size=30))
def test_reassess_null_exactly_for_self_care_and_vector_equals_scalar(rows):
    scalar = [reassess_minutes(t, **r, ops=SCALAR) for t, r in rows]
    for (t, _), m in zip(rows, scalar, strict=True):
        assert math.isnan(m) == (t == 0)
        if t:
            assert 0 < m <= T.reassess_monitor_min
    cols = {k: np.array([r[k] for _, r in rows]) for k in (*SITUATIONS, "hr_wait_min")}
    vec = reassess_minutes(np.array([t for t, _ in rows]), **cols, ops=VECTOR)
    np.testing.assert_array_equal(vec, np.array(scalar, dtype=float))
