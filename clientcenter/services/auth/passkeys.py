"""Passkeys (WebAuthn, docs/login.md "Passkeys"): a discoverable credential a contact's
device makes after a code login, which later logs them in without an email, or confirms a
risky action (services/auth/step_up.py).

Every ceremony begins with a challenge the server keeps (``WebAuthnChallenge``): single use,
two minutes, bound to what asked for it — the session (register, step-up) or the login
attempt (login, whose id comes from the tab's nonce and its browser's key, like a code
login's). The origin and RP id come from ``public_url``; the ``webauthn`` library checks
them, the signature and the sign counter. A passkey belongs to one contact: its user handle
is theirs, and a login with it can open only what the code login that registered it could.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_client_data_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from clientcenter.models import Contact, LoginChallenge, Passkey, UserSession, WebAuthnChallenge
from clientcenter.models.base import utcnow
from clientcenter.services.access import contact_may_log_in
from clientcenter.services.auth import login_codes
from clientcenter.services.auth.devices import device_label
from clientcenter.services.auth.sessions import as_utc
from clientcenter.services.auth.tokens import keyed_hash
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.security")

CHALLENGE_TTL = timedelta(minutes=2)
MAX_RESPONSE_CHARS = 20_000
PASSKEY_CHANNEL = "passkey"  # LoginChallenge.channel of an attempt a passkey verified
PASSKEY_REF = "pk:"  # its destination_hash: "pk:<passkey id>"
REGISTER, LOGIN, STEP_UP = "register", "login", "step_up"

REFUSED = "That passkey didn't work here. Try again, or log in with a code instead."
UNKNOWN = (
    "We don't know that passkey any more (it was removed, or made for another site). "
    "Log in with a code, then add it again."
)
EXPIRED = "That took too long, or the request was already used. Try again."


class PasskeyRefused(NotAllowed):
    """A ceremony failed: bad origin, RP id, signature, counter or challenge."""


def rp_id() -> str:
    return get_settings().public_url.host or "localhost"


def expected_origin() -> str:
    url = get_settings().public_url
    default = {"https": 443, "http": 80}.get(url.scheme)
    port = f":{url.port}" if url.port and url.port != default else ""
    return f"{url.scheme}://{url.host}{port}"


def _user_handle(contact_id: int) -> bytes:
    """The opaque WebAuthn user id of a contact: no email, no database id in clear."""
    return bytes.fromhex(keyed_hash("passkey-user", str(contact_id)))[:32]


def issue_challenge(
    db: Session,
    purpose: str,
    challenge: bytes,
    now: datetime,
    *,
    session_id: int | None = None,
    attempt_hash: str | None = None,
) -> None:
    db.add(
        WebAuthnChallenge(
            challenge=bytes_to_base64url(challenge),
            purpose=purpose,
            session_id=session_id,
            attempt_hash=attempt_hash,
            created_at=now,
            expires_at=now + CHALLENGE_TTL,
        )
    )
    db.flush()


def parse_answer(response: object) -> dict:
    if isinstance(response, dict):
        data = response
    else:
        text = str(response or "")
        if not text or len(text) > MAX_RESPONSE_CHARS:
            raise InvalidInput("Your browser sent no passkey answer. Try again.", field="passkey")
        try:
            data = json.loads(text)
        except ValueError:
            raise InvalidInput(
                "Your browser's passkey answer was unreadable.", "passkey"
            ) from None
    if not isinstance(data, dict):
        raise InvalidInput("Your browser's passkey answer was unreadable.", field="passkey")
    if data.get("error"):
        # The browser's own refusal (the person cancelled, no passkey on this device).
        raise InvalidInput(
            "No passkey was used. You can try again, or log in with a code.", field="passkey"
        )
    return data


def take_challenge(
    db: Session,
    data: dict,
    purpose: str,
    now: datetime,
    *,
    session_id: int | None = None,
    attempt_hash: str | None = None,
) -> bytes:
    """The challenge named in the answer's clientDataJSON, used up now: it must be one we
    issued for this purpose and this session or attempt, unused and unexpired."""
    try:
        client_data = parse_client_data_json(
            base64url_to_bytes(data["response"]["clientDataJSON"])
        )
        named = bytes_to_base64url(client_data.challenge)
    except (KeyError, TypeError, ValueError, WebAuthnException):
        raise PasskeyRefused(REFUSED) from None
    conditions = [
        WebAuthnChallenge.challenge == named,
        WebAuthnChallenge.purpose == purpose,
        WebAuthnChallenge.used_at.is_(None),
        WebAuthnChallenge.expires_at > now,
    ]
    if session_id is not None:
        conditions.append(WebAuthnChallenge.session_id == session_id)
    if attempt_hash is not None:
        conditions.append(WebAuthnChallenge.attempt_hash == attempt_hash)
    if session_id is None and attempt_hash is None:
        raise PasskeyRefused(EXPIRED)
    used = db.execute(
        update(WebAuthnChallenge)
        .where(*conditions)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        log.warning("passkey %s refused: unknown, used or expired challenge", purpose)
        raise PasskeyRefused(EXPIRED)
    return client_data.challenge


def _customer_session(db: Session, principal: Principal) -> tuple[UserSession, Contact]:
    if not principal.is_customer or principal.session_id is None:
        raise NotAllowed("Only a customer adds or uses passkeys here.")
    from clientcenter.services.access import acting_contact

    record = db.get(UserSession, principal.session_id)
    contact = acting_contact(db, principal)  # still on the account in view
    if record is None or record.read_only:
        raise NotAllowed("Only a customer adds or uses passkeys here.")
    return record, contact


def descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(passkey.credential_id))


def contact_passkeys(db: Session, contact_id: int) -> list[Passkey]:
    return list(
        db.exec(select(Passkey).where(Passkey.contact_id == contact_id).order_by(Passkey.id))
    )


# -- register (Profile, or the offer after a code login) -------------------------------------


def registration_options(db: Session, principal: Principal, *, now: datetime | None = None) -> str:
    """The options for navigator.credentials.create, as JSON: a discoverable key (resident
    key required), user verification preferred; this contact's keys excluded."""
    now = now or utcnow()
    record, contact = _customer_session(db, principal)
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=get_settings().branding.agency_name[:64] or "Client Center",
        user_id=_user_handle(contact.id),
        user_name=contact.email or contact.full_name,
        user_display_name=contact.full_name or contact.email or "",
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[descriptor(p) for p in contact_passkeys(db, contact.id)],
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
    """Keep the new passkey for this contact, with what this session's login proved."""
    now = now or utcnow()
    record, contact = _customer_session(db, principal)
    passkey = verified_new_passkey(
        db,
        response,
        purpose=REGISTER,
        session_id=record.id,
        user_handle=_user_handle(contact.id),
        user_agent=user_agent,
        now=now,
    )
    passkey.contact_id = contact.id
    passkey.proof, passkey.proof_mobile_hash = record.proof, record.proof_mobile_hash
    db.add(passkey)
    db.flush()
    record_action(
        db, principal, "customer.passkey_added", summary=f"Added a passkey ({passkey.label})."
    )
    return passkey


def verified_new_passkey(
    db: Session,
    response: object,
    *,
    purpose: str,
    session_id: int,
    user_handle: bytes,
    user_agent: str,
    now: datetime,
) -> Passkey:
    """The passkey a registration answer makes, verified against this session's challenge of
    ``purpose`` (customers' and agents' registrations are apart), and
    saved under nobody yet (a credential is on one login only); not added: the caller names
    its owner (customers' and agents' alike)."""
    data = parse_answer(response)
    challenge = take_challenge(db, data, purpose, now, session_id=session_id)
    try:
        verified = verify_registration_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
        )
    except WebAuthnException as exc:
        log.warning("passkey registration refused (session %s): %s", session_id, exc)
        raise PasskeyRefused(REFUSED) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.exec(select(Passkey).where(Passkey.credential_id == credential_id)).first():
        raise InvalidInput("That passkey is already saved.", field="passkey")
    return Passkey(
        credential_id=credential_id,
        user_handle=bytes_to_base64url(user_handle),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        label=device_label(user_agent),
        created_at=now,
    )


# -- assertions (login and step-up) ----------------------------------------------------------


def verify_assertion(db: Session, data: dict, challenge: bytes, now: datetime) -> Passkey:
    """The stored passkey this answer proves, its counter moved on; refused otherwise."""
    credential_id = data.get("id") if isinstance(data.get("id"), str) else ""
    passkey = (
        db.exec(select(Passkey).where(Passkey.credential_id == credential_id)).first()
        if credential_id
        else None
    )
    if passkey is None:
        log.warning("passkey assertion refused: unknown credential")
        raise PasskeyRefused(UNKNOWN)
    handle = (data.get("response") or {}).get("userHandle")
    if handle and handle != passkey.user_handle:
        # The authenticator says this key is someone else's: never let it stand for this one.
        log.warning("passkey assertion refused: user handle of another contact")
        raise PasskeyRefused(REFUSED)
    try:
        verified = verify_authentication_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
            credential_public_key=base64url_to_bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except WebAuthnException as exc:
        log.warning("passkey assertion refused: %s", exc)
        raise PasskeyRefused(REFUSED) from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    db.add(passkey)
    db.flush()
    return passkey


def login_options(db: Session, *, attempt_id: str, now: datetime | None = None) -> str:
    """Options for navigator.credentials.get with no email: any discoverable passkey of this
    site may answer; the challenge is bound to this tab's attempt."""
    now = now or utcnow()
    if not attempt_id or len(attempt_id) > 128:
        raise PasskeyRefused(EXPIRED)
    options = generate_authentication_options(
        rp_id=rp_id(), user_verification=UserVerificationRequirement.PREFERRED
    )
    issue_challenge(
        db, LOGIN, options.challenge, now, attempt_hash=login_codes.hash_attempt(attempt_id)
    )
    return options_to_json(options)


def finish_login(
    db: Session,
    *,
    attempt_id: str,
    response: object,
    client_ip: str = "",
    now: datetime | None = None,
) -> LoginChallenge:
    """A verified login attempt for the passkey's contact (``channel="passkey"``), which the
    code login's account choice and grant then carry on (services/auth/login.py)."""
    now = now or utcnow()
    data = parse_answer(response)
    attempt_hash = login_codes.hash_attempt(attempt_id or "")
    challenge = take_challenge(db, data, LOGIN, now, attempt_hash=attempt_hash)
    passkey = verify_assertion(db, data, challenge, now)
    if passkey.agent_id is not None:
        # An agent's key (services/auth/agent_passkeys.py) confirms an agent's sign-in only.
        log.warning("passkey login refused: an agent's passkey on the customers' login")
        raise PasskeyRefused(UNKNOWN)
    contact = db.get(Contact, passkey.contact_id) if passkey.contact_id else None
    if contact is None or not contact_may_log_in(contact, contact.account_id):
        raise NotAllowed(
            "This passkey's login is switched off. Please call us at "
            f"{get_settings().branding.phone}."
        )
    if db.exec(select(LoginChallenge).where(LoginChallenge.attempt_hash == attempt_hash)).first():
        raise PasskeyRefused(EXPIRED)
    verified, _ = login_codes.open_challenge(
        db,
        subject_kind="customer",
        email=(contact.email or "").lower(),
        contact_id=contact.id,
        client_ip=client_ip,
        now=now,
        attempt_id=attempt_id,
    )
    verified.channel = PASSKEY_CHANNEL
    verified.destination_hash = f"{PASSKEY_REF}{passkey.id}"
    verified.verified_at = now
    db.add(verified)
    db.flush()
    return verified


def passkey_of(db: Session, challenge: LoginChallenge) -> Passkey | None:
    """The passkey behind an attempt a passkey verified (None if it was removed since)."""
    ref = challenge.destination_hash or ""
    if challenge.channel != PASSKEY_CHANNEL or not ref.startswith(PASSKEY_REF):
        return None
    try:
        return db.get(Passkey, int(ref[len(PASSKEY_REF) :]))
    except ValueError:
        return None


def step_up_options(db: Session, principal: Principal, *, now: datetime | None = None) -> str:
    """Options for a step-up: only this contact's own passkeys may answer."""
    now = now or utcnow()
    record, contact = _customer_session(db, principal)
    keys = contact_passkeys(db, contact.id)
    if not keys:
        raise NotAllowed("You have no passkey yet. Confirm with a code instead.")
    options = generate_authentication_options(
        rp_id=rp_id(),
        allow_credentials=[descriptor(p) for p in keys],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    issue_challenge(db, STEP_UP, options.challenge, now, session_id=record.id)
    return options_to_json(options)


def finish_step_up(
    db: Session, principal: Principal, response: object, *, now: datetime | None = None
) -> Passkey:
    """A passkey of this very contact answered this session's challenge."""
    now = now or utcnow()
    record, contact = _customer_session(db, principal)
    data = parse_answer(response)
    challenge = take_challenge(db, data, STEP_UP, now, session_id=record.id)
    passkey = verify_assertion(db, data, challenge, now)
    if passkey.contact_id != contact.id:
        log.warning("passkey step-up refused: a passkey of another contact")
        raise PasskeyRefused(REFUSED)
    return passkey


# -- list and remove -------------------------------------------------------------------------


def _end_sessions_of(db: Session, passkey_ids: list[int], keep: int | None, now: datetime) -> None:
    """Sessions a removed passkey logged in end with it (a lost phone's session too)."""
    if not passkey_ids:
        return
    query = select(UserSession).where(
        UserSession.passkey_id.in_(passkey_ids), UserSession.revoked_at.is_(None)
    )
    for record in db.exec(query):
        if record.id != keep:
            record.revoked_at = now
            db.add(record)
    db.flush()


def remove(
    db: Session, principal: Principal, passkey_id: int, *, now: datetime | None = None
) -> Passkey:
    """Profile → Passkeys → Remove: the row goes, so the key stops at once."""
    now = now or utcnow()
    _, contact = _customer_session(db, principal)
    passkey = db.get(Passkey, passkey_id)
    if passkey is None or passkey.contact_id != contact.id:
        raise NotFound("That passkey isn't on your login any more.")
    _end_sessions_of(db, [passkey.id], principal.session_id, now)
    db.delete(passkey)
    db.flush()
    record_action(
        db, principal, "customer.passkey_removed", summary=f"Removed a passkey ({passkey.label})."
    )
    return passkey


def clear_for_contact(
    db: Session,
    principal: Principal,
    contact_id: object,
    *,
    account_id: object = None,
    now: datetime | None = None,
) -> int:
    """The agency clears every passkey of a contact (a lost phone, a locked-out customer)."""
    from clientcenter.services.access import require_permission
    from clientcenter.services.agency.roles import Permission

    now = now or utcnow()
    require_permission(db, principal, Permission.CLEAR_PASSKEYS)
    contact = db.get(Contact, contact_id) if isinstance(contact_id, int) else None
    if contact is None or (account_id is not None and contact.account_id != account_id):
        raise NotFound("That contact isn't on this account.")
    ids = [p.id for p in contact_passkeys(db, contact.id)]
    _end_sessions_of(db, ids, None, now)
    db.execute(
        delete(Passkey)
        .where(Passkey.contact_id == contact.id)
        .execution_options(synchronize_session=False)
    )
    record_action(
        db,
        principal,
        "agency.clear_passkeys",
        summary=f"Cleared {len(ids)} passkey(s) of {contact.full_name}.",
        account_id=contact.account_id,
    )
    return len(ids)


def is_live(moment: datetime | None, now: datetime, window: timedelta) -> bool:
    return moment is not None and now - as_utc(moment) <= window
