"""Issue 11, item 4: the first step tells nobody who is a customer.

By default every email gets the same next screen ("How should we send your code?", email or
text); a text with no mobile on file is answered as if sent. Underneath, the same database
statements run for an unknown email, an inactive account, an email-only contact and a contact
with a mobile on file, at every step, and the time they take does not differ by more than
2 ms (median of 60 interleaved samples). The other flow (a choice only with a mobile on file)
stays available as ``security.login_channel_choice = "when_mobile"`` (docs/login.md).
"""

from __future__ import annotations

import re
import statistics
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from clientcenter.db import get_engine
from clientcenter.models import OutboxMessage
from clientcenter.models.base import utcnow
from clientcenter.services.auth import login
from clientcenter.services.auth.login_steps import CodeProblem
from clientcenter.services.errors import InvalidInput
from clientcenter.settings import reset_settings_cache
from tests.support.demo import AVA, CASEY, ELLIS, MORGAN, PAT, PAT_MOBILE

UNKNOWN = "nobody@example.com"
# The paths an observer must not tell apart.
PATHS = {"unknown": UNKNOWN, "inactive": CASEY, "email-only": MORGAN, "mobile-on-file": PAT}
IP = "198.51.100.80"


def settings_env(monkeypatch, **values):
    for key, value in values.items():
        monkeypatch.setenv(f"CC_SECURITY__{key.upper()}", str(value))
    reset_settings_cache()


def no_limits(monkeypatch):
    settings_env(
        monkeypatch,
        sends_per_contact_per_hour=100000,
        sends_per_destination_per_hour=100000,
        sends_per_ip_per_hour=100000,
        failures_per_contact_per_hour=100000,
        failures_per_ip_per_hour=100000,
        lookups_per_ip_per_hour=100000,
        sms_per_destination_per_hour=100000,
        sms_per_destination_per_day=100000,
    )
    # Every code is 123456, so the guess 000000 is wrong on every path.
    monkeypatch.setattr("clientcenter.services.auth.login_codes.new_code", lambda: "123456")


def queued_to(db, address: str) -> list[OutboxMessage]:
    db.expire_all()
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.to_address == address)))


def _same(step: login.LoginStep, email: str) -> tuple:
    return step.step, step.channel, step.resend_in, step.message.replace(email, "<email>")


@pytest.fixture
def db(demo):
    return demo


# --- the screens ---------------------------------------------------------------------------


def test_every_email_gets_the_same_channel_step_and_nothing_is_sent_yet(db):
    answers = {}
    for email in (*PATHS.values(), AVA):  # Ava: on an active account, may not log in
        with login.login_scope() as s:
            _, step = login.start(s, email=email, client_ip=IP)
        answers[email] = _same(step, email)
    assert len(set(answers.values())) == 1, answers
    assert answers[MORGAN] == ("choose_channel", "", 0, "How should we send your code?")
    assert (
        db.exec(select(OutboxMessage).where(OutboxMessage.template != "staff_invite")).all() == []
    )  # the demo's invitations aside


def test_a_text_with_no_mobile_on_file_is_answered_as_if_sent_and_goes_nowhere(db):
    answers = {}
    for email in PATHS.values():
        with login.login_scope() as s:
            attempt, _ = login.start(s, email=email, client_ip=IP)
        with login.login_scope() as s:
            answers[email] = _same(
                login.choose_channel(s, attempt_id=attempt, channel="sms", client_ip=IP), email
            )
    assert len(set(answers.values())) == 1, answers
    assert answers[MORGAN][3].startswith(
        "If we have a mobile number for you, we texted a 6-digit code to it."
    )
    assert [m.channel for m in queued_to(db, PAT_MOBILE)] == ["sms"]  # Pat's phone only
    assert db.exec(
        select(OutboxMessage).where(OutboxMessage.template != "staff_invite")
    ).all() == queued_to(db, PAT_MOBILE)


def test_a_text_that_went_nowhere_has_a_way_back_to_email(db):
    t0 = utcnow()
    with login.login_scope() as s:
        attempt, _ = login.start(s, email=MORGAN, client_ip=IP, now=t0)
    with login.login_scope() as s:
        login.choose_channel(s, attempt_id=attempt, channel="sms", client_ip=IP, now=t0)
    with login.login_scope() as s:  # the page's "Email me a code instead"
        step = login.choose_channel(
            s, attempt_id=attempt, channel="email", client_ip=IP, now=t0 + timedelta(seconds=30)
        )
    assert step.channel == "email" and f"If {MORGAN} is on file" in step.message
    [message] = queued_to(db, MORGAN)
    code = re.search(r"\b(\d{6})\b", message.body_text).group(1)
    with login.login_scope() as s:
        verified = login.verify(
            s, attempt_id=attempt, code=code, client_ip=IP, now=t0 + timedelta(seconds=40)
        )
    assert verified.grant and [a.name for a in verified.accounts] == [ELLIS]


def test_the_mobile_only_channel_step_stays_available_as_a_setting(db, monkeypatch):
    settings_env(monkeypatch, login_channel_choice="when_mobile")
    with login.login_scope() as s:
        morgan_attempt, morgan = login.start(s, email=MORGAN, client_ip=IP)
    with login.login_scope() as s:
        _, pat = login.start(s, email=PAT, client_ip=IP)
    assert (morgan.step, morgan.channel) == ("enter_code", "email")
    assert len(queued_to(db, MORGAN)) == 1
    assert pat.step == "choose_channel"
    with pytest.raises(InvalidInput) as refused, login.login_scope() as s:
        login.choose_channel(
            s,
            attempt_id=morgan_attempt,
            channel="sms",
            client_ip=IP,
            now=utcnow() + timedelta(seconds=31),
        )
    assert refused.value.message == "Codes for this email go by email."


def test_an_unknown_setting_value_stops_start_up_naming_it(monkeypatch):
    from clientcenter.settings import SettingsError, get_settings

    settings_env(monkeypatch, login_channel_choice="sometimes")
    with pytest.raises(SettingsError) as stopped:
        get_settings()
    assert "login_channel_choice" in str(stopped.value)


# --- the work ------------------------------------------------------------------------------


def _shape(statement: str) -> str:
    """A statement as (verb, first table): what the database is asked to do, without the
    literal SQL (a real outbox row is INSERT … VALUES, the stand-in INSERT … SELECT)."""
    verb = statement.split(None, 1)[0].upper()
    table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", statement, re.IGNORECASE)
    return f"{verb} {table.group(1) if table else '?'}"


@contextmanager
def statements():
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(_shape(statement))

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _walk(email: str, channel: str, ip: str, t0) -> dict[str, list[str]]:
    """Each step in its own unit of work, as the login page runs them; the statements of
    each. The code typed is one nobody was sent (an attacker's guess)."""
    out: dict[str, list[str]] = {}
    with statements() as seen, login.login_scope() as s:
        attempt, _ = login.start(s, email=email, client_ip=ip, now=t0)
    out["start"] = seen
    with statements() as seen, login.login_scope() as s:
        login.choose_channel(s, attempt_id=attempt, channel=channel, client_ip=ip, now=t0)
    out[f"choose {channel}"] = seen
    with statements() as seen, pytest.raises(CodeProblem), login.login_scope() as s:
        login.verify(s, attempt_id=attempt, code="000000", client_ip=ip, now=t0)
    out["wrong code"] = seen
    with statements() as seen, login.login_scope() as s:
        login.resend(s, attempt_id=attempt, client_ip=ip, now=t0 + timedelta(seconds=31))
    out["resend"] = seen
    return out


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_the_same_statements_run_for_every_kind_of_email_at_each_step(db, monkeypatch, channel):
    no_limits(monkeypatch)
    t0 = utcnow()
    walks = {
        label: _walk(PATHS[label], channel, f"10.9.{i}.1", t0) for i, label in enumerate(PATHS)
    }
    counts = {
        label: {step: len(seen) for step, seen in walk.items()} for label, walk in walks.items()
    }
    print(f"statements per step ({channel}):", counts)
    for step in walks["unknown"]:
        shapes = {label: walk[step] for label, walk in walks.items()}
        assert all(v == shapes["unknown"] for v in shapes.values()), (step, shapes)
    assert counts["unknown"]["start"] > 0


def _sample(email: str, ip: str, now) -> dict[str, float]:
    took = {}
    began = time.perf_counter()
    with login.login_scope() as s:
        attempt, _ = login.start(s, email=email, client_ip=ip, now=now)
    took["start"] = time.perf_counter() - began
    began = time.perf_counter()
    with login.login_scope() as s:
        login.choose_channel(s, attempt_id=attempt, channel="email", client_ip=ip, now=now)
    took["choose email"] = time.perf_counter() - began
    began = time.perf_counter()
    with pytest.raises(CodeProblem), login.login_scope() as s:
        login.verify(s, attempt_id=attempt, code="000000", client_ip=ip, now=now)
    took["wrong code"] = time.perf_counter() - began
    with login.login_scope() as s:
        attempt, _ = login.start(s, email=email, client_ip=ip, now=now)
    began = time.perf_counter()
    with login.login_scope() as s:
        login.choose_channel(s, attempt_id=attempt, channel="sms", client_ip=ip, now=now)
    took["choose text"] = time.perf_counter() - began
    return took


def _paired_differences(t0) -> dict[str, dict[str, float]]:
    """One measurement: 60 rounds, every path once per round in a rotating order; per step,
    the median of the per-round differences between each two paths (ms)."""
    labels = list(PATHS)
    samples: dict[str, dict[str, list[float]]] = {label: {} for label in labels}
    for i in range(60):
        for label in labels[i % 4 :] + labels[: i % 4]:
            took = _sample(PATHS[label], f"10.7.{i}.{labels.index(label)}", t0)
            for step, seconds in took.items():
                samples[label].setdefault(step, []).append(seconds)
    medians = {
        step: {label: round(statistics.median(samples[label][step]) * 1000, 3) for label in labels}
        for step in samples["unknown"]
    }
    print("median ms:", medians)
    return {
        step: {
            f"{a} - {b}": round(
                statistics.median([x - y for x, y in zip(samples[a][step], samples[b][step])])
                * 1000,
                3,
            )
            for i, a in enumerate(labels)
            for b in labels[i + 1 :]
        }
        for step in samples["unknown"]
    }


def test_no_step_takes_a_median_2_ms_longer_for_any_kind_of_email(db, monkeypatch):
    """60 samples of each path, interleaved: each round runs every path once, in an order
    that rotates, so a slow moment of this shared machine falls on every path alike. The
    measure is the median of the per-round differences between two paths (the median of
    paired samples); the plain medians are printed too, but on a loaded machine they differ
    by milliseconds even between two paths that run the very same code (unknown, inactive).

    A path that does more work is slower in every measurement; a burst of load from another
    process lands in one. So the test measures up to three times and passes on the first
    measurement in which no step differs by more than 2 ms, or when, over the three, the
    median difference of every pair is within 2 ms: noise changes sign and size from one
    measurement to the next, a real difference shows in each."""
    no_limits(monkeypatch)
    t0 = utcnow() - timedelta(hours=2)
    for label in PATHS:  # warm caches, pools and plans on every path first
        _sample(PATHS[label], "10.8.0.1", t0)
    worst_seen, measurements = [], []
    for _attempt in range(3):
        paired = _paired_differences(t0)
        print("median of paired differences, ms:", paired)
        worst = {
            step: max(by_pair.items(), key=lambda kv: abs(kv[1]))
            for step, by_pair in paired.items()
        }
        if all(abs(diff) <= 2.0 for _pair, diff in worst.values()):
            return
        worst_seen.append(worst)
        measurements.append(paired)
    over_three = {
        (step, pair): statistics.median(m[step][pair] for m in measurements)
        for step, by_pair in measurements[0].items()
        for pair in by_pair
    }
    persistent = {k: d for k, d in over_three.items() if abs(d) > 2.0}
    assert not persistent, (
        f"a step differs by more than 2 ms in every measurement: {persistent}; "
        f"worst per measurement: {worst_seen}"
    )
