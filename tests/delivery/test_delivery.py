"""The real SendGrid and Twilio SDKs against a recording server on loopback, through the relay."""

from __future__ import annotations

import base64
import random
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlmodel import select

from clientcenter.delivery.relay import Relay, backoff_seconds
from clientcenter.models import DevMailboxMessage, OutboxMessage
from clientcenter.models.base import utcnow
from clientcenter.settings import SettingsError, load_settings
from tests.support.delivery import (  # noqa: F401  (fixtures)
    SMS_FROM,
    TWILIO_SID,
    TWILIO_TOKEN,
    a_text,
    an_email,
    make_due,
    provider,
    real_settings,
    reload,
)


def test_sendgrid_request_carries_recipient_sender_subject_body(session, provider, real_settings):
    message = an_email(session, real_settings)
    report = Relay(session.bind, real_settings).drain()
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [request] = provider.sends("sendgrid")
    assert request.path == "/v3/mail/send"
    assert request.headers["authorization"] == "Bearer SG.test-key"
    body = request.json()
    assert body["personalizations"][0]["to"] == [
        {"email": "pat@example.com", "name": "Pat Rivera"}
    ]
    assert body["from"] == {
        "email": "portal@harborandmain.example",
        "name": "Harbor & Main Insurance",
    }
    assert body["reply_to"]["email"] == "service@harborandmain.example"
    assert body["subject"] == "We received your payment"
    content = {c["type"]: c["value"] for c in body["content"]}
    assert content["text/plain"].startswith("Hi Pat,") and "Invoice 1001" in content["text/plain"]
    assert "Invoice 1001" in content["text/html"] and "Harbor &amp; Main" in content["text/html"]
    assert body["custom_args"] == {
        "cc_dedupe_key": message.dedupe_key,
        "cc_outbox_id": str(message.id),
    }
    row = reload(session, message.id)
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None
    assert row.provider_message_id == provider.accepted[0].provider_id


def test_twilio_request_carries_recipient_sender_body(session, provider, real_settings):
    message = a_text(session, real_settings)
    Relay(session.bind, real_settings).drain()
    [request] = provider.sends("twilio")
    assert request.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    user, password = (
        base64.b64decode(request.headers["authorization"].split()[1]).decode().split(":")
    )
    assert (user, password) == (TWILIO_SID, TWILIO_TOKEN)
    form = request.form()
    assert form["To"] == "+12075550101" and form["From"] == SMS_FROM
    assert form["Body"] == (
        "Harbor & Main: your sign-in code is 482913. It expires in 10 min. Never share it."
    )
    callback = urlparse(form["StatusCallback"])
    assert callback.netloc == "portal.harborandmain.example"
    assert callback.path == "/webhooks/twilio/status"
    assert parse_qs(callback.query) == {"k": [message.dedupe_key]}
    row = reload(session, message.id)
    assert row.status == "sent" and row.provider_message_id.startswith("SM")


def test_login_code_body_is_purged_once_sent(session, provider, real_settings):
    message = a_text(session, real_settings)
    an_email(
        session,
        real_settings,
        template="login_code",
        recipient_kind="login",
        sensitive=True,
        context={"code": "777111", "minutes": 10},
    )
    Relay(session.bind, real_settings).drain()
    session.expire_all()
    rows = session.exec(select(OutboxMessage)).all()
    assert all(r.status == "sent" for r in rows)
    for r in rows:
        assert r.body_text == "" and r.body_html == ""
        assert "482913" not in r.subject and "777111" not in r.subject
    email_request = provider.sends("sendgrid")[0].json()
    assert email_request["tracking_settings"]["click_tracking"]["enable"] is False
    assert reload(session, message.id).provider_message_id


@pytest.mark.parametrize("answer", ["429", "500", "hang"])
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_transient_failures_are_retried_with_backoff(
    session, provider, real_settings, answer, channel
):
    message = (an_email if channel == "email" else a_text)(session, real_settings)
    provider.hang_seconds = 2
    provider.script(answer)
    relay = Relay(session.bind, real_settings)
    before = utcnow()
    first = relay.run_once()
    assert (first.sent, first.retried, first.failed) == (0, 1, 0)
    row = reload(session, message.id)
    assert row.status == "pending" and row.attempts == 1 and row.lease_until is None
    wait = (row.next_attempt_at.replace(tzinfo=before.tzinfo) - before).total_seconds()
    took = (utcnow() - before).total_seconds()
    assert 0.8 <= wait <= 1.2 + took  # base 1 s ±20 %; a 429's Retry-After of 1 s is honoured
    expected = {"429": "429", "500": "500", "hang": "unreachable"}[answer]
    assert expected in row.last_error
    assert relay.run_once().handled == 0  # not due yet
    make_due(session, message.id)
    assert relay.run_once().sent == 1
    row = reload(session, message.id)
    assert row.status == "sent" and row.attempts == 2
    requests = provider.sends("sendgrid" if channel == "email" else "twilio")
    assert len(requests) == 2 and len(provider.accepted) == 1
    if channel == "email":  # the same dedupe key both times
        keys = {r.json()["custom_args"]["cc_dedupe_key"] for r in requests}
        assert keys == {message.dedupe_key}
    else:
        assert len({r.form()["StatusCallback"] for r in requests}) == 1


def test_marked_failed_after_the_last_attempt(session, provider, real_settings):
    message = an_email(session, real_settings)
    provider.script("500", "429", "500", "500")
    relay = Relay(session.bind, real_settings)
    for _ in range(4):
        make_due(session, message.id)
        relay.run_once()
    row = reload(session, message.id)
    assert row.status == "failed" and row.attempts == 4
    assert row.last_error.startswith("gave up after 4 attempts")
    make_due(session, message.id)
    assert relay.run_once().handled == 0
    assert len(provider.sends()) == 4 and provider.accepted == []


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_refused_message_fails_at_once(session, provider, real_settings, channel):
    message = (an_email if channel == "email" else a_text)(session, real_settings)
    provider.script("400")
    report = Relay(session.bind, real_settings).run_once()
    assert report.failed == 1
    row = reload(session, message.id)
    assert row.status == "failed" and "400" in row.last_error and row.attempts == 1
    if channel == "sms":
        assert row.body_text == ""  # a failed login code is purged too


def test_an_expired_login_code_is_not_sent(session, provider, real_settings):
    message = a_text(session, real_settings)
    row = reload(session, message.id)
    row.created_at = utcnow() - timedelta(minutes=11)
    session.add(row)
    session.commit()
    Relay(session.bind, real_settings).run_once()
    row = reload(session, message.id)
    assert row.status == "failed" and "expired" in row.last_error and row.body_text == ""
    assert provider.sends() == []


def test_backoff_grows_and_is_capped():
    rng = random.Random(1)
    delays = [backoff_seconds(n, 2.0, 60.0, rng=rng) for n in range(1, 9)]
    assert 1.6 <= delays[0] <= 2.4 and 3.2 <= delays[1] <= 4.8 and 12.8 <= delays[3] <= 19.2
    assert delays[-1] == delays[-2] == 60.0
    assert backoff_seconds(1, 2.0, 60.0, retry_after=30, rng=rng) == 30
    assert backoff_seconds(1, 2.0, 60.0, retry_after=3600, rng=rng) == 60.0


def test_dev_mailbox_keeps_every_message_once(session):
    settings = load_settings()
    assert settings.uses_dev_mailbox
    email = an_email(session, settings)
    text = a_text(session, settings)
    relay = Relay(session.bind, settings)
    assert relay.drain().sent == 2
    kept = {m.dedupe_key: m for m in session.exec(select(DevMailboxMessage))}
    assert set(kept) == {email.dedupe_key, text.dedupe_key}
    assert "482913" in kept[text.dedupe_key].body_text  # the mailbox shows the code locally
    assert kept[email.dedupe_key].subject == "We received your payment"
    # A second attempt of the same message (outcome unknown) stores nothing new.
    from clientcenter.delivery.relay import _outgoing

    assert relay.backends["email"].send(_outgoing(reload(session, email.id))).provider_message_id
    assert len(session.exec(select(DevMailboxMessage)).all()) == 2


def test_lease_must_outlast_the_timeout(monkeypatch):
    monkeypatch.setenv("CC_DELIVERY__RELAY_TIMEOUT_SECONDS", "30")
    monkeypatch.setenv("CC_DELIVERY__RELAY_LEASE_SECONDS", "10")
    with pytest.raises(SettingsError, match="relay_lease_seconds"):
        load_settings()
