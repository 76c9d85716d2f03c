"""What was recorded, in plain words: one observation as (heading, escaped HTML) rows.

Shared by the handout's "What was observed" section (:func:`kit.handout.sections.observation_section`)
and the exported triage page (:func:`kit.views.triage_export.recorded_html`), so both say the same
thing the same way. :func:`esc` is the one way typed text enters a page (the handout uses it too).
No clinical number is written here: the rows repeat what was typed, with its unit.

References
----------
docs/reference/contract.md (the fields and their units).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import Any

from kit.engine.fields import FIELDS
from kit.engine.formatting import value_text
from kit.engine.observation import Observation
from kit.words import ACTION_LABELS

__all__ = ["esc", "cap", "lower_first", "when_text", "recorded_rows"]


def esc(value: Any) -> str:
    """HTML-escape any value (quotes too): the one way typed text enters a page."""
    return html.escape("" if value is None else str(value), quote=True)


def cap(s: str) -> str:
    """``s`` with its first letter in upper case."""
    return s[:1].upper() + s[1:]


def lower_first(s: str) -> str:
    """``s`` with its first letter in lower case, unless it starts with an abbreviation (``"CGM ..."``)."""
    return s[:1].lower() + s[1:] if s[:2] != s[:2].upper() else s


def when_text(value: Any) -> str:
    """An ISO-8601 time as people read it (``"01 May 2026, 10:00 UTC"``); ``""`` when not given."""
    if not value:
        return ""
    try:
        t = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    s = t.strftime("%d %b %Y, %H:%M")
    if t.tzinfo is not None:
        off = t.utcoffset() or dt.timedelta(0)
        s += " UTC" if not off else t.strftime(" UTC%z")
    return s


#: Number fields written by a phrase below (every other number field is listed with its label and unit).
_SHOWN_NUMBERS = frozenset({
    "run_duration_min", "run_distance_km", "ambient_temp_c", "fluid_intake_ml", "hours_since_meal", "carbs_during_run_g",
    "spasm_duration_min", "pain_score", "blood_glucose", "body_mass_pre_kg", "body_mass_post_kg", "urine_color",
    "core_temp_c", "heart_rate_bpm", "serum_sodium_mmol_l", "prior_episodes_30d",
})

#: Yes/no fields whose "no" is itself a finding (contract v0.2): the words for yes and for no.
_TWO_WAY = {
    "breathing_normally": ("breathing normally", "not breathing normally (or gasping)"),
    "collapse_during_run": ("collapsed during the run", "collapsed after the finish, not during the run"),
}

#: (field, phrase with ``{}`` for the value, decimals) for the simple rows; decimals ``None``: the value as typed.
_Phrase = tuple[str, str, int | None]
_RUN: tuple[_Phrase, ...] = (
    ("intensity", "{} run", None), ("run_distance_km", "{} km", 1), ("run_duration_min", "{} min", 1),
    ("ambient_temp_c", "air temperature {} °C", 1),
)
_FUEL: tuple[_Phrase, ...] = (
    ("fluid_intake_ml", "drank {} mL during the run", 0),
    ("carbs_during_run_g", "{} g of carbohydrate during the run", 0), ("hours_since_meal", "last meal {} h before", 1),
)
_MEASURED: tuple[_Phrase, ...] = (
    ("urine_color", "urine colour {} on the 1-8 chart", None), ("core_temp_c", "core (rectal) temperature {} °C", 1),
    ("heart_rate_bpm", "heart rate {} bpm", 0), ("serum_sodium_mmol_l", "serum sodium {} mmol/L", 1),
)


def _phrases(obs: Observation, phrases: tuple[_Phrase, ...]) -> list[str]:
    """The phrase of every field in ``phrases`` that was recorded (unknown values are left out, never read as "no")."""
    out = []
    for name, text, digits in phrases:
        v = getattr(obs, name)
        if v is not None and v != "":
            out.append(text.format(v if digits is None else value_text(v, digits)))
    return out


def _signs(obs: Observation, raw: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The red flags and symptoms answered yes (with pain and spasm length) and those answered no."""
    present, absent = [], []
    for name, spec in FIELDS.items():
        if spec.kind != "bool" or spec.group not in ("red_flags", "symptoms"):
            continue
        v = raw.get(name)
        if name in _TWO_WAY and isinstance(v, bool):  # both answers say something: never "not present"
            present.append(_TWO_WAY[name][0 if v else 1])
        elif v is True:
            extra = ""
            if name == "spasm" and raw.get("spasm_duration_min") is not None:
                extra = f", lasting {value_text(raw['spasm_duration_min'])} min"
            present.append(lower_first(spec.label) + extra)
        elif v is False:
            absent.append(lower_first(spec.label))
    if obs.pain_score is not None:
        present.append(f"pain now {value_text(obs.pain_score)}/10")
    if obs.spasm is not True and obs.spasm_duration_min is not None:
        present.append(f"spasm lasting {value_text(obs.spasm_duration_min)} min")
    return present, absent


def _measured(obs: Observation, raw: Mapping[str, Any]) -> list[str]:
    """Glucose (with mg/dL when typed in mmol/L), body mass before/after, the simple measurements, newer numbers."""
    meas = []
    if obs.blood_glucose is not None:
        g = f"blood glucose {value_text(obs.blood_glucose)} {obs.blood_glucose_unit or ''}".strip()
        if obs.blood_glucose_unit == "mmol/L" and obs.glucose_mg_dl is not None:
            g += f" ({value_text(obs.glucose_mg_dl, 0)} mg/dL)"
        meas.append(g)
    if obs.body_mass_pre_kg is not None:
        m = f"body mass {value_text(obs.body_mass_pre_kg)} kg before"
        ch = obs.body_mass_change_pct
        if obs.body_mass_post_kg is not None and ch is not None:
            m += f" and {value_text(obs.body_mass_post_kg)} kg after ({'+' if ch > 0 else ''}{value_text(ch)} %)"
        meas.append(m)
    meas += _phrases(obs, _MEASURED)
    for name, spec in FIELDS.items():  # numbers added to the contract later (ketones, minutes since the run ...)
        if spec.kind in ("number", "int") and name not in _SHOWN_NUMBERS and isinstance(raw.get(name), int | float):
            meas.append(f"{lower_first(spec.label)} {value_text(raw[name])} {spec.unit}".strip())
    return meas


def _background(obs: Observation, raw: Mapping[str, Any]) -> list[str]:
    """Background yes/no fields (diabetes, medication, prevention, newer ones) and the earlier episodes."""
    back = []
    for name, spec in FIELDS.items():
        if spec.kind == "bool" and spec.group not in ("red_flags", "symptoms") and name != "electrolyte_drink":
            v = raw.get(name)
            if v is not None:
                back.append(f"{lower_first(spec.label)}: {'yes' if v else 'no'}")
    if obs.prior_episodes_30d is not None:
        back.append(f"earlier episodes in the last 30 days: {obs.prior_episodes_30d}")
    return back


def _given(raw: Mapping[str, Any]) -> list[str]:
    """What was given since the last check (action ids or a ``;``-separated string), in words, once each."""
    given = raw.get("treatment_given")
    if isinstance(given, str):
        given = [g for g in given.split(";") if g]
    if not isinstance(given, list | tuple):
        return []
    return [ACTION_LABELS.get(str(g), str(g).replace("_", " ")).lower() for g in dict.fromkeys(given)]


def recorded_rows(obs: Observation, raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(row heading, escaped HTML) pairs describing one observation in plain words.

    Parameters
    ----------
    obs : Observation
        The parsed observation (:func:`kit.engine.observation.parse_observation`).
    raw : Mapping
        The observation as given (yes/no answers, treatments and the note are read from it).

    Returns
    -------
    list of (str, str)
        Headings are plain text (escape them where they are written); the texts are escaped HTML.
    """
    rows: list[tuple[str, str]] = []
    run = _phrases(obs, _RUN)
    rows.append(("The run", esc(cap(", ".join(run))) if run else "not recorded"))
    fuel = _phrases(obs, _FUEL[:1])
    if obs.electrolyte_drink is not None:
        fuel.append("took an electrolyte / sports drink" if obs.electrolyte_drink else "no electrolyte / sports drink")
    fuel += _phrases(obs, _FUEL[1:])
    present, absent = _signs(obs, raw)
    rows.append(("Signs present", esc(cap("; ".join(present))) if present else "none recorded"))
    if fuel:
        rows.insert(1, ("Drinks and food", esc(cap("; ".join(fuel)))))
    for head, parts in (("Checked and not present", absent), ("Measured", _measured(obs, raw)),
                        ("Background", _background(obs, raw)), ("Given since the last check", _given(raw))):
        if parts:
            rows.append((head, esc(cap("; ".join(parts)))))
    note = raw.get("notes")
    if isinstance(note, str) and note.strip():
        rows.append(("Trainer's note", f'<span class="kit-note">{esc(note)}</span>'))
    return rows
