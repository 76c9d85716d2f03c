"""The Voila app on a phone (390x844, touch) and on a desktop, in headless Chromium (Debian's ``chromium``).

At the trackside a trainer has a phone (issue 13): one column, the tier banner stuck to the
top of the screen and updated on every tap, red flags first, the glucose unit toggle on
screen, yes/no/? on one line, 44 px targets, 16 px input text, a collapsed intro and a page
title that names the kit. axe-core (vendored from npm in ``tests/vendor/``) must find no
critical or serious violation. Drafts belong to the browser session that made them: a reload
of the same tab offers them, another browser never sees them.

Screenshots go to the test's tmp dir, and also to ``KIT_SHOTS_DIR`` when it is set (e.g.
``KIT_SHOTS_DIR=/work/shots``, outside the repository).
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit import assess
from kit.cli.app import app_command, app_notebook
from kit.cli.lab import lab_env
from tests.conftest import free_port, stop_server
from tests.test_browser_lab import _record_external_requests, _wait_http, save_shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
BANNER = ".kit-escalation .kit-banner"


def _shot(page, tmp_path: Path, name: str, **kw) -> Path:
    return save_shot(page, tmp_path, f"app-{name}", **kw)


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[str]:
    """The Voila app (``kit app``'s command line) on 127.0.0.1 with a throw-away store; yields its URL."""
    tmp = tmp_path_factory.mktemp("app")
    nb = app_notebook(tmp)
    port = free_port()
    log = tmp / "voila.log"
    env = lab_env(tmp / "store.sqlite")
    env["JUPYTER_RUNTIME_DIR"] = str(tmp / "runtime")
    # `kit app` with a token (issue 11: the app server reads KIT_APP_TOKEN; a server without the check ignores it)
    token = env["KIT_APP_TOKEN"] = secrets.token_hex(16)
    with log.open("w") as fh:
        proc = subprocess.Popen(app_command(nb, port=port, open_browser=False), env=env, cwd=tmp, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_http(f"http://127.0.0.1:{port}/?token={token}", proc, log)
        yield f"http://127.0.0.1:{port}/?token={token}"
    finally:
        stop_server(proc)


def _open(browser, url: str, **context):
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    page.goto(url, timeout=60_000)
    expect(page.locator(BANNER)).to_have_attribute("data-tier", "none", timeout=60_000)
    page.locator(".kit-field-confusion [role='radiogroup']").wait_for(timeout=15_000)  # the page helper ran
    return ctx, page


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def _inside(box: dict, width: int, height: int) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height


def _scrolled(page) -> float:
    """How far the page is scrolled, in any scrolling element (Voila's lab shell scrolls a panel, not the window)."""
    return page.evaluate("() => window.scrollY + Array.from(document.querySelectorAll('*')).reduce((s, e) => s + e.scrollTop, 0)")


def axe_violations(page, context: str = "document") -> list[dict]:
    """axe-core's violations on the page (or inside ``context``, a CSS selector): id, impact, nodes."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "async (ctx) => (await axe.run(ctx === 'document' ? document : {include: [ctx]}, "
        "{resultTypes: ['violations']})).violations.map(v => ({id: v.id, impact: v.impact, "
        "nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5), n: v.nodes.length}))", context)


def test_phone_confused_yes_shows_the_emergency_banner_on_screen_and_the_unit_toggle_fits(browser, app, tmp_path):
    ctx, page = _open(browser, app, **PHONE)
    external = _record_external_requests(page)
    try:
        assert "postrun-kit" in page.title()
        assert page.locator("details.kit-intro").evaluate("d => d.open") is False  # the intro is folded on a phone
        _shot(page, tmp_path, "phone-1-blank.png")
        # red flags first, and "confused" is the first of them
        assert page.locator(".kit-inputs h2").first.inner_text().startswith("Red flags")
        assert _scrolled(page) == 0 and _inside(_box(page, ".kit-field-confusion"), 390, 844)
        page.locator(".kit-field-confusion button", has_text="yes").tap()
        banner = page.locator(BANNER)
        expect(banner).to_have_attribute("data-tier", "emergency", timeout=15_000)
        assert _inside(_box(page, BANNER), 390, 844), _box(page, BANNER)  # seen without scrolling
        assert _scrolled(page) == 0
        expect(banner).to_contain_text("Call emergency services now")
        expect(banner).not_to_contain_text("how sure")  # no confidence on an emergency banner
        _shot(page, tmp_path, "phone-2-emergency.png")

        unit = page.locator(".kit-field-blood_glucose_unit")
        unit.scroll_into_view_if_needed()
        box = unit.bounding_box()
        assert _inside(box, 390, 844), box  # fully on screen, not cut at the right edge
        for b in unit.locator("button").all():
            bb = b.bounding_box()
            assert _inside(bb, 390, 844) and bb["height"] >= 44, bb
            assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('.kit-field-blood_glucose_unit') !== null",
                                 [bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2])  # not under the banner
        assert _inside(_box(page, BANNER), 390, 844)  # the banner is stuck to the top while scrolled
        _shot(page, tmp_path, "phone-3-unit-toggle.png")
        page.locator(BANNER).get_by_text("What to do").tap()  # the banner's link down to the actions
        heading = page.locator("#kit-todo-list")
        expect(heading).to_be_in_viewport(timeout=10_000)
        assert heading.bounding_box()["y"] >= _box(page, BANNER)["y"] + _box(page, BANNER)["height"] - 1  # not under it
        _shot(page, tmp_path, "phone-4-what-to-do.png")
        assert external == []
    finally:
        ctx.close()


def test_phone_banner_stays_on_top_and_follows_every_tap(browser, app, tmp_path):
    ctx, page = _open(browser, app, **PHONE)
    try:
        field = page.locator(".kit-field-muscle_weakness")
        field.scroll_into_view_if_needed()
        assert _scrolled(page) > 300  # scrolled down
        field.locator("button", has_text="no").tap()
        expected = assess({"muscle_weakness": False}).escalation
        expect(page.locator(BANNER)).to_have_attribute("data-tier", expected, timeout=15_000)
        assert _inside(_box(page, BANNER), 390, 844)
        field.locator("button", has_text="yes").tap()
        expected = assess({"muscle_weakness": True}).escalation
        expect(page.locator(BANNER)).to_have_attribute("data-tier", expected, timeout=15_000)
        assert _inside(_box(page, BANNER), 390, 844)
        _shot(page, tmp_path, "phone-5-scrolled.png")
    finally:
        ctx.close()


def test_phone_touch_targets_text_size_and_yes_no_unknown_on_one_line(browser, app):
    ctx, page = _open(browser, app, **PHONE)
    try:
        for name in ("confusion", "tremor", "has_diabetes"):
            buttons = page.locator(f".kit-field-{name} button").all()
            boxes = [b.bounding_box() for b in buttons]
            assert [b.inner_text() for b in buttons] == ["yes", "no", "?"]
            assert len({round(b["y"]) for b in boxes}) == 1, boxes  # one line
            assert all(b["height"] >= 44 and b["width"] >= 44 and b["x"] + b["width"] <= 390 for b in boxes), boxes
        for sel in (".kit-field-pain_score input", ".kit-field-athlete_id input", ".kit-field-intensity select",
                    ".kit-field-notes textarea"):
            el = page.locator(sel)
            assert el.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 16, sel  # no zoom on focus
            assert el.bounding_box()["height"] >= 44, sel
        assert page.locator(".kit-save").bounding_box()["height"] >= 44
    finally:
        ctx.close()


def test_yes_no_unknown_is_a_radio_group_with_aria_checked_and_arrow_keys(browser, app):
    ctx, page = _open(browser, app, **DESKTOP)
    try:
        group = page.locator(".kit-field-tremor [role='radiogroup']")
        label_id = group.get_attribute("aria-labelledby")
        assert page.locator(f"#{label_id}").inner_text() == "Trembling"
        radios = group.locator("[role='radio']")
        assert radios.evaluate_all("rs => rs.map(r => r.getAttribute('aria-checked'))") == ["false", "false", "true"]
        assert radios.nth(2).get_attribute("aria-label") == "unknown"
        radios.nth(0).click()
        expect(radios.nth(0)).to_have_attribute("aria-checked", "true", timeout=15_000)
        expect(radios.nth(2)).to_have_attribute("aria-checked", "false")
        radios.nth(0).focus()
        page.keyboard.press("ArrowRight")  # arrow keys move and select, as in a radio group
        expect(radios.nth(1)).to_have_attribute("aria-checked", "true", timeout=15_000)
        assert page.evaluate("document.activeElement.textContent") == "no"
        ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
        assert ring[0] != "none" and ring[1] >= 2, ring  # a visible focus ring
    finally:
        ctx.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_axe_finds_no_critical_or_serious_violation_in_the_app(browser, app, size, tmp_path):
    ctx, page = _open(browser, app, **(PHONE if size == "phone" else DESKTOP))
    try:
        page.locator(".kit-field-confusion button", has_text="yes").click()
        expect(page.locator(BANNER)).not_to_have_attribute("data-tier", "none", timeout=15_000)
        page.locator(".kit-causes .js-plotly-plot").wait_for(timeout=15_000)
        if size == "desktop":
            _shot(page, tmp_path, "desktop-1-emergency.png")
            page.locator(".kit-why summary").click()
            _shot(page, tmp_path, "desktop-2-why.png", full_page=True)
        assert page.locator("[role='main'] .kit-form").count() == 1  # the form is inside the main landmark
        assert page.locator("header h1").inner_text().startswith("postrun-kit")
        found = axe_violations(page)
        bad = [v for v in found if v["impact"] in ("critical", "serious")]
        print(size, "axe violations:", [(v["id"], v["impact"], v["n"]) for v in found])
        assert bad == [], bad
    finally:
        ctx.close()


def test_drafts_stay_with_the_browser_session_that_made_them(browser, app):
    ctx, page = _open(browser, app, **DESKTOP)
    other = None
    try:
        page.locator(".kit-field-athlete_id input").fill("ATH-77")
        page.locator(".kit-field-athlete_id input").press("Enter")
        page.locator(".kit-field-tremor button", has_text="yes").click()
        expect(page.locator(BANNER)).not_to_have_attribute("data-tier", "none", timeout=15_000)
        page.wait_for_timeout(500)  # the draft is written on the change
        other, phone = _open(browser, app, **PHONE)  # another browser (e.g. the phone): nothing offered
        phone.wait_for_timeout(1500)
        expect(phone.locator(".kit-restore-draft")).to_be_hidden()
        page.reload()  # the same tab again: its draft is offered
        restore = page.locator(".kit-restore-draft")
        expect(restore).to_be_visible(timeout=60_000)
        restore.click()
        expect(page.locator(".kit-field-athlete_id input")).to_have_value("ATH-77", timeout=15_000)
        expect(phone.locator(".kit-restore-draft")).to_be_hidden()
    finally:
        ctx.close()
        if other is not None:
            other.close()


def test_save_needs_an_athlete_id_in_the_app(browser, app):
    ctx, page = _open(browser, app, **PHONE)
    try:
        page.locator(".kit-field-spasm button", has_text="yes").tap()
        expect(page.locator(BANNER)).not_to_have_attribute("data-tier", "none", timeout=15_000)
        page.locator(".kit-save").tap()
        expect(page.locator(".kit-status")).to_contain_text("athlete's id", timeout=15_000)
    finally:
        ctx.close()


def test_phone_recheck_loop_has_44px_targets_and_starts_a_recheck(browser, app, tmp_path):
    """Issue 12 on a phone: the "given" ticks and Start recheck are 44 px targets inside the screen, and work by touch."""
    ctx, page = _open(browser, app, **PHONE)
    try:
        page.locator(".kit-field-blood_glucose input").fill("60")
        page.locator(".kit-field-blood_glucose_unit button", has_text="mg/dL").tap()
        low = assess({"blood_glucose": 60, "blood_glucose_unit": "mg/dL"}).escalation
        expect(page.locator(BANNER)).to_have_attribute("data-tier", low, timeout=15_000)
        tick = page.locator(".kit-given-oral_carbohydrate")
        tick.scroll_into_view_if_needed()
        for target in (tick, page.locator(".kit-start-recheck")):
            bb = target.bounding_box()
            assert _inside(bb, 390, 844) and bb["height"] >= 44, bb
        tick.locator("input[type='checkbox']").tap()
        expect(tick.locator("input[type='checkbox']")).to_be_checked()
        athlete = page.locator(".kit-field-athlete_id input")
        athlete.fill("ATH-01")
        athlete.press("Enter")
        page.locator(".kit-start-recheck").tap()
        expect(page.locator(".kit-status")).to_contain_text("Entry 1 saved", timeout=15_000)
        expect(page.locator(".kit-countdown")).to_contain_text("Recheck due", timeout=15_000)
        _shot(page, tmp_path, "phone-6-recheck.png")
    finally:
        ctx.close()
