"""Fixtures shared by the delivery tests: the recording provider and settings aimed at it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from clientcenter.models import OutboxMessage
from clientcenter.models.base import utcnow
from clientcenter.services.notify.outbox import enqueue
from clientcenter.settings import load_settings
from tests.support.provider_server import ProviderServer

TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "twilio-test-token-0123456789abcdef"
SMS_FROM = "+12075550199"


def real_delivery_env(monkeypatch: pytest.MonkeyPatch, server: ProviderServer, **extra) -> dict:
    env = {
        "CC_DELIVERY__EMAIL_BACKEND": "sendgrid",
        "CC_DELIVERY__SENDGRID_API_KEY": "SG.test-key",
        "CC_DELIVERY__SENDGRID_HOST": server.url,
        "CC_DELIVERY__SMS_BACKEND": "twilio",
        "CC_DELIVERY__TWILIO_ACCOUNT_SID": TWILIO_SID,
        "CC_DELIVERY__TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "CC_DELIVERY__TWILIO_FROM_NUMBER": SMS_FROM,
        "CC_DELIVERY__TWILIO_BASE_URL": server.url,
        "CC_DELIVERY__FROM_EMAIL": "portal@harborandmain.example",
        "CC_DELIVERY__FROM_NAME": "Harbor & Main Insurance",
        "CC_DELIVERY__RELAY_TIMEOUT_SECONDS": "0.5",
        "CC_DELIVERY__RELAY_LEASE_SECONDS": "1.5",
        "CC_DELIVERY__RELAY_BACKOFF_SECONDS": "1",
        "CC_DELIVERY__RELAY_BACKOFF_CAP_SECONDS": "30",
        "CC_DELIVERY__RELAY_MAX_ATTEMPTS": "4",
        "CC_PUBLIC_URL": "https://portal.harborandmain.example",
    }
    env.update(extra)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


@pytest.fixture
def provider():
    server = ProviderServer()
    yield server
    server.close()


@pytest.fixture
def real_settings(monkeypatch, provider):
    real_delivery_env(monkeypatch, provider)
    return load_settings()


def an_email(session: Session, settings, **kw) -> OutboxMessage:
    args = dict(
        channel="email",
        to_address="pat@example.com",
        template="action_customer",
        context={
            "first_name": "Pat",
            "headline": "We received your payment",
            "summary": "Invoice 1001, $120.00",
        },
        recipient_kind="customer",
        to_name="Pat Rivera",
        settings=settings,
    )
    args.update(kw)
    message = enqueue(session, **args)
    session.commit()
    return message


def a_text(session: Session, settings, **kw) -> OutboxMessage:
    args = dict(
        channel="sms",
        to_address="+12075550101",
        template="login_code",
        context={"code": "482913", "minutes": 10},
        recipient_kind="login",
        sensitive=True,
        settings=settings,
    )
    args.update(kw)
    message = enqueue(session, **args)
    session.commit()
    return message


def make_due(session: Session, message_id: int) -> None:
    row = session.get(OutboxMessage, message_id)
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()


def reload(session: Session, message_id: int) -> OutboxMessage:
    session.expire_all()
    return session.get(OutboxMessage, message_id)
