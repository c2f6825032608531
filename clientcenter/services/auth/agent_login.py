"""Agents' sign-in: email → one-time code → authenticator app (TOTP), or its enrolment
→ an agent session with its second factor.

Enrolment is offered only to a browser that opened the agent's live setup link
(services/agency/setup_links.py: the route keeps the setup pass in an HttpOnly cookie, the
tab's connection carries it), and the link is used up when the enrolment is confirmed. The
emailed code alone enrols nothing.

The code machinery is the customers' (services/auth/login_codes.py: codes bound to the attempt,
expiry, single use, send and failure limits per identity, destination and client IP), with
``subject_kind="agent"``. Codes go by email only. An unknown or deactivated email gets the
same answer and the same work as a real agent, with nothing sent.

No session exists until both factors pass: the second factor is checked against the verified
attempt, then a single-use grant goes to the HTTP route that sets the cookie (the route calls
:func:`complete`), so every agent session carries ``second_factor_at``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from clientcenter import routes
from clientcenter.models import Agent, LoginChallenge
from clientcenter.models.base import utcnow
from clientcenter.services.access import is_active_agent
from clientcenter.services.agency import setup_links
from clientcenter.services.agency.agents import active_agent_by_email
from clientcenter.services.auth import agent_passkeys, login_codes, login_steps, totp
from clientcenter.services.auth.login_codes import AttemptEnded
from clientcenter.services.auth.login_steps import CodeProblem, clean_email
from clientcenter.services.auth.sessions import (
    SessionStarted,
    as_utc,
    create_session,
    session_started,
)

log = logging.getLogger("clientcenter.security")

SUBJECT = "agent"
GRANT = "agent-login"
GRANT_TTL_SECONDS = 120


@dataclass(frozen=True)
class CodeSent:
    message: str
    resend_in: int


@dataclass(frozen=True)
class SecondFactorStep:
    step: str  # totp | enrol
    enrolment: totp.Enrolment | None = None  # for enrol: the QR code and the secret
    passkey: bool = False  # totp: the agent may answer with a passkey instead


CODE_WORDS = login_steps.CodeWords(
    resent="we emailed you a new one",
    latest="the latest email",
    cannot_resend="Please wait an hour.",
    voided=login_steps.NO_LONGER_WORKS,
)


def _code_sent(email: str, resend_in: int, prefix: str = "") -> CodeSent:
    return CodeSent(
        f"{prefix}If {email} belongs to an agent of the agency, we just emailed a "
        f"6-digit code to it. It works once, for {login_codes.code_minutes()} minutes.",
        resend_in,
    )


def _send(
    db: Session,
    challenge: LoginChallenge,
    agent: Agent | None,
    client_ip: str,
    now: datetime,
    remembered: str | None = None,
) -> None:
    # The same statements for an unknown email as for an agent's; no row for the former.
    login_steps.send_code(
        db,
        challenge,
        channel="email",
        destination=challenge.email,
        deliver=agent is not None,
        to_name=agent.full_name if agent else "",
        client_ip=client_ip,
        now=now,
        remembered=remembered,
    )


def start(
    db: Session,
    *,
    email: str,
    client_ip: str,
    now: datetime | None = None,
    attempt_id: str | None = None,
    remembered: str | None = None,
) -> tuple[str, CodeSent]:
    """Step 1: the attempt id for the tab (or the browser-derived one it brings), and the
    same answer for every email."""
    now = now or utcnow()
    email = clean_email(email)
    login_codes.check_lookup_limit(db, client_ip, now=now)
    agent = active_agent_by_email(db, email)
    challenge, attempt_id = login_codes.open_challenge(
        db,
        subject_kind=SUBJECT,
        email=email,
        agent_id=agent.id if agent else None,
        client_ip=client_ip,
        now=now,
        attempt_id=attempt_id,
    )
    _send(db, challenge, agent, client_ip, now, remembered)
    return attempt_id, _code_sent(email, login_codes.seconds_until_resend(challenge, now=now))


def _open(db: Session, attempt_id: str, now: datetime) -> tuple[LoginChallenge, Agent | None]:
    challenge = login_codes.find_challenge(db, attempt_id, subject_kind=SUBJECT, now=now)
    agent = db.get(Agent, challenge.agent_id) if challenge.agent_id else None
    return challenge, agent


def resend(
    db: Session,
    *,
    attempt_id: str,
    client_ip: str,
    now: datetime | None = None,
    remembered: str | None = None,
) -> CodeSent:
    now = now or utcnow()
    challenge, agent = _open(db, attempt_id, now)
    if challenge.verified_at is not None:
        raise AttemptEnded()
    _send(db, challenge, agent, client_ip, now, remembered)
    return _code_sent(
        challenge.email,
        login_codes.seconds_until_resend(challenge, now=now),
        prefix="New code sent. ",
    )


def verify_code(
    db: Session,
    *,
    attempt_id: str,
    code: str,
    client_ip: str,
    now: datetime | None = None,
    remembered: str | None = None,
    setup_digest: str | None = None,
    browser: str | None = None,
) -> SecondFactorStep:
    """Step 2: the emailed code. Then the authenticator step, or its enrolment when this
    browser presents the agent's live setup link."""
    now = now or utcnow()
    challenge, agent = _open(db, attempt_id, now)
    if challenge.verified_at is not None:
        raise AttemptEnded()
    code = login_codes.normalize_code(code)
    result = login_codes.check_code(
        db,
        challenge,
        code,
        destination=challenge.email,
        client_ip=client_ip,
        now=now,
        allowance=login_steps.allowance(db, challenge, remembered, now),
    )
    login_steps.refuse_unless_accepted(
        result, CODE_WORDS, lambda: _send(db, challenge, agent, client_ip, now, remembered)
    )
    if not is_active_agent(agent):
        # Only reachable if the agent was deactivated since the code was sent.
        raise AttemptEnded()
    if totp.is_enrolled(agent):
        return SecondFactorStep("totp", passkey=agent_passkeys.has_passkey(db, agent))
    setup_links.live_link(db, setup_digest, browser=browser, agent=agent, now=now)
    if agent.totp_secret_sealed is None:
        return SecondFactorStep("enrol", totp.start_enrolment(db, agent))
    return SecondFactorStep("enrol", totp.describe_enrolment(agent))


def _verified(db: Session, attempt_id: str, now: datetime) -> tuple[LoginChallenge, Agent]:
    challenge, agent = _open(db, attempt_id, now)
    if challenge.verified_at is None:
        raise CodeProblem("Enter the code we emailed you first.")
    if not is_active_agent(agent):
        raise AttemptEnded()
    return challenge, agent


def _grant(challenge: LoginChallenge, browser: str | None) -> str:
    # Bound to the browser whose tab passed both factors.
    return login_steps.grant(GRANT, challenge, browser, GRANT_TTL_SECONDS)


def second_factor(
    db: Session,
    *,
    attempt_id: str,
    code: str,
    now: datetime | None = None,
    browser: str | None = None,
) -> tuple[str, totp.SecondFactorVerified]:
    """Step 3: a code from the authenticator app, or a recovery code. Returns the grant."""
    now = now or utcnow()
    challenge, agent = _verified(db, attempt_id, now)
    checked = totp.verify(db, agent, code, now)
    if checked.method == "recovery":
        log.warning(
            "agent %s signed in with a recovery code (%d left)",
            agent.id,
            checked.recovery_codes_left,
        )
    return _grant(challenge, browser), checked


def passkey_options(db: Session, *, attempt_id: str, now: datetime | None = None) -> str:
    """Step 3 by passkey: the options for this attempt (its emailed code verified)."""
    now = now or utcnow()
    _challenge, agent = _verified(db, attempt_id, now)
    return agent_passkeys.sign_in_options(db, agent, attempt_id=attempt_id, now=now)


def second_factor_with_passkey(
    db: Session,
    *,
    attempt_id: str,
    response: object,
    now: datetime | None = None,
    browser: str | None = None,
) -> str:
    """Step 3 by passkey instead of the authenticator app: a passkey of this attempt's agent
    answered its challenge. Returns the grant."""
    now = now or utcnow()
    challenge, agent = _verified(db, attempt_id, now)
    passkey = agent_passkeys.verify_sign_in(
        db, agent, attempt_id=attempt_id, response=response, now=now
    )
    log.info("agent %s signed in with passkey %s", agent.id, passkey.id)
    return _grant(challenge, browser)


def enrolment(
    db: Session,
    *,
    attempt_id: str,
    setup_digest: str | None = None,
    browser: str | None = None,
    now: datetime | None = None,
) -> totp.Enrolment:
    """The pending QR code again (the page was reloaded during enrolment)."""
    now = now or utcnow()
    _challenge, agent = _verified(db, attempt_id, now)
    setup_links.live_link(db, setup_digest, browser=browser, agent=agent, now=now)
    return totp.describe_enrolment(agent)


def confirm_enrolment(
    db: Session,
    *,
    attempt_id: str,
    code: str,
    setup_digest: str | None = None,
    browser: str | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Step 3 of an enrolment: the app's first code completes it and uses up the setup link.
    Returns the recovery codes (shown once); :func:`grant_after_enrolment` then starts the
    session."""
    now = now or utcnow()
    _challenge, agent = _verified(db, attempt_id, now)
    link = setup_links.live_link(db, setup_digest, browser=browser, agent=agent, now=now)
    codes = totp.confirm_enrolment(db, agent, code, now)
    setup_links.use_up(db, link, now=now)
    log.info("agent %s enrolled an authenticator app through setup link %s", agent.id, link.id)
    return codes


def grant_after_enrolment(
    db: Session, *, attempt_id: str, now: datetime | None = None, browser: str | None = None
) -> str:
    """After the recovery codes were shown: the grant, if this attempt's agent confirmed an
    authenticator during this attempt (the tab keeps no grant in its state)."""
    now = now or utcnow()
    challenge, agent = _verified(db, attempt_id, now)
    enrolled = agent.totp_enrolled_at
    if enrolled is None or as_utc(enrolled) < as_utc(challenge.verified_at):
        raise CodeProblem("Set up your authenticator app first.")
    return _grant(challenge, browser)


def complete(
    db: Session,
    *,
    grant: str,
    client_ip: str,
    user_agent: str = "",
    now: datetime | None = None,
    browser: str | None = None,
) -> SessionStarted:
    """HTTP route: the grant becomes an agent session with its second factor, once, in the
    browser that passed both factors."""
    now = now or utcnow()
    _payload, challenge = login_steps.redeem(
        db, GRANT, grant, subject_kind=SUBJECT, browser=browser, now=now
    )
    if challenge.agent_id is None:
        raise AttemptEnded()
    agent = db.get(Agent, challenge.agent_id)
    if not is_active_agent(agent) or not totp.is_enrolled(agent):
        raise AttemptEnded()
    agent.last_sign_in_at = now
    db.add(agent)
    record, token = create_session(
        db,
        kind="agent",
        email=agent.email,
        agent_id=agent.id,
        second_factor_at=now,
        client_ip=client_ip,
        user_agent=user_agent,
        now=now,
    )
    return session_started(record, token, routes.AGENT_HOME, now)
