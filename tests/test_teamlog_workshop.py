"""Team-log helpers (pandas) and the workshop quiz."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from kit import assess
from kit.engine.rules import TIERS
from kit.resources import load_cases
from kit.views.charts import tier_counts_chart, tier_timeline
from kit.views.teamlog import TeamLogExplorer, athlete_summary, filter_log, load_team_log, log_summary, recurrent_athletes, sample_log_path, score_log
from kit.views.workshop import WorkshopQuiz, answer_key, answer_key_fingerprint, answer_key_frame, answer_key_summary, case_facts
from kit.words import tier_label


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    if not sample_log_path().exists():
        pytest.skip("data/sample-team-log.csv is missing")
    return score_log(load_team_log(), progress=False)


def test_score_log_adds_assessment_columns_equal_to_assess(scored):
    assert {"escalation", "top_cause", "flags", "when", "score_hypoglycemia"} <= set(scored.columns)
    row = scored.iloc[7]
    obs = {k: row[k] for k in load_team_log().columns if pd.notna(row[k])}
    assert assess(obs).escalation == row["escalation"]


def test_recurrent_athletes_are_exactly_those_flagged(scored):
    rec = recurrent_athletes(scored)
    flagged = scored[scored["flags"].fillna("").str.contains("recurrent_despite_prevention")]
    assert set(rec["athlete_id"]) == set(flagged["athlete_id"])
    assert rec["flagged"].sum() == len(flagged)
    assert list(rec["flagged"]) == sorted(rec["flagged"], reverse=True)


def test_filter_by_athlete_and_inclusive_dates(scored):
    one = scored["athlete_id"].iloc[0]
    day = scored["when"].iloc[0].date()
    got = filter_log(scored, [one], day, day)
    assert set(got["athlete_id"]) == {one} and (got["when"].dt.date == day).all()
    assert len(filter_log(scored)) == len(scored)


def test_summaries_count_every_observation(scored):
    assert athlete_summary(scored)["observations"].sum() == len(scored)
    assert log_summary(scored).startswith(f"{len(scored)} observations of {scored['athlete_id'].nunique()} athletes")


def test_explorer_filters_update_count_and_timeline(scored):
    ex = TeamLogExplorer(scored)
    assert f"<b>{len(scored)}</b>" in ex.count.value
    ex.athletes.value = (scored["athlete_id"].iloc[0],)
    n = (scored["athlete_id"] == scored["athlete_id"].iloc[0]).sum()
    assert f"<b>{n}</b>" in ex.count.value
    assert "application/vnd.plotly.v1+json" in ex.chart.outputs[0]["data"]
    ex.start.value = ex.end.value = date(1990, 1, 1)
    assert "<b>0</b>" in ex.count.value and ex.table.outputs == ()


def test_team_charts_have_one_trace_per_tier_present_named_in_words(scored):
    tiers = set(scored["escalation"])
    for fig in (tier_counts_chart(scored), tier_timeline(scored)):
        assert {t.legendgroup for t in fig.data} == tiers  # the id, for scripts
        assert {t.name for t in fig.data} == {tier_label(t) for t in tiers}  # icon and words, for people
        assert [TIERS.index(t.legendgroup) for t in fig.data] == sorted(TIERS.index(t) for t in tiers)  # by rank
        shown = json.dumps([{k: v for k, v in t.items() if k != "legendgroup"} for t in fig.to_plotly_json()["data"]], default=str)
        assert not any(t in shown for t in ("see_doctor", "self_care"))


def test_answer_key_matches_the_cases_expected_answers():
    cases = load_cases()
    for case, key in zip(cases, answer_key(cases), strict=True):
        assert key["escalation"] == case["expected"]["escalation"]
        assert key["top_cause"] == case["expected"]["top_cause"]


def test_answer_key_summary_checks_the_key_without_revealing_it():
    cases = load_cases()
    text = answer_key_summary(cases)
    assert text.startswith(f"{len(cases)} cases; the kit's answer matches the case authors' on {len(cases)} of {len(cases)}")
    assert answer_key_fingerprint(cases) in text
    assert not any(c["id"] in text for c in cases)
    assert not any(t in text for t in ("self_care", "monitor", "see_doctor", "emergency", "hypoglycemia"))


def test_answer_key_fingerprint_changes_when_any_answer_changes():
    cases = load_cases()
    fp = answer_key_fingerprint(cases)
    assert fp == answer_key_fingerprint([dict(c) for c in cases]) and len(fp) == 16
    changed = [dict(c) for c in cases]
    changed[0] = {**changed[0], "observation": {**changed[0]["observation"], "confusion": True}}
    assert answer_key_fingerprint(changed) != fp
    assert answer_key_summary(changed).split("; ")[1].endswith(f"{len(cases) - 1} of {len(cases)}")


def test_answer_key_frame_for_instructors():
    cases = load_cases()
    df = answer_key_frame(cases)
    assert list(df["id"]) == [c["id"] for c in cases]
    assert (df["escalation"] == df["expected_escalation"]).all() and (df["top_cause"] == df["expected_top_cause"]).all()
    assert not df.isna().any().any()  # "none", not NaN, when no cause leads


def test_quiz_scores_right_and_wrong_answers():
    cases = load_cases()
    quiz = WorkshopQuiz(cases)
    first, second = cases[0], cases[1]
    assert quiz.answer(first["id"], first["expected"]["escalation"], first["expected"]["top_cause"]) == (True, True)
    assert quiz.answer(second["id"], "emergency", None) == (False, False)
    assert quiz.score() == {"revealed": 2, "tiers_right": 1, "causes_right": 1, "cases": len(cases)}
    assert f"2 of {len(cases)} cases revealed" in quiz.score_html.value
    card = quiz.cards[1]
    assert card.tier.disabled and "Case notes" in card.result.value and "Evidence" in card.result.value


def test_case_facts_hide_the_answer_but_show_units():
    facts = case_facts(load_cases()[1]["observation"])
    assert "Blood glucose: 3.2 mmol/L" in facts
    assert not any("hypoglyc" in f.lower() for f in facts)
