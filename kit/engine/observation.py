"""Observation model and validation at the door.

One observation is one athlete at one moment (see ``docs/reference/contract.md``).
Every field is optional; an absent field or ``None`` means **unknown**, which is kept
distinct from ``False`` all the way through scoring. Validation uses pydantic v2 in
strict mode (a string is never silently turned into a number or a boolean), with the
allowed ranges generated from :data:`kit.engine.fields.FIELDS`. All problems are reported
together in one :class:`ObservationError`, each naming the field, the value and what is
allowed; an unknown key gets the closest valid name as a suggestion.

The clinical reading of the values (the glucose meter-range rule D1, the rounded
body-mass change D4) is the rule kernel's job (:mod:`kit.engine.rules`), so that the scalar and
the vectorised paths read them with the same code; :attr:`Observation.glucose_mg_dl` is
only the plain unit conversion, for display.

``treatment_given`` (a list of action ids) is accepted as a list or tuple of ids (a frame
or CSV cell may also join them with ``";"``: :mod:`kit.engine.frame`, :mod:`kit.store.csvio`); duplicates
are dropped (first kept), an unknown id is an error that names it, and an empty list is
unknown (as an empty CSV cell is).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator

from kit.engine.fields import FIELD_NAMES, FIELDS, FieldSpec, split_actions
from kit.engine.ids import normalise_athlete_id
from kit.engine.rules import mmol_to_mg_dl

__all__ = ["Observation", "ObservationError", "Problem", "parse_observation", "suggest_field"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input.

    Attributes
    ----------
    field : str
        The contract field name (or ``"<observation>"`` for the object itself).
    value : Any
        The offending value, as given.
    message : str
        What is wrong and what is allowed, in words.
    row : Any, optional
        Row index or list position when the input held several observations.
    """

    field: str
    value: Any
    message: str
    row: Any = None

    def __str__(self) -> str:
        where = f"row {self.row!r}: " if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"


_SHOWN = 50  # problems spelled out in str(err); all of them stay in err.problems


class ObservationError(ValueError):
    """Invalid observation input; :attr:`problems` lists every problem found.

    It is a :class:`ValueError`, so callers that only know the standard library can
    catch it. ``str(err)`` is a readable, complete list suitable for a trainer.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        head = f"invalid observation: {n} problem{'s' if n != 1 else ''}"
        shown = "".join(f"\n  - {p}" for p in self.problems[:_SHOWN])
        more = f"\n  ... and {n - _SHOWN} more" if n > _SHOWN else ""
        super().__init__(head + shown + more)

    def __reduce__(self) -> tuple:
        # picklable as itself (Dask workers, multiprocessing): rebuilt from its problems
        return (type(self), (self.problems,))

    @property
    def fields(self) -> list[str]:
        """The field names that have a problem, in order."""
        return [p.field for p in self.problems]

    def with_row(self, row: Any) -> ObservationError:
        """Return a copy whose problems carry ``row`` (a list position or frame index)."""
        return ObservationError([Problem(p.field, p.value, p.message, row) for p in self.problems])


def suggest_field(name: str) -> str | None:
    """Return the valid field name closest to ``name``, or ``None`` if none is close."""
    hit = difflib.get_close_matches(str(name), FIELD_NAMES, n=1, cutoff=0.6)
    if not hit:
        lowered = {f.lower().replace("_", ""): f for f in FIELD_NAMES}
        key = str(name).lower().replace("_", "").replace("-", "").replace(" ", "")
        return lowered.get(key)
    return hit[0]


def _iso_datetime(v: str) -> str:
    text = v.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if "T" not in text and " " not in text:
        raise ValueError("not a date-time")
    _dt.datetime.fromisoformat(text)
    return v


def _annotation(spec: FieldSpec) -> tuple[Any, Any]:
    if spec.kind == "actions":
        return Optional[tuple[str, ...]], None
    if spec.kind == "bool":
        return Optional[bool], None
    if spec.kind == "choice":
        return Optional[Literal[spec.choices]], None  # type: ignore[valid-type]
    if spec.kind in ("str", "datetime"):
        if spec.kind == "str":
            return Optional[str], Field(None, min_length=int(spec.lo or 0), max_length=int(spec.hi or 0))
        return Optional[str], None
    kw: dict[str, Any] = {"allow_inf_nan": False}
    if spec.lo is not None:
        kw["gt" if spec.lo_exclusive else "ge"] = spec.lo
    if spec.hi is not None:
        kw["le"] = spec.hi
    if spec.kind == "int":
        kw.pop("allow_inf_nan")
        return Optional[int], Field(None, **kw)
    return Optional[float], Field(None, **kw)


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, validate_default=False)

    @field_validator("observed_at", check_fields=False)
    @classmethod
    def _check_observed_at(cls, v: str | None) -> str | None:
        return None if v is None else _iso_datetime(v)

    @field_validator("athlete_id", check_fields=False)
    @classmethod
    def _check_athlete_id(cls, v: str | None) -> str | None:
        return None if v is None else normalise_athlete_id(v)  # kit.engine.ids: NFC; control/format characters refused


_Model = create_model("_ObservationModel", __base__=_Base, **{n: _annotation(s) for n, s in FIELDS.items()})


class Observation:
    """A validated observation: one athlete, one moment.

    Create it with :func:`parse_observation` (or ``Observation.parse``), never directly.
    Attribute access gives each contract field (``None`` = unknown) and the derived
    values :attr:`glucose_mg_dl` and :attr:`body_mass_change_pct`.
    """

    __slots__ = ("_m",)

    def __init__(self, model: BaseModel):
        self._m = model

    def __getattr__(self, name: str) -> Any:
        if name in FIELDS:
            return getattr(self._m, name)
        raise AttributeError(name)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Observation:
        """Validate ``raw``; see :func:`parse_observation`."""
        return parse_observation(raw)

    @property
    def glucose_mg_dl(self) -> float | None:
        """Blood glucose in mg/dL (mmol/L x 18.016), or ``None`` when unknown.

        References
        ----------
        clinical-reference §0: glucose molar mass 180.16 g/mol.
        """
        g = self._m.blood_glucose
        if g is None:
            return None
        return float(mmol_to_mg_dl(g)) if self._m.blood_glucose_unit == "mmol/L" else float(g)

    @property
    def body_mass_change_pct(self) -> float | None:
        """(post - pre) / pre x 100; negative is a loss. ``None`` unless both are known."""
        pre, post = self._m.body_mass_pre_kg, self._m.body_mass_post_kg
        if pre is None or post is None:
            return None
        return (post - pre) / pre * 100.0

    def to_dict(self) -> dict[str, Any]:
        """The known fields as contract JSON (unknown fields are left out)."""
        d = self._m.model_dump(exclude_none=True)
        for name, spec in FIELDS.items():
            if spec.kind == "actions" and name in d:
                d[name] = list(d[name])
        return d

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Observation) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in self.to_dict().items())))

    def __repr__(self) -> str:
        return f"Observation({self.to_dict()!r})"


def _plain(v: Any) -> Any:
    """numpy / pandas scalars to Python; pandas' missing markers to ``None``."""
    mod = type(v).__module__
    if mod.startswith("numpy"):
        v = v.item() if hasattr(v, "item") else v
    elif mod.startswith("pandas"):
        if repr(v) in ("<NA>", "NaT"):
            return None
    return v


def _message(spec: FieldSpec, err_type: str, value: Any) -> str:
    """What is wrong with ``value`` for ``spec`` and what is allowed (the value shortened to 80 characters)."""
    full = value
    value = _Shown(_short(value))
    if err_type == "finite_number" or (isinstance(full, float) and not math.isfinite(full)):
        return f"{value!r} is not a number; leave the field out (or null) when unknown. Allowed: {spec.allowed()}"
    if spec.kind == "choice" and isinstance(full, str) and len(full) <= 80:
        close = difflib.get_close_matches(full, spec.choices or (), n=1, cutoff=0.5)
        if not close:
            close = [c for c in spec.choices or () if c.lower() == full.lower()]
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return f"{value!r} is not allowed; allowed: {spec.allowed()}.{hint}"
    if spec.kind == "datetime":
        return f"{value!r} is not a date-time; allowed: {spec.allowed()}"
    return f"{value!r} is not allowed; allowed: {spec.allowed()}"


def parse_observation(raw: Mapping[str, Any]) -> Observation:
    """Validate one observation and return an :class:`Observation`.

    Parameters
    ----------
    raw : Mapping
        Contract field names to values. Absent or ``None`` = unknown.

    Returns
    -------
    Observation
        Plausible-but-suspicious values (e.g. glucose 5.4 labelled mg/dL) are not errors;
        the assessment warns about them (clinical-reference §9.11).

    Raises
    ------
    ObservationError
        Listing every problem: unknown keys (with the closest valid name), wrong types,
        out-of-range values, NaN or infinity, and cross-field problems (body mass after
        with no body mass before; a glucose reading with no unit).
    """
    if not isinstance(raw, Mapping):
        raise ObservationError([Problem("<observation>", _short(raw), "an observation must be a JSON object / mapping")])
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in raw.items():
        if not isinstance(key, str) or key not in FIELDS:
            hint = suggest_field(str(key))
            msg = "is not a field of the contract" + (f"; did you mean {hint!r}?" if hint else "")
            problems.append(Problem(str(key), _short(value), msg))
            continue
        value = _plain(value)
        if value is None:
            continue
        spec = FIELDS[key]
        if spec.kind == "int" and isinstance(value, float) and value.is_integer():
            value = int(value)
        if spec.kind == "actions":
            value, problem = _actions(spec, value)
            if problem is not None:
                problems.append(problem)
                continue
            if not value:  # an empty list says no more than an empty CSV cell: unknown
                continue
        data[key] = value
    clean = dict(data)
    model = None
    try:
        model = _Model.model_validate(clean)
    except ValidationError as exc:
        bad = set()
        for e in exc.errors():
            name = str(e["loc"][0]) if e["loc"] else "<observation>"
            if name in bad:
                continue
            bad.add(name)
            spec = FIELDS.get(name)
            value = clean.get(name, e.get("input"))
            msg = _message(spec, e["type"], value) if spec else e["msg"]
            if name == "athlete_id" and e["type"] == "value_error":  # kit.engine.ids says what and where
                msg = str(e["ctx"]["error"])
            problems.append(Problem(name, _short(value), msg))
        for k in bad:
            clean.pop(k, None)
    problems.extend(_cross_field(data, clean))
    if problems:
        problems.sort(key=lambda p: FIELD_NAMES.index(p.field) if p.field in FIELDS else -1)
        raise ObservationError(problems)
    assert model is not None
    return Observation(model)


def _actions(spec: FieldSpec, value: Any, *, text: bool = False) -> tuple[Any, Problem | None]:
    """A list of action ids as a tuple (duplicates dropped, first kept), or the problem with it.

    ``text=True`` (a frame or CSV cell) also accepts the ids joined by ``";"``.
    """
    if text and isinstance(value, str):
        items: list[Any] = split_actions(value)
    elif isinstance(value, (list, tuple)):
        items = [_plain(x) for x in value]
    else:
        hint = " (in a CSV cell or a frame: ids joined by ';')" if isinstance(value, str) else ""
        return None, Problem(spec.name, _short(value), f"{_Shown(_short(value))!r} is not a list; allowed: {spec.allowed()}{hint}")
    out: list[str] = []
    for x in items:
        if not isinstance(x, str) or x not in (spec.choices or ()):
            close = difflib.get_close_matches(x, spec.choices or (), n=1, cutoff=0.6) if isinstance(x, str) else []
            hint = f" Did you mean {close[0]!r}?" if close else ""
            return None, Problem(spec.name, _short(value),
                                 f"{_Shown(_short(x))!r} is not an action id; allowed: {spec.allowed()}.{hint}")
        if x not in out:
            out.append(x)
    return tuple(out), None


def _short(v: Any) -> Any:
    """The value itself, or a cut-down text of it when its repr is over 80 characters."""
    if isinstance(v, str):
        return v if len(v) <= 80 else v[:77] + "..."
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**60:
        return f"<a whole number of {len(str(abs(v))) if abs(v) < 10**4000 else 'over 4000'} digits>"
    if isinstance(v, (list, dict, tuple, set)):
        r = repr(v)
        return v if len(r) <= 80 else r[:77] + "..."
    return v


class _Shown:
    """Formats a (possibly shortened) value for a message: strings quoted, others as repr."""

    __slots__ = ("v",)

    def __init__(self, v: Any):
        self.v = v

    def __repr__(self) -> str:
        return repr(self.v) if not (isinstance(self.v, str) and self.v.startswith("<a whole number")) else self.v


#: Messages of the cross-field rules (also used by the vectorised frame validator).
POST_WITHOUT_PRE = "body mass after the run needs body mass before (body_mass_pre_kg) to mean anything"
GLUCOSE_WITHOUT_UNIT = "is required when blood_glucose is given; allowed: 'mg/dL' or 'mmol/L'"


def _cross_field(given: Mapping[str, Any], d: Mapping[str, Any]) -> list[Problem]:
    """Problems between fields; a field that is given but itself invalid is not re-reported."""
    out = []
    if d.get("body_mass_post_kg") is not None and "body_mass_pre_kg" not in given:
        out.append(Problem("body_mass_post_kg", d["body_mass_post_kg"], POST_WITHOUT_PRE))
    if d.get("blood_glucose") is not None and "blood_glucose_unit" not in given:
        out.append(Problem("blood_glucose_unit", None, GLUCOSE_WITHOUT_UNIT))
    return out
