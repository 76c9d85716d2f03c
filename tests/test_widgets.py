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


def test_blank_form_shows_a_neutral_banner_without_a_tier_until_a_finding_is_entered(form):
    assert tier(form) == "none" and ">enter findings<" in form.banner.value
    assert "self_care" not in form.banner.value and form.reassess.value == "" and form.causes.outputs == ()
    assert assess({}).escalation == "self_care"  # the engine is unchanged; only the form waits for a finding
    form.set_values({"athlete_id": "ATH-01", "observed_at": "2026-05-01T14:00", "notes": "felt fine"})
    assert tier(form) == "none"  # athlete, time and notes are not findings
    form.inputs["blood_glucose_unit"].value = "mmol/L"
    assert tier(form) == "none"  # a unit alone says nothing
    form.inputs["tremor"].value = "no"
    assert tier(form) == "self_care" and ">self_care<" in form.banner.value
    assert "No set recheck time" in form.reassess.value
    form.inputs["tremor"].value = UNKNOWN
    assert tier(form) == "none"


def test_nothing_entered_is_not_saved(form):
    form.inputs["athlete_id"].value = "ATH-01"
    assert form.save() is None and "enter at least one finding" in form.status.value
    assert form.store.observations() == []


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
    form.inputs["pain_score"].value = "4,50"
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
    assert form.observation() == {} and tier(form) == "none"
    assert form.restore_button.layout.display == "none"  # the cleared values are in the log: nothing to undo


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


@pytest.mark.parametrize(("field", "text", "message"), [
    ("fluid_intake_ml", "1,500", "ambiguous: write 1500 or 1.5"),
    ("fluid_intake_ml", "1.500", "ambiguous: write 1500 or 1.5"),
    ("carbs_during_run_g", "2,250", "ambiguous: write 2250 or 2.25"),
    ("core_temp_c", "37,500", "ambiguous: write 37500 or 37.5"),  # a comma with three digits: always asked
    ("ambient_temp_c", "-1,500", "ambiguous: write -1500 or -1.5"),
    ("prior_episodes_30d", "1,000", "ambiguous: write 1000 or 1"),
])
def test_thousands_separator_is_an_input_problem_never_read_as_a_decimal(form, field, text, message):
    form.inputs[field].value = text
    assert form.assessment is None and tier(form) == "invalid"
    assert [(p.field, p.message) for p in form.problems] == [(field, message)]
    assert message in form.banner.value and "kit-invalid" in form.inputs[field]._dom_classes


@pytest.mark.parametrize(("field", "text", "value"), [
    ("pain_score", "5,4", 5.4), ("pain_score", "0,500", 0.5), ("fluid_intake_ml", "1500", 1500),
    ("fluid_intake_ml", "1,5", 1.5), ("fluid_intake_ml", "12,25", 12.25), ("run_distance_km", "21.0975", 21.0975),
    ("core_temp_c", "37.500", 37.5),  # 37500 is outside 30-45 degC: a dot with three digits is a decimal here
    ("body_mass_pre_kg", "72.350", 72.35),
])
def test_decimal_comma_and_unambiguous_dots_still_read(form, field, text, value):
    form.inputs[field].value = text
    assert form.problems == [] and form.observation()[field] == value


def test_save_twice_without_a_change_stores_one_row(form):
    form.set_values({"athlete_id": "ATH-01", "spasm": True})
    assert form.save() == 1
    assert form.save() == 1  # the same observation: not stored again
    assert "already saved as #1" in form.status.value
    assert len(form.store.observations()) == 1 and form.saved_ids == [1]
    form.inputs["pain_score"].value = "3"  # any change re-enables saving
    assert form.save() == 2 and "Saved to the log as #2" in form.status.value
    form.inputs["pain_score"].value = "4"
    form.inputs["pain_score"].value = "3"  # changed and changed back: a new observation
    assert form.save() == 3 and len(form.store.observations()) == 3


def test_clear_can_be_undone_and_survives_a_restart():
    store = MemoryLog()
    form = TriageForm(store, now=lambda: CLOCK)
    form.set_values({"athlete_id": "ATH-02", "tremor": True, "pain_score": 6})
    form.clear()
    assert form.observation() == {} and "Undo clear" in form.status.value
    assert form.restore_button.layout.display is None and form.restore_button.description == "Undo clear"
    form.inputs["spasm"].value = "yes"  # the next change does not drop the cleared values
    assert form.restore_button.layout.display is None
    reopened = TriageForm(store, now=lambda: CLOCK)  # restart: the cleared form and the typed one are both offered
    assert reopened.restore_button.description == "Restore unsaved form (1 of 2)"
    assert reopened.restore_draft() and reopened.observation() == {"athlete_id": "ATH-02", "tremor": True, "pain_score": 6}
    assert reopened.discard_draft() is True  # the {"spasm"} form
    assert reopened.discard_button.layout.display == "none" and reopened.pending_draft is None


def test_undo_clear_in_the_same_session_puts_the_values_back(form):
    form.set_values({"tremor": True, "blood_glucose": 3.2, "blood_glucose_unit": "mmol/L"})
    form.clear()
    assert form.restore_draft()
    assert form.observation() == {"tremor": True, "blood_glucose": 3.2, "blood_glucose_unit": "mmol/L"}
    assert form.restore_button.layout.display == "none"  # the blank form is not offered back


def test_a_draft_on_offer_is_not_overwritten_by_typing_in_the_new_form():
    store = MemoryLog()
    first = TriageForm(store, now=lambda: CLOCK)
    first.set_values({"athlete_id": "ATH-03", "confusion": True})  # then the kernel dies: a draft is left
    second = TriageForm(store, now=lambda: CLOCK)
    assert second.restore_button.layout.display is None and second.discard_button.layout.display is None
    second.inputs["spasm"].value = "yes"  # first keystroke in the new form
    assert second.pending_draft["confusion"] == "yes"
    assert store.load_draft("triage-offered")["offers"][0]["athlete_id"] == "ATH-03"  # the offered draft is kept

    third = TriageForm(store, now=lambda: CLOCK)  # another restart: both forms are offered, nothing lost
    assert [d["athlete_id"] for d in third._offers] == ["ATH-03", ""]
    assert third.restore_draft() and third.observation() == {"athlete_id": "ATH-03", "confusion": True}


def test_restore_over_typed_values_swaps_them_so_nothing_is_lost():
    store = MemoryLog()
    TriageForm(store, now=lambda: CLOCK).set_values({"confusion": True})
    form = TriageForm(store, now=lambda: CLOCK)
    form.inputs["spasm"].value = "yes"  # typed before pressing Restore
    assert form.restore_draft()
    assert form.observation() == {"confusion": True}
    assert "offered back" in form.status.value and form.restore_button.layout.display is None
    assert form.restore_draft()  # Restore again swaps back
    assert form.observation() == {"spasm": True}
    assert form.pending_draft["confusion"] == "yes"
    restarted = TriageForm(store, now=lambda: CLOCK)  # both survive a restart
    assert sorted(d["confusion"] for d in restarted._offers) == [UNKNOWN, "yes"]


def test_discard_forgets_the_offer_and_frees_the_slot():
    store = MemoryLog()
    TriageForm(store, now=lambda: CLOCK).set_values({"confusion": True})
    form = TriageForm(store, now=lambda: CLOCK)
    assert form.discard_draft() and not form.discard_draft()
    assert store.load_draft("triage-offered") is None and store.load_draft() is None
    assert TriageForm(store, now=lambda: CLOCK).restore_button.layout.display == "none"


def test_drafts_on_offer_survive_a_restart_with_the_sqlite_store(tmp_path):
    store_mod = pytest.importorskip("kit.store")
    st = store_mod.Store(tmp_path / "log.sqlite")
    TriageForm(store=st, now=lambda: CLOCK).set_values({"tremor": True, "pain_score": 4})
    form = TriageForm(store=st, now=lambda: CLOCK)
    form.inputs["confusion"].value = "no"
    again = TriageForm(store=st, now=lambda: CLOCK)
    assert len(again._offers) == 2 and again.restore_draft()
    assert again.observation() == {"tremor": True, "pain_score": 4}
    assert again.save() is not None and again.save() == again.saved_ids[0]
    assert len(st.observations()) == 1
    st.close()
