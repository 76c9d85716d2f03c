"""Athlete ids: NFC, refused control/format characters with their position, look-alike warnings (issue 11 item 6).

One rule (:mod:`kit.engine.ids`) in every path: the observation model (``assess``, the form, the store),
the CSV reader, the DataFrame validator (``score``), and ``log add`` / ``log import`` for the
look-alike warning.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from kit import assess
from kit.engine.observation import ObservationError, parse_observation
from tests.conftest import ROOT

#: Ids the issue reports as stored: zero-width space, soft hyphen, right-to-left override, NUL, a tab.
REFUSED = [("ATH\u200b-05", 4, "ZERO WIDTH SPACE"), ("ATH\u00ad-05", 4, "SOFT HYPHEN"),
           ("\u202eATH-05", 1, "RIGHT-TO-LEFT OVERRIDE"), ("ATH-0\x005", 6, "U+0000"), ("AT\tH-05", 3, "U+0009"),
           ("ATH-05\u2028", 7, "LINE SEPARATOR"), ("\ufeffATH-05", 1, "ZERO WIDTH NO-BREAK SPACE")]
CYRILLIC = "\u0410\u0422\u041d-05"  # АТН-05


def run(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kit", *args], input=stdin, capture_output=True, text=True, cwd=ROOT,
                          timeout=120, env=env)


@pytest.mark.parametrize(("aid", "pos", "name"), REFUSED)
def test_the_model_refuses_control_and_format_characters_naming_the_position(aid, pos, name):
    with pytest.raises(ObservationError) as e:
        parse_observation({"athlete_id": aid, "tremor": True})
    msg = str(e.value)
    assert "athlete_id" in msg and f"position {pos}" in msg and name in msg


def test_the_model_stores_the_nfc_form():
    decomposed = "Zoe\u0301-1"  # e + combining acute
    obs = parse_observation({"athlete_id": decomposed})
    assert obs.athlete_id == "Zo\u00e9-1" and assess({"athlete_id": decomposed, "spasm": True}).escalation


def test_the_csv_reader_applies_the_same_rule(tmp_path):
    from kit.store.csvio import parse_csv_rows

    text = "athlete_id,tremor\nATH\u200b-05,true\nZoe\u0301,true\nATH-05,true\n"
    good, bad = parse_csv_rows(text)
    assert [g["athlete_id"] for g in good] == ["Zo\u00e9", "ATH-05"]
    ((line, _, probs),) = bad
    assert line == 2 and probs[0].field == "athlete_id" and "position 4" in probs[0].message


def test_the_frame_validator_applies_the_same_rule():
    from kit.engine.frame import assess_frame

    df = pd.DataFrame({"athlete_id": ["ATH-01", "ATH\u00ad-05", None], "tremor": [True, True, False]})
    with pytest.raises(ObservationError) as e:
        assess_frame(df)
    (p,) = e.value.problems
    assert p.field == "athlete_id" and p.row == 1 and "position 4" in p.message and "SOFT HYPHEN" in p.message


def test_assess_and_score_cli_exit_2_on_a_nul_in_the_id(tmp_path):
    p = run("assess", stdin=json.dumps({"athlete_id": "ATH\x00", "spasm": True}))
    assert p.returncode == 2 and "position 4" in p.stderr and p.stdout == ""
    csv = tmp_path / "log.csv"
    csv.write_text("athlete_id,spasm\nATH-01,true\nATH\u202e-02,true\n", encoding="utf-8")
    q = run("score", str(csv), "--out", str(tmp_path / "out.csv"))
    assert q.returncode == 2 and "position 4" in q.stderr, q.stderr


def test_the_form_shows_the_problem_for_a_refused_id():
    from kit.views.widgets import MemoryLog, TriageForm

    form = TriageForm(store=MemoryLog())
    form.inputs["athlete_id"].value = "ATH\u200b-05"
    form.inputs["tremor"].value = "yes"
    form.refresh()
    assert form.assessment is None
    assert any(p.field == "athlete_id" and "position 4" in p.message for p in form.problems)


def test_skeletons_and_warnings():
    from kit.engine.ids import id_warnings, skeleton

    assert skeleton(CYRILLIC) == skeleton("ATH-05") != skeleton("ATH-06")
    w = id_warnings(CYRILLIC, ["ATH-05", "ATH-06"])
    assert any("'ATH-05'" in x and "existing" in x for x in w) and not any("ATH-06" in x for x in w)
    assert any("mixes scripts" in x for x in id_warnings("A\u0422H-05"))  # Latin A, Cyrillic Т
    assert id_warnings("ATH-05", ["ATH-05", "ATH-06"]) == []  # the same id, and a different one
    assert id_warnings("\u0418\u0432\u0430\u043d") == []  # Иван: Cyrillic, looks like no Latin id


def test_log_add_and_import_warn_about_a_lookalike_of_an_existing_id(tmp_path):
    store = tmp_path / "s.sqlite"
    first = tmp_path / "a.json"
    first.write_text(json.dumps({"athlete_id": "ATH-05", "spasm": True}), encoding="utf-8")
    assert run("log", "add", "--store", str(store), str(first)).returncode == 0
    twin = tmp_path / "b.json"
    twin.write_text(json.dumps({"athlete_id": CYRILLIC, "spasm": True}), encoding="utf-8")
    p = run("log", "add", "--store", str(store), str(twin))
    assert p.returncode == 0 and "warning" in p.stderr and "'ATH-05'" in p.stderr, p.stderr
    csv = tmp_path / "c.csv"
    csv.write_text("athlete_id,spasm\nATH-O5,true\nATH-07,true\n", encoding="utf-8")  # letter O for zero
    q = run("log", "import", "--store", str(store), str(csv))
    assert q.returncode == 0 and "'ATH-O5'" in q.stderr and "'ATH-05'" in q.stderr and "ATH-07" not in q.stderr


def test_log_list_finds_an_id_typed_decomposed(tmp_path):
    store = tmp_path / "s.sqlite"
    f = tmp_path / "z.json"
    f.write_text(json.dumps({"athlete_id": "Zo\u00e9", "spasm": True}), encoding="utf-8")
    assert run("log", "add", "--store", str(store), str(f)).returncode == 0
    p = run("log", "list", "--store", str(store), "--athlete", "Zoe\u0301")
    assert p.returncode == 0 and "1 observation for" in p.stdout, (p.stdout, p.stderr)
