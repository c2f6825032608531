"""Profile: the acting contact's personal information, contact preferences, and the
co-applicant's information.

Names apply at once (the producer gets a task to update the agency's own system). A new login
email or mobile number applies only after a code comes back: for one's own, a code sent *to
the new address*; for another person's (the co-applicant's), a code sent to *that person* at
their current address, so nobody changes where someone else's login codes go without them
hearing of it. See `services/portal/contact_change.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from clientcenter.models import Contact
from clientcenter.models.accounts import CONTACT_ROLE_LABELS, ContactRole
from clientcenter.services import form_input as fi
from clientcenter.services.access import acting_contact, viewable_account, writable_account
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal

PERSONAL_FIELDS = ("first_name", "last_name", "email", "mobile")
PREFERENCE_FIELDS = ("notify_by_email", "notify_by_sms")
# Who may edit the co-applicant: the two people on the policy, not additional contacts.
COAPPLICANT_EDITORS = (ContactRole.PRIMARY, ContactRole.CO_APPLICANT)


@dataclass(frozen=True)
class ContactView:
    id: int
    role: str
    role_label: str
    first_name: str
    last_name: str
    email: str
    mobile: str
    mobile_display: str
    notify_by_email: bool
    notify_by_sms: bool


@dataclass(frozen=True)
class ProfileView:
    # The acting contact; for an agent in the read-only view, the customer whose profile it
    # is (services/agency/read_only.viewed_contact), shown read-only.
    me: ContactView | None
    co_applicant: ContactView | None
    can_edit_co_applicant: bool


@dataclass(frozen=True)
class EditResult:
    """What an edit did: fields applied now, and address changes waiting for a code."""

    applied: tuple[str, ...]
    needs_verification: tuple[str, ...]  # ("email",) / ("mobile",) / both
    contact_id: int
    # The value waiting for its code; None with the field in needs_verification is a removal
    # of another person's address (which waits for them too).
    new_email: str | None = None
    new_mobile: str | None = None


def profile_view(session: Session, principal: Principal) -> ProfileView:
    account = viewable_account(session, principal)
    if principal.is_customer:
        me = acting_contact(session, principal)
    else:
        from clientcenter.services.agency.read_only import viewed_contact

        me = viewed_contact(session, principal)
    co = _co_applicant(session, account.id)
    if co is not None and me is not None and co.id == me.id:
        co = None  # one person shown once
    return ProfileView(
        me=contact_view(me) if me else None,
        co_applicant=contact_view(co) if co else None,
        can_edit_co_applicant=bool(
            co
            and me
            and principal.is_customer
            and me.role in COAPPLICANT_EDITORS
            and not principal.read_only
        ),
    )


def contact_view(c: Contact) -> ContactView:
    return ContactView(
        id=c.id,
        role=c.role,
        role_label=CONTACT_ROLE_LABELS.get(c.role, c.role),
        first_name=c.first_name,
        last_name=c.last_name,
        email=c.email or "",
        mobile=c.mobile or "",
        mobile_display=format_mobile(c.mobile),
        notify_by_email=c.notify_by_email,
        notify_by_sms=c.notify_by_sms,
    )


def format_mobile(e164: str | None) -> str:
    if not e164:
        return ""
    import phonenumbers

    number = phonenumbers.parse(e164, "US")
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def edit_personal_info(
    session: Session, principal: Principal, data: dict[str, Any] | None
) -> EditResult:
    """The acting contact's own name, email and mobile."""
    writable_account(session, principal, "customer.edit_personal_info")
    contact = acting_contact(session, principal)
    return _edit_contact(
        session, principal, contact, data, "customer.edit_personal_info", whose="Your"
    )


def edit_coapplicant_info(
    session: Session, principal: Principal, data: dict[str, Any] | None
) -> EditResult:
    account = writable_account(session, principal, "customer.edit_coapplicant_info")
    me = acting_contact(session, principal)
    if me.role not in COAPPLICANT_EDITORS:
        raise NotAllowed(
            "Only the primary applicant or the co-applicant can edit the "
            "co-applicant's information."
        )
    co = _co_applicant(session, account.id)
    if co is None:
        raise NotFound(
            "There is no co-applicant on this account. To add one, send your "
            "agency a change request."
        )
    return _edit_contact(
        session, principal, co, data, "customer.edit_coapplicant_info", whose="Co-applicant's"
    )


def edit_contact_preferences(
    session: Session, principal: Principal, data: dict[str, Any] | None
) -> ContactView:
    """How notices reach the acting contact: email, text, or both."""
    writable_account(session, principal, "customer.edit_contact_preferences")
    contact = acting_contact(session, principal)
    values = fi.allowed(data, PREFERENCE_FIELDS)
    by_email, by_sms = fi.flag(values, "notify_by_email"), fi.flag(values, "notify_by_sms")
    if not (by_email or by_sms):
        raise InvalidInput("Choose at least one way to receive notices.", field="notify_by_email")
    if by_email and not contact.email:
        raise InvalidInput(
            "Add an email address first to get notices by email.", field="notify_by_email"
        )
    if by_sms and not contact.mobile:
        raise InvalidInput(
            "Add a mobile number first to get notices by text.", field="notify_by_sms"
        )
    if (by_email, by_sms) == (contact.notify_by_email, contact.notify_by_sms):
        return contact_view(contact)  # nothing changed: nothing to record
    contact.notify_by_email, contact.notify_by_sms = by_email, by_sms
    session.add(contact)
    session.flush()
    ways = " and ".join(w for w, on in (("email", by_email), ("text", by_sms)) if on)
    record_action(
        session,
        principal,
        "customer.edit_contact_preferences",
        summary=f"{contact.full_name} now gets notices by {ways}.",
        details={"notify_by_email": by_email, "notify_by_sms": by_sms},
    )
    return contact_view(contact)


def _co_applicant(session: Session, account_id: int) -> Contact | None:
    return session.exec(
        select(Contact)
        .where(Contact.account_id == account_id, Contact.role == ContactRole.CO_APPLICANT)
        .order_by(Contact.id)
    ).first()


def _edit_contact(
    session: Session,
    principal: Principal,
    contact: Contact,
    data: dict[str, Any] | None,
    action_key: str,
    *,
    whose: str,
) -> EditResult:
    values = fi.allowed(data, PERSONAL_FIELDS)
    first = fi.name(values, "first_name", "First name")
    last = fi.name(values, "last_name", "Last name")
    # A contact who logs in needs an email; the others may have none.
    new_email = fi.email(values, "email", "Email address", required=contact.may_log_in)
    # A new mobile gets a code by text: only numbers the portal may text (SMS pumping).
    new_mobile = fi.sms_mobile(
        values, "mobile", "Mobile number", required=False, unchanged=contact.mobile
    )

    applied: list[str] = []
    if first != contact.first_name:
        applied.append("first_name")
    if last != contact.last_name:
        applied.append("last_name")
    pending: list[str] = []
    someone_else = contact.id != principal.contact_id
    for field, new in (("email", new_email), ("mobile", new_mobile)):
        if new == (getattr(contact, field) or None):
            continue
        if new is None and not someone_else:
            applied.append(field)  # removing one's own needs no code: nothing is sent to it
        else:
            pending.append(field)

    if applied:
        contact.first_name, contact.last_name = first, last
        for field in ("email", "mobile"):
            if field in applied:
                clear_address(contact, field)
        session.add(contact)
        session.flush()
        record_action(
            session,
            principal,
            action_key,
            summary=f"{whose} information updated for {contact.full_name}: {_describe(applied)}.",
            details={"contact_id": contact.id, "changed": applied},
        )
    return EditResult(
        applied=tuple(applied),
        needs_verification=tuple(pending),
        contact_id=contact.id,
        new_email=new_email if "email" in pending else None,
        new_mobile=new_mobile if "mobile" in pending else None,
    )


def clear_address(contact: Contact, field: str) -> None:
    """Remove the contact's email or mobile, and keep at least one way to reach them."""
    if field == "email":
        contact.email, contact.notify_by_email = None, False
    else:
        contact.mobile, contact.notify_by_sms = None, False
    if not (contact.notify_by_email or contact.notify_by_sms):
        contact.notify_by_email = bool(contact.email)
        contact.notify_by_sms = not contact.email and bool(contact.mobile)


FIELD_WORDS = {
    "first_name": "first name",
    "last_name": "last name",
    "email": "email address removed",
    "mobile": "mobile number removed",
}


def _describe(fields: list[str]) -> str:
    return ", ".join(FIELD_WORDS[f] for f in fields)
