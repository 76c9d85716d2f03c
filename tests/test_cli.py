"""``python -m kit assess``: the contract's command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kit", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, timeout=60)


def test_assess_one_observation_from_stdin():
    p = run("assess", stdin='{"tremor": true, "blood_glucose": 3.2, "blood_glucose_unit": "mmol/L"}')
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["escalation"] == "monitor" and out["top_cause"] == "hypoglycemia"
    assert set(out) >= {"escalation", "top_cause", "causes", "flags", "actions", "contraindicated",
                        "reassess_in_min", "missing", "warnings"}


def test_assess_a_list_from_a_file(tmp_path):
    f = tmp_path / "obs.json"
    f.write_text(json.dumps([{"spasm": True}, {"pain_score": 9}, {"pain_score": 9, "muscle_weakness": True}]))
    p = run("assess", str(f))
    assert p.returncode == 0
    out = json.loads(p.stdout)
    # v0.2: pain 8+ alone is urgent (U16); with a tissue-damage sign it is a red flag
    assert [o["escalation"] for o in out] == ["self_care", "urgent", "emergency"]
    assert all(o["rule_set"] == "0.2" for o in out)


@pytest.mark.parametrize(("stdin", "needle"), [
    ('{"glucose": 5}', "did you mean 'blood_glucose'"),
    ('{"pain_score": 12}', "pain_score"),
    ('[{"spasm": true}, {"tremor": "yes"}]', "row 1: tremor"),
    ("not json", "not valid JSON"),
    ("", "empty"),
    ("[]", "empty"),
    ('{"core_temp_c": NaN}', "core_temp_c"),
    ("[[1, 2]]", "<observation>"),
    ('{"blood_glucose": 5}', "blood_glucose_unit"),
])
def test_invalid_input_exits_2_with_message_and_nothing_on_stdout(stdin, needle):
    p = run("assess", stdin=stdin)
    assert p.returncode == 2
    assert p.stdout == ""
    assert needle in p.stderr
    assert "Traceback" not in p.stderr


def test_missing_file_exits_2():
    p = run("assess", "/nonexistent/obs.json")
    assert p.returncode == 2 and "cannot read" in p.stderr and p.stdout == ""


def test_list_with_one_bad_item_prints_nothing():
    p = run("assess", stdin='[{"spasm": true}, {"spasm": true, "pain_score": -2}]')
    assert p.returncode == 2 and p.stdout == "" and "row 1: pain_score" in p.stderr


def test_demo_and_thresholds_commands():
    p = run("demo")
    assert p.returncode == 0 and "pub-12-downhill-race-cola-urine" in p.stdout and "judgement" in p.stdout
    t = run("thresholds")
    assert t.returncode == 0 and "hypo_level1_mg_dl" in t.stdout


def test_help_lists_commands():
    p = run("--help")
    assert p.returncode == 0 and "assess" in p.stdout


def test_integer_beyond_pythons_digit_limit_is_invalid_input_not_a_crash():
    p = run("assess", stdin='{"pain_score": 1' + "0" * 5000 + "}")
    assert p.returncode == 2 and p.stdout == "" and "cannot be read as JSON" in p.stderr


def test_json_file_with_a_byte_order_mark_is_read(tmp_path):
    f = tmp_path / "bom.json"
    f.write_bytes(b"\xef\xbb\xbf" + b'{"spasm": true}')
    p = run("assess", str(f))
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["escalation"] == "self_care"
    q = run("assess", stdin="\ufeff" + '{"spasm": true}')
    assert q.returncode == 0, q.stderr


# ---- size limits (issue 11 item 8, assess part) ----

def test_assess_refuses_a_file_over_the_limit_before_reading_it(tmp_path):
    import time

    from kit.cli import MAX_ASSESS_BYTES, main

    big = tmp_path / "big.json"
    with open(big, "wb") as fh:  # 200 MB, sparse: nothing to read or parse
        fh.truncate(200 * 1024 * 1024)
    t0 = time.perf_counter()
    assert main(["assess", str(big)]) == 2
    assert time.perf_counter() - t0 < 1.0
    assert MAX_ASSESS_BYTES < 200 * 1024 * 1024


def test_assess_refuses_stdin_over_the_limit_without_reading_it_all():
    from kit.cli import MAX_ASSESS_BYTES

    item = '{"tremor": true, "blood_glucose": 3.2, "blood_glucose_unit": "mmol/L"}, '
    text = "[" + item * (20 * 1024 * 1024 // len(item)) + '{"spasm": true}]'  # 20 MB, valid JSON
    assert len(text) > MAX_ASSESS_BYTES
    p = run("assess", stdin=text)
    assert p.returncode == 2 and p.stdout == ""
    assert "larger than" in p.stderr and "python -m kit score" in p.stderr


def test_assess_refuses_a_list_over_the_item_limit(tmp_path):
    import time

    from kit.cli import MAX_ASSESS_ITEMS, main

    f = tmp_path / "many.json"
    f.write_text("[" + ",".join(["{}"] * (MAX_ASSESS_ITEMS + 1)) + "]")
    t0 = time.perf_counter()
    assert main(["assess", str(f)]) == 2
    assert time.perf_counter() - t0 < 1.0


def test_assess_help_and_readme_state_the_limits():
    from kit.cli import MAX_ASSESS_BYTES, MAX_ASSESS_ITEMS

    h = " ".join(run("assess", "--help").stdout.split())
    mib, n = f"{MAX_ASSESS_BYTES // (1024 * 1024)} MiB", f"{MAX_ASSESS_ITEMS:,}"
    assert mib in h and n in h
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert mib in readme and n in readme


@pytest.mark.parametrize(("blocked", "argv", "extra"), [
    ("nbformat", ["export", "notebooks/01-triage.ipynb"], "lab"),
    ("nbconvert", ["export", "notebooks/01-triage.ipynb"], "lab"),
])
def test_a_missing_optional_package_names_the_extra_to_install(blocked, argv, extra):
    """Without the [lab] extra a command says which extra to install (exit 2), never 'this is a bug'."""
    code = ("import sys\n"
            f"sys.modules[{blocked!r}] = None  # as if the package were not installed\n"
            "from kit.cli import main\n"
            f"sys.exit(main({argv!r}))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 2, r.stderr
    assert f"pip install 'postrun-kit[{extra}]'" in r.stderr and "bug" not in r.stderr
    assert r.stdout == ""


def test_missing_extra_only_names_optional_packages():
    from kit.cli import missing_extra

    assert missing_extra(ModuleNotFoundError("x", name="plotly.graph_objects")).endswith("pip install 'postrun-kit[lab]'")
    assert missing_extra(ModuleNotFoundError("x", name="dask")).endswith("pip install 'postrun-kit[scale]'")
    assert missing_extra(ModuleNotFoundError("x", name="numpy")) is None  # a core dependency: not an extra


# ---- one module per command, registered explicitly (issue 10) ----

def test_every_command_has_its_own_module_with_configure_and_run():
    import importlib

    from kit.cli import SUBCOMMANDS
    from kit.cli.main import build_parser

    modules = [entry.module for entry in SUBCOMMANDS.values()]
    assert len(set(modules)) == len(modules)  # one module per command
    assert set(SUBCOMMANDS) == {"assess", "demo", "thresholds", "log", "app", "lab", "handout", "export", "score"}
    for name, entry in SUBCOMMANDS.items():
        mod = importlib.import_module(entry.module)
        assert mod.__name__ == f"kit.cli.{name}"
        assert callable(mod.configure) and callable(mod.run)
        # nothing found by naming convention: no run_<command>/configure_<command> left anywhere
        assert not any(hasattr(mod, f"{verb}_{cmd}") for verb in ("run", "configure") for cmd in SUBCOMMANDS)
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert list(sub.choices) == list(SUBCOMMANDS)


def test_assess_works_without_the_lab_extra_and_imports_no_optional_package():
    """The [lab] packages blocked as if not installed: assess, demo and thresholds still work."""
    from kit.cli import OPTIONAL_EXTRAS

    code = ("import io, sys\n"
            f"for name in {sorted(OPTIONAL_EXTRAS)!r}:\n"
            "    sys.modules[name] = None\n"
            "from kit.cli import main\n"
            "sys.stdin = io.StringIO('{\"spasm\": true}')\n"
            "assert main(['assess', '--compact']) == 0\n"
            "assert main(['demo']) == 0 and main(['thresholds']) == 0\n"
            "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{sorted(OPTIONAL_EXTRAS)!r} and sys.modules[m] is not None))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.rstrip().endswith("LOADED []")
    assert '"escalation": "self_care"' in r.stdout


@pytest.mark.parametrize("command", ["app", "lab", "handout"])
def test_a_command_needing_the_lab_extra_says_so_when_it_is_missing(command):
    code = ("import sys\n"
            "for name in ('voila', 'jupyterlab', 'nbconvert', 'nbformat', 'psutil', 'tornado', 'traitlets'):\n"
            "    sys.modules[name] = None\n"
            "from kit.cli import main\n"
            f"sys.exit(main([{command!r}, '--help']))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 2 and "pip install 'postrun-kit[lab]'" in r.stderr and r.stdout == ""


def test_a_kit_error_raised_anywhere_in_a_command_exits_2_with_its_message(monkeypatch, capsys):
    from kit.cli import demo
    from kit.cli.main import main
    from kit.errors import KitError

    def boom(args):
        raise KitError("the cases file is not what I expected")

    monkeypatch.setattr(demo, "run", boom)
    assert main(["demo"]) == 2
    err = capsys.readouterr()
    assert err.err == "error: the cases file is not what I expected\n" and err.out == ""

    def bug(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(demo, "run", bug)
    assert main(["demo"]) == 1
    assert "this is a bug in postrun-kit" in capsys.readouterr().err


# ---- prog: named as the kit was called ----

def test_help_names_the_program_as_it_was_called():
    from kit.cli.main import prog_name

    assert run("--help").stdout.startswith("usage: python -m kit ")
    assert prog_name("/home/t/.venv/bin/postrun-kit") == "postrun-kit"
    assert prog_name("/repo/kit/__main__.py") == "python -m kit"
    assert prog_name("/usr/bin/pytest") == "python -m kit"


def test_a_message_suggesting_a_command_uses_the_same_program_name(tmp_path, capsys):
    from kit.cli import MAX_ASSESS_ITEMS, main

    f = tmp_path / "many.json"
    f.write_text("[" + ",".join(["{}"] * (MAX_ASSESS_ITEMS + 1)) + "]")
    assert main(["assess", str(f)], prog="postrun-kit") == 2
    err = capsys.readouterr().err
    assert "'postrun-kit score FILE.csv'" in err and "python -m kit" not in err
    with pytest.raises(SystemExit):
        main(["assess", "--help"], prog="postrun-kit")
    assert "'postrun-kit score'" in " ".join(capsys.readouterr().out.split())


def test_version_is_the_package_version():
    from kit import __version__

    p = run("--version")
    assert p.returncode == 0 and p.stdout.strip() == f"postrun-kit {__version__}"


# ---- kit lab: the notebooks in a working folder, never overwritten ----

def test_copy_notebooks_copies_only_missing_files_and_names_the_ones_kept(tmp_path):
    from kit.cli.lab import copy_notebooks
    from kit.resources import NOTEBOOKS, notebooks_dir

    work = tmp_path / "work"
    first = copy_notebooks(work)
    assert first.copied == list(NOTEBOOKS) and first.kept == [] and first.changed == []
    assert all((work / n).read_bytes() == (notebooks_dir() / n).read_bytes() for n in NOTEBOOKS)
    (work / NOTEBOOKS[1]).write_text('{"mine": 1}', encoding="utf-8")
    (work / NOTEBOOKS[2]).unlink()
    again = copy_notebooks(work)
    assert again.copied == [NOTEBOOKS[2]] and again.changed == [NOTEBOOKS[1]] and len(again.kept) == len(NOTEBOOKS) - 1
    assert (work / NOTEBOOKS[1]).read_text(encoding="utf-8") == '{"mine": 1}'
    assert NOTEBOOKS[1] in again.message() and "1 copied" in again.message()


def test_kit_lab_refuses_a_dir_it_cannot_use(tmp_path, capsys, monkeypatch):
    from kit.cli import main

    monkeypatch.setenv("KIT_STORE", str(tmp_path / "s.sqlite"))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["lab", "--no-browser", "--dir", str(blocker / "sub")]) == 2
    assert "--dir" in capsys.readouterr().err


# ---- handout and export: package data, nothing written into the package ----

def test_handout_reads_the_shipped_sample_log_only_without_log_store_or_existing_store(tmp_path, monkeypatch):
    from kit.cli.handout import team_log_source
    from kit.resources import sample_log_path

    monkeypatch.setenv("KIT_STORE", str(tmp_path / "none-yet.sqlite"))
    assert team_log_source(None, None) == str(sample_log_path())
    assert team_log_source("team.csv", None) == "team.csv"
    assert team_log_source(None, str(tmp_path / "x.sqlite")) is None  # the named store
    (tmp_path / "none-yet.sqlite").write_bytes(b"")
    assert team_log_source(None, None) is None  # the trainer's store, once there is one


def test_export_of_a_notebook_in_the_package_defaults_to_the_current_folder():
    from kit.cli.export import default_out
    from kit.resources import PACKAGE_DATA

    assert default_out(str(PACKAGE_DATA / "notebooks" / "01-triage.ipynb"), None) == "."
    assert default_out("notebooks/01-triage.ipynb", None) is None  # next to the notebook
    assert default_out(str(PACKAGE_DATA / "notebooks" / "01-triage.ipynb"), "out") == "out"


# ---- environment files list what pyproject lists ----

def _requirements(lines: list[str]) -> dict[str, str]:
    import re

    conda_names = {"nbconvert": "nbconvert-core", "confusable-homoglyphs": "confusable_homoglyphs"}
    out = {}
    for line in lines:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?\s*(.*)", line.strip())
        assert m, line
        out[conda_names.get(m.group(1), m.group(1))] = m.group(2).replace(" ", "")
    return out


def _conda(path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8").split("dependencies:", 1)[1]
    deps = [ln.strip()[2:] for ln in text.splitlines()
            if ln.startswith("  - ") and not ln.strip().startswith(("- pip", "- -e", "- python"))]
    return _requirements(deps)


def test_environment_files_list_the_packages_and_versions_of_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert _conda(ROOT / "environment.yml") == _requirements(project["dependencies"] + extras["lab"] + extras["scale"])
    assert _conda(ROOT / "environment-dev.yml") == _requirements(extras["dev"])


def test_pyproject_pins_voila_below_the_next_minor_and_names_the_project_urls():
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (voila,) = [r for r in project["optional-dependencies"]["lab"] if r.startswith("voila")]
    template = (ROOT / "kit/data/jupyter_data/voila/templates/kit-offline/index.html.j2").read_text(encoding="utf-8")
    major, minor = re.search(r"copy of Voila (\d+)\.(\d+)", template).groups()
    assert voila.replace(" ", "") == f"voila>={major}.{minor},<{major}.{int(minor) + 1}"
    assert set(project["urls"]) == {"Homepage", "Documentation", "Issues", "Source"}
