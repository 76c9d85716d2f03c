"""The triage form's logic in Python: set widget values, check the panel's tier and text."""

from __future__ import annotations

import re
import statistics
from datetime import datetime, timedelta
from time import perf_counter

import pytest

from kit import DISCLAIMER, TIERS, assess
from kit.engine.fields import BOOL_FIELDS, FIELDS
from kit.resources import load_cases
from kit.views.widgets import FORM_FIELDS, GROUPS, UNKNOWN, MemoryLog, TriageForm, disclaimer_note, summary_text
from kit.words import TIER_COLORS, TIER_HEADLINES, TIER_ICONS, TIER_TEXT_COLORS, TIER_TITLES

CLOCK = datetime(2026, 5, 1, 14, 17)
SESSION = "tab-0123456789abcdef"
OTHER_SESSION = "phone-0123456789abcdef"


@pytest.fixture
def form() -> TriageForm:
    return TriageForm(now=lambda: CLOCK)


def tier(form: TriageForm) -> str:
    """The tier as the page shows it (the banner's data-tier and its text)."""
    html = form.banner.value
    return html.split("data-tier='", 1)[1].split("'", 1)[0]


def test_every_contract_field_has_an_input_with_its_dom_class(form):
    later = {"episode_id", "treatment_given"}  # the recheck loop of an episode (issue 12) sets these
    assert set(form.inputs) == set(FORM_FIELDS) == {n for n, s in FIELDS.items() if s.kind != "actions"} - later
    assert list(form.inputs) == [n for n in FIELDS if n in form.inputs]  # table order
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
    assert assess({}).escalation in TIERS  # the engine scores an empty observation; only the form waits for a finding
    form.set_values({"athlete_id": "ATH-01", "observed_at": "2026-05-01T14:00", "notes": "felt fine"})
    assert tier(form) == "none"  # athlete, time and notes are not findings
    form.inputs["blood_glucose_unit"].value = "mmol/L"
    assert tier(form) == "none"  # a unit alone says nothing
    form.inputs["tremor"].value = "no"
    assert tier(form) == "self_care" and f">{TIER_TITLES['self_care']}<" in form.banner.value
    assert "No set recheck time" in form.reassess.value
    form.inputs["tremor"].value = UNKNOWN
    assert tier(form) == "none"


def test_nothing_entered_is_not_saved(form):
    form.inputs["athlete_id"].value = "ATH-01"
    assert form.save() is None and "enter at least one finding" in form.status.value
    assert form.store.observations() == []


def test_glucose_then_confusion_moves_banner_up_to_the_engines_tier(form):
    form.inputs["blood_glucose"].value = "50"
    assert tier(form) == "invalid"  # no unit yet
    form.inputs["blood_glucose_unit"].value = "mg/dL"
    low = assess({"blood_glucose": 50, "blood_glucose_unit": "mg/dL"}).escalation
    assert tier(form) == low and TIERS.index(low) >= TIERS.index("monitor")
    minutes = form.assessment.reassess_in_min
    assert minutes is not None and f"at {(CLOCK + timedelta(minutes=minutes)):%H:%M} (in {minutes} min)" in form.reassess.value
    glucose_actions = {"recheck_glucose", "oral_carbohydrate"} & {x["id"] for x in form.assessment.actions}
    assert form.reassess.value.count("Recheck glucose at") == bool(glucose_actions)
    assert f"at {(CLOCK + timedelta(minutes=minutes)):%H:%M}" in form.banner.value  # the headline's recheck time
    form.inputs["confusion"].value = "yes"
    high = assess({"blood_glucose": 50, "blood_glucose_unit": "mg/dL", "confusion": True}).escalation
    assert tier(form) == high and TIERS.index(high) > TIERS.index(low)
    assert TIER_TITLES[high] in form.banner.value and TIER_TITLES[low] not in form.banner.value
    assert "call_emergency" in form.todo.value
    for x in form.assessment.actions:  # every action, in the engine's reading order
        assert f"data-id='{x['id']}'" in form.todo.value
    assert [x["id"] for x in form.assessment.actions] == re.findall(r"data-id='([a-z_]+)'", form.todo.value)
    shown = [i for ids in re.findall(r"data-ids='([a-z_ ]+)'", form.dont.value) for i in ids.split()]
    assert sorted(shown) == sorted(x["id"] for x in form.assessment.contraindicated)  # every one, grouped by reason


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
    assert "is required when Blood glucose is given" in form.banner.value and "(None)" not in form.banner.value
    assert "blood_glucose" not in form.banner.value.replace("data-field='blood_glucose_unit'", "")  # labels, not names
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
    assert "is not allowed; allowed: a number from 0 to 10" in form.banner.value  # the field table's message
    assert form.causes.outputs == ()
    assert form.save() is None and "Not saved" in form.status.value
    form.inputs["pain_score"].value = "4,5"  # a decimal comma: refused as on every other path, with a hint
    assert form.assessment is None and "Write decimals with a point: 4.5." in form.banner.value
    form.inputs["pain_score"].value = "4.50"
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
    hypo = next(c for c in form.assessment.causes if c["cause"] == "hypoglycemia")
    assert any("50 mg/dL" in e["finding"] for e in hypo["evidence"])
    for e in hypo["evidence"]:  # every finding with its points in the hover
        assert e["finding"] in bar["customdata"][-1] and f"+{e['points']}" in bar["customdata"][-1]


@pytest.mark.parametrize("case", [c for c in load_cases() if not c.get("history")], ids=lambda c: c["id"])
def test_form_reproduces_assess_for_every_teaching_case(case):
    """Every single-observation case (the episodes with a history are the recheck loop's, issue 12)."""
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
    form.inputs["athlete_id"].value = "ATH-01"
    assert form.save() is None
    assert "Not saved: disk full" in form.status.value
    assert form.observation() == {"spasm": True, "athlete_id": "ATH-01"}


def test_save_and_drafts_with_the_sqlite_store(tmp_path):
    store_mod = pytest.importorskip("kit.store")
    st = store_mod.Store(tmp_path / "log.sqlite")
    form = TriageForm(store=st, now=lambda: CLOCK, session=SESSION)
    form.inputs["tremor"].value = "yes"
    form.inputs["blood_glucose"].value = "6"  # half-typed: drafts keep raw text
    live = f"triage:{SESSION}"
    assert st.load_draft(live)["blood_glucose"] == "6" and st.load_draft(live)["blood_glucose_unit"] is None
    form.inputs["blood_glucose_unit"].value = "mmol/L"
    form.inputs["athlete_id"].value = "ATH-01"

    reopened = TriageForm(store=st, now=lambda: CLOCK, session=SESSION)  # a reload of the same tab
    assert reopened.restore_button.layout.display is None  # offered
    assert reopened.observation() == {}  # never restored silently
    assert reopened.restore_draft()
    assert reopened.observation() == {"tremor": True, "blood_glucose": 6, "blood_glucose_unit": "mmol/L",
                                      "athlete_id": "ATH-01"}

    rid = reopened.save()
    assert st.load_draft(live) is None
    (saved,) = st.observations()
    assert saved["tremor"] is True and saved["blood_glucose"] == 6 and rid is not None
    history = st.history()
    assert history["escalation"].tolist() == [reopened.assessment.escalation]
    st.close()


def test_summary_text_is_the_panel_in_words(form):
    form.set_values({"spasm": True, "spasm_duration_min": 20})
    text = summary_text(form.assessment, now=CLOCK)
    assert text.splitlines()[0] == f"escalation: {form.assessment.escalation} ({TIER_TITLES[form.assessment.escalation]})"
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
    form = TriageForm(store=st, now=lambda: CLOCK, session=SESSION)
    form.inputs["blood_glucose_unit"].value = "mmol/L"
    assert st.load_draft(f"triage:{SESSION}") is None
    st.save_draft({"blood_glucose_unit": "mg/dL", "tremor": UNKNOWN}, f"triage:{SESSION}")  # e.g. an older form's
    assert TriageForm(store=st, now=lambda: CLOCK, session=SESSION).restore_button.layout.display == "none"
    st.close()


@pytest.mark.parametrize(("field", "text", "message"), [
    ("fluid_intake_ml", "1,500", "Write 1500 or 1.5 (no comma)."),
    ("fluid_intake_ml", "1.500", "ambiguous: write 1500 or 1.5"),
    ("carbs_during_run_g", "2,250", "Write 2250 or 2.25 (no comma)."),
    ("core_temp_c", "37,500", "Write 37500 or 37.5 (no comma)."),  # a comma with three digits: always asked
    ("ambient_temp_c", "-1,500", "Write -1500 or -1.5 (no comma)."),
    ("prior_episodes_30d", "1,000", "Write 1000 or 1 (no comma)."),
    ("pain_score", "5,4", "Write decimals with a point: 5.4."),
    ("pain_score", "0,500", "Write decimals with a point: 0.500."),
    ("fluid_intake_ml", "12,25", "Write decimals with a point: 12.25."),
])
def test_thousands_separator_and_decimal_comma_are_input_problems_never_guessed(form, field, text, message):
    form.inputs[field].value = text
    assert form.assessment is None and tier(form) == "invalid"
    [(name, said)] = [(p.field, p.message) for p in form.problems]
    assert name == field and said.endswith(message)
    assert message in form.banner.value and "kit-invalid" in form.inputs[field]._dom_classes


@pytest.mark.parametrize(("field", "text", "value"), [
    ("pain_score", "5.4", 5.4), ("pain_score", "0.500", 0.5), ("fluid_intake_ml", "1500", 1500),
    ("fluid_intake_ml", "1.5", 1.5), ("fluid_intake_ml", " 12.25 ", 12.25), ("run_distance_km", "21.0975", 21.0975),
    ("core_temp_c", "37.500", 37.5),  # 37500 is outside 30-45 degC: a dot with three digits is a decimal here
    ("body_mass_pre_kg", "72.350", 72.35),
])
def test_unambiguous_dots_still_read(form, field, text, value):
    form.inputs[field].value = text
    assert form.problems == [] and form.observation()[field] == value


def test_save_twice_without_a_change_stores_one_row(form):
    form.set_values({"athlete_id": "ATH-01", "spasm": True})
    assert form.save() == 1
    assert form.save() == 1  # the same observation: not stored again
    assert "already saved as #1" in form.status.value
    form.inputs["pain_score"].value = "abc"  # the form changed (and is invalid now): the note is stale
    assert "already saved" not in form.status.value and form.status.value == ""
    form.inputs["pain_score"].value = ""
    assert len(form.store.observations()) == 1 and form.saved_ids == [1]
    form.inputs["pain_score"].value = "3"  # any change re-enables saving
    assert form.save() == 2 and "Saved to the log as #2" in form.status.value
    form.inputs["pain_score"].value = "4"
    form.inputs["pain_score"].value = "3"  # changed and changed back: a new observation
    assert form.save() == 3 and len(form.store.observations()) == 3


def test_clear_can_be_undone_and_survives_a_restart():
    store = MemoryLog()
    form = TriageForm(store, now=lambda: CLOCK, session=SESSION)
    form.set_values({"athlete_id": "ATH-02", "tremor": True, "pain_score": 6})
    form.clear()
    assert form.observation() == {} and "Undo clear" in form.status.value
    assert form.restore_button.layout.display is None and form.restore_button.description == "Undo clear"
    form.inputs["spasm"].value = "yes"  # the next change does not drop the cleared values
    assert form.restore_button.layout.display is None
    reopened = TriageForm(store, now=lambda: CLOCK, session=SESSION)  # restart: the cleared form and the typed one are both offered
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
    first = TriageForm(store, now=lambda: CLOCK, session=SESSION)
    first.set_values({"athlete_id": "ATH-03", "confusion": True})  # then the kernel dies: a draft is left
    second = TriageForm(store, now=lambda: CLOCK, session=SESSION)
    assert second.restore_button.layout.display is None and second.discard_button.layout.display is None
    second.inputs["spasm"].value = "yes"  # first keystroke in the new form
    assert second.pending_draft["confusion"] == "yes"
    assert store.load_draft(f"triage-offered:{SESSION}")["offers"][0]["athlete_id"] == "ATH-03"  # the offered draft is kept

    third = TriageForm(store, now=lambda: CLOCK, session=SESSION)  # another restart: both forms are offered, nothing lost
    assert [d["athlete_id"] for d in third._offers] == ["ATH-03", ""]
    assert third.restore_draft() and third.observation() == {"athlete_id": "ATH-03", "confusion": True}


def test_restore_over_typed_values_swaps_them_so_nothing_is_lost():
    store = MemoryLog()
    TriageForm(store, now=lambda: CLOCK, session=SESSION).set_values({"confusion": True})
    form = TriageForm(store, now=lambda: CLOCK, session=SESSION)
    form.inputs["spasm"].value = "yes"  # typed before pressing Restore
    assert form.restore_draft()
    assert form.observation() == {"confusion": True}
    assert "offered back" in form.status.value and form.restore_button.layout.display is None
    assert form.restore_draft()  # Restore again swaps back
    assert form.observation() == {"spasm": True}
    assert form.pending_draft["confusion"] == "yes"
    restarted = TriageForm(store, now=lambda: CLOCK, session=SESSION)  # both survive a restart
    assert sorted(d["confusion"] for d in restarted._offers) == [UNKNOWN, "yes"]


def test_discard_forgets_the_offer_and_frees_the_slot():
    store = MemoryLog()
    TriageForm(store, now=lambda: CLOCK, session=SESSION).set_values({"confusion": True})
    form = TriageForm(store, now=lambda: CLOCK, session=SESSION)
    assert form.discard_draft() and not form.discard_draft()
    assert store.load_draft(f"triage-offered:{SESSION}") is None and store.load_draft(f"triage:{SESSION}") is None
    assert TriageForm(store, now=lambda: CLOCK, session=SESSION).restore_button.layout.display == "none"


def test_drafts_on_offer_survive_a_restart_with_the_sqlite_store(tmp_path):
    store_mod = pytest.importorskip("kit.store")
    st = store_mod.Store(tmp_path / "log.sqlite")
    TriageForm(store=st, now=lambda: CLOCK, session=SESSION).set_values({"tremor": True, "pain_score": 4})
    form = TriageForm(store=st, now=lambda: CLOCK, session=SESSION)
    form.inputs["confusion"].value = "no"
    again = TriageForm(store=st, now=lambda: CLOCK, session=SESSION)
    assert len(again._offers) == 2 and again.restore_draft()
    assert again.observation() == {"tremor": True, "pain_score": 4}
    again.inputs["athlete_id"].value = "ATH-04"
    assert again.save() is not None and again.save() == again.saved_ids[0]
    assert len(st.observations()) == 1
    st.close()


# ---------------------------------------------------------------- five tiers, plain words, sessions, saving


def _contrast(fg: str, bg: str) -> float:
    def lum(hex_colour: str) -> float:
        rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _fake(tier: str, **extra) -> dict:
    """A contract dict of ``tier`` (the banner's rendering does not depend on which rule set it)."""
    d = assess({"spasm": True}).to_dict()
    d.update({"escalation": tier, "reassess_in_min": None if tier == "self_care" else 30,
              "top_cause": "muscle_fatigue", "confidence": "low"}, **extra)
    return d


class _Fixed:
    """An assessment stand-in with a given contract dict (to render tiers the engine of this branch cannot reach)."""

    def __init__(self, d: dict) -> None:
        self.d, self.escalation = d, d["escalation"]

    def to_dict(self) -> dict:
        return dict(self.d)


@pytest.mark.parametrize("t", TIERS)
def test_banner_of_every_tier_has_its_colour_text_colour_icon_words_and_a_readable_contrast(form, t):
    form._render(_Fixed(_fake(t)))
    html = form.banner.value
    assert tier(form) == t and "class='kit-banner'" in html
    assert f"background:{TIER_COLORS[t]};color:{TIER_TEXT_COLORS[t]}" in html
    assert TIER_ICONS[t] in html and TIER_TITLES[t] in html
    assert TIER_HEADLINES[t].format(time="14:47") in html  # the recheck clock time: 14:17 + 30 min
    assert _contrast(TIER_TEXT_COLORS[t], TIER_COLORS[t]) >= 4.5
    assert f">{t}<" not in html  # people read words; scripts read data-tier


def test_tier_words_and_colours_cover_the_engines_tiers():
    assert set(TIER_COLORS) == set(TIER_TITLES) == set(TIER_HEADLINES) == set(TIER_ICONS) == set(TIERS)
    assert len(set(TIER_COLORS.values())) == len(TIERS)


def test_confidence_is_shown_except_on_an_emergency_banner(form):
    form._render(_Fixed(_fake("monitor")))
    assert "how sure: low" in form.banner.value
    form._render(_Fixed(_fake("emergency")))
    assert "how sure" not in form.banner.value and "Likely cause" not in form.banner.value
    assert "confidence in the cause ranking: low" in form.why.value  # still there for clinicians


def test_see_doctor_headline_does_not_say_non_urgent(form):
    form._render(_Fixed(_fake("see_doctor")))
    assert "non-urgent" not in form.banner.value.lower()


def test_amber_points_rule_ids_and_section_references_are_behind_why(form):
    form.set_values({"blood_glucose": 50, "blood_glucose_unit": "mg/dL", "tremor": True})
    d = form.assessment.to_dict()
    assert d["reasons"] and d["flags"]
    shown = form.banner.value + form.todo.value + form.dont.value + form.reassess.value
    assert "§" not in shown and "amber point" not in shown and "clinical-reference" not in shown
    for f in d["flags"]:
        assert f not in shown
    why = form.why.value
    assert why.startswith("<details><summary>Why?") and "</details>" in why
    for r in d["reasons"]:
        assert html_escape(r["reason"]) in why
    assert all(f"<code>{f}</code>" in why for f in d["flags"])


def html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def test_form_groups_follow_the_field_table(form):
    groups = [g for g, _ in GROUPS]
    assert groups[0] == "red_flags" and "admin" not in groups
    firsts = [next(n for n in FORM_FIELDS if FIELDS[n].group == g) for g in groups]
    assert firsts == sorted(firsts, key=list(FIELDS).index)  # groups in the table's order
    for g in groups:
        assert any(f"kit-group-{g}" in box._dom_classes for box in form.widget.children[-2].children)


def test_every_input_has_a_label_naming_the_field(form):
    for name, w in form.inputs.items():
        assert w.description and FIELDS[name].label in w.description


def test_save_needs_an_athlete_id(form):
    form.inputs["spasm"].value = "yes"
    assert form.save() is None and "athlete's id" in form.status.value
    assert form.store.observations() == []
    form.inputs["athlete_id"].value = "ATH-09"
    assert form.save() == 1


def test_saved_note_is_cleared_when_the_form_changes(form):
    form.set_values({"athlete_id": "ATH-01", "spasm": True})
    assert form.save() == 1 and "Saved to the log as #1" in form.status.value
    form.inputs["tremor"].value = "yes"
    assert form.status.value == ""


def test_drafts_belong_to_the_browser_session_that_made_them(tmp_path):
    store_mod = pytest.importorskip("kit.store")
    st = store_mod.Store(tmp_path / "log.sqlite")
    TriageForm(store=st, now=lambda: CLOCK, session=SESSION).set_values({"athlete_id": "ATH-05", "confusion": True})
    phone = TriageForm(store=st, now=lambda: CLOCK, session=OTHER_SESSION)  # another browser or device
    assert phone.pending_draft is None and phone.restore_button.layout.display == "none"
    assert TriageForm(store=st, now=lambda: CLOCK).pending_draft is None  # a page with no session of its own yet
    same_tab = TriageForm(store=st, now=lambda: CLOCK, session=SESSION)  # a reload of the same tab
    assert same_tab.pending_draft["athlete_id"] == "ATH-05"
    st.close()


def test_the_page_sends_its_session_id_and_the_form_adopts_it():
    store = MemoryLog()
    TriageForm(store, now=lambda: CLOCK, session=SESSION).set_values({"athlete_id": "ATH-06", "spasm": True})
    page = TriageForm(store, now=lambda: CLOCK)  # a new kernel for a reloaded page: a random id at first
    assert page.pending_draft is None and page.helper.session == page.session != SESSION
    page.inputs["tremor"].value = "yes"  # typed before the page's session id arrived
    page.helper.session = SESSION  # what the page helper sends from sessionStorage
    assert page.session == SESSION and page.pending_draft["athlete_id"] == "ATH-06"
    assert page.observation() == {"tremor": True}
    assert store.load_draft(f"triage:{SESSION}")["tremor"] == "yes"  # the live draft moved to the session
    page.helper.session = "x" * 5 + "<script>"  # a malformed id is refused
    assert page.session == SESSION and page.helper.session == SESSION


def test_session_ids_are_checked():
    with pytest.raises(ValueError, match="session"):
        TriageForm(session="short")
    assert TriageForm(drafts=False).session != TriageForm(drafts=False).session


def _field_names(box) -> list[str]:
    """The form fields inside a widget box, in display order (by their kit-field-* class)."""
    names = []
    for child in getattr(box, "children", ()):
        names += [c[len("kit-field-"):] for c in getattr(child, "_dom_classes", ()) if c.startswith("kit-field-")]
        names += _field_names(child)
    return names


def test_every_field_is_shown_in_its_group_in_table_order(form):
    inputs_column = next(w for w in form.widget.children if "kit-inputs" in w._dom_classes)
    for g, _title in GROUPS:
        box = next(b for b in inputs_column.children if f"kit-group-{g}" in b._dom_classes)
        assert _field_names(box) == [n for n in FORM_FIELDS if FIELDS[n].group == g]
    shown = _field_names(form.widget)
    assert sorted(shown) == sorted(FORM_FIELDS) and len(shown) == len(set(shown))  # each field once
