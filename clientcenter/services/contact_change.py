"""A new login email or mobile number takes effect only once a fresh code, sent to the *new*
address, comes back.

It reuses the login's code machinery (services/login_codes.py) with its own subject kind, so
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

from clientcenter.models import Contact, UserSession
from clientcenter.services import login_codes, outbox, sms_destinations
from clientcenter.services.activity import record_action
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from clientcenter.services.portal_guard import acting_contact, writable_account
from clientcenter.services.principal import Principal
from clientcenter.services.profile import COAPPLICANT_EDITORS, format_mobile
from clientcenter.services.tokens import sign, unsign
from clientcenter.settings import get_settings

SUBJECT = "contact"  # login_challenge.subject_kind: never accepted by the login flow
TICKET_PURPOSE = "contact-change"
FIELDS = {"email": ("email", "email address"), "mobile": ("sms", "mobile number")}


class TicketEnded(ServiceError):
    def __init__(self):
        super().__init__("This confirmation has ended. Save the change again to get a new "
                         "code.")


@dataclass(frozen=True)
class Pending:
    """A code is on its way to the new address; the page asks for it."""

    ticket: str
    field: str  # email | mobile
    shown_to: str  # the new address, as the customer typed it (it is theirs to see)
    message: str
    resend_in: int


@contextmanager
def code_scope() -> Iterator[Session]:
    """The unit of work for a code step: like the login's, it commits when the step refuses
    with a ServiceError (a wrong code must still count); any other error rolls back."""
    from clientcenter.services.login import login_scope

    with login_scope() as session:
        yield session


def _action_for(principal: Principal, contact: Contact) -> str:
    return ("customer.edit_personal_info" if contact.id == principal.contact_id
            else "customer.edit_coapplicant_info")


def _target(session: Session, principal: Principal, contact_id: int) -> Contact:
    """The contact whose address changes: the actor, or the co-applicant they may edit."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.account_id != principal.account_id:
        raise NotFound("That person is not on this account.")
    writable_account(session, principal, _action_for(principal, contact))
    me = acting_contact(session, principal)
    if contact.id != me.id and not (contact.role == "co_applicant"
                                    and me.role in COAPPLICANT_EDITORS):
        raise NotAllowed("You can change only your own details and the co-applicant's.")
    return contact


def _minutes() -> int:
    return get_settings().security.code_ttl_seconds // 60


def start(session: Session, principal: Principal, contact_id: int, field: str, new_value: str,
          *, client_ip: str) -> Pending:
    """Send a code to ``new_value`` (already validated by services/profile.py)."""
    if field not in FIELDS:
        raise InvalidInput("Only an email address or a mobile number is confirmed by code.")
    if field == "mobile":
        # Checked here too, not only in the profile form: a code is about to be texted.
        new_value = sms_destinations.check(new_value)
    contact = _target(session, principal, contact_id)
    channel, words = FIELDS[field]
    identity = contact.email or f"contact-{contact.id}"  # the send limits' identity key
    challenge, attempt_id = login_codes.open_challenge(
        session, subject_kind=SUBJECT, email=identity, contact_id=contact.id,
        client_ip=client_ip)
    code = login_codes.issue_code(session, challenge, channel=channel, destination=new_value,
                                  client_ip=client_ip)
    outbox.enqueue(session, channel=channel, to_address=new_value, template="contact_code",
                   context={"code": code, "minutes": _minutes(), "what": words},
                   recipient_kind="other", account_id=contact.account_id, sensitive=True,
                   to_name=contact.full_name)
    ticket = sign(TICKET_PURPOSE, {"a": attempt_id, "c": contact.id, "f": field,
                                   "v": new_value, "s": principal.session_id},
                  get_settings().security.code_ttl_seconds * 3)
    shown = format_mobile(new_value) if field == "mobile" else new_value
    how = "texted" if field == "mobile" else "emailed"
    return Pending(ticket=ticket, field=field, shown_to=shown,
                   message=f"We {how} a 6-digit code to {shown}. Enter it to confirm the new "
                           f"{words}; it works once, for {_minutes()} minutes.",
                   resend_in=login_codes.seconds_until_resend(challenge))


def _open(session: Session, principal: Principal, ticket: str):
    payload = unsign(TICKET_PURPOSE, ticket or "")
    if payload is None or payload.get("s") != principal.session_id:
        raise TicketEnded()
    contact = _target(session, principal, int(payload["c"]))
    try:
        challenge = login_codes.find_challenge(session, payload["a"], subject_kind=SUBJECT)
    except login_codes.AttemptEnded:
        raise TicketEnded() from None
    field, value = payload["f"], payload["v"]
    if (challenge.contact_id != contact.id or field not in FIELDS
            or challenge.destination_hash != login_codes.hash_destination(value)):
        raise TicketEnded()
    return contact, challenge, field, value


def _follow_new_email(session: Session, principal: Principal, email: str) -> None:
    """Sessions are bound to the verified email; the code just proved the new one belongs to
    this session's person, so this session follows it. Other sessions of the contact stop at
    their next check ("your access has changed") and log in again with the new address."""
    record = session.get(UserSession, principal.session_id) if principal.session_id else None
    if record is not None and record.contact_id == principal.contact_id:
        record.email = email
        session.add(record)


def resend(session: Session, principal: Principal, ticket: str, *, client_ip: str) -> Pending:
    contact, challenge, field, value = _open(session, principal, ticket)
    channel, words = FIELDS[field]
    code = login_codes.issue_code(session, challenge, channel=channel, destination=value,
                                  client_ip=client_ip)
    outbox.enqueue(session, channel=channel, to_address=value, template="contact_code",
                   context={"code": code, "minutes": _minutes(), "what": words},
                   recipient_kind="other", account_id=contact.account_id, sensitive=True,
                   to_name=contact.full_name)
    shown = format_mobile(value) if field == "mobile" else value
    return Pending(ticket=ticket, field=field, shown_to=shown,
                   message=f"We sent a new code to {shown}. The earlier one no longer works.",
                   resend_in=login_codes.seconds_until_resend(challenge))


def confirm(session: Session, principal: Principal, ticket: str, code: str, *,
            client_ip: str) -> Contact:
    """Apply the new address if ``code`` is the one sent to it. Records the edit."""
    contact, challenge, field, value = _open(session, principal, ticket)
    if field == "mobile":
        sms_destinations.check(value)  # the allowed countries may have changed since start
    typed = login_codes.normalize_code(code)
    check = login_codes.check_code(session, challenge, typed, destination=value,
                                   client_ip=client_ip)
    if check.outcome == "wrong":
        tries = "1 more try" if check.tries_left == 1 else f"{check.tries_left} more tries"
        raise InvalidInput(f"That code is not right. You have {tries}.", field="code")
    if check.outcome == "expired":
        raise InvalidInput("That code has expired. Tap “Send a new code”.", field="code")
    if check.outcome != "ok":
        raise InvalidInput("That code no longer works. Tap “Send a new code” to get another.",
                           field="code")
    if login_codes.consume(session, challenge.id) is None:
        raise TicketEnded()
    _, words = FIELDS[field]
    if field == "email":
        contact.email = value
        if contact.id == principal.contact_id:
            _follow_new_email(session, principal, value)
    else:
        contact.mobile = value
    session.add(contact)
    session.flush()
    whose = "Your" if contact.id == principal.contact_id else "Co-applicant's"
    record_action(session, principal, _action_for(principal, contact),
                  summary=f"{whose} {words} for {contact.full_name} changed, confirmed with a "
                          "code sent to the new address.",
                  details={"contact_id": contact.id, "changed": [field], "confirmed": True})
    return contact
