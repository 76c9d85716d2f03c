"""The kit installs like a product (issue 10): build the wheel, install it with ``[lab]`` into a fresh
virtual environment **offline** (from uv's cache, which ``make setup`` fills), then use it from an
empty folder as a trainer would: ``assess``, ``demo``, ``handout``, ``export``, ``app`` and ``lab``
(both answer HTTP on 127.0.0.1 with their token, then are stopped).

Nothing may be written into the installed package: site-packages is listed (paths, sizes, mtimes)
before and after. The environment is installed with ``--compile-bytecode``, as pip does by default,
so Python finds its bytecode caches already there.

No network: ``uv build --offline`` and ``uv pip install --offline``; the servers bind loopback only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, http_status, stop_server, wait_for_server

pytestmark = pytest.mark.slow

UV = [sys.executable, "-m", "uv"]
NOTEBOOKS = ("01-triage.ipynb", "02-team-log.ipynb", "03-workshop-cases.ipynb", "04-thresholds.ipynb", "05-scripting.ipynb")
#: Seconds a server gets to answer HTTP (a cold JupyterLab start on a busy 2-core machine).
SERVER_START_S = 180


@dataclass
class Installed:
    wheel: Path
    venv: Path
    site: Path
    home: Path
    before: dict[str, tuple[int, int]]

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment: the new venv first on PATH, a private HOME, no PYTHONPATH (the checkout is not seen)."""
        keep = {k: v for k, v in os.environ.items()
                if k in ("LANG", "LC_ALL", "TERM", "TMPDIR", "SYSTEMROOT") or k == "PATH"}
        keep["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{keep.get('PATH', '')}"
        keep.update(HOME=str(self.home), XDG_DATA_HOME=str(self.home / "data"), XDG_CONFIG_HOME=str(self.home / "config"),
                    XDG_CACHE_HOME=str(self.home / "cache"), VIRTUAL_ENV=str(self.venv))
        keep.update(extra)
        return keep


def _snapshot(site: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``site``: relative path -> (size, mtime in ns)."""
    out = {}
    for dirpath, _dirs, files in os.walk(site):
        for f in files:
            p = Path(dirpath, f)
            st = p.lstat()
            out[str(p.relative_to(site))] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    build = subprocess.run([*UV, "build", "--wheel", "--offline", "--out-dir", str(dist), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = dist.glob("postrun_kit-*.whl")
    venv = base / "venv"
    python = getattr(sys, "_base_executable", None) or sys.executable
    made = subprocess.run([*UV, "venv", "--offline", "--python", python, str(venv)], capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    inst = subprocess.run([*UV, "pip", "install", "--offline", "--compile-bytecode", "--python", str(venv / "bin" / "python"),
                           f"{wheel}[lab]"], capture_output=True, text=True, timeout=600)
    assert inst.returncode == 0, inst.stderr
    (site,) = (venv / "lib").glob("python3*/site-packages")
    home = base / "home"
    home.mkdir()
    return Installed(wheel, venv, site, home, _snapshot(site))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty folder to run the commands in."""
    d = tmp_path / "trainer"
    d.mkdir()
    return d


def kit(inst: Installed, cwd: Path, *args: str, stdin: str | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(inst.venv / "bin" / "postrun-kit"), *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, env=inst.env(), timeout=timeout)


def test_the_wheel_ships_the_notebooks_the_data_and_the_type_marker(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for nb in (*NOTEBOOKS, "handout-template.ipynb"):
        assert f"kit/data/notebooks/{nb}" in names
    for f in ("kit/data/cases.json", "kit/data/sample-team-log.csv", "kit/py.typed",
              "kit/data/jupyter_data/voila/templates/kit-offline/index.html.j2"):
        assert f in names
    assert not any(n.startswith(("tests/", "notebooks/", "data/")) for n in names)  # only the package


def test_the_installed_kit_is_the_one_imported_and_says_its_version(installed, workdir):
    r = subprocess.run([str(installed.venv / "bin" / "python"), "-c", "import kit; print(kit.__file__, kit.__version__)"],
                       capture_output=True, text=True, cwd=workdir, env=installed.env(), timeout=120)
    path, version = r.stdout.split()
    assert Path(path).is_relative_to(installed.site), path
    v = kit(installed, workdir, "--version")
    assert v.returncode == 0 and v.stdout.strip() == f"postrun-kit {version}"
    h = kit(installed, workdir, "--help")
    assert h.stdout.startswith("usage: postrun-kit ")  # the program is named as it was called


def test_assess_and_demo(installed, workdir):
    r = kit(installed, workdir, "assess", stdin='{"spasm": true}')
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["escalation"] == "self_care"
    d = kit(installed, workdir, "demo")
    assert d.returncode == 0 and "pub-12-downhill-race-cola-urine" in d.stdout
    bad = kit(installed, workdir, "assess", stdin="[")
    assert bad.returncode == 2 and bad.stdout == "" and "not valid JSON" in bad.stderr


def test_handout_without_a_log_uses_the_shipped_sample_log(installed, workdir):
    r = kit(installed, workdir, "handout", "--athlete", "ATH-05")
    assert r.returncode == 0, r.stderr
    assert "SAMPLE team log" in r.stderr
    page = workdir / r.stdout.strip()  # printed relative to the current folder (handouts/ by default)
    assert page.is_file() and page.resolve().is_relative_to(workdir.resolve())
    assert "ATH-05" in page.read_text(encoding="utf-8")


def test_export_of_a_shipped_notebook_writes_into_the_current_folder(installed, workdir):
    shipped = installed.site / "kit" / "data" / "notebooks" / "04-thresholds.ipynb"
    r = kit(installed, workdir, "export", str(shipped))
    assert r.returncode == 0, r.stderr
    page = workdir / r.stdout.strip()
    assert page.resolve() == (workdir / "04-thresholds.html").resolve() and page.stat().st_size > 0


@pytest.fixture
def server(installed: Installed, workdir: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """The servers a test starts; each is stopped (SIGTERM, as Ctrl-C would) and must exit."""
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:
        if not stop_server(p, grace=60):
            pytest.fail("the server did not stop within 60 s of SIGTERM")


def _start(inst: Installed, cwd: Path, args: list[str], env: dict[str, str], procs: list[subprocess.Popen[bytes]],
           log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        p = subprocess.Popen([str(inst.venv / "bin" / "postrun-kit"), *args], cwd=cwd, env=env, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
    procs.append(p)
    return p


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path) -> int:
    """The HTTP status of ``url`` once the server answers (fails if it exits or takes too long)."""
    return wait_for_server(lambda: http_status(url), proc, log, timeout=SERVER_START_S)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is raised as HTTPError: the test sees where it was sent


def test_app_serves_the_shipped_triage_form_behind_its_token(installed, workdir, server, tmp_path):
    port, token, log = free_port(), "wheel-test-token-0123456789", tmp_path / "app.log"
    p = _start(installed, workdir, ["app", "--no-browser", "--port", str(port)], installed.env(KIT_APP_TOKEN=token), server, log)
    assert _wait_http(f"http://127.0.0.1:{port}/?token={token}", p, log) == 200
    with pytest.raises(urllib.error.HTTPError) as refused:  # without the token: sent to the login page, or refused
        urllib.request.build_opener(_NoRedirect).open(f"http://127.0.0.1:{port}/", timeout=10)
    assert refused.value.code in (302, 401, 403)
    assert stop_server(p, grace=60), "the server did not stop within 60 s of SIGTERM"
    assert not any(workdir.iterdir()), "kit app wrote into the current folder"


def test_lab_copies_the_notebooks_and_serves_them(installed, workdir, server, tmp_path):
    port, token, log = free_port(), "wheel-test-lab-token", tmp_path / "lab.log"
    p = _start(installed, workdir, ["lab", "--no-browser", "--port", str(port)], installed.env(JUPYTER_TOKEN=token), server, log)
    assert _wait_http(f"http://127.0.0.1:{port}/api/contents/01-triage.ipynb?content=0&token={token}", p, log) == 200
    assert sorted(f.name for f in (workdir / "postrun-notebooks").glob("*.ipynb")) == sorted(NOTEBOOKS)
    assert stop_server(p, grace=60), "the server did not stop within 60 s of SIGTERM"
    mine = workdir / "postrun-notebooks" / "02-team-log.ipynb"  # a notebook the user changed is never overwritten
    mine.write_text('{"changed": true}', encoding="utf-8")
    p = _start(installed, workdir, ["lab", "--no-browser", "--port", str(port)], installed.env(JUPYTER_TOKEN=token), server, log)
    assert _wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", p, log) == 200
    assert stop_server(p, grace=60), "the server did not stop within 60 s of SIGTERM"
    assert mine.read_text(encoding="utf-8") == '{"changed": true}'
    assert "02-team-log.ipynb" in log.read_text(errors="replace")


def test_nothing_was_written_into_site_packages(installed):
    """Runs after the commands above (file order): the installed files are exactly as installed."""
    after = _snapshot(installed.site)
    added = sorted(set(after) - set(installed.before))
    removed = sorted(set(installed.before) - set(after))
    changed = sorted(k for k in set(after) & set(installed.before) if after[k] != installed.before[k])
    assert (added, removed, changed) == ([], [], []), f"added {added[:20]}, removed {removed[:20]}, changed {changed[:20]}"
