"""Exporting 01-triage after an entry shows that entry's assessment as a page (issue 13 item 6).

``kit export --execute`` runs the notebook with ``KIT_EXPORT=1``; the triage form then shows the
last entry saved in its store: tier banner, what to do, likely causes and what was recorded,
with no blank inputs, no buttons and no draft notice.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from kit import assess
from kit.cli.lab import ROOT, TRIAGE_NOTEBOOK
from kit.store import Store
from kit.views.triage_export import EXPORT_ENV, exporting, latest_entry
from kit.views.widgets import TriageForm
from kit.words import CAUSE_LABELS, TIER_TITLES

FIRST = {"athlete_id": "ATH-04", "observed_at": "2026-11-29T08:00:00Z", "spasm": True, "tremor": False}
ENTRY = {"athlete_id": "ATH-05", "observed_at": "2026-11-29T10:00:00Z", "tremor": True, "hunger": True,
         "blood_glucose": 60, "blood_glucose_unit": "mg/dL", "confusion": False}


def _classes(w) -> set[str]:
    return set(getattr(w, "_dom_classes", ()))


def _walk(w):
    yield w
    for c in getattr(w, "children", ()) or ():
        yield from _walk(c)


def test_export_env_name_is_the_one_kit_export_sets(monkeypatch):
    from kit.handout import build as handout

    assert handout._EXPORT_ENV == EXPORT_ENV  # a copy (see kit.handout.build): the same name
    monkeypatch.delenv(EXPORT_ENV, raising=False)
    with handout._exporting():  # what export --execute wraps the kernel's run in (one name: imported, not copied)
        assert exporting()
    assert not exporting()
    assert exporting({EXPORT_ENV: "1"}) and not exporting({}) and not exporting({EXPORT_ENV: "0"})


@pytest.fixture
def utc(monkeypatch):
    """The process in UTC for the test (clock times are checked), back to the old zone after it."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_form_shows_the_last_saved_entry_as_a_page_when_exporting(tmp_path, monkeypatch, utc):
    monkeypatch.setenv(EXPORT_ENV, "1")
    with Store(tmp_path / "s.sqlite") as st:
        st.save(FIRST)
        row = st.save(ENTRY)
        assert latest_entry(st)["id"] == row
        form = TriageForm(store=st)
        assert form.drafts is False  # no draft notice, no draft written by an export run
        expected = assess(ENTRY)
        assert form.assessment is not None and form.assessment.escalation == expected.escalation
        assert form.assessment.top_cause == expected.top_cause
        shown = list(_walk(form.widget))
        assert not any("kit-inputs" in _classes(w) for w in shown)  # no blank form
        assert not any("kit-admin" in _classes(w) for w in shown)
        assert all(b.layout.display == "none" for b in (form.save_button, form.clear_button, form.restore_button))
        texts = " ".join(str(getattr(w, "value", "")) for w in shown if hasattr(w, "value") and isinstance(w.value, str))
        assert f"Saved entry #{row}: ATH-05" in texts
        assert "What was recorded" in texts and "Blood glucose 60 mg/dL" in texts
        assert form.banner.value and f"data-tier='{expected.escalation}'" in form.banner.value.replace('"', "'")
        assert "10:15" in form.todo.value + form.reassess.value  # the recheck counts from when it was seen (+15 min)
        assert st.load_draft() is None


def test_export_of_an_empty_store_says_nothing_was_saved(tmp_path, monkeypatch):
    monkeypatch.setenv(EXPORT_ENV, "1")
    with Store(tmp_path / "s.sqlite") as st:
        form = TriageForm(store=st)
        texts = " ".join(str(w.value) for w in _walk(form.widget) if isinstance(getattr(w, "value", None), str))
        assert "No entry saved yet" in texts and not any("kit-inputs" in _classes(w) for w in _walk(form.widget))


def test_the_live_form_is_untouched_outside_an_export(tmp_path, monkeypatch):
    monkeypatch.delenv(EXPORT_ENV, raising=False)
    with Store(tmp_path / "s.sqlite") as st:
        st.save(ENTRY)
        form = TriageForm(store=st)
        assert form.drafts is True and form.blank  # the entry is not loaded into a live form
        assert any("kit-inputs" in _classes(w) for w in _walk(form.widget))
        assert form.save_button.layout.display != "none"


def _text(page: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.slow
def test_kit_export_execute_of_01_triage_after_an_entry_is_a_readable_page(tmp_path):
    store = tmp_path / "store.sqlite"
    with Store(store) as st:
        st.save(FIRST)
        row = st.save(ENTRY)
    nb = tmp_path / "01-triage.ipynb"
    shutil.copy(ROOT / TRIAGE_NOTEBOOK, nb)
    env = {**os.environ, "KIT_STORE": str(store), "PYTHONPATH": str(ROOT)}
    env.pop(EXPORT_ENV, None)
    res = subprocess.run([sys.executable, "-m", "kit", "export", str(nb), "--execute", "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    page = (tmp_path / "out" / "01-triage.html").read_text(encoding="utf-8")
    text = _text(page)
    a = assess(ENTRY)
    assert f"Saved entry #{row}: ATH-05" in text
    assert 'class="kit-widget kit-widget-HTML kit-escalation"' in page and TIER_TITLES[a.escalation] in text  # tier
    assert "What to do now" in text and "What not to do" in text
    assert "#kit-todo-list" not in page  # no jump link to an id the exporter removes
    assert CAUSE_LABELS[a.top_cause] in text  # the likely cause, in words
    assert "What was recorded" in text and "Blood glucose 60 mg/dL" in text
    assert "No assessment yet" not in text and "Restore unsaved form" not in text and "unsaved" not in text.split(
        "form = TriageForm", 1)[1]
    form_part = page.split("kit-escalation", 1)[1].split("What the five levels mean", 1)[0]
    assert "<input" not in form_part and "<select" not in form_part and "<textarea" not in form_part  # no blank form
    with Store(store) as st:
        assert st.count() == 2 and st.load_draft() is None  # the export wrote nothing


def test_a_saved_tier_that_differs_from_todays_is_said_on_the_page(tmp_path, monkeypatch):
    monkeypatch.setenv(EXPORT_ENV, "1")
    shown = assess({"confusion": True})  # what the trainer saw then (e.g. an earlier rule set)
    assert shown.escalation != assess(ENTRY).escalation
    with Store(tmp_path / "s.sqlite") as st:
        st.save(ENTRY, assessment=shown)
        form = TriageForm(store=st)
        title = next(w.value for w in _walk(form.widget) if "kit-entry-title" in _classes(w))
        assert f"When it was saved the kit said: <strong>{html.escape(TIER_TITLES[shown.escalation])}</strong>" in title
        assert form.assessment.escalation == assess(ENTRY).escalation
