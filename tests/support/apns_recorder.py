"""A stand-in for APNs on 127.0.0.1 that speaks HTTP/2 only, as Apple's does, and keeps every
request. Over TLS it offers ALPN "h2" alone and demands a client certificate issued under the
test chain (tests/support/wallet.py); without TLS it takes HTTP/2 with prior knowledge. The
framing is the ``h2`` library's server side: a client speaking HTTP/1.1 gets no answer and
nothing is recorded.

``start_http1_apns`` is its opposite, an HTTPS server that speaks HTTP/1.1 only, to show the
sender does not fall back to it."""

from __future__ import annotations

import contextlib
import json
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import h2.config
import h2.connection
import h2.events
import h2.exceptions

if TYPE_CHECKING:
    from tests.support.wallet import Chain


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # the regular headers, lower-case (apns-topic, content-type…)
    body: bytes
    http_version: str  # always "HTTP/2": nothing else reaches the list
    client_certificate: str | None  # the common name the client presented, over TLS


@dataclass
class RecordingApns:
    """``answers`` maps a push token to (status, reason); any other token is answered 200."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    answers: dict[str, tuple[int, str]] = field(default_factory=dict)
    server: socketserver.TCPServer | None = None

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def reply(self, path: str) -> tuple[int, bytes]:
        """The status and JSON body the test asked for this token (``/3/device/<token>``)."""
        status, reason = self.answers.get(path.rsplit("/", 1)[-1], (200, ""))
        return status, json.dumps({"reason": reason}).encode() if reason else b""


def _common_name(sock) -> str | None:
    if not isinstance(sock, ssl.SSLSocket):
        return None
    subject = (sock.getpeercert() or {}).get("subject", ())
    names = [value for rdn in subject for key, value in rdn if key == "commonName"]
    return names[0] if names else None


class _H2Handler(socketserver.BaseRequestHandler):
    """One client connection: TLS (when configured), then HTTP/2 frames until it closes."""

    server: _Server

    def handle(self) -> None:
        sock = self.request
        if self.server.tls is not None:
            try:
                sock = self.server.tls.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                return  # no or a wrong client certificate, or the client refused ours
            if sock.selected_alpn_protocol() != "h2":
                sock.close()  # as APNs: HTTP/2 or nothing
                return
        with sock, contextlib.suppress(ConnectionError):  # a client gone mid-way: done
            self._serve(sock, _common_name(sock))

    def _serve(self, sock, peer: str | None) -> None:
        recorder = self.server.recorder
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        conn = h2.connection.H2Connection(config=config)
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())
        streams: dict[int, tuple[dict[str, str], bytearray]] = {}
        while data := sock.recv(65535):
            try:
                events = conn.receive_data(data)
            except h2.exceptions.ProtocolError:  # e.g. an HTTP/1.1 request line for a preface
                sock.sendall(conn.data_to_send())
                return
            for event in events:
                if isinstance(event, h2.events.RequestReceived):
                    streams[event.stream_id] = (dict(event.headers), bytearray())
                elif isinstance(event, h2.events.DataReceived):
                    streams[event.stream_id][1].extend(event.data)
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    headers, body = streams.pop(event.stream_id)
                    request = Recorded(
                        method=headers[":method"],
                        path=headers[":path"],
                        headers={k: v for k, v in headers.items() if not k.startswith(":")},
                        body=bytes(body),
                        http_version="HTTP/2",
                        client_certificate=peer,
                    )
                    recorder.requests.append(request)
                    self._answer(conn, event.stream_id, *recorder.reply(request.path))
                elif isinstance(event, h2.events.ConnectionTerminated):
                    return
            sock.sendall(conn.data_to_send())

    @staticmethod
    def _answer(conn: h2.connection.H2Connection, stream_id: int, status: int, payload: bytes):
        headers = [
            (":status", str(status)),
            ("apns-id", "00000000-0000-0000-0000-000000000000"),
            ("content-length", str(len(payload))),
        ]
        conn.send_headers(stream_id, headers, end_stream=not payload)
        if payload:
            conn.send_data(stream_id, payload, end_stream=True)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, recorder: RecordingApns, tls: ssl.SSLContext | None):
        super().__init__(("127.0.0.1", 0), _H2Handler)
        self.recorder = recorder
        self.tls = tls


def _server_context(chain: Chain, alpn: list[str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(chain.server), str(chain.server_key))
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(str(chain.root))
    context.load_verify_locations(str(chain.wwdr))
    context.set_alpn_protocols(alpn)
    return context


def start_recording_apns(chain: Chain | None = None) -> RecordingApns:
    """Start the HTTP/2 recorder on a thread (``close()`` stops it). With ``chain``: TLS,
    ALPN "h2", and a client certificate issued under the chain's root (via the WWDR-like
    intermediate) required."""
    recorder = RecordingApns()
    tls = _server_context(chain, ["h2"]) if chain is not None else None
    server = _Server(recorder, tls)
    recorder.server = server
    scheme = "https" if tls is not None else "http"
    recorder.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return recorder


def start_http1_apns(chain: Chain) -> RecordingApns:
    """An APNs that is not: HTTPS with ALPN "http/1.1" only, answering every POST 200 and
    recording it (http_version "HTTP/1.1"), so a client that falls back would show here."""
    recorder = RecordingApns()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            peer = _common_name(self.connection)
            recorder.requests.append(
                Recorded("POST", self.path, headers, body, self.request_version, peer)
            )
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket = _server_context(chain, ["http/1.1"]).wrap_socket(
        server.socket, server_side=True
    )
    recorder.server = server
    recorder.url = f"https://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return recorder
