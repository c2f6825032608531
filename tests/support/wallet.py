"""Apple Wallet in tests: a certificate chain made here (a root, a WWDR-like intermediate, the
agency's Pass Type ID certificate) and the settings that name it. The recording APNs that
demands a client certificate from this chain is tests/support/apns_recorder.py."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
