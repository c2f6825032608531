"""Housekeeping: what the sweep deletes (day-old rate events, login attempts ended a day ago)
and what it keeps (anything an attempt in progress still needs), and how relays run it."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from clientcenter.delivery.relay import Relay
from clientcenter.models import LoginChallenge, RateEvent
from clientcenter.models.base import utcnow
from clientcenter.services.auth import housekeeping, login_codes
from clientcenter.settings import get_settings

NOW = datetime(2026, 5, 4, 15, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _event(session, age: timedelta, now: datetime = NOW) -> int:
    event = RateEvent(
        scope="send:ip", key_hash=f"k{age.total_seconds():.0f}", created_at=now - age
    )
    session.add(event)
    session.flush()
    return event.id


def _attempt(
    session, email: str, opened: datetime, *, code_after: timedelta | None
) -> tuple[LoginChallenge, str, str | None]:
    challenge, attempt_id = login_codes.open_challenge(
        session, subject_kind="customer", email=email, now=opened
    )
    code = None
    if code_after is not None:
        code = login_codes.issue_code(
            session,
            challenge,
            channel="email",
            destination=email,
            client_ip="10.0.0.1",
            now=opened + code_after,
        )
    return challenge, attempt_id, code


def _left(session, model) -> set[int]:
    return set(session.exec(select(model.id)).all())


def test_rate_events_older_than_a_day_go(session):
    old = _event(session, DAY + timedelta(minutes=1))
    recent = [_event(session, DAY - timedelta(minutes=1)), _event(session, timedelta(minutes=2))]
    session.commit()
    swept = housekeeping.sweep(session, now=NOW)
    session.commit()
    assert swept.rate_events == 1
    assert _left(session, RateEvent) == set(recent) and old not in _left(session, RateEvent)


def test_login_attempts_ended_over_a_day_ago_go_and_the_rest_stay(session):
    lifetime = login_codes.ATTEMPT_LIFETIME
    ended_long_ago, _, _ = _attempt(
        session, "a@example.com", NOW - 2 * DAY, code_after=timedelta(minutes=1)
    )
    never_sent, _, _ = _attempt(session, "b@example.com", NOW - 2 * DAY, code_after=None)
    # Opened just over a day (plus its lifetime) ago, but its last code, issued late in the
    # attempt, expired less than a day ago.
    late_code, _, _ = _attempt(
        session,
        "c@example.com",
        NOW - DAY - lifetime - timedelta(minutes=2),
        code_after=lifetime - timedelta(minutes=1),
    )
    # Ended (30 minutes after it began) less than a day ago.
    ended_lately, _, _ = _attempt(
        session,
        "d@example.com",
        NOW - DAY - timedelta(minutes=10),
        code_after=timedelta(minutes=1),
    )
    session.commit()

    swept = housekeeping.sweep(session, now=NOW)
    session.commit()
    assert swept.login_challenges == 2
    assert _left(session, LoginChallenge) == {late_code.id, ended_lately.id}
    assert {ended_long_ago.id, never_sent.id}.isdisjoint(_left(session, LoginChallenge))


def test_attempts_in_progress_keep_working_after_a_sweep(session):
    """A channel not yet chosen, a code waiting to be typed, and a verified attempt whose
    login grant is not yet used."""
    started = NOW - timedelta(minutes=5)
    choosing, choosing_id, _ = _attempt(session, "g@example.com", started, code_after=None)
    waiting, waiting_id, code = _attempt(
        session, "e@example.com", started, code_after=timedelta(0)
    )
    verified, _, verified_code = _attempt(
        session, "f@example.com", started, code_after=timedelta(0)
    )
    assert (
        login_codes.check_code(
            session,
            verified,
            verified_code,
            destination="f@example.com",
            client_ip="10.0.0.1",
            now=NOW,
        ).outcome
        == "ok"
    )
    # Rate events from the same attempts are recent: the sweep keeps them too.
    events = _left(session, RateEvent)
    session.commit()

    assert housekeeping.sweep(session, now=NOW) == housekeeping.Swept(0, 0)
    session.commit()
    assert _left(session, RateEvent) == events
    assert (
        login_codes.find_challenge(session, choosing_id, subject_kind="customer", now=NOW).id
        == choosing.id
    )
    found = login_codes.find_challenge(session, waiting_id, subject_kind="customer", now=NOW)
    assert found.id == waiting.id
    assert (
        login_codes.check_code(
            session, found, code, destination="e@example.com", client_ip="10.0.0.1", now=NOW
        ).outcome
        == "ok"
    )
    assert login_codes.consume(session, verified.id, now=NOW) is not None


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.postgres
def test_a_sweep_while_another_runs_skips(engine, session):
    old = _event(session, 2 * DAY)
    session.commit()
    with Session(engine) as first, Session(engine) as second:
        assert housekeeping.sweep(first, now=NOW) == housekeeping.Swept(1, 0)
        assert housekeeping.sweep(second, now=NOW) is None  # not blocked, not deadlocked
        second.commit()
        first.commit()
        # The lock went with the transaction: the next sweep runs (and finds nothing).
        assert housekeeping.sweep(second, now=NOW) == housekeeping.Swept(0, 0)
        second.commit()
    assert old not in _left(session, RateEvent)


class _Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_relay_sweeps_at_first_then_once_per_interval(session, monkeypatch):
    monkeypatch.setenv("CC_DELIVERY__HOUSEKEEPING_SECONDS", "600")
    from clientcenter.settings import reset_settings_cache

    reset_settings_cache()
    clock = _Clock()
    relay = Relay(session.bind, get_settings(), clock=clock)
    first = _event(session, 2 * DAY, now=utcnow())
    session.commit()
    assert relay.housekeep_if_due()
    assert first not in _left(session, RateEvent)

    second = _event(session, 2 * DAY, now=utcnow())
    session.commit()
    clock.now += 599
    assert not relay.housekeep_if_due()
    assert second in _left(session, RateEvent)
    clock.now += 1
    assert relay.housekeep_if_due()
    assert second not in _left(session, RateEvent)


def test_the_relay_loop_sweeps_and_survives_a_failing_sweep(session, monkeypatch, caplog):
    old = _event(session, 2 * DAY, now=utcnow())
    session.commit()
    stop = threading.Event()

    def one_pass_clock() -> float:
        stop.set()  # the loop ends after this pass
        return 0.0

    Relay(session.bind, get_settings(), clock=one_pass_clock).run_forever(stop)
    assert old not in _left(session, RateEvent)

    def broken(db, **_):
        raise RuntimeError("database went away")

    monkeypatch.setattr(housekeeping, "sweep", broken)
    stop.clear()
    with caplog.at_level(logging.ERROR, logger="clientcenter.relay"):
        Relay(session.bind, get_settings(), clock=one_pass_clock).run_forever(stop)
    assert any("housekeeping failed" in r.getMessage() for r in caplog.records)
