"""The login-code flow, rule by rule (docs/login.md, docs/security-model.md), on the db agency."""

from __future__ import annotations

import logging
import re
import statistics
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from clientcenter.models import (
    Account,
    ActivityLog,
    LoginChallenge,
    OutboxMessage,
    RateEvent,
    UserSession,
)
from clientcenter.models.base import utcnow
from clientcenter.services.auth import login
from clientcenter.services.auth.login_codes import (
    AttemptEnded,
    ResendTooSoon,
    TooManyFailures,
    TooManyLookups,
    TooManySends,
    new_code,
)
from clientcenter.services.auth.login_steps import CodeProblem
from clientcenter.services.auth.sessions import check_session
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.settings import reset_settings_cache
from tests.support.demo import (
    AVA,
    CASEY,
    ELLIS,
    JORDAN,
    LEE,
    MORGAN,
    PAT,
    PAT_MOBILE,
    RIVERA,
    STUDIO,
    account_named,
)

IP = "198.51.100.20"


def codes_sent(db, to: str) -> list[str]:
    """Codes in the outbox for an address, oldest first (what the relay would deliver)."""
    rows = db.exec(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == to, OutboxMessage.template == "login_code")
        .order_by(OutboxMessage.id)
    ).all()
    return [re.search(r"\b(\d{6})\b", r.body_text).group(1) for r in rows]


def last_code(db, to: str) -> str:
    return codes_sent(db, to)[-1]


def start(db, email, *, ip=IP, now=None, channel="email"):
    """Step 1, then (when the page asks, as it does every email by default) ``channel``;
    ``channel=None`` stops at the channel step."""
    attempt, step = login.start(db, email=email, client_ip=ip, now=now)
    if step.step == "choose_channel" and channel:
        step = login.choose_channel(db, attempt_id=attempt, channel=channel, client_ip=ip, now=now)
    db.commit()
    return attempt, step


def verify(db, attempt, code, *, ip=IP, now=None):
    try:
        return login.verify(db, attempt_id=attempt, code=code, client_ip=ip, now=now)
    finally:
        db.commit()


def settings_env(monkeypatch, **values):
    for key, value in values.items():
        monkeypatch.setenv(f"CC_SECURITY__{key.upper()}", str(value))
    reset_settings_cache()


@pytest.fixture
def db(demo):
    """A session on the demo agency (the README's logins)."""
    return demo


# --- step 1: the email ---------------------------------------------------------------------


def test_unknown_inactive_not_allowed_and_email_only_get_the_same_answer(db, monkeypatch):
    """With the seed's "when_mobile" channel step (the default asks every email: see
    tests/services/auth/test_login_same_first_step.py)."""
    settings_env(monkeypatch, login_channel_choice="when_mobile")
    answers = {}
    for email in ("nobody@example.com", CASEY, AVA, MORGAN):
        _, step = start(db, email)
        answers[email] = (
            step.step,
            step.channel,
            step.resend_in,
            step.message.replace(email, "<email>"),
        )
    assert len(set(answers.values())) == 1, answers
    assert answers[MORGAN][0] == "enter_code"
    # ... and only the real, email-only contact was sent anything
    assert len(codes_sent(db, MORGAN)) == 1
    for email in ("nobody@example.com", CASEY, AVA):
        assert codes_sent(db, email) == []
    assert (
        db.exec(select(OutboxMessage).where(OutboxMessage.template != "staff_invite"))
        .all()
        .__len__()
        == 1
    )  # the demo's invitations aside


def test_contact_with_a_mobile_chooses_and_no_digit_of_the_number_is_shown(db):
    attempt, step = start(db, PAT, channel=None)
    assert step.step == "choose_channel" and not re.search(r"\d", step.message)
    assert codes_sent(db, PAT) == []  # nothing is sent before the choice
    step = login.choose_channel(db, attempt_id=attempt, channel="sms", client_ip=IP)
    db.commit()
    assert step.step == "enter_code" and step.channel == "sms"
    assert not re.search(r"\d{2}", step.message.replace("6-digit", "").replace("10 min", ""))
    [sms] = db.exec(select(OutboxMessage).where(OutboxMessage.channel == "sms")).all()
    assert sms.to_address == PAT_MOBILE and sms.sensitive and sms.recipient_kind == "login"


def test_text_login_switched_off_sends_by_email_without_a_choice(db, monkeypatch):
    monkeypatch.setenv("CC_FEATURES__TEXT_LOGIN", "false")
    reset_settings_cache()
    _, step = start(db, PAT, channel=None)
    assert step.step == "enter_code" and step.channel == "email"
    assert len(codes_sent(db, PAT)) == 1


@pytest.mark.parametrize(
    "typed, words",
    [
        ("", "Enter the email"),
        ("pat.rivera@", "doesn't look like an email"),
        ("pat rivera@example.com", "doesn't look like"),
    ],
)
def test_a_malformed_email_is_refused_with_what_was_typed_and_nothing_happens(db, typed, words):
    with pytest.raises(InvalidInput) as refused:
        login.start(db, email=typed, client_ip=IP)
    assert words in refused.value.message and refused.value.field == "email"
    assert db.exec(select(LoginChallenge)).all() == []


def test_email_is_matched_without_case_or_spaces(db):
    _, step = start(db, "  Morgan.Ellis@Example.COM ")
    assert len(codes_sent(db, MORGAN)) == 1 and step.channel == "email"


# --- the code ------------------------------------------------------------------------------


def test_codes_are_six_csprng_digits_stored_only_as_keyed_hashes(db):
    assert all(re.fullmatch(r"\d{6}", new_code()) for _ in range(200))
    assert len({new_code() for _ in range(200)}) > 190
    attempt, _ = start(db, MORGAN)
    code = last_code(db, MORGAN)
    challenge = db.exec(select(LoginChallenge)).one()
    stored = " ".join(str(v) for v in challenge.model_dump().values())
    assert code not in stored and attempt not in stored
    assert len(challenge.code_hash) == 64 and len(challenge.attempt_hash) == 64


def test_the_right_code_logs_in_once(db):
    attempt, _ = start(db, MORGAN)
    verified = verify(db, attempt, last_code(db, MORGAN))
    assert [a.name for a in verified.accounts] == [ELLIS]
    assert verified.grant
    with pytest.raises(AttemptEnded):  # single use
        verify(db, attempt, last_code(db, MORGAN))


@pytest.mark.parametrize("typed", ["123 456", "123-456", " 123456 "])
def test_pasted_codes_with_spaces_or_dashes_are_read(db, typed):
    attempt, _ = start(db, MORGAN)
    challenge = db.exec(select(LoginChallenge)).one()
    from clientcenter.services.auth import login_codes

    challenge.code_hash = login_codes._hash_code(challenge, "123456")
    db.add(challenge)
    db.commit()
    assert verify(db, attempt, typed).grant


@pytest.mark.parametrize("typed", ["12345", "1234567", "abcdef", "١٢٣٤٥٦"])
def test_a_malformed_code_is_refused_and_not_counted(db, typed):
    attempt, _ = start(db, MORGAN)
    with pytest.raises(InvalidInput) as refused:
        verify(db, attempt, typed)
    assert "6-digit" in refused.value.message
    assert db.exec(select(LoginChallenge)).one().failed_attempts == 0


def test_code_expires_after_ten_minutes_and_a_new_one_is_sent(db):
    t0 = utcnow()
    attempt, _ = start(db, MORGAN, now=t0)
    old = last_code(db, MORGAN)
    with pytest.raises(CodeProblem) as expired:
        verify(db, attempt, old, now=t0 + timedelta(minutes=10, seconds=1))
    assert "expired — we sent you a new one by email" in expired.value.message
    assert len(codes_sent(db, MORGAN)) == 2
    new = last_code(db, MORGAN)
    if new != old:
        with pytest.raises(CodeProblem):
            verify(db, attempt, old, now=t0 + timedelta(minutes=10, seconds=2))
    assert verify(db, attempt, new, now=t0 + timedelta(minutes=10, seconds=3)).grant


def test_code_still_works_just_before_ten_minutes(db):
    t0 = utcnow()
    attempt, _ = start(db, MORGAN, now=t0)
    assert verify(
        db, attempt, last_code(db, MORGAN), now=t0 + timedelta(minutes=9, seconds=59)
    ).grant


def test_five_wrong_entries_void_the_code_and_the_sixth_try_fails_even_if_right(db):
    attempt, _ = start(db, MORGAN)
    right = last_code(db, MORGAN)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    messages = []
    for _ in range(5):
        with pytest.raises(CodeProblem) as refused:
            verify(db, attempt, wrong)
        messages.append(refused.value.message)
    assert "4 more tries" in messages[0] and "1 more try" in messages[3]
    assert "no longer works after 5 wrong tries" in messages[4]
    with pytest.raises(CodeProblem) as sixth:
        verify(db, attempt, right)
    assert "no longer works" in sixth.value.message
    assert db.exec(select(UserSession)).all() == []


def test_a_code_only_works_for_the_attempt_that_asked_for_it(db):
    first, _ = start(db, MORGAN)
    code_for_first = last_code(db, MORGAN)
    second, _ = start(db, MORGAN)
    with pytest.raises(CodeProblem):
        verify(db, second, code_for_first)
    with pytest.raises(AttemptEnded):
        verify(db, "made-up-attempt-id", code_for_first)


def test_resend_waits_30_seconds_and_the_new_code_voids_the_old(db):
    t0 = utcnow()
    attempt, step = start(db, MORGAN, now=t0)
    assert step.resend_in == 30
    with pytest.raises(ResendTooSoon) as early:
        login.resend(db, attempt_id=attempt, client_ip=IP, now=t0 + timedelta(seconds=29))
    assert early.value.seconds == 1 and "1 seconds" in early.value.message
    old = last_code(db, MORGAN)
    step = login.resend(db, attempt_id=attempt, client_ip=IP, now=t0 + timedelta(seconds=30))
    db.commit()
    assert step.message.startswith("New code sent.")
    new = last_code(db, MORGAN)
    assert len(codes_sent(db, MORGAN)) == 2
    if old != new:
        with pytest.raises(CodeProblem):
            verify(db, attempt, old, now=t0 + timedelta(seconds=31))
    assert verify(db, attempt, new, now=t0 + timedelta(seconds=32)).grant


def test_send_limit_per_contact_holds_across_resends_and_new_attempts(db):
    t0 = utcnow()
    attempt, _ = start(db, MORGAN, now=t0)
    for i in range(1, 5):
        login.resend(db, attempt_id=attempt, client_ip=IP, now=t0 + timedelta(seconds=30 * i))
    db.commit()
    assert len(codes_sent(db, MORGAN)) == 5
    with pytest.raises(TooManySends):
        login.resend(db, attempt_id=attempt, client_ip=IP, now=t0 + timedelta(minutes=5))
    with pytest.raises(TooManySends):  # a new attempt does not reset anything
        start(db, MORGAN, ip="203.0.113.77", now=t0 + timedelta(minutes=6))
    # ... and an unknown email meets exactly the same limit
    for i in range(5):
        start(db, "nobody@example.com", ip=f"203.0.113.{i}", now=t0)
    with pytest.raises(TooManySends):
        start(db, "nobody@example.com", ip="203.0.113.99", now=t0)
    # an hour later it works again
    start(db, MORGAN, now=t0 + timedelta(minutes=61))
    assert len(codes_sent(db, MORGAN)) == 6


def test_send_limit_per_destination(db, monkeypatch):
    settings_env(monkeypatch, sends_per_destination_per_hour=2)
    t0 = utcnow()
    for i in range(2):
        attempt, _ = start(db, PAT, now=t0 + timedelta(seconds=i), channel=None)
        login.choose_channel(
            db, attempt_id=attempt, channel="sms", client_ip=IP, now=t0 + timedelta(seconds=i)
        )
    attempt, _ = start(db, PAT, now=t0 + timedelta(seconds=5), channel=None)
    with pytest.raises(TooManySends):
        login.choose_channel(
            db, attempt_id=attempt, channel="sms", client_ip=IP, now=t0 + timedelta(seconds=5)
        )
    # the email destination is a different counter
    step = login.choose_channel(
        db, attempt_id=attempt, channel="email", client_ip=IP, now=t0 + timedelta(seconds=6)
    )
    assert step.channel == "email"


def test_send_limit_per_client_ip(db, monkeypatch):
    settings_env(monkeypatch, sends_per_ip_per_hour=3)
    for email in ("a@example.com", "b@example.com", MORGAN):
        start(db, email)
    with pytest.raises(TooManySends):
        start(db, "c@example.com")
    start(db, "c@example.com", ip="192.0.2.50")


def test_lookups_are_limited_per_client_ip(db, monkeypatch):
    settings_env(monkeypatch, lookups_per_ip_per_hour=3)
    for email in ("a@example.com", PAT, "b@example.com"):
        start(db, email)
    with pytest.raises(TooManyLookups) as refused:
        login.start(db, email=PAT, client_ip=IP)
    assert "too many login attempts from your network" in refused.value.message
    start(db, PAT, ip="192.0.2.51")


def test_failure_limit_per_contact_survives_resends(db):
    t0 = utcnow()
    attempt, _ = start(db, MORGAN, now=t0)
    wrong = lambda: f"{(int(last_code(db, MORGAN)) + 1) % 1_000_000:06d}"  # noqa: E731
    for round_ in range(2):
        for _ in range(5):
            with pytest.raises(CodeProblem):
                verify(db, attempt, wrong(), now=t0 + timedelta(minutes=round_))
        login.resend(
            db, attempt_id=attempt, client_ip=IP, now=t0 + timedelta(minutes=round_, seconds=40)
        )
    # 10 failures for this contact in the hour: even the right code is not looked at
    with pytest.raises(TooManyFailures):
        verify(db, attempt, last_code(db, MORGAN), now=t0 + timedelta(minutes=3))
    # ... from any network
    with pytest.raises(TooManyFailures):
        verify(db, attempt, last_code(db, MORGAN), ip="192.0.2.9", now=t0 + timedelta(minutes=3))


def test_failure_limit_per_client_ip(db, monkeypatch):
    settings_env(monkeypatch, failures_per_ip_per_hour=3)
    attempts = [start(db, e)[0] for e in ("a@example.com", "b@example.com", MORGAN)]
    for attempt in attempts:
        with pytest.raises(CodeProblem):
            verify(db, attempt, "000000")
    with pytest.raises(TooManyFailures):
        verify(db, attempts[2], last_code(db, MORGAN))
    assert verify(db, attempts[2], last_code(db, MORGAN), ip="192.0.2.60").grant


def test_channel_choice_cannot_be_forced_for_an_email_only_contact(db, monkeypatch):
    settings_env(monkeypatch, login_channel_choice="when_mobile")
    for email in (MORGAN, "nobody@example.com"):
        attempt, _ = start(db, email, now=utcnow() - timedelta(minutes=1))
        with pytest.raises(InvalidInput) as refused:
            login.choose_channel(db, attempt_id=attempt, channel="sms", client_ip=IP)
        assert refused.value.message == "Codes for this email go by email."


def test_rate_events_hold_no_email_number_or_ip(db):
    attempt, _ = start(db, PAT, channel=None)
    login.choose_channel(db, attempt_id=attempt, channel="sms", client_ip=IP)
    db.commit()
    for event in db.exec(select(RateEvent)).all():
        assert "@" not in event.key_hash and "+1207" not in event.key_hash
        assert IP not in event.key_hash and len(event.key_hash) == 64


# --- accounts, grants, sessions ------------------------------------------------------------


def _verified(db, email, channel="email"):
    attempt, step = start(db, email, channel=None)
    if step.step == "choose_channel":
        login.choose_channel(db, attempt_id=attempt, channel=channel, client_ip=IP)
        db.commit()
    address = {"sms": None}.get(channel, email)
    if address is None:
        from clientcenter.services.accounts import loginable_contacts

        address = next(c.mobile for c, _ in loginable_contacts(db, email) if c.mobile)
    return attempt, verify(db, attempt, last_code(db, address))


def test_single_account_login_creates_the_session_and_logs_the_action(db):
    _, verified = _verified(db, PAT, channel="sms")
    done = login.complete(db, grant=verified.grant, client_ip=IP, user_agent="UA")
    db.commit()
    principal = check_session(db, done.token).principal
    account = db.get(Account, principal.account_id)
    assert account.name == RIVERA and done.destination == "/home"
    assert 11 * 3600 < done.max_age <= 12 * 3600
    [entry] = db.exec(select(ActivityLog)).all()
    assert entry.action_key == "customer.login_text" and entry.account_id == account.id
    assert not re.search(r"\d{6}", entry.summary + str(entry.details))
    with pytest.raises(AttemptEnded):  # the grant works once
        login.complete(db, grant=verified.grant, client_ip=IP)


def test_login_by_email_is_logged_as_such(db):
    _, verified = _verified(db, PAT, channel="email")
    login.complete(db, grant=verified.grant, client_ip=IP)
    db.commit()
    assert db.exec(select(ActivityLog.action_key)).all() == ["customer.login_email"]


@pytest.mark.parametrize("grant", ["", "x.y", "abc", None])
def test_forged_grants_are_refused(db, grant):
    with pytest.raises(AttemptEnded):
        login.complete(db, grant=grant, client_ip=IP)


def test_a_grant_for_another_purpose_is_refused(db):
    from clientcenter.services.auth.tokens import sign

    challenge_id = 1
    with pytest.raises(AttemptEnded):
        login.complete(
            db, grant=sign("customer-switch", {"c": challenge_id, "a": 1}, 60), client_ip=IP
        )


def test_several_accounts_are_listed_from_the_verified_email_and_one_is_chosen(db, caplog):
    attempt, verified = _verified(db, JORDAN)
    assert verified.grant is None
    assert [(a.name, a.kind_label) for a in verified.accounts] == [
        (LEE, "Personal"),
        (STUDIO, "Commercial"),
    ]
    pat_account = account_named(db, RIVERA)
    with caplog.at_level(logging.WARNING, logger="clientcenter.security"):
        with pytest.raises(NotFound) as refused:
            login.grant_for_account(db, attempt_id=attempt, account_id=pat_account.id)
    assert "isn't one you can open" in refused.value.message
    assert "outside its list" in caplog.text
    commercial = verified.accounts[1]
    grant = login.grant_for_account(db, attempt_id=attempt, account_id=commercial.account_id)
    done = login.complete(db, grant=grant, client_ip=IP)
    db.commit()
    assert check_session(db, done.token).principal.account_id == commercial.account_id


def test_account_choice_needs_a_verified_code(db):
    attempt, _ = start(db, JORDAN)
    with pytest.raises(CodeProblem):
        login.grant_for_account(db, attempt_id=attempt, account_id=1)


def test_switching_accounts_rotates_the_session_without_a_new_code(db, caplog):
    attempt, verified = _verified(db, JORDAN)
    personal, commercial = verified.accounts
    grant = login.grant_for_account(db, attempt_id=attempt, account_id=personal.account_id)
    first = login.complete(db, grant=grant, client_ip=IP)
    db.commit()
    principal = check_session(db, first.token).principal
    sends_before = len(codes_sent(db, JORDAN))
    switch = login.switch_grant(db, principal, email=JORDAN, account_id=commercial.account_id)
    done = login.complete_switch(db, grant=switch, token=first.token, client_ip=IP)
    db.commit()
    assert done.token != first.token
    assert check_session(db, first.token).status == "revoked"
    assert check_session(db, done.token).principal.account_id == commercial.account_id
    assert len(codes_sent(db, JORDAN)) == sends_before
    # the grant is bound to the old session: replaying it does nothing
    with pytest.raises(NotAllowed):
        login.complete_switch(db, grant=switch, token=done.token, client_ip=IP)
    # an account outside the list is refused and logged
    pat_account = account_named(db, RIVERA)
    new_principal = check_session(db, done.token).principal
    with caplog.at_level(logging.WARNING, logger="clientcenter.security"):
        with pytest.raises(NotFound):
            login.switch_grant(db, new_principal, email=JORDAN, account_id=pat_account.id)
    assert "outside its list" in caplog.text


def test_a_switch_grant_needs_the_session_it_was_made_for(db):
    attempt, verified = _verified(db, JORDAN)
    personal, commercial = verified.accounts
    first = login.complete(
        db,
        grant=login.grant_for_account(db, attempt_id=attempt, account_id=personal.account_id),
        client_ip=IP,
    )
    db.commit()
    principal = check_session(db, first.token).principal
    switch = login.switch_grant(db, principal, email=JORDAN, account_id=commercial.account_id)
    _, other = _verified(db, MORGAN)
    morgan = login.complete(db, grant=other.grant, client_ip=IP)
    db.commit()
    with pytest.raises(NotAllowed):
        login.complete_switch(db, grant=switch, token=morgan.token, client_ip=IP)
    with pytest.raises(NotAllowed):
        login.complete_switch(db, grant=switch, token=None, client_ip=IP)


def test_account_closed_between_code_and_verification(db):
    from clientcenter.models import Policy

    attempt, _ = start(db, MORGAN)
    account = account_named(db, ELLIS)
    for policy in db.exec(select(Policy).where(Policy.account_id == account.id)).all():
        policy.status = "cancelled"
        db.add(policy)
    db.commit()
    with pytest.raises(NotAllowed) as refused:
        verify(db, attempt, last_code(db, MORGAN))
    assert "no active policy" in refused.value.message


# --- enumeration timing --------------------------------------------------------------------


def test_answer_time_does_not_tell_known_from_unknown_emails(db, monkeypatch):
    """Median time of the first step for an unknown email, an inactive account and a known
    email-only contact differ by under 50 ms: the answer must not tell them apart
    (docs/login.md)."""
    settings_env(monkeypatch, sends_per_contact_per_hour=1000, sends_per_destination_per_hour=1000)
    samples: dict[str, list[float]] = {"unknown": [], "inactive": [], "known": []}
    emails = {"unknown": "nobody@example.com", "inactive": CASEY, "known": MORGAN}
    t0 = utcnow() - timedelta(hours=2)
    for i in range(15):
        for label, email in emails.items():
            now = t0 + timedelta(seconds=31 * i)
            began = time.perf_counter()
            login.start(db, email=email, client_ip=f"10.1.{i}.{len(label)}", now=now)
            db.commit()
            samples[label].append(time.perf_counter() - began)
    medians = {k: statistics.median(v) for k, v in samples.items()}
    spread = max(medians.values()) - min(medians.values())
    print("start() medians (ms):", {k: round(v * 1000, 2) for k, v in medians.items()})
    assert spread < 0.050, medians
