"""Five tiers and plain words in every view this package draws: charts, team log, workshop, history, handouts.

The assessments are built here with each of the five tiers (``dataclasses.replace`` on a real
assessment), so these tests say what a view shows for a tier whatever rule produced it.
"""

from __future__ import annotations

import dataclasses
import json
import re

import pandas as pd
import pytest

from kit import assess
from kit.engine.rules import TIERS
from kit.handout import build as h
from kit.resources import load_cases
from kit.views.charts import TIER_COLORS, TIER_TITLES, tier_counts_chart, tier_timeline
from kit.views.history import history_chart, history_frame, history_summary
from kit.views.tables import Table, cell_text, thresholds_for_people, tier_legend
from kit.views.teamlog import athlete_table, filter_log, log_summary, log_table, recurrent_table
from kit.views.workshop import WorkshopQuiz, case_title, glossary_html
from kit.words import TIER_ICONS, TIER_MEANINGS, TIER_SHORT, tier_label

IDS_PEOPLE_MUST_NOT_READ = ("see_doctor", "self_care", "blood_glucose", "amber point", "§", "hypoglycemia_", "_mg_dl")


def _scored(tiers=TIERS) -> pd.DataFrame:
    """A small scored log with one observation per tier per athlete (what score_log returns, built by hand)."""
    rows = []
    for a, athlete in enumerate(("ATH-A", "ATH-B")):
        for i, tier in enumerate(tiers):
            rows.append({"athlete_id": athlete, "observed_at": f"2026-0{i + 1}-1{a}T10:00:00", "escalation": tier,
                         "top_cause": "hypoglycemia" if i % 2 else None, "flags": "hypoglycemia;dehydration" if i else None,
                         "notes": None, "prevention_followed": True})
    df = pd.DataFrame(rows)
    df["when"] = pd.to_datetime(df["observed_at"])
    df["tier_rank"] = df["escalation"].map(TIERS.index)
    return df


class _WithRecheck:
    """An assessment that carries the v0.2 keys ``trend``, ``recheck_reasons`` and ``rule_set``."""

    def __init__(self, a, **extra):
        self._a, self._extra = a, extra

    def __getattr__(self, name):
        return self._extra[name] if name in self._extra else getattr(self._a, name)

    def to_dict(self):
        return {**self._a.to_dict(), **self._extra}


def _page_with(tier: str, **extra):
    page = h.prepare([{"athlete_id": "ATH-X", "observed_at": "2026-05-01T10:00:00", "tremor": True, "hunger": True,
                       "sweating": True, "blood_glucose": 3.2, "blood_glucose_unit": "mmol/L", "spasm": True,
                       "spasm_duration_min": 20}])
    a = dataclasses.replace(page.assessment, escalation=tier)
    return dataclasses.replace(page, assessment=_WithRecheck(a, **extra) if extra else a)


MAIN_SECTIONS = ("header", "observation_section", "tier_section", "causes_section", "history_section",
                 "prevention_section", "seek_help_section", "sources_section", "footer")


# ---- charts ---------------------------------------------------------------------------------

def test_charts_re_export_the_five_tier_words():
    assert tuple(TIER_COLORS) == TIERS == tuple(TIER_TITLES)


@pytest.mark.parametrize("chart", [tier_counts_chart, tier_timeline])
def test_team_charts_draw_all_five_tiers_in_rank_order_with_icon_and_word(chart):
    fig = chart(_scored())
    assert [t.legendgroup for t in fig.data] == list(TIERS)
    assert [t.name for t in fig.data] == [tier_label(t) for t in TIERS]
    assert [t.marker.color for t in fig.data] == [TIER_COLORS[t] for t in TIERS]
    shown = [{k: v for k, v in t.items() if k != "legendgroup"} for t in fig.to_plotly_json()["data"]]
    data = json.dumps(shown, default=str)
    assert not any(x in data for x in IDS_PEOPLE_MUST_NOT_READ)


def test_timeline_hover_uses_words_for_cause_and_signs_and_a_shape_per_tier():
    fig = tier_timeline(_scored())
    urgent = next(t for t in fig.data if t.legendgroup == "urgent")
    assert "Medical assessment today" in urgent.hovertemplate
    assert ("Low blood sugar (hypoglycaemia)", "low blood sugar; dehydration") in [tuple(c) for c in urgent.customdata]
    assert len({t.marker.symbol for t in fig.data}) == len(TIERS)


def test_history_chart_has_five_levels_in_words():
    df = _scored().query("athlete_id == 'ATH-A'")[["observed_at", "escalation", "top_cause", "flags"]]
    hist = history_frame(df)
    assert list(hist["tier_level"]) == [0, 1, 2, 3, 4]
    fig = history_chart(hist)
    assert list(fig.layout.yaxis.ticktext) == [TIER_SHORT[t] for t in TIERS]
    s = history_summary(hist)
    assert s["highest_tier"] == "emergency" and s["tier_counts"]["urgent"] == 1
    assert "How serious: emergency 1, assessment today 1, see a doctor 1" in " ".join(s["sentences"])


# ---- team log -------------------------------------------------------------------------------

def test_log_summary_lists_every_tier_by_rank_in_words():
    text = log_summary(_scored(("self_care", "self_care", "emergency")))
    line = text.splitlines()[1]
    assert line == ("How serious: emergency 2, assessment today 0, see a doctor 0, treat and recheck 0, self-care 4")
    assert "Signs recorded: dehydration 4, low blood sugar 4" in text
    assert not any(x in text for x in IDS_PEOPLE_MUST_NOT_READ)


def test_filter_by_lowest_tier_keeps_urgent_and_above():
    df = _scored()
    assert set(filter_log(df, min_tier="urgent")["escalation"]) == {"urgent", "emergency"}
    assert len(filter_log(df, min_tier="self_care")) == len(df)


def test_people_tables_use_words_blanks_and_no_index():
    df = _scored()
    at = athlete_table(df)
    assert list(at.frame.columns)[2:7] == [f"{TIER_ICONS[t]} {TIER_SHORT[t]}" for t in reversed(TIERS)]
    lt = log_table(df)
    text = repr(lt) + lt._repr_html_() + repr(at) + at._repr_html_()
    assert "None" not in text and "NaN" not in text and "nan" not in text
    assert not any(x in text for x in IDS_PEOPLE_MUST_NOT_READ)
    assert tier_label("urgent") in lt.frame["level"].tolist()
    assert "<th" in lt._repr_html_() and "index" not in lt._repr_html_()
    rec = recurrent_table(df.assign(flags="recurrent_despite_prevention"))
    assert rec.frame["highest level"].tolist() == [tier_label("emergency")] * 2


def test_table_cells_read_as_a_person_writes_them():
    assert [cell_text(x) for x in (70.0, 38.9, 5, None, float("nan"), True, pd.Timestamp("2026-05-01"))] == [
        "70", "38.9", "5", "", "", "yes", "2026-05-01"]
    t = Table(pd.DataFrame({"a": [1.0, None]}, index=[10, 11]))
    assert repr(t).split("\n") == ["a", "1", ""]  # no index, a blank for unknown
    assert "<td" in t._repr_html_() and "None" not in t._repr_html_() and "10" not in t._repr_html_()
    thr = thresholds_for_people()
    row = thr.frame[thr.frame["key"] == "hypo_level1_mg_dl"].iloc[0]
    assert row["rule"] == "< 70" and row["meaning"].endswith("treat with fast carbohydrate")
    assert "70.000" not in repr(thr) and "..." not in repr(thr)


# ---- workshop -------------------------------------------------------------------------------

def test_workshop_cards_have_neutral_titles_five_tier_picks_and_show_the_pick_beside_the_answer():
    cases = load_cases()
    quiz = WorkshopQuiz(cases)
    card = quiz.cards[1]
    assert cases[1]["id"] not in card.widget.children[0].value
    assert card.widget.children[0].value.startswith("<h4") and "Case 2" in card.widget.children[0].value
    labels = [label for label, _ in card.tier.options]
    assert labels[1:] == [tier_label(t) for t in TIERS]
    assert card.reveal_button.layout.width == "auto"
    quiz.answer(cases[1]["id"], "urgent", "muscle_fatigue")
    shown = card.result.value
    assert "Your pick" in shown and tier_label("urgent") in shown and "Muscle fatigue / cramp" in shown
    assert tier_label(card.assessment.escalation) in shown and TIER_MEANINGS[card.assessment.escalation] in shown
    assert "see_doctor" not in shown and "self_care" not in shown
    main, rules = shown.split("<details>")[0], shown.split("<details>")[1]
    assert "amber point" not in main and "§" not in main.split("Case notes")[0]
    assert "The rules behind it" in rules and "amber points:" in rules


def test_case_titles_never_name_the_answer():
    for i, c in enumerate(load_cases(), 1):
        title = case_title(c, i)
        assert title.startswith(f"Case {i}") and c["id"] not in title
        assert not re.search(r"glucose|hypo|dehydrat|cramp|heat|rhabdo|nerve|emergency", title, re.I)


def test_glossary_explains_eamc_once():
    quiz = WorkshopQuiz(load_cases()[:2])
    html = quiz.widget.children[0].value
    assert html == glossary_html() and html.count("EAMC") == 1 and "exercise-associated muscle cramp" in html


# ---- handouts -------------------------------------------------------------------------------

@pytest.mark.parametrize("tier", TIERS)
def test_handout_tier_box_has_icon_word_meaning_and_the_id_only_as_data(tier):
    page = _page_with(tier)
    head = h.header(page).markup
    assert f'class="kit-tier kit-tier-{tier}"' in head and f'data-tier="{tier}"' in head
    assert TIER_ICONS[tier] in head and TIER_TITLES[tier] in head and TIER_MEANINGS[tier].replace("'", "&#x27;") in head
    assert tier_label(tier) in h.tier_section(page).markup


def test_handout_main_text_has_no_ids_points_or_rule_numbers():
    page = _page_with("urgent")
    main = "".join(str(getattr(h, name)(page)) for name in MAIN_SECTIONS)
    assert not any(x in main for x in IDS_PEOPLE_MUST_NOT_READ), [x for x in IDS_PEOPLE_MUST_NOT_READ if x in main]
    assert "Confidence" not in main and "+3" not in main
    clin = str(h.clinician_section(page))
    assert "For clinicians" in clin and "<code>urgent</code>" in clin and "Amber points" in clin
    assert any(f"<code>{f}</code>" in clin for f in page.assessment.flags)
    assert "§" in clin or "ADA" in clin  # rule sources live here


def test_handout_says_when_to_get_a_same_day_assessment():
    text = str(h.seek_help_section(_page_with("monitor")))
    assert "Get a medical assessment today if" in text and "Same day, within hours" in text
    assert "Call emergency services now if" in text and "See a doctor within days if" in text


def test_handout_shows_trend_and_recheck_reasons_in_words_when_the_assessment_has_them():
    page = _page_with("urgent", trend="worsening", recheck_reasons=("glucose_not_recovering",), rule_set="0.2")
    tier = str(h.tier_section(page))
    assert "getting worse since the last check" in tier and "Blood sugar is not recovering after treatment" in tier
    assert "glucose_not_recovering" not in tier and "worsening" not in tier
    clin = str(h.clinician_section(page))
    assert "<code>glucose_not_recovering</code>" in clin and "Rule set" in clin and "0.2" in clin
    assert "recheck" not in str(h.tier_section(_page_with("urgent", trend="first", recheck_reasons=()))).split("Why")[0]


def test_handout_warnings_lose_their_codes_in_the_main_text():
    page = _page_with("monitor")
    warning = "glucose_out_of_meter_range: below meter range, or a unit slip: treat as low and recheck"
    page = dataclasses.replace(page, assessment=dataclasses.replace(page.assessment, warnings=(warning,)))
    main = str(h.tier_section(page))
    assert "glucose_out_of_meter_range" not in main and "Below meter range, or a unit slip" in main
    assert "glucose_out_of_meter_range" in str(h.clinician_section(page))


def test_handout_amber_points_become_warning_signs_and_section_references_go_to_the_appendix():
    page = _page_with("monitor")
    tier = str(h.tier_section(page))
    n = page.assessment.amber_points
    assert n >= 2 and f"{n} warning signs together" in tier and "amber" not in tier
    assert "Signs noted: low blood sugar" in tier and "§" not in tier


def test_template_shows_the_clinicians_appendix_before_the_footer():
    import nbformat

    nb = nbformat.read(h.TEMPLATE, as_version=4)
    sources = [c.source for c in nb.cells]
    assert sources.index("handout.clinician_section(page)") == sources.index("handout.footer(page)") - 1


def test_real_assessment_still_renders_every_section():
    page = h.prepare([{"athlete_id": "A", "observed_at": "2026-05-01T10:00:00", "spasm": True, "pain_score": 3}])
    assert assess(page.latest_raw).escalation == page.assessment.escalation
    for name in (*MAIN_SECTIONS, "clinician_section"):
        assert str(getattr(h, name)(page))


@pytest.mark.parametrize("case", load_cases(), ids=lambda c: c["id"])
def test_every_public_case_handout_reads_without_jargon(case):
    page = h.prepare([{**case["observation"], "observed_at": "2026-05-01T10:00:00"}])
    text = re.sub(r"<[^>]+>", " ", "".join(str(getattr(h, name)(page)) for name in MAIN_SECTIONS))
    assert not re.search(r"\b[a-z]+_[a-z_]+\b|amber|§|point\(s\)|[Cc]onfidence", text), case["id"]


def test_tier_legend_names_the_five_levels_with_what_the_trainer_says():
    legend = tier_legend()
    assert legend.frame["level"].tolist() == [tier_label(t) for t in TIERS]
    assert legend.frame["the trainer says"].iloc[-1] == "Call emergency services now"


def test_episode_case_shows_earlier_checks_and_is_assessed_with_its_history(monkeypatch):
    from kit.views import workshop

    calls = []

    def fake_assess(observation, history=None):
        calls.append(history)
        return assess(observation)

    monkeypatch.setattr(workshop, "assess", fake_assess)
    case = {"id": "pub-99-episode-glucose-still-low", "story": "A recheck.",
            "history": [{"observed_at": "2025-06-14T09:00:00+00:00", "tremor": True, "hunger": True}],
            "observation": {"observed_at": "2025-06-14T09:15:00+00:00", "tremor": True}}
    quiz = WorkshopQuiz([case])
    assert calls == [case["history"]]
    head = quiz.cards[0].widget.children[0].value
    assert "Earlier checks in this episode" in head and "check 1 (09:00): Trembling: yes; Hungry: yes" in head
    assert "Findings (now, 09:15)" in head and "with earlier checks" in head and case["id"] not in head
    assert workshop.answer_key([case])[0]["id"] == case["id"] and calls[-1] == case["history"]


def test_handout_shows_fields_added_to_the_contract_with_their_labels(monkeypatch):
    from kit.engine.fields import FIELDS, FieldSpec
    from kit.handout import sections as handout_sections
    from kit.views import recorded

    extra = {  # what contract v0.2 adds, as the engine's field table will carry them
        "collapse": FieldSpec("collapse", "bool", "Collapsed (could not stand or walk)", "red_flags"),
        "sickle_cell_trait": FieldSpec("sickle_cell_trait", "bool", "Known sickle cell trait", "background"),
        "blood_ketones_mmol_l": FieldSpec("blood_ketones_mmol_l", "number", "Blood ketones", "measurements", 0, 10,
                                          unit="mmol/L"),
        "minutes_since_run_end": FieldSpec("minutes_since_run_end", "number", "Minutes since the run ended", "context",
                                           0, 10080),
        "treatment_given": FieldSpec("treatment_given", "actions", "Treatment given since the last check", "admin"),
        "breathing_normally": FieldSpec("breathing_normally", "bool", "Breathing normally (gasping = no)", "red_flags"),
    }
    monkeypatch.setattr(handout_sections, "FIELDS", {**FIELDS, **extra})
    monkeypatch.setattr(recorded, "FIELDS", {**FIELDS, **extra})  # the rows are written by kit.views.recorded
    page = _page_with("emergency")
    raw = {**page.latest_raw, "collapse": True, "sickle_cell_trait": False, "blood_ketones_mmol_l": 1.8,
           "minutes_since_run_end": 12, "treatment_given": ["oral_carbohydrate", "rest", "rest"],
           "breathing_normally": False}
    text = str(h.observation_section(dataclasses.replace(page, latest_raw=raw)))
    low = text.lower()  # the first item of a row is capitalised, and the order follows the field table
    assert "collapsed (could not stand or walk)" in low and "known sickle cell trait: no" in low
    assert "blood ketones 1.8 mmol/l" in low and "minutes since the run ended 12" in low
    assert "Given since the last check" in text and "Food, drink or sugar by mouth; rest<" in text
    assert "treatment_given" not in text and "oral_carbohydrate" not in text
    assert "not breathing normally (or gasping)" in text and "Checked and not present: Breathing" not in text


def test_explorer_filters_by_level_and_shows_words():
    from kit.views.teamlog import TeamLogExplorer

    df = _scored()
    ex = TeamLogExplorer(df)
    assert [v for _, v in ex.level.options] == [None, "monitor", "see_doctor", "urgent", "emergency"]
    ex.level.value = "urgent"
    assert "<b>4</b>" in ex.count.value  # urgent and emergency of two athletes
    table = ex.table.outputs[0]["data"]
    assert tier_label("urgent") in table["text/plain"] and "None" not in table["text/html"]
    assert "self_care" not in table["text/html"] and "see_doctor" not in table["text/html"]


def test_clinician_appendix_escapes_what_it_shows():
    page = _page_with("urgent", trend="<b>worse</b>", recheck_reasons=("<script>x</script>",), rule_set="<i>0.2</i>")
    page = dataclasses.replace(page, assessment=_WithRecheck(
        dataclasses.replace(page.assessment._a, warnings=("code: <img src=x onerror=alert(1)>",)),
        trend="<b>worse</b>", recheck_reasons=("<script>x</script>",), rule_set="<i>0.2</i>"))
    text = str(h.clinician_section(page)) + str(h.tier_section(page))
    assert "<script" not in text and "<img" not in text and "<b>worse" not in text and "<i>0.2" not in text
    assert "&lt;script&gt;" in text
