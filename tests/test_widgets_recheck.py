"""The recheck loop of the triage form (issue 12 item 1): Start recheck, given ticks, carried values, countdown."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kit import assess
from kit.store import Store
from kit.views.widgets import MemoryLog, TriageForm
from kit.words import TIER_TITLES, recheck_reason_label

CLOCK = datetime(2026, 5, 1, 16, 28).astimezone()
GLUCOSE = {"blood_glucose_unit": "mg/dL", "athlete_id": "ATH-01"}


class Clock:
    def __init__(self) -> None:
        self.t = CLOCK

    def __call__(self) -> datetime:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path) -> Store:
    with Store(tmp_path / "log.sqlite") as st:
        yield st


def banner_attr(form: TriageForm, name: str) -> str:
    return form.banner.value.split(f"{name}='", 1)[1].split("'", 1)[0]


def at(minutes: int) -> str:
    return (CLOCK + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def test_glucose_treated_twice_not_recovering_escalates_and_stores_three_entries_of_one_episode(store, clock, tmp_path):
    form = TriageForm(store=store, now=clock, drafts=False)
    form.set_values({"blood_glucose": 60, **GLUCOSE})
    first = assess({"blood_glucose": 60, "blood_glucose_unit": "mg/dL"})
    assert banner_attr(form, "data-tier") == first.escalation and banner_attr(form, "data-trend") == "first"
    assert "oral_carbohydrate" in form.given  # the shown actions can be ticked as given
    form.given["oral_carbohydrate"].value = True
    rid1 = form.start_recheck()
    assert rid1 is not None and form.episode_id
    # saved on its own: another connection to the same file sees entry 1 before entry 2 exists
    with Store(tmp_path / "log.sqlite", read_only=True) as other:
        assert [o["blood_glucose"] for o in other.observations_of_episode(form.episode_id)] == [60]

    form.inputs["observed_at"].value = at(15)  # an entry made afterwards: the time is moved
    form.inputs["blood_glucose"].value = "62"
    form.given["oral_carbohydrate"].value = True
    assert form.start_recheck() is not None
    form.inputs["observed_at"].value = at(30)
    form.inputs["blood_glucose"].value = "64"

    entries = store.observations_of_episode(form.episode_id)
    expected = assess({"blood_glucose": 64, "blood_glucose_unit": "mg/dL", "episode_id": form.episode_id,
                       "observed_at": at(30), "athlete_id": "ATH-01"}, history=entries)
    assert expected.escalation == "emergency" and "glucose_not_recovering" in expected.recheck_reasons
    assert form.assessment.escalation == expected.escalation
    assert banner_attr(form, "data-tier") == "emergency"
    assert "data-reason='glucose_not_recovering'" in form.banner.value
    assert recheck_reason_label("glucose_not_recovering") in form.banner.value
    assert form.save() is not None
    entries = store.observations_of_episode(form.episode_id)
    assert [o["blood_glucose"] for o in entries] == [60, 62, 64]
    assert [o["observed_at"][:16] for o in entries] == [at(0), at(15), at(30)]
    assert [o.get("treatment_given") for o in entries] == [["oral_carbohydrate"], ["oral_carbohydrate"], None]
    assert [e.entries for e in store.episodes()] == [3]


def test_a_worsening_recheck_changes_the_banner_and_its_reason_leads(clock):
    form = TriageForm(now=clock, drafts=False)
    form.set_values({"spasm": True, "spasm_duration_min": 5, "athlete_id": "ATH-02"})
    assert banner_attr(form, "data-worse") == "false"
    form.start_recheck()
    clock.t = CLOCK + timedelta(minutes=10)
    form.inputs["observed_at"].value = at(10)
    form.inputs["confusion"].value = "yes"  # a new red flag since the last check
    html = form.banner.value
    assert banner_attr(form, "data-worse") == "true" and "kit-worse" in html
    assert banner_attr(form, "data-trend") == "worsening"
    reason = recheck_reason_label("new_red_flag")
    assert reason in html and html.index(reason) < html.index(TIER_TITLES["emergency"])  # the reason leads


def test_an_unchanged_recheck_is_not_marked_worse(clock):
    form = TriageForm(now=clock, drafts=False)
    form.set_values({"core_temp_c": 38.0, "athlete_id": "ATH-02"})
    form.start_recheck()
    form.inputs["observed_at"].value = at(5)
    assert banner_attr(form, "data-trend") in ("unchanged", "improving")
    assert banner_attr(form, "data-worse") == "false" and "kit-worse-lead" not in form.banner.value
    assert "kit-trend" in form.banner.value  # the trend is shown in plain words at every recheck


def test_values_are_carried_forward_marked_with_their_time_until_changed(clock):
    form = TriageForm(now=clock, drafts=False)
    form.set_values({"spasm": True, "spasm_duration_min": 5, "core_temp_c": 38.0, "athlete_id": "ATH-03"})
    before = form.observation()
    form.start_recheck()
    carried = form.carried()
    assert {"spasm", "spasm_duration_min", "core_temp_c"} <= set(carried) and set(carried.values()) == {"16:28"}
    assert "athlete_id" not in carried
    assert form.inputs["core_temp_c"].description.endswith("(from 16:28)")
    assert "kit-carried" in form.inputs["core_temp_c"]._dom_classes
    kept = {k: v for k, v in form.observation().items() if k not in ("episode_id", "observed_at")}
    assert kept == {k: v for k, v in before.items() if k != "observed_at"}  # the same values, now for the recheck
    form.inputs["core_temp_c"].value = "37.6"
    assert "core_temp_c" not in form.carried() and "(from" not in form.inputs["core_temp_c"].description
    assert "kit-carried" not in form.inputs["core_temp_c"]._dom_classes
    assert "spasm" in form.carried()
    assert all(not b.value for b in form.given.values())  # the ticks start empty at each recheck


def test_countdown_runs_to_the_reassessment_time_of_the_saved_entry(clock):
    form = TriageForm(now=clock, drafts=False)
    form.set_values({"blood_glucose": 60, **GLUCOSE})
    minutes = form.assessment.reassess_in_min
    assert minutes is not None
    assert form.countdown.value == ""  # no episode yet
    form.start_recheck()
    due = CLOCK + timedelta(minutes=minutes)
    assert form.due == due
    assert f"in {minutes} min" in form.countdown_html() and due.strftime("%H:%M") in form.countdown_html()
    clock.t = due
    assert "due now" in form.countdown_html()
    clock.t = due + timedelta(minutes=3)
    assert "overdue by 3 min" in form.countdown_html() and "data-overdue='true'" in form.countdown_html()
    assert f"data-due='{int(due.timestamp() * 1000)}'" in form.countdown_html()  # the page helper ticks it


def test_start_recheck_needs_a_finding_and_an_athlete(clock):
    form = TriageForm(now=clock, drafts=False)
    assert form.start_recheck() is None and form.episode_id is None
    form.set_values({"blood_glucose": 60, "blood_glucose_unit": "mg/dL"})
    assert form.start_recheck() is None and form.episode_id is None
    assert "athlete" in form.status.value and form.store.observations() == []


def test_an_entry_saved_before_start_recheck_joins_the_episode_without_a_duplicate(store, clock):
    form = TriageForm(store=store, now=clock, drafts=False)
    form.set_values({"blood_glucose": 60, **GLUCOSE})
    rid = form.save()
    assert store.observations()[0].get("episode_id") is None
    new = form.start_recheck()
    assert new != rid
    current = store.observations()
    assert len(current) == 1 and current[0]["episode_id"] == form.episode_id  # corrected into the episode


def test_end_episode_leaves_the_loop_and_keeps_the_log(clock):
    log = MemoryLog()
    form = TriageForm(store=log, now=clock, drafts=False)
    form.set_values({"blood_glucose": 60, **GLUCOSE})
    form.start_recheck()
    assert form.end_button.layout.display is None
    assert form.end_episode() and form.episode_id is None and form.carried() == {}
    assert "episode_id" not in form.observation() and form.end_button.layout.display == "none"
    assert len(log.observations()) == 1 and not form.end_episode()


def test_recheck_widgets_keep_labels_and_dom_classes(clock):
    form = TriageForm(now=clock, drafts=False)
    form.set_values({"blood_glucose": 60, **GLUCOSE})
    for action, box in form.given.items():
        assert f"kit-given-{action}" in box._dom_classes and box.description  # a visible label per tick
    assert "kit-start-recheck" in form.recheck_button._dom_classes
    assert "kit-countdown-box" in form.countdown._dom_classes
