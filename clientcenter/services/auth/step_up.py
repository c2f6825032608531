"""Step-up: a second factor, shortly before the riskiest actions (docs/security-model.md).

The agency lists those actions in ``security.step_up_actions`` ("login_contact", "pay",
"certificate_holder", "household_invite"). A customer's session may do one of them within
``security.step_up_minutes`` after it confirmed a second factor — a passkey of this very
contact, or a fresh code emailed to the login address — stamped on the session
(``user_session.second_factor_at``). A passkey plus a code is what the portal calls
multi-factor, so a session that logged in with a passkey steps up with a code.

Other features call :func:`require_recent_second_factor` in their services, before they
change anything; it raises :class:`SecondFactorNeeded` (a NotAllowed) with the words to show.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from clientcenter.models import Contact, UserSession
from clientcenter.models.base import utcnow
from clientcenter.services.auth import login_codes, login_steps, passkeys
from clientcenter.services.auth.login_codes import AttemptEnded
from clientcenter.services.auth.sessions import as_utc
from clientcenter.services.errors import NotAllowed
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

ACTIONS = ("login_contact", "pay", "certificate_holder", "household_invite")
SUBJECT = "stepup"  # login_challenge.subject_kind of a step-up code (never a login)


class SecondFactorNeeded(NotAllowed):
    """The action needs a fresh second factor first; the page offers the step-up."""


def _window() -> timedelta:
    return timedelta(minutes=get_settings().security.step_up_minutes)


def is_required(action: str) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown step-up action {action!r}")
    return action in get_settings().security.step_up_actions


def _session(db: Session, principal: Principal) -> UserSession | None:
    return db.get(UserSession, principal.session_id) if principal.session_id else None


def has_recent_second_factor(
    db: Session, principal: Principal, *, now: datetime | None = None
) -> bool:
    record = _session(db, principal)
    return bool(
        record
        and record.second_factor_at is not None
        and (now or utcnow()) - as_utc(record.second_factor_at) <= _window()
    )


def require_recent_second_factor(
    db: Session, principal: Principal, action: str, *, now: datetime | None = None
) -> None:
    """Refuse ``action`` ("login_contact" | "pay" | "certificate_holder" |
    "household_invite") unless the agency does not ask a second factor for it, or this
    customer's session confirmed one within ``security.step_up_minutes``. Agents are not
    asked (their own sign-in has a second factor)."""
    if not is_required(action) or not principal.is_customer:
        return
    if not has_recent_second_factor(db, principal, now=now):
        minutes = get_settings().security.step_up_minutes
        raise SecondFactorNeeded(
            "For your security, please confirm it's you first — with your passkey or a "
            f"code we email you — then try again within {minutes} minutes."
        )


def _mark(db: Session, principal: Principal, now: datetime) -> None:
    record = _session(db, principal)
    if record is None or record.revoked_at is not None:
        raise NotAllowed("Your session has ended. Log in again.")
    record.second_factor_at = now
    db.add(record)
    db.flush()


def passkey_allowed(db: Session, principal: Principal) -> bool:
    """May this session step up with a passkey? Not when it logged in with one."""
    record = _session(db, principal)
    return record is not None and record.passkey_id is None


def passkey_options(db: Session, principal: Principal, *, now: datetime | None = None) -> str:
    if not passkey_allowed(db, principal):
        raise NotAllowed("You logged in with your passkey, so confirm with a code instead.")
    return passkeys.step_up_options(db, principal, now=now)


def confirm_with_passkey(
    db: Session, principal: Principal, response: object, *, now: datetime | None = None
) -> None:
    now = now or utcnow()
    if not passkey_allowed(db, principal):
        raise NotAllowed("You logged in with your passkey, so confirm with a code instead.")
    passkeys.finish_step_up(db, principal, response, now=now)
    _mark(db, principal, now)


def _contact(db: Session, principal: Principal) -> Contact:
    from clientcenter.services.access import acting_contact

    contact = acting_contact(db, principal) if principal.is_customer else None
    if contact is None or not contact.email or principal.session_id is None:
        raise NotAllowed("Only a customer confirms it's them here.")
    return contact


def send_code(
    db: Session,
    principal: Principal,
    *,
    attempt_id: str,
    client_ip: str,
    now: datetime | None = None,
) -> str:
    """Email a fresh code to the login address; returns the sentence to show."""
    now = now or utcnow()
    contact = _contact(db, principal)
    challenge, _ = login_codes.open_challenge(
        db,
        subject_kind=SUBJECT,
        email=contact.email.lower(),
        contact_id=contact.id,
        client_ip=client_ip,
        now=now,
        attempt_id=attempt_id,
    )
    login_steps.send_code(
        db,
        challenge,
        channel="email",
        destination=contact.email.lower(),
        deliver=True,
        to_name=contact.full_name,
        client_ip=client_ip,
        now=now,
        remembered=None,
    )
    return f"We emailed a 6-digit code to {contact.email}. It works once, for a few minutes."


def confirm_with_code(
    db: Session,
    principal: Principal,
    *,
    attempt_id: str,
    code: str,
    client_ip: str,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    contact = _contact(db, principal)
    challenge = login_codes.find_challenge(db, attempt_id, subject_kind=SUBJECT, now=now)
    if challenge.contact_id != contact.id or challenge.verified_at is not None:
        raise AttemptEnded()
    code = login_codes.normalize_code(code)
    result = login_codes.check_code(
        db, challenge, code, destination=challenge.email, client_ip=client_ip, now=now
    )
    login_steps.refuse_unless_accepted(
        result,
        login_steps.CodeWords(
            resent="we emailed you a new one",
            latest="the latest email we sent",
            cannot_resend="Please wait a while and try again.",
            voided="That code no longer works after 5 wrong tries. Ask for a new one.",
        ),
        lambda: login_steps.send_code(
            db,
            challenge,
            channel="email",
            destination=challenge.email,
            deliver=True,
            to_name=contact.full_name,
            client_ip=client_ip,
            now=now,
            remembered=None,
        ),
    )
    if login_codes.consume(db, challenge.id, now=now) is None:
        raise AttemptEnded()
    _mark(db, principal, now)
