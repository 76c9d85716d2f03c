"""The public teaching cases (v0.2): tier, leading cause, flags, advice, reassessment time, warnings, rechecks."""

from __future__ import annotations

import json

import pytest

from kit import assess, resources
from tests.conftest import ROOT, load_cases

CASES = load_cases()
SINGLE = [c for c in CASES if "history" not in c]
EPISODES = [c for c in CASES if "history" in c]


def _codes(warnings):
    return {w.split(":", 1)[0] for w in warnings}


def _check(a, exp):
    assert a.escalation == exp["escalation"], a.reasons
    assert a.top_cause == exp["top_cause"]
    flags = set(a.flags)
    assert set(exp.get("flags_required", [])) <= flags
    assert set(exp["must_flag"]) <= flags
    assert not flags & set(exp.get("flags_forbidden", []))
    advised = {x["id"] for x in a.actions}
    assert not advised & set(exp["must_not_advise"])
    assert set(exp.get("actions_required", [])) <= advised
    assert a.reassess_in_min == exp["reassess_in_min"]
    assert _codes(a.warnings) == set(exp.get("warnings", []))
    if "trend" in exp:
        assert a.trend == exp["trend"]
    if "recheck_reasons" in exp:
        assert set(a.recheck_reasons) == set(exp["recheck_reasons"])


@pytest.mark.parametrize("case", SINGLE, ids=[c["id"] for c in SINGLE])
def test_teaching_case(case):
    _check(assess(case["observation"]), case["expected"])


@pytest.mark.parametrize("case", EPISODES, ids=[c["id"] for c in EPISODES])
def test_teaching_episode(case):
    _check(assess(case["observation"], history=case["history"]), case["expected"])


@pytest.mark.parametrize("case", SINGLE, ids=[c["id"] for c in SINGLE])
def test_teaching_case_forbidden_advice_is_listed_as_contraindicated_when_tier_needs_it(case):
    a = assess(case["observation"])
    contra = {x["id"] for x in a.contraindicated}
    if a.escalation != "self_care":
        assert "continue_running" in contra
    assert a.rule_set == "0.2" and a.trend == "first" and a.recheck_reasons == ()


def test_cases_shipped_in_package_match_data_copy():
    # one copy in the repository: the wheel ships data/cases.json as kit/data/cases.json (force-include)
    data = (ROOT / "data" / "cases.json").read_bytes()
    assert resources.cases_path().read_bytes() == data
    assert resources.load_cases() == json.loads(data)
    assert (ROOT / "docs" / "reference" / "cases-public.json").read_bytes() == data


def test_there_are_public_cases_for_every_tier():
    assert {c["expected"]["escalation"] for c in CASES} == {"self_care", "monitor", "see_doctor", "urgent", "emergency"}
    assert len(SINGLE) == 28 and len(EPISODES) == 4
