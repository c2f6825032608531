"""Two relays never send one message twice; a relay killed mid-send loses nothing, and its
restart does not send again what the provider already accepted."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import text, update
from sqlmodel import select

from clientcenter.delivery.relay import Relay
from clientcenter.models import OutboxMessage
from clientcenter.models.base import utcnow
from clientcenter.settings import PROJECT_ROOT, load_settings
from tests.support.delivery import (  # noqa: F401  (fixtures)
    a_text,
    an_email,
    provider,
    real_delivery_env,
    reload,
)


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_two_relays_never_send_one_message_twice(session, provider, monkeypatch, channel):
    real_delivery_env(
        monkeypatch,
        provider,
        CC_DELIVERY__RELAY_TIMEOUT_SECONDS="5",
        CC_DELIVERY__RELAY_LEASE_SECONDS="30",
    )
    settings = load_settings()
    make = an_email if channel == "email" else a_text
    ids = [
        make(
            session,
            settings,
            **(
                {"to_address": f"c{i}@example.com"}
                if channel == "email"
                else {"to_address": f"+1207555{i:04d}"}
            ),
        ).id
        for i in range(24)
    ]
    relays = [Relay(session.bind, settings, batch_size=5) for _ in range(3)]
    reports = []
    threads = [threading.Thread(target=lambda r=r: reports.append(r.drain())) for r in relays]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r.sent for r in reports) == 24
    assert len(provider.accepted) == len(provider.sends()) == 24
    session.expire_all()
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}


@contextmanager
def writes_blocked(session):
    """Hold the database's write lock, as a slow transaction would."""
    if session.bind.dialect.name == "sqlite":
        conn = sqlite3.connect(session.bind.url.database, timeout=30)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
    else:
        with session.bind.connect() as conn:
            conn.execute(text("LOCK TABLE outbox_message IN EXCLUSIVE MODE"))
            try:
                yield
            finally:
                conn.rollback()


def start_relay_process() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "clientcenter.cli", "relay", "--once"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def lease_runs_out(session, message_id):
    session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(lease_until=utcnow())
    )
    session.commit()


def crash_after_provider_accepted(session, provider):
    """The provider accepts; the relay dies before it can record that."""
    provider.hang_seconds = 30
    provider.script("hold")
    proc = start_relay_process()
    try:
        wait_for(provider.holding.is_set)
        with writes_blocked(session):
            provider.release.set()
            wait_for(lambda: len(provider.accepted) == 1)
            time.sleep(0.3)  # the relay now waits for the lock to record "sent"
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    provider.release.clear()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_restart_does_not_resend_what_the_provider_accepted(
    session, provider, monkeypatch, channel
):
    real_delivery_env(
        monkeypatch,
        provider,
        CC_DELIVERY__RELAY_TIMEOUT_SECONDS="10",
        CC_DELIVERY__RELAY_LEASE_SECONDS="20",
    )
    settings = load_settings()
    message = (an_email if channel == "email" else a_text)(session, settings)
    crash_after_provider_accepted(session, provider)
    row = reload(session, message.id)
    # Nothing lost: the row still says "sending", with its body, awaiting its lease.
    assert row.status == "sending" and row.provider_message_id is None and row.body_text
    assert Relay(session.bind, settings).run_once().handled == 0  # lease still held
    lease_runs_out(session, message.id)
    report = Relay(session.bind, settings).drain()
    assert (report.sent, report.reconciled) == (1, 1)
    assert len(provider.sends()) == 1 and len(provider.accepted) == 1
    row = reload(session, message.id)
    assert row.status == "sent" and row.attempts == 2
    assert row.provider_message_id == provider.accepted[0].provider_id
    if channel == "sms":
        assert row.body_text == ""  # the login code is purged on the reconciled path too


def test_restart_resends_what_never_reached_the_provider(session, provider, monkeypatch):
    real_delivery_env(
        monkeypatch,
        provider,
        CC_DELIVERY__RELAY_TIMEOUT_SECONDS="10",
        CC_DELIVERY__RELAY_LEASE_SECONDS="20",
    )
    settings = load_settings()
    message = an_email(session, settings)
    provider.hang_seconds = 30
    provider.script("hang")  # the relay dies while the request is in flight, unanswered
    proc = start_relay_process()
    try:
        wait_for(lambda: len(provider.sends()) == 1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    provider.release.set()
    lease_runs_out(session, message.id)
    report = Relay(session.bind, settings).drain()
    assert (report.sent, report.reconciled) == (1, 0)
    assert len(provider.sends()) == 2 and len(provider.accepted) == 1
    assert reload(session, message.id).status == "sent"


def test_when_the_provider_cannot_tell_the_relay_sends_again(session, provider, monkeypatch):
    """At-least-once: without Email Activity access, an unknown outcome is sent again, with
    the same dedupe key (the event webhook then reports both under one key)."""
    real_delivery_env(
        monkeypatch,
        provider,
        CC_DELIVERY__RELAY_TIMEOUT_SECONDS="10",
        CC_DELIVERY__RELAY_LEASE_SECONDS="20",
    )
    settings = load_settings()
    message = an_email(session, settings)
    crash_after_provider_accepted(session, provider)
    provider.lookup_status = 403
    lease_runs_out(session, message.id)
    report = Relay(session.bind, settings).drain()
    assert (report.sent, report.reconciled) == (1, 0)
    sends = provider.sends("sendgrid")
    assert len(sends) == 2
    assert {s.json()["custom_args"]["cc_dedupe_key"] for s in sends} == {message.dedupe_key}
