"""Google Wallet: a "Save to Google Wallet" link per card, a JWT (RS256) signed with the
agency's service-account key carrying one Generic pass object. Google checks the signature
against the service account's public key; nothing is sent to Google until the customer taps.
Offered only when ``settings.wallet`` names the issuer and the key file."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import jwt

from clientcenter.services.portal.id_card_view import IdCard
from clientcenter.services.wallet.icons import brand_colour
from clientcenter.settings import Settings, get_settings

SAVE_URL = "https://pay.google.com/gp/v/save/"
CLASS_SUFFIX = "insurance_id_card"


def _service_account(path: Path) -> dict:
    data = json.loads(path.read_text())
    for key in ("client_email", "private_key"):
        if not data.get(key):
            raise ValueError(f"the Google service account file has no {key}")
    return data


def _id_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


def pass_object(card: IdCard, issuer_id: str) -> dict:
    return {
        "id": f"{issuer_id}.{_id_part(card.policy_number)}-{card.vehicle_id}",
        "classId": f"{issuer_id}.{CLASS_SUFFIX}",
        "state": "ACTIVE",
        "cardTitle": _text(card.agency_name),
        "header": _text(card.vehicle),
        "subheader": _text("Insurance ID card"),
        "hexBackgroundColor": brand_colour(),
        "textModulesData": [
            {"id": "carrier", "header": "Insurance company", "body": _carrier(card)},
            {"id": "policy", "header": "Policy number", "body": card.policy_number},
            {"id": "term", "header": "Effective", "body": f"{card.effective} to {card.expires}"},
            {"id": "insureds", "header": "Named insured", "body": ", ".join(card.named_insureds)},
            {"id": "vin", "header": "VIN", "body": card.vin},
            {
                "id": "agency",
                "header": "Agency",
                "body": f"{card.agency_name} {card.agency_phone}",
            },
        ],
        "validTimeInterval": {"end": {"date": f"{card.expires_on}T23:59:59Z"}},
    }


def _carrier(card: IdCard) -> str:
    return f"{card.carrier} (NAIC {card.naic})" if card.naic else card.carrier


def _text(value: str) -> dict:
    return {"defaultValue": {"language": "en-US", "value": value}}


def save_jwt(card: IdCard, settings: Settings | None = None, *, now: float | None = None) -> str:
    wallet = (settings or get_settings()).wallet
    if not wallet.google_configured:
        raise ValueError("Google Wallet is not configured")
    account = _service_account(wallet.google_service_account_path)
    claims = {
        "iss": account["client_email"],
        "aud": "google",
        "typ": "savetowallet",
        "iat": int(now if now is not None else time.time()),
        "origins": [str((settings or get_settings()).public_url).rstrip("/")],
        "payload": {
            # The class is created with the first save if Google does not know it yet.
            "genericClasses": [{"id": f"{wallet.google_issuer_id}.{CLASS_SUFFIX}"}],
            "genericObjects": [pass_object(card, wallet.google_issuer_id)],
        },
    }
    headers = {"kid": account["private_key_id"]} if account.get("private_key_id") else None
    return jwt.encode(claims, account["private_key"], algorithm="RS256", headers=headers)


def save_url(card: IdCard, settings: Settings | None = None) -> str:
    return SAVE_URL + save_jwt(card, settings)
