"""A new login email or mobile number takes effect only once a fresh code comes back.

- One's own address: the code goes to the *new* address (it proves the new address is
  theirs).
- Another person's (the primary editing the co-applicant): the code goes to *that person*, at
  their current email (their current mobile if they have no email), in a message that says
  who asked for what; it applies only once they agree and hand over the code. Otherwise a
  primary could point the co-applicant's login codes at a phone of their own and log in as
  them — on the co-applicant's other accounts too.

Either way, once applied, the address that was replaced is told (a change they did not make
does not go unnoticed).

It reuses the login's code machinery (services/auth/login_codes.py) with its own subject kind, so
a code issued here can never log anyone in, and the same limits apply: CSPRNG codes stored as
keyed hashes, bound to one attempt and one destination, single use, expiring, voided after
repeated misses, send and failure counters that a resend never resets.

The browser keeps an opaque *ticket*: a signed, expiring value naming the attempt, the
contact, the field, the new value and the session that asked. The ticket alone changes
nothing; with the right code, from the same session, it does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlmodel import Session

from clientcenter.models import Account, Contact, UserSession
from clientcenter.models.accounts import ContactRole
from clientcenter.services.access import acting_contact, writable_account
from clientcenter.services.auth import login_codes
from clientcenter.services.auth.login_codes import CodeOutcome
from clientcenter.services.auth.step_up import require_recent_second_factor
from clientcenter.services.auth.tokens import sign, unsign
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from clientcenter.services.notify import outbox, sms_destinations
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.profile import COAPPLICANT_EDITORS, clear_address, format_mobile
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

SUBJECT = "contact"  # login_challenge.subject_kind: never accepted by the login flow
TICKET_PURPOSE = "contact-change"
FIELDS = {"email": ("email", "email address"), "mobile": ("sms", "mobile number")}


class TicketEnded(ServiceError):
    def __init__(self):
        super().__init__("This confirmation has ended. Save the change again to get a new code.")


@dataclass(frozen=True)
class Pending:
    """A code is on its way; the page asks for it."""

    ticket: str
    field: str  # email | mobile
    shown_to: str  # the new address as typed (own change), "" when it went to someone else
    message: str
    resend_in: int
    for_someone_else: bool = False


@contextmanager
def code_scope() -> Iterator[Session]:
    """The unit of work for a code step: like the login's, it commits when the step refuses
    with a ServiceError (a wrong code must still count); any other error rolls back."""
    from clientcenter.services.auth.login import login_scope

    with login_scope() as session:
        yield session


def _action_for(principal: Principal, contact: Contact) -> str:
    return (
        "customer.edit_personal_info"
        if contact.id == principal.contact_id
        else "customer.edit_coapplicant_info"
    )


def _target(session: Session, principal: Principal, contact_id: int) -> Contact:
    """The contact whose address changes: the actor, or the co-applicant they may edit."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.account_id != principal.account_id:
        raise NotFound("That person is not on this account.")
    writable_account(session, principal, _action_for(principal, contact))
    me = acting_contact(session, principal)
    if contact.id != me.id and not (
        contact.role == ContactRole.CO_APPLICANT and me.role in COAPPLICANT_EDITORS
    ):
        raise NotAllowed("You can change only your own details and the co-applicant's.")
    return contact


def _minutes() -> int:
    return get_settings().security.code_ttl_seconds // 60


def _shown(field: str, value: str | None) -> str:
    if value is None:
        return ""
    return format_mobile(value) if field == "mobile" else value


def _confirmer(contact: Contact) -> tuple[str, str]:
    """Where another person confirms a change of their address: their current email, else
    their current mobile. Refused when there is neither (nobody could agree)."""
    if contact.email:
        return "email", contact.email
    if contact.mobile:
        return "sms", contact.mobile
    raise NotAllowed(
        f"{contact.first_name} has no email address or mobile number on file to "
        "confirm this change with, so only your agency can make it. Send us a "
        "change request and we'll take care of it."
    )


def _change_words(field: str, value: str | None) -> str:
    _, words = FIELDS[field]
    if value is None:
        return f"remove the {words}"
    return f"change the {words} to {_shown(field, value)}"


def _send_code(
    session: Session,
    principal: Principal,
    contact: Contact,
    challenge,
    field: str,
    value: str | None,
    channel: str,
    destination: str,
    client_ip: str,
) -> None:
    code = login_codes.issue_code(
        session, challenge, channel=channel, destination=destination, client_ip=client_ip
    )
    _, words = FIELDS[field]
    if contact.id == principal.contact_id:
        template = "contact_code"
        context = {"code": code, "minutes": _minutes(), "what": words}
    else:
        me = acting_contact(session, principal)
        account = session.get(Account, contact.account_id)
        template = "contact_code_other"
        context = {
            "code": code,
            "minutes": _minutes(),
            "what": words,
            "first_name": contact.first_name,
            "requester": me.full_name,
            "requester_first": me.first_name,
            "change": _change_words(field, value),
            "account_name": account.name if account else "",
        }
    outbox.enqueue(
        session,
        channel=channel,
        to_address=destination,
        template=template,
        context=context,
        recipient_kind="other",
        account_id=contact.account_id,
        sensitive=True,
        to_name=contact.full_name,
    )


def _pending_message(
    contact: Contact,
    field: str,
    value: str | None,
    channel: str,
    own: bool,
    *,
    again: bool = False,
) -> str:
    _, words = FIELDS[field]
    if own:
        shown = _shown(field, value)
        if again:
            return f"We sent a new code to {shown}. The earlier one no longer works."
        how = "texted" if field == "mobile" else "emailed"
        return (
            f"We {how} a 6-digit code to {shown}. Enter it to confirm the new {words}; "
            f"it works once, for {_minutes()} minutes."
        )
    where = "email address" if channel == "email" else "mobile number"
    first = contact.first_name
    lead = "We sent a new code" if again else "This needs"
    if again:
        return (
            f"{lead} to {first} at the {where} we have on file; the earlier one no longer "
            f"works. Nothing changes until {first} agrees and you enter their code."
        )
    return (
        f"{lead} {first}'s agreement. We sent {first} a 6-digit code at the {where} we "
        f"have on file, saying what you asked to change. If {first} agrees, enter their "
        f"code here within {_minutes()} minutes; nothing changes until then."
    )


def start(
    session: Session,
    principal: Principal,
    contact_id: int,
    field: str,
    new_value: str | None,
    *,
    client_ip: str,
) -> Pending:
    """Send a code for a change of ``field`` to ``new_value`` (already validated by
    services/portal/profile.py; None removes another person's address)."""
    if field not in FIELDS:
        raise InvalidInput("Only an email address or a mobile number is confirmed by code.")
    if field == "mobile" and new_value:  # None removes another person's mobile
        # Checked here too, not only in the profile form: a code is about to be texted.
        new_value = sms_destinations.check(new_value)
    contact = _target(session, principal, contact_id)
    own = contact.id == principal.contact_id
    if own:  # the login email or mobile itself
        require_recent_second_factor(session, principal, "login_contact")
    if own and new_value is None:
        raise InvalidInput("Removing your own email or mobile needs no code.")
    if own:
        channel, destination = FIELDS[field][0], new_value
    else:
        channel, destination = _confirmer(contact)
    identity = contact.email or f"contact-{contact.id}"  # the send limits' identity key
    challenge, attempt_id = login_codes.open_challenge(
        session, subject_kind=SUBJECT, email=identity, contact_id=contact.id, client_ip=client_ip
    )
    _send_code(
        session, principal, contact, challenge, field, new_value, channel, destination, client_ip
    )
    ticket = sign(
        TICKET_PURPOSE,
        {
            "a": attempt_id,
            "c": contact.id,
            "f": field,
            "v": new_value,
            "s": principal.session_id,
            "to": channel,
        },
        get_settings().security.code_ttl_seconds * 3,
    )
    return Pending(
        ticket=ticket,
        field=field,
        shown_to=_shown(field, new_value) if own else "",
        message=_pending_message(contact, field, new_value, channel, own),
        resend_in=login_codes.seconds_until_resend(challenge),
        for_someone_else=not own,
    )


def _destination(
    principal: Principal, contact: Contact, field: str, value: str | None, channel: str
) -> str | None:
    """Where this ticket's code must have gone: the new address for one's own change, the
    person's current address otherwise (if it changed since, the ticket ends)."""
    if contact.id == principal.contact_id:
        return value
    current = contact.email if channel == "email" else contact.mobile
    return current or None


def _open(session: Session, principal: Principal, ticket: str):
    payload = unsign(TICKET_PURPOSE, ticket or "")
    if payload is None or payload.get("s") != principal.session_id:
        raise TicketEnded()
    contact = _target(session, principal, int(payload["c"]))
    try:
        challenge = login_codes.find_challenge(session, payload["a"], subject_kind=SUBJECT)
    except login_codes.AttemptEnded:
        raise TicketEnded() from None
    field, value, channel = payload["f"], payload["v"], payload.get("to")
    if field not in FIELDS or channel not in ("email", "sms"):
        raise TicketEnded()
    destination = _destination(principal, contact, field, value, channel)
    if (
        challenge.contact_id != contact.id
        or destination is None
        or challenge.destination_hash != login_codes.hash_destination(destination)
    ):
        raise TicketEnded()
    return contact, challenge, field, value, channel, destination


def _follow_new_email(session: Session, principal: Principal, email: str) -> None:
    """Sessions are bound to the verified email; the code just proved the new one belongs to
    this session's person, so this session follows it. Other sessions of the contact stop at
    their next check ("your access has changed") and log in again with the new address."""
    record = session.get(UserSession, principal.session_id) if principal.session_id else None
    if record is not None and record.contact_id == principal.contact_id:
        record.email = email
        session.add(record)


def _follow_new_mobile(session: Session, principal: Principal, mobile: str) -> None:
    """A session proven by a text to the old number now stands on the new one, which the
    code just proved is this person's: its account list stays the same."""
    record = session.get(UserSession, principal.session_id) if principal.session_id else None
    if record is not None and record.contact_id == principal.contact_id and record.proof == "sms":
        record.proof_mobile_hash = login_codes.hash_destination(mobile)
        session.add(record)


def resend(session: Session, principal: Principal, ticket: str, *, client_ip: str) -> Pending:
    contact, challenge, field, value, channel, destination = _open(session, principal, ticket)
    _send_code(
        session, principal, contact, challenge, field, value, channel, destination, client_ip
    )
    own = contact.id == principal.contact_id
    return Pending(
        ticket=ticket,
        field=field,
        shown_to=_shown(field, value) if own else "",
        message=_pending_message(contact, field, value, channel, own, again=True),
        resend_in=login_codes.seconds_until_resend(challenge),
        for_someone_else=not own,
    )


def _tell_old_address(
    session: Session, principal: Principal, contact: Contact, field: str, old: str | None
) -> None:
    """The replaced address hears of the change (a notice, no code, no link)."""
    if not old:
        return
    channel, words = FIELDS[field]
    me = acting_contact(session, principal)
    account = session.get(Account, contact.account_id)
    by_whom = (
        "from your own Client Center login"
        if me.id == contact.id
        else f"by {me.full_name}, with your agreement"
    )
    outbox.enqueue(
        session,
        channel=channel,
        to_address=old,
        template="contact_changed",
        context={
            "first_name": contact.first_name,
            "what": words,
            "done": "removed" if getattr(contact, field) is None else "changed",
            "by_whom": by_whom,
            "account_name": account.name if account else "",
        },
        recipient_kind="other",
        account_id=contact.account_id,
        to_name=contact.full_name,
    )


def confirm(
    session: Session, principal: Principal, ticket: str, code: str, *, client_ip: str
) -> Contact:
    """Apply the change if ``code`` is the one this ticket sent. Records the edit and tells
    the address it replaced."""
    contact, challenge, field, value, channel, destination = _open(session, principal, ticket)
    if field == "mobile" and value:  # "" removes the mobile
        sms_destinations.check(value)  # the allowed countries may have changed since start
    typed = login_codes.normalize_code(code)
    check = login_codes.check_code(
        session, challenge, typed, destination=destination, client_ip=client_ip
    )
    if check.outcome == CodeOutcome.WRONG:
        tries = "1 more try" if check.tries_left == 1 else f"{check.tries_left} more tries"
        raise InvalidInput(f"That code is not right. You have {tries}.", field="code")
    if check.outcome == CodeOutcome.EXPIRED:
        raise InvalidInput("That code has expired. Tap “Send a new code”.", field="code")
    if check.outcome != CodeOutcome.OK:
        raise InvalidInput(
            "That code no longer works. Tap “Send a new code” to get another.", field="code"
        )
    if login_codes.consume(session, challenge.id) is None:
        raise TicketEnded()
    own = contact.id == principal.contact_id
    _, words = FIELDS[field]
    old = getattr(contact, field)
    if value is None:
        clear_address(contact, field)
    elif field == "email":
        contact.email = value
        if own:
            _follow_new_email(session, principal, value)
    else:
        contact.mobile = value
        if own:
            _follow_new_mobile(session, principal, value)
    session.add(contact)
    session.flush()
    _tell_old_address(session, principal, contact, field, old)
    whose = "Your" if own else "Co-applicant's"
    done = "removed" if value is None else "changed"
    how = (
        "confirmed with a code sent to the new address"
        if own
        else f"agreed by {contact.first_name} with a code sent to their current "
        f"{'email address' if channel == 'email' else 'mobile number'}"
    )
    record_action(
        session,
        principal,
        _action_for(principal, contact),
        summary=f"{whose} {words} for {contact.full_name} {done}, {how}.",
        details={
            "contact_id": contact.id,
            "changed": [field],
            "confirmed": True,
            "confirmed_by": "self" if own else "the person",
        },
    )
    return contact
