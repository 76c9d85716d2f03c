"""The batch path equals the one-observation path: ``assess_frame`` vs ``assess``, row by row.

Random observations (hypothesis) with unknowns in every spelling a frame can hold (absent
column, None, NaN, ``pd.NA``), values drawn near the clinical thresholds, several column
dtypes (object columns as a CSV / records load gives them, pandas nullable dtypes, numpy
bool, category), small chunk sizes so chunk boundaries fall inside the frame. Invalid frames:
every bad row is reported with its index and field, and the fields match what ``assess``
reports for that row.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kit.engine.frame as frame
from kit import CAUSES, ObservationError, assess, assess_frame
from kit.engine.episodes import episode_orders
from kit.engine.fields import ACTION_IDS, FIELDS
from kit.engine.frame import OUTPUT_COLUMNS, frame_inputs, validate_frame
from kit.engine.thresholds import THRESHOLDS
from kit.store.csvio import records_to_frame

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_THRESHOLD_VALUES = sorted({float(t.value) for t in THRESHOLDS.values()})
_PAIRED = {"blood_glucose", "blood_glucose_unit", "body_mass_pre_kg", "body_mass_post_kg"}


def _number(spec):
    """Values in range, with extra weight on the clinical thresholds and just either side of them."""
    lo, hi = spec.lo, spec.hi if spec.hi is not None else 1000.0
    near = [x + d for x in _THRESHOLD_VALUES for d in (-0.1, 0.0, 0.1) if lo <= x + d <= hi]
    if spec.kind == "int":
        return st.one_of(st.integers(int(lo), int(hi)), st.sampled_from([round(x) for x in near] or [int(lo)]))
    return st.one_of(st.floats(lo, hi, allow_nan=False).map(lambda x: round(x, 1)), st.sampled_from(near or [lo]))


def _value(spec):
    if spec.kind == "actions":
        return st.lists(st.sampled_from(ACTION_IDS), max_size=3)
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    if spec.kind == "str":
        if spec.name == "athlete_id":  # ids without control/format/separator characters (issue 11 item 6)
            return st.text(st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), min_size=1, max_size=12)
        return st.text(min_size=1, max_size=12)
    if spec.kind == "datetime":
        return st.sampled_from(["2026-05-01T09:30:00", "2026-05-01 09:30", "2026-05-01T09:30:00+02:00",
                                "2026-05-01T09:30:00.250Z", "20260501T093000"])
    return _number(spec)


@st.composite
def observations(draw):
    """One valid observation: any subset of fields known; glucose with its unit; body mass after only with before."""
    obs = {}
    for name, spec in FIELDS.items():
        if name not in _PAIRED and draw(st.booleans()):
            obs[name] = draw(_value(spec))
    if draw(st.booleans()):
        unit = draw(st.sampled_from(["mg/dL", "mmol/L"]))
        near = [x + d for x in (54.0, 55.0, 70.0, 90.0, 200.0, 250.0) for d in (-0.1, 0.0, 0.1)]
        g = draw(st.one_of(st.sampled_from(near), st.floats(20, 400).map(lambda x: round(x, 1))))
        raw = round(g / 18.016, 2) if unit == "mmol/L" else g
        # the meter-range edges of D1 as typed: LO, HI, reinterpreted
        edges = [19.9, 20.0, 600.0, 600.1, 4.2] if unit == "mg/dL" else [1.09, 1.1, 33.3, 33.4, 60.0, 600.0, 601.0]
        obs["blood_glucose"] = draw(st.one_of(st.just(raw), st.sampled_from(edges)))
        obs["blood_glucose_unit"] = unit
    if draw(st.booleans()):
        pre = draw(st.floats(40, 120).map(lambda x: round(x, 1)))
        obs["body_mass_pre_kg"] = pre
        if draw(st.booleans()):
            obs["body_mass_post_kg"] = round(pre * draw(st.sampled_from([0.97, 0.98, 0.979, 0.981, 1.0, 1.001, 1.02])), 2)
    return obs


def _expected(obs_list):
    """``assess`` of each observation; rows sharing an episode_id with their predecessors (episode order) as history."""
    history: dict[int, list] = {}
    for order in episode_orders([o.get("episode_id") for o in obs_list], [o.get("observed_at") for o in obs_list]):
        for k, i in enumerate(order):
            history[i] = [obs_list[j] for j in order[:k]]
    rows = []
    for i, obs in enumerate(obs_list):
        a = assess(obs, history=history.get(i))
        row = {"escalation": a.escalation, "top_cause": a.top_cause, "flags": ";".join(sorted(a.flags)),
               "reassess_in_min": a.reassess_in_min, "trend": a.trend}
        row.update({f"score_{c}": a.score[c] for c in CAUSES})
        rows.append(row)
    return rows


def _check(out, obs_list, index):
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert out.index.equals(index)
    expected = _expected(obs_list)
    got = [{k: (None if k == "reassess_in_min" and v != v else v) for k, v in row.items()} for row in out.to_dict("records")]
    for i, (e, g) in enumerate(zip(expected, got, strict=True)):
        assert g == e, f"row {i}: {obs_list[i]}"


_UNKNOWN_MARKERS = {"object": [None, np.nan, pd.NA], "typed": [None]}
_LAYOUTS = ["records", "object", "typed", "category"]


def _frame(obs_list, layout, markers):
    """The observations as a frame in one of several column layouts; unknown cells spelled with ``markers``.

    records: :func:`kit.store.csvio.records_to_frame`; object: every column object dtype; typed: pandas
    nullable dtypes, choices ``category``, text ``str``; category: as typed, text ``category``.
    """
    names = [n for n in FIELDS if any(n in o for o in obs_list)]
    cols = {}
    for j, name in enumerate(names):
        spec = FIELDS[name]
        values = [o.get(name, markers[(i + j) % len(markers)]) for i, o in enumerate(obs_list)]
        if layout == "records":
            continue
        if layout == "object":
            cols[name] = pd.Series(values, dtype=object)
        elif spec.kind == "actions":  # typed layouts: the CSV spelling, ";"-joined
            cols[name] = pd.Series([";".join(v) if isinstance(v, list) else None for v in values], dtype="str")
        elif spec.kind == "bool":
            cols[name] = pd.Series([None if v is None or v is pd.NA or v != v else v for v in values], dtype="boolean")
        elif spec.kind == "int":
            cols[name] = pd.Series([None if v is None else v for v in values], dtype="Int64")
        elif spec.kind == "number":
            cols[name] = pd.Series([None if v is None else v for v in values], dtype="Float64")
        elif spec.kind == "choice":
            cols[name] = pd.Series(values, dtype=pd.CategoricalDtype(spec.choices))
        elif layout == "category":
            cols[name] = pd.Series(values, dtype="category")
        else:
            cols[name] = pd.Series(values, dtype="str")
    if layout == "records":
        return records_to_frame(obs_list)
    return pd.DataFrame(cols, index=pd.RangeIndex(len(obs_list)))


@SETTINGS
@given(st.lists(observations(), min_size=1, max_size=12), st.sampled_from(_LAYOUTS), st.booleans())
def test_assess_frame_equals_assess_row_by_row(obs_list, layout, with_pyarrow):
    df = _frame(obs_list, layout, _UNKNOWN_MARKERS["object" if layout in ("records", "object") else "typed"])
    with _pyarrow(with_pyarrow):
        _check(assess_frame(df, progress=False), obs_list, df.index)


@contextlib.contextmanager
def _pyarrow(available):
    """Run the frame path as if pyarrow were not installed (its fallbacks must agree)."""
    with pytest.MonkeyPatch.context() as mp:
        if not available:
            mp.setattr(frame, "_pa", None)
            mp.setattr(frame, "_pc", None)
        yield


@SETTINGS
@given(st.lists(observations(), min_size=6, max_size=14), st.sampled_from(_LAYOUTS))
def test_equal_across_chunk_boundaries(obs_list, layout):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(frame, "CHUNK_ROWS", 5)
        mp.setattr(frame, "KERNEL_ROWS", 2)
        df = _frame(obs_list, layout, _UNKNOWN_MARKERS["object" if layout in ("records", "object") else "typed"])
        df.index = pd.Index([f"r{i * 7 % 13}-{i}" for i in range(len(df))])
        _check(assess_frame(df, progress=False), obs_list, df.index)


def test_teaching_cases_score_as_assess_in_every_layout(cases):
    single = [c for c in cases if "history" not in c]  # the episode cases need their history (kit.engine.episodes)
    obs_list = [c["observation"] for c in single]
    for layout in _LAYOUTS:
        df = _frame(obs_list, layout, [None])
        out = assess_frame(df, progress=False)
        _check(out, obs_list, df.index)
        assert list(out["escalation"]) == [c["expected"]["escalation"] for c in single]
        assert [None if x != x else x for x in out["reassess_in_min"]] == [c["expected"]["reassess_in_min"] for c in single]


def test_unknown_spelled_none_nan_or_na_means_unknown():
    base = {"tremor": True, "hunger": True, "sweating": True}
    df = pd.DataFrame({
        "tremor": pd.Series([True, True, True, True], dtype=object),
        "hunger": pd.Series([True, True, True, True], dtype=object),
        "sweating": pd.Series([True, True, True, True], dtype=object),
        "blood_glucose": pd.Series([None, np.nan, pd.NA, None], dtype=object),
        "blood_glucose_unit": pd.Series([None, np.nan, pd.NA, "mg/dL"], dtype=object),
        "pale_skin": pd.Series([None, np.nan, pd.NA, None], dtype=object),
        "intensity": pd.Series([None, np.nan, pd.NA, None], dtype=object),
        "athlete_id": pd.Series([None, np.nan, pd.NA, "A1"], dtype=object),
        "observed_at": pd.Series([None, np.nan, pd.NA, pd.NaT], dtype=object),
    })
    out = assess_frame(df, progress=False)
    expected = assess(base)
    assert set(out["escalation"]) == {expected.escalation}
    assert set(out["top_cause"]) == {"hypoglycemia"}
    assert (out["score_hypoglycemia"] == expected.score["hypoglycemia"]).all()


def test_bool_columns_in_every_dtype_give_the_same_result():
    values = [True, False, None, True]
    obs_list = [{"spasm": v, "spasm_duration_min": 75.0} if v is not None else {"spasm_duration_min": 75.0} for v in values]
    spellings = {
        "object_none": pd.Series(values, dtype=object),
        "object_nan": pd.Series([np.nan if v is None else v for v in values], dtype=object),
        "object_numpy_bools": pd.Series([None if v is None else np.bool_(v) for v in values], dtype=object),
        "boolean": pd.Series(values, dtype="boolean"),
        "arrow_bool": pd.Series(values, dtype="bool[pyarrow]"),
    }
    for col in spellings.values():
        df = pd.DataFrame({"spasm": col, "spasm_duration_min": [75.0] * 4})
        _check(assess_frame(df, progress=False), obs_list, df.index)
    df = pd.DataFrame({"spasm": np.array([True, False, True, True]), "spasm_duration_min": [75.0] * 4})
    out = assess_frame(df, progress=False)
    assert list(out["flags"]) == [";".join(sorted(assess({"spasm": v, "spasm_duration_min": 75}).flags))
                                  for v in (True, False, True, True)]


@pytest.mark.parametrize("path", ["pyarrow", "inference", "exact"])
def test_object_yes_no_columns_give_the_same_result_on_every_decoding_path(path, monkeypatch):
    """Booleans and missing markers (pyarrow, or pandas' inference without it), a bad cell (exact)."""
    if path == "inference":
        monkeypatch.setattr(frame, "_pa", None)
    values = [True, False, None, True, np.True_, pd.NA, np.nan, False] * 3
    values[4] = float("nan")  # a NaN that is not the np.nan object
    obs_list = [{"spasm": bool(v), "spasm_duration_min": 75.0} if isinstance(v, (bool, np.bool_))
                else {"spasm_duration_min": 75.0} for v in values]
    df = pd.DataFrame({"spasm": pd.Series(values, dtype=object), "spasm_duration_min": 75.0})
    if path == "exact":
        df.loc[len(df)] = ["yes", 75.0]
        with pytest.raises(ObservationError) as exc:
            assess_frame(df, progress=False)
        assert [(p.row, p.field, p.value) for p in exc.value.problems] == [(len(df) - 1, "spasm", "yes")]
        return
    _check(assess_frame(df, progress=False), obs_list, df.index)
    strided = df.iloc[::2]  # a non-contiguous view of the column
    _check(assess_frame(strided, progress=False), obs_list[::2], strided.index)


def test_nullable_and_arrow_dtypes_are_read():
    obs_list = [
        {"pain_score": 9, "urine_color": 7, "intensity": "race", "athlete_id": "A1", "observed_at": "2026-05-01T09:30"},
        {"urine_color": 5, "intensity": "easy"},
        {"pain_score": 4},
    ]
    df = pd.DataFrame({
        "pain_score": pd.Series([9, None, 4], dtype="Int64"),
        "urine_color": pd.Series([7, 5, None], dtype="Int8"),
        "intensity": pd.Series(["race", "easy", None], dtype="string[python]"),
        "athlete_id": pd.Series(["A1", None, None], dtype="string[pyarrow]"),
        "observed_at": pd.Series(["2026-05-01T09:30", None, None], dtype="str"),
    })
    _check(assess_frame(df, progress=False), obs_list, df.index)
    df["observed_at"] = pd.to_datetime(df["observed_at"])
    df["intensity"] = df["intensity"].astype("category")
    df["pain_score"] = df["pain_score"].astype("float32")
    _check(assess_frame(df, progress=False), obs_list, df.index)


def test_a_log_read_back_from_parquet_scores_the_same(cases, tmp_path):
    obs_list = [c["observation"] for c in cases] * 3
    for layout in ("records", "typed", "category"):
        path = tmp_path / f"{layout}.parquet"
        _frame(obs_list, layout, [None]).to_parquet(path)
        back = pd.read_parquet(path)
        _check(assess_frame(back, progress=False), obs_list, back.index)


def test_text_columns_as_categories_are_checked_once_per_category():
    df = pd.DataFrame({"athlete_id": pd.Series(["A1", "", None, "x" * 65, "A1"], dtype="category"),
                       "observed_at": pd.Series(["2026-05-01T10:00", "nope", None, "2026-05-01 10:00", "nope"],
                                                dtype="category")})
    with pytest.raises(ObservationError) as exc:
        assess_frame(df, progress=False)
    assert [(p.row, p.field) for p in exc.value.problems] == [
        (1, "athlete_id"), (1, "observed_at"), (3, "athlete_id"), (4, "observed_at")]


def test_frame_with_no_rows_and_frame_with_no_columns():
    empty = assess_frame(pd.DataFrame({"tremor": pd.Series([], dtype=object)}), progress=False)
    assert list(empty.columns) == list(OUTPUT_COLUMNS) and len(empty) == 0
    blank = assess_frame(pd.DataFrame(index=range(3)), progress=False)
    assert list(blank["escalation"]) == [assess({}).escalation] * 3
    assert list(blank["top_cause"]) == [None] * 3


def test_output_dtypes_and_index_are_kept():
    df = records_to_frame([{"tremor": True}, {"spasm": True, "pain_score": 9}])
    df.index = pd.Index(["b", "a"], name="obs")
    out = assess_frame(df, progress=False)
    assert out.index.equals(df.index)
    assert out["escalation"].dtype == object and out["top_cause"].dtype == object and out["flags"].dtype == object
    assert all(out[f"score_{c}"].dtype == np.int64 for c in CAUSES)
    assert out.loc["a", "flags"] == "severe_pain"


# --- invalid frames -------------------------------------------------------------------------------------------------

_BAD = {
    "bool": [1, 0, "yes", "true", 1.0, "", [True]],
    "number": ["5", True, np.inf, -np.inf],
    "int": [2.5, "3", False],
    "choice": ["Hard", "mg/dl", 3, True, ""],
    "str": ["", "x" * 65, 5],
    "actions": [["hug"], "stretch;hug", 5, [1], {"stretch": True}],
    "datetime": ["2026-05-01", "yesterday", 1714550400, "2026-02-30T10:00", "2026-05-01T24:00"],
}


def _bad_value(spec):
    if spec.kind in ("number", "int"):
        out_of_range = [spec.lo - 1 if not spec.lo_exclusive else spec.lo] + ([spec.hi + 1] if spec.hi is not None else [])
        return st.sampled_from(_BAD["int" if spec.kind == "int" else "number"] + out_of_range)
    if spec.name == "notes":
        return st.sampled_from([5, "x" * 2001])
    return st.sampled_from(_BAD[spec.kind])


@st.composite
def bad_rows(draw):
    """Observations with one or more invalid cells (or none, or a missing partner field)."""
    obs = draw(observations())
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(list(FIELDS)))
        obs[name] = draw(_bad_value(FIELDS[name]))
    if draw(st.integers(0, 5)) == 0:
        obs.pop("blood_glucose_unit", None)
        obs.setdefault("blood_glucose", 90.0)
    if draw(st.integers(0, 5)) == 0:
        obs.pop("body_mass_pre_kg", None)
        obs.setdefault("body_mass_post_kg", 70.0)
    return obs


def _scalar_fields(obs):
    try:
        assess(obs)
    except ObservationError as err:
        return set(err.fields)
    return set()


@SETTINGS
@given(st.lists(bad_rows(), min_size=1, max_size=10), st.booleans())
def test_every_bad_row_is_reported_with_its_index_and_the_fields_assess_reports(rows, chunked):
    df = pd.DataFrame({name: pd.Series([r.get(name) for r in rows], dtype=object)
                       for name in FIELDS if any(name in r for r in rows)})
    df.index = pd.Index([100 + 3 * i for i in range(len(rows))])
    expected = {idx: _scalar_fields(r) for idx, r in zip(df.index, rows, strict=True)}
    with pytest.MonkeyPatch.context() as mp:
        if chunked:
            mp.setattr(frame, "CHUNK_ROWS", 3)
        if any(expected.values()):
            with pytest.raises(ObservationError) as exc:
                assess_frame(df, progress=False)
            got = {}
            for p in exc.value.problems:
                got.setdefault(p.row, set()).add(p.field)
            assert got == {k: v for k, v in expected.items() if v}
            rows_in_order = [p.row for p in exc.value.problems]
            assert rows_in_order == sorted(rows_in_order)
        else:
            _check(assess_frame(df, progress=False), rows, df.index)


def test_bad_cells_name_row_label_field_and_value():
    df = pd.DataFrame({
        "tremor": pd.Series([True, "yes", None, 1], dtype=object),
        "pain_score": [2.0, 11.0, np.nan, 3.0],
        "urine_color": [2.5, 3.0, 4.0, 5.0],
        "intensity": pd.Series(["hard", None, "Hard", "easy"], dtype=object),
        "blood_glucose": [np.nan, np.nan, 90.0, np.nan],
    })
    df.index = pd.Index(["w1", "w2", "w3", "w4"])
    with pytest.raises(ObservationError) as exc:
        assess_frame(df, progress=False)
    got = [(p.row, p.field, p.value) for p in exc.value.problems]
    assert got == [
        ("w1", "urine_color", 2.5),
        ("w2", "pain_score", 11.0), ("w2", "tremor", "yes"),
        ("w3", "intensity", "Hard"), ("w3", "blood_glucose_unit", None),
        ("w4", "tremor", 1),
    ]
    text = str(exc.value)
    assert "row 'w2': tremor" in text and "Did you mean 'hard'" in text


def test_every_bad_row_of_a_large_chunked_frame_is_reported_once(monkeypatch):
    monkeypatch.setattr(frame, "CHUNK_ROWS", 1000)
    n = 5500
    pain = np.full(n, 3.0)
    bad_rows = [0, 999, 1000, 2500, 5499]
    pain[bad_rows] = 12.0
    df = pd.DataFrame({"pain_score": pain, "tremr": True})
    with pytest.raises(ObservationError) as exc:
        assess_frame(df, progress=False)
    problems = exc.value.problems
    assert [(p.row, p.field) for p in problems] == [(None, "tremr")] + [(i, "pain_score") for i in bad_rows]
    assert "did you mean 'tremor'" in problems[0].message


def test_extra_columns_are_an_error_unless_ignored():
    df = pd.DataFrame({"tremor": [True], "id": [7], "Pain score": [3]})
    with pytest.raises(ObservationError) as exc:
        assess_frame(df, progress=False)
    assert exc.value.fields == ["id", "Pain score"]
    assert "did you mean 'pain_score'" in str(exc.value)
    out = assess_frame(df, extra="ignore", progress=False)
    assert out["escalation"].tolist() == [assess({"tremor": True}).escalation]


def test_repeated_column_is_reported():
    df = pd.DataFrame([[True, False]], columns=["tremor", "tremor"])
    with pytest.raises(ObservationError) as exc:
        assess_frame(df, progress=False)
    assert exc.value.fields == ["tremor"] and "more than once" in str(exc.value)


def test_nan_in_a_number_column_is_unknown_but_infinity_is_an_error():
    out = assess_frame(pd.DataFrame({"core_temp_c": [np.nan, 41.0]}), progress=False)
    assert list(out["escalation"]) == [assess({}).escalation, "emergency"]
    with pytest.raises(ObservationError) as exc:
        assess_frame(pd.DataFrame({"core_temp_c": [np.inf]}), progress=False)
    assert "leave the field out" in str(exc.value)


@pytest.mark.parametrize("column", [
    pd.Series([1, 0], dtype="int64"), pd.Series([1.0, 0.0]), pd.Series(["true", "false"], dtype="str"),
    pd.Series([1, None], dtype="Int64"),
])
def test_yes_no_column_of_numbers_or_text_is_an_error(column):
    with pytest.raises(ObservationError) as exc:
        assess_frame(pd.DataFrame({"tremor": column}), progress=False)
    assert {p.field for p in exc.value.problems} == {"tremor"}
    assert len(exc.value.problems) == int(column.notna().sum())


def test_date_times_are_checked_like_assess_does():
    stamps = ["2026-05-01T09:30:00", "2026-05-01 09:30", "2026-05-01T09:30:00.123456+05:30", "2026-05-01T09:30:00Z",
              " 2026-05-01T09:30:00", "20260501T0930", "2026-05-01", "2026-02-29T10:00", "2024-02-29T10:00",
              "2026-05-01T09:30:61", "2026-05-01T09:30+24:00", "not a date", "2026-05-01T09:30:00+02:00"]
    expected = {i for i, t in enumerate(stamps) if _scalar_fields({"observed_at": t})}
    assert expected  # some are bad
    for dtype in (object, "str", "category"):
        for with_pyarrow in (True, False):
            with _pyarrow(with_pyarrow), pytest.raises(ObservationError) as exc:
                assess_frame(pd.DataFrame({"observed_at": pd.Series(stamps, dtype=dtype)}), progress=False)
            assert {p.row for p in exc.value.problems} == expected


def test_text_lengths_count_characters_like_assess():
    ids = ["é" * 64, "é" * 65, "", "ok", 7]
    for dtype in (object, "category"):
        for with_pyarrow in (True, False):
            with _pyarrow(with_pyarrow), pytest.raises(ObservationError) as exc:
                assess_frame(pd.DataFrame({"athlete_id": pd.Series(ids, dtype=dtype)}), progress=False)
            assert [p.row for p in exc.value.problems] == [1, 2, 4]
    with pytest.raises(ObservationError) as exc:
        assess_frame(pd.DataFrame({"athlete_id": pd.Series(ids[:4], dtype="str")}), progress=False)
    assert [p.row for p in exc.value.problems] == [1, 2]


def test_validate_frame_and_frame_inputs_give_float_columns():
    df = records_to_frame([{"tremor": True, "blood_glucose": 3.0, "blood_glucose_unit": "mmol/L", "intensity": "hard",
                            "body_mass_pre_kg": 70.0, "body_mass_post_kg": 68.0}, {"tremor": False}])
    cols, problems = validate_frame(df)
    assert problems == []
    assert cols["tremor"].tolist() == [1.0, 0.0]
    assert cols["blood_glucose_unit_code"][0] == 1.0 and math.isnan(cols["blood_glucose_unit_code"][1])
    v = frame_inputs(df)
    assert v["blood_glucose"][0] == 3.0 and v["blood_glucose_unit"][0] == 1.0  # read by the kernel's D1 rule
    assert v["body_mass_pre_kg"][0] == 70.0 and v["spasm_total_min"] is v["spasm_duration_min"]  # no history: K4 total = own
    assert math.isnan(v["blood_glucose"][1]) and math.isnan(v["core_temp_c"][0])


def test_treatment_given_as_lists_or_joined_strings():
    obs_list = [{"treatment_given": ["stretch", "massage"], "spasm": True}, {"treatment_given": ["ice"]}, {"spasm": True}]
    df = pd.DataFrame({"treatment_given": pd.Series([["stretch", "massage"], "ice", None], dtype=object),
                       "spasm": pd.Series([True, None, True], dtype=object)})
    _check(assess_frame(df, progress=False), obs_list, df.index)
    bad = pd.DataFrame({"treatment_given": pd.Series([["stretch"], "strech", np.array(["ice"])], dtype=object)})
    with pytest.raises(ObservationError) as exc:
        assess_frame(bad, progress=False)
    assert [(p.row, p.field) for p in exc.value.problems] == [(1, "treatment_given")]


def test_progress_bar_is_shown_on_stderr_when_asked(capsys):
    df = records_to_frame([{"tremor": True}] * 10)
    assess_frame(df, progress=True)
    assert "scoring" in capsys.readouterr().err
    assess_frame(df)  # "auto": small frames show nothing
    assert capsys.readouterr().err == ""
