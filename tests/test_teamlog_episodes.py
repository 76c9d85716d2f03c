"""Episode statistics of the team log (issue 12 item 4) and the sample season's episodes (item 6)."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.views.teamlog import OUTCOMES, episode_stats, episode_summary, episode_table, episode_timeline, load_team_log, score_log
from kit.words import TIER_COLORS


def _log(rows):
    return score_log(pd.DataFrame(rows), progress=False)


def ep(eid, minutes, **fields):
    return {"athlete_id": "A-1", "episode_id": eid, "observed_at": f"2026-05-01T09:{minutes:02d}:00", **fields}


@pytest.fixture(scope="module")
def sample():
    return score_log(load_team_log(), progress=False)


def test_outcomes_follow_the_tiers_of_each_entry():
    low = {"blood_glucose": 58.0, "blood_glucose_unit": "mg/dL", "tremor": True}
    rows = [
        ep("E1", 0, **low, treatment_given=["oral_carbohydrate"]), ep("E1", 15, **low, treatment_given=["oral_carbohydrate"]),
        ep("E2", 0, spasm=True, spasm_duration_min=3.0, pain_score=2.0), ep("E2", 10, spasm=False, pain_score=0.0),
        ep("E3", 0, confusion=True), ep("E3", 5, confusion=True),
        {"athlete_id": "A-2", "observed_at": "2026-05-01T10:00:00", "tremor": True},  # not in an episode
    ]
    scored = _log(rows)
    st = episode_stats(scored).set_index("episode_id")
    assert list(st.index) == ["E1", "E2", "E3"] and st["entries"].tolist() == [2, 2, 2]
    tiers = scored.set_index(["episode_id", "observed_at"])["escalation"]
    assert st.loc["E1", "final_tier"] == tiers[("E1", "2026-05-01T09:15:00")] == "emergency"  # K1 at the recheck
    assert st.loc["E1", "outcome"] == "escalated" and st.loc["E1", "repeated"] == ["oral_carbohydrate"]
    assert st.loc["E1", "treatments"] == {"oral_carbohydrate": 2}
    assert st.loc["E2", "final_tier"] == "self_care" and st.loc["E2", "outcome"] == "resolved"
    assert st.loc["E2", "minutes_to_resolution"] == 10
    assert st.loc["E3", "outcome"] == "handed_over" and pd.isna(st.loc["E3", "minutes_to_resolution"])
    text = episode_summary(episode_stats(scored))
    assert "3 episodes with 6 entries" in text and f"{OUTCOMES['resolved']} 1" in text
    assert f"{OUTCOMES['escalated']} 1" in text and "in 1 episode" in text


def test_a_log_without_episodes_has_no_episode_rows():
    scored = _log([{"athlete_id": "A-1", "observed_at": "2026-05-01T09:00:00", "tremor": True}])
    assert episode_stats(scored).empty and "No episodes" in episode_summary(episode_stats(scored))


def test_sample_season_has_realistic_multi_entry_episodes(sample):
    st = episode_stats(sample)
    assert len(st) >= 6 and (st["entries"] >= 2).all() and st["entries"].max() >= 3
    assert set(st["outcome"]) >= {"resolved", "escalated"}  # some settle on site, some do not
    assert st["athlete_id"].nunique() >= 5
    by_cause = set(st["cause"].dropna())
    assert {"hypoglycemia", "muscle_fatigue"} <= by_cause
    assert any("oral_carbohydrate" in r for r in st["repeated"])  # sugar given twice, not recovering


def test_episode_table_and_timeline_show_every_episode_in_words(sample):
    st = episode_stats(sample)
    table = episode_table(st)
    assert len(table.frame) == len(st) and "how it ended" in table.frame.columns
    assert set(table.frame["how it ended"]) <= set(OUTCOMES.values())
    fig = episode_timeline(sample)
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert len(lines) == len(st)
    assert sum(len(t.x) for t in lines) == int(st["entries"].sum())
    assert all(c in TIER_COLORS.values() for t in lines for c in t.marker.color)
