"""The sample season lives in its own demo store (issue 13 item 5).

``kit lab`` and ``kit app`` open the trainer's real store, empty at first, unless ``--demo`` is
given; ``make lab`` (the README's first command) passes ``--demo``; the team-log notebook's
loader reads the demo store when asked (``load_team_log(store="demo")``).
"""

from __future__ import annotations

import re

import pytest

from kit.cli import app as kit_app
from kit.cli import lab as kit_lab
from kit.cli import main
from kit.cli.lab import ROOT
from kit.store import (
    DEMO_ENV_VAR,
    DEMO_STORE_FILENAME,
    SAMPLE_LOG,
    Store,
    default_store_path,
    demo_store_path,
    open_demo_store,
)
from kit.views.teamlog import load_team_log

OBS = {"athlete_id": "ATH-REAL", "observed_at": "2026-11-29T10:00:00Z", "tremor": True}


@pytest.fixture
def stores(tmp_path, monkeypatch):
    """KIT_STORE in a fresh folder (the real store), no KIT_DEMO_STORE; yields (real, demo) paths."""
    real = tmp_path / "data" / "postrun.sqlite"
    monkeypatch.chdir(tmp_path)  # `kit lab` copies the notebooks into ./postrun-notebooks
    monkeypatch.setenv("KIT_STORE", str(real))
    monkeypatch.delenv(DEMO_ENV_VAR, raising=False)
    return real, tmp_path / "data" / DEMO_STORE_FILENAME


def _sample_rows() -> int:
    return len(load_team_log(SAMPLE_LOG))


def test_the_demo_store_is_clearly_named_and_lies_next_to_the_real_one(stores, tmp_path, monkeypatch):
    real, demo = stores
    assert default_store_path() == real
    assert demo_store_path() == demo and demo.name == "demo-postrun.sqlite" and demo != real
    monkeypatch.setenv(DEMO_ENV_VAR, str(tmp_path / "elsewhere.sqlite"))
    assert demo_store_path() == tmp_path / "elsewhere.sqlite"
    assert demo_store_path(tmp_path / "given.sqlite") == tmp_path / "given.sqlite"


def _server_env(monkeypatch, module, command: str, port: str, *args: str) -> dict:
    """The environment `command` would start its server with (the server itself is not started)."""
    calls = []
    monkeypatch.setattr(module, "run_server", lambda cmd, env, cwd: calls.append(env) or 0)
    assert main([command, "--no-browser", "--port", port, *args]) == 0
    (env,) = calls
    return env


def _lab(monkeypatch, *args: str) -> dict:
    return _server_env(monkeypatch, kit_lab, "lab", "8891", *args)


def _app(monkeypatch, *args: str) -> dict:
    return _server_env(monkeypatch, kit_app, "app", "8892", *args)


@pytest.mark.parametrize("start", [_lab, _app], ids=["lab", "app"])
def test_lab_and_app_open_the_real_store_empty_at_first(stores, monkeypatch, start, capsys):
    real, demo = stores
    env = start(monkeypatch)
    assert env["KIT_STORE"] == str(real.resolve()) and DEMO_ENV_VAR not in env
    with Store(real) as st:
        assert st.count() == 0  # no sample rows among the trainer's saves
    assert not demo.exists()
    assert "DEMO" not in capsys.readouterr().err


@pytest.mark.parametrize("start", [_lab, _app], ids=["lab", "app"])
def test_demo_opens_the_demo_store_with_the_sample_season_and_leaves_the_real_one_alone(stores, monkeypatch, start, capsys):
    real, demo = stores
    env = start(monkeypatch, "--demo")
    assert env["KIT_STORE"] == env[DEMO_ENV_VAR] == str(demo.resolve())
    with Store(demo) as st:
        assert st.count() == _sample_rows()
    assert not real.exists()
    err = capsys.readouterr().err
    assert "DEMO store" in err and str(demo.resolve()) in err


@pytest.mark.parametrize("command", ["lab", "app"])
def test_demo_and_store_together_are_refused(stores, command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--demo", "--store", "x.sqlite"])
    assert exc.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_explicit_store_is_opened_as_is_without_the_sample(stores, tmp_path, monkeypatch):
    mine = tmp_path / "team.sqlite"
    env = _lab(monkeypatch, "--store", str(mine))
    assert env["KIT_STORE"] == str(mine.resolve())
    with Store(mine) as st:
        assert st.count() == 0


def test_saves_in_the_real_store_never_reach_the_demo_store(stores):
    real, demo = stores
    with Store(real) as st:
        st.save(OBS)
    with open_demo_store() as d:
        assert d.path == demo and d.count() == _sample_rows() and "ATH-REAL" not in d.athletes()
    with Store(real) as st:
        assert st.count() == 1


def test_team_log_reads_the_demo_store_when_asked(stores):
    _real, demo = stores
    sample = load_team_log()  # default: the sample CSV
    df = load_team_log(store="demo")
    assert demo.exists() and len(df) == len(sample)
    assert sorted(df["athlete_id"].unique()) == sorted(sample["athlete_id"].unique())
    with Store(demo) as st:
        st.save(OBS)  # saved in `kit lab --demo`
    assert "ATH-REAL" in set(load_team_log(store="demo")["athlete_id"])
    assert "ATH-REAL" in set(load_team_log(store=demo)["athlete_id"])  # a store path works too


def test_make_lab_passes_demo_and_the_readme_says_so():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = make.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"-m kit lab --demo\b", recipe), recipe
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = readme.split("<!-- sections:start -->", 1)[0]
    assert "make lab" in first and "demo store" in first and "--demo" in first
    assert "kit lab --no-sample" not in readme
