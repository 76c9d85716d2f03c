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

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, create_model, field_validator

from kit.engine.fields import FIELD_NAMES, FIELDS, FieldSpec, plain_value, short_value
from kit.engine.ids import normalise_athlete_id
from kit.engine.rules import mmol_to_mg_dl
from kit.errors import KitError

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


class ObservationError(KitError, ValueError):
    """Invalid observation input; :attr:`problems` lists every problem found.

    A :class:`kit.errors.KitError` (the command line exits 2) and a :class:`ValueError`, so
    callers that only know the standard library can catch it. ``str(err)`` is a readable, complete list suitable for a trainer.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        head = f"invalid observation: {n} problem{'s' if n != 1 else ''}"
        shown = "".join(f"\n  - {p}" for p in self.problems[:_SHOWN])
        more = f"\n  ... and {n - _SHOWN} more" if n > _SHOWN else ""
        super().__init__(head + shown + more)

    def __reduce__(self) -> tuple[type[ObservationError], tuple[tuple[Problem, ...]]]:
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


#: The Python type of each field kind in the model (the allowed values are the field table's check).
_TYPES: dict[str, Any] = {"actions": tuple[str, ...], "bool": bool, "choice": str, "str": str, "datetime": str, "number": float,
                          "int": int}


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, validate_default=False)

    @field_validator("*", mode="before")
    @classmethod
    def _check(cls, v: Any, info: ValidationInfo) -> Any:
        """The field table's one check (:meth:`kit.engine.fields.FieldSpec.problem`); its message is the error."""
        spec = FIELDS[str(info.field_name)]
        message = None if spec.kind == "actions" else spec.problem(v)  # actions: parse_observation checked the list
        if message is not None:
            raise ValueError(message)
        return v

    @field_validator("athlete_id", check_fields=False)
    @classmethod
    def _check_athlete_id(cls, v: str | None) -> str | None:
        return None if v is None else normalise_athlete_id(v)  # kit.engine.ids: NFC; control/format characters refused


_FIELD_TYPES: dict[str, Any] = {n: (Optional[_TYPES[s.kind]], None) for n, s in FIELDS.items()}
_Model = create_model("_ObservationModel", __base__=_Base, **_FIELD_TYPES)


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
        g = self.blood_glucose
        if g is None:
            return None
        return float(mmol_to_mg_dl(g)) if self.blood_glucose_unit == "mmol/L" else float(g)

    @property
    def body_mass_change_pct(self) -> float | None:
        """(post - pre) / pre x 100; negative is a loss. ``None`` unless both are known."""
        pre, post = self.body_mass_pre_kg, self.body_mass_post_kg
        if pre is None or post is None:
            return None
        return float((post - pre) / pre * 100.0)

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
        raise ObservationError([Problem("<observation>", short_value(raw), "an observation must be a JSON object / mapping")])
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in raw.items():
        if not isinstance(key, str) or key not in FIELDS:
            hint = suggest_field(str(key))
            msg = "is not a field of the contract" + (f"; did you mean {hint!r}?" if hint else "")
            problems.append(Problem(str(key), short_value(value), msg))
            continue
        value = plain_value(value)
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
            field = FIELDS.get(name)
            value = clean.get(name, e.get("input"))
            if e["type"] == "value_error":  # the field table's message, or kit.engine.ids' (what and where)
                msg = str(e["ctx"]["error"])
            else:
                msg = field.message(value) if field else e["msg"]
            problems.append(Problem(name, short_value(value), msg))
        for k in bad:
            clean.pop(k, None)
    problems.extend(_cross_field(data, clean))
    if problems:
        problems.sort(key=lambda p: FIELD_NAMES.index(p.field) if p.field in FIELDS else -1)
        raise ObservationError(problems)
    assert model is not None
    return Observation(model)


def _actions(spec: FieldSpec, value: Any, *, text: bool = False) -> tuple[Any, Problem | None]:
    """:meth:`FieldSpec.actions` with its message as a :class:`Problem`."""
    ids, message = spec.actions(value, text=text)
    return ids, (None if message is None else Problem(spec.name, short_value(value), message))


#: Messages of the cross-field rules (also used by the vectorised frame validator).
POST_WITHOUT_PRE = "body mass after the run needs body mass before (body_mass_pre_kg) to mean anything"
GLUCOSE_WITHOUT_UNIT = "is required when blood_glucose is given; allowed: 'mg/dL' or 'mmol/L'"


#: The cross-field rules: (a known field, the field it needs, the field the problem names, message).
CROSS_FIELD: tuple[tuple[str, str, str, str], ...] = (
    ("body_mass_post_kg", "body_mass_pre_kg", "body_mass_post_kg", POST_WITHOUT_PRE),
    ("blood_glucose", "blood_glucose_unit", "blood_glucose_unit", GLUCOSE_WITHOUT_UNIT),
)


def _cross_field(given: Mapping[str, Any], d: Mapping[str, Any]) -> list[Problem]:
    """Problems between fields; a field that is given but itself invalid is not re-reported."""
    return [Problem(field, d[have] if field == have else None, message)
            for have, needs, field, message in CROSS_FIELD if d.get(have) is not None and needs not in given]
