"""The public teaching cases: tier, leading cause, flags and advice that must not be given."""

from __future__ import annotations

import pytest

from kit import assess
from tests.conftest import ROOT, load_cases

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_teaching_case(case):
    a = assess(case["observation"])
    exp = case["expected"]
    assert a.escalation == exp["escalation"], a.reasons
    assert a.top_cause == exp["top_cause"]
    assert set(exp["must_flag"]) <= set(a.flags)
    advised = {x["id"] for x in a.actions}
    assert not advised & set(exp["must_not_advise"])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_teaching_case_forbidden_advice_is_listed_as_contraindicated_when_tier_needs_it(case):
    a = assess(case["observation"])
    contra = {x["id"] for x in a.contraindicated}
    if a.escalation != "self_care":
        assert "continue_running" in contra


def test_cases_shipped_in_package_match_data_copy():
    assert (ROOT / "kit" / "data" / "cases.json").read_bytes() == (ROOT / "data" / "cases.json").read_bytes()


def test_there_are_public_cases_for_every_tier():
    assert {c["expected"]["escalation"] for c in CASES} == {"self_care", "monitor", "see_doctor", "emergency"}
