"""One source of truth: every clinical number is in kit.thresholds, traceable to the reference."""

from __future__ import annotations

import ast
import inspect
import re

from kit import rules
from kit.thresholds import THRESHOLDS, thresholds_table
from tests.conftest import ROOT

REFERENCE = (ROOT / "docs/reference/clinical-reference.md").read_text(encoding="utf-8")
CONTRACT = (ROOT / "docs/reference/contract.md").read_text(encoding="utf-8")


def _mentions(text: str, value: float) -> bool:
    v = f"{value:g}"
    return re.search(rf"(?<![\d.]){re.escape(v)}(?![\d])", text) is not None


def test_every_threshold_has_unit_source_status_and_section():
    for t in THRESHOLDS.values():
        assert t.unit and t.source and t.meaning, t.key
        assert t.status in {"confirmed", "secondary", "design"}, t.key
        assert t.section, t.key


def test_every_threshold_value_appears_in_the_reference_or_contract():
    missing = [t.key for t in THRESHOLDS.values() if not (_mentions(REFERENCE, t.value) or _mentions(CONTRACT, t.value))]
    assert missing == []


def test_rule_kernel_has_no_clinical_number_literals():
    # only tier codes (0-3), the score cap (100), "none" (-1) and the yes-marker 1.0 may appear as literals
    allowed = {0, 1, 2, 3, 100, -1}
    src = inspect.getsource(rules.evaluate)
    literals = [n.value for n in ast.walk(ast.parse(src.strip() if src.startswith(" ") else src))
                if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)]
    assert set(literals) <= allowed, set(literals) - allowed


def test_thresholds_table_is_a_frame_with_every_row():
    df = thresholds_table()
    assert len(df) == len(THRESHOLDS)
    assert list(df.columns) == ["key", "value", "unit", "comparison", "meaning", "source", "status", "section"]
