"""Apple Wallet: a signed ``.pkpass`` per ID card.

A pass is a zip of ``pass.json``, its images, ``manifest.json`` (the SHA-1 of every other
file) and ``signature``: a detached PKCS#7 signature of the manifest made with the agency's
Pass Type ID certificate, carrying Apple's WWDR intermediate so Wallet can build the chain.
Offered only when ``settings.wallet`` names the certificate, key, WWDR certificate and ids.
With ``wallet.apple_web_service`` on, pass.json also carries ``webServiceURL`` and the
pass's ``authenticationToken`` (services/wallet/web_service.py), and Wallet asks the portal
for updates (services/wallet/passkit.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import date

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from sqlmodel import Session

from clientcenter.services.errors import NotAllowed, NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal import id_card_view
from clientcenter.services.portal.documents import FileToSend
from clientcenter.services.portal.id_card_view import IdCard
from clientcenter.services.principal import Principal
from clientcenter.services.wallet.icons import brand_colour, icon_png
from clientcenter.services.wallet.web_service import pass_fields
from clientcenter.settings import Settings, Wallet, get_settings

CONTENT_TYPE = "application/vnd.apple.pkpass"
NOT_OFFERED = "Apple Wallet passes are not offered by your agency."
NO_CARD = "We couldn't find an ID card for that vehicle."


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def serial_number(card: IdCard) -> str:
    """The pass's serial: its policy number and vehicle id (services/wallet/passkit.py parses
    it back)."""
    return f"{card.policy_number}-{card.vehicle_id}"


def pass_json(card: IdCard, settings: Settings) -> dict:
    wallet = settings.wallet
    carrier = f"{card.carrier} · NAIC {card.naic}" if card.naic else card.carrier
    serial = serial_number(card)
    return {
        "formatVersion": 1,
        "passTypeIdentifier": wallet.apple_pass_type_id,
        "teamIdentifier": wallet.apple_team_id,
        "serialNumber": serial,
        **pass_fields(serial, settings),
        "organizationName": card.agency_name,
        "description": f"Insurance ID card, {card.vehicle}",
        "logoText": "Insurance ID card",
        "foregroundColor": "rgb(255, 255, 255)",
        "labelColor": "rgb(255, 255, 255)",
        "backgroundColor": _rgb(brand_colour()),
        "expirationDate": f"{card.expires_on}T23:59:59Z",
        "generic": {
            "primaryFields": [{"key": "vehicle", "label": "VEHICLE", "value": card.vehicle}],
            "secondaryFields": [
                {"key": "policy", "label": "POLICY NUMBER", "value": card.policy_number},
                {"key": "expires", "label": "EXPIRES", "value": card.expires},
            ],
            "auxiliaryFields": [
                {"key": "carrier", "label": "INSURANCE COMPANY", "value": carrier},
                {"key": "effective", "label": "EFFECTIVE", "value": card.effective},
            ],
            "backFields": [
                {
                    "key": "insureds",
                    "label": "Named insured",
                    "value": ", ".join(card.named_insureds),
                },
                {"key": "vin", "label": "VIN", "value": card.vin},
                {"key": "naic", "label": "NAIC number", "value": card.naic or "not on file"},
                {
                    "key": "agency",
                    "label": "Your agency",
                    "value": f"{card.agency_name}, {card.agency_phone}",
                },
            ],
        },
    }


def pass_files(card: IdCard, settings: Settings) -> dict[str, bytes]:
    """Every file of the pass but the manifest and the signature."""
    return {
        "pass.json": json.dumps(pass_json(card, settings), ensure_ascii=False).encode(),
        "icon.png": icon_png(29),
        "icon@2x.png": icon_png(58),
        "icon@3x.png": icon_png(87),
        "logo.png": icon_png(50),
        "logo@2x.png": icon_png(100),
    }


def manifest(files: dict[str, bytes]) -> bytes:
    hashed = {name: hashlib.sha1(data).hexdigest() for name, data in files.items()}
    return json.dumps(hashed).encode()


def sign_manifest(data: bytes, wallet: Wallet) -> bytes:
    cert = x509.load_pem_x509_certificate(wallet.apple_certificate_path.read_bytes())
    wwdr = x509.load_pem_x509_certificate(wallet.apple_wwdr_certificate_path.read_bytes())
    password = (
        wallet.apple_key_password.get_secret_value().encode()
        if wallet.apple_key_password
        else None
    )
    key = serialization.load_pem_private_key(wallet.apple_key_path.read_bytes(), password)
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(cert, key, hashes.SHA256())
        .add_certificate(wwdr)
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )
    )


def build_pkpass(card: IdCard, settings: Settings | None = None) -> bytes:
    settings = settings or get_settings()
    files = pass_files(card, settings)
    files["manifest.json"] = manifest(files)
    files["signature"] = sign_manifest(files["manifest.json"], settings.wallet)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _card(
    session: Session, principal: Principal, vehicle_id: int, today: date | None = None
) -> IdCard:
    if not get_settings().wallet.apple_configured:
        raise NotAllowed(NOT_OFFERED)
    for card in id_card_view.id_cards(session, principal, today=today):
        if card.vehicle_id == vehicle_id and not card.carrier_only:
            return card
    raise NotFound(NO_CARD)


def check_request(session: Session, principal: Principal, vehicle_id: int) -> int:
    """Refuse now what :func:`download_pass` would refuse, before a link is handed out."""
    return _card(session, principal, vehicle_id).vehicle_id


def download_pass(session: Session, principal: Principal, vehicle_id: int) -> FileToSend:
    """The signed pass of one card, recorded as an ID card download."""
    card = _card(session, principal, vehicle_id)
    data = build_pkpass(card)
    key = "agent.download_id_cards" if principal.is_agent else "customer.id_card_download"
    record_action(
        session,
        principal,
        key,
        account_id=principal.account_id,
        summary=f"Added the ID card for {card.policy_number} to Apple Wallet"[:300],
        details={"policy_id": card.policy_id, "vehicle_ids": [card.vehicle_id], "via": "pkpass"},
    )
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"ID-card-{card.policy_number}-{card.vehicle}")
    return FileToSend(f"{name.strip('-')}.pkpass", CONTENT_TYPE, data)
