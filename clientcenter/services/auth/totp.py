"""Agents' second factor: a TOTP authenticator app (RFC 6238, pyotp), plus recovery codes.

- The shared secret is sealed (AES-GCM) under a key derived from the app key before it is
  stored, bound to the agent's id: a database copy alone gives no usable secret.
- Enrolment: a new secret is shown once as a QR code (and as text); it counts only after the
  agent proves it with a code from the app. Then ten recovery codes are shown once; only their
  keyed hashes are kept and each works once.
- Verification accepts the current 30-second step and one on either side (clock skew), and
  only a step later than the last one accepted (RFC 6238 §5.2): a code seen over a shoulder is
  dead, and so is an older one. Acceptance is one conditional UPDATE of ``agent.totp_last_step``,
  so two requests racing with the same code cannot both pass. Repeated misses lock it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import func, or_, update
from sqlmodel import Session, select

from clientcenter.models import Agent, AgentRecoveryCode, Passkey
from clientcenter.models.base import utcnow
from clientcenter.services.auth import rate_limits
from clientcenter.services.auth.tokens import keyed_hash
from clientcenter.services.errors import InvalidInput, NotAllowed, ServiceError
from clientcenter.settings import get_settings

VALID_WINDOW = 1  # steps of 30 s accepted either side of now
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
FAILURES_PER_HOUR = 5
_SEAL_INFO = b"clientcenter/totp-seal/v1"
_SEAL_PREFIX = "v1."
FAIL_SCOPE = "fail:totp"  # rate_event scope
_USED = "That code was already used. Wait for your app to show the next one."


class SecondFactorRefused(ServiceError):
    """The code was not accepted; the message says what to do."""


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, for typing into an app by hand
    uri: str  # otpauth:// URI, the QR code's content
    qr_svg: str  # data: URI of the QR code as SVG


@dataclass(frozen=True)
class SecondFactorVerified:
    method: str  # totp | recovery
    recovery_codes_left: int


# --- sealing -----------------------------------------------------------------------------


def _seal_key() -> bytes:
    return hmac.new(get_settings().secret(), _SEAL_INFO, hashlib.sha256).digest()


def seal_secret(agent_id: int, secret: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_seal_key()).encrypt(nonce, secret.encode(), f"agent:{agent_id}".encode())
    return _SEAL_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_secret(agent_id: int, sealed: str) -> str:
    if not sealed.startswith(_SEAL_PREFIX):
        raise ValueError("unknown sealing format")
    raw = base64.urlsafe_b64decode(sealed[len(_SEAL_PREFIX) :])
    try:
        return (
            AESGCM(_seal_key()).decrypt(raw[:12], raw[12:], f"agent:{agent_id}".encode()).decode()
        )
    except InvalidTag:
        # Another key (CC_SECRET_KEY changed) or another agent's row: not this agent's secret.
        raise ValueError("the sealed secret does not open with this key") from None


# --- state -------------------------------------------------------------------------------


def is_enrolled(agent: Agent) -> bool:
    return agent.totp_secret_sealed is not None and agent.totp_enrolled_at is not None


def _issuer() -> str:
    return f"{get_settings().branding.short_name} Client Center"


def start_enrolment(session: Session, agent: Agent) -> Enrolment:
    """A fresh secret for an agent who has none yet (or has not confirmed one): stored sealed
    and pending until confirmed. An enrolled agent must be reset by an admin first."""
    if is_enrolled(agent):
        raise NotAllowed(
            "An authenticator app is already set up for this account. Ask an "
            "administrator to reset it if you lost it."
        )
    secret = pyotp.random_base32()
    agent.totp_secret_sealed = seal_secret(agent.id, secret)
    agent.totp_enrolled_at = None
    agent.totp_last_step = None
    session.add(agent)
    session.flush()
    return describe_enrolment(agent)


def describe_enrolment(agent: Agent) -> Enrolment:
    """The pending secret again (a page reload during enrolment shows the same QR code)."""
    if agent.totp_secret_sealed is None or is_enrolled(agent):
        raise NotAllowed("There is no authenticator setup in progress.")
    secret = open_secret(agent.id, agent.totp_secret_sealed)
    uri = pyotp.TOTP(secret).provisioning_uri(name=agent.email, issuer_name=_issuer())
    return Enrolment(
        secret=secret, uri=uri, qr_svg=segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    )


def confirm_enrolment(
    session: Session, agent: Agent, code: str, now: datetime | None = None
) -> list[str]:
    """The first code from the app completes enrolment. Returns the recovery codes, in clear
    for the only time."""
    now = now or utcnow()
    if is_enrolled(agent) or agent.totp_secret_sealed is None:
        raise NotAllowed("There is no authenticator setup in progress.")
    _check_failures(session, agent, now)
    secret = open_secret(agent.id, agent.totp_secret_sealed)
    step = _matching_step(secret, _six_digits(code), now)
    if step is None:
        _count_failure(session, agent, now)
        raise SecondFactorRefused(
            "That code doesn't match. Check that the app shows "
            f"“{_issuer()}” for {agent.email} and type its current code."
        )
    if not _accept_step(session, agent, step):
        _count_failure(session, agent, now)
        raise SecondFactorRefused(_USED)
    agent.totp_enrolled_at = now
    session.add(agent)
    codes = _new_recovery_codes(session, agent, now)
    session.flush()
    return codes


def reset(session: Session, agent: Agent) -> None:
    """Remove the second factor (an administrator's act: lost phone). The next sign-in enrols."""
    agent.totp_secret_sealed = None
    agent.totp_enrolled_at = None
    agent.totp_last_step = None  # steps of the old secret say nothing about the next one
    session.add(agent)
    for code in session.exec(
        select(AgentRecoveryCode).where(AgentRecoveryCode.agent_id == agent.id)
    ):
        session.delete(code)
    # The lost phone may hold the agent's passkey too (services/auth/agent_passkeys.py).
    for passkey in session.exec(select(Passkey).where(Passkey.agent_id == agent.id)):
        session.delete(passkey)
    session.flush()


# --- verification ------------------------------------------------------------------------


def _six_digits(code: str) -> str:
    digits = "".join(ch for ch in (code or "") if not ch.isspace())
    if not (len(digits) == 6 and digits.isascii() and digits.isdigit()):
        raise InvalidInput("Enter the 6-digit code your authenticator app shows.", field="code")
    return digits


def _recovery_form(code: str) -> str | None:
    """A typed recovery code in canonical form ("ABCDE-FGHJK" -> "abcdefghjk"), else None."""
    bare = "".join(ch for ch in (code or "").lower() if ch not in " -")
    if len(bare) == 10 and all(ch in RECOVERY_ALPHABET for ch in bare):
        return bare
    return None


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = current + offset
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify(
    session: Session, agent: Agent, code: str, now: datetime | None = None
) -> SecondFactorVerified:
    """Check a second-factor code: a TOTP code or an unused recovery code."""
    now = now or utcnow()
    if not is_enrolled(agent):
        raise NotAllowed("Set up your authenticator app first.")
    _check_failures(session, agent, now)
    recovery = _recovery_form(code)
    if recovery is not None:
        if _use_recovery_code(session, agent, recovery, now):
            return SecondFactorVerified("recovery", recovery_codes_left(session, agent))
        _count_failure(session, agent, now)
        raise SecondFactorRefused(
            "That recovery code isn't valid or was already used. Each recovery code works once."
        )
    digits = _six_digits(code)
    secret = open_secret(agent.id, agent.totp_secret_sealed)
    step = _matching_step(secret, digits, now)
    if step is None:
        _count_failure(session, agent, now)
        raise SecondFactorRefused(
            "That code isn't right. Codes change every 30 seconds: type "
            "the one your app shows now, or use a recovery code."
        )
    if not _accept_step(session, agent, step):
        _count_failure(session, agent, now)
        raise SecondFactorRefused(_USED)
    return SecondFactorVerified("totp", recovery_codes_left(session, agent))


def recovery_codes_left(session: Session, agent: Agent) -> int:
    return session.exec(
        select(func.count())
        .select_from(AgentRecoveryCode)
        .where(AgentRecoveryCode.agent_id == agent.id, AgentRecoveryCode.used_at.is_(None))
    ).one()


def _hash_recovery(code: str) -> str:
    return keyed_hash("totp-recovery", code)


def _new_recovery_codes(session: Session, agent: Agent, now: datetime) -> list[str]:
    for old in session.exec(
        select(AgentRecoveryCode).where(AgentRecoveryCode.agent_id == agent.id)
    ):
        session.delete(old)
    session.flush()
    codes = []
    for _ in range(RECOVERY_CODES):
        bare = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        session.add(
            AgentRecoveryCode(agent_id=agent.id, code_hash=_hash_recovery(bare), created_at=now)
        )
        codes.append(f"{bare[:5]}-{bare[5:]}")
    return codes


def regenerate_recovery_codes(
    session: Session, agent: Agent, now: datetime | None = None
) -> list[str]:
    """A new set of ten (the old ones stop working), for an enrolled agent."""
    if not is_enrolled(agent):
        raise NotAllowed("Set up your authenticator app first.")
    codes = _new_recovery_codes(session, agent, now or utcnow())
    session.flush()
    return codes


def _use_recovery_code(session: Session, agent: Agent, code: str, now: datetime) -> bool:
    # One conditional UPDATE: two requests racing with the same code cannot both win.
    result = session.execute(
        update(AgentRecoveryCode)
        .where(
            AgentRecoveryCode.agent_id == agent.id,
            AgentRecoveryCode.code_hash == _hash_recovery(code),
            AgentRecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return result.rowcount == 1


# --- counters (rate_event: shared by every worker) ---------------------------------------


def _failures(agent: Agent) -> list[rate_limits.Limit]:
    return [rate_limits.Limit(FAIL_SCOPE, f"agent:{agent.id}", FAILURES_PER_HOUR)]


def _check_failures(session: Session, agent: Agent, now: datetime) -> None:
    # Held until the step ends: parallel wrong codes are counted one after the other.
    if rate_limits.hold(session, _failures(agent), now=now):
        raise SecondFactorRefused(
            "Too many wrong codes. For your security, wait an hour or "
            "ask an administrator to help you sign in."
        )


def _count_failure(session: Session, agent: Agent, now: datetime) -> None:
    rate_limits.record(session, _failures(agent), now=now)


def _accept_step(session: Session, agent: Agent, step: int) -> bool:
    """Record ``step`` as the last accepted one; False if it or a later step was accepted
    before (a replay, or an older code after a newer one). One conditional UPDATE: of two
    requests racing with the same code, PostgreSQL makes the second wait for the first and
    re-check the condition, and SQLite lets only one writer in at a time."""
    result = session.execute(
        update(Agent)
        .where(
            Agent.id == agent.id, or_(Agent.totp_last_step.is_(None), Agent.totp_last_step < step)
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1
