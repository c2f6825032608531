"""One-time codes bound to a login attempt, with their limits. Subject-neutral: the customer
flow (services/auth/login.py) and the agents' sign-in both build on it.

An attempt starts when someone types an email. The browser keeps the attempt id; the
database keeps its keyed hash (``login_challenge.attempt_hash``) and the keyed hash of the
current code, mixed with the attempt hash so a code only ever works for the attempt that
asked for it. Counters live in ``rate_event`` (shared by every worker), are counted
atomically (services/auth/rate_limits.py) and are never reset: a resend voids the old code but not
what the old code counted.

Whose counters: a request from a browser that completed a login of this identity before (its
remembered-browser cookie, services/auth/remembered.py) draws on that browser's own send and
failure allowance; every other request shares the identity's, destination's and client IP's.
So a flood of anonymous requests against an email cannot lock its owner out of their own
browser. Texts are capped per destination for everyone, remembered or not (their cost).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, or_
from sqlmodel import Session, select

from clientcenter.models import LoginChallenge
from clientcenter.models.base import utcnow
from clientcenter.services.auth import rate_limits
from clientcenter.services.auth.sessions import as_utc
from clientcenter.services.auth.tokens import keyed_hash, new_token, same_hash
from clientcenter.services.errors import InvalidInput, ServiceError
from clientcenter.settings import get_settings

CODE_DIGITS = 6
# An attempt that has not finished in this long must start again from the email.
ATTEMPT_LIFETIME = timedelta(minutes=30)
# Ended attempts are deleted this long after they ended (services/auth/housekeeping.py).
KEEP_ENDED = timedelta(days=1)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.]")

# rate_event scopes
LOOKUP_IP = "lookup:ip"
SEND_IDENTITY = "send:identity"
SEND_DESTINATION = "send:destination"
SEND_IP = "send:ip"
FAIL_IDENTITY = "fail:identity"
FAIL_DESTINATION = "fail:destination"
FAIL_IP = "fail:ip"
SEND_REMEMBERED = "send:remembered"  # keyed by a remembered browser's allowance
FAIL_REMEMBERED = "fail:remembered"
SMS_DESTINATION = "sms:destination"  # every text, whoever asked: the cost cap


def _call_us() -> str:
    return f"call us at {get_settings().branding.phone}"


class LoginRefused(ServiceError):
    """A login step refused; nothing about the attempt changed unless the message says so."""


class AttemptEnded(LoginRefused):
    def __init__(self):
        super().__init__("This login attempt has ended. Enter your email to start again.")


class TooManyLookups(LoginRefused):
    def __init__(self):
        super().__init__(
            "There have been too many login attempts from your network. Please "
            f"wait a while and try again, or {_call_us()}."
        )


class TooManySends(LoginRefused):
    def __init__(self):
        super().__init__(
            "We have sent as many codes as we can for now. Please wait an hour "
            f"before asking for another, or {_call_us()}."
        )


class ResendTooSoon(LoginRefused):
    def __init__(self, seconds: int):
        self.seconds = seconds
        super().__init__(f"Please wait {seconds} seconds before asking for a new code.")


class TooManyFailures(LoginRefused):
    def __init__(self):
        super().__init__(
            "Too many wrong codes. For your security, please wait an hour before "
            f"trying again, or {_call_us()}."
        )


class CodeOutcome(StrEnum):
    OK = "ok"  # accepted, and used up
    WRONG = "wrong"
    VOIDED = "voided"  # this wrong try was the last one the code allowed
    EXPIRED = "expired"
    NO_CODE = "no_code"  # none to compare with (never sent, or voided earlier)


@dataclass(frozen=True)
class CodeCheck:
    outcome: CodeOutcome
    tries_left: int = 0


def code_minutes() -> int:
    """A code's lifetime in whole minutes, as the messages and login pages say it."""
    return max(1, get_settings().security.code_ttl_seconds // 60)


def hash_attempt(attempt_id: str) -> str:
    return keyed_hash("login-attempt", attempt_id)


def hash_destination(address: str) -> str:
    return keyed_hash("login-destination", address.strip().lower())


def _hash_code(challenge: LoginChallenge, code: str) -> str:
    return keyed_hash("login-code", f"{challenge.attempt_hash}:{code}")


def new_code() -> str:
    """Six digits from the OS CSPRNG, leading zeros kept."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalize_code(raw: str) -> str:
    """What was typed or pasted ("123 456", "123-456") as six digits, or a clear refusal."""
    code = _SEPARATORS.sub("", raw or "")
    if not (len(code) == CODE_DIGITS and code.isascii() and code.isdigit()):
        raise InvalidInput(f"Enter the {CODE_DIGITS}-digit code from your message.", field="code")
    return code


def check_lookup_limit(db: Session, client_ip: str, *, now: datetime | None = None) -> None:
    """Each email typed is one look-up for its client IP; too many and we stop answering."""
    limit = get_settings().security.lookups_per_ip_per_hour
    if not rate_limits.take(db, [rate_limits.Limit(LOOKUP_IP, client_ip, limit)], now=now):
        raise TooManyLookups()


def open_challenge(
    db: Session,
    *,
    subject_kind: str,
    email: str,
    contact_id: int | None = None,
    agent_id: int | None = None,
    client_ip: str = "",
    now: datetime | None = None,
    attempt_id: str | None = None,
) -> tuple[LoginChallenge, str]:
    """A new attempt and its id for the browser (the only time the id exists in clear). A
    caller may bring its own id (≥ 128 bits, e.g. derived from the browser's key)."""
    if attempt_id is not None and not 32 <= len(attempt_id) <= 128:
        raise ValueError("an attempt id needs at least 128 bits")
    attempt_id = attempt_id or new_token()
    challenge = LoginChallenge(
        attempt_hash=hash_attempt(attempt_id),
        subject_kind=subject_kind,
        email=email,
        contact_id=contact_id,
        agent_id=agent_id,
        client_ip=client_ip[:64],
        created_at=now or utcnow(),
    )
    db.add(challenge)
    db.flush()
    return challenge, attempt_id


def find_challenge(
    db: Session, attempt_id: str | None, *, subject_kind: str, now: datetime | None = None
) -> LoginChallenge:
    """The open attempt behind an attempt id; AttemptEnded if it is unknown, over or old."""
    now = now or utcnow()
    if not attempt_id or len(attempt_id) > 128:
        raise AttemptEnded()
    challenge = db.exec(
        select(LoginChallenge).where(LoginChallenge.attempt_hash == hash_attempt(attempt_id))
    ).first()
    if (
        challenge is None
        or challenge.subject_kind != subject_kind
        or challenge.voided_at is not None
        or now - as_utc(challenge.created_at) > ATTEMPT_LIFETIME
    ):
        raise AttemptEnded()
    return challenge


def seconds_until_resend(challenge: LoginChallenge, *, now: datetime | None = None) -> int:
    if challenge.code_issued_at is None:
        return 0
    cooldown = timedelta(seconds=get_settings().security.resend_cooldown_seconds)
    left = as_utc(challenge.code_issued_at) + cooldown - (now or utcnow())
    return max(0, int(left.total_seconds() + 0.999))


def _counters(
    allowance: str | None,
    challenge: LoginChallenge,
    destination: str,
    client_ip: str,
    *,
    scopes: tuple[str, str, str, str],
    per_identity: int,
    per_destination: int,
    per_ip: int,
) -> list[rate_limits.Limit]:
    """Whose counters a request counts on: a remembered browser's own allowance, or else the
    identity's, the destination's and the client IP's, which every other request shares.
    ``scopes``: the remembered, identity, destination and client IP scopes, in that order."""
    remembered, identity, per_address, ip = scopes
    if allowance:
        return [rate_limits.Limit(remembered, allowance, per_identity)]
    return [
        rate_limits.Limit(identity, challenge.email, per_identity),
        rate_limits.Limit(per_address, destination, per_destination),
        rate_limits.Limit(ip, client_ip, per_ip),
    ]


def issue_code(
    db: Session,
    challenge: LoginChallenge,
    *,
    channel: str,
    destination: str,
    client_ip: str,
    now: datetime | None = None,
    allowance: str | None = None,
) -> str:
    """A fresh code for the attempt; the previous one stops working. Returns the code for
    the message (it is never stored). Refuses inside the resend cooldown and when any send
    counter is full: the identity's, destination's and client IP's, or with ``allowance``
    (a remembered browser of this identity) that browser's own; for a text, also the
    destination's cap on texts, which counts everyone's."""
    now = now or utcnow()
    security = get_settings().security
    wait = seconds_until_resend(challenge, now=now)
    if wait:
        raise ResendTooSoon(wait)
    limits = _counters(
        allowance,
        challenge,
        destination,
        client_ip,
        scopes=(SEND_REMEMBERED, SEND_IDENTITY, SEND_DESTINATION, SEND_IP),
        per_identity=security.sends_per_contact_per_hour,
        per_destination=security.sends_per_destination_per_hour,
        per_ip=security.sends_per_ip_per_hour,
    )
    if channel == "sms":
        hour, day = security.sms_per_destination_per_hour, security.sms_per_destination_per_day
        limits += [
            rate_limits.Limit(SMS_DESTINATION, destination, hour),
            rate_limits.Limit(SMS_DESTINATION, destination, day, rate_limits.DAY),
        ]
    if not rate_limits.take(db, limits, now=now):
        raise TooManySends()
    code = new_code()
    challenge.channel = channel
    challenge.destination_hash = hash_destination(destination)
    challenge.code_hash = _hash_code(challenge, code)
    challenge.code_issued_at = now
    challenge.code_expires_at = now + timedelta(seconds=security.code_ttl_seconds)
    challenge.failed_attempts = 0
    db.add(challenge)
    db.flush()
    return code


def check_code(
    db: Session,
    challenge: LoginChallenge,
    code: str,
    *,
    destination: str,
    client_ip: str,
    now: datetime | None = None,
    allowance: str | None = None,
) -> CodeCheck:
    """Compare a normalised code with the attempt's current one. A match is used up at once;
    a miss counts against the code (void at the 5th) and against the identity, destination
    and client IP — or, with ``allowance``, against that remembered browser only
    (TooManyFailures once any is full, checked before comparing, the counters held until the
    step ends so parallel guesses are counted one after the other)."""
    now = now or utcnow()
    security = get_settings().security
    limits = _counters(
        allowance,
        challenge,
        destination,
        client_ip,
        scopes=(FAIL_REMEMBERED, FAIL_IDENTITY, FAIL_DESTINATION, FAIL_IP),
        per_identity=security.failures_per_contact_per_hour,
        per_destination=security.failures_per_contact_per_hour,
        per_ip=security.failures_per_ip_per_hour,
    )
    if rate_limits.hold(db, limits, now=now):
        raise TooManyFailures()
    candidate = _hash_code(challenge, code)
    if challenge.code_hash is None:
        voided = challenge.failed_attempts >= security.code_max_failures
        return CodeCheck(CodeOutcome.VOIDED if voided else CodeOutcome.NO_CODE)
    if challenge.code_expires_at is None or now >= as_utc(challenge.code_expires_at):
        return CodeCheck(CodeOutcome.EXPIRED)
    if same_hash(candidate, challenge.code_hash):
        challenge.code_hash = None  # single use
        challenge.verified_at = now
        db.add(challenge)
        db.flush()
        return CodeCheck(CodeOutcome.OK)
    challenge.failed_attempts += 1
    rate_limits.record(db, limits, now=now)
    left = security.code_max_failures - challenge.failed_attempts
    if left <= 0:
        challenge.code_hash = None
    db.add(challenge)
    db.flush()
    outcome = CodeOutcome.VOIDED if left <= 0 else CodeOutcome.WRONG
    return CodeCheck(outcome, tries_left=max(0, left))


def consume(
    db: Session, challenge_id: int, *, now: datetime | None = None
) -> LoginChallenge | None:
    """Close a verified attempt exactly once (the login grant's single use). None if it was
    not verified, already closed, or verified too long ago."""
    from sqlalchemy import update

    now = now or utcnow()
    fresh_since = now - timedelta(seconds=get_settings().security.code_ttl_seconds)
    result = db.execute(
        update(LoginChallenge)
        .where(
            LoginChallenge.id == challenge_id,
            LoginChallenge.voided_at.is_(None),
            LoginChallenge.verified_at.is_not(None),
            LoginChallenge.verified_at > fresh_since,
        )
        .values(voided_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    challenge = db.get(LoginChallenge, challenge_id)
    db.refresh(challenge)
    return challenge


def prune(db: Session, *, now: datetime | None = None) -> int:
    """Delete attempts that ended more than KEEP_ENDED ago, with their code hashes.

    An attempt ends ATTEMPT_LIFETIME after it began: every step finds it through
    find_challenge, which refuses it from then on, and the single-use login grant or contact
    change ticket made from a verified attempt lives minutes. No table references
    login_challenge. The code's own expiry is checked too, so an attempt whose last code was
    issued late is kept a full day after that code expired."""
    now = now or utcnow()
    ended_before = now - KEEP_ENDED
    result = db.execute(
        delete(LoginChallenge)
        .where(
            LoginChallenge.created_at < ended_before - ATTEMPT_LIFETIME,
            or_(
                LoginChallenge.code_expires_at.is_(None),
                LoginChallenge.code_expires_at < ended_before,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
