"""The triage form's logic in Python: set widget values, check the panel's tier and text."""

from __future__ import annotations

import statistics
from datetime import datetime
from time import perf_counter

import pytest

from kit import DISCLAIMER, assess
from kit.demo import load_cases
from kit.fields import BOOL_FIELDS, FIELDS
from kit.widgets import UNKNOWN, MemoryLog, TriageForm, disclaimer_note, summary_text

CLOCK = datetime(2026, 5, 1, 14, 17)


@pytest.fixture
def form() -> TriageForm:
    return TriageForm(now=lambda: CLOCK)


def tier(form: TriageForm) -> str:
    """The tier as the page shows it (the banner's data-tier and its text)."""
    html = form.banner.value
    return html.split("data-tier='", 1)[1].split("'", 1)[0]


def test_every_contract_field_has_an_input_with_its_dom_class(form):
    assert set(form.inputs) == set(FIELDS)
    for name, w in form.inputs.items():
        assert f"kit-field-{name}" in w._dom_classes
    assert "kit-escalation" in form.banner._dom_classes
    assert "kit-causes" in form.causes._dom_classes
    assert "kit-save" in form.save_button._dom_classes


def test_yes_no_fields_are_three_state_and_start_unknown(form):
    for name in BOOL_FIELDS:
        w = form.inputs[name]
        assert [v for _, v in w.options] == ["yes", "no", UNKNOWN]
        assert w.value == UNKNOWN
    assert form.observation() == {}


def test_blank_form_shows_self_care_with_tier_id_in_banner_text(form):
    assert tier(form) == "self_care"
    assert ">self_care<" in form.banner.value
    assert "No set recheck time" in form.reassess.value


def test_glucose_then_confusion_moves_banner_to_see_doctor_then_emergency(form):
    form.inputs["blood_glucose"].value = "50"
    assert tier(form) == "invalid"  # no unit yet
    form.inputs["blood_glucose_unit"].value = "mg/dL"
    assert tier(form) == "see_doctor"
    assert "Recheck glucose at 14:32 (in 15 min)" in form.reassess.value
    form.inputs["confusion"].value = "yes"
    assert tier(form) == "emergency"
    assert "emergency" in form.banner.value and "see_doctor" not in form.banner.value
    assert "call_emergency" in form.todo.value
    assert "drink water" in form.dont.value


def test_no_and_unknown_differ_unknown_is_asked_for(form):
    form.inputs["tremor"].value = "yes"
    assert "data-field='confusion'" in form.missing.value
    form.inputs["confusion"].value = "no"
    assert form.observation()["confusion"] is False
    assert "data-field='confusion'" not in form.missing.value
    form.inputs["confusion"].value = UNKNOWN
    assert "confusion" not in form.observation()


def test_glucose_unit_toggle_changes_the_reading(form):
    form.inputs["tremor"].value = "yes"
    form.inputs["blood_glucose"].value = "3.2"
    form.inputs["blood_glucose_unit"].value = "mmol/L"
    assert form.assessment.top_cause == "hypoglycemia" and tier(form) == "monitor"
    form.inputs["blood_glucose_unit"].value = "mg/dL"  # 3.2 mg/dL: implausible, warned
    assert "did you mean" in form.warnings.value


def test_glucose_unit_starts_unselected(form):
    w = form.inputs["blood_glucose_unit"]
    assert w.value is None and w.index is None and list(w.options) == ["mg/dL", "mmol/L"]
    form.set_values({"tremor": True, "blood_glucose": 3.2, "blood_glucose_unit": "mmol/L"})
    form.clear()
    assert w.value is None  # Clear forgets the unit too
    form.set_values({"blood_glucose": 3.2, "blood_glucose_unit": "mmol/L"})
    form.set_values({"tremor": True})
    assert w.value is None  # set_values resets unmentioned fields, the unit included


def test_glucose_without_a_unit_is_an_input_problem_never_read_as_mg_dl(form):
    form.inputs["tremor"].value = "yes"
    form.inputs["blood_glucose"].value = "3.2"  # a mmol/L meter's reading
    assert form.assessment is None and tier(form) == "invalid"
    assert ">check input<" in form.banner.value
    assert [p.field for p in form.problems] == ["blood_glucose_unit"]
    assert "is required when blood_glucose is given" in form.banner.value and "(None)" not in form.banner.value
    assert "kit-invalid" in form.inputs["blood_glucose_unit"]._dom_classes
    assert form.causes.outputs == () and "did you mean" not in form.warnings.value
    assert form.save() is None and "Not saved" in form.status.value
    form.inputs["blood_glucose_unit"].value = "mmol/L"
    assert form.assessment.top_cause == "hypoglycemia"
    assert "kit-invalid" not in form.inputs["blood_glucose_unit"]._dom_classes
    form.inputs["blood_glucose"].value = ""  # no glucose: the unit alone is no problem
    assert form.assessment is not None and "blood_glucose_unit" not in form.observation()


def test_disclaimer_note_renders_the_kit_disclaimer_as_markdown():
    note = disclaimer_note()
    assert note._repr_markdown_() == f"> **Important.** {DISCLAIMER}"
    assert repr(note) == f"Important. {DISCLAIMER}"


def test_unit_alone_is_not_an_observation(form):
    form.inputs["blood_glucose_unit"].value = "mmol/L"
    assert form.observation() == {}


def test_unreadable_number_blocks_the_assessment_and_marks_the_field(form):
    form.inputs["pain_score"].value = "abc"
    assert form.assessment is None and tier(form) == "invalid"
    assert "kit-invalid" in form.inputs["pain_score"]._dom_classes
    assert "not a number" in form.banner.value
    assert form.causes.outputs == ()
    assert form.save() is None and "Not saved" in form.status.value
    form.inputs["pain_score"].value = "4,5"  # decimal comma accepted
    assert form.assessment is not None and form.observation()["pain_score"] == 4.5
    assert "kit-invalid" not in form.inputs["pain_score"]._dom_classes


def test_out_of_range_value_is_reported_with_the_engines_message(form):
    form.inputs["pain_score"].value = "11"
    assert form.assessment is None
    assert [p.field for p in form.problems] == ["pain_score"]
    assert "0 to 10" in form.banner.value


def test_whole_number_field_rejects_fractions(form):
    form.inputs["prior_episodes_30d"].value = "1.5"
    assert form.assessment is None and "whole number" in form.banner.value
    form.inputs["prior_episodes_30d"].value = "2"
    assert form.observation()["prior_episodes_30d"] == 2


def test_cause_chart_output_holds_a_plotly_figure_with_findings_and_points_in_hover(form):
    form.set_values({"tremor": True, "blood_glucose": 50, "blood_glucose_unit": "mg/dL"})
    (out,) = form.causes.outputs
    spec = out["data"]["application/vnd.plotly.v1+json"]
    assert "text/html" not in out["data"]  # no inlined plotly.js, no random div ids
    bar = spec["data"][0]
    assert len(bar["x"]) == 4 and bar["y"][-1] == "Low blood sugar (hypoglycaemia)"
    assert "measured glucose 50 mg/dL" in bar["customdata"][-1] and "+10" in bar["customdata"][-1]


@pytest.mark.parametrize("case", load_cases(), ids=lambda c: c["id"])
def test_form_reproduces_assess_for_every_teaching_case(case):
    form = TriageForm(now=lambda: CLOCK, drafts=False)
    form.set_values(case["observation"])
    assert form.assessment.to_dict() == assess(case["observation"]).to_dict()
    assert tier(form) == case["expected"]["escalation"]


def test_set_values_refreshes_once_and_rejects_unknown_fields(form):
    calls = []
    orig = form.refresh
    form.refresh = lambda: calls.append(1) or orig()
    form.set_values({"tremor": True, "spasm": True, "pain_score": 3})
    assert len(calls) == 1
    with pytest.raises(ValueError, match="tremmor"):
        form.set_values({"tremmor": True})


def test_save_to_memory_log_and_clear(form):
    form.set_values({"athlete_id": "ATH-01", "spasm": True, "notes": "left calf"})
    rid = form.save()
    assert rid == 1 and form.saved_ids == [1]
    row = form.store.observations()[0]
    assert row["athlete_id"] == "ATH-01" and row["spasm"] is True and row["notes"] == "left calf"
    assert "Saved to the log as #1" in form.status.value
    assert form.inputs["athlete_id"].options == ("ATH-01",)
    form.clear()
    assert form.observation() == {} and tier(form) == "self_care"


def test_store_error_on_save_keeps_the_form_and_says_why(form):
    class Broken(MemoryLog):
        def save(self, observation, **kw):
            raise RuntimeError("disk full")

    form.store = Broken()
    form.inputs["spasm"].value = "yes"
    assert form.save() is None
    assert "Not saved: disk full" in form.status.value
    assert form.observation() == {"spasm": True}


def test_save_and_drafts_with_the_sqlite_store(tmp_path):
    store_mod = pytest.importorskip("kit.store")
    st = store_mod.Store(tmp_path / "log.sqlite")
    form = TriageForm(store=st, now=lambda: CLOCK)
    form.inputs["tremor"].value = "yes"
    form.inputs["blood_glucose"].value = "6"  # half-typed: drafts keep raw text
    assert st.load_draft()["blood_glucose"] == "6" and st.load_draft()["blood_glucose_unit"] is None
    form.inputs["blood_glucose_unit"].value = "mmol/L"

    reopened = TriageForm(store=st, now=lambda: CLOCK)
    assert reopened.restore_button.layout.display is None  # offered
    assert reopened.observation() == {}  # never restored silently
    assert reopened.restore_draft()
    assert reopened.observation() == {"tremor": True, "blood_glucose": 6, "blood_glucose_unit": "mmol/L"}

    rid = reopened.save()
    assert st.load_draft() is None
    (saved,) = st.observations()
    assert saved["tremor"] is True and saved["blood_glucose"] == 6 and rid is not None
    history = st.history()
    assert history["escalation"].tolist() == [reopened.assessment.escalation]
    st.close()


def test_summary_text_is_the_panel_in_words(form):
    form.set_values({"spasm": True, "spasm_duration_min": 20})
    text = summary_text(form.assessment, now=CLOCK)
    assert text.splitlines()[0] == f"escalation: {form.assessment.escalation} (Monitor on site)"
    assert "Reassess at" in text


def test_form_change_updates_panel_quickly(form):
    """Median and p95 of 200 changes (widget value set -> panel redrawn), no kernel: generous bounds."""
    times = []
    values = ["yes", "no", UNKNOWN]
    for i in range(200):
        t = perf_counter()
        form.inputs["tremor"].value = values[i % 3]
        times.append(perf_counter() - t)
    times.sort()
    median, p95 = statistics.median(times), times[int(0.95 * len(times)) - 1]
    assert median < 0.02 and p95 < 0.05, (median, p95)


def test_a_unit_alone_is_no_draft(tmp_path):
    store_mod = pytest.importorskip("kit.store")
    st = store_mod.Store(tmp_path / "log.sqlite")
    form = TriageForm(store=st, now=lambda: CLOCK)
    form.inputs["blood_glucose_unit"].value = "mmol/L"
    assert st.load_draft() is None
    st.save_draft({"blood_glucose_unit": "mg/dL", "tremor": UNKNOWN})  # e.g. a draft of the older form
    assert TriageForm(store=st, now=lambda: CLOCK).restore_button.layout.display == "none"  # nothing offered
    st.close()
