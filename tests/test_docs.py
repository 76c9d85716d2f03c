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
