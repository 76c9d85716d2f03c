"""Option values the commands refuse (ports, --jobs), and the modes of kit lab's working folder."""

from __future__ import annotations

import os
import stat

import pytest

from kit.cli.lab import copy_notebooks
from kit.cli.main import main
from kit.resources import NOTEBOOKS


@pytest.mark.parametrize("command", ["app", "lab"])
@pytest.mark.parametrize(("value", "says"), [
    ("99999", "99999 is not a port; give a port from 1 to 65535"),
    ("65536", "65536 is not a port"),
    ("0", "0 is not a port"),
    ("-80", "-80 is not a port"),
    ("http", "'http' is not a whole number; give a port from 1 to 65535"),
])
def test_a_port_outside_1_to_65535_exits_2_naming_the_value_and_range(command, value, says, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("KIT_STORE", str(tmp_path / "s.sqlite"))
    with pytest.raises(SystemExit) as ei:
        main([command, "--no-browser", "--port", value])
    assert ei.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --port: {says}" in err
    assert not (tmp_path / "s.sqlite").exists()  # refused before anything is done


@pytest.mark.parametrize("value", ["1", "65535", "8888"])
def test_ports_in_range_are_accepted(value):
    from kit.cli.argtypes import port

    assert port(value) == int(value)


@pytest.mark.parametrize(("value", "says"), [("-3", "-3 is negative; give a whole number, 0 or more"),
                                             ("two", "'two' is not a whole number")])
def test_handout_jobs_must_be_0_or_more(value, says, capsys):
    with pytest.raises(SystemExit) as ei:
        main(["handout", "--all", "--jobs", value])
    assert ei.value.code == 2
    assert f"argument --jobs: {says}" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["log", "correct", "{id}", "x.json"], ["log", "erase", "--id", "{id}", "--yes"]])
@pytest.mark.parametrize(("value", "says"), [("-3", "-3 is not an observation id; give 1 or more"),
                                             ("0", "0 is not an observation id"),
                                             ("seven", "'seven' is not a whole number; give an observation id")])
def test_log_correct_and_erase_refuse_an_id_below_1(args, value, says, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("KIT_STORE", str(tmp_path / "s.sqlite"))
    with pytest.raises(SystemExit) as ei:
        main([a.replace("{id}", value) for a in args])
    assert ei.value.code == 2
    assert f"{says}" in capsys.readouterr().err
    assert not (tmp_path / "s.sqlite").exists()  # refused before the store is opened


def test_handout_jobs_0_still_means_the_cpus():
    from kit.cli.argtypes import non_negative_int

    assert non_negative_int("0") == 0 and non_negative_int("2") == 2


# ---- kit lab's working folder: the notebooks' saved outputs show athletes' data ----

def _mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_copy_notebooks_makes_a_private_folder_and_private_files_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        report = copy_notebooks(tmp_path / "new" / "postrun-notebooks")
    finally:
        os.umask(old)
    assert report.copied == list(NOTEBOOKS)
    assert _mode(tmp_path / "new") == 0o700 and _mode(report.folder) == 0o700
    assert {n: _mode(report.folder / n) for n in NOTEBOOKS} == {n: 0o600 for n in NOTEBOOKS}


def test_copy_notebooks_leaves_an_existing_folder_and_its_files_as_they_are(tmp_path):
    work = tmp_path / "mine"
    work.mkdir()
    os.chmod(work, 0o755)
    kept = work / NOTEBOOKS[0]
    kept.write_text('{"mine": 1}', encoding="utf-8")
    os.chmod(kept, 0o644)
    report = copy_notebooks(work)
    assert _mode(work) == 0o755 and _mode(kept) == 0o644  # the user's folder and file: not chmod-ed
    assert report.changed == [NOTEBOOKS[0]]
    assert all(_mode(work / n) == 0o600 for n in report.copied)  # what the kit adds is private


def test_copy_notebooks_leaves_no_half_notebook_when_a_write_fails(tmp_path, monkeypatch):
    import kit.cli.lab as lab

    real = lab.open_private
    calls = []

    def failing(path, mode="w", **kw):
        fh = real(path, mode, **kw)
        calls.append(path)
        if len(calls) == 2:
            fh.close()
            raise OSError(28, "No space left on device")
        return fh

    monkeypatch.setattr(lab, "open_private", failing)
    with pytest.raises(OSError):
        copy_notebooks(tmp_path / "w")
    assert sorted(p.name for p in (tmp_path / "w").iterdir()) == [NOTEBOOKS[0]]


# ---- imports at module top, unless a comment says why (a measured start-up cost, an optional package) ----

def _function_imports_without_a_reason(path):
    import ast

    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    imports = {n.lineno for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
               for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))}
    bad = []
    for ln in sorted(imports):
        first = ln
        while first - 1 in imports:  # a block of imports shares the comment of its first line
            first -= 1
        if not any("#" in lines[i - 1] for i in (first - 1, first, ln)):
            bad.append(f"{path}:{ln}: {lines[ln - 1].strip()}")
    return bad


def test_every_import_inside_a_function_says_why():
    from tests.conftest import ROOT

    bad = [b for p in sorted((ROOT / "kit").rglob("*.py")) for b in _function_imports_without_a_reason(p)]
    assert bad == []


# ---- app and lab check the store before they start (as log list does) ----

def _damaged(tmp_path, kind):
    p = tmp_path / f"{kind}.sqlite"
    if kind == "csv":
        p.write_text("athlete_id,observed_at\nATH-01,2026-05-01T10:00:00Z\n")
    elif kind == "folder":
        p.mkdir()
    else:  # the SQLite header, then garbage: SQLite itself says "file is not a database"
        p.write_bytes(b"SQLite format 3\x00" + b"garbage " * 600)
    return p


@pytest.mark.parametrize("command", ["app", "lab"])
@pytest.mark.parametrize(("kind", "says"), [("csv", "is not a SQLite file"), ("folder", "is a folder, not a store file"),
                                            ("damaged", "is not a readable postrun-kit store")])
def test_app_and_lab_refuse_a_store_they_cannot_read_before_starting(command, kind, says, tmp_path, monkeypatch, capsys):
    import kit.cli.app as kit_app
    import kit.cli.lab as kit_lab

    started = []
    for mod in (kit_app, kit_lab):
        monkeypatch.setattr(mod, "run_server", lambda cmd, env, cwd: started.append(cmd) or 0)
    monkeypatch.delenv("KIT_STORE", raising=False)
    store = _damaged(tmp_path, kind)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main([command, "--no-browser", "--store", str(store), "--dir", str(tmp_path / "nb")] if command == "lab"
                else [command, "--no-browser", "--store", str(store)], prog="postrun-kit") == 2
    err = capsys.readouterr().err
    assert says in err and "Nothing was started" in err.replace("nothing was started", "Nothing was started")
    assert "bug" not in err
    assert started == [] and sorted(p.name for p in tmp_path.iterdir()) == before  # no server, no notebooks copied


def test_app_and_lab_start_on_a_good_store(tmp_path, monkeypatch):
    import kit.cli.lab as kit_lab

    started = []
    monkeypatch.setattr(kit_lab, "run_server", lambda cmd, env, cwd: started.append(cmd) or 0)
    assert main(["lab", "--no-browser", "--store", str(tmp_path / "new.sqlite"), "--dir", str(tmp_path / "nb")]) == 0
    assert len(started) == 1 and (tmp_path / "new.sqlite").exists()


# ---- small ones: demo's "no leading cause", the licence metadata, full stops, the program's name ----

def test_demo_prints_the_words_for_no_leading_cause_never_none(capsys):
    from kit.words import NO_CAUSE_LABEL

    assert main(["demo"]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("pub-")]
    assert rows and not any(" None " in ln for ln in rows)
    assert any(f" {NO_CAUSE_LABEL} " in ln for ln in rows if ln.startswith("pub-06-"))


def test_pyproject_names_the_licence_once_pep_639():
    import tomllib

    from tests.conftest import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    assert [c for c in project["classifiers"] if c.startswith("License ::")] == []


def test_log_add_to_a_folder_says_two_sentences(tmp_path, capsys):
    (tmp_path / "adir").mkdir()
    obs = tmp_path / "o.json"
    obs.write_text('{"athlete_id": "ATH-01", "observed_at": "2026-05-01T10:00:00Z", "tremor": true}')
    assert main(["log", "add", "--store", str(tmp_path / "adir"), str(obs)]) == 1  # log's documented status: the store
    err = capsys.readouterr().err
    assert f"e.g. {tmp_path / 'adir' / 'postrun.sqlite'}. Nothing was stored; {obs} is unchanged" in err


def test_handout_names_the_program_as_called_when_the_store_is_missing(tmp_path, capsys):
    assert main(["handout", "--athlete", "ATH-01", "--store", str(tmp_path / "none.sqlite"), "--out", str(tmp_path)],
                prog="postrun-kit") == 2
    err = capsys.readouterr().err
    assert "'postrun-kit log add'" in err and "python -m kit" not in err
