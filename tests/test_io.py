"""Team-log CSV: stable format, exact round trips, every bad cell reported with its line."""

from __future__ import annotations

import io

import pytest

from kit import ObservationError
from kit.store.csvio import parse_csv_rows, read_log_csv, records_to_frame, write_log_csv
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
    assert len(df) == 322 and df["athlete_id"].nunique() == 15  # 300 single rows + 22 entries of 8 episodes
    out = assess_frame(df)
    assert set(out["escalation"]) == {"self_care", "monitor", "see_doctor", "urgent", "emergency"}


def test_records_to_frame_keeps_unknown_distinct_from_false():
    df = records_to_frame([{"tremor": True}, {"tremor": False}, {}])
    assert list(df["tremor"]) == [True, False, None]


def test_csv_cell_rules_agree_with_the_observation_validator():
    # the CSV reader checks each cell by the field table, then the cross-field rules; what it
    # accepts parse_observation accepts, and what it rejects it rejects for the same fields
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kit.engine.fields import FIELD_NAMES
    from kit.engine.observation import parse_observation

    cells = st.one_of(st.just(""), st.sampled_from(["true", "false", "yes", "1", "0", "maybe", "7", "7.5", "-1", "nan",
                                                     "inf", "1e400", "mg/dL", "mmol/L", "hard", "Hard",
                                                     "2026-05-01T09:30", "2026-05-01", "x" * 70]),
                      st.floats(allow_nan=False).map(repr), st.text(max_size=5))
    names = st.lists(st.sampled_from(FIELD_NAMES), min_size=1, max_size=6, unique=True)

    @settings(max_examples=300, deadline=None)
    @given(names.flatmap(lambda ns: st.tuples(st.just(ns), st.lists(cells, min_size=len(ns), max_size=len(ns)))))
    def check(pair):
        header, row = pair
        buf = io.StringIO()
        import csv

        csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows([header, row])
        good, bad = parse_csv_rows(buf.getvalue())
        if good:
            parse_observation(good[0])  # accepted by the reader -> valid for the engine
        elif bad:
            assert bad[0][2], "a rejected row names its problems"

    check()


@pytest.mark.parametrize(("sep", "word"), [(";", "semicolons"), ("\t", "tabs")])
def test_excel_style_separators_get_a_plain_hint(sep, word):
    with pytest.raises(ObservationError, match=f"separates columns with {word}"):
        parse_csv_rows(sep.join(["athlete_id", "tremor", "pain_score"]) + "\n" + sep.join(["A", "true", "3"]) + "\n")


def test_an_actions_field_is_a_semicolon_joined_cell_both_ways():
    """Contract v0.2 ``treatment_given`` (field kind "actions"): a list in Python, "a;b" in CSV."""
    from kit.engine.fields import FIELDS
    from kit.store.csvio import _convert, format_cell

    spec = FIELDS["treatment_given"]
    assert format_cell(spec, ["oral_carbohydrate", "rest"]) == "oral_carbohydrate;rest"
    assert _convert(spec, "oral_carbohydrate; rest;") == (["oral_carbohydrate", "rest"], None)
    assert _convert(spec, "") == (None, None) and format_cell(spec, None) == ""
