"""``--out`` of ``kit handout`` / ``kit export``, and a failing cell in ``export --execute``: exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from tests.conftest import ROOT

SAMPLE = ROOT / "data" / "sample-team-log.csv"


def _kit(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kit", *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout)


def _notebook(path, *sources: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _clean_exit_2(p: subprocess.CompletedProcess) -> str:
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and "bug" not in p.stderr
    assert p.stdout == ""
    return p.stderr


@pytest.mark.parametrize("command", [["handout", "--athlete", "ATH-05", "--log", str(SAMPLE)], ["handout", "--all", "--log", str(SAMPLE)],
                                     ["export", "NOTEBOOK"]])
def test_out_that_is_an_existing_file_exits_2_saying_it_must_be_a_folder(tmp_path, command):
    afile = tmp_path / "afile.txt"
    afile.write_text("keep me")
    command = [str(_notebook(tmp_path / "nb.ipynb", "1 + 1")) if c == "NOTEBOOK" else c for c in command]
    err = _clean_exit_2(_kit(*command, "--out", str(afile)))
    assert "--out must be a folder" in err
    assert afile.read_text() == "keep me"


def test_out_under_a_file_exits_2(tmp_path):
    afile = tmp_path / "afile.txt"
    afile.write_text("")
    err = _clean_exit_2(_kit("export", str(_notebook(tmp_path / "nb.ipynb", "1")), "--out", str(afile / "sub")))
    assert "--out" in err


def test_all_with_an_html_file_name_exits_2_and_makes_no_folder(tmp_path):
    err = _clean_exit_2(_kit("handout", "--all", "--log", str(SAMPLE), "--out", str(tmp_path / "new.html")))
    assert "folder" in err
    assert not (tmp_path / "new.html").exists()


def test_export_to_a_path_ending_in_html_writes_that_file(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb", "print('hello')")
    dest = tmp_path / "out" / "new.html"
    p = _kit("export", str(nb), "--out", str(dest))
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == str(dest)
    assert dest.is_file() and "<html" in dest.read_text().lower()
    dest.write_text("old")  # an existing .html target is replaced
    assert _kit("export", str(nb), "--out", str(dest)).returncode == 0
    assert dest.read_text() != "old"


def test_export_into_a_folder_keeps_the_notebook_name(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb", "1")
    p = _kit("export", str(nb), "--out", str(tmp_path / "exported"))
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "exported" / "nb.html").is_file()


def test_export_execute_with_a_failing_cell_exits_2_naming_the_cell_without_colours(tmp_path):
    nb = tmp_path / "err.ipynb"
    _notebook(nb, "x = 1", "1/0")
    err = _clean_exit_2(_kit("export", str(nb), "--execute"))
    assert "cell 2 failed: ZeroDivisionError: division by zero" in err
    assert "\x1b" not in err and "CellExecutionError" not in err
    assert not (tmp_path / "err.html").exists()
