"""``kit app`` / ``kit lab`` as an attacker on this machine would try them (issue 11 item 1, issue 13 item 2).

Servers are started on 127.0.0.1 only; every request goes to 127.0.0.1 (a forged ``Host`` header
is only a header: the connection is still to loopback).
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit.cli.app import LAN_WARNING, TOKEN_ENV, app_command, app_token
from kit.cli.app_server import host_name, host_settings, refusal
from kit.cli.lab import ROOT, lab_command
from tests.conftest import free_port, stop_server, wait_for_server

TOKEN = "t0k3n-for-the-test-only"


def _request(port: int, path: str, *, host: str | None = None, headers: dict[str, str] | None = None,
             timeout: float = 60) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host or f"127.0.0.1:{port}")
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _wait_listening(port: int, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    wait_for_server(lambda: _request(port, "/voila/static/", timeout=2) and True, proc, log, timeout=timeout)


def _start_kit(tmp_path: Path, *args: str, token: str | None = TOKEN) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "HOME": str(tmp_path), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "PYTHONPATH": str(ROOT)}
    env.pop(TOKEN_ENV, None)
    env.pop("JUPYTER_TOKEN", None)
    if token is not None:
        env[TOKEN_ENV] = token
    with log.open("w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "kit", *args, "--port", str(port), "--no-browser",
                                 "--store", str(tmp_path / "s.sqlite")],
                                cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, port, log


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("app")
    proc, port, log = _start_kit(tmp, "app")
    try:
        _wait_listening(port, proc, log)
        yield {"port": port, "log": log, "proc": proc}
    finally:
        stop_server(proc)


# ---- the pure checks ----

def test_host_name_strips_port_and_brackets():
    assert host_name("127.0.0.1:8866") == "127.0.0.1"
    assert host_name("[::1]:8866") == "::1"
    assert host_name("EVIL.example:8866") == "evil.example"


@pytest.mark.parametrize(("host", "origin", "ok"), [
    ("127.0.0.1:8866", None, True),
    ("localhost:8866", "http://localhost:8866", True),
    ("[::1]:8866", None, True),
    ("192.168.1.20:8866", "https://192.168.1.20:8866", True),  # the bound LAN address
    ("rebind.example:8866", None, False),  # DNS rebinding: the page's own name as Host
    ("rebind.example:8866", "http://rebind.example:8866", False),
    ("10.0.0.9:8866", None, False),  # another address
    ("127.0.0.1:8866", "http://evil.example", False),  # a foreign page's websocket or POST
    ("127.0.0.1:8866", "null", False),  # sandboxed frame or file://
    ("127.0.0.1:8866", "http://127.0.0.1:9999", False),  # another local server's page
    (None, None, False),
])
def test_refusal(host, origin, ok):
    assert (refusal(host, origin, ["192.168.1.20"]) is None) is ok


def test_on_a_network_address_the_gate_is_the_host_check():
    # jupyter_server's own check accepts loopback IPs only: on --lan it would refuse the phone
    assert host_settings("127.0.0.1")["allow_remote_access"] is False
    lan = host_settings("192.168.1.20")
    assert lan["allow_remote_access"] is True and "192.168.1.20" in lan["local_hostnames"]
    assert refusal("192.168.1.20:8866", None, ["192.168.1.20"]) is None
    assert refusal("192.168.1.21:8866", None, ["192.168.1.20"]) is not None


def test_lan_address_is_a_private_ipv4_address_of_an_interface_that_is_up(monkeypatch):
    import socket
    from types import SimpleNamespace

    import psutil

    from kit.cli.app import lan_address

    addrs = {"lo": [SimpleNamespace(family=socket.AF_INET, address="127.0.0.1")],
             "docker0": [SimpleNamespace(family=socket.AF_INET, address="172.17.0.1")],
             "wlan0": [SimpleNamespace(family=socket.AF_INET6, address="fe80::1"),
                       SimpleNamespace(family=socket.AF_INET, address="192.168.43.10")],
             "eth9": [SimpleNamespace(family=socket.AF_INET, address="8.8.4.4")]}
    up = {"lo": True, "docker0": False, "wlan0": True, "eth9": True}
    monkeypatch.setattr(psutil, "net_if_addrs", lambda: addrs)
    monkeypatch.setattr(psutil, "net_if_stats", lambda: {k: SimpleNamespace(isup=v) for k, v in up.items()})
    assert lan_address() == "192.168.43.10"  # not loopback, not a down interface, not a public address
    up["wlan0"] = False
    assert lan_address() is None


def test_token_comes_from_flag_then_environment_else_random():
    assert app_token("given", {TOKEN_ENV: "env"}) == "given"
    assert app_token(None, {TOKEN_ENV: "env"}) == "env"
    a, b = app_token(None, {}), app_token(None, {})
    assert a != b and len(a) >= 24


def test_app_command_never_carries_the_token_and_binds_loopback(tmp_path):
    cmd = app_command(tmp_path / "triage.ipynb", port=8892, open_browser=False)
    assert cmd[1:3] == ["-m", "kit.cli.app_server"] and "--Voila.ip=127.0.0.1" in cmd
    assert not [c for c in cmd if "token" in c.lower()]


# ---- the running app (python -m kit app) ----

@pytest.mark.slow
def test_app_refuses_a_request_without_the_token(app):
    status, headers, _ = _request(app["port"], "/")
    assert status in (302, 403), status
    if status == 302:
        assert "/login" in headers["location"]
    assert "kit-escalation" not in _  # nothing of the form


@pytest.mark.slow
def test_app_prints_the_url_with_the_token(app):
    deadline = time.monotonic() + 20
    while f"?token={TOKEN}" not in app["log"].read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert f"http://127.0.0.1:{app['port']}/?token={TOKEN}" in app["log"].read_text()


@pytest.mark.slow
def test_app_serves_the_form_with_the_token_but_not_to_a_forged_host(app):
    port = app["port"]
    status, _, body = _request(port, f"/?token={TOKEN}", timeout=120)
    assert status == 200 and ("kit-escalation" in body or "jupyter-widgets" in body)
    for host in (f"rebind.example:{port}", f"10.1.2.3:{port}"):
        status, _, body = _request(port, f"/?token={TOKEN}", host=host)
        assert status == 403, (host, status)
        assert "widget" not in body
    status, _, _ = _request(port, "/voila/static/", host=f"rebind.example:{port}")
    assert status == 403  # static files too: the gate is before routing


def _kernel_id(port: int) -> str:
    status, _, body = _request(port, f"/?token={TOKEN}", timeout=120)
    assert status == 200
    m = re.search(r'"kernelId"\s*:\s*"([0-9a-f-]{36})"|kernel_id=([0-9a-f-]{36})|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                  r'[0-9a-f]{12})', body)
    assert m, body[:2000]
    return next(g for g in m.groups() if g)


def _ws_status(port: int, path: str, headers: dict[str, str]) -> int:
    """The HTTP status of a websocket handshake (101 = opened)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", f"127.0.0.1:{port}")
        for k, v in {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
                     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", **headers}.items():
            conn.putheader(k, v)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.slow
def test_kernel_websocket_checks_the_token_and_the_origin(app):
    port = app["port"]
    kid = _kernel_id(port)
    path = f"/api/kernels/{kid}/channels"
    assert _ws_status(port, f"{path}?token={TOKEN}", {"Origin": f"http://127.0.0.1:{port}"}) == 101  # the page itself
    assert _ws_status(port, path, {"Origin": f"http://127.0.0.1:{port}"}) == 403  # no token, no cookie
    assert _ws_status(port, f"{path}?token={TOKEN}", {"Origin": "http://evil.example"}) == 403  # a foreign page
    assert _ws_status(port, f"{path}?token={TOKEN}", {"Origin": "null"}) == 403


@pytest.mark.slow
def test_app_lan_refuses_a_request_without_the_token_and_prints_warning_and_qr(tmp_path):
    # --lan with an explicit address: 127.0.0.1 in the test (no traffic to any other address)
    proc, port, log = _start_kit(tmp_path, "app", "--lan", "127.0.0.1", token=None)
    try:
        _wait_listening(port, proc, log)
        status, _, body = _request(port, "/")
        assert status in (302, 403) and "kit-escalation" not in body
        deadline = time.monotonic() + 20
        while "?token=" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        text = log.read_text()
        token = re.search(rf"http://127\.0\.0\.1:{port}/\?token=([\w-]+)", text).group(1)
        assert len(token) >= 24  # random
        assert LAN_WARNING in text
        assert "▀" in text or "█" in text  # the QR code (segno, half blocks)
        status, _, _ = _request(port, f"/?token={token}", host=f"rebind.example:{port}")
        assert status == 403
    finally:
        stop_server(proc)


def test_app_certfile_without_keyfile_is_an_input_error(tmp_path):
    from kit.cli import main

    (tmp_path / "c.pem").write_text("x")
    assert main(["app", "--certfile", str(tmp_path / "c.pem"), "--no-browser"]) == 2


def test_app_passes_certfile_and_keyfile_to_the_server(tmp_path, monkeypatch):
    import kit.cli.app as kit_app

    calls = []
    monkeypatch.setattr(kit_app, "run_server", lambda cmd, env, cwd: calls.append((cmd, env)) or 0)
    for n in ("c.pem", "k.pem"):
        (tmp_path / n).write_text("x")
    from kit.cli import main

    assert main(["app", "--certfile", str(tmp_path / "c.pem"), "--keyfile", str(tmp_path / "k.pem"), "--no-browser",
                 "--store", str(tmp_path / "s.sqlite"), "--token", "abc"]) == 0
    (cmd, env), = calls
    assert f"--KitVoila.certfile={tmp_path / 'c.pem'}" in cmd and f"--KitVoila.keyfile={tmp_path / 'k.pem'}" in cmd
    assert env[TOKEN_ENV] == "abc" and "abc" not in " ".join(cmd)


# ---- kit lab keeps Jupyter's token ----

def test_lab_command_never_switches_off_the_token_or_the_host_check():
    cmd = " ".join(lab_command(ROOT, port=8890, open_browser=False))
    for weakening in ("token=", "password=", "allow_remote_access", "allow_origin", "disable_check_xsrf",
                      "ServerApp.ip=0.0.0.0", "ServerApp.ip=*"):
        assert weakening not in cmd


@pytest.mark.slow
def test_kit_lab_refuses_a_request_without_the_token(tmp_path):
    proc, port, log = _start_kit(tmp_path, "lab")
    try:
        end = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                status, _, _ = _request(port, "/api/contents", timeout=5)
                break
            except OSError:
                assert time.monotonic() < end, log.read_text()[-3000:]
                time.sleep(0.3)
        assert status == 403
        status, _, _ = _request(port, "/api/status", host=f"rebind.example:{port}")
        assert status == 403
    finally:
        stop_server(proc)


@pytest.mark.slow
def test_app_serves_https_with_certfile_and_keyfile(tmp_path):
    import shutil
    import ssl

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (needed to make a test certificate)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    proc, port, log = _start_kit(tmp_path, "app", "--certfile", str(cert), "--keyfile", str(key))
    ctx = ssl.create_default_context(cafile=str(cert))
    try:
        end = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx)
            try:
                conn.request("GET", "/")
                r = conn.getresponse()
                status = r.status
                break
            except (OSError, ssl.SSLError):
                assert time.monotonic() < end, log.read_text()[-3000:]
                time.sleep(0.3)
            finally:
                conn.close()
        assert status in (302, 403)  # TLS works, and the token is still required
        deadline = time.monotonic() + 20
        while f"https://127.0.0.1:{port}/?token={TOKEN}" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert f"https://127.0.0.1:{port}/?token={TOKEN}" in log.read_text()
    finally:
        stop_server(proc)


def test_a_short_token_of_ones_own_gets_a_warning(tmp_path, monkeypatch, capsys):
    import kit.cli.app as kit_app
    from kit.cli import main

    monkeypatch.setattr(kit_app, "run_server", lambda cmd, env, cwd: 0)
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert main(["app", "--no-browser", "--store", str(tmp_path / "s.sqlite"), "--token", "1234"]) == 0
    assert "the token has 4 characters" in capsys.readouterr().err
    assert main(["app", "--no-browser", "--store", str(tmp_path / "s.sqlite")]) == 0  # a random one
    assert "characters" not in capsys.readouterr().err
