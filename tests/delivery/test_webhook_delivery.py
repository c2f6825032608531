"""Webhook deliveries through the real relay to a receiver on loopback that checks every
signature: sent and verified, retried with backoff on 5xx, 429 and an unfollowed redirect,
failed after the last attempt (then on the failed-messages page, retried from there), refused
for a disabled endpoint; and a relay killed with SIGKILL mid-delivery loses nothing."""

from __future__ import annotations

import json
import signal
from datetime import UTC

import pytest
from sqlmodel import select

from clientcenter.delivery.relay import Relay
from clientcenter.delivery.webhook_sender import WebhookSender
from clientcenter.models import Agent, OutboxMessage, WebhookEndpoint
from clientcenter.models.base import utcnow
from clientcenter.services.notify import outbox
from clientcenter.services.principal import Principal
from clientcenter.services.webhooks import events
from clientcenter.services.webhooks.secrets import endpoint_secret, new_salt
from clientcenter.settings import load_settings
from tests.delivery.test_relay_crash import lease_runs_out, start_relay_process, wait_for
from tests.support.delivery import make_due, reload
from tests.support.webhook_receiver import WebhookReceiver


@pytest.fixture
def receiver():
    server = WebhookReceiver()
    yield server
    server.close()


@pytest.fixture
def settings(monkeypatch):
    for key, value in {
        "CC_DELIVERY__RELAY_TIMEOUT_SECONDS": "2",
        "CC_DELIVERY__RELAY_LEASE_SECONDS": "20",
        "CC_DELIVERY__RELAY_BACKOFF_SECONDS": "1",
        "CC_DELIVERY__RELAY_BACKOFF_CAP_SECONDS": "30",
        "CC_DELIVERY__RELAY_MAX_ATTEMPTS": "3",
    }.items():
        monkeypatch.setenv(key, value)
    return load_settings()


def endpoint_for(session, receiver, settings, *, active=True) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        url=receiver.url, events=list(events.EVENT_TYPES), secret_salt=new_salt(), active=active
    )
    session.add(endpoint)
    session.commit()
    receiver.secret = endpoint_secret(endpoint.secret_salt, settings)
    return endpoint


def an_event(session, endpoint, data=None) -> OutboxMessage:
    [message_id] = events.emit(
        session, "document.uploaded", data or {"document": "Declarations"}, endpoints=[endpoint]
    )
    session.commit()
    return session.get(OutboxMessage, message_id)


def test_a_delivery_is_signed_verified_and_recorded_sent(session, receiver, settings):
    endpoint = endpoint_for(session, receiver, settings)
    message = an_event(session, endpoint)
    report = Relay(session.bind, settings).drain()
    assert report.sent == 1
    [delivery] = receiver.deliveries
    assert delivery.verified and delivery.answered == 200
    assert delivery.body == message.body_text.encode()  # the raw body, byte for byte
    assert delivery.headers["content-type"] == "application/json"
    assert delivery.headers["user-agent"].startswith("ClientCenter-Webhooks/")
    event = delivery.event
    assert delivery.headers["webhook-id"] == event["id"]
    assert event["type"] == "document.uploaded" and event["data"] == {"document": "Declarations"}
    row = reload(session, message.id)
    assert row.status == "sent" and row.attempts == 1 and row.provider_message_id == event["id"]


def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(session, receiver, settings):
    endpoint = endpoint_for(session, receiver, settings)
    receiver.secret = "whsec_not-the-one"
    message = an_event(session, endpoint)
    report = Relay(session.bind, settings).run_once()
    assert report.retried == 1
    assert [d.verified for d in receiver.deliveries] == [False]
    assert "HTTP 400" in reload(session, message.id).last_error


@pytest.mark.parametrize("answer", ["500", "429", "302", "hang"])
def test_retried_with_backoff_then_failed_then_retried_by_an_agent(
    session, receiver, settings, answer
):
    receiver.hang_seconds = 3  # longer than the relay's 2 s timeout
    endpoint = endpoint_for(session, receiver, settings)
    message = an_event(session, endpoint)
    receiver.script(answer, answer, answer)
    relay = Relay(session.bind, settings)
    before = utcnow()
    assert relay.run_once().retried == 1
    after = utcnow()
    row = reload(session, message.id)
    assert row.status == "pending" and row.attempts == 1
    # 1 s base, ±20 % jitter (429 asks for 1 s too)
    due = (
        row.next_attempt_at.replace(tzinfo=UTC)
        if row.next_attempt_at.tzinfo is None
        else row.next_attempt_at
    )
    assert (due - before).total_seconds() >= 0.79 and (due - after).total_seconds() <= 1.21
    assert ("did not answer" if answer == "hang" else f"HTTP {answer}") in row.last_error
    make_due(session, message.id)
    assert relay.run_once().retried == 1
    make_due(session, message.id)
    assert relay.run_once().failed == 1
    row = reload(session, message.id)
    assert row.status == "failed" and "gave up after 3 attempts" in row.last_error
    assert receiver.events == {}  # a 302 was not followed anywhere

    admin = Agent(
        email="admin@agency.example", first_name="Ada", last_name="Min", role="administrator"
    )
    session.add(admin)
    session.commit()
    principal = Principal.agency(admin.id)
    assert message.id in [m.id for m in outbox.list_failed(session, principal)]
    outbox.retry_failed(session, principal, message.id)
    session.commit()
    assert relay.drain().sent == 1
    assert len(receiver.events) == 1


def test_a_disabled_or_deleted_endpoint_is_not_called(session, receiver, settings):
    endpoint = endpoint_for(session, receiver, settings)
    message = an_event(session, endpoint)
    endpoint.active = False
    session.add(endpoint)
    session.commit()
    assert Relay(session.bind, settings).drain().failed == 1
    assert receiver.deliveries == []
    assert reload(session, message.id).last_error == "not sent: the webhook endpoint is disabled"


def test_the_sender_refuses_a_url_no_longer_allowed(session, receiver, settings):
    endpoint = endpoint_for(session, receiver, settings)
    endpoint.url = "http://example.com/hooks"  # written by hand, past the admin page
    session.add(endpoint)
    session.commit()
    message = an_event(session, endpoint)
    assert Relay(session.bind, settings).drain().failed == 1
    assert "must use https://" in reload(session, message.id).last_error


def test_relay_killed_after_the_receiver_took_it_resends_the_same_id(session, receiver, settings):
    """At-least-once: the receiver cannot be asked, so the restarted relay sends again with
    the same Webhook-Id, and the receiver drops the duplicate."""
    endpoint = endpoint_for(session, receiver, settings)
    message = an_event(session, endpoint)
    receiver.hang_seconds = 30
    receiver.script("hold")
    proc = start_relay_process()
    try:
        wait_for(receiver.holding.is_set)
        proc.send_signal(signal.SIGKILL)  # mid-delivery: the receiver has it, unanswered
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    receiver.release.set()
    wait_for(lambda: len(receiver.events) == 1)
    row = reload(session, message.id)
    assert row.status == "sending" and row.body_text  # nothing lost, awaiting its lease
    assert Relay(session.bind, settings).run_once().handled == 0  # the lease still holds
    lease_runs_out(session, message.id)
    assert Relay(session.bind, settings).drain().sent == 1
    assert receiver.duplicates == 1 and len(receiver.events) == 1
    ids = {d.headers["webhook-id"] for d in receiver.deliveries}
    assert ids == {json.loads(message.body_text)["id"]}
    row = reload(session, message.id)
    assert row.status == "sent" and row.attempts == 2


def test_relay_killed_before_the_receiver_answered_delivers_on_restart(
    session, receiver, settings
):
    endpoint = endpoint_for(session, receiver, settings)
    messages = [an_event(session, endpoint, {"n": i}) for i in range(3)]
    receiver.hang_seconds = 30
    receiver.script("hang")
    proc = start_relay_process()
    try:
        wait_for(lambda: len(receiver.deliveries) >= 1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    receiver.release.set()
    for m in messages:
        lease_runs_out(session, m.id)
    Relay(session.bind, settings).drain()
    session.expire_all()
    rows = session.exec(
        select(OutboxMessage).where(OutboxMessage.id.in_([m.id for m in messages]))
    ).all()
    assert {r.status for r in rows} == {"sent"}
    assert sorted(e["data"]["n"] for e in receiver.events.values()) == [0, 1, 2]


def test_the_sender_does_not_follow_redirects_or_use_proxies(settings, session):
    sender = WebhookSender(settings, session.bind)
    try:
        assert sender._client.follow_redirects is False
        assert sender._client.trust_env is False
    finally:
        sender.close()
