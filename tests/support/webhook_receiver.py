"""A webhook receiver on loopback, as an agency's system would run one: it checks every
delivery's signature and timestamp the way docs/webhooks.md tells receivers to (the same
code, not the portal's own signing module), drops a repeated Webhook-Id, and answers with a
scripted behaviour ("accept", "500", "429", "302", "hang", "hold")."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLAY_WINDOW = 300


def verify_webhook(secret: str, headers: dict, body: bytes, now: float | None = None) -> dict:
    """docs/webhooks.md, "Verifying a delivery": the event, or ValueError."""
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature", "")
    if not (msg_id and timestamp and signatures):
        raise ValueError("missing webhook headers")
    if abs((now or time.time()) - int(timestamp)) > REPLAY_WINDOW:
        raise ValueError("timestamp outside the replay window")
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    expected = "v1=" + mac.hexdigest()
    if not any(hmac.compare_digest(expected, s) for s in signatures.split()):
        raise ValueError("bad signature")
    event = json.loads(body)
    if event["id"] != msg_id:
        raise ValueError("Webhook-Id does not match the event")
    return event


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    error: str
    answered: int

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class WebhookReceiver:
    def __init__(self, secret: str = ""):
        self.secret = secret
        self.deliveries: list[Delivery] = []
        self.events: dict[str, dict] = {}  # accepted, one per Webhook-Id
        self.duplicates = 0
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self.release = threading.Event()
        self.holding = threading.Event()
        self.hang_seconds = 5.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra = receiver._answer(self.path, headers, body)
                try:
                    self.send_response(status)
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the relay gave up or was killed
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def script(self, *behaviours: str) -> None:
        with self._lock:
            self._script.extend(behaviours)

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _answer(self, path: str, headers: dict, body: bytes) -> tuple[int, dict]:
        with self._lock:
            behaviour = self._script.popleft() if self._script else "accept"
        try:
            event = verify_webhook(self.secret, headers, body)
            verified, error = True, ""
        except (ValueError, KeyError) as exc:
            event, verified, error = None, False, str(exc)
        if not verified:
            self._keep(Delivery(path, headers, body, False, error, 400))
            return 400, {}
        if behaviour == "hang":
            self._keep(Delivery(path, headers, body, True, "", 0))
            self.release.wait(self.hang_seconds)
            return 504, {}
        if behaviour == "hold":  # wait, then accept: the relay may be gone by then
            self.holding.set()
            self.release.wait(self.hang_seconds)
            behaviour = "accept"
        if behaviour in ("500", "429", "302"):
            code = int(behaviour)
            self._keep(Delivery(path, headers, body, True, "", code))
            extra = {"Retry-After": "1"} if code == 429 else {}
            if code == 302:
                extra = {"Location": "http://127.0.0.1:9/elsewhere"}
            return code, extra
        with self._lock:
            if event["id"] in self.events:
                self.duplicates += 1
            else:
                self.events[event["id"]] = event
        self._keep(Delivery(path, headers, body, True, "", 200))
        return 200, {}

    def _keep(self, delivery: Delivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)
