"""Property tests (hypothesis): monotonicity and safety invariants over random observations (rules v0.2).

The advice consistency rules C1-C9 are properties of kit.engine.advice (tests/test_advice*.py).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit import TIERS, assess
from kit.engine.fields import FIELDS
from kit.engine.rules import WARNING_CODES

RANK = {t: i for i, t in enumerate(TIERS)}

_SKIP = {"athlete_id", "observed_at", "notes", "episode_id", "treatment_given", "blood_glucose", "blood_glucose_unit",
         "body_mass_pre_kg", "body_mass_post_kg"}


def _value(spec):
    if spec.kind == "bool":
        return st.sampled_from([True, False])
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    if spec.kind == "int":
        return st.integers(int(spec.lo), int(spec.hi))
    return st.floats(spec.lo, spec.hi, allow_nan=False).map(lambda x: round(x, 1))


@st.composite
def observations(draw):
    """Random valid observations: any subset of fields known, the rest unknown."""
    obs = {}
    for name, spec in FIELDS.items():
        if name in _SKIP:
            continue
        if draw(st.booleans()):
            obs[name] = draw(_value(spec))
    if draw(st.booleans()):
        unit = draw(st.sampled_from(["mg/dL", "mmol/L"]))
        hi = 700.0 if unit == "mg/dL" else 650.0  # beyond the meter ranges too (HI, reinterpreted)
        obs["blood_glucose"] = draw(st.floats(0.5, hi).map(lambda x: round(x, 1)))
        obs["blood_glucose_unit"] = unit
    if draw(st.booleans()):
        pre = draw(st.floats(40, 120).map(lambda x: round(x, 1)))
        obs["body_mass_pre_kg"] = pre
        if draw(st.booleans()):
            obs["body_mass_post_kg"] = round(pre * draw(st.floats(0.9, 1.05)), 1)
    return obs


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Glucose monotonicity holds within each unit's meter range (D1(b), the reinterpretation above the mmol/L range,
# is the documented exception) and below the hyperglycaemia / DKA rules (200 mg/dL: there a higher glucose rightly
# raises the tier). P5 ("tingling, not hypoglycemia") is left out: read literally, a lower glucose that turns
# hypoglycaemic switches the nerve-irritation review off (a spec-level exception, reported).
_UNIT_RANGE = {"mg/dL": (1.0, 199.9), "mmol/L": (0.5, 11.0)}


@SETTINGS
@given(observations(), st.sampled_from(sorted(_UNIT_RANGE)), st.floats(0, 1), st.floats(0, 1))
def test_lower_glucose_never_lowers_hypoglycemia_score_or_tier(obs, unit, u1, u2):
    lo_end, hi_end = _UNIT_RANGE[unit]
    lo, hi = sorted(round(lo_end + u * (hi_end - lo_end), 2) for u in (u1, u2))
    obs = {k: v for k, v in obs.items() if k != "numbness_tingling"}
    a_lo = assess({**obs, "blood_glucose": lo, "blood_glucose_unit": unit})
    a_hi = assess({**obs, "blood_glucose": hi, "blood_glucose_unit": unit})
    assert a_lo.score["hypoglycemia"] >= a_hi.score["hypoglycemia"]
    assert RANK[a_lo.escalation] >= RANK[a_hi.escalation]


RED_FINDINGS = [
    {"confusion": True}, {"unconscious": True}, {"seizure": True}, {"core_temp_c": 40.6}, {"core_temp_c": 40.1},
    {"core_temp_c": 31.0}, {"spasm_duration_min": 60}, {"pain_score": 8, "muscle_weakness": True},
    {"dark_urine": True, "muscle_weakness": True}, {"serum_sodium_mmol_l": 129}, {"chest_pain": True},
    {"breathing_difficulty": True}, {"collapse_during_run": True}, {"collapse": True, "collapse_during_run": True},
    {"breathing_normally": False, "unconscious": True}, {"muscle_swelling": True, "numbness_tingling": True, "muscle_weakness": True},
    {"sickle_cell_trait": True, "muscle_weakness": True}, {"has_diabetes": True, "blood_ketones_mmol_l": 3.5},
    {"heart_rate_bpm": 225, "palpitations": True},
]


@SETTINGS
@given(observations(), st.sampled_from(RED_FINDINGS))
def test_adding_a_red_flag_finding_never_lowers_the_tier_and_means_emergency(obs, red):
    before = assess(obs)
    after = assess({**obs, **red})
    assert RANK[after.escalation] >= RANK[before.escalation]
    assert after.escalation == "emergency"
    assert any(r["tier"] == "emergency" and r["reason"].startswith("red flag") for r in after.reasons)


@SETTINGS
@given(observations(), st.floats(0, 1440), st.floats(0, 1440))
def test_a_longer_spasm_never_lowers_the_tier(obs, d1, d2):
    short, long_ = sorted((round(d1, 1), round(d2, 1)))
    a = assess({**obs, "spasm": True, "spasm_duration_min": short})
    b = assess({**obs, "spasm": True, "spasm_duration_min": long_})
    assert RANK[b.escalation] >= RANK[a.escalation]


@SETTINGS
@given(observations(), st.floats(0, 10), st.floats(0, 10))
def test_more_pain_never_lowers_the_tier(obs, p1, p2):
    lo, hi = sorted((round(p1, 1), round(p2, 1)))
    a_lo, a_hi = assess({**obs, "pain_score": lo}), assess({**obs, "pain_score": hi})
    if RANK[a_hi.escalation] < RANK[a_lo.escalation]:
        # the one documented exception (reported): pain reaching 8 moves its amber point A8 to urgent rule U16, so
        # an amber total of exactly 7 that counted A8 (emergency) becomes 6 + U16 (urgent)
        assert a_lo.escalation == "emergency" and a_lo.amber_points == 7 and a_hi.escalation == "urgent"
        assert any(r["reason"].startswith("urgent rule U16") for r in a_hi.reasons)


@SETTINGS
@given(observations())
def test_an_id_is_never_both_advised_and_contraindicated(obs):
    a = assess(obs)
    advised = [x["id"] for x in a.actions]
    assert not set(advised) & {x["id"] for x in a.contraindicated}
    assert len(advised) == len(set(advised))


@SETTINGS
@given(observations())
def test_safety_rules_always_hold(obs):
    a = assess(obs)
    advised = {x["id"] for x in a.actions}
    f = set(a.flags)
    if f & {"hyponatremia_risk", "severe_hyponatremia", "overdrinking", "altered_mental_status"} or obs.get("vomiting"):
        assert not {"drink_water", "electrolyte_drink"} & advised
    if {"drink_water", "electrolyte_drink"} & advised:
        assert f & {"dehydration", "heat_exhaustion", "post_finish_collapse"}
    if obs.get("unconscious") or obs.get("seizure"):
        assert "oral_carbohydrate" not in advised
    if a.escalation != "self_care":
        assert {"nsaid", "continue_running"} <= {x["id"] for x in a.contraindicated}
    assert "continue_running" not in advised and "nsaid" not in advised
    assert (a.reassess_in_min is None) == (a.escalation == "self_care")


@SETTINGS
@given(observations())
def test_result_shape_follows_the_contract(obs):
    d = assess(obs).to_dict()
    assert [c["cause"] for c in d["causes"]] and len(d["causes"]) == 4
    scores = [c["score"] for c in d["causes"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    if d["top_cause"] is not None:
        assert d["top_cause"] == d["causes"][0]["cause"] and d["causes"][0]["score"] > 0
    for c in d["causes"]:
        pts = sum(e["points"] for e in c["evidence"])
        assert c["score"] == min(100, pts)  # every point names its finding
        assert all(e["finding"] and e["source"] for e in c["evidence"])
    assert d["escalation"] in TIERS and d["rule_set"] == "0.2" and d["trend"] == "first" and d["recheck_reasons"] == []
    tier_action = {"emergency": "call_emergency", "urgent": "urgent_care", "see_doctor": "see_doctor"}.get(d["escalation"])
    if tier_action:
        assert tier_action in {x["id"] for x in d["actions"]}
    assert all(w.split(": ", 1)[0] in WARNING_CODES for w in d["warnings"])
