"""Each threshold is read by the one rule it was defined for (issue 10 item 3).

Scans the engine's source for ``T.<key>`` reads. A read's *rule* is where it stands: the
module and function, then the dict key (``"A8"``, ``"U15"``, a finding id) or the assigned
name (``f_dehyd``, ``mass_deficit``) of the statement. Reads inside wording (an f-string, or
``threshold_text``/``value_text``) only print a number and are not rules. Where two rules
need the same number, the table has two rows (``hypo_level1_mg_dl`` and
``k8_glucose_over_mg_dl``), or one rule names the condition and the others read that name.
"""

from __future__ import annotations

import ast
from collections import defaultdict

from kit.engine.thresholds import THRESHOLDS
from tests.conftest import ROOT

_TEXT_CALLS = {"threshold_text", "value_text"}


def _names(targets: list[ast.expr]) -> str:
    return ",".join(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))


def rule_reads(sources: dict[str, str]) -> dict[str, set[str]]:
    """Threshold key -> the rules (``module:function:name``) that read it outside wording."""
    reads: dict[str, set[str]] = defaultdict(set)

    def visit(node: ast.AST, where: str, rule: str, text: bool) -> None:
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Call) and getattr(node.func, "id", None) in _TEXT_CALLS):
            text = True
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            where, rule = f"{where}.{node.name}", ""
        elif isinstance(node, ast.Assign):
            rule = _names(node.targets)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            rule = _names([node.target])
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "T" and not text:
            reads[node.attr].add(f"{where}:{rule}")
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                key = k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else rule
                visit(v, where, key, text)
                if k is not None:
                    visit(k, where, rule, text)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, where, rule, text)

    for module, src in sources.items():
        visit(ast.parse(src), module, "", False)
    return reads


def _engine_sources() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "kit" / "engine").glob("*.py"))}


def test_the_scan_sees_a_number_shared_by_two_rules():
    src = ('def evaluate(v):\n    a = v["x"] >= T.k\n    amber = {"A1": v["y"] < T.k, "A2": f"{T.k} text"}\n'
           '    b = threshold_text(T.k)\n    return a, amber, b\n')
    assert rule_reads({"m": src}) == {"k": {"m.evaluate:a", "m.evaluate:A1"}}


def test_each_threshold_is_read_by_one_rule():
    reads = rule_reads(_engine_sources())
    assert set(reads) <= set(THRESHOLDS), set(reads) - set(THRESHOLDS)
    shared = {k: sorted(r) for k, r in reads.items() if len(r) > 1}
    assert not shared, f"a threshold read by two rules (give each rule its own row, or name the condition once): {shared}"


def test_the_rules_read_the_kernels_thresholds():
    """The scan finds the kernel's reads (it does not pass by finding nothing)."""
    reads = rule_reads(_engine_sources())
    assert reads["mass_loss_pct"] == {"rules.evaluate:mass_deficit"}
    assert reads["hypo_level1_mg_dl"] == {"rules.evaluate:low_g"}
    assert reads["k8_glucose_over_mg_dl"] == {"episodes.StepSummary.glucose_confirmed:"}
    assert reads["pain_amber"] == {"rules.evaluate:A8"}
    assert len(reads) >= len(THRESHOLDS) // 2
