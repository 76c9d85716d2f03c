"""TEMPORARY stand-in for the v0.2 advice API until branch ``advice`` is merged (engine-interface §4).

Only what the engine calls: :class:`AdviceContext`, a minimal :func:`choose_advice` (the
tier action, stop running, rest, and the tier-level contraindications) and the §9.10
:func:`reassess_minutes`. The engine imports it only when :mod:`kit.advice` lacks the v0.2
API; the merge of ``advice`` deletes this module.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kit.rules import SCALAR, TIERS, Ops
from kit.thresholds import T

__all__ = ["AdviceContext", "choose_advice", "reassess_minutes"]


@dataclass(frozen=True, slots=True)
class AdviceContext:
    """The engine-interface §4 context (see kit.advice on branch ``advice``)."""

    tier: str
    flags: frozenset[str]
    obs: Mapping[str, Any]
    cns: bool
    collapse_in_run: bool
    cold_context: bool
    heat_context: bool
    pain: float | None
    glucose_known: bool
    patterns: frozenset[str] = frozenset()
    earlier_red_flags: frozenset[str] = frozenset()
    handover: bool = False


_TIER_ACTION = {"emergency": ("call_emergency", "Call emergency services now."),
                "urgent": ("urgent_care", "Get a medical assessment today, within hours: urgent care or emergency department."),
                "see_doctor": ("see_doctor", "Book a medical review within days.")}


def choose_advice(ctx: AdviceContext) -> tuple[tuple[dict[str, str], ...], tuple[dict[str, str], ...]]:
    """Minimal actions and contraindications (the full §9.8 advice is on branch ``advice``)."""
    tier = TIERS.index(ctx.tier)
    actions = []
    if ctx.tier in _TIER_ACTION:
        i, text = _TIER_ACTION[ctx.tier]
        actions.append({"id": i, "text": text})
    if tier >= TIERS.index("monitor"):
        actions.append({"id": "stop_running", "text": "No more running today."})
    actions.append({"id": "rest", "text": "Rest somewhere sheltered."})
    contra = []
    if tier >= TIERS.index("monitor"):
        contra = [{"id": "nsaid", "why": "No ibuprofen/naproxen-type painkillers (NSAIDs)."},
                  {"id": "continue_running", "why": "No more exercise today."}]
    return tuple(actions), tuple(contra)


def reassess_minutes(tier_code: Any, *, hypo: Any, heat: Any, spasm: Any, dehydration: Any, post_finish_collapse: Any,
                     cold: Any, hyponatremia_risk: Any, hyper: Any, hr_wait_min: Any, no_findings: Any, k8: Any,
                     ops: Ops = SCALAR) -> Any:
    """§9.10: the minimum of the tier default and every applicable situation time; NaN for self_care."""
    where, minimum = ops.where, ops.minimum
    m = where(tier_code == TIERS.index("emergency"), T.reassess_emergency_min,
              where(tier_code == TIERS.index("urgent"), T.reassess_urgent_min,
                    where(tier_code == TIERS.index("see_doctor"), T.reassess_see_doctor_min, T.reassess_monitor_min)))
    for applies, minutes in ((hypo, T.reassess_hypo_min), (heat, T.reassess_heat_min), (spasm, T.reassess_spasm_min),
                             (dehydration, T.reassess_dehydration_min),
                             (post_finish_collapse, T.reassess_post_finish_collapse_min), (cold, T.reassess_cold_min),
                             (hyponatremia_risk, T.reassess_hyponatremia_min), (hyper, T.reassess_hyper_min),
                             (no_findings, T.reassess_no_findings_min), (k8, T.reassess_k8_min)):
        m = where(applies, minimum(m, minutes), m)
    hr_known = hr_wait_min == hr_wait_min
    m = where(hr_known, minimum(m, where(hr_known, hr_wait_min, m)), m)
    return where(tier_code >= TIERS.index("monitor"), m, math.nan)
