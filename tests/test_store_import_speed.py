"""The fast CSV import (issue 11 item 8): rows assessed per chunk by ``kit.assess_frame``.

An imported row without an episode stores the summary of the vectorised engine; it must equal
the single-observation ``kit.assess`` row for row, and the full assessment is computed when shown.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from kit.engine.assessment import RULE_SET, assess
from kit.store import Store, StoreError
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
    assert rechecks[0].get("trend") == "first" and all("actions" in a for a in rechecks)  # full JSON, with history
    assert any(a.get("trend") != "first" for a in rechecks)
    assert (tmp_path / "r1.csv").read_bytes() == (tmp_path / "r2.csv").read_bytes()
