"""``lab``: copy the shipped notebooks to a working folder and open JupyterLab there, on the triage notebook.

What it does (``make lab`` calls it with ``--demo --dir notebooks``):

1. copies the notebooks shipped with the kit (:func:`kit.resources.notebooks_dir`) into a working
   folder (``--dir``, default ``./postrun-notebooks``), copying only the files that are missing
   there: a notebook the user already has (changed or not) is never overwritten, and the ones
   that differ from the shipped version are named. Nothing is ever written into the installed
   package;
2. opens the trainer's real observation store (:func:`kit.store.db.default_store_path`: ``--store``,
   else ``KIT_STORE``, else ``postrun.sqlite`` in the user data folder; empty at first), or with
   ``--demo`` the demo store holding the synthetic sample season
   (:func:`kit.store.db.demo_store_path`: ``demo-postrun.sqlite`` next to the real one, filled by
   :func:`kit.store.db.ensure_sample_store` when empty), and passes it to the kernels as
   ``KIT_STORE`` (the demo store also as ``KIT_DEMO_STORE``). Real saves never go into the store
   that holds the sample rows unless ``--demo`` was asked for;
3. starts ``jupyter lab`` on 127.0.0.1 with the working folder as its root, opening
   ``01-triage.ipynb``; ``--allow-root`` is added when run as root (JupyterLab refuses to start
   otherwise) and the "news" announcement toast is disabled
   (``kit/data/jupyter/labconfig/page_config.json`` on ``JUPYTER_CONFIG_PATH``).

Stopping: Ctrl-C, ``kill PID`` (SIGTERM) or a closed terminal (SIGHUP) all stop the server
and its kernels (:func:`run_server`).

:func:`lab_command` builds the same command for tests (token, port, no browser).
This module is imported only when ``lab`` or ``app`` runs (both need the ``[lab]`` extra).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from kit.cli.argtypes import PORT_MAX, PORT_MIN, port
from kit.errors import InputError
from kit.resources import NOTEBOOKS, PACKAGE_DATA, notebooks_dir
from kit.store.db import Store, StoreError, default_store_path, demo_store_path, ensure_sample_store, unreadable_store
from kit.store.private import open_private, private_dir

__all__ = ["ROOT", "TRIAGE_NOTEBOOK", "TRIAGE", "DEFAULT_DIR", "LAB_CONFIG_DIR", "CopyReport", "copy_notebooks", "lab_command",
           "lab_env", "run_server", "add_store_options", "open_chosen_store", "check_store", "store_banner", "configure", "run"]

#: The source checkout (the folder holding ``kit/``, ``notebooks/`` and ``data/``) when the kit runs from one: the
#: default root of :func:`lab_command` (tests, developers). An installed kit never uses it: ``lab`` works in ``--dir``.
ROOT = Path(__file__).resolve().parents[2]
#: The main notebook, relative to :data:`ROOT`.
TRIAGE_NOTEBOOK = "notebooks/01-triage.ipynb"
#: The main notebook in the working folder.
TRIAGE = NOTEBOOKS[0]
#: The working folder ``lab`` copies the notebooks into (relative to the current directory) when ``--dir`` is not given.
DEFAULT_DIR = "postrun-notebooks"
#: Extra Jupyter config directory: disables the announcements ("news") toast.
LAB_CONFIG_DIR = PACKAGE_DATA / "jupyter"
#: Extra Jupyter data dir: the offline Voila template ``kit-offline`` (no CDN requests).
JUPYTER_DATA_DIR = PACKAGE_DATA / "jupyter_data"


def lab_env(store: str | os.PathLike[str] | None = None, base: Mapping[str, str] | None = None, *,
            demo: bool = False) -> dict[str, str]:
    """Environment for the server and its kernels: ``KIT_STORE``, the extra config path and data path.

    With ``demo``, ``store`` is the demo store: ``KIT_DEMO_STORE`` names it too.
    """
    env = dict(os.environ if base is None else base)
    if store is not None:
        env["KIT_STORE"] = str(store)
        if demo:
            env["KIT_DEMO_STORE"] = str(store)
    for var, extra in (("JUPYTER_CONFIG_PATH", LAB_CONFIG_DIR), ("JUPYTER_PATH", JUPYTER_DATA_DIR)):
        old = env.get(var)
        env[var] = str(extra) if not old else str(extra) + os.pathsep + old
    return env


def lab_command(root: str | os.PathLike[str] = ROOT, notebook: str | None = TRIAGE_NOTEBOOK, *, port: int | None = None,
                token: str | None = None, open_browser: bool = True, extra: Sequence[str] = ()) -> list[str]:
    """The ``jupyter lab`` command line.

    Parameters
    ----------
    root : path
        Server root directory.
    notebook : str, optional
        Notebook to open, relative to ``root``.
    port : int, optional
        Port (default: JupyterLab's, 8888 or the next free one).
    token : str, optional
        Access token (default: a random one, printed in the URL).
    open_browser : bool
        Open a browser tab.
    extra : sequence of str
        More options for ``jupyter lab``.
    """
    cmd = [sys.executable, "-m", "jupyterlab", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={os.fspath(root)}"]
    if port is not None:
        cmd.append(f"--ServerApp.port={port}")
        cmd.append("--ServerApp.port_retries=0")
    if token is not None:
        cmd.append(f"--IdentityProvider.token={token}")
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    cmd += list(extra)
    if notebook:
        # the printed URL opens the notebook too (useful with --no-browser or a remote browser)
        cmd.append(f"--LabApp.default_url=/lab/tree/{Path(notebook).as_posix()}")
        cmd.append(os.fspath(Path(root, notebook)))  # absolute: independent of the working directory
    return cmd


#: Seconds a server gets to stop (and shut its kernels down) before it is killed.
STOP_GRACE_S = 10.0


def _descendants(pid: int) -> list[Any]:
    """The processes started by ``pid`` (kernels may live in sessions of their own)."""
    try:
        return list(psutil.Process(pid).children(recursive=True))
    except psutil.Error:  # the process is already gone
        return []


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run_server(cmd: Sequence[str], *, env: Mapping[str, str], cwd: str | os.PathLike[str], grace: float = STOP_GRACE_S) -> int:
    """Run a server (JupyterLab, Voila) until it ends, stopping it cleanly when this process is told to stop.

    The server runs in a process group of its own. SIGTERM and SIGHUP sent to this process, and
    Ctrl-C (SIGINT), are forwarded to that group as SIGTERM (the server stops its kernels); after
    ``grace`` seconds whatever is left of the group and its descendants is killed. The caller's
    clean-up (``finally``, temporary folders) then runs as usual.

    Returns
    -------
    int
        The server's exit status, or ``128 + signal`` when it was stopped by a signal sent to us.
    """
    received: list[int] = []
    since: list[float] = []
    family: list[Any] = []
    procs: list[subprocess.Popen[bytes]] = []

    def forward(signum: int, _frame: Any) -> None:
        if not received:
            since.append(time.monotonic())
            if procs:
                family.extend(_descendants(procs[0].pid))  # remembered now: once the server exits, orphans are re-parented
        received.append(signum)
        if procs:
            _signal_group(procs[0].pid, signal.SIGTERM)

    stops = [signal.SIGTERM, signal.SIGINT] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    try:
        old = {s: signal.signal(s, forward) for s in stops}
    except ValueError:  # not the main thread: signals cannot be caught here
        old = {}
    try:
        proc = subprocess.Popen(list(cmd), env=dict(env), cwd=cwd, process_group=0)
        procs.append(proc)
        if received:  # told to stop while starting
            _signal_group(proc.pid, signal.SIGTERM)
        killed = False
        while True:
            try:
                rc = proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if since and not killed and time.monotonic() - since[0] > grace:
                    _signal_group(proc.pid, signal.SIGKILL)
                    killed = True
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        if procs and procs[0].poll() is None:  # e.g. an exception in this process: never leave the server behind
            _signal_group(procs[0].pid, signal.SIGKILL)
            procs[0].wait()
    _signal_group(proc.pid, signal.SIGTERM)  # anything of the group still there (the server is gone)
    for p in family:
        try:
            p.terminate()
        except Exception:  # psutil.NoSuchProcess: already gone
            pass
    return 128 + received[0] if received else rc


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """``--store PATH`` and ``--demo`` (one or the other), shared by ``kit lab`` and ``kit app``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--store", metavar="PATH", help="the observation store, where Save to log writes (default: KIT_STORE, else "
                                       "postrun.sqlite in your user data folder; empty at first)")
    group.add_argument("--demo", action="store_true",
                       help="open the demo store instead: the synthetic sample season (about 300 made-up "
                            "observations) in demo-postrun.sqlite next to the real store; never for real athletes")


def open_chosen_store(args: argparse.Namespace) -> tuple[Path, bool]:
    """Create (if needed) the store ``args`` ask for and return ``(absolute path, is the demo store)``.

    The real store is created empty; the demo store gets the sample season when it is empty.
    Either is checked first as ``log list`` checks it (:func:`check_store`): a store that cannot
    be read stops the command with a message (exit 2) before any server starts.
    """
    if getattr(args, "demo", False):
        path = demo_store_path().resolve()
        check_store(path)
        ensure_sample_store(path).close()
        return path, True
    path = default_store_path(args.store).resolve()
    check_store(path)
    return path, False


def check_store(path: Path) -> None:
    """Open the store at ``path`` (created if missing) and read it, as ``log list`` does.

    Raises
    ------
    kit.errors.InputError
        ``path`` is not a store (another file, a folder, unreadable).
    kit.store.db.StoreError
        The file is a damaged store or cannot be opened (a :class:`kit.errors.KitError`: exit 2).
    """
    problem = unreadable_store(path) if path.exists() else None
    if problem is not None:
        raise InputError(f"{problem}; nothing was started (give another store with --store PATH, or move it away)")
    try:
        with Store(path) as st:
            st.count()
            st.athletes()
    except StoreError as err:
        raise StoreError(f"{err} Nothing was started (give another store with --store PATH, or move it away).",
                         path=err.path, cause=err.cause) from None


def store_banner(path: Path, demo: bool) -> str:
    """One line for the terminal saying which store is open."""
    if demo:
        return (f"DEMO store {path}: the synthetic sample season; saves go there too. For real athletes start "
                "without --demo")
    return f"store {path}"


@dataclass(frozen=True)
class CopyReport:
    """What :func:`copy_notebooks` did: notebooks copied, kept as they were, and kept although they differ."""

    folder: Path
    copied: list[str]
    kept: list[str]
    changed: list[str]

    def message(self) -> str:
        """One line for the terminal (with the notebooks kept because they differ from the shipped ones)."""
        text = f"notebooks in {self.folder}: {len(self.copied)} copied, {len(self.kept)} already there"
        if self.changed:
            text += (f"; kept as you left them (they differ from this version's): {', '.join(self.changed)} "
                     "(delete or rename one to get the shipped version)")
        return text


def copy_notebooks(dest: str | os.PathLike[str], source: str | os.PathLike[str] | None = None) -> CopyReport:
    """Copy the shipped notebooks into ``dest`` (created if needed), never overwriting a file already there.

    JupyterLab saves the notebooks there with their outputs, which show athletes' data: the
    folders the kit creates are ``0700`` and the notebooks it copies ``0600``
    (:mod:`kit.store.private`, whatever the umask). A folder that already exists (one the user
    chose with ``--dir``) keeps its mode, and so do the files already in it.

    Parameters
    ----------
    dest : path
        The working folder.
    source : path, optional
        Where the notebooks come from (default :func:`kit.resources.notebooks_dir`).

    Returns
    -------
    CopyReport
        Which notebooks were copied, and which were kept (``changed``: kept although they differ).
    """
    folder, src = Path(dest), Path(source) if source is not None else notebooks_dir()
    private_dir(folder)  # missing folders 0700; an existing one is the user's and is left as it is
    copied, kept, changed = [], [], []
    for name in NOTEBOOKS:
        target, shipped = folder / name, src / name
        if target.exists():
            kept.append(name)
            if target.read_bytes() != shipped.read_bytes():
                changed.append(name)
            continue
        data = shipped.read_bytes()
        try:
            with open_private(target, "wb") as fh:  # 0600: its saved outputs will hold health data
                fh.write(data)
        except OSError:
            target.unlink(missing_ok=True)  # no half notebook, which the next start would keep as "changed"
            raise
        copied.append(name)
    return CopyReport(folder, copied, kept, changed)


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``lab``."""
    add_store_options(parser)
    parser.add_argument("--dir", metavar="DIR", default=DEFAULT_DIR,
                        help=f"working folder for the notebooks (default: ./{DEFAULT_DIR}); missing notebooks are copied "
                             "there, files already there are never overwritten")
    parser.add_argument("--port", type=port, help=f"port, {PORT_MIN} to {PORT_MAX} (default: 8888 or the next free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    # earlier versions imported the sample into an empty store unless --no-sample: now only --demo does
    parser.add_argument("--no-sample", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Copy the notebooks, then start JupyterLab in the working folder; returns its exit status."""
    folder = Path(args.dir).expanduser().resolve()
    store, demo = open_chosen_store(args)  # a store that cannot be read stops here, before anything is copied
    try:
        report = copy_notebooks(folder)
    except OSError as exc:
        raise InputError(f"--dir {args.dir}: cannot copy the notebooks there: {exc.strerror or exc}") from None
    print(f"postrun-kit: {report.message()}", file=sys.stderr)
    print(f"postrun-kit: {store_banner(store, demo)}; opening {TRIAGE} in JupyterLab on 127.0.0.1 "
          "(Ctrl-C to stop)", file=sys.stderr)
    cmd = lab_command(folder, TRIAGE, port=args.port, open_browser=not args.no_browser)
    return run_server(cmd, env=lab_env(store, demo=demo), cwd=folder)
