"""Build the notebooks from their sources: each ``notebooks/NAME.py`` (jupytext ``py:percent``) is
read, executed and stripped, and written as ``notebooks/NAME.ipynb``.

    make notebooks                                                  # all (re-executes every notebook)
    .venv/bin/python notebooks/make_notebooks.py 01-triage          # one
    .venv/bin/python notebooks/make_notebooks.py instructor/03-workshop-answer-key
    .venv/bin/python notebooks/make_notebooks.py --pull 01-triage   # after editing the .ipynb in Jupyter:
                                                                    # write its cells back to 01-triage.py
    .venv/bin/python notebooks/make_notebooks.py --check            # is every pair in sync? (no kernel)

The ``.py`` files are the source (reviewed, and checked by ruff); the ``.ipynb`` files are what
JupyterLab, Voila, nbval and the wheel use. ``notebooks/jupytext.toml`` pairs the two
(``formats = "ipynb,py:percent"``), so saving a notebook in JupyterLab (jupytext is installed)
writes its ``.py`` too; ``--pull`` does the same from the command line. See docs/notebooks.md.

Cells only import, call and display: all logic is in ``kit/``. Each notebook is executed with
nbclient (with ``KIT_STORE`` pointing at a throw-away store), then stripped: cells whose first
line is ``# NBVAL_CHECK_OUTPUT`` keep their outputs and execution counts (nbval compares them,
so a change in scoring fails ``pytest``); every other cell is saved without outputs and with a
null execution count (nbval runs it and checks it raises nothing); widget state and the
kernel's Python version (``language_info``) are not saved, so a rebuild elsewhere changes nothing.
Cells tagged ``kit-lab-only`` are left out of the Voila app. Notebooks under ``instructor/``
are for instructors only (the workshop's answer key). Cell ids are ``c00``, ``c01``, ... unless
a cell names one in its metadata (``# %% id="handout-01"`` in the ``.py``, ``"metadata": {"id": ...}``
in the ``.ipynb``): the handout template's ids, which kit.handout and its tests use.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from jupytext.config import load_jupytext_config
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
CHECK = "# NBVAL_CHECK_OUTPUT"
LAB_ONLY = "kit-lab-only"
FORMAT = "py:percent"
NOTEBOOKS = (
    "01-triage",
    "02-team-log",
    "03-workshop-cases",
    "04-thresholds",
    "05-scripting",
    "handout-template",
    "instructor/03-workshop-answer-key",
)
NOTEBOOK_METADATA: dict[str, Any] = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def source_path(name: str) -> Path:
    """The ``py:percent`` source of notebook ``name`` (``notebooks/NAME.py``)."""
    return HERE / f"{name}.py"


def notebook_path(name: str) -> Path:
    """The built notebook ``notebooks/NAME.ipynb``."""
    return HERE / f"{name}.ipynb"


def default_id(index: int) -> str:
    """The id of the cell at ``index`` when its header names none."""
    return f"c{index:02d}"


def _config() -> Any:
    return load_jupytext_config(str(HERE))


def read_source(path: Path) -> nbformat.NotebookNode:
    """The notebook a ``.py`` source describes: cells, tags, ids and notebook metadata, no outputs."""
    nb = jupytext.read(path, fmt=FORMAT, config=_config())
    for i, cell in enumerate(nb.cells):
        cell.id = cell.metadata.get("id", default_id(i))  # stable ids: a rebuild changes only what really changed
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    extra = {k: v for k, v in nb.metadata.items() if k not in NOTEBOOK_METADATA and k != "jupytext"}
    nb.metadata = nbformat.from_dict({**NOTEBOOK_METADATA, **extra})
    nb.nbformat, nb.nbformat_minor = nbformat.v4.nbformat, nbformat.v4.nbformat_minor
    return nb


def source_text(nb: nbformat.NotebookNode) -> str:
    """The ``.py`` text of notebook ``nb``, as jupytext writes it (``jupytext --sync`` and JupyterLab write the same).

    Cell ids are not written (ids Jupyter gives to new cells are not kept: a build numbers cells
    ``c00``, ``c01``, ...) except a named id, which a cell carries in its metadata (``id``) in both files.
    """
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return jupytext.writes(nb, fmt=FORMAT, config=_config())


def inputs(nb: nbformat.NotebookNode) -> list[tuple[str, str, str, dict[str, Any]]]:
    """What the source fixes in a notebook: per cell its type, id, source and metadata (outputs aside)."""
    return [(c.cell_type, c.get("id", ""), c.source, {k: v for k, v in c.metadata.items() if k != "execution"})
            for c in nb.cells]


def out_of_sync(name: str) -> list[str]:
    """Why notebook ``name`` and its source disagree (empty when the pair is in sync); no kernel is started."""
    src = source_path(name)
    built = read_source(src)
    saved = nbformat.read(notebook_path(name), as_version=4)
    problems = []
    if inputs(built) != inputs(saved):
        problems.append(f"{name}.ipynb cells differ from {name}.py: run make_notebooks.py {name} (or --pull {name})")
    if built.metadata != saved.metadata:
        problems.append(f"{name}.ipynb metadata differs from what {name}.py makes: run make_notebooks.py {name}")
    if source_text(saved) != src.read_text(encoding="utf-8"):
        problems.append(f"{name}.py is not what jupytext writes from {name}.ipynb: run make_notebooks.py --pull {name}")
    return problems


def build(name: str) -> Path:
    """Read the source of notebook ``name``, execute it, strip it and write its ``.ipynb``; returns its path."""
    nb = read_source(source_path(name))
    path = notebook_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)  # the kernel runs in the notebook's folder
    with tempfile.TemporaryDirectory() as tmp:
        old = os.environ.get("KIT_STORE")
        os.environ["KIT_STORE"] = str(Path(tmp) / "build.sqlite")
        try:
            NotebookClient(nb, timeout=120, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        finally:
            if old is None:
                os.environ.pop("KIT_STORE", None)
            else:
                os.environ["KIT_STORE"] = old
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code" and not cell.source.startswith(CHECK):
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)  # widget state
    nb.metadata["language_info"] = dict(NOTEBOOK_METADATA["language_info"])  # the kernel adds its Python version
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return path


def pull(name: str) -> Path:
    """Write ``NAME.py`` from ``NAME.ipynb`` (after an edit in Jupyter without jupytext pairing); returns its path.

    The same as ``jupytext --sync notebooks/NAME.ipynb`` when the ``.ipynb`` is the newer file.
    """
    path = source_path(name)
    path.write_text(source_text(nbformat.read(notebook_path(name), as_version=4)), encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"notebooks to handle (default: all: {', '.join(NOTEBOOKS)})")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--pull", action="store_true", help="write each NAME.py from NAME.ipynb instead of building")
    mode.add_argument("--check", action="store_true", help="report pairs out of sync (exit 1), start no kernel")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(NOTEBOOKS))
    if unknown:
        parser.error(f"unknown notebook(s): {', '.join(unknown)}; known: {', '.join(NOTEBOOKS)}")
    names = args.names or list(NOTEBOOKS)
    if args.check:
        problems = [p for name in names for p in out_of_sync(name)]
        print("\n".join(problems) or f"{len(names)} notebooks in sync with their .py sources")
        return 1 if problems else 0
    for name in names:
        print("wrote", (pull(name) if args.pull else build(name)).relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
