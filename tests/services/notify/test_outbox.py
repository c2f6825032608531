"""outbox.enqueue: rendered, validated rows; the login code only where it belongs."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clientcenter.models import OutboxMessage
from clientcenter.services.notify.outbox import enqueue
from clientcenter.services.notify.templates import TemplateError


def test_login_code_by_sms_and_email(session):
    sms = enqueue(
        session,
        channel="sms",
        to_address="+12075550101",
        template="login_code",
        context={"code": "482913", "minutes": 10},
        recipient_kind="login",
        sensitive=True,
    )
    mail = enqueue(
        session,
        channel="email",
        to_address="Pat@Example.com",
        template="login_code",
        context={"code": "482913", "minutes": 10},
        recipient_kind="login",
        sensitive=True,
        to_name="Pat Rivera",
    )
    assert "482913" in sms.body_text and len(sms.body_text) <= 160
    assert mail.to_address == "pat@example.com"
    assert mail.subject == "Your Harbor & Main sign-in code"
    assert "482913" in mail.body_text and "482913" in mail.body_html
    assert sms.dedupe_key != mail.dedupe_key and sms.dedupe_key.startswith("cc-")
    assert len(session.exec(select(OutboxMessage)).all()) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"template": "login_code", "sensitive": False}, "sensitive=True"),
        ({"template": "action_agent", "context": {"code": "1"}}, "only the login-code"),
        ({"template": "nope"}, "unknown message template"),
        ({"channel": "fax"}, "channel must be"),
        ({"to_address": "not-an-email"}, "email address"),
        ({"channel": "sms", "to_address": "2075550101"}, "E.164"),
        ({"recipient_kind": "robot"}, "recipient_kind"),
    ],
)
def test_bad_messages_are_refused(session, kwargs, message):
    args = dict(
        channel="email",
        to_address="pat@example.com",
        template="login_code",
        context={"code": "482913", "minutes": 10},
        recipient_kind="login",
        sensitive=True,
    )
    args.update(kwargs)
    with pytest.raises((ValueError, TemplateError), match=message):
        enqueue(session, **args)
    assert session.exec(select(OutboxMessage)).all() == []


def test_branding_comes_from_settings(session, monkeypatch):
    monkeypatch.setenv("CC_BRANDING__AGENCY_NAME", "Northwind Risk Partners")
    monkeypatch.setenv("CC_BRANDING__SHORT_NAME", "Northwind")
    monkeypatch.setenv("CC_BRANDING__ACCENT_COLOR", "indigo")
    from clientcenter.settings import reset_settings_cache

    reset_settings_cache()
    m = enqueue(
        session,
        channel="email",
        to_address="a@b.example",
        template="login_code",
        context={"code": "111111", "minutes": 10},
        recipient_kind="login",
        sensitive=True,
    )
    assert "Northwind Risk Partners" in m.body_html and "#3e63dd" in m.body_html
    assert m.subject == "Your Northwind sign-in code"
