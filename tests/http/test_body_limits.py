"""Every request body is capped before it is read (issue 11, item 8).

Before: a 300 MiB POST to /webhooks/stripe was read whole (`await request.body()`), and so
was any body to the other webhooks and forms. These tests stream 300 MiB, generated chunk by
chunk and never held, into the production ASGI stack (Reflex's top app, our Starlette routes
and middleware, Reflex's own endpoints): in process through httpx's ASGITransport, measuring
the test process's peak resident memory (VmHWM in /proc/self/status, reset first through
/proc/self/clear_refs), and through a real granian worker on a loopback port, measuring the
worker's (before: 257 MiB -> 858 MiB peak, 815 MiB kept).
"""

from __future__ import annotations

import asyncio
import os
import select
import socket
import subprocess
import sys
import time

import httpx
import pytest

from clientcenter.settings import PROJECT_ROOT
from tests.support.asgi import portal_asgi

MIB = 1024 * 1024
TOTAL = 300 * MIB
CHUNK = b"x" * MIB  # the same object every time: the client side holds one MiB
ORIGIN = "http://localhost:3000"


def _status() -> dict[str, int]:
    values = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
    return values


class Body:
    """A 300 MiB request body, generated as it is read; counts what was pulled."""

    def __init__(self, total: int = TOTAL, chunk: bytes = CHUNK):
        self.total, self.chunk, self.pulled = total, chunk, 0

    async def __aiter__(self):
        while self.pulled < self.total:
            self.pulled += len(self.chunk)
            yield self.chunk


def post(path: str, body: Body, *, declare_length: bool, app=None):
    """POST ``body`` and return (response, peak RSS growth during the request)."""
    kind = (
        "application/json"
        if path.startswith("/webhooks/")
        else ("application/x-www-form-urlencoded")
    )  # a form post, which the route reads
    headers = {"origin": ORIGIN, "content-type": kind}
    if declare_length:
        headers["content-length"] = str(body.total)

    async def go():
        transport = httpx.ASGITransport(app=app or portal_asgi(), client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
            return await client.post(path, content=body, headers=headers)

    portal_asgi()  # built before measuring
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM := VmRSS now
    before = _status()["VmRSS"]
    response = asyncio.run(go())
    return response, _status()["VmHWM"] - before


ROUTES = ["/webhooks/stripe", "/webhooks/sendgrid/events", "/auth/complete"]


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize("path", ROUTES)
def test_streamed_300_mib_is_refused_413_without_memory_growth(path, declare_length):
    body = Body()
    response, growth = post(path, body, declare_length=declare_length)
    assert response.status_code == 413, (response.status_code, response.text[:200])
    assert "too large" in response.json()["detail"]
    assert growth < 20 * MIB, f"peak RSS grew {growth / MIB:.0f} MiB"
    if declare_length:
        assert body.pulled == 0  # refused on the header: not one byte read
    else:
        assert body.pulled <= 2 * MIB  # reading stopped at the limit (1 MiB + one chunk)


def test_the_app_never_receives_more_than_the_limit():
    from clientcenter.http.middleware.body_limit import BodyLimit, limit_for

    got = {"bytes": 0, "told_disconnect": False}

    async def greedy(scope, receive, send):  # reads everything it is given
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                got["told_disconnect"] = True
                break
            got["bytes"] += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    limit, _ = limit_for("/auth/complete")
    response, _growth = post(
        "/auth/complete", Body(10 * MIB), declare_length=False, app=BodyLimit(greedy)
    )
    assert response.status_code == 413 and got["told_disconnect"]
    assert got["bytes"] <= limit


def test_bodies_within_their_limits_reach_the_routes():
    # 400 KiB is over the default 64 KiB but within the Stripe webhook's 512 KiB: the route
    # reads it and refuses it on its own terms (the demo runs the offline provider).
    body = Body(400 * 1024, chunk=b"x" * 4096)
    response, _ = post("/webhooks/stripe", body, declare_length=True)
    assert body.pulled == 400 * 1024
    assert response.status_code == 400 and response.json() == {"error": "webhook refused"}


def test_the_limits_table():
    from clientcenter.http.middleware.body_limit import DEFAULT_LIMIT, limit_for
    from clientcenter.settings import get_settings

    assert limit_for("/auth/complete") == (DEFAULT_LIMIT, False) == (64 * 1024, False)
    assert limit_for("/webhooks/stripe") == (512 * 1024, False)
    assert limit_for("/webhooks/sendgrid/events") == (MIB, False)
    assert limit_for("/webhooks/twilio/status") == (MIB, False)
    assert limit_for("/_upload") == (get_settings().security.upload_max_bytes + 64 * 1024, True)
    assert limit_for("/anything/else")[0] == DEFAULT_LIMIT


@pytest.mark.parametrize("path", ["/_upload", "/webhooks/twilio/status", "/healthz"])
def test_other_routes_refuse_an_oversized_declared_body_before_reading(path):
    body = Body()
    response, growth = post(path, body, declare_length=True)
    assert response.status_code == 413 and body.pulled == 0 and growth < 20 * MIB


# --- a real server: granian, one worker, on a loopback port ------------------------------------


def _proc_status(pid: int) -> dict[str, int]:
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
    return values


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found += [int(x) for x in f.read().split()]
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def granian_worker():
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-access-log",
            "tests.support.body_limit_server:app",
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("granian did not start")
                time.sleep(0.2)
        [worker] = _children(server.pid)
        yield port, worker
    finally:
        server.terminate()
        server.wait(timeout=30)


def _raw_post(port: int, path: str, *, chunked: bool) -> tuple[bytes, int]:
    """Send up to 300 MiB, stopping as soon as the server answers; (status line, MiB sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = f"POST {path} HTTP/1.1\r\nHost: localhost:3000\r\nContent-Type: application/json\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {TOTAL}\r\n\r\n"
    framed = b"%x\r\n" % len(CHUNK) + CHUNK + b"\r\n" if chunked else CHUNK
    sent = 0
    try:
        sock.sendall(head.encode())
        while sent < TOTAL and not select.select([sock], [], [], 0)[0]:
            sock.sendall(framed)
            sent += len(CHUNK)
        if chunked and sent >= TOTAL:
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server answered and closed while we were still sending
    try:
        status = sock.recv(256).split(b"\r\n")[0]
    except OSError:
        status = b""
    sock.close()
    return status, sent // MIB


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_real_server_worker_does_not_grow_on_300_mib(granian_worker, chunked):
    port, worker = granian_worker
    with open(f"/proc/{worker}/clear_refs", "w") as f:
        f.write("5")  # the worker's VmHWM := its VmRSS now
    before = _proc_status(worker)["VmRSS"]
    status, sent = _raw_post(port, "/webhooks/stripe", chunked=chunked)
    time.sleep(0.3)
    after = _proc_status(worker)
    assert status.startswith(b"HTTP/1.1 413"), status
    assert after["VmHWM"] - before < 20 * MIB, (
        f"worker RSS {before // MIB} -> peak {after['VmHWM'] // MIB} MiB"
    )
    assert sent < 300
