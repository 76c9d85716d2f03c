"""The notebooks' py:percent sources: every .ipynb is built from a paired .py, the pair is in sync,
an edit made in Jupyter flows back to the .py, and ruff checks the sources (issue 10, item 4)."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest

from kit import resources
from tests.conftest import ROOT

NB_DIR = ROOT / "notebooks"
sys.path.insert(0, str(NB_DIR))
try:
    import make_notebooks as mk
finally:
    sys.path.pop(0)

LAYERS = ("kit.engine", "kit.store", "kit.views", "kit.handout", "kit.cli")
TOP_LEVEL = ("kit", "kit.resources", "kit.words", "kit.errors")


def _ipynb_names() -> set[str]:
    return {p.relative_to(NB_DIR).with_suffix("").as_posix() for p in NB_DIR.rglob("*.ipynb")
            if ".ipynb_checkpoints" not in p.parts}


def test_every_notebook_has_its_py_source_and_the_build_knows_both():
    assert _ipynb_names() == set(mk.NOTEBOOKS)
    assert all(mk.source_path(n).is_file() for n in mk.NOTEBOOKS)
    shipped = {Path(n).stem for n in (*resources.NOTEBOOKS, resources.HANDOUT_TEMPLATE)}
    assert shipped <= set(mk.NOTEBOOKS)  # the wheel's notebooks keep their names
    assert (NB_DIR / "jupytext.toml").is_file()
    assert mk._config().formats in ("ipynb,py:percent", ["ipynb,py:percent"])


@pytest.mark.parametrize("name", mk.NOTEBOOKS)
def test_pair_is_in_sync(name):
    """The committed .ipynb is what make_notebooks builds from the .py (cells, tags, ids, metadata),
    and the .py is what jupytext writes from the .ipynb (so saving in JupyterLab changes nothing)."""
    assert mk.out_of_sync(name) == [], f"python notebooks/make_notebooks.py {name}"


def test_cells_and_tags_survive_the_round_trip():
    nb = nbformat.read(mk.notebook_path("01-triage"), as_version=4)
    lab_only = [c.id for c in nb.cells if mk.LAB_ONLY in c.metadata.get("tags", [])]
    assert lab_only  # the triage notebook has cells left out of the Voila app
    again = mk.read_source(mk.source_path("01-triage"))
    assert [c.id for c in again.cells if mk.LAB_ONLY in c.metadata.get("tags", [])] == lab_only
    handout = mk.read_source(mk.source_path("handout-template"))
    assert handout.cells[0].metadata["tags"] == ["parameters"] and handout.cells[0].id == "handout-00"
    assert handout.metadata["title"] == nbformat.read(mk.notebook_path("handout-template"), as_version=4).metadata["title"]


@pytest.fixture
def nb_copy(tmp_path, monkeypatch):
    """A copy of notebooks/ (with its jupytext.toml) that make_notebooks works on."""
    dst = tmp_path / "notebooks"
    shutil.copytree(NB_DIR, dst, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    monkeypatch.setattr(mk, "HERE", dst)
    return dst


def _edit_in_jupyter(path: Path) -> nbformat.NotebookNode:
    """What an edit in Jupyter does: change the last cell, add a code cell (with Jupyter's own id)."""
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1].source += "  # A comment added in Jupyter."
    nb.cells.insert(2, nbformat.v4.new_code_cell("print('added in Jupyter')"))
    nbformat.write(nb, path)
    return nb


@pytest.mark.parametrize("name", ["02-team-log", "handout-template"])
def test_an_edit_in_jupyter_flows_back_with_pull(nb_copy, name):
    edited = _edit_in_jupyter(mk.notebook_path(name))
    problems = mk.out_of_sync(name)
    assert any("cells differ" in p for p in problems) and any("--pull" in p for p in problems)
    before = mk.source_path(name).read_text(encoding="utf-8")
    assert mk.main(["--pull", name]) == 0
    text = mk.source_path(name).read_text(encoding="utf-8")
    assert "A comment added in Jupyter." in text and "print('added in Jupyter')" in text and text != before
    again = mk.read_source(mk.source_path(name))
    assert [c.source for c in again.cells] == [c.source for c in edited.cells]
    assert [c.metadata for c in again.cells] == [c.metadata for c in edited.cells]  # tags and named ids kept
    assert again.cells[2].id == mk.default_id(2) and edited.cells[2].id not in text  # Jupyter's random id is not kept
    named = [c.id for c in edited.cells if "id" in c.metadata]
    assert [c.id for c in again.cells if "id" in c.metadata] == named  # the handout's named ids are kept
    assert (name == "handout-template") == bool(named)
    assert mk.source_text(edited) == text


@pytest.mark.parametrize("name", ["03-workshop-cases", "handout-template"])
def test_jupytext_sync_writes_the_same_source_as_pull(nb_copy, name):
    jupytext_cli = Path(sys.executable).with_name("jupytext")
    if not jupytext_cli.exists():
        pytest.skip("the jupytext command is not installed next to this Python")
    ipynb = mk.notebook_path(name)
    unchanged = mk.source_path(name).read_text(encoding="utf-8")
    ipynb.touch()  # the newer file of the pair is the one jupytext --sync reads
    subprocess.run([str(jupytext_cli), "--sync", str(ipynb)], check=True, capture_output=True)
    assert mk.source_path(name).read_text(encoding="utf-8") == unchanged and mk.out_of_sync(name) == []
    edited = _edit_in_jupyter(ipynb)
    subprocess.run([str(jupytext_cli), "--sync", str(ipynb)], check=True, capture_output=True)
    assert mk.source_path(name).read_text(encoding="utf-8") == mk.source_text(edited)
    assert [c.id for c in mk.read_source(mk.source_path(name)).cells if "id" in c.metadata] == \
        [c.id for c in edited.cells if "id" in c.metadata]  # named ids survive, Jupyter's new id does not


def test_saving_in_jupyterlab_writes_the_py_source(nb_copy):
    """jupytext's contents manager (what JupyterLab uses, jupytext.toml pairs) writes the .py on save."""
    from jupytext import TextFileContentsManager

    cm = TextFileContentsManager()
    cm.root_dir = str(nb_copy)
    older = time.time() - 3600  # after `make notebooks` (or a checkout) the .ipynb may be the newer file
    for name in ("02-team-log", "handout-template"):
        os.utime(mk.source_path(name), (older, older))
        opened = cm.get(f"{name}.ipynb")["content"]  # jupytext opens it: the inputs of both files are the same
        saved = nbformat.read(mk.notebook_path(name), as_version=4)
        assert [c.source for c in opened.cells] == [c.source for c in saved.cells]
        assert [c.get("outputs") for c in opened.cells] == [c.get("outputs") for c in saved.cells]  # checked outputs shown
    name = "handout-template"
    unchanged = mk.source_path(name).read_text(encoding="utf-8")
    model = cm.get(f"{name}.ipynb")
    cm.save(model, f"{name}.ipynb")
    assert mk.source_path(name).read_text(encoding="utf-8") == unchanged  # a save without edit changes nothing
    model = cm.get(f"{name}.ipynb")
    model["content"].cells[-1].source = "handout.footer(page)  # edited in JupyterLab"
    cm.save(model, f"{name}.ipynb")
    text = mk.source_path(name).read_text(encoding="utf-8")
    assert '# %% id="handout-10"\nhandout.footer(page)  # edited in JupyterLab\n' in text
    assert mk.read_source(mk.source_path(name)).cells[-1].id == "handout-10"


def test_out_of_sync_sees_a_source_edit(nb_copy):
    path = mk.source_path("05-scripting")
    path.write_text(path.read_text(encoding="utf-8").replace("# # Scripting the triage form", "# # Scripting"),
                    encoding="utf-8")
    problems = mk.out_of_sync("05-scripting")
    assert any("cells differ" in p for p in problems)
    assert mk.main(["--check", "05-scripting"]) == 1


def test_unknown_notebook_names_are_refused(capsys):
    with pytest.raises(SystemExit):
        mk.main(["06-nothing"])
    assert "unknown notebook" in capsys.readouterr().err


def _kit_imports(tree: ast.AST) -> list[tuple[str, list[str]]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.split(".")[0] == "kit"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kit":
            found.append((node.module, [a.name for a in node.names]))
    return found


@pytest.mark.parametrize("name", mk.NOTEBOOKS)
def test_sources_import_only_the_public_api_or_layer_modules(name):
    tree = ast.parse(mk.source_path(name).read_text(encoding="utf-8"))
    imports = _kit_imports(tree)
    assert imports, "every notebook uses the kit"
    for module, names in imports:
        assert module in TOP_LEVEL or module.startswith(tuple(f"{layer}." for layer in LAYERS)) or module in LAYERS, module
        assert importlib.util.find_spec(module) is not None, module
        mod = importlib.import_module(module)
        missing = [n for n in names if not hasattr(mod, n)]
        assert not missing, (module, missing)


def test_ruff_checks_the_sources():
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this Python")
    sources = [str(mk.source_path(n).relative_to(ROOT)) for n in mk.NOTEBOOKS]
    listed = subprocess.run([str(ruff), "check", "--show-files", "."], cwd=ROOT, capture_output=True, text=True).stdout
    assert all(str(ROOT / s) in listed for s in sources)  # `ruff check .` includes them
    out = subprocess.run([str(ruff), "check", *sources], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout


def test_the_py_sources_are_what_jupytext_reads_as_notebooks():
    for name in mk.NOTEBOOKS:
        nb = jupytext.read(mk.source_path(name))  # format guessed from the text, as `jupytext --sync` does
        assert [c.source for c in nb.cells] == [c.source for c in mk.read_source(mk.source_path(name)).cells]
