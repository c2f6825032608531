"""Delivery webhooks: verified by signature with the SDKs' helpers, applied idempotently."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import select
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from clientcenter.delivery.relay import Relay
from clientcenter.http import build_http_app
from clientcenter.models import DeliveryEvent
from clientcenter.settings import reset_settings_cache
from tests.support.delivery import (  # noqa: F401  (fixtures)
    TWILIO_TOKEN,
    a_text,
    an_email,
    provider,
    real_delivery_env,
    reload,
)

PUBLIC = "https://portal.harborandmain.example"


@pytest.fixture
def signing_key():
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def hooks(monkeypatch, provider, signing_key, engine):
    public = signing_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    real_delivery_env(
        monkeypatch,
        provider,
        CC_DELIVERY__SENDGRID_WEBHOOK_PUBLIC_KEY=base64.b64encode(public).decode(),
    )
    reset_settings_cache()
    return TestClient(build_http_app())


def signed_sendgrid(key, events, timestamp=None):
    body = json.dumps(events)
    ts = str(int(timestamp or time.time()))
    signature = key.sign((ts + body).encode(), ec.ECDSA(hashes.SHA256()))
    return body, {
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": ts,
        "Content-Type": "application/json",
    }


def sendgrid_event(message, event, event_id, **extra):
    return {
        "email": message.to_address,
        "event": event,
        "sg_event_id": event_id,
        "sg_message_id": f"{message.provider_message_id or 'x'}.filter0001.1.0",
        "timestamp": int(time.time()),
        "cc_dedupe_key": message.dedupe_key,
        "cc_outbox_id": str(message.id),
        **extra,
    }


def sent_email(session):
    from clientcenter.settings import get_settings

    settings = get_settings()
    message = an_email(session, settings)
    Relay(session.bind, settings).drain()
    return reload(session, message.id)


def test_sendgrid_events_move_the_status_once(session, hooks, signing_key):
    message = sent_email(session)
    body, headers = signed_sendgrid(
        signing_key,
        [
            sendgrid_event(message, "processed", "ev-1"),
            sendgrid_event(message, "delivered", "ev-2"),
            sendgrid_event(message, "open", "ev-3"),
        ],
    )
    answer = hooks.post("/webhooks/sendgrid/events", content=body, headers=headers)
    assert answer.status_code == 200 and answer.json() == {"received": 3, "new": 3}
    row = reload(session, message.id)
    assert row.status == "delivered"
    # SendGrid retries a batch it is unsure about: nothing is counted twice.
    again = hooks.post("/webhooks/sendgrid/events", content=body, headers=headers)
    assert again.json() == {"received": 3, "new": 0}
    assert len(session.exec(select(DeliveryEvent)).all()) == 3
    # A late "processed" never undoes "delivered".
    body, headers = signed_sendgrid(signing_key, [sendgrid_event(message, "processed", "ev-4")])
    hooks.post("/webhooks/sendgrid/events", content=body, headers=headers)
    assert reload(session, message.id).status == "delivered"


def test_sendgrid_bounce_marks_failed(session, hooks, signing_key):
    message = sent_email(session)
    body, headers = signed_sendgrid(
        signing_key, [sendgrid_event(message, "bounce", "ev-9", reason="550 mailbox unavailable")]
    )
    hooks.post("/webhooks/sendgrid/events", content=body, headers=headers)
    row = reload(session, message.id)
    assert row.status == "failed" and "550 mailbox unavailable" in row.last_error


def test_an_event_for_a_message_in_flight_records_the_acceptance(session, hooks, signing_key):
    """After a crash the webhook may be first to say SendGrid accepted the message: the relay
    then has nothing left to send."""
    from clientcenter.settings import get_settings

    message = an_email(session, get_settings())
    row = reload(session, message.id)
    row.status = "sending"
    session.add(row)
    session.commit()
    event = sendgrid_event(row, "processed", "ev-20", sg_message_id="abc123.filter.1")
    body, headers = signed_sendgrid(signing_key, [event])
    hooks.post("/webhooks/sendgrid/events", content=body, headers=headers)
    row = reload(session, message.id)
    assert row.status == "sent" and row.provider_message_id == "abc123"


@pytest.mark.parametrize("tamper", ["body", "signature", "missing", "stale", "other_key"])
def test_sendgrid_refuses_what_it_cannot_verify(session, hooks, signing_key, tamper):
    message = sent_email(session)
    events = [sendgrid_event(message, "bounce", "ev-x")]
    key = ec.generate_private_key(ec.SECP256R1()) if tamper == "other_key" else signing_key
    body, headers = signed_sendgrid(
        key, events, timestamp=time.time() - 3600 if tamper == "stale" else None
    )
    if tamper == "body":
        body = body.replace("bounce", "delivered")
    if tamper == "signature":
        headers["X-Twilio-Email-Event-Webhook-Signature"] = base64.b64encode(b"x" * 70).decode()
    if tamper == "missing":
        del headers["X-Twilio-Email-Event-Webhook-Signature"]
    answer = hooks.post("/webhooks/sendgrid/events", content=body, headers=headers)
    assert answer.status_code == 403
    assert reload(session, message.id).status == "sent"
    assert session.exec(select(DeliveryEvent)).all() == []


def test_sendgrid_webhook_is_off_without_a_key(session, monkeypatch, provider, engine):
    real_delivery_env(monkeypatch, provider)
    reset_settings_cache()
    answer = TestClient(build_http_app()).post("/webhooks/sendgrid/events", content="[]")
    assert answer.status_code == 404


def twilio_post(client, message, status, token=TWILIO_TOKEN, **extra):
    query = f"k={message.dedupe_key}"
    params = {
        "MessageSid": message.provider_message_id,
        "MessageStatus": status,
        "AccountSid": "AC" + "1" * 32,
        **extra,
    }
    url = f"{PUBLIC}/webhooks/twilio/status?{query}"
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(
        f"/webhooks/twilio/status?{query}", data=params, headers={"X-Twilio-Signature": signature}
    )


def sent_text(session):
    from clientcenter.settings import get_settings

    settings = get_settings()
    message = a_text(
        session,
        settings,
        template="action_customer",
        sensitive=False,
        recipient_kind="customer",
        context={"first_name": "Pat", "headline": "Payment received", "summary": ""},
    )
    Relay(session.bind, settings).drain()
    return reload(session, message.id)


def test_twilio_status_callbacks(session, hooks):
    message = sent_text(session)
    assert twilio_post(hooks, message, "sent").json() == {"new": True}
    assert twilio_post(hooks, message, "delivered").json() == {"new": True}
    assert twilio_post(hooks, message, "delivered").json() == {"new": False}
    assert reload(session, message.id).status == "delivered"
    assert twilio_post(hooks, message, "sent").status_code == 200
    assert reload(session, message.id).status == "delivered"


def test_twilio_undelivered_marks_failed(session, hooks):
    message = sent_text(session)
    twilio_post(hooks, message, "undelivered", ErrorCode="30006")
    row = reload(session, message.id)
    assert row.status == "failed" and "30006" in row.last_error


@pytest.mark.parametrize("tamper", ["token", "param", "missing"])
def test_twilio_refuses_what_it_cannot_verify(session, hooks, tamper):
    message = sent_text(session)
    if tamper == "token":
        answer = twilio_post(hooks, message, "failed", token="not-the-token")
    elif tamper == "param":
        url = f"{PUBLIC}/webhooks/twilio/status?k={message.dedupe_key}"
        params = {"MessageSid": message.provider_message_id, "MessageStatus": "delivered"}
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
        answer = hooks.post(
            f"/webhooks/twilio/status?k={message.dedupe_key}",
            data={**params, "MessageStatus": "failed"},
            headers={"X-Twilio-Signature": signature},
        )
    else:
        answer = hooks.post(
            f"/webhooks/twilio/status?k={message.dedupe_key}",
            data={"MessageSid": message.provider_message_id, "MessageStatus": "failed"},
        )
    assert answer.status_code == 403
    assert reload(session, message.id).status == "sent"
