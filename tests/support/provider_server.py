"""A recording HTTP server on loopback that stands in for SendGrid and Twilio.

The real SDKs talk to it. It records every request, answers with a scripted behaviour
("accept", "429", "500", "400", "hang", "hold") and keeps what it accepted, so the tests can
check what each SDK sent and how many times a message was really accepted."""

from __future__ import annotations

import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Accepted:
    provider: str  # sendgrid | twilio
    provider_id: str
    request: Recorded
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


class ProviderServer:
    def __init__(self):
        self.requests: list[Recorded] = []
        self.accepted: list[Accepted] = []
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self.release = threading.Event()  # ends "hang"/"hold" answers
        self.holding = threading.Event()  # set while a "hold" request waits
        self.hang_seconds = 5.0
        self.lookup_status = 200  # 403: "this account has no Email Activity access"
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                parsed = urlparse(self.path)
                rec = Recorded(
                    self.command,
                    parsed.path,
                    parse_qs(parsed.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                status, headers, body = server._answer(rec)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (timeout, killed): nothing to answer
                    pass

            do_GET = do_POST = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    # -- test controls -------------------------------------------------------------------
    def script(self, *behaviours: str) -> None:
        """The next send requests get these answers in order; then "accept" again."""
        with self._lock:
            self._script.extend(behaviours)

    def sends(self, provider: str | None = None) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.method == "POST" and (provider is None or _provider_of(r.path) == provider)
        ]

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- behaviour -----------------------------------------------------------------------
    def _answer(self, rec: Recorded):
        provider = _provider_of(rec.path)
        if rec.method == "GET":
            with self._lock:
                self.requests.append(rec)
            if self.lookup_status != 200:
                return (
                    self.lookup_status,
                    {"Content-Type": "application/json"},
                    {
                        "errors": [{"message": "access forbidden"}],
                        "code": 20403,
                        "message": "forbidden",
                        "status": self.lookup_status,
                    },
                )
            return self._lookup(provider, rec)
        with self._lock:
            self.requests.append(rec)
            behaviour = self._script.popleft() if self._script else "accept"
        if behaviour == "hang":
            self.release.wait(self.hang_seconds)
            return 504, {}, b""
        if behaviour == "hold":  # wait, then accept: the client may be gone by then
            self.holding.set()
            self.release.wait(self.hang_seconds)
            behaviour = "accept"
        if behaviour == "429":
            return (
                429,
                {"Retry-After": "1", "Content-Type": "application/json"},
                {
                    "errors": [{"message": "too many requests"}],
                    "code": 20429,
                    "message": "Too Many Requests",
                    "status": 429,
                },
            )
        if behaviour in ("500", "400"):
            code = int(behaviour)
            return (
                code,
                {"Content-Type": "application/json"},
                {
                    "errors": [{"message": f"error {code}"}],
                    "code": 20000 + code,
                    "message": f"error {code}",
                    "status": code,
                },
            )
        return self._accept(provider, rec)

    def _accept(self, provider: str, rec: Recorded):
        if provider == "sendgrid":
            msg_id = uuid.uuid4().hex[:22]
            with self._lock:
                self.accepted.append(Accepted("sendgrid", msg_id, rec))
            return 202, {"X-Message-Id": msg_id}, b""
        sid = "SM" + uuid.uuid4().hex
        form = rec.form()
        with self._lock:
            self.accepted.append(Accepted("twilio", sid, rec))
        return 201, {"Content-Type": "application/json"}, _twilio_message(sid, form, rec.path)

    def _lookup(self, provider: str, rec: Recorded):
        """SendGrid's Email Activity query and Twilio's message list, from what was accepted."""
        with self._lock:
            accepted = [a for a in self.accepted if a.provider == provider]
        if provider == "sendgrid":
            query = rec.query.get("query", [""])[0]
            found = [
                {
                    "msg_id": a.provider_id,
                    "status": "processed",
                    "to_email": a.request.json()["personalizations"][0]["to"][0]["email"],
                }
                for a in accepted
                if any(f'"{v}"' in query for v in a.request.json().get("custom_args", {}).values())
            ]
            return 200, {"Content-Type": "application/json"}, {"messages": found}
        to = rec.query.get("To", [None])[0]
        messages = [
            _twilio_message(a.provider_id, a.request.form(), a.request.path)
            for a in accepted
            if to is None or a.request.form().get("To") == to
        ]
        return (
            200,
            {"Content-Type": "application/json"},
            {
                "messages": messages,
                "end": len(messages),
                "first_page_uri": rec.path,
                "next_page_uri": None,
                "page": 0,
                "page_size": 50,
                "previous_page_uri": None,
                "start": 0,
                "uri": rec.path,
            },
        )


def _provider_of(path: str) -> str:
    return "sendgrid" if path.startswith("/v3/") else "twilio"


def _twilio_message(sid: str, form: dict[str, str], path: str) -> dict:
    now = format_datetime(datetime.now(UTC), usegmt=True)
    account = path.split("/")[3] if path.count("/") >= 3 else "AC"
    return {
        "sid": sid,
        "account_sid": account,
        "to": form.get("To"),
        "from": form.get("From"),
        "body": form.get("Body"),
        "status": "queued",
        "num_segments": "1",
        "direction": "outbound-api",
        "date_created": now,
        "date_updated": now,
        "date_sent": now,
        "api_version": "2010-04-01",
        "price": None,
        "error_code": None,
        "error_message": None,
        "uri": f"{path.rsplit('.', 1)[0]}/{sid}.json",
        "subresource_uris": {},
    }
