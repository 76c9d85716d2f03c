"""Real-browser tests: JupyterLab and the Voila app in headless Chromium (Debian's ``chromium``).

The lab test starts ``jupyter lab`` exactly as ``python -m kit lab`` does (:func:`kit.cli.lab.lab_command`)
on 127.0.0.1 with a token, in a temporary copy of the triage notebook and a throw-away store;
opens the notebook, runs all cells through the menu, sets fields through the page (glucose
50 mg/dL, then "confused": yes) and checks the banner's tier (its ``data-tier``) after each
change, that the plotly cause chart rendered, that axe-core (vendored in ``tests/vendor/``)
finds no critical or serious violation in the triage form, that Save asks for an athlete id
and then reaches the store. Screenshots go to the test's tmp dir. Servers are stopped
(process group) in teardown.

``make test`` installs Debian's chromium first when it is missing (``make browser``); without
it these tests are skipped with the reason.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit import assess
from kit.cli.app import TOKEN_ENV, app_command, app_notebook
from kit.cli.lab import ROOT, TRIAGE_NOTEBOOK, lab_command, lab_env
from tests.conftest import free_port, http_status, stop_server, wait_for_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
BANNER = ".kit-escalation .kit-banner"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Wait until ``url`` answers 200."""
    wait_for_server(lambda: http_status(url, timeout=2) == 200 or None, proc, log, timeout=timeout)


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[dict]:
    """JupyterLab on 127.0.0.1 with a token, serving a tmp copy of the triage notebook."""
    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / TRIAGE_NOTEBOOK, root / TRIAGE_NOTEBOOK)
    store = tmp_path / "store.sqlite"
    port, token = free_port(), secrets.token_hex(16)
    log = tmp_path / "lab.log"
    env = lab_env(store) | _lab_settings(tmp_path)
    with log.open("w") as fh:
        proc = subprocess.Popen(lab_command(root, TRIAGE_NOTEBOOK, port=port, token=token, open_browser=False),
                                env=env, cwd=root, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", proc, log)
        yield {"url": f"http://127.0.0.1:{port}/lab/tree/{TRIAGE_NOTEBOOK}?token={token}", "store": store, "log": log}
    finally:
        stop_server(proc)


def save_shot(target, tmp_path: Path, name: str, **kw) -> Path:
    """Screenshot of a page or locator into the test's tmp dir, and into ``KIT_SHOTS_DIR`` when it is set."""
    path = tmp_path / name
    target.screenshot(path=str(path), **kw)
    shots = os.environ.get("KIT_SHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(shots) / name)
    return path


def _record_external_requests(page) -> list[str]:
    """Every request the page makes beyond 127.0.0.1 (the kit makes none: no CDN, no network)."""
    external: list[str] = []
    local = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
    page.on("request", lambda r: None if r.url.startswith(local) else external.append(r.url))
    return external


def _accept_kernel_dialog(page) -> None:
    """JupyterLab can race its kernelspec fetch on a fresh server and ask "Select Kernel": take Python 3."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count():
        dialog.locator(".jp-mod-accept").click()
        dialog.wait_for(state="detached", timeout=10_000)


def _lab_settings(tmp_path: Path) -> dict[str, str]:
    """Private JupyterLab settings/workspaces dirs (the user's are untouched); auto-start the default kernel."""
    settings = tmp_path / "lab-settings"
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"autoStartDefaultKernel": true}')
    return {"JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-workspaces"),
            "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}


def _run_all(page) -> None:
    """Run > Run All Cells; retried while the freshly started kernel drops the request (prompts stay "[ ]")."""
    started = page.locator(".jp-InputPrompt", has_text="[*]").or_(page.locator(".jp-InputPrompt", has_text="[1]"))
    for _attempt in range(8):
        page.wait_for_selector(IDLE, timeout=60_000)
        _accept_kernel_dialog(page)
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()
        try:
            started.first.wait_for(timeout=4_000)
            break
        except sync_api.TimeoutError:
            page.keyboard.press("Escape")
    page.locator(".kit-escalation").first.wait_for(timeout=60_000)


def _axe_serious(page, include: str) -> list[tuple[str, str, int]]:
    """axe-core's critical and serious violations inside ``include`` (printed: every violation found)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("async (sel) => (await axe.run({include: [sel]}, {resultTypes: ['violations']}))"
                          ".violations.map(v => [v.id, v.impact, v.nodes.length])", include)
    print("axe violations in", include, found)
    return [tuple(v) for v in found if v[1] in ("critical", "serious")]


def test_triage_notebook_in_jupyterlab_updates_banner_as_fields_change(browser, lab, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    external = _record_external_requests(page)
    try:
        page.goto(lab["url"])
        _run_all(page)
        banner = page.locator(BANNER)
        expect(banner).to_have_count(1)
        expect(banner).to_have_attribute("data-tier", "none", timeout=15_000)  # blank form: a neutral banner, no tier
        expect(banner).to_contain_text("enter findings")
        page.locator(".kit-field-confusion [role='radiogroup']").wait_for(timeout=15_000)  # the page helper ran
        blank_bad = _axe_serious(page, ".kit-form")
        save_shot(page, tmp_path, "lab-01-blank.png")

        page.locator(".kit-field-blood_glucose input").fill("50")
        expect(banner).to_have_attribute("data-tier", "invalid", timeout=15_000)  # no unit yet: never read as mg/dL
        expect(banner).to_contain_text("check input")
        page.locator(".kit-field-blood_glucose_unit button", has_text="mg/dL").click()
        low_a = assess({"blood_glucose": 50, "blood_glucose_unit": "mg/dL"})  # a low glucose
        low = low_a.escalation
        expect(banner).to_have_attribute("data-tier", low, timeout=15_000)
        glucose_recheck = bool({"recheck_glucose", "oral_carbohydrate"} & {x["id"] for x in low_a.actions})
        expect(page.locator(".kit-reassess")).to_contain_text("Recheck glucose at" if glucose_recheck else "Reassess at")

        page.locator(".kit-field-confusion button", has_text="yes").click()
        high = assess({"blood_glucose": 50, "blood_glucose_unit": "mg/dL", "confusion": True}).escalation
        assert high != low
        expect(banner).to_have_attribute("data-tier", high, timeout=15_000)  # low glucose + confusion: ADA level 3
        expect(page.locator(".kit-field-confusion [role='radio']").first).to_have_attribute("aria-checked", "true")
        expect(page.locator(".kit-causes .js-plotly-plot")).to_have_count(1, timeout=15_000)  # go.Figure in an Output
        save_shot(page, tmp_path, "lab-02-filled.png")
        save_shot(page.locator(".kit-panel"), tmp_path, "02-emergency-panel.png")
        assert blank_bad == [] and _axe_serious(page, ".kit-form") == []

        page.locator(".kit-save").click()  # no athlete id yet: not saved, and the form says why
        expect(page.locator(".kit-status")).to_contain_text("athlete's id", timeout=15_000)
        page.locator(".kit-field-athlete_id input").fill("ATH-01")
        page.locator(".kit-field-athlete_id input").press("Enter")
        page.locator(".kit-save").click()
        expect(page.locator(".kit-status")).to_contain_text("Saved to the log as #1", timeout=15_000)
        page.locator(".kit-save").click()  # a second click without a change stores nothing
        expect(page.locator(".kit-status")).to_contain_text("already saved as #1", timeout=15_000)
        save_shot(page, tmp_path, "lab-03-saved.png")
    finally:
        page.close()
    assert (tmp_path / "02-emergency-panel.png").stat().st_size > 10_000
    assert external == []

    from kit.store import Store

    with Store(lab["store"]) as st:
        saved = st.observations()
    assert len(saved) == 1 and saved[0]["confusion"] is True and saved[0]["blood_glucose"] == 50
    assert saved[0]["athlete_id"] == "ATH-01"


def test_voila_app_shows_the_live_form_without_code(browser, tmp_path):
    nb = app_notebook(tmp_path)
    port = free_port()
    log = tmp_path / "voila.log"
    env = lab_env(tmp_path / "store.sqlite")
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    token = env[TOKEN_ENV] = secrets.token_hex(16)  # the app refuses to start without one
    with log.open("w") as fh:
        proc = subprocess.Popen(app_command(nb, port=port, open_browser=False), env=env, cwd=tmp_path, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    page = None
    try:
        _wait_http(f"http://127.0.0.1:{port}/?token={token}", proc, log)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        external = _record_external_requests(page)
        page.goto(f"http://127.0.0.1:{port}/?token={token}", timeout=60_000)
        banner = page.locator(BANNER)
        expect(banner).to_have_attribute("data-tier", "none", timeout=60_000)  # no tier before a finding
        expect(banner).to_contain_text("enter findings")
        page.locator(".kit-field-confusion button", has_text="no").click()
        expect(banner).to_have_attribute("data-tier", "self_care", timeout=15_000)  # a tier once a finding is set
        page.locator(".kit-field-confusion button", has_text="yes").click()
        expect(banner).to_have_attribute("data-tier", "emergency", timeout=15_000)
        expect(page.locator(".kit-causes .js-plotly-plot")).to_have_count(1, timeout=15_000)
        assert page.locator(".jp-InputArea-editor, .CodeMirror, .cm-editor").count() == 0  # no code cells
        assert "postrun-kit" in page.title()  # the page names the kit
        assert "NBVAL_CHECK_OUTPUT" not in page.content()  # the lab-only scripting cells are not served
        page.screenshot(path=str(tmp_path / "voila.png"))
        assert external == []  # the kit-offline template loads nothing from a CDN
    finally:
        if page is not None:
            page.close()
        stop_server(proc)


def test_recheck_loop_in_jupyterlab_escalates_glucose_not_recovering(browser, lab, tmp_path):
    """Issue 12 "Done when": 60 mg/dL + sugar, recheck at +15 min 62 + sugar, recheck at +30 min 64: emergency (K1)."""
    from datetime import datetime, timedelta

    from kit.words import recheck_reason_label

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(lab["url"])
        _run_all(page)
        banner = page.locator(BANNER)
        page.locator(".kit-field-confusion [role='radiogroup']").wait_for(timeout=15_000)
        page.locator(".kit-field-athlete_id input").fill("ATH-07")
        page.locator(".kit-field-athlete_id input").press("Enter")
        page.locator(".kit-field-blood_glucose input").fill("60")
        page.locator(".kit-field-blood_glucose_unit button", has_text="mg/dL").click()
        first = assess({"blood_glucose": 60, "blood_glucose_unit": "mg/dL"}).escalation
        expect(banner).to_have_attribute("data-tier", first, timeout=15_000)
        page.locator(".kit-given-oral_carbohydrate input[type='checkbox']").check()  # sugar given
        page.locator(".kit-start-recheck").click()
        expect(page.locator(".kit-status")).to_contain_text("Entry 1 saved", timeout=15_000)
        expect(page.locator(".kit-countdown")).to_contain_text("Recheck due", timeout=15_000)
        expect(page.locator(".kit-field-blood_glucose")).to_contain_text("(from ")  # carried forward, marked
        when = page.locator(".kit-field-observed_at input")
        t0 = datetime.fromisoformat(when.input_value())  # the entry time: the clock time now
        assert abs((datetime.now() - t0).total_seconds()) < 180

        when.fill((t0 + timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M"))  # an entry made afterwards
        when.press("Enter")
        page.locator(".kit-field-blood_glucose input").fill("62")
        expect(page.locator(".kit-field-blood_glucose")).not_to_contain_text("(from ", timeout=15_000)
        page.locator(".kit-given-oral_carbohydrate input[type='checkbox']").check()  # sugar again
        page.locator(".kit-start-recheck").click()
        expect(page.locator(".kit-status")).to_contain_text("Entry 2 saved", timeout=15_000)

        when.fill((t0 + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
        when.press("Enter")
        page.locator(".kit-field-blood_glucose input").fill("64")
        expect(banner).to_have_attribute("data-tier", "emergency", timeout=15_000)
        expect(banner).to_contain_text(recheck_reason_label("glucose_not_recovering"))
        expect(banner.locator("[data-reason='glucose_not_recovering']")).to_have_count(1)
        expect(banner).to_have_attribute("data-worse", "false")  # already emergency at the previous check
        page.locator(".kit-save").click()
        expect(page.locator(".kit-status")).to_contain_text("entry 3 of episode", timeout=15_000)
        save_shot(page, tmp_path, "lab-04-recheck.png")
        assert _axe_serious(page, ".kit-form") == []
    finally:
        page.close()

    from kit.store import Store

    with Store(lab["store"]) as st:
        episodes = st.episodes()
        assert len(episodes) == 1 and episodes[0].entries == 3 and episodes[0].final_tier == "emergency"
        entries = st.observations_of_episode(episodes[0].episode_id)
    assert [o["blood_glucose"] for o in entries] == [60, 62, 64]
    assert [o.get("treatment_given") for o in entries] == [["oral_carbohydrate"], ["oral_carbohydrate"], None]
    assert [o["observed_at"][:16] for o in entries] == [
        (t0 + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M") for m in (0, 15, 30)]
