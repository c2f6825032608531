"""Sessions: opaque hashed tokens, idle and absolute limits, rotation, revocation, and the
database re-check behind every principal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from clientcenter.models import Policy, UserSession
from clientcenter.models.base import utcnow
from clientcenter.services.accounts import loginable_contacts
from clientcenter.services.auth.sessions import (
    SessionStatus,
    check_session,
    create_session,
    principal_from_token,
    revoke_session,
    revoke_token,
    rotate_session,
    signed_out_message,
)
from tests.support.demo import JORDAN, PAT, agent_named


@pytest.fixture
def db(demo):
    """A session on the demo agency (the README's logins)."""
    return demo


def _pat(db):
    [(contact, account)] = loginable_contacts(db, PAT)
    return contact, account


def _login(db, email=PAT, now=None):
    contact, account = loginable_contacts(db, email)[0]
    record, token = create_session(
        db, kind="customer", email=email, contact_id=contact.id, account_id=account.id, now=now
    )
    db.commit()
    return record, token


def test_token_is_opaque_random_and_stored_only_as_a_keyed_hash(db):
    record, token = _login(db)
    _, other = _login(db)
    assert token != other
    assert len(token) >= 43  # 32 random bytes, url-safe base64: 256 bits
    assert token not in record.token_hash and len(record.token_hash) == 64
    stored = db.exec(select(UserSession.token_hash)).all()
    assert all(token not in h for h in stored)


def test_a_live_session_gives_the_customer_principal(db):
    contact, account = _pat(db)
    record, token = _login(db)
    principal = principal_from_token(db, token)
    assert principal.is_customer and not principal.read_only
    assert (principal.account_id, principal.contact_id, principal.session_id) == (
        account.id,
        contact.id,
        record.id,
    )


@pytest.mark.parametrize("token", [None, "", "nope", "x" * 5000])
def test_missing_or_unknown_tokens_give_nothing(db, token):
    _login(db)
    check = check_session(db, token)
    assert check.status == "login" and check.principal is None


def test_idle_timeout_is_30_minutes_and_activity_restarts_it(db):
    start = utcnow()
    record, token = _login(db, now=start)
    assert check_session(db, token, now=start + timedelta(minutes=29, seconds=59)).ok
    # that check touched the session: the idle clock restarted
    assert check_session(db, token, now=start + timedelta(minutes=59)).ok
    idle = check_session(db, token, now=start + timedelta(minutes=89, seconds=1))
    assert idle.status == "idle" and idle.principal is None


def test_a_session_untouched_for_30_minutes_is_over(db):
    start = utcnow()
    _, token = _login(db, now=start)
    assert check_session(db, token, now=start + timedelta(minutes=30)).status == "idle"


def test_absolute_limit_is_12_hours_even_with_constant_activity(db):
    start = utcnow()
    _, token = _login(db, now=start)
    moment = start
    while moment + timedelta(minutes=20) < start + timedelta(hours=12):
        moment += timedelta(minutes=20)
        assert check_session(db, token, now=moment).ok
    assert check_session(db, token, now=start + timedelta(hours=12)).status == "expired"


def test_touch_is_throttled_to_once_a_minute(db):
    start = utcnow()
    record, token = _login(db, now=start)
    check_session(db, token, now=start + timedelta(seconds=30))
    db.refresh(record)
    assert (
        abs(
            (record.last_seen_at.replace(tzinfo=None) - start.replace(tzinfo=None)).total_seconds()
        )
        < 1
    )
    check_session(db, token, now=start + timedelta(seconds=90))
    db.refresh(record)
    assert (
        record.last_seen_at.replace(tzinfo=None) - start.replace(tzinfo=None)
    ).total_seconds() == pytest.approx(90, abs=1)


def test_revocation_is_server_side_and_immediate(db):
    record, token = _login(db)
    assert revoke_token(db, token) is True
    assert revoke_token(db, token) is False  # already ended
    assert check_session(db, token).status == "revoked"
    assert principal_from_token(db, token) is None


def test_rotation_issues_a_new_token_kills_the_old_and_keeps_the_absolute_limit(db):
    start = utcnow()
    record, token = _login(db, now=start)
    rotated = rotate_session(db, record, now=start + timedelta(hours=3))
    assert rotated is not None
    new_record, new_token = rotated
    db.commit()
    assert new_token != token and new_record.id != record.id
    assert check_session(db, token, now=start + timedelta(hours=3)).status == "revoked"
    assert check_session(db, new_token, now=start + timedelta(hours=3)).ok
    assert check_session(db, new_token, now=start + timedelta(hours=12)).status == "expired"
    # a second rotation of the same old record (a replay) gets nothing
    assert rotate_session(db, record, now=start + timedelta(hours=3)) is None


def test_rotation_refuses_unknown_fields(db):
    record, _ = _login(db)
    with pytest.raises(ValueError):
        rotate_session(db, record, token_hash="x")


def test_contact_losing_the_login_switch_ends_the_session(db):
    contact, _ = _pat(db)
    _, token = _login(db)
    contact.may_log_in = False
    db.add(contact)
    db.commit()
    assert check_session(db, token).status == "access"


def test_contact_email_change_ends_the_session(db):
    contact, _ = _pat(db)
    _, token = _login(db)
    contact.email = "pat.new@example.com"
    db.add(contact)
    db.commit()
    assert check_session(db, token).status == "access"


def test_account_without_an_active_policy_ends_the_session(db):
    _, account = _pat(db)
    _, token = _login(db)
    for policy in db.exec(select(Policy).where(Policy.account_id == account.id)).all():
        policy.status = "cancelled"
        db.add(policy)
    db.commit()
    assert check_session(db, token).status == "closed"
    assert "no active policy" in signed_out_message("closed")


def test_identity_only_session_must_choose_an_account(db):
    record, token = create_session(db, kind="customer", email=JORDAN)
    db.commit()
    check = check_session(db, token)
    assert check.status == SessionStatus.CHOOSE_ACCOUNT and check.principal is None
    assert check.email == JORDAN


def test_agent_sessions_need_the_second_factor_and_an_active_agent(db):
    agent = agent_named(db)
    _, half = create_session(db, kind="agent", email=agent.email, agent_id=agent.id)
    _, full = create_session(
        db, kind="agent", email=agent.email, agent_id=agent.id, second_factor_at=utcnow()
    )
    _, account = _pat(db)
    _, viewing = create_session(
        db,
        kind="agent",
        email=agent.email,
        agent_id=agent.id,
        second_factor_at=utcnow(),
        account_id=account.id,
        read_only=True,
    )
    db.commit()
    assert check_session(db, half).status == SessionStatus.SECOND_FACTOR
    agency = principal_from_token(db, full)
    assert agency.is_agent and agency.account_id is None and not agency.read_only
    view = principal_from_token(db, viewing)
    assert view.read_only and view.account_id == account.id
    agent.is_active = False
    db.add(agent)
    db.commit()
    assert check_session(db, full).status == "access"
    assert check_session(db, viewing).status == "access"


def test_unknown_reasons_show_the_plain_prompt():
    assert signed_out_message("<script>") == signed_out_message("login")
    assert "30 minutes" in signed_out_message("idle")


def test_revoke_session_reports_only_the_first_call(db):
    record, _ = _login(db)
    assert revoke_session(db, record) and not revoke_session(db, record)
    assert record.revoked_at is not None
    assert SessionStatus.OK == "ok"
