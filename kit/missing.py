"""Which unknown fields would most change the answer.

Unknown is not "no": an unknown field never counts as normal, so the kit says which
unknowns matter for *this* athlete, most useful first. Each entry is asked for only when
knowing it could fire a rule that is still open: a red flag first (it would change the
tier to emergency), then what would change the leading cause, then what refines advice.
A tremor with no glucose reading asks for a glucose reading first.

References
----------
clinical-reference.md §0 ("a missing key means unknown, never normal") and §9.
"""

from __future__ import annotations

from typing import Any

from kit.thresholds import T

__all__ = ["missing_fields", "confidence"]

#: Most missing fields reported (the list is for a busy trainer).
MAX_MISSING = 8


def missing_fields(obs: Any, r: dict[str, Any]) -> list[str]:
    """Return the unknown fields that would most change the result, most useful first.

    Parameters
    ----------
    obs : Observation
        The validated observation.
    r : dict
        The scalar result of :func:`kit.rules.evaluate`.

    Returns
    -------
    list of str
        Contract field names, at most :data:`MAX_MISSING`.
    """
    o = obs
    f = r["flags"]

    def yes(name: str) -> bool:
        return getattr(o, name) is True

    def unknown(name: str) -> bool:
        return getattr(o, name) is None

    autonomic = any(yes(n) for n in ("tremor", "hunger", "sweating", "pale_skin", "palpitations", "numbness_tingling"))
    cns_known_yes = bool(f["altered_mental_status"])
    hot = (o.ambient_temp_c is not None and o.ambient_temp_c >= T.heat_context_ambient_c) or f["heat_exhaustion"]
    muscle = yes("muscle_swelling") or yes("muscle_weakness") or (o.pain_score is not None and o.pain_score >= T.rhabdo_pain_with_dark_urine)
    systemic = yes("nausea_vomiting") or yes("headache") or cns_known_yes
    fluid_question = yes("spasm") or yes("thirst") or systemic or hot or yes("tremor") or bool(f["dehydration"])

    wanted: list[tuple[bool, str]] = [
        (unknown("blood_glucose") and (autonomic or cns_known_yes or yes("has_diabetes") or yes("glucose_lowering_medication")),
         "blood_glucose"),
        (unknown("confusion") and not cns_known_yes, "confusion"),
        (unknown("core_temp_c") and (hot or systemic or (yes("sweating") and yes("pale_skin"))), "core_temp_c"),
        (unknown("serum_sodium_mmol_l") and (bool(f["hyponatremia_risk"]) or (o.body_mass_change_pct is None and systemic)),
         "serum_sodium_mmol_l"),
        (unknown("dark_urine") and muscle, "dark_urine"),
        (unknown("spasm_duration_min") and yes("spasm"), "spasm_duration_min"),
        (unknown("pain_score") and (yes("spasm") or muscle or yes("dark_urine")), "pain_score"),
        (unknown("body_mass_pre_kg") and fluid_question, "body_mass_pre_kg"),
        (unknown("body_mass_post_kg") and fluid_question, "body_mass_post_kg"),
        (unknown("glucose_lowering_medication") and (autonomic or cns_known_yes) and o.blood_glucose is None,
         "glucose_lowering_medication"),
        (unknown("urine_color") and fluid_question and not f["dehydration"], "urine_color"),
        # before any drink is advised: the signs that would make drinking unsafe (possible hyponatraemia)
        (unknown("nausea_vomiting") and (f["dehydration"] or f["heat_exhaustion"]), "nausea_vomiting"),
        (unknown("headache") and (f["dehydration"] or f["heat_exhaustion"]), "headache"),
        (unknown("numbness_tingling") and yes("spasm"), "numbness_tingling"),
        (unknown("prevention_followed") and yes("spasm"), "prevention_followed"),
        (unknown("prior_episodes_30d") and (yes("spasm") or yes("numbness_tingling")), "prior_episodes_30d"),
    ]
    return [name for on, name in wanted if on][:MAX_MISSING]


def confidence(missing: list[str], obs: Any = None) -> str:
    """A coarse confidence label ([design], not a validated measure).

    ``low`` when nothing clinical is known at all (only athlete, time, notes), when a glucose
    reading is missing and would matter, or when four or more useful fields are unknown;
    ``moderate`` with one to three; else ``high``.
    """
    if obs is not None and not (set(obs.to_dict()) - _ADMIN):
        return "low"
    if "blood_glucose" in missing or len(missing) >= 4:
        return "low"
    return "moderate" if missing else "high"


_ADMIN = frozenset({"athlete_id", "observed_at", "notes"})
