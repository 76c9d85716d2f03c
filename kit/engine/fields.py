"""The observation fields of the contract, as one table.

Every layer that needs to know a field (the pydantic model, the vectorised frame
validator, the widget form, the store's columns, the CSV importer) reads this table,
so a field is described once. Ranges are the contract's *input* ranges (what is
physically possible), not clinical thresholds: those live in :mod:`kit.engine.thresholds`.

Each field also carries its one check and message (:meth:`FieldSpec.problem`; dates through
:func:`parse_datetime`, action lists through :meth:`FieldSpec.actions`): the pydantic model,
the frame decoders, the CSV reader and the form's number parser first turn their input into a
Python value and then ask the field, so the same bad value reads the same everywhere
(``tests/test_field_checks.py``).

References
----------
docs/reference/contract.md, "Observation".
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["FieldSpec", "FIELDS", "FIELD_NAMES", "BOOL_FIELDS", "NUMBER_FIELDS", "INTENSITIES", "GLUCOSE_UNITS",
           "ACTION_IDS", "GROUPS", "ACTIONS_SEPARATOR", "split_actions", "parse_datetime", "plain_value", "short_value",
           "shown_value", "number_from_text", "decimal_comma_hint", "ambiguous_thousands"]

INTENSITIES: tuple[str, ...] = ("easy", "moderate", "hard", "race")
GLUCOSE_UNITS: tuple[str, ...] = ("mg/dL", "mmol/L")
#: Form groups, in the order a trainer checks them (issue 9 item 4); ``admin`` holds who/when/episode/notes.
GROUPS: tuple[str, ...] = ("red_flags", "symptoms", "context", "measurements", "background", "admin")
#: The contract's action ids (v0.1 and v0.2), the values ``treatment_given`` may hold.
ACTION_IDS: tuple[str, ...] = (
    "rest", "stop_running", "stretch", "massage", "heat", "ice", "drink_water", "electrolyte_drink",
    "oral_carbohydrate", "recheck_glucose", "nothing_by_mouth", "recovery_position", "cold_water_immersion",
    "call_emergency", "see_doctor", "nsaid", "continue_running",
    "cpr_aed", "urgent_care", "legs_up", "rewarm", "check_ketones", "salty_snack",
)
#: How a list of action ids is written in one frame / CSV cell.
ACTIONS_SEPARATOR = ";"


def split_actions(text: str) -> list[str]:
    """A ``";"``-joined cell as a list of ids (blanks dropped); ``""`` gives ``[]``."""
    return [p.strip() for p in text.split(ACTIONS_SEPARATOR) if p.strip()]


def parse_datetime(text: str) -> datetime:
    """An ``observed_at`` text as a datetime: the kit's one reading of ISO 8601 date-times.

    :meth:`datetime.datetime.fromisoformat` (a trailing ``Z`` is UTC), plus the kit's rule
    that a date alone is not a date-time (a ``T`` or a space must separate date and time).

    Raises
    ------
    ValueError
        When ``text`` is not an ISO 8601 date-time.
    """
    text = text.strip()
    if "T" not in text and " " not in text:
        raise ValueError(f"{text!r} is a date without a time")
    return datetime.fromisoformat(text)


#: "1,500" / "1.500": one to three digits (no leading zero), one separator, exactly three digits.
_THOUSANDS = re.compile(r"^([+-]?)([1-9]\d{0,2})([.,])(\d{3})$")
#: "37,5", "-0,25": a number written with a decimal comma.
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def number_from_text(text: str) -> Any:
    """A number field's text (a CSV cell, a form box) as the Python value its check takes.

    What :func:`float` reads, a whole number as an ``int`` (``"12"`` -> 12, as typed); any
    other text is returned stripped, for :meth:`FieldSpec.problem` to refuse with the field's
    message. One reading for every text path: a decimal comma is not read as a decimal
    point anywhere (the message says how to write it, :func:`decimal_comma_hint`).
    """
    t = text.strip()
    try:
        x = float(t)
    except ValueError:
        return t
    return int(x) if x.is_integer() and abs(x) < 1e15 else x


def decimal_comma_hint(text: str) -> str:
    """How to write ``text`` when it is a number with a comma (``""`` otherwise), for messages.

    ``"37,5"`` -> ``"Write decimals with a point: 37.5."``; a comma followed by exactly three
    digits may be a thousands separator, so both readings are offered and none is guessed
    (``"1,500"`` -> ``"Write 1500 or 1.5 (no comma)."``).
    """
    t = text.strip()
    m = _THOUSANDS.match(t)
    if m and m.group(3) == ",":
        sign, head, _, tail = m.groups()
        return f"Write {sign}{head}{tail} or {float(f'{sign}{head}.{tail}'):g} (no comma)."
    if _DECIMAL_COMMA.match(t):
        return f"Write decimals with a point: {t.replace(',', '.')}."
    return ""


def ambiguous_thousands(text: str, lo: float | None, hi: float | None) -> str | None:
    """``"1.500"`` when 1500 lies in ``lo``-``hi``: both readings, for a person typing (``None`` otherwise)."""
    m = _THOUSANDS.match(text.strip())
    if not m or m.group(3) != ".":
        return None
    sign, head, _, tail = m.groups()
    whole = float(f"{sign}{head}{tail}")
    if (lo is not None and whole < lo) or (hi is not None and whole > hi):
        return None
    return f"ambiguous: write {sign}{head}{tail} or {float(f'{sign}{head}.{tail}'):g}"


def plain_value(v: Any) -> Any:
    """numpy / pandas scalars to Python; pandas' missing markers to ``None``."""
    mod = type(v).__module__
    if mod.startswith("numpy"):
        v = v.item() if hasattr(v, "item") else v
    elif mod.startswith("pandas"):
        if repr(v) in ("<NA>", "NaT"):
            return None
    return v


def short_value(v: Any) -> Any:
    """The value itself, or a cut-down text of it when its repr is over 80 characters (for messages)."""
    if isinstance(v, str):
        return v if len(v) <= 80 else v[:77] + "..."
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**60:
        return f"<a whole number of {len(str(abs(v))) if abs(v) < 10**4000 else 'over 4000'} digits>"
    if isinstance(v, (list, dict, tuple, set)):
        r = repr(v)
        return v if len(r) <= 80 else r[:77] + "..."
    return v


def shown_value(v: Any) -> str:
    """A value as a message shows it: shortened, strings quoted, others as repr."""
    short = short_value(v)
    return short if isinstance(short, str) and short.startswith("<a whole number") else repr(short)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One observation field.

    Attributes
    ----------
    name : str
        Contract field name (units are in the name).
    kind : {"str", "datetime", "number", "int", "bool", "choice", "actions"}
        Value type. ``actions`` is a list of action ids (:data:`ACTION_IDS`; duplicates
        ignored; in a frame or CSV cell a ``";"``-joined string).
    label : str
        Plain-language label for forms and handouts.
    group : str
        Form group, one of :data:`GROUPS`.
    lo, hi : float, optional
        Inclusive allowed range for numbers, or length range for strings.
    lo_exclusive : bool
        True when the lower bound itself is not allowed (blood glucose ``> 0``).
    choices : tuple of str, optional
        Allowed values of a ``choice`` field.
    unit : str
        Unit shown next to the value.
    """

    name: str
    kind: str
    label: str
    group: str
    lo: float | None = None
    hi: float | None = None
    lo_exclusive: bool = False
    choices: tuple[str, ...] | None = None
    unit: str = ""

    def allowed(self) -> str:
        """Describe the allowed values in words, for error messages."""
        if self.kind == "bool":
            return "true, false or null (unknown)"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices or ()) + " or null (unknown)"
        if self.kind == "actions":
            return "a list of action ids (" + ", ".join(self.choices or ()) + "), or null"
        if self.kind == "datetime":
            return "an ISO 8601 date-time such as '2026-05-01T09:30:00' or null"
        if self.kind == "str":
            return f"text of {int(self.lo or 0)}-{int(self.hi or 0)} characters or null"
        unit = f" {self.unit}" if self.unit else ""
        whole = "a whole number" if self.kind == "int" else "a number"
        if self.lo_exclusive and self.hi is None:
            return f"{whole} greater than {_num(self.lo)}{unit} or null (unknown)"
        return f"{whole} from {_num(self.lo)} to {_num(self.hi)}{unit} or null (unknown)"

    def in_range(self, x: Any) -> Any:
        """The allowed range of a number field, on a float or a numpy array (NaN is never in range)."""
        ok = (x > -math.inf) if self.lo is None else (x > self.lo) if self.lo_exclusive else (x >= self.lo)
        return ok & ((x < math.inf) if self.hi is None else (x <= self.hi))

    def length_ok(self, n: Any) -> Any:
        """The allowed length of a text field, on an int or a numpy array of lengths."""
        return (n >= int(self.lo or 0)) & (n <= int(self.hi or 0))

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` for this field, or ``None`` when it is allowed.

        The one check of a field: the pydantic model, the frame decoders, the CSV reader and
        the form all ask it (they first turn their text into a Python value: ``"12"`` -> 12).
        Unknown (``None``) is always allowed; an ``actions`` value may be a list or a
        ``";"``-joined text (:meth:`actions`).
        """
        if value is None:
            return None
        if self.kind == "actions":
            return self.actions(value, text=True)[1]
        return None if self._allows(value) else self.message(value)

    def actions(self, value: Any, *, text: bool = False) -> tuple[tuple[str, ...] | None, str | None]:
        """An ``actions`` value as a tuple of ids (duplicates dropped, first kept), or the message of what is wrong.

        ``text=True`` (a frame or CSV cell) also accepts the ids joined by ``";"``.
        """
        if text and isinstance(value, str):
            items: list[Any] = split_actions(value)
        elif isinstance(value, (list, tuple)):
            items = [plain_value(x) for x in value]
        else:
            hint = " (in a CSV cell or a frame: ids joined by ';')" if isinstance(value, str) else ""
            return None, f"{shown_value(value)} is not a list; allowed: {self.allowed()}{hint}"
        out: list[str] = []
        for x in items:
            if not isinstance(x, str) or x not in (self.choices or ()):
                close = difflib.get_close_matches(x, self.choices or (), n=1, cutoff=0.6) if isinstance(x, str) else []
                hint = f" Did you mean {close[0]!r}?" if close else ""
                return None, f"{shown_value(x)} is not an action id; allowed: {self.allowed()}.{hint}"
            if x not in out:
                out.append(x)
        return tuple(out), None

    def _allows(self, value: Any) -> bool:
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind in ("number", "int"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return False
            try:
                x = float(value)
            except OverflowError:  # a whole number beyond any float
                return False
            return bool(self.in_range(x)) and (self.kind == "number" or x % 1 == 0)
        if self.kind == "choice":
            return isinstance(value, str) and value in (self.choices or ())
        if self.kind == "str":
            return isinstance(value, str) and bool(self.length_ok(len(value)))
        if self.kind == "datetime":
            if not isinstance(value, str):
                return False
            try:
                parse_datetime(value)
            except ValueError:
                return False
            return True
        return False

    def message(self, value: Any) -> str:
        """What is wrong with ``value`` and what is allowed (the value shortened to 80 characters)."""
        shown = shown_value(value)
        if isinstance(value, float) and not math.isfinite(value):
            return f"{shown} is not a number; leave the field out (or null) when unknown. Allowed: {self.allowed()}"
        if self.kind == "choice" and isinstance(value, str) and len(value) <= 80:
            close = difflib.get_close_matches(value, self.choices or (), n=1, cutoff=0.5)
            if not close:
                close = [c for c in self.choices or () if c.lower() == value.lower()]
            hint = f" Did you mean {close[0]!r}?" if close else ""
            return f"{shown} is not allowed; allowed: {self.allowed()}.{hint}"
        if self.kind == "datetime":
            return f"{shown} is not a date-time; allowed: {self.allowed()}"
        hint = decimal_comma_hint(value) if self.kind in ("number", "int") and isinstance(value, str) else ""
        return f"{shown} is not allowed; allowed: {self.allowed()}" + (f". {hint}" if hint else "")


def _num(x: float | None) -> str:
    if x is None:
        return "?"
    return str(int(x)) if float(x).is_integer() else str(x)


def _b(name: str, label: str, group: str) -> FieldSpec:
    return FieldSpec(name, "bool", label, group)


def _n(name: str, label: str, group: str, lo: float, hi: float | None, unit: str = "", kind: str = "number",
       lo_exclusive: bool = False) -> FieldSpec:
    return FieldSpec(name, kind, label, group, lo=lo, hi=hi, unit=unit, lo_exclusive=lo_exclusive)


_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("athlete_id", "str", "Athlete", "admin", lo=1, hi=64),
    FieldSpec("observed_at", "datetime", "Observed at", "admin"),
    FieldSpec("episode_id", "str", "Episode (same for every recheck)", "admin", lo=1, hi=64),
    FieldSpec("treatment_given", "actions", "Given since the last check", "admin", choices=ACTION_IDS),
    # Red flags first, in the order a trainer checks them (issue 9; SCAT-like).
    _b("collapse", "Collapsed (cannot stand or walk unaided)", "red_flags"),
    _b("collapse_during_run", "Collapsed during the run (no = after the finish)", "red_flags"),
    _b("unconscious", "Unconscious / unresponsive", "red_flags"),
    _b("breathing_normally", "Breathing normally (gasping = no)", "red_flags"),
    _b("chest_pain", "Chest pain, pressure or tightness", "red_flags"),
    _b("breathing_difficulty", "Breathing difficulty", "red_flags"),
    _b("confusion", "Confused or acting oddly", "red_flags"),
    _b("seizure", "Seizure (fit)", "red_flags"),
    _b("dark_urine", "Dark (cola/tea-coloured) urine", "red_flags"),
    _n("spasm_duration_min", "Current spasm has lasted", "red_flags", 0, 1440, "min"),
    _n("pain_score", "Pain now (0-10)", "red_flags", 0, 10),
    _n("core_temp_c", "Core (rectal) temperature", "red_flags", 25, 45, "°C"),
    # Symptoms
    _b("tremor", "Trembling", "symptoms"),
    _b("spasm", "Spasm / cramp", "symptoms"),
    _b("hunger", "Hungry", "symptoms"),
    _b("sweating", "Sweating", "symptoms"),
    _b("pale_skin", "Pale skin", "symptoms"),
    _b("palpitations", "Palpitations", "symptoms"),
    _b("nausea_vomiting", "Nausea or vomiting", "symptoms"),
    _b("headache", "Headache", "symptoms"),
    _b("thirst", "Thirsty", "symptoms"),
    _b("numbness_tingling", "Numbness or tingling", "symptoms"),
    _b("muscle_weakness", "Muscle weakness", "symptoms"),
    _b("muscle_swelling", "Muscle swelling", "symptoms"),
    _b("vomiting", "Repeated vomiting", "symptoms"),
    _b("dizziness", "Dizzy / light-headed", "symptoms"),
    _b("swelling_one_leg", "One calf or leg swollen (compared with the other)", "symptoms"),
    # Run context and history
    _n("minutes_since_run_end", "Minutes since the run ended", "context", 0, 10080, "min"),
    _n("run_duration_min", "Run duration", "context", 0, 1440, "min"),
    _n("run_distance_km", "Run distance", "context", 0, 400, "km"),
    FieldSpec("intensity", "choice", "Intensity", "context", choices=INTENSITIES),
    _n("ambient_temp_c", "Air temperature", "context", -40, 55, "°C"),
    _n("fluid_intake_ml", "Drunk during the run", "context", 0, 20000, "mL"),
    _n("hours_since_meal", "Hours since last meal", "context", 0, 72, "h"),
    _n("carbs_during_run_g", "Carbohydrate during the run", "context", 0, 1000, "g"),
    _b("electrolyte_drink", "Took an electrolyte / sports drink", "context"),
    _b("prevention_followed", "Followed prevention (warm-up, stretching, hydration)", "context"),
    _n("prior_episodes_30d", "Earlier episodes in the last 30 days", "context", 0, 100, kind="int"),
    # Measurements
    _n("blood_glucose", "Blood glucose", "measurements", 0, None, lo_exclusive=True),
    FieldSpec("blood_glucose_unit", "choice", "Glucose unit", "measurements", choices=GLUCOSE_UNITS),
    _n("body_mass_pre_kg", "Body mass before", "measurements", 20, 250, "kg"),
    _n("body_mass_post_kg", "Body mass after", "measurements", 20, 250, "kg"),
    _n("urine_color", "Urine colour (chart 1-8)", "measurements", 1, 8, kind="int"),
    _n("heart_rate_bpm", "Heart rate", "measurements", 20, 250, "bpm"),
    _n("blood_ketones_mmol_l", "Blood ketones", "measurements", 0, 10, "mmol/L"),
    _n("serum_sodium_mmol_l", "Serum sodium", "measurements", 100, 170, "mmol/L"),
    # Background
    _b("has_diabetes", "Has diabetes", "background"),
    _b("glucose_lowering_medication", "Takes insulin or a sulfonylurea", "background"),
    _b("sickle_cell_trait", "Known sickle cell trait", "background"),
    _b("nsaid_taken", "Took ibuprofen or another NSAID", "background"),
    _b("recent_long_travel", "Journey over 4 h or immobilised in the last 4 weeks", "background"),
    FieldSpec("notes", "str", "Notes", "admin", lo=0, hi=2000),
)

FIELDS: dict[str, FieldSpec] = {s.name: s for s in _SPECS}
FIELD_NAMES: tuple[str, ...] = tuple(FIELDS)
BOOL_FIELDS: tuple[str, ...] = tuple(n for n, s in FIELDS.items() if s.kind == "bool")
NUMBER_FIELDS: tuple[str, ...] = tuple(n for n, s in FIELDS.items() if s.kind in ("number", "int"))
