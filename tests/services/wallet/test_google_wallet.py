"""Google Wallet: the "Save to Google Wallet" link carries a JWT signed (RS256) with the
agency's service-account key, holding one Generic pass object of the card; it verifies with
that key's public half and no other."""

from __future__ import annotations

import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from clientcenter.services.portal import id_card_view
from clientcenter.services.wallet import google_wallet
from tests.support.demo import PAT, customer
from tests.support.settings import use_settings

ISSUER = "3388000000012345678"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def service_account(tmp_path, monkeypatch):
    key = _key()
    path = tmp_path / "service-account.json"
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "client_email": "wallet@agency.iam.gserviceaccount.com",
                "private_key_id": "k1",
                "private_key": pem,
            }
        )
    )
    use_settings(
        monkeypatch,
        WALLET__GOOGLE_ISSUER_ID=ISSUER,
        WALLET__GOOGLE_SERVICE_ACCOUNT_PATH=str(path),
    )
    return key


def test_save_link_is_a_jwt_that_verifies_with_the_service_account_key(demo, service_account):
    [card, *_] = id_card_view.id_cards(demo, customer(demo, PAT))
    url = google_wallet.save_url(card)
    assert url.startswith("https://pay.google.com/gp/v/save/")
    token = url.rsplit("/", 1)[1]
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": "k1", "typ": "JWT"}
    claims = jwt.decode(
        token, service_account.public_key(), algorithms=["RS256"], audience="google"
    )
    assert claims["iss"] == "wallet@agency.iam.gserviceaccount.com"
    assert claims["typ"] == "savetowallet"
    assert claims["origins"] == ["http://localhost:3000"]
    [obj] = claims["payload"]["genericObjects"]
    assert obj["id"] == f"{ISSUER}.{card.policy_number}-{card.vehicle_id}"
    assert obj["classId"] == f"{ISSUER}.{google_wallet.CLASS_SUFFIX}"
    modules = {m["id"]: m["body"] for m in obj["textModulesData"]}
    assert modules["vin"] == card.vin and modules["policy"] == card.policy_number
    assert obj["validTimeInterval"]["end"]["date"].startswith(card.expires_on)
    # Another key does not verify it.
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, _key().public_key(), algorithms=["RS256"], audience="google")


def test_no_link_without_configuration(demo):
    [card, *_] = id_card_view.id_cards(demo, customer(demo, PAT))
    with pytest.raises(ValueError, match="not configured"):
        google_wallet.save_url(card)


def test_half_a_configuration_stops_start_up(monkeypatch):
    from clientcenter.settings import SettingsError, load_settings

    monkeypatch.setenv("CC_WALLET__GOOGLE_ISSUER_ID", ISSUER)
    with pytest.raises(SettingsError, match="Google Wallet needs"):
        load_settings()
