"""The customer login-code flow, step by step (docs/login.md).

1. ``start``: an email is typed. By default (``security.login_channel_choice = "always"``)
   every email is asked how to send the code: whether an email is a customer's, and whether
   a mobile is on file for it, is nonpublic, and a different next screen would tell it. With
   ``"when_mobile"`` only a contact who may log in, on an active account, with that primary
   email *and* a mobile gets the choice; the others get a code by email at once.
2. ``choose_channel``: email or text (the number is never shown). A text with no mobile on
   file, like any code for an unknown email, an inactive account or a contact who may not log
   in, goes nowhere, with the same answer and the same database work (the same statements,
   counted by tests/services/auth/test_login_same_first_step.py) as a real one.
3. ``verify``: the code. The account list is then built here from what the code proved: a
   code to the email opens every account of that email; a code texted to a mobile opens only
   the accounts where that mobile is on file (one person's phone is not every account of a
   shared or reused email).
4. ``grant_for_account``: with several accounts, the customer picks one of that list.
5. ``complete`` (called by the HTTP route): the single-use grant becomes a session, which
   records the proof (``user_session.proof``).
Later, ``switch_grant`` / ``complete_switch`` move a session to another account of the same
list, built again from the session's proof, without a new code, rotating the token.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, select

from clientcenter import routes
from clientcenter.db import get_engine
from clientcenter.models import Account, Contact, LoginChallenge, UserSession
from clientcenter.models.accounts import AccountKind
from clientcenter.models.base import utcnow
from clientcenter.services.accounts import loginable_contacts, normalize_email
from clientcenter.services.auth import login_codes, login_steps, passkeys
from clientcenter.services.auth import remembered as remembered_browsers
from clientcenter.services.auth.login_codes import AttemptEnded
from clientcenter.services.auth.login_steps import CodeProblem, clean_email
from clientcenter.services.auth.sessions import (
    SessionStarted,
    SessionStatus,
    check_session,
    create_session,
    rotate_session,
    session_started,
)
from clientcenter.services.auth.tokens import sign, unsign
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.security")

SUBJECT = "customer"
GRANT_TTL_SECONDS = 60
LOGIN_GRANT = "customer-login"
SWITCH_GRANT = "customer-switch"
KIND_LABELS = {AccountKind.PERSONAL: "Personal", AccountKind.COMMERCIAL: "Commercial"}
CHANNEL_WORDS = {"email": "email", "sms": "text message"}
LOGIN_ACTIONS = {
    "email": "customer.login_email",
    "sms": "customer.login_text",
    passkeys.PASSKEY_CHANNEL: "customer.login_passkey",
}


@dataclass(frozen=True)
class LoginStep:
    """What the login page shows next. Identical for every email that gets no choice."""

    step: str  # choose_channel | enter_code
    channel: str  # email | sms ("" while choosing)
    message: str
    resend_in: int = 0  # seconds until "Send a new code" works


@dataclass(frozen=True)
class AccountChoice:
    account_id: int
    name: str
    kind: str
    kind_label: str


@dataclass(frozen=True)
class CodeVerified:
    accounts: list[AccountChoice]
    grant: str | None  # set when there is exactly one account: no choice to make


@dataclass(frozen=True)
class Proof:
    """What a verified code proved: the email (``channel="email"``) or one mobile number
    (``"sms"``, with the number's keyed hash, ``login_codes.hash_destination``)."""

    channel: str
    mobile_hash: str | None = None

    def admits(self, contact: Contact) -> bool:
        """May this proof open the account this contact (of the verified email) is on?"""
        if self.channel == "email":
            return True
        return bool(
            self.mobile_hash
            and contact.mobile
            and login_codes.hash_destination(contact.mobile) == self.mobile_hash
        )


BY_EMAIL = Proof("email")


def challenge_proof(challenge: LoginChallenge) -> Proof:
    """The proof of a verified attempt: the channel and destination of the code it used (a
    resend by the other channel replaced both, and voided the earlier code)."""
    if challenge.channel == "sms":
        return Proof("sms", challenge.destination_hash or None)
    return BY_EMAIL


def attempt_proof(db: Session, challenge: LoginChallenge) -> Proof:
    """:func:`challenge_proof`, also for an attempt a passkey verified: that passkey opens what
    the code login that registered it proved, and nothing once it was removed."""
    if challenge.channel != passkeys.PASSKEY_CHANNEL:
        return challenge_proof(challenge)
    key = passkeys.passkey_of(db, challenge)
    if key is None:
        raise AttemptEnded()
    return Proof("sms", key.proof_mobile_hash) if key.proof == "sms" else BY_EMAIL


def session_proof(record: UserSession) -> Proof:
    if record.proof == "sms":
        return Proof("sms", record.proof_mobile_hash)
    return BY_EMAIL


@contextmanager
def login_scope() -> Iterator[Session]:
    """The unit of work for a login step. Unlike ``db.session_scope`` it also commits when the
    step refuses (ServiceError): a wrong code must still count, an expired code's replacement
    must still be sent. Any other error rolls back."""
    with Session(get_engine(), expire_on_commit=False) as db:
        try:
            yield db
        except ServiceError:
            db.commit()
            raise
        except BaseException:
            db.rollback()
            raise
        db.commit()


def _texting_on() -> bool:
    return get_settings().features.text_login


def _choice_for_everyone() -> bool:
    return get_settings().security.login_channel_choice == "always"


def _may_text(contact: Contact | None) -> bool:
    """May this attempt ask for its code by text? By default every email may (refusing would
    tell who has a mobile on file); with "when_mobile", only a contact with a mobile."""
    return _texting_on() and (_choice_for_everyone() or bool(contact and contact.mobile))


def _login_contact(db: Session, email: str) -> Contact | None:
    """The contact who stands for this email in the flow: the first with a mobile if any, else
    the first (docs/login.md, "Who may log in")."""
    pairs = loginable_contacts(db, email)
    with_mobile = [c for c, _ in pairs if c.mobile]
    if with_mobile:
        return with_mobile[0]
    return pairs[0][0] if pairs else None


NO_MOBILE = "no-mobile:"


def _destination(challenge: LoginChallenge, contact: Contact | None, channel: str) -> str:
    if channel == "sms":
        if contact and contact.mobile:
            return contact.mobile
        # Nobody to text: the per-destination counters run on a stand-in of this email, so
        # its limits, and the answers they give, are those of a real number.
        return NO_MOBILE + challenge.email
    return challenge.email


def _code_sent(channel: str, email: str, resend_in: int, *, prefix: str = "") -> LoginStep:
    if channel == "sms" and _choice_for_everyone():
        # Said to every email that asks for a text, mobile on file or not.
        where = "If we have a mobile number for you, we texted a 6-digit code to it."
    elif channel == "sms":
        # "when_mobile": only a contact with a mobile on file was offered the text.
        where = "We texted a 6-digit code to the mobile number we have on file for you."
    else:
        # Worded for every email, known or not: this sentence is all an unknown email gets.
        where = f"If {email} is on file with us, we just emailed a 6-digit code to it."
    return LoginStep(
        "enter_code",
        channel,
        f"{prefix}{where} It works once, for {login_codes.code_minutes()} minutes.",
        resend_in,
    )


def _send(
    db: Session,
    challenge: LoginChallenge,
    contact: Contact | None,
    channel: str,
    client_ip: str,
    now: datetime,
    remembered: str | None = None,
) -> None:
    """Send a code; for an email nobody can log in with, or a text with no mobile on file,
    the same work with nothing queued."""
    destination = _destination(challenge, contact, channel)
    login_steps.send_code(
        db,
        challenge,
        channel=channel,
        destination=destination,
        deliver=contact is not None and not destination.startswith(NO_MOBILE),
        to_name=contact.full_name if contact else "",
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
) -> tuple[str, LoginStep]:
    """Step 1. Returns the attempt id for the browser and the next step. The login page
    passes an ``attempt_id`` derived from its browser's key (state/portal/login.py), so the attempt
    can only be continued from that browser. ``remembered`` (on every step) is the
    connection's remembered-browser digest, if any."""
    now = now or utcnow()
    email = clean_email(email)
    login_codes.check_lookup_limit(db, client_ip, now=now)
    contact = _login_contact(db, email)
    challenge, attempt_id = login_codes.open_challenge(
        db,
        subject_kind=SUBJECT,
        email=email,
        contact_id=contact.id if contact else None,
        client_ip=client_ip,
        now=now,
        attempt_id=attempt_id,
    )
    trusted = remembered_browsers.trusted_channel(
        db, remembered, subject_kind=SUBJECT, email=email, now=now
    )
    if trusted and contact is not None:
        # A browser this customer asked us to remember: no channel step, the code goes now.
        channel = trusted if trusted == "email" or _may_text(contact) else "email"
        _send(db, challenge, contact, channel, client_ip, now, remembered)
        return attempt_id, _code_sent(
            channel,
            email,
            login_codes.seconds_until_resend(challenge, now=now),
            prefix="Welcome back. ",
        )
    if _may_text(contact):
        return attempt_id, LoginStep("choose_channel", "", "How should we send your code?")
    _send(db, challenge, contact, "email", client_ip, now, remembered)
    return attempt_id, _code_sent(
        "email", email, login_codes.seconds_until_resend(challenge, now=now)
    )


def _open_attempt(
    db: Session, attempt_id: str, now: datetime
) -> tuple[LoginChallenge, Contact | None]:
    challenge = login_codes.find_challenge(db, attempt_id, subject_kind=SUBJECT, now=now)
    if challenge.verified_at is not None:
        raise AttemptEnded()
    # A query even without a contact (… WHERE id IS NULL): the same statements either way.
    contact = db.exec(select(Contact).where(Contact.id == challenge.contact_id)).first()
    return challenge, contact


def choose_channel(
    db: Session,
    *,
    attempt_id: str,
    channel: str,
    client_ip: str,
    now: datetime | None = None,
    remembered: str | None = None,
) -> LoginStep:
    """Step 2: offered to every email by default, only with a mobile on file under
    "when_mobile"."""
    now = now or utcnow()
    challenge, contact = _open_attempt(db, attempt_id, now)
    if channel not in ("email", "sms"):
        raise InvalidInput("Choose email or text message.", field="channel")
    if challenge.code_hash is not None or challenge.code_issued_at is not None:
        # Already sent: choosing again is a resend, with its cooldown and limits.
        return resend(
            db,
            attempt_id=attempt_id,
            client_ip=client_ip,
            channel=channel,
            now=now,
            remembered=remembered,
        )
    if channel == "sms" and not _may_text(contact):
        # Only reachable by a crafted call: this attempt was never offered a choice.
        raise InvalidInput("Codes for this email go by email.", field="channel")
    _send(db, challenge, contact, channel, client_ip, now, remembered)
    return _code_sent(
        channel, challenge.email, login_codes.seconds_until_resend(challenge, now=now)
    )


def resend(
    db: Session,
    *,
    attempt_id: str,
    client_ip: str,
    channel: str | None = None,
    now: datetime | None = None,
    remembered: str | None = None,
) -> LoginStep:
    """A new code for the same attempt (same channel unless another is chosen); the old one
    stops working. Cooldown and send limits apply; counters are never reset."""
    now = now or utcnow()
    challenge, contact = _open_attempt(db, attempt_id, now)
    channel = channel or challenge.channel
    if channel == "sms" and not _may_text(contact):
        raise InvalidInput("Codes for this email go by email.", field="channel")
    _send(db, challenge, contact, channel, client_ip, now, remembered)
    return _code_sent(
        channel,
        challenge.email,
        login_codes.seconds_until_resend(challenge, now=now),
        prefix="New code sent. ",
    )


def account_choices(db: Session, email: str, *, proof: Proof) -> list[AccountChoice]:
    """The accounts this verified email may open now with what was proven, built on the
    server, by name. (``proof`` has no default: a caller that forgets it gets an error, never
    every account.)"""
    seen: dict[int, AccountChoice] = {}
    for contact, account in loginable_contacts(db, email):
        if not proof.admits(contact):
            continue
        seen.setdefault(
            account.id,
            AccountChoice(
                account.id,
                account.name,
                account.kind,
                KIND_LABELS.get(account.kind, account.kind.title()),
            ),
        )
    return list(seen.values())


def _login_grant(
    challenge: LoginChallenge, account_id: int, browser: str | None, trust: bool = False
) -> str:
    # /auth/complete starts the session only for a request from the browser that proved it.
    # "t": the customer ticked "Remember this browser" (a code login only).
    trusted = int(trust and challenge.channel in CHANNEL_WORDS)
    return login_steps.grant(
        LOGIN_GRANT, challenge, browser, GRANT_TTL_SECONDS, a=account_id, t=trusted
    )


def _code_words(challenge: LoginChallenge) -> login_steps.CodeWords:
    sent_by = CHANNEL_WORDS[challenge.channel]
    return login_steps.CodeWords(
        resent=f"we sent you a new one by {sent_by}",
        latest=f"the latest {sent_by} we sent",
        cannot_resend=f"Please wait an hour, or call us at {get_settings().branding.phone}.",
        voided="That code no longer works after 5 wrong tries. "
        "Tap “Send a new code” to get another.",
    )


def verify(
    db: Session,
    *,
    attempt_id: str,
    code: str,
    client_ip: str,
    now: datetime | None = None,
    browser: str | None = None,
    remembered: str | None = None,
    trust_browser: bool = False,
) -> CodeVerified:
    """Step 3. On success the code is used up and the account list comes from the verified
    email; a single account comes with its grant at once."""
    now = now or utcnow()
    challenge, contact = _open_attempt(db, attempt_id, now)
    code = login_codes.normalize_code(code)
    if challenge.code_issued_at is None:
        raise CodeProblem("Choose how we should send your code first.")
    destination = _destination(challenge, contact, challenge.channel)
    result = login_codes.check_code(
        db,
        challenge,
        code,
        destination=destination,
        client_ip=client_ip,
        now=now,
        allowance=login_steps.allowance(db, challenge, remembered, now),
    )
    login_steps.refuse_unless_accepted(
        result,
        _code_words(challenge),
        lambda: _send(db, challenge, contact, challenge.channel, client_ip, now, remembered),
    )
    return _verified(db, challenge, browser, trust_browser)


def verify_passkey(
    db: Session,
    *,
    attempt_id: str,
    response: object,
    client_ip: str,
    now: datetime | None = None,
    browser: str | None = None,
) -> CodeVerified:
    """Step 3 with a passkey instead of an email and a code (services/auth/passkeys.py):
    the passkey names its contact; the account list is what its registering login proved."""
    challenge = passkeys.finish_login(
        db, attempt_id=attempt_id, response=response, client_ip=client_ip, now=now
    )
    return _verified(db, challenge, browser, False)


def _verified(
    db: Session, challenge: LoginChallenge, browser: str | None, trust: bool
) -> CodeVerified:
    proof = attempt_proof(db, challenge)
    accounts = account_choices(db, challenge.email, proof=proof)
    if not accounts and proof.channel == "sms" and loginable_contacts(db, challenge.email):
        # The texted number left every account since the code was sent.
        raise NotAllowed(
            "That mobile number is no longer on file for your account. Start "
            "again and choose email to get your code."
        )
    if not accounts:
        # Proven owner of the email, but the accounts closed since the code was sent.
        raise NotAllowed(
            "There's no active policy on your account right now, so Client "
            "Center is closed. Please call us at "
            f"{get_settings().branding.phone}."
        )
    grant = (
        _login_grant(challenge, accounts[0].account_id, browser, trust)
        if len(accounts) == 1
        else None
    )
    return CodeVerified(accounts, grant)


def _refuse_account(email: str, account_id: object, where: str) -> NotFound:
    log.warning(
        "account choice refused (%s): %s asked for account %r outside its list",
        where,
        email,
        account_id,
    )
    return NotFound("That account isn't one you can open with this email. Pick one from the list.")


def grant_for_account(
    db: Session,
    *,
    attempt_id: str,
    account_id: int,
    now: datetime | None = None,
    browser: str | None = None,
    trust_browser: bool = False,
) -> str:
    """Step 4: the chosen account must be in the list built from the verified email."""
    now = now or utcnow()
    challenge = login_codes.find_challenge(db, attempt_id, subject_kind=SUBJECT, now=now)
    if challenge.verified_at is None:
        raise CodeProblem("Enter your code first.")
    choices = account_choices(db, challenge.email, proof=attempt_proof(db, challenge))
    if account_id not in {a.account_id for a in choices}:
        raise _refuse_account(challenge.email, account_id, "login")
    return _login_grant(challenge, account_id, browser, trust_browser)


def _contact_on(db: Session, email: str, account_id: object, proof: Proof) -> Contact | None:
    """The contact this email and proof open ``account_id`` as, checked again now (the HTTP
    routes' half of a login or a switch)."""
    for contact, account in loginable_contacts(db, email):
        if account.id == account_id and proof.admits(contact):
            return contact
    return None


def complete(
    db: Session,
    *,
    grant: str,
    client_ip: str,
    user_agent: str = "",
    now: datetime | None = None,
    browser: str | None = None,
) -> SessionStarted:
    """Step 5 (HTTP route): a login grant becomes a session on its account, once, in the
    browser whose tab proved the code (``browser``: the request's browser-key hash)."""
    now = now or utcnow()
    payload, challenge = login_steps.redeem(
        db, LOGIN_GRANT, grant, subject_kind=SUBJECT, browser=browser, now=now, fields=("a",)
    )
    proof = attempt_proof(db, challenge)
    contact = _contact_on(db, challenge.email, payload["a"], proof)
    if contact is None:
        raise _refuse_account(challenge.email, payload["a"], "complete")
    key = passkeys.passkey_of(db, challenge)
    record, token = create_session(
        db,
        kind="customer",
        email=challenge.email,
        contact_id=contact.id,
        account_id=contact.account_id,
        proof=proof.channel,
        proof_mobile_hash=proof.mobile_hash,
        passkey_id=key.id if key else None,
        client_ip=client_ip,
        user_agent=user_agent,
        now=now,
    )
    principal = Principal.customer(
        contact.account_id, contact.id, session_id=record.id, view=contact.sees
    )
    if key is not None:
        summary = f"Logged in with a passkey ({key.label})."
    else:
        summary = f"Logged in with a code sent by {CHANNEL_WORDS[challenge.channel]}."
    record_action(db, principal, LOGIN_ACTIONS[challenge.channel], summary=summary)
    started = session_started(record, token, routes.CUSTOMER_HOME, now)
    if payload.get("t") == 1 and key is None:
        return replace(started, trust_channel=challenge.channel)
    return started


def switch_choices(db: Session, principal: Principal) -> list[AccountChoice]:
    """Profile → Switch accounts: the accounts this session's login may open, from the
    session's own record (its verified email and what the code proved)."""
    record = db.get(UserSession, principal.session_id) if principal.session_id else None
    if not principal.is_customer or record is None or record.kind != "customer":
        raise NotAllowed("Only customers switch accounts here.")
    return account_choices(db, record.email, proof=session_proof(record))


def switch_grant(db: Session, principal: Principal, *, email: str, account_id: int) -> str:
    """Profile → Switch accounts: a grant to move this session to another account its login
    may open (no new code). Refuses anything outside the list, and agents."""
    if not principal.is_customer or principal.session_id is None:
        raise NotAllowed("Only customers switch accounts here.")
    record = db.get(UserSession, principal.session_id)
    if record is None or record.email != normalize_email(email):
        raise NotAllowed("That switch is no longer valid. Open Profile → Switch accounts again.")
    if account_id not in {a.account_id for a in switch_choices(db, principal)}:
        raise _refuse_account(email, account_id, "switch")
    return sign(SWITCH_GRANT, {"s": principal.session_id, "a": account_id}, GRANT_TTL_SECONDS)


def complete_switch(
    db: Session,
    *,
    grant: str,
    token: str | None,
    client_ip: str,
    user_agent: str = "",
    now: datetime | None = None,
) -> SessionStarted:
    """The HTTP route's half of a switch: the grant must belong to the session in this
    browser's cookie; the session is rotated onto the new account."""
    now = now or utcnow()
    payload = unsign(SWITCH_GRANT, grant or "")
    check = check_session(db, token, now=now, touch=False)
    if (
        payload is None
        or check.status != SessionStatus.OK
        or check.kind != "customer"
        or payload.get("s") != check.session_id
    ):
        raise NotAllowed(
            "That switch link is no longer valid. Open Profile → Switch accounts again."
        )
    record = db.get(UserSession, check.session_id)
    contact = _contact_on(db, check.email, payload.get("a"), session_proof(record))
    if contact is None:
        raise _refuse_account(check.email, payload.get("a"), "switch-complete")
    rotated = rotate_session(
        db,
        record,
        now=now,
        account_id=contact.account_id,
        contact_id=contact.id,
        client_ip=client_ip,
        user_agent=user_agent,
    )
    if rotated is None:
        raise NotAllowed("That switch link was already used.")
    new_record, new_token = rotated
    return session_started(new_record, new_token, routes.CUSTOMER_HOME, now)


def account_label(db: Session, account_id: int) -> str:
    account = db.get(Account, account_id)
    return f"{account.name} ({KIND_LABELS.get(account.kind, account.kind)})" if account else ""
