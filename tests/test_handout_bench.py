"""``benchmarks/handout_bench.py`` runs, small (two athletes, one run): its report, not its timings, is checked."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report():
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "handout_bench.py"), "--athletes", "2", "--repeat", "1",
                        "--json"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    assert len(lines) == 1, p.stdout  # one JSON object, nothing else on stdout
    return json.loads(lines[0])


def test_handout_bench_reports_times_for_one_and_all(report):
    r = report["compiled"]
    for key in ("one_s", "one_cpu_s", "all_s", "all_cpu_s"):
        assert isinstance(r[key], float) and r[key] > 0, key
    assert r["handouts"] == 2 and len(r["one_runs_s"]) == 1
    assert r["handout_bytes"] > 1_000_000  # plotly.js inlined once
    assert "meets_targets" not in r  # the targets are for the 15 sample athletes only
    assert report["target_one_s"] == 3 and report["target_all_s"] == 15


def test_handout_bench_finds_the_files_reproducible(report):
    assert report["compiled"]["reproducible"] is True
