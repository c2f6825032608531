"""A recording HTTP server on loopback that answers the few Stripe API calls the portal makes
(Checkout Sessions: create, retrieve, expire), the way Stripe answers them. The real `stripe`
SDK talks to it over HTTP; tests read what it received, and sign webhook payloads with the
SDK's own signature helper."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import stripe

WEBHOOK_SECRET = "whsec_test_0123456789abcdefghijklmnop"
API_KEY = "sk_test_recording_0123456789"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]
    body: str


@dataclass
class StripeRecorder:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    sessions: dict[str, dict] = field(default_factory=dict)
    # Idempotency-Key → the first response, as Stripe replays it.
    replies: dict[str, tuple[int, dict]] = field(default_factory=dict)
    fail_next: int = 0  # answer the next N requests with a 500
    lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0

    # -- what tests do on "Stripe's side"
    def creates(self) -> list[Recorded]:
        return [
            r for r in self.requests if r.method == "POST" and r.path == "/v1/checkout/sessions"
        ]

    def pay(self, session_id: str) -> dict:
        """The customer completes the hosted page."""
        with self.lock:
            s = self.sessions[session_id]
            s.update(status="complete", payment_status="paid", url=None)
            return dict(s)

    def event(
        self, event_type: str, session_id: str, *, event_id: str | None = None, **override
    ) -> bytes:
        """A webhook body for ``event_type`` about the session, as Stripe sends it."""
        with self.lock:
            obj = {**self.sessions[session_id], **override}
            self._seq += 1
            seq = self._seq
        return json.dumps(
            {
                "id": event_id or f"evt_test_{seq}",
                "object": "event",
                "api_version": "2025-01-01",
                "created": int(time.time()),
                "type": event_type,
                "livemode": False,
                "data": {"object": obj},
            }
        ).encode()

    @staticmethod
    def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
        return stripe.WebhookSignature.generate_signature_header(
            payload.decode(), secret, timestamp=timestamp
        )

    # -- the API
    def handle(self, method: str, path: str, headers: dict[str, str], body: str):
        form = dict(parse_qsl(body, keep_blank_values=True))
        with self.lock:
            self.requests.append(Recorded(method, path, headers, form, body))
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500, {"error": {"type": "api_error", "message": "recorder says no"}}
            if not headers.get("authorization", "").endswith(API_KEY):
                return 401, {
                    "error": {
                        "type": "invalid_request_error",
                        "message": "Invalid API Key provided",
                    }
                }
            key = headers.get("idempotency-key")
            if method == "POST" and key and key in self.replies:
                return self.replies[key]
            reply = self._route(method, path, form)
            if method == "POST" and key:
                self.replies[key] = reply
            return reply

    def _route(self, method: str, path: str, form: dict[str, str]):
        if method == "POST" and path == "/v1/checkout/sessions":
            self._seq += 1
            sid = f"cs_test_{self._seq:04d}"
            metadata = {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")}
            self.sessions[sid] = {
                "id": sid,
                "object": "checkout.session",
                "mode": form.get("mode"),
                "status": "open",
                "payment_status": "unpaid",
                "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                "currency": form["line_items[0][price_data][currency]"],
                "client_reference_id": form.get("client_reference_id"),
                "customer_email": form.get("customer_email"),
                "metadata": metadata,
                "success_url": form.get("success_url"),
                "cancel_url": form.get("cancel_url"),
                "expires_at": int(form.get("expires_at") or 0),
                "url": f"https://checkout.stripe.test/c/pay/{sid}",
            }
            return 200, self.sessions[sid]
        m = re.fullmatch(r"/v1/checkout/sessions/(cs_[A-Za-z0-9_]+)(/expire)?", path)
        if m and m.group(1) in self.sessions:
            s = self.sessions[m.group(1)]
            if m.group(2) and method == "POST":
                if s["status"] != "open":
                    return 400, {
                        "error": {
                            "type": "invalid_request_error",
                            "code": "checkout_session_not_open",
                            "message": f'Only Checkout Sessions with a status in ["open"] can be '
                            f"expired. This session has status `{s['status']}`.",
                        }
                    }
                s.update(status="expired", url=None)
            return 200, s
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "message": f"Unrecognized request URL ({method}: {path})",
            }
        }


def start_recorder() -> tuple[StripeRecorder, ThreadingHTTPServer]:
    recorder = StripeRecorder()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            path, _, query = self.path.partition("?")
            if self.command == "GET" and query:
                body = query
            status, payload = recorder.handle(
                self.command, path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("request-id", f"req_test_{len(recorder.requests)}")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return recorder, server
