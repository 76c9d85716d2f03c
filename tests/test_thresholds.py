"""One source of truth: every clinical number is in kit.engine.thresholds, traceable to the reference."""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import MISSING, fields

from kit.engine import rules
from kit.engine.thresholds import THRESHOLDS, T, Values, thresholds_table
from tests.conftest import ROOT

REFERENCE = (ROOT / "docs/reference/clinical-reference.md").read_text(encoding="utf-8")
CONTRACT = (ROOT / "docs/reference/contract.md").read_text(encoding="utf-8")


def _mentions(text: str, value: float) -> bool:
    v = f"{value:g}"
    return re.search(rf"(?<![\d.]){re.escape(v)}(?![\d])", text) is not None


def test_every_threshold_has_unit_source_status_and_section():
    for t in THRESHOLDS.values():
        assert t.unit and t.source and t.meaning, t.key
        assert t.status in {"confirmed", "secondary", "unconfirmed", "design"}, t.key
        assert t.section, t.key


def test_every_threshold_value_appears_in_the_reference_or_contract():
    missing = [t.key for t in THRESHOLDS.values() if not (_mentions(REFERENCE, t.value) or _mentions(CONTRACT, t.value))]
    assert missing == []


def test_rule_kernel_has_no_clinical_number_literals():
    # only 0 (sums start there) and 1 (loop start, "the first cause") may appear as literals: tier codes,
    # the score cap, "no cause" and the yes/no markers are named constants, clinical numbers come from T
    allowed = {0, 1}
    src = inspect.getsource(rules.evaluate)
    literals = [n.value for n in ast.walk(ast.parse(src.strip() if src.startswith(" ") else src))
                if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)]
    assert set(literals) <= allowed, set(literals) - allowed


def test_thresholds_table_is_a_frame_with_every_row():
    df = thresholds_table()
    assert len(df) == len(THRESHOLDS)
    assert list(df.columns) == ["key", "value", "unit", "comparison", "meaning", "source", "status", "section"]


_NUMBER_IN_TEXT = re.compile(r"([<>≥≤]\s?\d)|(\d+(\.\d+)?\s?(mg/dL|mmol/L|°C|/10\b))|(\d+(\.\d+)?\s(%|min\b))")


def _string_literals(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


def test_no_clinical_number_is_typed_into_user_facing_text():
    # evidence labels, reasons, advice and chart labels take their numbers from kit.engine.thresholds
    hits = []
    for name in ("engine/rules.py", "engine/assessment.py", "engine/advice.py", "engine/missing.py", "views/charts.py", "views/widgets.py"):
        for line, text in _string_literals(ROOT / "kit" / name):
            if _NUMBER_IN_TEXT.search(text):
                hits.append(f"kit/{name}:{line}: {text[:60]!r}")
    assert hits == []


def test_evidence_labels_render_threshold_values():
    from kit import assess

    a = assess({"blood_glucose": 50, "blood_glucose_unit": "mg/dL", "body_mass_pre_kg": 70, "body_mass_post_kg": 68})
    text = " ".join(e["finding"] for c in a.causes for e in c["evidence"])
    assert "< 70, ADA level 1)" in text and "is below 54" in text and "(over 2 %)" in text


def test_rules_that_share_a_number_have_their_own_rows():
    # one row per rule (issue 9): e.g. pain 5 amber vs pain 5 with dark urine red; 0.5 % in three EAH rules
    assert THRESHOLDS["pain_amber"].value == THRESHOLDS["rhabdo_pain_with_dark_urine"].value == 5
    assert THRESHOLDS["rhabdo_risk_pain_triad"].value == THRESHOLDS["rhabdo_red_pain_triad"].value == 6
    assert len({THRESHOLDS[k].meaning for k in ("eah_gain_pct", "eah_maintained_loss_pct", "overdrinking_loss_pct")}) == 3
    assert THRESHOLDS["missing_pain_muscle"].section and THRESHOLDS["fatigue_prior_episodes"].section


def test_kernel_reads_every_rule_threshold():
    # every row the kernel's rules use is read by the kernel (no stale rows): the kernel's source names it
    src = inspect.getsource(rules)
    kernel_sections = {"9.1 D1", "9.1 D4", "9.1 D5", "9.1 D15", "9.1 D16", "9.1 D20", "9.2", "9.3", "9.4", "9.5", "9.6 P4", "9.6 P5"}
    unused = [t.key for t in THRESHOLDS.values() if t.section in kernel_sections and f"T.{t.key}" not in src
              and t.key not in {"missing_pain_muscle"}]
    assert unused == []


def test_the_values_object_declares_exactly_the_tables_keys_and_values():
    """T's attributes are declared (typed, in the table's order) and carry the table's numbers, no other copy."""
    assert [f.name for f in fields(Values)] == list(THRESHOLDS)
    assert all(f.type == "float" and f.default is MISSING and f.default_factory is MISSING for f in fields(Values))  # no value of its own
    assert {k: getattr(T, k) for k in THRESHOLDS} == {k: float(t.value) for k, t in THRESHOLDS.items()}
