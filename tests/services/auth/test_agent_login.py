"""Agents' sign-in: emailed code, then the authenticator (enrolment on first sign-in, recovery
codes), then a session that always carries its second factor."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlmodel import select

from clientcenter.models import Agent, OutboxMessage, UserSession
from clientcenter.models.base import utcnow
from clientcenter.services.auth import agent_login, totp
from clientcenter.services.auth.login_codes import AttemptEnded
from clientcenter.services.auth.login_steps import CodeProblem
from clientcenter.services.auth.sessions import (
    SessionStatus,
    check_session,
    principal_from_token,
)
from tests.support.demo import AGENT, LEE_CHEN, PAT, agent_named
from tests.support.logins import agent_session, last_code, opened_setup_link

IP = "198.51.100.7"


def _through_code(db, email=AGENT, now=None, link=None):
    attempt, sent = agent_login.start(db, email=email, client_ip=IP, now=now)
    step = agent_login.verify_code(
        db,
        attempt_id=attempt,
        code=last_code(db, email),
        client_ip=IP,
        now=now,
        **(link.steps if link else {}),
    )
    return attempt, sent, step


def test_first_sign_in_enrols_through_the_setup_link_then_signs_in(demo):
    link = opened_setup_link(demo)
    attempt, sent, step = _through_code(demo, link=link)
    assert "emailed a 6-digit code" in sent.message
    message = demo.exec(select(OutboxMessage).where(OutboxMessage.template == "login_code")).one()
    assert message.sensitive and message.recipient_kind == "login"
    assert step.step == "enrol" and step.enrolment.qr_svg.startswith("data:image/svg+xml")
    # A reload shows the same QR code.
    shown = agent_login.enrolment(demo, attempt_id=attempt, **link.steps)
    assert shown.secret == step.enrolment.secret
    app = pyotp.TOTP(step.enrolment.secret)
    codes = agent_login.confirm_enrolment(demo, attempt_id=attempt, code=app.now(), **link.steps)
    grant = agent_login.grant_after_enrolment(demo, attempt_id=attempt)
    assert len(codes) == 10
    done = agent_login.complete(demo, grant=grant, client_ip=IP)
    assert agent_named(demo).last_sign_in_at is not None
    demo.commit()
    assert done.destination == "/agent" and done.session.kind == "agent"
    assert done.session.second_factor_at is not None
    principal = principal_from_token(demo, done.token)
    assert principal.is_agent and not principal.read_only and principal.account_id is None
    with pytest.raises(AttemptEnded):  # the grant works once
        agent_login.complete(demo, grant=grant, client_ip=IP)


def test_later_sign_ins_ask_the_app_or_a_recovery_code(demo):
    agent = agent_named(demo)
    start = utcnow() - timedelta(minutes=5)
    enrolment = totp.start_enrolment(demo, agent)
    codes = totp.confirm_enrolment(demo, agent, pyotp.TOTP(enrolment.secret).at(start), start)
    demo.commit()
    attempt, _sent, step = _through_code(demo)
    assert step.step == "totp" and step.enrolment is None
    wrong = "000000" if pyotp.TOTP(enrolment.secret).now() != "000000" else "111111"
    with pytest.raises(totp.SecondFactorRefused):
        agent_login.second_factor(demo, attempt_id=attempt, code=wrong)
    grant, checked = agent_login.second_factor(demo, attempt_id=attempt, code=codes[0])
    assert checked.method == "recovery" and checked.recovery_codes_left == 9
    assert agent_login.complete(demo, grant=grant, client_ip=IP).session.agent_id == agent.id


def test_unknown_and_inactive_emails_get_the_same_answer_and_no_message(demo):
    _a, known, _s = _through_code(demo, link=opened_setup_link(demo))
    inactive = demo.exec(select(Agent).where(Agent.email == LEE_CHEN)).one()
    inactive.is_active = False
    demo.commit()
    before = len(demo.exec(select(OutboxMessage)).all())
    for email in [
        "nobody@agency.example",
        LEE_CHEN,
        PAT,
    ]:  # a customer is not an agent
        attempt, sent = agent_login.start(demo, email=email, client_ip=IP)
        assert sent.message == known.message.replace(AGENT, email)
        with pytest.raises(CodeProblem):
            agent_login.verify_code(demo, attempt_id=attempt, code="123456", client_ip=IP)
    assert len(demo.exec(select(OutboxMessage)).all()) == before


def test_the_second_factor_needs_the_emailed_code_first(demo):
    attempt, _sent = agent_login.start(demo, email=AGENT, client_ip=IP)
    with pytest.raises(CodeProblem, match="code we emailed"):
        agent_login.second_factor(demo, attempt_id=attempt, code="123456")
    with pytest.raises(AttemptEnded):
        agent_login.second_factor(demo, attempt_id="made-up", code="123456")
    with pytest.raises(AttemptEnded):
        agent_login.complete(demo, grant="forged.grant", client_ip=IP)


def test_an_agent_deactivated_mid_sign_in_gets_no_session(demo):
    link = opened_setup_link(demo)
    attempt, _sent, step = _through_code(demo, link=link)
    _codes = agent_login.confirm_enrolment(
        demo, attempt_id=attempt, code=pyotp.TOTP(step.enrolment.secret).now(), **link.steps
    )
    grant = agent_login.grant_after_enrolment(demo, attempt_id=attempt)
    agent = agent_named(demo)
    agent.is_active = False
    demo.commit()
    with pytest.raises(AttemptEnded):
        agent_login.complete(demo, grant=grant, client_ip=IP)
    assert demo.exec(select(UserSession)).all() == []


def test_an_agent_session_without_second_factor_opens_nothing(demo):
    token = agent_session(demo, second_factor=False).token
    assert check_session(demo, token).status == SessionStatus.SECOND_FACTOR
    assert principal_from_token(demo, token) is None
