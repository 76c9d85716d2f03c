"""Seven bad inputs that used to exit 1 with "this is a bug" (issue 11 item 7): exit 2, a message about the file.

One test each: ``handout --log`` given a latin-1, a UTF-16 or a binary CSV, or a corrupt store
(as ``--log`` and as ``--store``); ``export`` given JSON that is not a notebook, or deeply nested JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def kit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kit", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def _exit_2_about(res: subprocess.CompletedProcess, path: Path, *words: str) -> None:
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert res.stdout == ""
    assert "bug" not in res.stderr and "Traceback" not in res.stderr
    assert str(path) in res.stderr, res.stderr
    for w in words:
        assert w in res.stderr, (w, res.stderr)


def test_handout_log_latin1_csv(tmp_path):
    f = tmp_path / "latin1.csv"
    f.write_bytes("athlete_id,notes\nZoë,crampes après la course\n".encode("latin-1"))
    _exit_2_about(kit("handout", "--athlete", "Zoë", "--log", str(f), "--out", str(tmp_path)), f, "UTF-8")


def test_handout_log_utf16_csv(tmp_path):
    f = tmp_path / "utf16.csv"
    f.write_bytes("athlete_id,spasm\nATH-01,true\n".encode("utf-16"))
    _exit_2_about(kit("handout", "--athlete", "ATH-01", "--log", str(f), "--out", str(tmp_path)), f, "UTF-16")


def test_handout_log_binary_file(tmp_path):
    f = tmp_path / "photo.csv"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _exit_2_about(kit("handout", "--athlete", "ATH-01", "--log", str(f), "--out", str(tmp_path)), f, "not a text")


def _corrupt_store(path: Path) -> Path:
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)  # the header, then garbage
    return path


def test_handout_log_corrupt_store(tmp_path):
    f = _corrupt_store(tmp_path / "broken.sqlite")
    _exit_2_about(kit("handout", "--athlete", "ATH-01", "--log", str(f), "--out", str(tmp_path)), f, "damaged")


def test_handout_store_corrupt(tmp_path):
    f = _corrupt_store(tmp_path / "broken-store.sqlite")
    _exit_2_about(kit("handout", "--athlete", "ATH-01", "--store", str(f), "--out", str(tmp_path)), f, "damaged")


def test_export_json_that_is_not_a_notebook(tmp_path):
    f = tmp_path / "data.ipynb"
    f.write_text(json.dumps({"athlete_id": "ATH-01", "spasm": True}), encoding="utf-8")
    _exit_2_about(kit("export", str(f), "--out", str(tmp_path / "o")), f, "not a notebook")
    g = tmp_path / "list.ipynb"
    g.write_text("[1, 2, 3]", encoding="utf-8")
    _exit_2_about(kit("export", str(g), "--out", str(tmp_path / "o")), g, "not a notebook")


def test_export_deeply_nested_json(tmp_path):
    f = tmp_path / "deep.ipynb"
    f.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    _exit_2_about(kit("export", str(f), "--out", str(tmp_path / "o")), f, "nested too deeply")
