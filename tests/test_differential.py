"""The differential's weights: precedence of §9.6 holds by construction, evidence explains every point."""

from __future__ import annotations

import doctest
from itertools import pairwise

import kit.engine.assessment
from kit import assess
from kit.engine.rules import CAUSES, FINDINGS


def _key_min(cause: str) -> int:
    return min(f.points for f in FINDINGS if f.cause == cause and f.key)


def _max(cause: str) -> int:
    # the most a cause can score: every finding at once, except mutually exclusive urine bands
    pts = [f.points for f in FINDINGS if f.cause == cause and f.id != "fluid_urine_mid"]
    return sum(pts)


def test_each_cause_has_a_key_finding():
    for c in CAUSES:
        assert any(f.cause == c and f.key for f in FINDINGS), c


def test_key_weights_make_precedence_follow_the_highest_score():
    # hypoglycaemia > fluid/electrolyte > nerve > fatigue (clinical-reference §9.6)
    for higher, lower in pairwise(CAUSES):
        assert _key_min(higher) > _max(lower), (higher, lower)


def test_finding_ids_are_unique_and_sourced():
    ids = [f.id for f in FINDINGS]
    assert len(ids) == len(set(ids))
    assert all(f.source and f.label and f.points > 0 for f in FINDINGS)


def test_worked_example_case_2():
    # 3.2 mmol/L x 18.016 = 57.65 mg/dL: key 70 + measured < 70: 10 + tremor, hunger, sweating, pale: 4 x 4 = 96
    a = assess({"tremor": True, "hunger": True, "sweating": True, "pale_skin": True,
                "blood_glucose": 3.2, "blood_glucose_unit": "mmol/L"})
    assert a.score["hypoglycemia"] == 96
    assert [e["points"] for e in a.causes[0]["evidence"]] == [70, 10, 4, 4, 4, 4]
    assert a.score["muscle_fatigue"] == 4  # tremor after effort


def test_mixed_picture_shows_runner_up_causes():
    a = assess({"spasm": True, "blood_glucose": 60, "blood_glucose_unit": "mg/dL",
                "body_mass_pre_kg": 70, "body_mass_post_kg": 67})
    assert [c["cause"] for c in a.causes[:3]] == ["hypoglycemia", "dehydration_electrolyte", "muscle_fatigue"]
    assert all(c["score"] > 0 for c in a.causes[:3])


def test_fluid_cause_label_never_implies_water_for_dilution():
    a = assess({"body_mass_pre_kg": 60, "body_mass_post_kg": 61})
    text = " ".join(e["finding"] for e in a.causes[0]["evidence"])
    assert "do not give water" in text


def test_docstring_examples_run():
    result = doctest.testmod(kit.engine.assessment)
    assert result.attempted > 0 and result.failed == 0


def test_assessment_is_immutable():
    import dataclasses

    import pytest

    a = assess({"spasm": True})
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.escalation = "emergency"
    with pytest.raises(TypeError):
        a.causes[0]["score"] = 100
    with pytest.raises(TypeError):
        a.actions[0]["text"] = "run on"
    d = a.to_dict()
    d["causes"][0]["score"] = 100  # the plain copy is the caller's to change
    assert a.causes[0]["score"] != 100


def test_new_flags_feed_their_causes():
    # falling glucose -> hypoglycaemia (§9.7 rule 2); severe hyponatraemia / over-drinking -> fluid-electrolyte (rule 3)
    a = assess({"glucose_lowering_medication": True, "blood_glucose": 80, "blood_glucose_unit": "mg/dL", "tremor": True})
    assert a.top_cause == "hypoglycemia" and "falling_glucose" in a.flags
    assert any("likely still falling" in e["finding"] for e in a.causes[0]["evidence"])
    b = assess({"run_duration_min": 300, "fluid_intake_ml": 6000, "urine_color": 7})
    assert b.top_cause == "dehydration_electrolyte"
    assert any("mL/h" in e["finding"] for e in b.causes[0]["evidence"])


def test_reliable_high_glucose_sets_the_hypoglycaemia_score_to_zero():
    # a reinterpreted 300 "mmol/L" reading is uncertain: presumptive hypoglycaemia stands (D20), hyperglycaemia dominates
    a = assess({"blood_glucose": 300, "blood_glucose_unit": "mmol/L", "tremor": True, "hunger": True, "sweating": True})
    assert "hypoglycemia" in a.flags and a.top_cause is None and a.score["hypoglycemia"] > 0
    b = assess({"blood_glucose": 300, "blood_glucose_unit": "mg/dL", "tremor": True, "hunger": True, "sweating": True})
    assert b.score["hypoglycemia"] == 0 and b.top_cause is None


def test_dominating_conditions_leave_no_top_cause_and_all_zero_means_none():
    assert assess({"spasm": True, "chest_pain": True}).top_cause is None
    assert assess({"spasm": True, "core_temp_c": 35.5}).top_cause is None  # cold stress
    assert assess({"confusion": True, "spasm": True}).top_cause is None  # cns without low glucose or severe EAH
    assert assess({"headache": True}).top_cause is None  # no cause has evidence
    # suspected heat stroke does not dominate when a reliable low glucose explains the CNS signs
    c = assess({"confusion": True, "blood_glucose": 50, "blood_glucose_unit": "mg/dL"})
    assert "suspected_heat_stroke" in c.flags and c.top_cause == "hypoglycemia"
    d = assess({"confusion": True, "blood_glucose": 50, "blood_glucose_unit": "mmol/L"})  # reinterpreted: uncertain
    assert "suspected_heat_stroke" in d.flags and d.top_cause is None
