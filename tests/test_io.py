"""Team-log CSV: stable format, exact round trips, every bad cell reported with its line."""

from __future__ import annotations

import io

import pytest

from kit import ObservationError
from kit.io import parse_csv_rows, read_log_csv, records_to_frame, write_log_csv
from tests.conftest import ROOT, load_cases


def _csv(records) -> str:
    buf = io.StringIO()
    write_log_csv(records, buf)
    return buf.getvalue()


def test_teaching_cases_round_trip_byte_identical():
    first = _csv([c["observation"] for c in load_cases()])
    good, bad = parse_csv_rows(first)
    assert bad == [] and _csv(good) == first


def test_carriage_returns_and_quotes_in_notes_survive():
    recs = [{"athlete_id": "A", "notes": 'one\rtwo\r\nthree, "four"'}, {"athlete_id": "B", "notes": "plain"}]
    good, bad = parse_csv_rows(_csv(recs))
    assert bad == [] and good == recs


def test_bad_cells_are_reported_with_their_line_numbers():
    text = "athlete_id,pain_score,tremor\nA,3,true\nB,11,maybe\nC,2,no\n"
    good, bad = parse_csv_rows(text)
    assert [r["athlete_id"] for r in good] == ["A", "C"]
    (line, raw, problems), = bad
    assert line == 3 and raw["athlete_id"] == "B"
    assert {p.field for p in problems} == {"pain_score", "tremor"}


def test_unknown_column_is_an_error_with_a_suggestion():
    with pytest.raises(ObservationError, match="did you mean 'urine_color'"):
        parse_csv_rows("urine_colour\n5\n")


def test_sample_team_log_reads_and_scores():
    from kit import assess_frame

    df = read_log_csv(ROOT / "data" / "sample-team-log.csv")
    assert len(df) == 300 and df["athlete_id"].nunique() == 15
    out = assess_frame(df)
    assert set(out["escalation"]) == {"self_care", "monitor", "see_doctor", "emergency"}


def test_records_to_frame_keeps_unknown_distinct_from_false():
    df = records_to_frame([{"tremor": True}, {"tremor": False}, {}])
    assert list(df["tremor"]) == [True, False, None]
