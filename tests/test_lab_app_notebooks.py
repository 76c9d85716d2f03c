"""`python -m kit lab` / `python -m kit app` command lines, and the notebooks' shape (thin, checked cells kept)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kit.cli import lab as kit_lab
from kit.cli.app import LAB_ONLY_TAG, app_command, app_notebook
from kit.cli.lab import LAB_CONFIG_DIR, ROOT, TRIAGE_NOTEBOOK, lab_command, lab_env
from tests.conftest import free_port

NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb")) + sorted((ROOT / "notebooks" / "instructor").glob("*.ipynb"))
CHECK = "# NBVAL_CHECK_OUTPUT"


def test_lab_command_binds_loopback_opens_triage_and_allows_root_only_as_root():
    cmd = lab_command(ROOT, port=8890, token="t", open_browser=False)
    assert "--ServerApp.ip=127.0.0.1" in cmd and cmd[-1] == str(ROOT / TRIAGE_NOTEBOOK)
    assert "--IdentityProvider.token=t" in cmd and "--no-browser" in cmd and "--ServerApp.port=8890" in cmd
    assert ("--allow-root" in cmd) == (os.geteuid() == 0)


def test_lab_env_sets_store_and_disables_the_news_toast(tmp_path):
    env = lab_env(tmp_path / "s.sqlite", base={"JUPYTER_CONFIG_PATH": "/x"})
    assert env["KIT_STORE"] == str(tmp_path / "s.sqlite")
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(LAB_CONFIG_DIR), "/x"]
    page = json.loads((LAB_CONFIG_DIR / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"] is True


def test_kit_lab_creates_the_store_and_starts_jupyter_lab(tmp_path, monkeypatch):
    pytest.importorskip("kit.store")
    calls = []
    monkeypatch.setattr(kit_lab, "run_server", lambda cmd, env, cwd: calls.append((cmd, env, cwd)) or 0)
    from kit.cli import main

    store, work = tmp_path / "lab.sqlite", tmp_path / "work"
    assert main(["lab", "--store", str(store), "--no-browser", "--port", "8891", "--dir", str(work)]) == 0
    (cmd, env, cwd), = calls
    assert env["KIT_STORE"] == str(store.resolve()) and cwd == work.resolve()  # JupyterLab runs in the working folder
    assert cmd[-1] == str(work.resolve() / "01-triage.ipynb") and (work / "01-triage.ipynb").is_file()
    assert cmd[1:3] == ["-m", "jupyterlab"] and "--ServerApp.port=8891" in cmd
    from kit.store import Store

    with Store(store) as st:
        assert st.count() == 0  # the trainer's own store: the sample season lives in the demo store (--demo)


def test_app_serves_the_triage_notebook_without_lab_only_cells(tmp_path):
    nb = nbformat.read(app_notebook(tmp_path), as_version=4)
    sources = [c.source for c in nb.cells]
    assert any("TriageForm(store=open_store())" in s for s in sources)
    assert not any(CHECK in s for s in sources)
    assert not any(LAB_ONLY_TAG in c.metadata.get("tags", []) for c in nb.cells)
    cmd = app_command(tmp_path / "triage.ipynb", port=8892, open_browser=False)
    assert cmd[1:3] == ["-m", "kit.cli.app_server"] and "--Voila.ip=127.0.0.1" in cmd and "--strip_sources=True" in cmd


def test_cli_lists_lab_and_app():
    out = subprocess.run([sys.executable, "-m", "kit", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert " lab " in out.stdout and " app " in out.stdout


def _nb_id(path: Path) -> str:
    return path.relative_to(ROOT / "notebooks").as_posix()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_nb_id)
def test_notebook_cells_are_thin(path):
    """Cells only import, call and display: no function, class or loop definitions."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        banned = [type(n).__name__ for n in ast.walk(tree)
                  if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.For | ast.While | ast.If | ast.With)]
        assert not banned, (path.name, cell.source, banned)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_nb_id)
def test_checked_cells_keep_outputs_and_counts_others_are_stripped(path):
    nb = nbformat.read(path, as_version=4)
    checked = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(CHECK)]
    assert checked, "every notebook has at least one checked cell"
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        if c.source.startswith(CHECK):
            assert c.execution_count is not None and c.outputs
        else:
            assert c.execution_count is None and not c.outputs
    assert "widgets" not in nb.metadata  # no widget state saved
    assert path.stat().st_size < 100_000


def test_notebooks_match_their_sources():
    """The notebooks here are the ones make_notebooks builds from notebooks/*.py (the pairing tests:
    tests/test_notebook_sources.py)."""
    sys.path.insert(0, str(ROOT / "notebooks"))
    try:
        import make_notebooks
    finally:
        sys.path.pop(0)
    built = [n for n in make_notebooks.NOTEBOOKS if n != "handout-template"]
    assert sorted(f"{n}.ipynb" for n in built) == sorted(_nb_id(p) for p in NOTEBOOKS)
    for name in built:
        nb = nbformat.read(Path(ROOT / "notebooks" / f"{name}.ipynb"), as_version=4)
        src = make_notebooks.read_source(make_notebooks.source_path(name))
        assert [c.source for c in nb.cells] == [c.source for c in src.cells], f"rebuild {name}: python notebooks/make_notebooks.py"


def _outputs_text(nb: nbformat.NotebookNode) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells])


@pytest.mark.parametrize("name", ["02-team-log", "03-workshop-cases", "04-thresholds", "05-scripting",
                                  "instructor/03-workshop-answer-key"])
def test_disclaimer_is_shown_once_near_the_top(name):
    from kit import DISCLAIMER

    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    showing = [i for i, c in enumerate(code) if "disclaimer_note()" in c.source]
    assert showing == [0]  # the first code cell, and only there
    (out,) = code[0].outputs  # a checked cell: the saved notebook shows it unrun, and nbval compares it
    assert DISCLAIMER in out["data"]["text/markdown"] and DISCLAIMER in out["data"]["text/plain"]


def test_triage_notebook_leaves_the_disclaimer_to_the_form():
    nb = nbformat.read(ROOT / "notebooks" / "01-triage.ipynb", as_version=4)
    assert not any("disclaimer_note" in c.source for c in nb.cells)


def test_student_workshop_notebook_does_not_show_the_answer_key():
    from kit.engine.rules import TIERS
    from kit.resources import load_cases
    from kit.views.workshop import answer_key_summary

    cases = load_cases()
    nb = nbformat.read(ROOT / "notebooks" / "03-workshop-cases.ipynb", as_version=4)
    shown = _outputs_text(nb)
    assert not any(c["id"] in shown for c in cases)  # no per-case row
    assert not any(t in shown for t in TIERS if t != "emergency")  # no tier id ("emergency" is in the disclaimer)
    checked = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(CHECK) and "disclaimer" not in c.source]
    cell, drill = checked  # the answer key's check line, then the recheck drill's (issue 12)
    assert cell.outputs[0]["text"].strip() == answer_key_summary(cases)  # still a checked, scoring-dependent line
    from kit.views.recheck_drill import drill_summary

    assert drill.outputs[0]["text"].strip() == drill_summary()  # counts only: no level is given away


def test_instructor_notebook_holds_the_full_key_with_the_same_fingerprint():
    from kit.resources import load_cases
    from kit.views.workshop import answer_key_fingerprint

    cases = load_cases()
    inst = _outputs_text(nbformat.read(ROOT / "notebooks" / "instructor" / "03-workshop-answer-key.ipynb", as_version=4))
    student = _outputs_text(nbformat.read(ROOT / "notebooks" / "03-workshop-cases.ipynb", as_version=4))
    assert all(c["id"] in inst for c in cases)
    fp = answer_key_fingerprint(cases)
    assert fp in inst and fp in student


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _session_processes(sid: int) -> list[int]:
    """Processes of session ``sid`` still alive (Linux /proc; zombies ignored)."""
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z" and int(fields[3]) == sid:
                pids.append(int(d.name))
    return pids


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("command", ["app", "lab"])
def test_sigterm_to_kit_app_or_lab_stops_the_server_and_cleans_up(tmp_path, command):
    import signal
    import time

    port = free_port()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "KIT_STORE": str(tmp_path / "s.sqlite"), "HOME": str(tmp_path),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "KIT_APP_TOKEN": "sigterm-test-token"}
    proc = subprocess.Popen([sys.executable, "-m", "kit", command, "--port", str(port), "--no-browser", "--store",
                             str(tmp_path / "s.sqlite")],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 15
        while not _port_open(port):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, f"{command} did not listen on {port}"
            time.sleep(0.2)
        kids = []
        if command == "app":
            assert [p.name for p in tmp.iterdir()], "the app's temporary folder"
            import urllib.request

            import psutil

            urllib.request.urlopen(f"http://127.0.0.1:{port}/?token=sigterm-test-token", timeout=30).read()  # starts a kernel (in a session of its own)
            kids = psutil.Process(proc.pid).children(recursive=True)
            assert any("ipykernel" in " ".join(k.cmdline()) for k in kids)
        proc.send_signal(signal.SIGTERM)  # to the wrapper only, as `kill PID` does
        rc = proc.wait(timeout=12)
        deadline = time.monotonic() + 3
        while _port_open(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _port_open(port), "the server still listens"
        assert rc == 128 + signal.SIGTERM
        assert not [p for p in tmp.iterdir() if p.name.startswith("postrun-kit-app-")], "temporary folder left"
        deadline = time.monotonic() + 3
        while _session_processes(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session_processes(proc.pid) == [], "a server or kernel process was left running"
        deadline = time.monotonic() + 3
        while any(k.is_running() and k.status() != "zombie" for k in kids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [k.pid for k in kids if k.is_running() and k.status() != "zombie"], "the kernel was left running"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in _session_processes(proc.pid):
            os.kill(pid, signal.SIGKILL)
