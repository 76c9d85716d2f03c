"""``benchmarks/run.py`` keeps working (it is not a timed test: only its output is checked)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

KEYS = ("assess_us_p50", "assess_us_p99", "frame_rows_per_s", "rowwise_rows_per_s", "speedup",
        "numpy_floor_rows_per_s", "peak_rss_mb", "widget_update_ms")


@pytest.fixture(scope="module")
def report():
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--rows", "20000", "--json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    assert len(lines) == 1, p.stdout  # one JSON object, nothing else on stdout
    return json.loads(lines[0])


def test_benchmark_json_has_every_key(report):
    assert set(KEYS) <= set(report)
    for key in KEYS[:-1]:
        assert isinstance(report[key], (int, float)) and report[key] > 0, key
    assert report["rows"] == 20000


def test_widget_time_is_a_number_or_null_with_a_note(report):
    value = report["widget_update_ms"]
    assert (isinstance(value, (int, float)) and value > 0) or (value is None and report.get("note"))


def test_numpy_floor_computes_what_assess_frame_computes(report):
    assert report["floor_agrees_with_assess_frame"] is True


def test_measurements_are_consistent(report):
    assert report["assess_us_p99"] >= report["assess_us_p50"]
    assert report["speedup"] == pytest.approx(report["frame_rows_per_s"] / report["rowwise_rows_per_s"], rel=0.01)
    assert report["peak_rss_mb"] >= report["frame_input_rss_mb"]
