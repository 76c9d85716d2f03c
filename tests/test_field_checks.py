"""One validator per field: the same bad value gives the same message through every parser (issue 10 item 3).

The field table (:meth:`kit.engine.fields.FieldSpec.problem`) holds each field's check and
message; the pydantic model (:func:`kit.parse_observation`), the frame decoders
(:func:`kit.engine.frame.validate_frame`), the CSV reader (:func:`kit.store.csvio.convert_row`)
and the triage form's text boxes (:class:`kit.views.widgets.TriageForm`) must all report it word
for word. A decimal comma is refused on every path, with the same hint.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from kit.engine.fields import FIELDS, FieldSpec, parse_datetime
from kit.engine.frame import validate_frame
from kit.engine.observation import ObservationError, parse_observation
from kit.store.csvio import convert_row
from kit.views.widgets import TriageForm


def _bad_values(spec: FieldSpec) -> list[Any]:
    """Values each field must refuse, as Python values (a CSV cell is their text)."""
    if spec.kind == "bool":
        return ["maybe", "no way"]
    if spec.kind == "choice":
        return ["fast", (spec.choices or ("",))[0].upper() + "x"]
    if spec.kind == "datetime":
        return ["yesterday", "2026-05-01", "2026-02-30T10:00:00"]
    if spec.kind == "actions":
        return ["dance", "rest;strech"]
    if spec.kind == "str":
        return ["x" * (int(spec.hi or 0) + 1)]
    inside = int(spec.lo or 0) + 1  # a whole number inside the range
    # NaN is a frame's missing marker: unknown there, not bad. Decimal commas: refused everywhere, with a hint.
    out: list[Any] = ["abc", float("inf"), f"{inside},5", f"-{inside},25", "1,500"]
    if spec.hi is not None:
        out.append(int(spec.hi) + 1)
    out.append(int(spec.lo or 0) if spec.lo_exclusive else int(spec.lo or 0) - 1)
    if spec.kind == "int":
        out.append(1.5)
    return out


CASES = [pytest.param(name, v, id=f"{name}={str(v)[:12]}") for name, spec in FIELDS.items() for v in _bad_values(spec)]


def _model_message(name: str, value: Any) -> str:
    value = value.split(";") if FIELDS[name].kind == "actions" else value  # the model takes a list
    with pytest.raises(ObservationError) as exc:
        parse_observation({name: value})
    [p] = [p for p in exc.value.problems if p.field == name]
    return p.message


def _frame_message(name: str, value: Any) -> str:
    _, problems = validate_frame(pd.DataFrame({name: pd.Series([value], dtype=object if isinstance(value, str) else None)}))
    [p] = [p for p in problems if p.field == name]
    return p.message


def _csv_message(name: str, value: Any) -> str:
    row = convert_row([name], [str(value)], 2)
    assert row is not None
    [p] = [p for p in row[3] if p.field == name]
    return p.message


#: Field kinds the form takes as typed text (yes/no and choices are buttons: no bad value can be entered).
_TYPED = ("number", "int", "str", "datetime")


@pytest.fixture(scope="module")
def form() -> TriageForm:
    return TriageForm()


def _form_message(form: TriageForm, name: str, value: Any) -> str:
    form.inputs[name].value = str(value)
    form.refresh()
    [p] = [p for p in form.problems if p.field == name]
    form.inputs[name].value = ""
    return p.message


@pytest.mark.parametrize(("name", "value"), CASES)
def test_the_same_bad_value_gives_the_same_message_through_model_frame_csv_and_form(name, value, form):
    model = _model_message(name, value)
    assert _frame_message(name, value) == model
    assert _csv_message(name, value) == model
    if FIELDS[name].kind != "actions":
        assert model == FIELDS[name].problem(value)  # the field table's own message
    if FIELDS[name].kind in _TYPED and name in form.inputs:
        assert _form_message(form, name, value) == model


def test_a_decimal_comma_is_refused_with_a_hint_on_every_path(form):
    want = "'37,5' is not allowed; allowed: a number from 25 to 45 °C or null (unknown). Write decimals with a point: 37.5."
    assert _model_message("core_temp_c", "37,5") == want
    assert _frame_message("core_temp_c", "37,5") == want
    assert _csv_message("core_temp_c", "37,5") == want
    assert _form_message(form, "core_temp_c", "37,5") == want
    assert FIELDS["fluid_intake_ml"].problem("1,500").endswith("Write 1500 or 1.5 (no comma).")  # none guessed
    assert FIELDS["core_temp_c"].problem("abc") == "'abc' is not allowed; allowed: a number from 25 to 45 °C or null (unknown)"


@pytest.mark.parametrize("name", [n for n, s in FIELDS.items() if s.kind in ("number", "int")])
def test_the_range_check_is_the_same_on_floats_and_columns(name):
    spec = FIELDS[name]
    edges = [x for b in (spec.lo, spec.hi) if b is not None for x in (b - 0.5, b, b + 0.5)]
    col = spec.in_range(pd.Series(edges, dtype="float64").to_numpy())
    assert list(col) == [bool(spec.in_range(x)) for x in edges]
    if spec.lo is not None:
        assert bool(spec.in_range(spec.lo)) is not spec.lo_exclusive


def test_parse_datetime_is_the_kits_one_reading():
    assert parse_datetime("2026-05-01T09:30:00Z").utcoffset() is not None
    assert parse_datetime(" 2026-05-01 09:30 ").hour == 9
    for bad in ("2026-05-01", "yesterday", "2026-13-01T00:00"):
        with pytest.raises(ValueError):
            parse_datetime(bad)
