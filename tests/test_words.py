"""kit.words: one wording for the five tiers, colours that stay apart for colour-blind readers, readable text.

Colour check: each tier colour is simulated as a deuteranope sees it (Machado, Oliveira & Fernandes,
IEEE TVCG 2009, severity 1.0: a 3x3 matrix applied to *linear* RGB), then compared in CIELAB (D65)
with the CIE76 difference ΔE*ab. ΔE 2.3 is a just-noticeable difference; the kit asks for more than
``MIN_DELTA_E`` = 20 between every pair of tier colours, a margin for telling swatches apart at a
glance on a phone in daylight (a design choice, stated here and in kit/words.py). Text contrast is
WCAG 2.x's (L1 + 0.05) / (L2 + 0.05) on relative luminance, at least 4.5:1 (AA, normal text).
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from kit import words
from kit.engine import rules
from tests.conftest import ROOT

MIN_DELTA_E = 20.0
MIN_CONTRAST = 4.5

# Machado et al. 2009, deuteranomaly at severity 1.0 (deuteranopia), for linear RGB.
MACHADO_DEUTERANOPIA = np.array([
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.011820, 0.042940, 0.968881],
])
_SRGB_TO_XYZ = np.array([
    [0.4124564, 0.3575761, 0.1804375],
    [0.2126729, 0.7151522, 0.0721750],
    [0.0193339, 0.1191920, 0.9503041],
])
_D65 = np.array([0.95047, 1.0, 1.08883])


def linear_rgb(color: str) -> np.ndarray:
    c = np.array([int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(lin: np.ndarray) -> np.ndarray:
    t = (_SRGB_TO_XYZ @ np.clip(lin, 0, 1)) / _D65
    d = 6 / 29
    f = np.where(t > d ** 3, np.cbrt(t), t / (3 * d * d) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, simulate: bool = False) -> float:
    m = MACHADO_DEUTERANOPIA if simulate else np.eye(3)
    return float(np.linalg.norm(lab(m @ linear_rgb(a)) - lab(m @ linear_rgb(b))))


def contrast(a: str, b: str) -> float:
    la, lb = sorted(float(np.array([0.2126, 0.7152, 0.0722]) @ linear_rgb(c)) for c in (a, b))
    return (lb + 0.05) / (la + 0.05)


def test_helpers_reproduce_known_values():
    # these checks make the colour tests able to fail: black/white, and a red-green pair deuteranopes confuse
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert delta_e("#FF0000", "#FF0000", simulate=True) == 0
    assert delta_e("#D62728", "#2CA02C") > 60  # red vs green for normal vision ...
    assert delta_e("#D62728", "#2CA02C", simulate=True) < MIN_DELTA_E  # ... but close for a deuteranope


def test_tier_order_is_the_kernels():
    assert words.TIER_ORDER == rules.TIERS == ("self_care", "monitor", "see_doctor", "urgent", "emergency")


@pytest.mark.parametrize("table", ["TIER_COLORS", "TIER_TEXT_COLORS", "TIER_TINTS", "TIER_ICONS", "TIER_TITLES",
                                   "TIER_SHORT", "TIER_HEADLINES", "TIER_MEANINGS"])
def test_every_tier_table_names_exactly_the_five_tiers(table):
    assert tuple(getattr(words, table)) == rules.TIERS


def test_titles_icons_and_colours_are_distinct():
    for table in (words.TIER_COLORS, words.TIER_ICONS, words.TIER_TITLES, words.TIER_SHORT, words.TIER_HEADLINES):
        assert len(set(table.values())) == len(rules.TIERS)


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(rules.TIERS, 2)))
def test_tier_colours_stay_apart_under_deuteranopia(a, b):
    ca, cb = words.TIER_COLORS[a], words.TIER_COLORS[b]
    assert delta_e(ca, cb, simulate=True) > MIN_DELTA_E, (a, b)
    assert delta_e(ca, cb) > MIN_DELTA_E, (a, b)


@pytest.mark.parametrize("tier", rules.TIERS)
def test_banner_text_has_aa_contrast(tier):
    assert contrast(words.TIER_TEXT_COLORS[tier], words.TIER_COLORS[tier]) >= MIN_CONTRAST
    assert contrast("#1d2327", words.TIER_TINTS[tier]) >= MIN_CONTRAST  # the handout's ink on the tier box


def test_headlines_are_sentences_to_say_aloud():
    assert words.tier_headline("monitor", "16:43") == "Treat here, stay with the athlete and recheck at 16:43"
    assert words.tier_headline("emergency", "16:43") == "Call emergency services now"
    assert "{" not in words.tier_headline("urgent") and "the time shown" in words.tier_headline("urgent")
    for tier in rules.TIERS:
        assert "_" not in words.TIER_HEADLINES[tier] + words.TIER_TITLES[tier] + words.TIER_MEANINGS[tier]
    assert "same day" in words.TIER_MEANINGS["urgent"].lower()


def test_flags_recheck_reasons_and_trends_have_plain_words():
    assert set(rules.FLAGS) <= set(words.FLAG_LABELS)
    for table in (words.FLAG_LABELS, words.RECHECK_REASON_LABELS, words.TREND_LABELS, words.ACTION_LABELS):
        assert all("_" not in v and v.strip() for v in table.values())
    assert set(words.TREND_LABELS) == {"first", "improving", "unchanged", "worsening"}
    assert words.flags_text("hypoglycemia;dehydration") == "low blood sugar; dehydration"
    assert words.flags_text(float("nan")) == "" and words.flags_text(None) == "" and words.flags_text("") == ""
    assert words.flag_label("some_new_flag") == "some new flag"  # an unknown id still reads as words
    assert words.recheck_reason_label("glucose_not_recovering").startswith("blood sugar")


def test_contract_v02_flags_and_recheck_reasons_all_have_words():
    v02_flags = ("falling_glucose hyperglycemia ketosis possible_dka hyperthermia suspected_heat_stroke overdrinking "
                 "severe_hyponatremia compartment_syndrome_risk dvt_risk unilateral_leg_swelling exertional_sickling "
                 "cardiorespiratory_red_flag collapse_during_run post_finish_collapse not_breathing_normally heart_rate_red "
                 "heart_rate_amber hypothermia severe_hypothermia cold_stress nsaid_exposure frequent_episodes "
                 "recurrent_tremor rhabdomyolysis_red hypoglycemia_cannot_swallow").split()
    reasons = ("glucose_not_recovering heat_exhaustion_not_improving not_improving spasm_unrelieved new_red_flag "
               "core_falling red_flag_earlier glucose_not_confirmed").split()
    actions = "cpr_aed urgent_care legs_up rewarm check_ketones salty_snack".split()
    assert set(v02_flags) <= set(words.FLAG_LABELS)
    assert set(reasons) == set(words.RECHECK_REASON_LABELS)
    assert set(actions) <= set(words.ACTION_LABELS)


def test_terms_explain_the_jargon_once():
    assert {"EAMC", "EAH", "NSAID"} <= set(words.TERMS)
    assert "cramp" in words.TERMS["EAMC"] and "sodium" in words.TERMS["EAH"]


def test_tier_css_colours_every_tier_box():
    css = words.tier_css()
    for tier in rules.TIERS:
        assert f".kit-tier-{tier} {{ border-color: {words.TIER_COLORS[tier]}; background: {words.TIER_TINTS[tier]}; }}" in css


_NUMBER_IN_TEXT = re.compile(r"([<>≥≤]\s?\d)|(\d+(\.\d+)?\s?(mg/dL|mmol/L|°C|/10\b))|(\d+(\.\d+)?\s(%|min\b))")


@pytest.mark.parametrize("name", ["words.py", "views/teamlog.py", "views/workshop.py", "views/history.py", "handout/sections.py", "views/tables.py"])
def test_no_clinical_number_is_typed_into_the_views_text(name):
    tree = ast.parse((ROOT / "kit" / name).read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    hits = [(n.lineno, n.value[:60]) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs and _NUMBER_IN_TEXT.search(n.value)]
    assert hits == []


def test_readme_tier_table_is_generated_from_the_words():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- tiers:start -->")[1].split("<!-- tiers:end -->")[0].strip()
    assert block == words.tiers_markdown(), "paste kit.words.tiers_markdown() into README.md"
    first_screen = text.split("<!-- sections:start -->")[0]
    assert "see_doctor" not in first_screen and "a medical assessment today" in first_screen  # words, not ids
    order = [text.index(h) for h in ("## Trainers: quick start", "## Students", "## Staff", "## Developers")]
    assert order == sorted(order) and order[0] < text.index("## Speed and scale")


def test_reasons_in_plain_words():
    assert words.plain_reason("stop for today (clinical-reference §9.7)") == "Stop for today"
    assert words.plain_reason("3 amber point(s): a, b, c", 3) == "3 warning signs together (none of them a danger sign on its own)"
    assert words.plain_reason("No red flag, no amber point, no pattern rule") == (
        "No danger sign and no warning sign was recorded")
    assert words.plain_reason("no red flag, urgent rule, amber point or pattern rule") == (
        "No danger sign and no warning sign was recorded")
    assert words.plain_reason("red flag: chest pain or breathing difficulty") == "Danger sign: chest pain or breathing difficulty"
    assert words.plain_reason("urgent rule U13: dark urine: same-day CK and kidney tests") == (
        "Needs a medical assessment today: dark urine: same-day CK and kidney tests")
    assert words.plain_reason("pattern P1: spasms recurring despite prevention") == (
        "See a doctor about it: spasms recurring despite prevention")
    assert words.plain_reason("amber A3: hypoglycaemia (not severe)") == "Warning sign: hypoglycaemia (not severe)"
    assert words.field_words("record pain_score and some_new_id") == "record pain now (0-10) and some new id"
    assert words.plain_reasons(["x"], 0, ["dehydration"]) == ["X", "Signs noted: dehydration"]


@pytest.mark.parametrize("module", ["kit.words", "kit.views.workshop"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_handout_stylesheet_colours_the_tier_boxes_from_the_words():
    from kit.handout import offline_html

    assert words.tier_css() in offline_html._PAGE_CSS  # the tier boxes' rules, whole
    for help_box, tier in (("now", "emergency"), ("today", "urgent")):
        assert f".kit-help-{help_box} {{ border-color: {words.TIER_COLORS[tier]};" in offline_html._PAGE_CSS
    source = Path(offline_html.__file__).read_text(encoding="utf-8").lower()
    pasted = [c for c in (*words.TIER_COLORS.values(), *words.TIER_TINTS.values()) if c.lower() in source]
    assert pasted == [], "tier colours typed into kit/handout/offline_html.py: interpolate kit.words instead"
