"""``python -m kit app``: the triage form as a web app (Voila) on 127.0.0.1, no code cells.

For trainers who never want to see code. Voila runs ``notebooks/01-triage.ipynb`` and
shows only its rendered outputs: the live form and its result panel. Cells tagged
``kit-lab-only`` (the scripting examples) are left out: the app serves a copy of the
notebook without them, written to a temporary directory. Observations saved from the app
go to the store named by ``--store`` (default: ``KIT_STORE``, else the user data
directory; see :func:`kit.store.default_store_path`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from kit.lab import ROOT, TRIAGE_NOTEBOOK, lab_env, run_server

__all__ = ["LAB_ONLY_TAG", "app_notebook", "app_command", "configure", "run"]

#: Cells with this tag are shown in JupyterLab only, never in the app.
LAB_ONLY_TAG = "kit-lab-only"


def app_notebook(dest_dir: str | os.PathLike[str], source: str | os.PathLike[str] | None = None) -> Path:
    """Write the app's notebook (the triage notebook without ``kit-lab-only`` cells) into ``dest_dir``.

    Returns
    -------
    Path
        The written notebook, ``dest_dir/triage.ipynb``.
    """
    src = Path(source) if source else ROOT / TRIAGE_NOTEBOOK
    nb = json.loads(src.read_text(encoding="utf-8"))
    nb["cells"] = [c for c in nb["cells"] if LAB_ONLY_TAG not in c.get("metadata", {}).get("tags", [])]
    out = Path(dest_dir) / "triage.ipynb"
    out.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def app_command(notebook: str | os.PathLike[str], *, port: int | None = None, open_browser: bool = True,
                extra: Sequence[str] = ()) -> list[str]:
    """The ``voila`` command line serving ``notebook`` on 127.0.0.1 (sources stripped)."""
    # template kit-offline (kit/data/jupyter_data, on JUPYTER_PATH via kit.lab.lab_env): Voila's "lab"
    # template without its CDN stylesheets, so the app makes no request beyond 127.0.0.1
    cmd = [sys.executable, "-m", "voila", os.fspath(notebook), "--Voila.ip=127.0.0.1", "--strip_sources=True",
           "--template=kit-offline",
           "--show_tracebacks=False", f"--Voila.root_dir={Path(notebook).parent}"]
    if port is not None:
        cmd += [f"--port={port}", "--Voila.port_retries=0"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd + list(extra)


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``app``."""
    parser.add_argument("--store", help="observation store (default: KIT_STORE, else the user data directory)")
    parser.add_argument("--port", type=int, help="port (default: 8866 or the next free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")


def run(args: argparse.Namespace) -> int:
    """Serve the app until interrupted; returns Voila's exit status."""
    from kit.store import default_store_path

    store = default_store_path(args.store)
    env = lab_env(store)
    with tempfile.TemporaryDirectory(prefix="postrun-kit-app-") as tmp:
        nb = app_notebook(tmp)
        print(f"postrun-kit app: store {store}; serving the triage form on 127.0.0.1 (Ctrl-C to stop)", file=sys.stderr)
        # Ctrl-C, SIGTERM and SIGHUP stop Voila and its kernels; then the temporary folder is removed
        return run_server(app_command(nb, port=args.port, open_browser=not args.no_browser), env=env, cwd=tmp)
