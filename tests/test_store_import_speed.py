"""The fast CSV import (issue 11 item 8): rows assessed per chunk by ``kit.assess_frame``.

An imported row without an episode stores the summary of the vectorised engine; it must equal
the single-observation ``kit.assess`` row for row, and the full assessment is computed when shown.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.engine.assessment import assess
from kit.engine.fields import FIELD_NAMES, FIELDS
from kit.engine.observation import ObservationError
from kit.engine.rules import RULE_SET
from kit.store import Store, StoreError
from kit.store.canonical import _dumps, canonical_from_cells, canonical_observation
from kit.store.csvio import _convert, _quick, convert_row, open_csv_rows
from kit.store.transfer import SAMPLE_LOG, SUMMARY_MARK


def _summary_of(full: dict) -> dict:
    return {"escalation": full["escalation"], "top_cause": full["top_cause"],
            "scores": {c["cause"]: c["score"] for c in full["causes"]}, "flags": sorted(full["flags"]),
            "reassess_in_min": full["reassess_in_min"], "trend": full["trend"], "rule_set": full["rule_set"]}


def test_imported_rows_store_the_assess_frame_summary_equal_to_assess_row_for_row(tmp_path):
    with Store(tmp_path / "s.sqlite") as st:
        report = st.import_csv(SAMPLE_LOG, chunk_rows=64)
        entries = st.entries()
    assert len(report.ids) == len(entries) == 322  # the sample season: 300 single entries + 22 entries of 8 episodes
    plain = [e for e in entries if e["episode_id"] is None]
    assert len(plain) > 250
    tiers = set()
    for e in plain:
        stored = e["assessment"]
        assert stored["stored"] == SUMMARY_MARK and e["rule_set"] == RULE_SET
        assert {k: v for k, v in stored.items() if k != "stored"} == _summary_of(assess(e["observation"]).to_dict()), e["id"]
        tiers.add(stored["escalation"])
    assert len(tiers) >= 3  # the sample season is not one tier: the comparison covers several


def test_assessment_detail_is_the_full_assessment_of_an_imported_row_and_the_stored_one_of_a_saved_row(tmp_path):
    with Store(tmp_path / "s.sqlite") as st:
        st.import_csv(SAMPLE_LOG)
        first = next(e for e in st.entries() if e["episode_id"] is None and e["assessment"]["top_cause"])
        detail = st.assessment_detail(first["id"])
        assert detail == assess(first["observation"]).to_dict() and detail["actions"]
        saved = st.save({"athlete_id": "S1", "observed_at": "2026-06-01T10:00:00", "tremor": True})
        assert st.assessment_detail(saved) == st.get(saved)["assessment"] and "actions" in st.get(saved)["assessment"]
        assert st.assessment_detail(10**9) is None
        path = st.path
    db = sqlite3.connect(path)  # a summary stored under another rule set: its detail cannot be made honestly now
    other = {**first["assessment"], "rule_set": "0.0-old"}
    db.execute("UPDATE observations SET assessment_json = ?, rule_set = '0.0-old' WHERE id = ?", (json.dumps(other), first["id"]))
    db.commit()
    db.close()
    with Store(path) as st, pytest.raises(StoreError, match=r"rule set 0\.0-old"):
        st.assessment_detail(first["id"])


def test_worker_processes_store_the_same_rows_as_one_process_with_episodes_and_bad_rows(tmp_path):
    src = tmp_path / "mixed.csv"
    lines = ["athlete_id,observed_at,episode_id,blood_glucose,blood_glucose_unit,treatment_given,tremor,spasm,spasm_duration_min"]
    for i in range(40):
        lines.append(f"P{i % 7},2026-05-0{1 + i % 5}T1{i % 10}:00:00,,,,,true,{'true' if i % 3 else ''},{i % 4 * 20 or ''}")
        if i % 10 == 0:
            lines.append(f"E,2026-05-01T16:{i:02d}:00,EP1,{55 + i},mg/dL,oral_carbohydrate,,,")
    lines.insert(9, "BAD,2026-05-01T10:00:00,,,,,maybe,,")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = {}
    for workers in (1, 2):
        with Store(tmp_path / f"w{workers}.sqlite") as st:
            report = st.import_csv(src, skip_bad=True, rejects=tmp_path / f"r{workers}.csv", chunk_rows=5, workers=workers)
            assert report.n_bad == 1 and [line for line, _, _ in report.bad] == [10]
            got[workers] = [(e["observation"], e["assessment"], e["rule_set"], e["episode_id"]) for e in st.entries()]
    assert got[1] == got[2] and len(got[1]) == 44
    rechecks = [a for o, a, _, ep in got[1] if ep == "EP1"]
    # the episode is in time order: its rows are assessed with their history by the vectorised engine (summaries stored)
    assert rechecks[0].get("trend") == "first" and all(a.get("stored") == "assess_frame" for a in rechecks)
    assert any(a.get("trend") != "first" for a in rechecks)
    assert (tmp_path / "r1.csv").read_bytes() == (tmp_path / "r2.csv").read_bytes()


# --------------------------------------------------------------------------------------------
# one validation per CSV row: canonical_from_cells gives what canonical_observation gives


_VALID = {  # cells convert_row accepts, with what canonical_observation still changes: spaces, -0, line endings, NFD
    "bool": st.sampled_from(["true", "FALSE", "Yes", "no", "1", "0", " true "]),
    "number": st.one_of(st.floats(0, 10, allow_nan=False).map(repr), st.integers(0, 10).map(str),
                        st.sampled_from(["-0", "-0.0", "+0", "1e0", " 5 ", "0.00"])),
    "int": st.sampled_from(["3", "3.0", "-0", "1", " 7 ", "1e0"]),
    "datetime": st.sampled_from(["2026-05-01T10:00:00", " 2026-05-01T10:00:00Z ", "2026-05-01 10:00", "2026-05-01T10:00:00+02:00"]),
    "str": st.lists(st.sampled_from(["A", "b", "-", "0", " ", "\t", "\r", "\n", "\r\n", "e\u0301", "\u00e9", "\u212b",
                                     "\u00a0", "\u3000", "x" * 30]), min_size=1, max_size=6).map("".join),
}
_INVALID = st.sampled_from(["maybe", "nan", "inf", "1_000", "0x10", "1e400", "2026-13-01T10:00:00", "2.5", "-1", "\u200b", ""])


def _cell(name):
    spec = FIELDS[name]
    if spec.kind == "choice":
        valid = st.sampled_from([*spec.choices, f" {spec.choices[0]} "])
    elif spec.kind == "actions":
        valid = st.lists(st.sampled_from([*spec.choices, " ", ""]), max_size=3).map(";".join)
    else:
        valid = _VALID[spec.kind]
    return st.one_of(valid, valid, valid, valid, valid, valid, valid, valid, valid, _INVALID)


@st.composite
def _csv_rows(draw):
    names = draw(st.lists(st.sampled_from([n for n in FIELD_NAMES if n not in ("blood_glucose", "body_mass_post_kg")]),
                          min_size=1, max_size=8, unique=True))
    if draw(st.booleans()):  # the text fields canonical_observation changes, most often
        names = [*dict.fromkeys(["athlete_id", "observed_at", "notes", "pain_score", "treatment_given", *names])]
    return names, [draw(_cell(n)) for n in names]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_csv_rows())
def test_a_converted_csv_row_gets_the_canonical_form_without_a_second_validation(header_cells):
    header, cells = header_cells
    converted = convert_row(header, cells, 2)
    if converted is None or converted[1] is None:  # blank or bad: never reaches the canonical step
        return
    rec = converted[1]
    fast = canonical_from_cells(rec)
    try:
        full = canonical_observation(rec)
    except ObservationError:
        assert fast is None  # what the full validation refuses, the fast path leaves to it (it names the problem)
        return
    assert fast is None or (fast == full and _dumps(fast) == _dumps(full))


def test_every_row_of_the_sample_season_and_the_teaching_cases_takes_the_fast_canonical_path():
    header, rows = open_csv_rows(SAMPLE_LOG.read_text(encoding="utf-8").splitlines(keepends=True), raw=True)
    recs = [r[1] for r in (convert_row(header, cells, line) for line, cells in rows) if r is not None]
    assert len(recs) == 322 and all(r is not None for r in recs)
    for rec in recs:
        fast = canonical_from_cells(rec, fill_time=True)
        assert fast is not None and _dumps(fast) == _dumps(canonical_observation(rec, fill_time=True))
    tricky = {"athlete_id": " ATH-01 ", "observed_at": " 2026-05-01T10:00:00 ", "notes": "a\r\nb\rc", "pain_score": -0.0,
              "treatment_given": []}
    assert _dumps(canonical_from_cells(tricky)) == _dumps(canonical_observation(tricky)) == _dumps(
        {"athlete_id": "ATH-01", "observed_at": "2026-05-01T10:00:00", "pain_score": 0.0, "notes": "a\nb\nc"})
    assert canonical_from_cells({"athlete_id": " A\u00a0"}) is None or canonical_from_cells({"athlete_id": " A\u00a0"}) == {"athlete_id": "A"}
    filled = canonical_from_cells({"tremor": True}, fill_time=True)
    assert filled is not None and list(filled) == ["observed_at", "tremor"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([n for n in FIELD_NAMES if FIELDS[n].kind in ("bool", "number", "int", "choice")]), st.data())
def test_the_quick_cell_converter_gives_what_the_full_one_gives(name, data):
    spec = FIELDS[name]
    cell = data.draw(st.one_of(_cell(name), _INVALID, st.sampled_from(["TRUE", "Yes", "NO", " 1", "1 ", "\u30005", "-0", "1e-400"])))
    quick = _quick(spec)
    value = quick(cell) if cell and quick is not None else None
    if value is not None:  # the quick path took it: the same value, of the same type, and no problem
        assert _convert(spec, cell) == (value, None) and type(_convert(spec, cell)[0]) is type(value)
