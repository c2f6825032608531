"""Agents' passkeys (docs/login.md "Agents' passkeys"): an agent may confirm sign-in with a
passkey instead of a code from the authenticator app; recovery codes still work.

An agent adds one while signed in (More → Your second factor), so only someone who already
passed both factors can. At sign-in, after the emailed code, the passkey answers a challenge
bound to that very attempt, and only a passkey of the attempt's agent counts. The WebAuthn
checks (origin, RP id, signature, counter, single-use challenge) are the customers'
(services/auth/passkeys.py). An agent's key is not discoverable, carries no contact and is
refused by the customers' passkey login.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from clientcenter.models import Agent, Passkey, UserSession
from clientcenter.models.base import utcnow
from clientcenter.services.access import require_agency_agent
from clientcenter.services.auth import login_codes
from clientcenter.services.auth.passkeys import (
    REFUSED,
    PasskeyRefused,
    descriptor,
    issue_challenge,
    parse_answer,
    rp_id,
    take_challenge,
    verified_new_passkey,
    verify_assertion,
)
from clientcenter.services.auth.tokens import keyed_hash
from clientcenter.services.errors import NotAllowed, NotFound
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.security")

# WebAuthnChallenge.purpose of an agent's ceremonies (never a customer's).
REGISTER, SIGN_IN = "agent_register", "agent_sign_in"


def _user_handle(agent_id: int) -> bytes:
    """An agent's opaque WebAuthn user id: keyed apart from every contact's."""
    return bytes.fromhex(keyed_hash("passkey-agent", str(agent_id)))[:32]


def agent_passkeys(db: Session, agent_id: int) -> list[Passkey]:
    return list(db.exec(select(Passkey).where(Passkey.agent_id == agent_id).order_by(Passkey.id)))


def has_passkey(db: Session, agent: Agent | None) -> bool:
    return agent is not None and bool(agent_passkeys(db, agent.id))


def _signed_in(db: Session, principal: Principal) -> tuple[UserSession, Agent]:
    """The agent on the agency side, in a session that passed its second factor."""
    agent = require_agency_agent(db, principal)
    record = db.get(UserSession, principal.session_id) if principal.session_id else None
    if record is None or record.kind != "agent" or record.second_factor_at is None:
        raise NotAllowed("Sign in with your second factor first.")
    return record, agent


# -- add, list, remove (More → Your second factor) -------------------------------------------


def registration_options(db: Session, principal: Principal, *, now: datetime | None = None) -> str:
    now = now or utcnow()
    record, agent = _signed_in(db, principal)
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=get_settings().branding.agency_name[:64] or "Client Center",
        user_id=_user_handle(agent.id),
        user_name=agent.email,
        user_display_name=f"{agent.full_name} (agent)",
        # Not discoverable: the customers' "Log in with a passkey" never offers it.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[descriptor(p) for p in agent_passkeys(db, agent.id)],
    )
    issue_challenge(db, REGISTER, options.challenge, now, session_id=record.id)
    return options_to_json(options)


def finish_registration(
    db: Session,
    principal: Principal,
    response: object,
    *,
    user_agent: str = "",
    now: datetime | None = None,
) -> Passkey:
    now = now or utcnow()
    record, agent = _signed_in(db, principal)
    passkey = verified_new_passkey(
        db,
        response,
        purpose=REGISTER,
        session_id=record.id,
        user_handle=_user_handle(agent.id),
        user_agent=user_agent,
        now=now,
    )
    passkey.agent_id = agent.id
    db.add(passkey)
    db.flush()
    log.info("agent %s added passkey %s", agent.id, passkey.id)
    return passkey


def remove(db: Session, principal: Principal, passkey_id: int) -> Passkey:
    """The key stops at once (the row goes); the authenticator app and the recovery codes
    stay."""
    _, agent = _signed_in(db, principal)
    passkey = db.get(Passkey, passkey_id) if isinstance(passkey_id, int) else None
    if passkey is None or passkey.agent_id != agent.id:
        raise NotFound("That passkey isn't on your sign-in any more.")
    db.delete(passkey)
    db.flush()
    log.info("agent %s removed passkey %s", agent.id, passkey_id)
    return passkey


# -- sign-in: the second factor --------------------------------------------------------------


def sign_in_options(
    db: Session, agent: Agent, *, attempt_id: str, now: datetime | None = None
) -> str:
    """Options for the second factor of this attempt (whose emailed code was verified):
    only this agent's passkeys may answer, and the challenge is bound to the attempt."""
    now = now or utcnow()
    keys = agent_passkeys(db, agent.id)
    if not keys:
        raise NotAllowed("You have no passkey yet. Use your authenticator app.")
    options = generate_authentication_options(
        rp_id=rp_id(),
        allow_credentials=[descriptor(p) for p in keys],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    issue_challenge(
        db, SIGN_IN, options.challenge, now, attempt_hash=login_codes.hash_attempt(attempt_id)
    )
    return options_to_json(options)


def verify_sign_in(
    db: Session, agent: Agent, *, attempt_id: str, response: object, now: datetime | None = None
) -> Passkey:
    """A passkey of this very agent answered this attempt's challenge."""
    now = now or utcnow()
    data = parse_answer(response)
    challenge = take_challenge(
        db, data, SIGN_IN, now, attempt_hash=login_codes.hash_attempt(attempt_id)
    )
    passkey = verify_assertion(db, data, challenge, now)
    if passkey.agent_id != agent.id:
        log.warning("agent %s sign-in refused: a passkey of someone else", agent.id)
        raise PasskeyRefused(REFUSED)
    return passkey
