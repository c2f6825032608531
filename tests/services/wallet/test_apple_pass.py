"""Apple Wallet passes: the structure Wallet expects, every hash in the manifest right, and a
detached PKCS#7 signature that verifies against a certificate chain made here (a root, a
WWDR-like intermediate, the agency's Pass Type ID certificate)."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from sqlmodel import select

from clientcenter.models import ActivityLog, Vehicle
from clientcenter.services.errors import NotAllowed, NotFound
from clientcenter.services.portal import id_card_view
from clientcenter.services.wallet import apple_pass
from tests.support.checks import footprint
from tests.support.demo import LEE, PAT, RIVERA, customer, policy_of
from tests.support.settings import use_settings

PASS_TYPE = "pass.example.harborandmain.idcard"
TEAM = "A1B2C3D4E5"


def _cert(subject, issuer, key, issuer_key, *, ca: bool):
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


@pytest.fixture
def chain(tmp_path, monkeypatch):
    """Root CA -> WWDR-like intermediate -> Pass Type ID certificate, configured."""
    keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)]
    root = _cert("Test Root CA", "Test Root CA", keys[0], keys[0], ca=True)
    wwdr = _cert("Test WWDR", "Test Root CA", keys[1], keys[0], ca=True)
    signer = _cert(f"Pass Type ID: {PASS_TYPE}", "Test WWDR", keys[2], keys[1], ca=False)
    pem = serialization.Encoding.PEM
    paths = {}
    for name, cert in (("root", root), ("wwdr", wwdr), ("signer", signer)):
        paths[name] = tmp_path / f"{name}.pem"
        paths[name].write_bytes(cert.public_bytes(pem))
    paths["key"] = tmp_path / "key.pem"
    paths["key"].write_bytes(
        keys[2].private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    use_settings(
        monkeypatch,
        WALLET__APPLE_PASS_TYPE_ID=PASS_TYPE,
        WALLET__APPLE_TEAM_ID=TEAM,
        WALLET__APPLE_CERTIFICATE_PATH=str(paths["signer"]),
        WALLET__APPLE_KEY_PATH=str(paths["key"]),
        WALLET__APPLE_WWDR_CERTIFICATE_PATH=str(paths["wwdr"]),
    )
    return paths, signer, wwdr


def _vehicles(session, policy):
    return session.exec(
        select(Vehicle).where(Vehicle.policy_id == policy.id).order_by(Vehicle.id)
    ).all()


def test_pass_structure_hashes_and_signature(demo, chain, tmp_path):
    paths, signer, wwdr = chain
    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    vehicle = _vehicles(demo, auto)[0]
    before = footprint(demo)
    sent = apple_pass.download_pass(demo, pat, vehicle.id)
    demo.commit()
    assert sent.content_type == "application/vnd.apple.pkpass"
    assert sent.filename.endswith(".pkpass")
    archive = zipfile.ZipFile(io.BytesIO(sent.data))
    names = set(archive.namelist())
    assert {"pass.json", "manifest.json", "signature", "icon.png", "icon@2x.png"} <= names
    # Every file but the manifest and the signature is hashed, and every hash matches.
    manifest = json.loads(archive.read("manifest.json"))
    assert set(manifest) == names - {"manifest.json", "signature"}
    for name, digest in manifest.items():
        assert hashlib.sha1(archive.read(name)).hexdigest() == digest, name
    data = json.loads(archive.read("pass.json"))
    assert (data["passTypeIdentifier"], data["teamIdentifier"]) == (PASS_TYPE, TEAM)
    assert data["formatVersion"] == 1 and data["serialNumber"] == f"{auto.number}-{vehicle.id}"
    fields = {f["key"]: f["value"] for group in data["generic"].values() for f in group}
    assert fields["policy"] == auto.number and fields["vin"] == vehicle.vin
    assert auto.carrier in fields["carrier"]
    assert data["expirationDate"].startswith(auto.expiration_date.isoformat())
    # The signature: detached PKCS#7 over the manifest, carrying the signer and the WWDR
    # intermediate, verified by OpenSSL against the root alone.
    signature = archive.read("signature")
    carried = pkcs7.load_der_pkcs7_certificates(signature)
    assert {c.subject for c in carried} == {signer.subject, wwdr.subject}
    (tmp_path / "manifest.json").write_bytes(archive.read("manifest.json"))
    (tmp_path / "signature").write_bytes(signature)
    verify = [
        "openssl", "cms", "-verify", "-inform", "DER", "-binary", "-purpose", "any",
        "-in", str(tmp_path / "signature"), "-content", str(tmp_path / "manifest.json"),
        "-CAfile", str(paths["root"]), "-out", "/dev/null",
    ]  # fmt: skip
    assert subprocess.run(verify, capture_output=True).returncode == 0
    # A manifest changed after signing no longer verifies.
    (tmp_path / "manifest.json").write_bytes(archive.read("manifest.json") + b" ")
    assert subprocess.run(verify, capture_output=True).returncode != 0
    # Recorded as the ID card download.
    after = footprint(demo)
    assert after["activity"] == before["activity"] + 1
    entry = demo.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "customer.id_card_download" and entry.details["via"] == "pkpass"


def test_refusals(demo, chain, monkeypatch):
    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    ny, _ = _vehicles(demo, auto)
    jordans = _vehicles(demo, policy_of(demo, LEE, "auto"))[0]
    ny.garaging_state = "NY"
    demo.commit()
    before = footprint(demo)
    with pytest.raises(NotFound):  # another customer's vehicle looks absent
        apple_pass.download_pass(demo, pat, jordans.id)
    with pytest.raises(NotFound):  # a carrier-only state: nothing generated
        apple_pass.check_request(demo, pat, ny.id)
    auto.status = "cancelled"
    demo.commit()
    with pytest.raises(NotFound):
        apple_pass.download_pass(demo, pat, ny.id + 1)
    assert footprint(demo) == before


def test_not_offered_without_configuration(demo):
    pat = customer(demo, PAT)
    [card, *_] = id_card_view.id_cards(demo, pat)
    with pytest.raises(NotAllowed, match="not offered"):
        apple_pass.check_request(demo, pat, card.vehicle_id)


def test_half_a_configuration_stops_start_up(monkeypatch):
    from clientcenter.settings import SettingsError, load_settings

    monkeypatch.setenv("CC_WALLET__APPLE_PASS_TYPE_ID", PASS_TYPE)
    with pytest.raises(SettingsError, match="Apple Wallet needs"):
        load_settings()
