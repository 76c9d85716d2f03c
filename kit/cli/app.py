"""``python -m kit app``: the triage form as a web app (Voila), no code cells, behind a token.

For trainers who never want to see code. Voila runs the shipped ``01-triage.ipynb`` (package data,
:func:`kit.resources.notebook_path`) and
shows only its rendered outputs: the live form and its result panel. Cells tagged
``kit-lab-only`` (the scripting examples) are left out: the app serves a copy of the
notebook without them, written to a temporary directory. Observations saved from the app
go to the trainer's real store named by ``--store`` (default: ``KIT_STORE``, else the user data
directory; see :func:`kit.store.db.default_store_path`), empty at first; ``--demo`` opens the
demo store with the synthetic sample season instead (:func:`kit.store.db.demo_store_path`).

Access: the server (:mod:`kit.cli.app_server`) requires a token, random for every start unless
``--token`` or ``KIT_APP_TOKEN`` sets one, and prints the URL with the token, as Jupyter does.
Requests whose ``Host`` is not the bound address or localhost are refused, and so is a
request (the kernel websocket above all) whose ``Origin`` is another site. By default it
listens on 127.0.0.1 only; ``--lan`` listens on the machine's network address so a phone on
the trainer's own hotspot can connect (a QR code of the URL is printed), with a warning that
plain HTTP can be read by anyone on a shared network; ``--certfile``/``--keyfile`` serve HTTPS.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import psutil

from kit.cli.argtypes import PORT_MAX, PORT_MIN, port
from kit.cli.lab import TRIAGE, add_store_options, lab_env, open_chosen_store, run_server, store_banner
from kit.errors import InputError
from kit.resources import notebook_path

__all__ = ["LAB_ONLY_TAG", "TOKEN_ENV", "LAN_WARNING", "app_notebook", "app_command", "app_token", "lan_address", "configure", "run"]

#: Environment variable with the app's token (read by ``kit app`` and passed to the server the same way).
TOKEN_ENV = "KIT_APP_TOKEN"
#: A token shorter than this (given with ``--token`` or ``KIT_APP_TOKEN``) gets a warning.
MIN_TOKEN_CHARS = 16
#: Printed with ``--lan`` when no certificate is given.
LAN_WARNING = ("warning: plain HTTP on a network: anyone on the same network can read what the phone and this "
               "computer send, the token and the athlete's data included. Use it only on your own hotspot, never on "
               "a shared or public Wi-Fi, or serve HTTPS with --certfile/--keyfile.")

#: Cells with this tag are shown in JupyterLab only, never in the app.
LAB_ONLY_TAG = "kit-lab-only"


def app_notebook(dest_dir: str | os.PathLike[str], source: str | os.PathLike[str] | None = None) -> Path:
    """Write the app's notebook (the triage notebook without ``kit-lab-only`` cells) into ``dest_dir``.

    Returns
    -------
    Path
        The written notebook, ``dest_dir/triage.ipynb``.
    """
    src = Path(source) if source else notebook_path(TRIAGE)  # the shipped notebook (package data), read only
    nb = json.loads(src.read_text(encoding="utf-8"))
    nb["cells"] = [c for c in nb["cells"] if LAB_ONLY_TAG not in c.get("metadata", {}).get("tags", [])]
    out = Path(dest_dir) / "triage.ipynb"
    out.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def app_command(notebook: str | os.PathLike[str], *, port: int | None = None, open_browser: bool = True,
                address: str = "127.0.0.1", certfile: str | None = None, keyfile: str | None = None,
                show_qr: bool = False, extra: Sequence[str] = ()) -> list[str]:
    """The server command line serving ``notebook`` on ``address`` (sources stripped).

    The server is :mod:`kit.cli.app_server` (Voila with a required token and Host/Origin checks); it
    reads the token from the environment variable ``KIT_APP_TOKEN``, never from this command line.
    """
    # template kit-offline (kit/data/jupyter_data, on JUPYTER_PATH via kit.cli.lab.lab_env): Voila's "lab"
    # template without its CDN stylesheets, so the app makes no request beyond the server
    cmd = [sys.executable, "-m", "kit.cli.app_server", os.fspath(notebook), f"--Voila.ip={address}", "--strip_sources=True",
           "--template=kit-offline",
           "--show_tracebacks=False", f"--Voila.root_dir={Path(notebook).parent}"]
    if port is not None:
        cmd += [f"--port={port}", "--Voila.port_retries=0"]
    if not open_browser:
        cmd.append("--no-browser")
    if certfile:
        cmd.append(f"--KitVoila.certfile={os.path.abspath(certfile)}")
    if keyfile:
        cmd.append(f"--KitVoila.keyfile={os.path.abspath(keyfile)}")
    if show_qr:
        cmd.append("--KitVoila.show_qr=True")
    return cmd + list(extra)


def app_token(given: str | None = None, environ: dict[str, str] | None = None) -> str:
    """The app's token: ``given`` (``--token``), else ``KIT_APP_TOKEN``, else a new random one."""
    env = os.environ if environ is None else environ
    return given or env.get(TOKEN_ENV) or secrets.token_urlsafe(24)


def lan_address() -> str | None:
    """This machine's private-network IPv4 address (a Wi-Fi or hotspot address), or ``None``.

    Read from the network interfaces (psutil); nothing is sent anywhere.
    """
    stats = psutil.net_if_stats()
    found = []
    for name, addrs in psutil.net_if_addrs().items():
        if name in stats and not stats[name].isup:
            continue
        for a in addrs:
            if a.family.name != "AF_INET":
                continue
            ip = ipaddress.ip_address(a.address)
            if ip.is_private and not ip.is_loopback and not ip.is_link_local:
                found.append(str(ip))
    return found[0] if found else None


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``app``."""
    add_store_options(parser)
    parser.add_argument("--port", type=port, help=f"port, {PORT_MIN} to {PORT_MAX} (default: 8866 or the next free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    parser.add_argument("--token", help=f"access token (default: {TOKEN_ENV}, else a new random one each start; "
                                        f"prefer {TOKEN_ENV}: a command line can be read by other users)")
    parser.add_argument("--lan", nargs="?", const="auto", metavar="ADDRESS",
                        help="serve on this machine's network address (or ADDRESS) so a phone on your own hotspot can "
                             "connect; prints a QR code of the URL. Plain HTTP unless --certfile/--keyfile are given: "
                             "use it only on a network you control")
    parser.add_argument("--certfile", help="TLS certificate (PEM): serve HTTPS (with --keyfile)")
    parser.add_argument("--keyfile", help="TLS private key (PEM) for --certfile")


def run(args: argparse.Namespace) -> int:
    """Serve the app until interrupted; returns the server's exit status."""
    if bool(args.certfile) != bool(args.keyfile):
        raise InputError("--certfile and --keyfile go together")
    for f in (args.certfile, args.keyfile):
        if f and not os.path.isfile(f):
            raise InputError(f"cannot read {f}: no such file")
    address = "127.0.0.1"
    if args.lan:
        found = lan_address() if args.lan == "auto" else str(args.lan)
        if not found:
            raise InputError("--lan: this machine has no private network address (is Wi-Fi or the hotspot on?); "
                             "give one: --lan ADDRESS")
        address = found
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise InputError(f"--lan {address}: not an IP address") from None
    store, demo = open_chosen_store(args)
    env = lab_env(store, demo=demo)
    env[TOKEN_ENV] = app_token(args.token)
    if len(env[TOKEN_ENV]) < MIN_TOKEN_CHARS:
        print(f"warning: the token has {len(env[TOKEN_ENV])} characters; one of at least {MIN_TOKEN_CHARS} random "
              "characters cannot be guessed (leave --token and KIT_APP_TOKEN unset for a random one)", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="postrun-kit-app-") as tmp:
        nb = app_notebook(tmp)
        scheme = "https" if args.certfile else "http"
        print(f"postrun-kit app: {store_banner(store, demo)}; serving the triage form on {scheme}://{address} "
              "(the URL with the token follows; Ctrl-C to stop)", file=sys.stderr)
        if args.lan and not args.certfile:
            print(LAN_WARNING, file=sys.stderr)
        cmd = app_command(nb, port=args.port, open_browser=not args.no_browser, address=address,
                          certfile=args.certfile, keyfile=args.keyfile, show_qr=bool(args.lan))
        # Ctrl-C, SIGTERM and SIGHUP stop Voila and its kernels; then the temporary folder is removed
        return run_server(cmd, env=env, cwd=tmp)
