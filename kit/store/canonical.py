"""The observation log's canonical form: what "stored correctly" means (see :mod:`kit.store.db`).

The observation is validated by :func:`kit.engine.observation.parse_observation`; numbers are
stored as floats (whole-number fields as ints); text is kept as typed except that
``athlete_id`` and ``observed_at`` lose surrounding whitespace, line endings in ``notes``
become ``\\n``, and blank text is unknown; ``athlete_id`` follows :mod:`kit.engine.ids` (NFC; control and
format characters refused, as they would look like another athlete). ``observed_at`` is filled with the current
UTC time when absent. Also the time sort key and the JSON encodings the store writes.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Mapping
from typing import Any, cast

from kit.engine.fields import FIELD_NAMES, FIELDS
from kit.engine.ids import athlete_id_problem
from kit.engine.observation import ObservationError, Problem, parse_observation

__all__ = ["canonical_observation", "canonical_order", "canonical_from_cells"]


def _now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _sort_key(observed_at: str) -> str:
    """A text key that sorts date-times by time: aware values in UTC, naive ones as given."""
    text = observed_at.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    t = dt.datetime.fromisoformat(text)
    if t.tzinfo is not None:
        try:
            t = t.astimezone(dt.UTC)
        except OverflowError:  # year 1 or 9999 shifted out of range: keep the local time
            pass
        t = t.replace(tzinfo=None)
    return t.isoformat(timespec="microseconds")


def canonical_observation(raw: object, *, fill_time: bool = False) -> dict[str, Any]:
    """Validate one observation and return it in the store's canonical form.

    Parameters
    ----------
    raw : Mapping
        Contract field names to values (anything else is refused with a problem).
    fill_time : bool
        Fill ``observed_at`` with the current UTC time when it is unknown.

    Returns
    -------
    dict
        Known fields only, in contract order.

    Raises
    ------
    ObservationError
        Every problem, as :func:`kit.engine.observation.parse_observation` reports them, plus an
        ``athlete_id`` with control characters and numbers too large for a float.
    """
    if isinstance(raw, Mapping):
        pre: dict[str, Any] = dict(raw)
        for name in ("athlete_id", "observed_at", "notes"):
            v = pre.get(name)
            if isinstance(v, str):
                if name == "notes":
                    v = v.replace("\r\n", "\n").replace("\r", "\n")
                else:
                    v = v.strip()
                pre[name] = v if v.strip() else None
        problems = _oversized(pre)
        aid = pre.get("athlete_id")
        why = athlete_id_problem(aid) if isinstance(aid, str) else None  # kit.engine.ids: the one rule for athlete ids
        if why is not None and isinstance(aid, str):
            problems.append(Problem("athlete_id", aid if len(aid) <= 80 else aid[:77] + "...", why))
            pre.pop("athlete_id")
        try:
            obs = parse_observation(pre)
        except ObservationError as err:
            raise ObservationError(problems + list(err.problems)) from None
        if problems:
            raise ObservationError(problems)
    else:
        obs = parse_observation(cast(Mapping[str, Any], raw))  # not a mapping: raises the "must be an object" error
    d = obs.to_dict()
    out: dict[str, Any] = {}
    for name in FIELD_NAMES:
        v = d.get(name)
        if v is None:
            continue
        kind = FIELDS[name].kind
        if kind == "number":
            try:
                v = float(v) + 0.0  # ints to float; -0.0 to 0.0
            except OverflowError:
                raise ObservationError([Problem(name, "<a number with more than 308 digits>",
                                                f"is too large; allowed: {FIELDS[name].allowed()}")]) from None
        elif kind == "int":
            v = int(v)
        out[name] = v
    if fill_time and "observed_at" not in out:
        out["observed_at"] = _now_utc()
        out = canonical_order(out)
    return out


def canonical_from_cells(rec: Mapping[str, Any], *, fill_time: bool = False) -> dict[str, Any] | None:
    """The canonical form of a record that :func:`kit.store.csvio.convert_row` accepted, without validating it again.

    ``convert_row`` has checked every cell by its field's rule (type, range, length, choices,
    action ids, date-time, athlete id characters) and the cross-field rules; what
    :func:`canonical_observation` would still change is done here: ``athlete_id`` and
    ``observed_at`` lose surrounding whitespace (the id stays NFC), line endings in ``notes``
    become ``\\n``, numbers become floats (``-0.0`` becomes ``0.0``), an empty action list is
    unknown, fields in contract order, ``observed_at`` filled when ``fill_time``.

    Returns
    -------
    dict or None
        Equal to ``canonical_observation(rec, fill_time=fill_time)`` (a property test checks
        it); ``None`` when a text changed by that step no longer fits its field (e.g. an
        athlete id that is too short once stripped): the caller then validates the record in
        full with :func:`canonical_observation`, which names the problem.
    """
    out: dict[str, Any] = {}
    for name in FIELD_NAMES:
        v = rec.get(name)
        if v is None:
            continue
        kind = _KINDS[name]
        if kind == "number":
            v = float(v) + 0.0  # -0.0 to 0.0, as canonical_observation
        elif kind == "actions":
            if not v:
                continue
            v = list(v)
        elif name in _TEXT_TIDIED:
            if not isinstance(v, str):
                return None
            v = v.replace("\r\n", "\n").replace("\r", "\n") if name == "notes" else v.strip()
            if not v.strip():
                continue
            if kind == "str":
                lo, hi = _LENGTHS[name]
                if not lo <= len(v) <= hi or (name == "athlete_id" and not unicodedata.is_normalized("NFC", v)):
                    return None
        out[name] = v
    if fill_time and "observed_at" not in out:
        out["observed_at"] = _now_utc()
        out = canonical_order(out)
    return out


_KINDS = {name: spec.kind for name, spec in FIELDS.items()}
_LENGTHS = {name: (int(spec.lo or 0), int(spec.hi or 0)) for name, spec in FIELDS.items() if spec.kind == "str"}
#: Text fields canonical_observation changes (stripped, or line endings in notes).
_TEXT_TIDIED = ("athlete_id", "observed_at", "notes")

_MAX_KEY = 100  # characters in a key name before it is shown shortened


def _oversized(pre: dict[Any, Any]) -> list[Problem]:
    """Problems for giant keys, strings and integers, reported (and removed) before validation.

    The validator would quote the whole value in its message; a 10 MB string must give a
    short, clear error instead.
    """
    problems = []
    for key in list(pre):
        value = pre[key]
        if isinstance(key, str) and len(key) > _MAX_KEY:
            problems.append(Problem(key[:40] + "...", None, f"is not a field of the contract (a name of {len(key)} characters)"))
            del pre[key]
            continue
        spec = FIELDS.get(key) if isinstance(key, str) else None
        if spec is None:
            continue
        if isinstance(value, str):
            limit = int(spec.hi or 0) if spec.kind == "str" else 100
            if len(value) > limit:
                problems.append(Problem(key, value[:40] + "...", f"is {len(value)} characters long; allowed: {spec.allowed()}"))
                del pre[key]
        elif isinstance(value, int) and not isinstance(value, bool) and spec.kind in ("number", "int"):
            if value.bit_length() > 1024:  # more than ~308 digits (str() of it may even be refused)
                problems.append(Problem(key, "<a number with more than 308 digits>", f"is too large; allowed: {spec.allowed()}"))
                del pre[key]
    return problems


def canonical_order(d: Mapping[str, Any]) -> dict[str, Any]:
    """Known fields of ``d`` in contract order."""
    return {n: d[n] for n in FIELD_NAMES if d.get(n) is not None}


#: The store's compact JSON encoding (one encoder, made once: json.dumps with these options builds one per call).
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


def _dumps(obj: Any) -> str:
    """``obj`` as the store writes JSON: compact, UTF-8 text as is, no NaN."""
    return _ENCODE(obj)


def _draft_default(o: Any) -> Any:
    if isinstance(o, (dt.date, dt.datetime, dt.time)):
        return o.isoformat()
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    return str(o)
