"""Measure how long a change in the triage form takes to update the result panel.

    .venv/bin/python notebooks/measure_form.py            # in Python and in a kernel
    .venv/bin/python notebooks/measure_form.py --browser  # also click-to-banner in JupyterLab (headless Chromium)

1. **Python** (no kernel): set a widget value, the observer re-scores and redraws the panel
   (:meth:`kit.views.widgets.TriageForm.refresh`), with the draft written to a SQLite store.
2. **Kernel**: the same inside an IPython kernel, so every trait change is serialised and
   sent as a comm message.
3. **Browser**: in JupyterLab, a click on "yes"/"no" of "confused" until the banner's DOM
   changes (timed in the page with ``performance.now()`` and a MutationObserver): the round
   trip page -> kernel -> page.

Median and p95 in milliseconds are printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

N = 200

_SNIPPET = """
import json, statistics, tempfile, pathlib
from time import perf_counter
from kit.store import Store
from kit.views.widgets import TriageForm
st = Store(pathlib.Path(tempfile.mkdtemp()) / "m.sqlite")
form = TriageForm(store=st)
vals = ["yes", "no", "unknown"]
ts = []
for i in range({n}):
    t = perf_counter(); form.inputs["tremor"].value = vals[i % 3]; ts.append(perf_counter() - t)
ts.sort()
print(json.dumps({{"median": statistics.median(ts), "p95": ts[int(0.95 * len(ts)) - 1]}}))
"""


def _stats(ts: list[float]) -> dict[str, float]:
    ts = sorted(ts)
    return {"median": statistics.median(ts), "p95": ts[int(0.95 * len(ts)) - 1]}


def _fmt(name: str, s: dict[str, float], n: int) -> str:
    return f"{name:8} n={n:4}  median {s['median'] * 1e3:7.2f} ms   p95 {s['p95'] * 1e3:7.2f} ms"


def in_python(n: int = N) -> dict[str, float]:
    """Widget value set -> panel redrawn (+ draft saved), no kernel."""
    from time import perf_counter

    from kit.store import Store
    from kit.views.widgets import TriageForm

    with tempfile.TemporaryDirectory() as tmp:
        st = Store(Path(tmp) / "m.sqlite")
        form = TriageForm(store=st)
        vals = ["yes", "no", "unknown"]
        ts = []
        for i in range(n):
            t = perf_counter()
            form.inputs["tremor"].value = vals[i % 3]
            ts.append(perf_counter() - t)
        st.close()
    return _stats(ts)


def in_kernel(n: int = N) -> dict[str, float]:
    """The same inside an IPython kernel (comm messages really sent)."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        out: list[str] = []
        kc.execute_interactive(_SNIPPET.format(n=n), timeout=120,
                               output_hook=lambda m: out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
        return json.loads("".join(out).strip().splitlines()[-1])
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def in_browser(n: int = 40) -> dict[str, float]:
    """Click -> banner DOM change in JupyterLab (headless Chromium), timed in the page."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import shutil
    import subprocess

    from playwright.sync_api import sync_playwright
    from test_browser_lab import CHROMIUM, CHROMIUM_ARGS, _free_port, _lab_settings, _run_all, _stop, _wait_http

    from kit.cli.lab import ROOT, TRIAGE_NOTEBOOK, lab_command, lab_env

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "root" / "notebooks").mkdir(parents=True)
        shutil.copy(ROOT / TRIAGE_NOTEBOOK, tmp_path / "root" / TRIAGE_NOTEBOOK)
        port = _free_port()
        env = lab_env(tmp_path / "s.sqlite") | _lab_settings(tmp_path)
        log = tmp_path / "lab.log"
        with log.open("w") as fh:
            proc = subprocess.Popen(lab_command(tmp_path / "root", TRIAGE_NOTEBOOK, port=port, token="m", open_browser=False),
                                    env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_http(f"http://127.0.0.1:{port}/api/status?token=m", proc, log)
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                page = b.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"http://127.0.0.1:{port}/lab/tree/{TRIAGE_NOTEBOOK}?token=m")
                _run_all(page)
                page.wait_for_timeout(1000)
                ts = page.evaluate("""async (n) => {
                    const banner = document.querySelector('.kit-escalation');
                    const btn = (label) => [...document.querySelectorAll('.kit-field-confusion button')]
                        .find(b => b.textContent.trim() === label);
                    const out = [];
                    for (let i = 0; i < n; i++) {
                        const want = i % 2 === 0 ? 'emergency' : 'none';  // '?' leaves no finding: neutral banner
                        const t0 = performance.now();
                        const done = new Promise(resolve => {
                            const obs = new MutationObserver(() => {
                                const el = banner.querySelector('[data-tier]');
                                if (el && el.dataset.tier === want) { obs.disconnect(); resolve(performance.now()); }
                            });
                            obs.observe(banner, {subtree: true, childList: true, characterData: true});
                        });
                        btn(i % 2 === 0 ? 'yes' : '?').click();
                        out.push((await done) - t0);
                        await new Promise(r => setTimeout(r, 50));
                    }
                    return out;
                }""", n)
                b.close()
        finally:
            _stop(proc)
    return _stats([t / 1e3 for t in ts])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--browser", action="store_true", help="also measure click-to-banner in JupyterLab")
    args = ap.parse_args(argv)
    print(_fmt("python", in_python(), N))
    print(_fmt("kernel", in_kernel(), N))
    if args.browser:
        print(_fmt("browser", in_browser(), 40))
    return 0


if __name__ == "__main__":
    sys.exit(main())
