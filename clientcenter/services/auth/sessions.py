"""Login sessions: the server-side record behind the HttpOnly session cookie.

The browser holds an opaque 256-bit token; the database holds only its keyed hash. Every use
re-checks the record against the database (idle 30 min, absolute 12 h, revoked, the contact
may still log in, the account is still active, the agent is still active), so nothing a tab
remembers can outlive a change on the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, select

from clientcenter.models import Account, Agent, Contact, UserSession
from clientcenter.models.base import utcnow
from clientcenter.services.access import contact_may_log_in, is_active_agent
from clientcenter.services.accounts import is_account_active, loginable_contacts, normalize_email
from clientcenter.services.auth.tokens import keyed_hash, new_token
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

# last_seen_at is written at most this often: idle expiry needs minutes, not every event.
TOUCH_INTERVAL = timedelta(seconds=60)
MAX_TOKEN_LENGTH = 128


class SessionStatus(StrEnum):
    """What a check of a session token found. Every value but OK, CHOOSE_ACCOUNT and
    SECOND_FACTOR is a reason the login page explains (``?signed_out=<reason>``)."""

    OK = "ok"
    CHOOSE_ACCOUNT = "choose_account"  # verified, no account picked yet
    SECOND_FACTOR = "second_factor"  # an agent whose authenticator step is pending
    LOGIN = "login"  # no session at all
    IDLE = "idle"
    EXPIRED = "expired"  # past the absolute limit
    REVOKED = "revoked"
    LOGOUT = "logout"  # only ever a reason: the person logged out
    ACCESS = "access"  # the person or agent may no longer log in
    ATTEMPT = "attempt"  # only ever a reason: a login step expired or was used
    CLOSED = "closed"  # the account has no active policy


EVERYWHERE = "everywhere"


def signed_out_message(reason: str) -> str:
    """The sentence the login page shows for ``?signed_out=<reason>``; unknown reasons get the
    plain prompt (the reason comes from a URL, so its text is never echoed)."""
    security = get_settings().security
    messages = {
        SessionStatus.LOGIN: "Please log in to continue.",
        SessionStatus.IDLE: f"You were logged out after {security.session_idle_minutes} minutes without "
        "activity. Log in again to continue.",
        SessionStatus.EXPIRED: f"For your security, sessions end after {security.session_absolute_hours} "
        "hours. Log in again to continue.",
        SessionStatus.REVOKED: "Your session was ended (a log out, here or on another tab). Log in "
        "again to continue.",
        SessionStatus.LOGOUT: "You are logged out. Thanks for stopping by.",
        # Only ever a reason: Profile's "Log out everywhere" (services/auth/everywhere.py).
        EVERYWHERE: "You are logged out on every browser and device, and remembered browsers "
        "are forgotten. Log in again whenever you like.",
        SessionStatus.ACCESS: "Your access has changed since you logged in. Log in again, or call us if "
        "you need help.",
        SessionStatus.ATTEMPT: "That login step has expired or was already used. Enter your email to "
        "start again.",
        SessionStatus.CLOSED: "That account has no active policy, so its Client Center is closed. Call us "
        "if you think this is a mistake.",
    }
    return messages.get(reason, messages[SessionStatus.LOGIN])


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back naive; they were written as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def hash_session_token(token: str) -> str:
    return keyed_hash("session", token)


@dataclass(frozen=True)
class SessionCheck:
    """The outcome of checking a session token against the database."""

    status: SessionStatus
    principal: Principal | None = None
    session_id: int | None = None
    email: str | None = None  # the verified identity (customers: the login email)
    kind: str | None = None  # customer | agent

    @property
    def ok(self) -> bool:
        return self.status == SessionStatus.OK


@dataclass(frozen=True)
class SessionStarted:
    """A session a login, an account switch or a read-only view just started: the token for
    the cookie (the only time it exists in clear), the cookie's lifetime (until the session's
    absolute end) and where the browser goes next."""

    token: str
    session: UserSession
    max_age: int
    destination: str
    # A customer ticked "Remember this browser" on the code step: the channel its code went
    # by, which the remembered browser then uses at once ("" when not asked).
    trust_channel: str = ""


def session_started(
    record: UserSession, token: str, destination: str, now: datetime
) -> SessionStarted:
    max_age = int((as_utc(record.absolute_expires_at) - now).total_seconds())
    return SessionStarted(token, record, max_age, destination)


def create_session(
    db: Session,
    *,
    kind: str,
    email: str,
    contact_id: int | None = None,
    account_id: int | None = None,
    agent_id: int | None = None,
    read_only: bool = False,
    second_factor_at: datetime | None = None,
    proof: str = "email",
    proof_mobile_hash: str | None = None,
    passkey_id: int | None = None,
    client_ip: str = "",
    user_agent: str = "",
    absolute_expires_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[UserSession, str]:
    """A new session and the token for its cookie (the only time the token exists in clear)."""
    if kind not in ("customer", "agent"):
        raise ValueError(f"unknown session kind {kind!r}")
    if proof not in ("email", "sms") or (proof == "sms") != bool(proof_mobile_hash):
        raise ValueError("a session proven by text needs the mobile's hash, and only then")
    now = now or utcnow()
    limit = now + timedelta(hours=get_settings().security.session_absolute_hours)
    token = new_token()
    record = UserSession(
        token_hash=hash_session_token(token),
        kind=kind,
        email=normalize_email(email),
        contact_id=contact_id,
        account_id=account_id,
        agent_id=agent_id,
        read_only=read_only,
        second_factor_at=second_factor_at,
        proof=proof,
        proof_mobile_hash=proof_mobile_hash,
        passkey_id=passkey_id,
        created_at=now,
        last_seen_at=now,
        absolute_expires_at=min(limit, as_utc(absolute_expires_at))
        if absolute_expires_at
        else limit,
        client_ip=client_ip[:64],
        user_agent=user_agent[:200],
    )
    db.add(record)
    db.flush()
    return record, token


def find_session(db: Session, token: str | None) -> UserSession | None:
    """The record a token belongs to, live or not."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return find_session_by_hash(db, hash_session_token(token))


def find_session_by_hash(db: Session, token_hash: str | None) -> UserSession | None:
    """The record behind a token's keyed hash: what a tab's connection carries instead of the
    token (clientcenter/services/auth/connection.py)."""
    if not token_hash or len(token_hash) != 64:
        return None
    return db.exec(select(UserSession).where(UserSession.token_hash == token_hash)).first()


def revoke_session(db: Session, record: UserSession, *, now: datetime | None = None) -> bool:
    """End a session server-side. True if this call ended it (False: it was already ended),
    which makes rotation single-use even when two requests race."""
    now = now or utcnow()
    result = db.execute(
        update(UserSession)
        .where(UserSession.id == record.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.refresh(record)
    return result.rowcount == 1


def revoke_contact_sessions(
    db: Session, contact_id: int, *, proof: str | None = None, now: datetime | None = None
) -> int:
    """End every live session of one contact (only those proven by ``proof``, if given), as
    the agency switches off their login or corrects the address a login stood on. Returns how
    many ended."""
    conditions = [UserSession.contact_id == contact_id, UserSession.revoked_at.is_(None)]
    if proof is not None:
        conditions.append(UserSession.proof == proof)
    result = db.execute(
        update(UserSession)
        .where(*conditions)
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def revoke_token(db: Session, token: str | None, *, now: datetime | None = None) -> bool:
    record = find_session(db, token)
    return record is not None and revoke_session(db, record, now=now)


def rotate_session(
    db: Session,
    record: UserSession,
    *,
    now: datetime | None = None,
    client_ip: str | None = None,
    user_agent: str | None = None,
    **changes,
) -> tuple[UserSession, str] | None:
    """Replace a session by a new token (account switch, second factor): the old token stops
    working at once. The absolute limit still counts from the original login. None if the old
    session had already ended (a replayed or racing request)."""
    now = now or utcnow()
    if not revoke_session(db, record, now=now):
        return None
    fields = {
        "kind": record.kind,
        "email": record.email,
        "contact_id": record.contact_id,
        "account_id": record.account_id,
        "agent_id": record.agent_id,
        "read_only": record.read_only,
        "second_factor_at": record.second_factor_at,
        # What the login proved stays with every rotation (account switch, read-only view).
        "proof": record.proof,
        "proof_mobile_hash": record.proof_mobile_hash,
        "passkey_id": record.passkey_id,
        "client_ip": record.client_ip if client_ip is None else client_ip,
        "user_agent": record.user_agent if user_agent is None else user_agent,
    }
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} on rotation")
    fields.update(changes)
    return create_session(db, absolute_expires_at=record.absolute_expires_at, now=now, **fields)


def _expiry_reason(record: UserSession, now: datetime) -> SessionStatus | None:
    if record.revoked_at is not None:
        return SessionStatus.REVOKED
    if now >= as_utc(record.absolute_expires_at):
        return SessionStatus.EXPIRED
    idle = timedelta(minutes=get_settings().security.session_idle_minutes)
    if now - as_utc(record.last_seen_at) >= idle:
        return SessionStatus.IDLE
    return None


def _customer_check(db: Session, record: UserSession) -> SessionCheck:
    base = dict(session_id=record.id, email=record.email, kind="customer")
    if record.account_id is None:
        # Verified, account not picked yet: the identity must still reach an active account.
        if not loginable_contacts(db, record.email):
            return SessionCheck(SessionStatus.ACCESS, **base)
        return SessionCheck(SessionStatus.CHOOSE_ACCOUNT, **base)
    contact = db.get(Contact, record.contact_id) if record.contact_id else None
    if not contact_may_log_in(contact, record.account_id) or (
        normalize_email(contact.email or "") != record.email
    ):
        return SessionCheck(SessionStatus.ACCESS, **base)
    if not is_account_active(db, record.account_id):
        return SessionCheck(SessionStatus.CLOSED, **base)
    principal = Principal.customer(
        record.account_id, record.contact_id, session_id=record.id, view=contact.sees
    )
    return SessionCheck(SessionStatus.OK, principal=principal, **base)


def _agent_check(db: Session, record: UserSession) -> SessionCheck:
    base = dict(session_id=record.id, email=record.email, kind="agent")
    agent = db.get(Agent, record.agent_id) if record.agent_id else None
    if not is_active_agent(agent) or normalize_email(agent.email) != record.email:
        return SessionCheck(SessionStatus.ACCESS, **base)
    if record.second_factor_at is None:
        return SessionCheck(SessionStatus.SECOND_FACTOR, **base)
    if record.read_only and record.account_id is not None:
        if db.get(Account, record.account_id) is None:
            return SessionCheck(SessionStatus.ACCESS, **base)
        principal = Principal.agent_viewing(agent.id, record.account_id, session_id=record.id)
    else:
        principal = Principal.agency(agent.id, session_id=record.id)
    return SessionCheck(SessionStatus.OK, principal=principal, **base)


def check_session(
    db: Session, token: str | None, *, now: datetime | None = None, touch: bool = True
) -> SessionCheck:
    """Everything the server knows about a token, re-checked now. A live session's idle clock
    restarts (``touch``) unless it was touched within the last minute."""
    token_hash = hash_session_token(token) if token and len(token) <= MAX_TOKEN_LENGTH else None
    return check_session_hash(db, token_hash, now=now, touch=touch)


def check_session_hash(
    db: Session, token_hash: str | None, *, now: datetime | None = None, touch: bool = True
) -> SessionCheck:
    """:func:`check_session` for a token's keyed hash (a tab's connection carries only that)."""
    now = now or utcnow()
    record = find_session_by_hash(db, token_hash)
    if record is None:
        return SessionCheck(SessionStatus.LOGIN)
    reason = _expiry_reason(record, now)
    if reason is not None:
        return SessionCheck(reason, session_id=record.id, email=record.email, kind=record.kind)
    if record.kind == "customer":
        result = _customer_check(db, record)
    elif record.kind == "agent":
        result = _agent_check(db, record)
    else:
        return SessionCheck(SessionStatus.ACCESS, session_id=record.id)
    if touch and result.status in (
        SessionStatus.OK,
        SessionStatus.CHOOSE_ACCOUNT,
        SessionStatus.SECOND_FACTOR,
    ):
        if now - as_utc(record.last_seen_at) >= TOUCH_INTERVAL:
            record.last_seen_at = now
            db.add(record)
            db.flush()
    return result


def principal_from_token(
    db: Session, token: str | None, *, now: datetime | None = None
) -> Principal | None:
    """The principal a session token stands for right now, or None (the caller sends the
    browser to the login page; :func:`check_session` says why)."""
    return check_session(db, token, now=now).principal
