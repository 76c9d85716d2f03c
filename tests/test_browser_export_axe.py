"""axe-core on the exported triage notebook and on a handout (issue 13 item 4, the remaining pages).

``kit export --execute`` of 01-triage after an entry, and ``kit handout --athlete ATH-05`` (the
demo store's sample season), opened from disk in headless Chromium at phone and desktop sizes:
axe-core (vendored in ``tests/vendor/``) must report no critical and no serious violation, and
the pages make no request beyond the file itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit.cli.lab import ROOT, TRIAGE_NOTEBOOK
from kit.store import Store, open_demo_store
from tests.test_browser_lab import save_shot
from tests.test_browser_phone import DESKTOP, PHONE, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ENTRY = {"athlete_id": "ATH-05", "observed_at": "2026-11-29T10:00:00Z", "tremor": True, "hunger": True,
         "blood_glucose": 60, "blood_glucose_unit": "mg/dL", "confusion": False}


def _kit(*args: str, store: Path, cwd: Path) -> None:
    env = {**os.environ, "KIT_STORE": str(store), "PYTHONPATH": str(ROOT)}
    env.pop("KIT_EXPORT", None)
    res = subprocess.run([sys.executable, "-m", "kit", *args], capture_output=True, text=True, cwd=cwd, env=env,
                         timeout=300)
    assert res.returncode == 0, res.stderr


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Iterator[dict[str, Path]]:
    """The two pages: the exported triage notebook after an entry, and ATH-05's handout."""
    tmp = tmp_path_factory.mktemp("pages")
    store = tmp / "store.sqlite"
    with Store(store) as st:
        st.save(ENTRY)
    nb = tmp / "01-triage.ipynb"
    shutil.copy(ROOT / TRIAGE_NOTEBOOK, nb)
    _kit("export", str(nb), "--execute", "--out", str(tmp / "export"), store=store, cwd=tmp)
    demo = tmp / "demo-postrun.sqlite"
    open_demo_store(demo).close()
    _kit("handout", "--athlete", "ATH-05", "--store", str(demo), "--out", str(tmp / "handouts"), store=store, cwd=tmp)
    (handout,) = (tmp / "handouts").glob("*.html")
    yield {"export": tmp / "export" / "01-triage.html", "handout": handout}


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("which", ["export", "handout"])
def test_axe_finds_no_critical_or_serious_violation(browser, pages, which, size, tmp_path):
    ctx = browser.new_context(**(PHONE if size == "phone" else DESKTOP))
    page = ctx.new_page()
    external: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "blob:", "about:")) else external.append(r.url))
    try:
        page.goto(pages[which].as_uri(), timeout=60_000)
        page.wait_for_load_state("load")
        if which == "export":
            assert page.locator(".kit-escalation").count() == 1 and "Saved entry" in page.inner_text("body")
        save_shot(page, tmp_path, f"{which}-{size}.png", full_page=True)
        found = axe_violations(page)
        print(which, size, "axe violations:", [(v["id"], v["impact"], v["n"]) for v in found])
        bad = [v for v in found if v["impact"] in ("critical", "serious")]
        assert bad == [], bad
        assert external == []
    finally:
        ctx.close()
