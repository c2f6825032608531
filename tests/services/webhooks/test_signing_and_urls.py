"""Signing (services/webhooks/signing.py), derived secrets (secrets.py) and which URLs may
receive webhooks (urls.py). No database."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from clientcenter.services.errors import InvalidInput
from clientcenter.services.webhooks import secrets, signing, urls
from clientcenter.settings import load_settings
from tests.support.webhook_receiver import verify_webhook

SECRET = "whsec_test"
BODY = b'{"data":{},"id":"evt_1","type":"webhook.test"}'
NOW = 1_800_000_000


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    headers = signing.signed_headers(SECRET, "evt_1", BODY, now=NOW)
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert headers == {
        "Webhook-Id": "evt_1",
        "Webhook-Timestamp": str(NOW),
        "Webhook-Signature": f"v1={expected}",
    }
    assert signing.verify(SECRET, headers, BODY, now=NOW + 299) == "evt_1"
    # The documented receiver code accepts it too.
    lower = {k.lower(): v for k, v in headers.items()}
    assert verify_webhook(SECRET, lower, BODY, now=NOW)["id"] == "evt_1"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda h, b: (h, b + b" "), "does not match"),
        (lambda h, b: ({**h, "Webhook-Signature": "v1=" + "0" * 64}, b), "does not match"),
        (lambda h, b: ({**h, "Webhook-Timestamp": str(NOW + 1)}, b), "does not match"),
        (lambda h, b: ({**h, "Webhook-Timestamp": "soon"}, b), "not a Unix time"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "Webhook-Id"}, b), "missing"),
    ],
)
def test_a_tampered_delivery_is_refused(change, words):
    headers, body = change(signing.signed_headers(SECRET, "evt_1", BODY, now=NOW), BODY)
    with pytest.raises(signing.SignatureRefused, match=words):
        signing.verify(SECRET, headers, body, now=NOW)


def test_the_replay_window_is_five_minutes_either_way():
    headers = signing.signed_headers(SECRET, "evt_1", BODY, now=NOW)
    for skew in (301, -301, 86_400):
        with pytest.raises(signing.SignatureRefused, match="replay window"):
            signing.verify(SECRET, headers, BODY, now=NOW + skew)
    with pytest.raises(ValueError, match="replay window"):
        verify_webhook(SECRET, {k.lower(): v for k, v in headers.items()}, BODY, now=NOW + 301)


def test_another_secret_does_not_verify_and_rotation_accepts_either():
    headers = signing.signed_headers(SECRET, "evt_1", BODY, now=NOW)
    with pytest.raises(signing.SignatureRefused):
        signing.verify("whsec_other", headers, BODY, now=NOW)
    old = signing.signature("whsec_old", NOW, BODY)
    both = {**headers, "Webhook-Signature": f"{old} {headers['Webhook-Signature']}"}
    assert signing.verify(SECRET, both, BODY, now=NOW) == "evt_1"


def test_secrets_are_derived_from_the_salt_and_the_app_secret(monkeypatch):
    settings = load_settings()
    salt = secrets.new_salt()
    assert len(salt) == 64 and salt != secrets.new_salt()
    one = secrets.endpoint_secret(salt, settings)
    assert one.startswith("whsec_") and len(one) > 40
    assert secrets.endpoint_secret(salt, settings) == one
    assert secrets.endpoint_secret(secrets.new_salt(), settings) != one
    monkeypatch.setenv("CC_SECRET_KEY", "another-secret-0123456789-abcdefghijklmnopqrst")
    assert secrets.endpoint_secret(salt, load_settings()) != one


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/in", "https://example.com:8443/a?b=c", "http://127.0.0.1:9/x"],
)
def test_urls_that_may_receive(url):
    assert urls.check_url(f"  {url} ", load_settings()) == url


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "enter the address"),
        ("ftp://example.com/x", "must start with https://"),
        ("https:///nohost", "must start with https://"),
        ("http://hooks.example.com/in", "must use https://"),
        ("http://10.0.0.5/in", "must use https://"),
        ("https://user:pw@example.com/", "leave credentials out"),
        ("https://example.com/a b", "spaces"),
        ("https://example.com:99999/", "not a valid web address"),
        ("https://example.com/#top", "fragment"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://[fe80::1]/x", "link-local"),
        ("https://0.0.0.0/x", "link-local"),
        ("https://example.com/" + "a" * 260, "254 characters or fewer"),
    ],
)
def test_urls_refused_by_name(url, words):
    with pytest.raises(InvalidInput, match=words) as exc:
        urls.check_url(url, load_settings())
    assert exc.value.field == "url"


def test_loopback_http_only_in_the_dev_set_up(monkeypatch):
    monkeypatch.setenv("CC_DELIVERY__EMAIL_BACKEND", "sendgrid")
    monkeypatch.setenv("CC_DELIVERY__SENDGRID_API_KEY", "SG.test-key")
    monkeypatch.setenv("CC_DELIVERY__SMS_BACKEND", "twilio")
    monkeypatch.setenv("CC_DELIVERY__TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    monkeypatch.setenv("CC_DELIVERY__TWILIO_AUTH_TOKEN", "twilio-test-token-0123456789abcdef")
    monkeypatch.setenv("CC_DELIVERY__TWILIO_FROM_NUMBER", "+12075550199")
    monkeypatch.setenv("CC_PUBLIC_URL", "https://portal.harborandmain.example")
    settings = load_settings()
    assert not settings.uses_dev_mailbox
    with pytest.raises(InvalidInput, match="must use https://"):
        urls.check_url("http://127.0.0.1:9/x", settings)
    assert urls.check_url("https://127.0.0.1:9/x", settings)
