"""``python -m kit score FILE.csv [--out PATH]``: a team log scored by the batch path, with a progress bar."""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd
import pytest

import kit.cli.score as score_cli
from kit import assess_frame
from kit.cli import main
from kit.store.csvio import read_log_csv, write_log_csv

from .conftest import ROOT

SAMPLE = ROOT / "data" / "sample-team-log.csv"


def test_score_prints_one_scored_row_per_observation_and_nothing_on_stderr():
    p = subprocess.run([sys.executable, "-m", "kit", "score", str(SAMPLE)], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    got = pd.read_csv(io.StringIO(p.stdout), keep_default_na=False)
    df = read_log_csv(SAMPLE)
    expected = assess_frame(df, progress=False)
    assert list(got.columns) == ["athlete_id", "observed_at", *expected.columns]
    assert got["escalation"].tolist() == expected["escalation"].tolist()
    assert got["top_cause"].tolist() == [c or "" for c in expected["top_cause"]]
    assert got["flags"].tolist() == expected["flags"].tolist()
    assert got["score_hypoglycemia"].tolist() == expected["score_hypoglycemia"].tolist()
    assert got["athlete_id"].tolist() == df["athlete_id"].tolist()


def test_score_to_a_file_says_what_it_wrote(tmp_path, capsys):
    out = tmp_path / "scored.csv"
    assert main(["score", str(SAMPLE), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "scored 322 observations" in err and str(out) in err and "emergency" in err
    assert len(pd.read_csv(out)) == 322


def test_bad_rows_exit_2_with_line_and_field_and_no_output(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("athlete_id,tremor,pain_score\nA1,true,3\nA2,maybe,3\nA3,false,11\n", encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "kit", "score", str(bad)], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert p.returncode == 2
    assert p.stdout == ""
    assert "row 3: tremor" in p.stderr and "row 4: pain_score" in p.stderr


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["score", str(tmp_path / "nope.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def _log_with_multiline_notes(path, copies):
    records = read_log_csv(SAMPLE).to_dict("records")
    rows = []
    for k in range(copies):
        for i, r in enumerate(records):
            r = {n: v for n, v in r.items() if v is not None and v == v}
            if i % 7 == 0:
                r["notes"] = f'line one, "quoted"\nline two {k}'
            rows.append(r)
    write_log_csv(rows, path)


def test_reading_in_blocks_gives_what_read_log_csv_gives(tmp_path, monkeypatch):
    path = tmp_path / "log.csv"
    _log_with_multiline_notes(path, copies=2)
    monkeypatch.setattr(score_cli, "BLOCK_LINES", 37)  # blocks end inside quoted multi-line notes
    blocks = score_cli.read_log_with_progress(path, progress=True)
    whole = read_log_csv(path)
    assert len(blocks) == len(whole) == 644  # two copies of the sample log (322 rows each)
    pd.testing.assert_frame_equal(assess_frame(blocks, progress=False), assess_frame(whole, progress=False))
    assert blocks["notes"].tolist() == whole["notes"].tolist()


def test_bad_lines_read_in_blocks_have_their_file_line_numbers(tmp_path, monkeypatch):
    path = tmp_path / "log.csv"
    _log_with_multiline_notes(path, copies=1)
    lines = path.read_text(encoding="utf-8").split("\n")
    bad = next(i for i in range(250, len(lines)) if ",true," in lines[i])  # a yes/no cell mid-file made unreadable
    lines[bad] = lines[bad].replace(",true,", ",treu,", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setattr(score_cli, "BLOCK_LINES", 23)
    with pytest.raises(Exception) as whole:
        read_log_csv(path)
    with pytest.raises(Exception) as blocks:
        score_cli.read_log_with_progress(path, progress=True)
    assert [(p.row, p.field) for p in blocks.value.problems] == [(p.row, p.field) for p in whole.value.problems]


def test_progress_bars_for_reading_and_scoring_go_to_stderr(tmp_path, capsys):
    out = tmp_path / "scored.csv"
    assert main(["score", str(SAMPLE), "--progress", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "reading" in err and "scoring" in err
    assert main(["score", str(SAMPLE), "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.startswith("athlete_id,observed_at,escalation")


@pytest.mark.parametrize("text", ["", "athlete_id,observed_at,tremor\n", "tremor,pain_score\n", "\ufeffathlete_id\r\n"])
def test_an_empty_or_header_only_log_gives_the_full_header_and_says_0_observations(tmp_path, text):
    src = tmp_path / "empty.csv"
    src.write_text(text, encoding="utf-8")
    from kit.engine.frame import OUTPUT_COLUMNS

    p = subprocess.run([sys.executable, "-m", "kit", "score", str(src)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0 and p.stdout == ",".join(["athlete_id", "observed_at", *OUTPUT_COLUMNS]) + "\n"
    assert p.stderr == f"0 observations in {src}\n"
    out = tmp_path / "scored.csv"
    p = subprocess.run([sys.executable, "-m", "kit", "score", str(src), "-o", str(out)], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert p.returncode == 0 and p.stdout == "" and p.stderr == f"0 observations in {src}\n"
    assert out.read_text().startswith("athlete_id,observed_at,escalation")


def test_a_log_without_id_columns_still_has_them_empty(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("tremor\ntrue\n", encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "kit", "score", str(src)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0 and p.stderr == ""
    head, row = p.stdout.splitlines()
    assert head.startswith("athlete_id,observed_at,escalation") and row.startswith(",,")
