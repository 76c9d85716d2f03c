"""The Voila server behind ``python -m kit app``: token login, Host and Origin checks, optional TLS.

Run as ``python -m kit.cli.app_server NOTEBOOK [voila options]`` (:func:`kit.cli.app.app_command` builds
the command). It is Voila with four things added, because the plain ``voila`` command serves the
triage form to anyone who can reach the port:

* **a token is required.** The token is read from the environment variable ``KIT_APP_TOKEN``
  (never from the command line, where other local users could read it in ``ps``) and removed
  from the environment before any kernel starts. Without a non-empty token the server does not
  start. A browser that opens the printed URL (``...?token=...``) gets a login cookie, as in
  Jupyter; a request without the token or the cookie is sent to the login page (pages) or
  refused with 403 (the API and the kernel websocket).
* **the Host header must name the server**: the bound address, or a loopback name/address
  (``localhost``, ``127.0.0.1``, ``::1``). Anything else is refused with 403 before any
  handler runs, static files included. This stops DNS rebinding: a web page whose own host
  name resolves to 127.0.0.1 sends its own name as Host.
* **a request that carries an Origin must come from the server's own origin** (scheme and
  Host). The kernel websocket (widget messages, saves) is covered whatever the token says;
  an ``Origin: null`` (sandboxed frame, local file) is refused too.
* **TLS**: ``--KitVoila.certfile`` / ``--KitVoila.keyfile`` serve HTTPS (``kit app --certfile
  --keyfile``). ``--KitVoila.show_qr=True`` prints a QR code of the URL (``kit app --lan``).

The URL with the token is printed on standard error once the server listens.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import sys
import tempfile
import webbrowser
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import segno  # the QR code of --lan; [lab] extra like Voila (0.04 s after Voila, measured: not worth a lazy import)
import tornado.web
from traitlets import Bool, Unicode
from voila.app import Voila

from kit.cli.app import TOKEN_ENV

__all__ = ["TOKEN_ENV", "LOOPBACK_NAMES", "host_name", "refusal", "host_settings", "KitVoila", "main"]

#: Host names always accepted (the server's own machine).
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(host_header: str) -> str:
    """The host part of a ``Host`` header, lower-case, without port or IPv6 brackets.

    >>> host_name("[::1]:8866"), host_name("LocalHost:1"), host_name("10.0.0.2")
    ('::1', 'localhost', '10.0.0.2')
    """
    h = host_header.strip().lower()
    if h.startswith("["):
        return h[1:h.find("]")] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


def _loopback(name: str) -> bool:
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def refusal(host_header: str | None, origin: str | None, bound: Iterable[str]) -> str | None:
    """Why a request must be refused (``None``: it may go on to the handlers).

    Parameters
    ----------
    host_header : str or None
        The request's ``Host`` header.
    origin : str or None
        Its ``Origin`` header (browsers send it on websockets, and on cross-origin and POST requests).
    bound : iterable of str
        The address(es) the server listens on; loopback names are always accepted.
    """
    if not host_header:
        return "no Host header"
    host = host_name(host_header)
    allowed = {b.lower() for b in bound}
    if host not in allowed and not _loopback(host):
        return f"Host {host_header!r} is not this server"
    if origin is not None:
        parts = urlsplit(origin.strip().lower())
        if parts.scheme not in ("http", "https") or parts.netloc != host_header.strip().lower():
            return f"Origin {origin!r} is not this server"
    return None


def host_settings(ip: str) -> dict[str, Any]:
    """Tornado settings for jupyter_server's own Host check, given the bound address.

    On loopback it stays on as a second line behind :func:`refusal`. On a network address it
    must be off: it accepts only loopback IP addresses and names, so a phone asking for
    ``http://192.168.1.20:8866`` would be refused; :func:`refusal` (bound address or loopback)
    is then the Host check.
    """
    return {"allow_remote_access": not _loopback(ip.lower()), "local_hostnames": sorted(LOOPBACK_NAMES | {ip.lower()})}


class _Refused(tornado.web.RequestHandler):
    def initialize(self, reason: str) -> None:
        self.reason = reason

    def prepare(self) -> None:
        raise tornado.web.HTTPError(403, reason="Forbidden", log_message=self.reason)


class _GatedApplication(tornado.web.Application):
    """A tornado application that checks Host and Origin before routing (static files included)."""

    kit_bound: tuple[str, ...] = ()

    def find_handler(self, request: Any, **kwargs: Any) -> Any:
        why = refusal(request.headers.get("Host"), request.headers.get("Origin"), self.kit_bound)
        if why is not None:
            return self.get_handler_delegate(request, _Refused, {"reason": why})
        return super().find_handler(request, **kwargs)

    def listen(self, port: int, address: str | None = None, **kwargs: Any) -> Any:
        ssl = self.settings.get("kit_ssl_options")
        if ssl:
            kwargs.setdefault("ssl_options", ssl)
        return super().listen(port, address, **kwargs)


class KitVoila(Voila):  # type: ignore[misc]  # Voila ships no type information (pyproject: mypy overrides)
    """Voila with a required token, Host/Origin checks and optional TLS (see the module docstring)."""

    certfile = Unicode("", config=True, help="TLS certificate (PEM): serve HTTPS")
    keyfile = Unicode("", config=True, help="TLS private key (PEM) for certfile")
    show_qr = Bool(False, config=True, help="print a QR code of the URL (for a phone)")

    @property
    def _scheme(self) -> str:
        return "https" if self.certfile else "http"

    def _url(self, ip: str) -> str:
        host = f"[{ip}]" if ":" in ip else ip
        return f"{self._scheme}://{host}:{self.port}{self.base_url}"

    @property
    def display_url(self) -> str:
        """The URL with the token (this server's token is never a secret from the person who started it)."""
        return f"{self._url(self.ip or 'localhost')}?token={self.token}"

    def start(self) -> None:
        token = os.environ.pop(TOKEN_ENV, "")  # kernels started later do not inherit it
        if not token.strip():
            self.log.critical("no token: set %s (kit app does this)", TOKEN_ENV)
            self.exit(2)
        if bool(self.certfile) != bool(self.keyfile):
            self.log.critical("--certfile and --keyfile go together")
            self.exit(2)
        self.token = token
        self.auto_token = False
        # what Voila.start does, with the gated application
        self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
        settings = {**self.init_settings(), **host_settings(self.ip)}
        if self.certfile:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(self.certfile, self.keyfile)
            settings["kit_ssl_options"] = ctx
        self.app = _GatedApplication(**settings)
        self.app.kit_bound = (self.ip,)
        self.app.settings.update(self.tornado_settings)
        self.app.add_handlers(".*$", self.init_handlers())
        tornado.ioloop.IOLoop.current().add_callback(self._announce)
        self.listen()

    def _announce(self) -> None:
        url = self.display_url
        print(f"postrun-kit app: open {url}", file=sys.stderr, flush=True)
        if self.show_qr:
            print("Scan with the phone's camera:", file=sys.stderr)
            segno.make(url, error="m").terminal(out=sys.stderr, compact=True)
            sys.stderr.flush()

    def launch_browser(self) -> None:
        """Open the URL with the token through a private redirect file (the token stays off command lines)."""
        try:
            browser = webbrowser.get(self.browser or None)
        except webbrowser.Error:
            return
        fd, name = tempfile.mkstemp(suffix=".html", prefix="postrun-kit-app-")  # 0600
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f'<!doctype html><meta http-equiv="refresh" content="0;url={self.display_url}">'
                     f'<a href="{self.display_url}">postrun-kit app</a>\n')
        browser.open(Path(name).as_uri(), new=self.webbrowser_open_new)


def main(argv: list[str] | None = None) -> None:
    """``python -m kit.cli.app_server NOTEBOOK [options]``."""
    KitVoila.launch_instance(argv)


if __name__ == "__main__":
    main()
