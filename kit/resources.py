"""Package data: teaching cases, the sample team log, the notebooks, the handout template.

Everything the kit reads at run time is found here, with :mod:`importlib.resources`. In a
built wheel the files live in ``kit/data/`` (``pyproject.toml`` maps the checkout's
``notebooks/*.ipynb``, ``data/cases.json`` and ``data/sample-team-log.csv`` there with
hatch's ``force-include``); in a source checkout (an editable install) the same names are
read from the checkout's own ``notebooks/`` and ``data/`` folders. There is one copy of each
file in the repository.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["PACKAGE_DATA", "NOTEBOOKS", "HANDOUT_TEMPLATE", "data_path", "notebook_path", "notebooks_dir",
           "sample_log_path", "cases_path", "load_cases"]

#: ``kit/data`` of the installed package (an on-disk folder: the kit is never run from a zip).
PACKAGE_DATA: Path = Path(str(resources.files("kit").joinpath("data")))
_CHECKOUT = Path(__file__).resolve().parents[1]
#: package-data name -> the checkout path it is built from (pyproject.toml, force-include).
_CHECKOUT_SOURCES = {
    "notebooks": _CHECKOUT / "notebooks",
    "cases.json": _CHECKOUT / "data" / "cases.json",
    "sample-team-log.csv": _CHECKOUT / "data" / "sample-team-log.csv",
}
#: The notebooks shipped with the kit (the order of the README), and the handout template.
NOTEBOOKS = ("01-triage.ipynb", "02-team-log.ipynb", "03-workshop-cases.ipynb", "04-thresholds.ipynb",
             "05-scripting.ipynb")
HANDOUT_TEMPLATE = "handout-template.ipynb"


def data_path(name: str) -> Path:
    """The path of a package-data file or folder (``"cases.json"``, ``"notebooks/01-triage.ipynb"``).

    Raises :class:`FileNotFoundError` naming both places looked at when neither has it.
    """
    packaged = PACKAGE_DATA / name
    if packaged.exists():
        return packaged
    head, _, rest = name.partition("/")
    source = _CHECKOUT_SOURCES.get(head)
    if source is not None and (_CHECKOUT / "pyproject.toml").is_file():  # a source checkout, never site-packages' neighbours
        checkout = source / rest if rest else source
        if checkout.exists():
            return checkout
    raise FileNotFoundError(f"postrun-kit's data file {name!r} is missing from {PACKAGE_DATA} (the installation is incomplete: "
                            "reinstall postrun-kit)")


def notebooks_dir() -> Path:
    """The folder holding the shipped notebooks (read-only: :mod:`kit.cli.lab` copies them to a working folder)."""
    return data_path("notebooks")


def notebook_path(name: str) -> Path:
    """One shipped notebook, e.g. ``notebook_path("01-triage.ipynb")``."""
    return data_path(f"notebooks/{name}")


def sample_log_path() -> Path:
    """The synthetic sample team log (CSV) shipped with the kit."""
    return data_path("sample-team-log.csv")


def cases_path() -> Path:
    """The public teaching cases (JSON) shipped with the kit."""
    return data_path("cases.json")


def load_cases(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The public teaching cases (``data/cases.json`` of the checkout, ``kit/data/cases.json`` when installed)."""
    src = Path(path) if path is not None else cases_path()
    cases: list[dict[str, Any]] = json.loads(src.read_text(encoding="utf-8"))
    return cases
