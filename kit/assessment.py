"""``kit.assess``: one observation in, one explained assessment out.

The assessment follows ``docs/reference/contract.md`` exactly, and adds (as the
contract allows) ``confidence``, ``amber_points`` and ``reasons`` (why the tier is what
it is, each with its source). Every point of every cause score is an evidence entry that
names the finding and its source.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from kit.advice import choose_advice, reassess_interval
from kit.fields import BOOL_FIELDS
from kit.formatting import threshold_text, value_text
from kit.missing import confidence, missing_fields
from kit.observation import Observation, parse_observation
from kit.rules import CAUSES, FINDINGS, FLAGS, INTENSITY_CODES, KERNEL_INPUTS, SCALAR, TIERS, evaluate
from kit.thresholds import THRESHOLDS, T

__all__ = ["Assessment", "assess", "kernel_inputs"]

_NAN = math.nan

_BOOLS = frozenset(BOOL_FIELDS)

_RED_REASON = {
    "altered_mental_status": ("altered mental state (confusion, unresponsive or seizure)", "NEWS2 2017 (new confusion is red)"),
    "severe_hypoglycemia": ("severe hypoglycaemia: low glucose with altered mental state", "ADA 2024, level 3"),
    "exertional_heat_stroke": ("exertional heat stroke", "NATA 2015"),
    "core_over_40": (f"core temperature over {threshold_text(T.core_emergency_c)} °C", "ACSM 2007; clinical-reference §9.3"),
    "severe_hyponatremia": ("possible severe hyponatraemia", "EAH consensus 2015; WMS 2019"),
    "rhabdomyolysis_risk": ("possible rhabdomyolysis (dark urine / swelling with muscle pain or weakness)", "O'Connor 2008; Nye 2021"),
    "prolonged_spasm": (f"spasm lasting {threshold_text(T.prolonged_spasm_min)} min or more", "source article; Miller 2022"),
    "severe_pain": (f"pain of {threshold_text(T.severe_pain)}/10 or more", "source article; clinical-reference §7"),
}
_PATTERN_REASON = {
    "recurrent_despite_prevention": ("spasms recurring despite prevention", "source article"),
    "low_glucose_workup": (f"glucose low enough for a medical work-up (< {threshold_text(T.hypo_level2_mg_dl)} mg/dL with diabetes, "
                           f"< {threshold_text(T.whipple_mg_dl)} mg/dL without)",
                           "ADA 2024; Endocrine Society 2009"),
    "possible_nerve_irritation": ("tingling with weakness or repeat episodes: possible nerve irritation (if it persists once glucose is normal)",
                                  "clinical-reference §9.5"),
}


@dataclass(frozen=True)
class Assessment:
    """The result of :func:`assess` (immutable). ``to_dict()`` gives the contract JSON."""

    escalation: str
    top_cause: str | None
    causes: tuple[Mapping[str, Any], ...]
    flags: tuple[str, ...]
    actions: tuple[Mapping[str, str], ...]
    contraindicated: tuple[Mapping[str, str], ...]
    reassess_in_min: int | None
    missing: tuple[str, ...]
    warnings: tuple[str, ...]
    confidence: str = "low"
    amber_points: int = 0
    reasons: tuple[Mapping[str, str], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The contract's assessment JSON (plain lists and dicts)."""
        return {
            "escalation": self.escalation,
            "top_cause": self.top_cause,
            "causes": [{"cause": c["cause"], "score": c["score"], "evidence": [dict(e) for e in c["evidence"]]}
                       for c in self.causes],
            "flags": list(self.flags),
            "actions": [dict(a) for a in self.actions],
            "contraindicated": [dict(c) for c in self.contraindicated],
            "reassess_in_min": self.reassess_in_min,
            "missing": list(self.missing),
            "warnings": list(self.warnings),
            "confidence": self.confidence,
            "amber_points": self.amber_points,
            "reasons": [dict(r) for r in self.reasons],
        }

    @property
    def score(self) -> dict[str, int]:
        """Cause -> score."""
        return {c["cause"]: c["score"] for c in self.causes}


def _frozen(d: dict[str, Any]) -> Mapping[str, Any]:
    """A read-only view: an Assessment cannot be changed after the fact."""
    return MappingProxyType(d)


def kernel_inputs(obs: Observation) -> dict[str, float]:
    """The rule kernel's inputs for one observation: floats, NaN for unknown, yes/no as 1.0/0.0."""
    v: dict[str, float] = {}
    for name in KERNEL_INPUTS:
        if name == "glucose_mg_dl":
            x = obs.glucose_mg_dl
        elif name == "body_mass_change_pct":
            x = obs.body_mass_change_pct
        elif name == "intensity":
            x = INTENSITY_CODES.get(obs.intensity) if obs.intensity is not None else None
        else:
            x = getattr(obs, name)
        v[name] = _NAN if x is None else float(x)
    return v


def _label_values(obs: Observation, r: dict[str, Any]) -> dict[str, str]:
    f = r["flags"]
    g = obs.glucose_mg_dl
    if g is not None and g < T.hypo_level1_mg_dl:
        hypo = "possible hypoglycaemia on a measured glucose (fast to treat: ranked first)"
    elif f["severe_hypoglycemia"]:
        hypo = "altered mental state in an athlete on glucose-lowering medication, glucose not measured"
    else:
        hypo = "presumptive hypoglycaemia: trembling with autonomic signs, glucose not measured"
    fluid = [name for on, name in ((f["dehydration"], "dehydration"), (f["heat_exhaustion"], "heat exhaustion"),
                                   (f["hyponatremia_risk"], "possible hyponatraemia (dilution: do not give water)")) if on]
    if obs.serum_sodium_mmol_l is not None:
        hypona = f"serum sodium {value_text(obs.serum_sodium_mmol_l)} mmol/L (below {value_text(T.eah_sodium_mmol_l)}: hyponatraemia)"
    else:
        hypona = f"body-mass gain {value_text(obs.body_mass_change_pct)} % during the run (over-drinking: hyponatraemia risk)"
    dm = obs.body_mass_change_pct
    return {
        "hypo_basis": hypo, "fluid_basis": ", ".join(fluid), "hypona_basis": hypona,
        "glucose": value_text(g), "mass_loss": value_text(-dm if dm is not None else None), "urine": value_text(obs.urine_color),
        "ambient": value_text(obs.ambient_temp_c), "core": value_text(obs.core_temp_c), "prior": value_text(obs.prior_episodes_30d),
        "intensity": obs.intensity or "?",
        "t": _T_TEXT,
    }


_T_TEXT = {k: threshold_text(t.value) for k, t in THRESHOLDS.items()}


def _causes(obs: Observation, r: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    labels = _label_values(obs, r)
    evidence: dict[str, list[dict[str, Any]]] = {c: [] for c in CAUSES}
    for f in FINDINGS:
        if r["findings"][f.id]:
            evidence[f.cause].append(_frozen({"finding": f.label.format(**labels), "points": f.points, "source": f.source}))
    rank = {c: i for i, c in enumerate(CAUSES)}
    ordered = sorted(CAUSES, key=lambda c: (-int(r["scores"][c]), rank[c]))
    return tuple(_frozen({"cause": c, "score": int(r["scores"][c]), "evidence": tuple(evidence[c])}) for c in ordered)


def _reasons(r: dict[str, Any]) -> tuple[dict[str, str], ...]:
    out = [{"tier": "emergency", "reason": "red flag: " + _RED_REASON[k][0], "source": _RED_REASON[k][1]}
           for k, on in r["red"].items() if on]
    total = int(r["amber_total"])
    if total:
        tier = "emergency" if total >= T.amber_emergency else "monitor"
        items = ", ".join(k.replace("_", " ") for k, on in r["amber"].items() if on)
        out.append({"tier": tier, "reason": f"{total} amber point(s): {items}",
                    "source": "NEWS2 2017 structure; clinical-reference §9.4"})
    out += [{"tier": "see_doctor", "reason": _PATTERN_REASON[k][0], "source": _PATTERN_REASON[k][1]}
            for k, on in r["pattern"].items() if on]
    if not out:
        out.append({"tier": "self_care", "reason": "no red flag, no amber point, no pattern rule",
                    "source": "clinical-reference §9"})
    return tuple(map(_frozen, out))


def assess(observation: Mapping[str, Any] | Observation) -> Assessment:
    """Assess one observation of a runner with trembling or spasming legs.

    Parameters
    ----------
    observation : Mapping or Observation
        Contract field names to values; absent or ``None`` means unknown.

    Returns
    -------
    Assessment
        Escalation tier, ranked causes with evidence, flags, actions, contraindications,
        reassessment interval, missing data and warnings.

    Raises
    ------
    ObservationError
        Every problem with the input, each naming the field, the value and what is allowed.

    See Also
    --------
    kit.assess_frame : the same rules over a pandas DataFrame, vectorised.

    References
    ----------
    .. [1] clinical-reference.md §9 (escalation ladder v0.1, design, not validated).
    .. [2] ADA Standards of Care 2024 §6; NATA 2015; ACSM 2007; EAH consensus 2015; NEWS2 2017.

    Examples
    --------
    >>> from kit import assess
    >>> a = assess({"tremor": True, "blood_glucose": 3.2, "blood_glucose_unit": "mmol/L"})
    >>> a.escalation, a.top_cause, a.reassess_in_min
    ('monitor', 'hypoglycemia', 15)
    >>> assess({"spasm": True, "spasm_duration_min": 75}).escalation
    'emergency'
    """
    obs = observation if isinstance(observation, Observation) else parse_observation(observation)
    r = evaluate(kernel_inputs(obs), SCALAR)
    top = int(r["top"])
    actions, contra = choose_advice(obs, r)
    missing = missing_fields(obs, r)
    return Assessment(
        escalation=TIERS[int(r["tier"])],
        top_cause=None if top < 0 else CAUSES[top],
        causes=_causes(obs, r),
        flags=tuple(fl for fl in FLAGS if r["flags"][fl]),
        actions=tuple(map(_frozen, actions)),
        contraindicated=tuple(map(_frozen, contra)),
        reassess_in_min=reassess_interval(obs, r),
        missing=tuple(missing),
        warnings=tuple(obs.warnings),
        confidence=confidence(missing, obs),
        amber_points=int(r["amber_total"]),
        reasons=_reasons(r),
    )
