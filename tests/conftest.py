"""Shared test helpers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

# In CI (CI=true) property tests run a fixed, reproducible set of examples: a red CI is then a
# real, repeatable failure; local runs keep exploring new examples.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for servers the tests start)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


T = TypeVar("T")


def http_status(url: str, timeout: float = 10) -> int | None:
    """The HTTP status ``url`` answers with (an error status too), or ``None`` while nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:  # refused, reset, timed out: not listening yet
        return None


def wait_for_server(answer: Callable[[], T | None], proc: subprocess.Popen, log: Path, *, timeout: float = 60,
                    what: str = "the server") -> T:
    """Poll ``answer`` until it gives a value (``None`` or an OSError: not yet); fail if ``proc`` exits or time runs out."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            got = answer()
        except OSError:
            got = None
        if got is not None:
            return got
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not answer in {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop_server(proc: subprocess.Popen, *, grace: float = 15) -> bool:
    """Stop a server started with ``start_new_session=True`` and all it started (kernels), as Ctrl-C would.

    SIGTERM to its process group, SIGKILL after ``grace`` seconds; then SIGKILL to anything left in
    the group. ``True`` when the server stopped by itself within ``grace``.
    """
    stopped = True
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            stopped = False
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    try:  # kernels left in the group
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return stopped


def load_cases() -> list[dict]:
    return json.loads((ROOT / "data" / "cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def cases() -> list[dict]:
    return load_cases()


# ---- real browser (Debian's chromium driven by Playwright; a browser download is not possible) ----

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the module; skipped (a failure in CI) when chromium is not installed."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it: make browser)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
