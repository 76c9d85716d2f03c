"""Root pytest hooks for the whole suite (tests/ and notebooks/).

``KIT_FAIL_ON_SKIP=1`` (set by ``.ci/run``) turns any skipped test into a failed run: in CI
every dependency, Debian's chromium included, is installed, so a skip would only hide a
test that did not run (e.g. the real-browser tests).
"""

from __future__ import annotations

import os

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("KIT_FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"KIT_FAIL_ON_SKIP=1: {len(skipped)} test(s) skipped; in CI every test must run:", red=True)
        for rep in skipped:
            reporter.write_line(f"  {rep.nodeid}: {rep.longrepr[-1] if isinstance(rep.longrepr, tuple) else rep.longrepr}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
