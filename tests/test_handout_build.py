"""Handouts end to end: the in-process template + nbconvert through the CLI, privacy greps, and a real offline browser.

The browser tests open the files from ``file://`` in headless Chromium (Debian's
``chromium``) with every request routed: ``file://`` is allowed, anything else is
aborted and recorded, and the tests assert that nothing else was asked for.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kit import assess
from kit.handout import build as h
from kit.handout import sections as handout_sections
from kit.store.csvio import frame_to_records, read_log_csv, write_log_csv
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

XSS_NOTE = "<script>alert('handout-test')</script><img src=x onerror=alert(2)>"
XSS_ID = "Zoë\"><script>alert(7)</script>"
CHOSEN = "ATH-05"
DAY = "2026-11-01"
PSEUDONYM_KEY = "test-key"
A4_PRINTABLE_PX = round((210 - 2 * 12) / 25.4 * 96)  # A4 width minus the print stylesheet's 12 mm margins


def _forms(text: str) -> set[str]:
    """The ways a typed string can appear in a page: as typed, or escaped (with or without quotes)."""
    return {text, html.escape(text), html.escape(text, quote=False)}


def _start(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kit", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env={**os.environ, **(env or {})})


def _finish(proc: subprocess.Popen, timeout: float = 240) -> subprocess.CompletedProcess:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _kit(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return _finish(_start(*args, env=env))


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> dict:
    """The sample log with an injected note (latest ATH-05 row) and an athlete whose id is markup; three handouts."""
    tmp = tmp_path_factory.mktemp("handouts")
    records = frame_to_records(read_log_csv(ROOT / "data" / "sample-team-log.csv"))
    all_ids = sorted({r["athlete_id"] for r in records})
    latest = max((r for r in records if r["athlete_id"] == CHOSEN), key=lambda r: r["observed_at"])
    latest["notes"] = XSS_NOTE
    for r in records:
        if r["athlete_id"] == "ATH-13":
            r["athlete_id"] = XSS_ID
    write_log_csv(records, tmp / "full.csv")
    keep = {CHOSEN, "ATH-01", XSS_ID}
    write_log_csv([r for r in records if r["athlete_id"] in keep], tmp / "three.csv")
    out = tmp / "out"
    # the two commands run side by side
    pseudo = _start("handout", "--athlete", CHOSEN, "--log", str(tmp / "full.csv"), "--out", str(tmp / "pseudo"),
                    "--pseudonymise", "--date", DAY, env={h.PSEUDONYM_ENV: PSEUDONYM_KEY})
    res = _kit("handout", "--all", "--log", str(tmp / "three.csv"), "--out", str(out), "--date", DAY, "--jobs", "2")
    assert res.returncode == 0, res.stderr
    paths = [Path(p) for p in res.stdout.split()]
    return {"tmp": tmp, "paths": paths, "records": records, "all_ids": [*all_ids, XSS_ID], "latest": latest,
            "chosen": out / f"handout-{CHOSEN}.html", "stderr": res.stderr, "pseudo": _finish(pseudo)}


def test_all_writes_one_handout_per_athlete_and_prints_each_path(team):
    assert len(team["paths"]) == 3 and all(p.is_file() for p in team["paths"])
    assert team["chosen"] in team["paths"]
    assert f"handout-{h.safe_filename(XSS_ID)}.html" in {p.name for p in team["paths"]}
    assert "3 handouts in" in team["stderr"]


def test_same_input_and_date_give_a_byte_identical_handout(team, tmp_path):
    res = _kit("handout", "--athlete", "ATH-01", "--log", str(team["tmp"] / "three.csv"), "--out", str(tmp_path),
               "--date", DAY)
    assert res.returncode == 0, res.stderr
    again = tmp_path / "handout-ATH-01.html"
    assert again.read_bytes() == (team["tmp"] / "out" / "handout-ATH-01.html").read_bytes()


def test_handout_is_under_2_mib_with_plotly_inlined_once(team):
    for p in team["paths"]:
        text = p.read_text(encoding="utf-8")
        assert p.stat().st_size < h.MAX_HANDOUT_BYTES
        assert text.count("plotly.js (basic - minified)") == 1
        assert h.remote_references(text) == []
        assert not re.search(r"<script[^>]+src=", text)  # nothing loaded: no require.js, MathJax, widget manager


def test_handout_holds_no_other_athletes_id_or_rows(team):
    notes_of_others = {r["notes"] for r in team["records"] if r.get("notes") and r["athlete_id"] != CHOSEN}
    for p in team["paths"]:
        text = p.read_text(encoding="utf-8")
        own = [a for a in team["all_ids"] if any(f in text for f in _forms(a))]
        assert len(own) == 1, (p.name, own)
    text = team["chosen"].read_text(encoding="utf-8")
    for other in team["all_ids"]:
        if other != CHOSEN:
            assert not any(f in text for f in _forms(other))
    leaked = [n for n in notes_of_others if len(n) > 12 and any(f in text for f in _forms(n))]
    assert leaked == []


def test_typed_text_is_shown_escaped_in_the_handout(team):
    text = team["chosen"].read_text(encoding="utf-8")
    assert XSS_NOTE not in text and any(f in text for f in _forms(XSS_NOTE) - {XSS_NOTE})
    xss_page = next(p for p in team["paths"] if p.name.startswith("handout-Zo")).read_text(encoding="utf-8")
    assert "<script>alert(7)" not in xss_page and "&lt;script&gt;alert(7)&lt;/script&gt;" in xss_page
    assert "alert(7)</title>" not in xss_page


def test_handout_shows_version_date_disclaimer_once_and_sources(team):
    from kit import DISCLAIMER, __version__

    text = team["chosen"].read_text(encoding="utf-8")
    assert sum(text.count(f) for f in _forms(DISCLAIMER)) == 1
    assert f'<span class="kit-version">{__version__}</span>' in text and DAY in text
    assert "Drink to thirst" in text and "No ibuprofen or other anti-inflammatories" in text
    assert "Call emergency services now if" in text and "Source article" in text


def test_pseudonymise_replaces_the_id_everywhere(team):
    res = team["pseudo"]
    assert res.returncode == 0, res.stderr
    name = h.pseudonym(CHOSEN, PSEUDONYM_KEY)
    path = Path(res.stdout.strip())
    assert path == team["tmp"] / "pseudo" / f"handout-{name}.html"
    text = path.read_text(encoding="utf-8")
    assert name in text and "(pseudonym)" in text
    assert not re.search(r"ATH-\d\d", text)


# ---- real browser --------------------------------------------------------------------------

def _open_offline(browser, path: Path, width: int = 900):
    page = browser.new_page(viewport={"width": width, "height": 1200})
    seen = {"remote": [], "file": [], "dialogs": [], "errors": []}

    def route(r):
        url = r.request.url
        if url.startswith("file://"):
            seen["file"].append(url)
            r.continue_()
        else:
            seen["remote"].append(url)
            r.abort()

    page.route("**/*", route)
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, seen


@pytest.mark.browser
def test_handout_opens_offline_draws_the_chart_and_runs_no_injected_script(browser, team, tmp_path):
    page, seen = _open_offline(browser, team["chosen"])
    try:
        page.wait_for_selector(".js-plotly-plot .plotly svg.main-svg", timeout=15000)
        n_obs = sum(1 for r in team["records"] if r["athlete_id"] == CHOSEN)
        assert page.locator(".js-plotly-plot .scatterlayer .point").count() == n_obs
        expected = handout_sections.tier_title(assess(team["latest"]).escalation)
        assert page.locator(".kit-tier-title").inner_text().strip() == expected
        assert XSS_NOTE in page.locator(".kit-note").inner_text()  # shown as text
        assert page.locator(".kit-note script, .kit-note img").count() == 0
        page.screenshot(path=str(tmp_path / "handout.png"), full_page=True)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 1100})
        page.wait_for_timeout(300)
        for box in (page.locator(".js-plotly-plot").nth(i).bounding_box() for i in range(page.locator(".js-plotly-plot").count())):
            assert box["x"] >= 0 and box["x"] + box["width"] <= A4_PRINTABLE_PX + 1
        pdf = page.pdf(path=str(tmp_path / "handout.pdf"), format="A4", print_background=True)
        assert pdf.startswith(b"%PDF") and (tmp_path / "handout.png").stat().st_size > 10_000
        assert seen["remote"] == [] and seen["dialogs"] == [] and seen["errors"] == []
        assert seen["file"] == [team["chosen"].as_uri()]
    finally:
        page.close()


STUDENT_CELLS = [
    ("markdown", "# My worked case\nA web image: ![logo](https://example.com/logo.png)"),
    ("code", "import ipywidgets as w\nimport plotly.graph_objects as go"),
    ("code", "pain = w.IntSlider(value=3, min=0, max=10, description='Pain')\n"
             "intensity = w.Dropdown(options=['easy', 'hard'], value='hard', description='Intensity')\n"
             "note = w.HTML('<b>Note</b><script>alert(11)</script><img src=x onerror=alert(12)>')\n"
             "w.VBox([pain, intensity, note])"),
    ("code", "pain.value = 7\nintensity.value = 'easy'"),
    ("code", "go.Figure(go.Bar(x=['a', 'b'], y=[1, 3]))"),
    ("code", "go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2])).show(renderer='notebook_connected')"),
]


@pytest.mark.browser
def test_export_keeps_charts_interactive_and_widgets_last_state_offline(browser, tmp_path):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    for kind, src in STUDENT_CELLS:
        nb.cells.append(nbformat.v4.new_markdown_cell(src) if kind == "markdown" else nbformat.v4.new_code_cell(src))
    path = tmp_path / "student.ipynb"
    nbformat.write(nb, path)
    res = _kit("export", str(path), "--execute", "--out", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    dest = Path(res.stdout.strip())
    assert dest == tmp_path / "out" / "student.html" and "1 web reference" in res.stderr
    text = dest.read_text(encoding="utf-8")
    assert h.remote_references(text) == []
    body = text.split("</head>", 1)[1]  # after the inlined plotly.js
    assert "<script>alert(11)" not in body and not re.search(r"<[a-z][^>]*\bonerror", body)  # shown only as code text
    assert text.count("plotly.js (basic - minified)") == 1 and "cdn.plot.ly" not in text.split("plotly.js (basic")[0]
    page, seen = _open_offline(browser, dest, width=1100)
    try:
        page.wait_for_selector(".js-plotly-plot .plotly svg.main-svg", timeout=15000)
        assert page.locator(".kit-chart .js-plotly-plot").count() == 2
        assert page.locator(".kit-widget-IntSlider output").inner_text() == "7"  # the last state, not the first
        assert page.locator(".kit-widget-Dropdown output").inner_text() == "easy"
        page.locator(".kit-chart .js-plotly-plot").first.hover()  # interactive: plotly's hover layer answers
        page.screenshot(path=str(tmp_path / "export.png"), full_page=True)
        assert seen["remote"] == [] and seen["dialogs"] == [] and seen["errors"] == []
        assert all(u.startswith("file://") for u in seen["file"])
    finally:
        page.close()
