"""The defaults are safe on a laptop (issue 11, item 11): `make run` listens on this machine
only and builds a front end for the port it serves; the dev mailbox answers only a localhost
name (DNS rebinding); the shipped nginx config keeps tokens out of its access log; the secret
the dev server used to ship is refused; the demo's secret file is born 0600."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from clientcenter.http import build_http_app
from clientcenter.settings import PROJECT_ROOT, SettingsError, load_settings

NGINX_CONF = PROJECT_ROOT / "deploy" / "nginx.conf"
OLD_DEVSERVER_SECRET = "devserver-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


def _make_n(*args: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CC_")}
    return subprocess.run(
        ["make", "-n", "run", *args],
        cwd=PROJECT_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


# --- make run ----------------------------------------------------------------------------------


def test_make_run_listens_on_this_machine_only_unless_told():
    """Before: `reflex run … --backend-port 3000` (Reflex listens on 0.0.0.0). After:
    --backend-host 127.0.0.1; HOST=0.0.0.0 opts in to the network."""
    run = _make_n()
    assert "--backend-host 127.0.0.1" in run
    assert "--backend-host 0.0.0.0" in _make_n("HOST=0.0.0.0")


def test_make_run_port_builds_a_front_end_for_that_port():
    """Before: `make run PORT=3456` served on 3456 a front end built for 3000 (every event
    went to the wrong port). After: PORT flows into CC_PUBLIC_URL for that run."""
    run = _make_n("PORT=3456")
    assert re.search(
        r"CC_PUBLIC_URL=http://localhost:3456 reflex run --env prod "
        r"--frontend-port 3456 \\\s*--backend-port 3456",
        run,
    ), run
    # an explicit public URL still wins
    assert "CC_PUBLIC_URL=http://127.0.0.1:9000 " in _make_n(
        "PORT=9000", CC_PUBLIC_URL="http://127.0.0.1:9000"
    )
    # and rxconfig builds the front end's API and deploy URLs from it
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CC_", "REFLEX_API"))}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import rxconfig; c = rxconfig.config; print(c.api_url, c.deploy_url)",
        ],
        cwd=PROJECT_ROOT,
        env={
            **env,
            "CC_PUBLIC_URL": "http://localhost:3456",
            "CLIENTCENTER_CONFIG": "/nonexistent.toml",
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["http://localhost:3456", "http://localhost:3456"]


# --- the dev mailbox ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["localhost:3000", "LOCALHOST", "127.0.0.1:3000", "[::1]:3000", "portal.localhost:3000"],
)
def test_mailbox_answers_a_localhost_name(session, host):
    client = TestClient(build_http_app(), client=("127.0.0.1", 50000))
    assert client.get("/dev/mailbox", headers={"host": host}).status_code == 200


@pytest.mark.parametrize(
    "host",
    [
        "rebind.evil.example",
        "rebind.evil.example:3000",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "",
        "192.168.1.20:3000",
    ],
)
def test_mailbox_refuses_a_foreign_host_name_even_from_loopback_dns_rebinding(session, host):
    """Before: 200 with every login code for any Host, as long as the peer was loopback — a
    page at rebind.evil.example whose name re-resolves to 127.0.0.1 could read them. After:
    403."""
    client = TestClient(build_http_app(), client=("127.0.0.1", 50000))
    page = client.get("/dev/mailbox", headers={"host": host})
    assert page.status_code == 403 and "localhost address" in page.text


# --- nginx ---------------------------------------------------------------------------------


def _access_logs(conf: str) -> list[str]:
    return re.findall(r"^\s*access_log\s+([^;]+);", conf, re.M)


def test_shipped_nginx_config_logs_no_query_string_and_no_token_path():
    """Before: the default "combined" format, whose $request keeps /_event?token=<tab token>.
    After: a clientcenter format with the path only, tokens in paths cut off."""
    conf = NGINX_CONF.read_text()
    fmt = re.search(r"log_format\s+clientcenter\s+(.*?);", conf, re.S)
    assert fmt, "no clientcenter log_format"
    for leaky in (
        "$request ",
        '$request"',
        "$request_uri",
        "$args",
        "$query_string",
        "$arg_",
        "$http_referer",
        "$uri",
    ):
        assert leaky not in fmt.group(1), leaky
    assert "$cc_logged_path" in fmt.group(1)
    logs = _access_logs(conf)
    assert len(logs) >= 2 and all(l == "off" or l.endswith(" clientcenter") for l in logs), logs
    # The portal's own per-path Referrer-Policy must be the only one.
    assert not re.search(r"^\s*add_header\s+Referrer-Policy", conf, re.M | re.I)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_really_keeps_tokens_out_of_its_access_log(tmp_path):
    """Run the shipped server block (TLS swapped for a local port) in front of a stub
    upstream and read what nginx wrote."""

    class Upstream(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port, log = _free_port(), tmp_path / "access.log"
    conf = NGINX_CONF.read_text()
    conf = re.sub(r"server\s*\{\s*listen 80;.*?\n\}\n", "", conf, count=1, flags=re.S)
    conf = (
        conf.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
        .replace("http2 on;", "")
        .replace("127.0.0.1:3000", f"127.0.0.1:{upstream.server_address[1]}")
        .replace("/var/log/nginx/clientcenter.access.log", str(log))
    )
    conf = re.sub(r"^\s*ssl_certificate\S*\s+[^;]+;", "", conf, flags=re.M)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        "events {}\nhttp {\n" + conf + "\n}\n"
    )
    proc = subprocess.Popen(
        ["nginx", "-p", str(tmp_path), "-c", str(main)], stderr=subprocess.PIPE
    )
    try:
        import httpx

        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        secrets_sent = {
            "/_event/?token=TABTOKEN-4f1c&EIO=4&transport=websocket": "TABTOKEN-4f1c",
            "/pay/PAYTOKEN.sig": "PAYTOKEN",
            "/shared/SHAREDTOKEN.sig": "SHAREDTOKEN",
            "/certificate/CERTTOKEN.sig": "CERTTOKEN",
            "/files/FILETOKEN.sig": "FILETOKEN",
            "/?next=/pay/NEXTTOKEN": "NEXTTOKEN",
        }
        for path in secrets_sent:
            httpx.get(base + path, headers={"referer": base + "/pay/REFTOKEN"}, timeout=5)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        upstream.shutdown()
    written = log.read_text()
    assert "GET /_event/ HTTP/1.1" in written and "GET /pay/[token] HTTP/1.1" in written
    for secret in [*secrets_sent.values(), "REFTOKEN"]:
        assert secret not in written, secret


# --- secrets -----------------------------------------------------------------------------------


def test_the_secret_the_dev_server_used_to_ship_is_refused(monkeypatch):
    """Before: the constant in clientcenter/demo/serve.py passed as a production key. After: it
    is a known weak secret, and the dev server makes a fresh key per app."""
    from clientcenter.demo import serve as devserver

    monkeypatch.setenv("CC_SECRET_KEY", OLD_DEVSERVER_SECRET)
    with pytest.raises(SettingsError, match="secret_key"):
        load_settings()
    assert not hasattr(devserver, "DEV_SECRET")
    envs = [
        devserver.app_env(
            url="http://localhost:1", data_dir=Path("/tmp"), database_url="sqlite://"
        )
        for _ in range(2)
    ]
    keys = [e["CC_SECRET_KEY"] for e in envs]
    assert keys[0] != keys[1] and all(len(k) >= 48 for k in keys)
    for key in keys:
        monkeypatch.setenv("CC_SECRET_KEY", key)
        load_settings()  # strong enough


def test_the_demo_secret_file_is_born_0600_whatever_the_umask(monkeypatch, tmp_path):
    """Before: written with the umask's mode (0644, or 0666 under umask 0) and chmod-ed
    afterwards, readable by others in between. After: created 0600 by os.open, no chmod."""
    import clientcenter.settings as s

    target = tmp_path / ".clientcenter.secret"
    monkeypatch.delenv("CC_SECRET_KEY")
    monkeypatch.setattr(s, "DEV_SECRET_FILE", target)

    def no_chmod(*_args, **_kwargs):
        raise AssertionError("the file was created readable and chmod-ed afterwards")

    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(Path, "chmod", no_chmod)
    old_umask = os.umask(0)
    try:
        key = load_settings().secret()
    finally:
        os.umask(old_umask)
    assert target.stat().st_mode & 0o777 == 0o600
    assert key.decode() == target.read_text().strip() and len(key) >= 48
    assert load_settings().secret() == key  # read back, not made again
