"""Property tests (hypothesis): monotonicity and safety invariants over random observations."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit import TIERS, assess
from kit.fields import FIELDS

RANK = {t: i for i, t in enumerate(TIERS)}

_SKIP = {"athlete_id", "observed_at", "notes", "blood_glucose", "blood_glucose_unit", "body_mass_pre_kg", "body_mass_post_kg"}


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
        hi = 600.0 if unit == "mg/dL" else 33.0
        obs["blood_glucose"] = draw(st.floats(1.0, hi).map(lambda x: round(x, 1)))
        obs["blood_glucose_unit"] = unit
    if draw(st.booleans()):
        pre = draw(st.floats(40, 120).map(lambda x: round(x, 1)))
        obs["body_mass_pre_kg"] = pre
        if draw(st.booleans()):
            obs["body_mass_post_kg"] = round(pre * draw(st.floats(0.9, 1.05)), 1)
    return obs


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(observations(), st.floats(20, 400), st.floats(20, 400))
def test_lower_glucose_never_lowers_hypoglycemia_score_or_tier(obs, g1, g2):
    lo, hi = sorted((round(g1, 1), round(g2, 1)))
    a_lo = assess({**obs, "blood_glucose": lo, "blood_glucose_unit": "mg/dL"})
    a_hi = assess({**obs, "blood_glucose": hi, "blood_glucose_unit": "mg/dL"})
    assert a_lo.score["hypoglycemia"] >= a_hi.score["hypoglycemia"]
    assert RANK[a_lo.escalation] >= RANK[a_hi.escalation]


RED_FINDINGS = [
    {"confusion": True}, {"unconscious": True}, {"seizure": True}, {"core_temp_c": 40.6}, {"core_temp_c": 40.1},
    {"spasm_duration_min": 60}, {"pain_score": 8}, {"dark_urine": True, "muscle_weakness": True},
    {"serum_sodium_mmol_l": 129},
]


@SETTINGS
@given(observations(), st.sampled_from(RED_FINDINGS))
def test_adding_a_red_flag_finding_never_lowers_the_tier_and_means_emergency(obs, red):
    before = assess(obs)
    after = assess({**obs, **red})
    assert RANK[after.escalation] >= RANK[before.escalation]
    assert after.escalation == "emergency"


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
    assert RANK[assess({**obs, "pain_score": hi}).escalation] >= RANK[assess({**obs, "pain_score": lo}).escalation]


@SETTINGS
@given(observations())
def test_an_id_is_never_both_advised_and_contraindicated(obs):
    a = assess(obs)
    advised = [x["id"] for x in a.actions]
    assert not set(advised) & {x["id"] for x in a.contraindicated}
    assert len(advised) == len(set(advised))


@SETTINGS
@given(observations())
def test_safety_rules_of_section_9_7_always_hold(obs):
    a = assess(obs)
    advised = {x["id"] for x in a.actions}
    f = set(a.flags)
    eah_possible = "hyponatremia_risk" in f or "altered_mental_status" in f or (
        obs.get("nausea_vomiting") and obs.get("headache"))  # clinical-reference §7
    if eah_possible:
        assert not {"drink_water", "electrolyte_drink"} & advised
    if {"drink_water", "electrolyte_drink"} & advised:
        assert "dehydration" in f or "heat_exhaustion" in f
    if f & {"dehydration", "hyponatremia_risk", "heat_exhaustion", "exertional_heat_stroke", "rhabdomyolysis_risk",
            "prolonged_spasm", "severe_pain"}:
        assert "nsaid" in {x["id"] for x in a.contraindicated}
    if obs.get("unconscious") or obs.get("seizure"):
        assert "oral_carbohydrate" not in advised
    assert "continue_running" not in advised
    assert "nsaid" not in advised
    assert advised <= {"rest", "stop_running", "stretch", "massage", "heat", "ice", "drink_water", "electrolyte_drink",
                       "oral_carbohydrate", "recheck_glucose", "nothing_by_mouth", "recovery_position",
                       "cold_water_immersion", "call_emergency", "see_doctor"}  # the contract's ids only


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
    assert d["escalation"] in TIERS
    if d["escalation"] == "emergency":
        assert "call_emergency" in {x["id"] for x in d["actions"]}
