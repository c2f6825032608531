"""Apple Wallet in tests: a certificate chain made here (a root, a WWDR-like intermediate, the
agency's Pass Type ID certificate), the settings that name it, and a recording APNs on
loopback (plain HTTP/1.1, or TLS that demands a client certificate from the chain)."""

from __future__ import annotations

import ipaddress
import json
import ssl
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.support.settings import use_settings

PASS_TYPE = "pass.example.harborandmain.idcard"
TEAM = "A1B2C3D4E5"
PEM = serialization.Encoding.PEM


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _cert(subject, issuer, key, issuer_key, *, ca: bool, ip: str | None = None):
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ip:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write_key(path: Path, key) -> Path:
    path.write_bytes(
        key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


@dataclass
class Chain:
    root: Path
    wwdr: Path
    signer: Path  # the Pass Type ID certificate
    key: Path
    server: Path  # a TLS certificate for 127.0.0.1 under the same root (the fake APNs)
    server_key: Path
    signer_subject: str


def make_chain(folder: Path) -> Chain:
    root_key, wwdr_key, signer_key, server_key = (_key() for _ in range(4))
    root = _cert("Test Root CA", "Test Root CA", root_key, root_key, ca=True)
    wwdr = _cert("Test WWDR", "Test Root CA", wwdr_key, root_key, ca=True)
    signer = _cert(f"Pass Type ID: {PASS_TYPE}", "Test WWDR", signer_key, wwdr_key, ca=False)
    server = _cert("127.0.0.1", "Test Root CA", server_key, root_key, ca=False, ip="127.0.0.1")
    paths = {}
    for name, cert in (("root", root), ("wwdr", wwdr), ("signer", signer), ("server", server)):
        paths[name] = folder / f"{name}.pem"
        paths[name].write_bytes(cert.public_bytes(PEM))
    return Chain(
        **paths,
        key=_write_key(folder / "key.pem", signer_key),
        server_key=_write_key(folder / "server-key.pem", server_key),
        signer_subject=f"Pass Type ID: {PASS_TYPE}",
    )


def configure_apple(monkeypatch: pytest.MonkeyPatch, chain: Chain, **extra: str) -> None:
    use_settings(
        monkeypatch,
        WALLET__APPLE_PASS_TYPE_ID=PASS_TYPE,
        WALLET__APPLE_TEAM_ID=TEAM,
        WALLET__APPLE_CERTIFICATE_PATH=str(chain.signer),
        WALLET__APPLE_KEY_PATH=str(chain.key),
        WALLET__APPLE_WWDR_CERTIFICATE_PATH=str(chain.wwdr),
        **extra,
    )


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    http_version: str
    client_certificate: str | None  # the common name the client presented, over TLS


@dataclass
class RecordingApns:
    """A stand-in for APNs on 127.0.0.1 that keeps every request. ``answers`` maps a push
    token to (status, reason); any other token is answered 200."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    answers: dict[str, tuple[int, str]] = field(default_factory=dict)


def _handler(recorder: RecordingApns):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            peer = None
            if isinstance(self.connection, ssl.SSLSocket):
                cert = self.connection.getpeercert() or {}
                names = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
                peer = names[0] if names else None
            recorder.requests.append(
                Recorded(
                    "POST",
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    self.request_version,
                    peer,
                )
            )
            token = self.path.rsplit("/", 1)[-1]
            status, reason = recorder.answers.get(token, (200, ""))
            payload = json.dumps({"reason": reason}).encode() if reason else b""
            self.send_response(status)
            self.send_header("apns-id", "00000000-0000-0000-0000-000000000000")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_args):
            pass

    return Handler


def start_recording_apns(recorder_tls: Chain | None = None):
    """Start the recorder; returns (recorder, server). Over TLS it demands a client
    certificate issued under the chain's root (through the WWDR-like intermediate)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: None)
    scheme = "http"
    if recorder_tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(recorder_tls.server), str(recorder_tls.server_key))
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(str(recorder_tls.root))
        context.load_verify_locations(str(recorder_tls.wwdr))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    recorder = RecordingApns(f"{scheme}://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return recorder, server


def age_cards(session, seconds: int = 60) -> None:
    """Date every policy, vehicle and driver ``seconds`` back (UPDATE statements, which
    ``stamp_updates`` does not see): a test that checks If-Modified-Since then does not
    depend on the demo having been loaded in an earlier second than the request."""
    from sqlalchemy import update

    from clientcenter.models import Driver, Policy, Vehicle
    from clientcenter.models.base import utcnow

    then = utcnow() - timedelta(seconds=seconds)
    for model in (Policy, Vehicle, Driver):
        session.exec(update(model).values(updated_at=then))
    session.commit()
    session.expire_all()
