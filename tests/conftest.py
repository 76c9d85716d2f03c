"""Shared test helpers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_cases() -> list[dict]:
    return json.loads((ROOT / "data" / "cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def cases() -> list[dict]:
    return load_cases()
