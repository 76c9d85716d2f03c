"""The docs read the one source of truth: the README's thresholds table is generated from kit.engine.thresholds.

Every ``kit/...`` path and ``kit.x.y`` name in README.md and docs/*.md exists (after a move, the docs follow).
"""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

from kit.engine.thresholds import thresholds_markdown
from tests.conftest import ROOT


def test_readme_thresholds_table_matches_the_kit():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- thresholds:start -->")[1].split("<!-- thresholds:end -->")[0].strip()
    assert block == thresholds_markdown(), "run: python -m kit thresholds --markdown and paste it into README.md"


def test_readme_first_screen_gives_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("<!-- sections:start -->")[0]
    commands = [line.split("#")[0].strip() for line in head.splitlines() if line.startswith("make ")]
    assert commands == ["make lab", "make test"]


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def _readme_layout() -> set[str]:
    """The module paths the README's "Project layout" section names (``kit/engine/`` then ``    fields.py``)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Project layout", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    named, folder = set(), ""
    for line in block.splitlines():
        if not line.strip():
            continue
        word = line.split()[0]
        if not line.startswith(" "):
            folder = word if word.endswith("/") else ""
            if word.endswith(".py"):
                named.add(word)
        elif word.endswith(".py") and folder:
            named.add(folder + word)
    return named


def test_readme_layout_names_every_module_of_the_package():
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "kit").rglob("*.py")
               if not (p.name == "__init__.py" and p.parent != ROOT / "kit")}
    named = _readme_layout()
    assert modules - named == set(), "modules missing from the README's Project layout section"
    assert named - modules == set(), "the README's Project layout names modules that do not exist"


def _docs() -> list[Path]:
    """README.md and docs/*.md (docs/reference/ holds the clinical and contract sources, not kit docs)."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


#: ``kit/x.py``, ``kit/x/``, ``kit/data/...`` (not ``postrun-kit/...``: a ``-``, ``/``, ``.`` or letter before it).
_KIT_PATH = re.compile(r"(?<![\w./-])kit/[\w./-]*")
#: ``kit.x.y`` (a module or an attribute of one).
_KIT_NAME = re.compile(r"(?<![\w./-])kit(?:\.[A-Za-z_]\w*)+")


def _wheel_only() -> list[str]:
    """Paths the wheel gets through hatch ``force-include`` (``kit/data/notebooks/...``): not in the source tree."""
    with (ROOT / "pyproject.toml").open("rb") as fh:
        meta = tomllib.load(fh)
    return list(meta["tool"]["hatch"]["build"]["targets"]["wheel"].get("force-include", {}).values())


def _named(pattern: re.Pattern[str], extra: tuple[Path, ...] = ()) -> dict[str, str]:
    """Each name ``pattern`` finds in the docs (and ``extra`` files; a sentence's full stop dropped), with the first file naming it."""
    out: dict[str, str] = {}
    for doc in (*_docs(), *extra):
        for m in pattern.finditer(doc.read_text(encoding="utf-8")):
            out.setdefault(m.group(0).rstrip(".,"), doc.relative_to(ROOT).as_posix())
    return out


def _missing(named: dict[str, str]) -> dict[str, str]:
    wheel = _wheel_only()
    return {path: doc for path, doc in named.items() if not (ROOT / path).exists()
            and not any(w == path or (path.endswith("/") and w.startswith(path)) for w in wheel)}


def test_every_kit_path_the_docs_name_exists():
    named = _named(_KIT_PATH)
    assert "kit/engine/fields.py" in named and "kit/data/" in named  # the pattern finds what the docs say
    assert _missing({"kit/widgets.py": "-", "kit/data/notebooks/": "-", "kit/data/note": "-"}) == {
        "kit/widgets.py": "-", "kit/data/note": "-"}  # the check can fail; the wheel's force-include counts
    assert _missing(named) == {}, "paths named in the docs that are neither in the tree nor force-included in the wheel"


def _resolves(name: str) -> bool:
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def test_every_kit_module_and_name_the_docs_name_exists():
    named = _named(_KIT_NAME, tuple(sorted((ROOT / "kit" / "data" / "widgets").glob("*.js"))))  # the kit's own JS comments
    assert "kit.engine.fields" in named and "kit.views.widgets.TriageForm" in named
    assert not _resolves("kit.widgets") and not _resolves("kit.engine.fields.NO_SUCH")  # the check can fail
    assert {name: doc for name, doc in named.items() if not _resolves(name)} == {}
