"""The dev mailbox (page and command), the in-app relay thread, and failed messages for agents."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter.delivery.relay import Relay
from clientcenter.http import build_http_app
from clientcenter.models import DevMailboxMessage
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.notify.outbox import list_failed, retry_failed
from clientcenter.services.principal import Principal
from clientcenter.settings import PROJECT_ROOT, get_settings, reset_settings_cache
from tests.support.delivery import (  # noqa: F401  (fixtures)
    a_text,
    an_email,
    provider,
    real_delivery_env,
    reload,
)
from tests.support.demo import RIVERA
from tests.support.factories import make_people


@pytest.fixture
def delivered(session):
    settings = get_settings()
    an_email(session, settings, to_address="first@example.com")
    a_text(session, settings)
    an_email(
        session,
        settings,
        to_address="third@example.com",
        context={
            "first_name": "<b>Tess</b>",
            "headline": "Hello",
            "summary": "<script>x()</script>",
        },
    )
    Relay(session.bind, settings).drain()
    return session


def test_mailbox_page_lists_newest_first_on_loopback(delivered):
    client = TestClient(
        build_http_app(), client=("127.0.0.1", 50000), base_url="http://localhost:3000"
    )
    page = client.get("/dev/mailbox")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    assert (
        text.index("third@example.com")
        < text.index("+12075550101")
        < text.index("first@example.com")
    )
    assert "482913" in text  # the login code, readable on this machine only
    assert "<script>x()" not in text and "&lt;script&gt;" in text
    assert 'name="viewport"' in text and "<iframe sandbox" in text


@pytest.mark.parametrize(
    ("client", "headers"),
    [
        (("203.0.113.9", 50000), {}),
        (("127.0.0.1", 50000), {"X-Forwarded-For": "203.0.113.9"}),
        (("127.0.0.1", 50000), {"Forwarded": "for=203.0.113.9"}),
    ],
)
def test_mailbox_answers_only_loopback(delivered, client, headers):
    page = TestClient(build_http_app(), client=client).get("/dev/mailbox", headers=headers)
    assert page.status_code == 403 and "482913" not in page.text


def test_mailbox_does_not_exist_with_real_delivery(engine, monkeypatch, provider):
    real_delivery_env(monkeypatch, provider, CC_PUBLIC_URL="http://localhost:3000")
    reset_settings_cache()
    page = TestClient(build_http_app(), client=("127.0.0.1", 1)).get("/dev/mailbox")
    assert page.status_code == 404


def test_mailbox_command(delivered, database_url):
    out = subprocess.run(
        [sys.executable, "-m", "clientcenter.cli", "mailbox", "--limit", "2"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "third@example.com" in out and "+12075550101" in out
    assert "first@example.com" not in out  # only the newest two
    assert "482913" in out


def test_in_app_relay_sends_as_soon_as_the_transaction_commits(session):
    from clientcenter.delivery.background import start_relay_thread

    os.environ["CC_DELIVERY__RELAY_POLL_SECONDS"] = "30"  # only the wake-up can be this fast
    reset_settings_cache()
    thread, stop = start_relay_thread()
    try:
        time.sleep(0.2)
        message = a_text(session, get_settings())
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not session.exec(select(DevMailboxMessage)).first():
            time.sleep(0.05)
        assert session.exec(select(DevMailboxMessage)).one().dedupe_key == message.dedupe_key
    finally:
        del os.environ["CC_DELIVERY__RELAY_POLL_SECONDS"]
        stop.set()
        from clientcenter.delivery.background import wake

        wake.set()
        thread.join(10)
    assert not thread.is_alive()


@pytest.fixture
def failed(session, monkeypatch, provider):
    people = make_people(session)
    real_delivery_env(monkeypatch, provider, CC_DELIVERY__RELAY_MAX_ATTEMPTS="1")
    reset_settings_cache()
    settings = get_settings()
    email = an_email(session, settings)
    email.account_id = people.account.id
    session.add(email)
    session.commit()
    code = a_text(session, settings)
    provider.script("500", "500")
    Relay(session.bind, settings).drain()
    return people, email, code


def test_agents_see_failed_messages_and_retry_one(session, provider, failed):
    people, email, code = failed
    agent = Principal.agency(people.other_agent.id)  # customer service works the failures
    shown = list_failed(session, agent)
    assert [m.id for m in shown] == [code.id, email.id]
    row = next(m for m in shown if m.id == email.id)
    assert row.account_name == RIVERA and "500" in row.last_error and row.can_retry
    assert not next(m for m in shown if m.id == code.id).can_retry
    retry_failed(session, agent, email.id)
    session.commit()
    assert Relay(session.bind, get_settings()).drain().sent == 1
    assert reload(session, email.id).status == "sent"
    assert [m.id for m in list_failed(session, agent)] == [code.id]


def test_failed_message_refusals(session, failed):
    people, email, code = failed
    agent = Principal.agency(people.other_agent.id)  # customer service works the failures
    with pytest.raises(InvalidInput, match="sign-in code"):
        retry_failed(session, agent, code.id)
    with pytest.raises(NotFound):
        retry_failed(session, agent, 999999)
    for who in (
        Principal.customer(people.account.id, people.primary.id),
        Principal.agent_viewing(people.other_agent.id, people.account.id),
        Principal.agency(people.producer.id),  # a producer's role does not allow it
    ):
        with pytest.raises(NotAllowed):
            list_failed(session, who)
        with pytest.raises(NotAllowed):
            retry_failed(session, who, email.id)
    retry_failed(session, agent, email.id)
    with pytest.raises(InvalidInput, match="Only a failed"):
        retry_failed(session, agent, email.id)
    session.rollback()
    assert reload(session, email.id).status == "failed"
