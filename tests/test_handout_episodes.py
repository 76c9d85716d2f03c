"""Episodes in the handout (issue 12 item 3): a timeline per episode, the latest entry assessed with its history."""

from __future__ import annotations

from kit import assess
from kit.handout.page import prepare
from kit.handout.sections import history_section
from kit.views.teamlog import OUTCOMES
from kit.words import TIER_SHORT, recheck_reason_label

LOW = {"athlete_id": "A-9", "episode_id": "E1", "blood_glucose": 58, "blood_glucose_unit": "mg/dL", "tremor": True}
ENTRIES = [
    {**LOW, "observed_at": "2026-05-01T09:00:00", "treatment_given": ["oral_carbohydrate"]},
    {**LOW, "observed_at": "2026-05-01T09:15:00", "treatment_given": ["oral_carbohydrate"], "blood_glucose": 61},
    {**LOW, "observed_at": "2026-05-01T09:30:00", "blood_glucose": 63},
]


def _html(page) -> str:
    sec = history_section(page)
    return sec._repr_html_() if hasattr(sec, "_repr_html_") else str(sec)


def test_each_episode_is_a_timeline_of_its_checks_with_how_it_ended():
    page = prepare(list(reversed(ENTRIES)), generated_on="2026-05-02")  # any order: sorted by time
    assert len(page.episodes) == 1
    steps = page.episodes[0]["steps"]
    assert [s["escalation"] for s in steps] == [
        assess(e, history=ENTRIES[:k]).escalation if k else assess(e).escalation for k, e in enumerate(ENTRIES)]
    html = _html(page)
    assert html.count("<tr data-tier=") == 3 and "09:15" in html
    assert recheck_reason_label("glucose_not_recovering") in html
    assert f"How it ended: {OUTCOMES['escalated']} ({TIER_SHORT['emergency'].lower()}) after 30 min" in html


def test_the_latest_entry_of_an_episode_is_assessed_with_its_history():
    page = prepare(ENTRIES, generated_on="2026-05-02")
    assert page.assessment.escalation == assess(ENTRIES[-1], history=ENTRIES[:-1]).escalation == "emergency"
    assert "glucose_not_recovering" in page.assessment.recheck_reasons


def test_observations_without_an_episode_show_no_timeline():
    page = prepare([{"athlete_id": "A-9", "observed_at": "2026-05-01T09:00:00", "tremor": True}], generated_on="2026-05-02")
    assert page.episodes == () and "kit-episode-timeline" not in _html(page)
