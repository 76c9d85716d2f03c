"""The docs read the one source of truth: the README's thresholds table is generated from kit.engine.thresholds."""

from __future__ import annotations

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
