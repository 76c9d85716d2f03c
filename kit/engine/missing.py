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

from kit.engine.rules import KernelResult
from kit.engine.thresholds import T

__all__ = ["missing_fields", "confidence"]

#: Most missing fields reported (the list is for a busy trainer).
MAX_MISSING = 8


def missing_fields(obs: Any, r: KernelResult) -> list[str]:
    """Return the unknown fields that would most change the result, most useful first.

    Parameters
    ----------
    obs : Observation
        The validated observation.
    r : KernelResult
        The scalar result of :func:`kit.engine.rules.evaluate`.

    Returns
    -------
    list of str
        Contract field names, at most :data:`MAX_MISSING`.
    """
    o = obs
    f, d = r.flags, r.d

    def yes(name: str) -> bool:
        return getattr(o, name) is True

    def unknown(name: str) -> bool:
        return getattr(o, name) is None

    autonomic = bool(d.autonomic) or yes("numbness_tingling")
    cns = bool(d.cns)
    collapse_any = bool(d.collapse_any)
    diab = bool(d.diab)
    hot = bool(d.hot_air) or bool(f.heat_exhaustion)
    muscle = yes("muscle_swelling") or yes("muscle_weakness") or (o.pain_score is not None and o.pain_score >= T.missing_pain_muscle)
    systemic = yes("nausea_vomiting") or yes("vomiting") or yes("headache") or cns
    fluid_question = yes("spasm") or yes("thirst") or systemic or hot or yes("tremor") or bool(f.dehydration)
    no_drinks_question = bool(f.dehydration or f.heat_exhaustion or f.post_finish_collapse)

    wanted: list[tuple[bool, str]] = [
        # life-saving first: is an unresponsive or collapsed athlete breathing normally?
        (unknown("breathing_normally") and (yes("unconscious") or yes("seizure") or collapse_any), "breathing_normally"),
        (unknown("collapse_during_run") and yes("collapse"), "collapse_during_run"),
        (unknown("blood_glucose") and (autonomic or cns or diab or collapse_any), "blood_glucose"),
        (unknown("core_temp_c") and (cns or collapse_any or hot or systemic or bool(d.cold_context)
                                     or (yes("sweating") and yes("pale_skin"))), "core_temp_c"),
        (unknown("confusion") and not cns, "confusion"),
        (unknown("minutes_since_run_end") and o.heart_rate_bpm is not None, "minutes_since_run_end"),
        (unknown("blood_ketones_mmol_l") and bool(f.hyperglycemia), "blood_ketones_mmol_l"),
        (unknown("serum_sodium_mmol_l") and (bool(f.hyponatremia_risk) or (d.dm_r != d.dm_r and systemic)),
         "serum_sodium_mmol_l"),
        (unknown("dark_urine") and muscle, "dark_urine"),
        (unknown("spasm_duration_min") and yes("spasm"), "spasm_duration_min"),
        (unknown("pain_score") and (yes("spasm") or muscle or yes("dark_urine") or yes("swelling_one_leg")), "pain_score"),
        (unknown("recent_long_travel") and yes("swelling_one_leg"), "recent_long_travel"),
        (unknown("body_mass_pre_kg") and fluid_question, "body_mass_pre_kg"),
        (unknown("body_mass_post_kg") and fluid_question, "body_mass_post_kg"),
        (unknown("glucose_lowering_medication") and (autonomic or cns) and o.blood_glucose is None,
         "glucose_lowering_medication"),
        (unknown("urine_color") and fluid_question and not f.dehydration, "urine_color"),
        # before any drink is advised: the signs that would make drinking unsafe (possible hyponatraemia)
        (unknown("nausea_vomiting") and no_drinks_question, "nausea_vomiting"),
        (unknown("vomiting") and no_drinks_question, "vomiting"),
        (unknown("headache") and no_drinks_question, "headache"),
        (unknown("run_duration_min") and no_drinks_question, "run_duration_min"),
        (unknown("numbness_tingling") and yes("spasm"), "numbness_tingling"),
        (unknown("prevention_followed") and yes("spasm"), "prevention_followed"),
        (unknown("prior_episodes_30d") and (yes("spasm") or yes("numbness_tingling") or yes("tremor")), "prior_episodes_30d"),
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
