"""One error base (kit.errors.KitError) and files that cannot be written: "cannot write PATH: reason", exit 2.

The unwritable places work as root too (CI runs as root, where chmod does not stop a write): a path
under a regular FILE (NotADirectoryError), or a monkeypatched ``PermissionError``.
"""

from __future__ import annotations

import errno
import importlib
import inspect
import json
import pickle
import pkgutil

import nbformat
import pytest

import kit
import kit.store.private as private
from kit.cli.main import main
from kit.errors import KitError, WriteError
from kit.store.csvio import write_log_csv
from kit.store.db import Store
from kit.store.private import atomic_write_text, open_private, private_dir, private_file
from kit.store.transfer import import_csv
from tests.conftest import ROOT

SAMPLE = ROOT / "data" / "sample-team-log.csv"
OBS = {"athlete_id": "ATH-01", "observed_at": "2026-05-01T10:00:00Z", "tremor": True}


@pytest.fixture
def under_a_file(tmp_path):
    """A path whose folder is a regular file: no one (not even root) can write it."""
    f = tmp_path / "file"
    f.write_text("in the way")
    return f / "out.txt"


def _denied(*_a, **_k):
    raise PermissionError(errno.EACCES, "Permission denied")


def _is_write_error(err: BaseException, path) -> None:
    assert isinstance(err, KitError) and isinstance(err, OSError)
    assert str(err).startswith(f"cannot write {path}: ")
    assert "Errno" not in str(err)


# ------------------------------------------------------------------------------------------
# the private writers (kit.store.private)

@pytest.mark.parametrize("writer", [
    lambda p: atomic_write_text(p, "x"),
    lambda p: open_private(p, "w").close(),
    lambda p: private_file(p),
])
def test_private_writers_raise_write_error_naming_the_file(under_a_file, writer):
    with pytest.raises(WriteError) as ei:
        writer(under_a_file)
    _is_write_error(ei.value, under_a_file)
    assert str(ei.value) == f"cannot write {under_a_file}: Not a directory"


def test_private_dir_raises_write_error_naming_the_folder(under_a_file):
    with pytest.raises(WriteError) as ei:
        private_dir(under_a_file)
    _is_write_error(ei.value, under_a_file)


def test_atomic_write_denied_is_a_write_error_and_leaves_nothing(tmp_path, monkeypatch):
    dest = tmp_path / "out.html"
    dest.write_text("old")
    monkeypatch.setattr(private.os, "replace", _denied)
    with pytest.raises(WriteError) as ei:
        atomic_write_text(dest, "new")
    assert str(ei.value) == f"cannot write {dest}: Permission denied"
    assert ei.value.errno == errno.EACCES
    assert dest.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.html"]  # no temporary file left


def test_write_error_pickles_with_its_message(tmp_path):
    err = WriteError(tmp_path / "x", PermissionError(errno.EACCES, "Permission denied"))
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is WriteError and str(back) == str(err) and back.errno == errno.EACCES


# ------------------------------------------------------------------------------------------
# the store's writers: export, the CSV writer, the reject file

@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_store_export_to_an_unwritable_path_is_a_write_error(tmp_path, under_a_file, fmt):
    with Store(tmp_path / "s.sqlite") as st:
        st.save(OBS)
        with pytest.raises(WriteError) as ei:
            st.export(fmt, under_a_file)
    _is_write_error(ei.value, under_a_file)


def test_write_log_csv_to_an_unwritable_path_is_a_write_error(under_a_file):
    with pytest.raises(WriteError) as ei:
        write_log_csv([OBS], under_a_file)
    _is_write_error(ei.value, under_a_file)


def test_write_log_csv_failing_mid_write_is_a_write_error(tmp_path):
    def records():
        yield OBS
        raise OSError(errno.ENOSPC, "No space left on device")

    dest = tmp_path / "log.csv"
    with pytest.raises(WriteError) as ei:
        write_log_csv(records(), dest)
    assert str(ei.value) == f"cannot write {dest}: No space left on device"


def test_reject_file_that_cannot_be_written_is_a_write_error_and_nothing_is_stored(tmp_path, under_a_file):
    src = tmp_path / "log.csv"
    src.write_text("athlete_id,observed_at,tremor\nATH-01,2026-05-01T10:00:00Z,true\nATH-02,2026-05-01T10:00:00Z,perhaps\n")
    with Store(tmp_path / "s.sqlite") as st:
        with pytest.raises(WriteError) as ei:
            import_csv(st, src, skip_bad=True, rejects=under_a_file)
        assert st.count() == 0
    _is_write_error(ei.value, under_a_file)


def test_reject_file_rename_denied_is_a_write_error(tmp_path, monkeypatch):
    src = tmp_path / "log.csv"
    src.write_text("athlete_id,observed_at,tremor\nATH-02,2026-05-01T10:00:00Z,perhaps\n")
    dest = tmp_path / "rejects.csv"
    monkeypatch.setattr("kit.store.transfer.os.replace", _denied)
    with Store(tmp_path / "s.sqlite") as st, pytest.raises(WriteError) as ei:
        import_csv(st, src, skip_bad=True, rejects=dest)
    assert str(ei.value) == f"cannot write {dest}: Permission denied"
    assert not dest.exists() and not list(tmp_path.glob(".rejects.csv.*"))


# ------------------------------------------------------------------------------------------
# the command line: exit 2 with "cannot write PATH: reason", never "this is a bug"

def _cli_cannot_write(capsys, argv, dest) -> None:
    assert main(argv, prog="postrun-kit") == 2
    err = capsys.readouterr().err
    assert f"error: cannot write {dest}: Permission denied" in err, err
    assert "bug" not in err and "Errno" not in err


def test_cli_handout_to_an_unwritable_folder_exits_2(tmp_path, monkeypatch, capsys):
    dest = tmp_path / "x.html"
    monkeypatch.setattr(private.tempfile, "mkstemp", _denied)
    _cli_cannot_write(capsys, ["handout", "--athlete", "ATH-05", "--log", str(SAMPLE), "--out", str(dest)], dest)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_cli_log_export_to_an_unwritable_folder_exits_2(tmp_path, monkeypatch, capsys, fmt):
    store = tmp_path / "s.sqlite"
    with Store(store) as st:
        st.save(OBS)
    dest = tmp_path / f"out.{fmt}"
    monkeypatch.setattr(private.tempfile, "mkstemp", _denied)
    _cli_cannot_write(capsys, ["log", "export", "--format", fmt, "--store", str(store), "--out", str(dest)], dest)


def test_cli_export_to_an_unwritable_folder_exits_2(tmp_path, monkeypatch, capsys):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("hello")]
    src = tmp_path / "nb.ipynb"
    nbformat.write(nb, src)
    dest = tmp_path / "nb.html"
    monkeypatch.setattr(private.tempfile, "mkstemp", _denied)
    _cli_cannot_write(capsys, ["export", str(src), "--out", str(dest)], dest)


def test_cli_log_import_reject_file_unwritable_exits_2(tmp_path, monkeypatch, capsys):
    src = tmp_path / "log.csv"
    src.write_text("athlete_id,observed_at,tremor\nATH-02,2026-05-01T10:00:00Z,perhaps\n")
    dest = tmp_path / "rejects.csv"
    monkeypatch.setattr("kit.store.transfer.os.replace", _denied)
    _cli_cannot_write(capsys, ["log", "import", str(src), "--store", str(tmp_path / "s.sqlite"), "--skip-bad",
                               "--rejects", str(dest)], dest)


# ------------------------------------------------------------------------------------------
# one base class

def _kit_modules():
    yield kit
    for info in pkgutil.walk_packages(kit.__path__, "kit."):
        try:
            yield importlib.import_module(info.name)
        except ModuleNotFoundError:  # an optional package that is not installed
            continue


def test_every_public_exception_class_of_kit_is_a_kit_error():
    found = {}
    for mod in _kit_modules():
        for name, obj in vars(mod).items():
            if (not name.startswith("_") and inspect.isclass(obj) and issubclass(obj, BaseException)
                    and obj.__module__.startswith("kit")):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    # the ones the review named, so the walk cannot silently find nothing
    assert {"kit.engine.observation.ObservationError", "kit.store.transfer.LogImportError", "kit.store.db.StoreError",
            "kit.store.db.StoreRequestError", "kit.handout.build.TemplateError", "kit.errors.WriteError"} <= set(found)
    assert [n for n, c in found.items() if not issubclass(c, KitError)] == []


@pytest.mark.parametrize(("name", "base"), [
    ("kit.engine.observation.ObservationError", ValueError), ("kit.store.transfer.LogImportError", ValueError),
    ("kit.store.db.StoreError", RuntimeError), ("kit.store.db.StoreRequestError", ValueError),
    ("kit.handout.build.TemplateError", ValueError), ("kit.errors.WriteError", OSError),
])
def test_the_exceptions_keep_their_python_base(name, base):
    mod, cls = name.rsplit(".", 1)
    assert issubclass(getattr(importlib.import_module(mod), cls), base)


def test_main_turns_any_kit_error_into_exit_2(monkeypatch, capsys):
    class Odd(KitError):
        pass

    def boom(_args):
        raise Odd("something the user gave")

    monkeypatch.setattr("kit.cli.assess.run", boom)
    assert main(["assess"], prog="postrun-kit") == 2
    err = capsys.readouterr().err
    assert err == "error: something the user gave\n"


def test_json_export_unchanged_when_writable(tmp_path):
    """The writers still write (the error path is the only change)."""
    with Store(tmp_path / "s.sqlite") as st:
        st.save(OBS)
        st.export("json", tmp_path / "out.json")
    assert json.loads((tmp_path / "out.json").read_text())[0]["athlete_id"] == "ATH-01"
