"""nbval set-up for the notebooks: each notebook's kernel gets a throw-away store.

``pytest`` runs the notebooks with ``--nbval-lax --nbval-current-env`` (pyproject.toml):
every cell runs and must not raise; cells marked ``# NBVAL_CHECK_OUTPUT`` must also
reproduce their saved output. The kernel starts while the first cell is set up, so the
store path is put into the environment only around that set-up (tests in ``tests/`` never
see it), and the user's own store is never touched.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="kit-nbval-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    old = os.environ.get("KIT_STORE")
    os.environ["KIT_STORE"] = str(_TMP / f"{Path(str(item.fspath)).stem}.sqlite")
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("KIT_STORE", None)
        else:
            os.environ["KIT_STORE"] = old
