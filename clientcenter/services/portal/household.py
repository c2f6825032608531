"""Who can log in: the household (or a business's staff) manages itself (docs/households.md).

The primary applicant, or a contact the agency marked account manager on a business account,
sees who may log in, invites someone by email, chooses what each person sees (everything, ID
cards and documents only, certificates only) and revokes access. The invitee can log in only
after confirming from their own address: a single-use link (only its keyed hash is stored on
the contact) emailed to them. Every change is a catalog action (activity log, tasks, emails
per the matrix) and also tells the person it concerns.

Who may do it is ``access.require_household_manager``; what a limited contact then sees is
``access.require_view``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from clientcenter import routes
from clientcenter.models import Account, Agent, Contact
from clientcenter.models.accounts import (
    CONTACT_ROLE_LABELS,
    CONTACT_VIEW_LABELS,
    AccountKind,
    ContactRole,
    ContactSees,
)
from clientcenter.models.base import utcnow
from clientcenter.services import form_input as fi
from clientcenter.services.access import (
    manages_household,
    require_household_manager,
    viewable_account,
)
from clientcenter.services.accounts import is_account_active
from clientcenter.services.auth.sessions import as_utc, revoke_contact_sessions
from clientcenter.services.auth.step_up import require_recent_second_factor
from clientcenter.services.auth.tokens import keyed_hash, new_token, same_hash
from clientcenter.services.dates import date_text
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.notify import outbox
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal

security_log = logging.getLogger("clientcenter.security")

INVITE = "customer.household_invite"
JOINED = "customer.household_joined"
ACCESS = "customer.household_access"
REVOKE = "customer.household_revoke"

INVITE_DAYS = 7
INVITE_ROLES = {
    ContactRole.CO_APPLICANT.value: "Co-applicant",
    ContactRole.ADDITIONAL.value: "Additional contact",
}
VIEWS = {v.value: label for v, label in CONTACT_VIEW_LABELS.items()}
INVITE_FIELDS = ("first_name", "last_name", "email", "role", "sees")

LINK_NOT_VALID = (
    "This invitation link is not valid. Ask the person who invited you to send a new one."
)
LINK_EXPIRED = "This invitation has expired. Ask the person who invited you to send a new one."
LINK_USED = "This invitation was already accepted or withdrawn. Log in with your email."


# --------------------------------------------------------------------------- step-up

# The single call site for the step-up rule ("require a recent second factor for inviting a
# household member", services/auth, built separately). Until it is wired, every manager
# passes: the lead replaces this with ``require_recent_second_factor(...)``.
StepUp = Callable[[Session, Principal, str], None]


def _step_up_ok(session: Session, principal: Principal, action_key: str) -> None:
    """Refused (SecondFactorNeeded) when the agency lists "household_invite" among
    ``security.step_up_actions`` and this session has no fresh second factor: inviting,
    changing what someone sees and revoking a login all decide who sees the account."""
    require_recent_second_factor(session, principal, "household_invite")


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Member:
    contact_id: int
    name: str
    email: str
    role_label: str
    sees: str
    sees_label: str
    status: str  # active | invited | expired | off
    status_label: str
    is_me: bool
    is_primary: bool


@dataclass(frozen=True)
class Household:
    account_name: str
    can_manage: bool
    members: list[Member]


def _status(contact: Contact) -> tuple[str, str]:
    if contact.invite_digest and not contact.may_log_in:
        if _expired(contact):
            return "expired", "Invitation expired"
        return "invited", "Invited — waiting for them to confirm"
    if contact.may_log_in and contact.email:
        return "active", "Can log in"
    return "off", "Cannot log in"


def _expired(contact: Contact) -> bool:
    sent = as_utc(contact.invited_at) if contact.invited_at else None
    return sent is None or utcnow() - sent > timedelta(days=INVITE_DAYS)


def _member(contact: Contact, me_id: int | None) -> Member:
    status, status_label = _status(contact)
    sees = contact.sees if contact.sees in VIEWS else ContactSees.EVERYTHING.value
    return Member(
        contact_id=contact.id,
        name=contact.full_name,
        email=contact.email or "",
        role_label=CONTACT_ROLE_LABELS.get(contact.role, contact.role),
        sees=sees,
        sees_label=VIEWS[sees],
        status=status,
        status_label=status_label,
        is_me=contact.id == me_id,
        is_primary=contact.role == ContactRole.PRIMARY,
    )


def _contacts(session: Session, account_id: int) -> list[Contact]:
    return list(
        session.exec(
            select(Contact)
            .where(Contact.account_id == account_id)
            .order_by(Contact.role != ContactRole.PRIMARY, Contact.id)
        ).all()
    )


def household(session: Session, principal: Principal) -> Household:
    """Who may log in on the account, for anyone who sees everything (a read-only agent too);
    ``can_manage`` says whether this person may change it."""
    account = viewable_account(session, principal)
    me = session.get(Contact, principal.contact_id) if principal.is_customer else None
    return Household(
        account_name=account.name,
        can_manage=principal.is_customer and not principal.read_only and manages_household(me),
        members=[_member(c, me.id if me else None) for c in _contacts(session, account.id)],
    )


# --------------------------------------------------------------------------- invite


def invite(session: Session, principal: Principal, data: dict[str, Any] | None) -> Member:
    """Add a person to the account who may log in once they confirm from their own address."""
    me = require_household_manager(session, principal, INVITE)
    account = session.get(Account, principal.account_id)
    values = fi.allowed(data, INVITE_FIELDS)
    first = fi.text(values, "first_name", "First name", max_len=80)
    last = fi.text(values, "last_name", "Last name", max_len=80)
    email = fi.email(values, "email", "Email address")
    role = fi.choice(values, "role", "Who they are", INVITE_ROLES)
    sees = fi.choice(values, "sees", "What they see", VIEWS)
    if sees == ContactSees.CERTIFICATES and account.kind != AccountKind.COMMERCIAL:
        raise InvalidInput("Certificates only is for business accounts.", field="sees")
    held = session.exec(
        select(Contact).where(Contact.account_id == account.id, func.lower(Contact.email) == email)
    ).first()
    if held is not None:
        raise InvalidInput(
            f"{email} is already on this account ({held.full_name}). Change what they see "
            "in the list instead.",
            field="email",
        )
    if session.exec(select(Agent.id).where(func.lower(Agent.email) == email)).first():
        security_log.warning(
            "refused household invitation to agency staff: contact_id=%s account_id=%s",
            me.id,
            account.id,
        )
        raise InvalidInput(
            "That address belongs to your agency's staff, who reach your account from the "
            "agency side. Invite someone from your household or business instead.",
            field="email",
        )
    _step_up_ok(session, principal, INVITE)
    token = new_token()
    contact = Contact(
        account_id=account.id,
        role=role,
        first_name=first,
        last_name=last,
        email=email,
        may_log_in=False,  # until they confirm from this address
        sees=sees,
        notify_by_email=True,
        invite_digest=_hash(token),
        invited_at=utcnow(),
    )
    session.add(contact)
    session.flush()
    entry = record_action(
        session,
        principal,
        INVITE,
        summary=f"Invited {contact.full_name} ({email}) to log in; sees: {VIEWS[sees]}.",
        details={"contact_id": contact.id, "sees": sees},
    )
    outbox.enqueue(
        session,
        channel="email",
        to_address=email,
        template="household_invite",
        context={
            "first_name": first,
            "inviter": me.full_name,
            "account_name": account.name,
            "sees_label": VIEWS[sees].lower(),
            "email": email,
            "expires": date_text(utcnow() + timedelta(days=INVITE_DAYS)),
            "url": routes.absolute_url(routes.join_household_path(f"{contact.id}.{token}")),
            "url_label": "Accept the invitation",
        },
        recipient_kind="customer",
        account_id=account.id,
        activity_id=entry.id,
        to_name=contact.full_name,
    )
    return _member(contact, me.id)


def _hash(token: str) -> str:
    return keyed_hash("household-invite", token)


# --------------------------------------------------------------------------- confirming


@dataclass(frozen=True)
class Invitation:
    contact_id: int
    first_name: str
    email: str
    account_name: str
    sees_label: str


def _invited(session: Session, raw: object) -> tuple[Contact, Account]:
    text = raw if isinstance(raw, str) else ""
    head, _, token = text.partition(".")
    if not (head.isascii() and head.isdigit() and len(head) <= 12 and token):
        raise NotAllowed(LINK_NOT_VALID)
    contact = session.get(Contact, int(head))
    if contact is None:
        raise NotAllowed(LINK_NOT_VALID)
    if not contact.invite_digest:
        raise NotAllowed(LINK_USED)
    if not same_hash(contact.invite_digest, _hash(token)):
        raise NotAllowed(LINK_NOT_VALID)
    if _expired(contact):
        raise NotAllowed(LINK_EXPIRED)
    account = session.get(Account, contact.account_id)
    if account is None or not is_account_active(session, account.id):
        raise NotAllowed("This account's Client Center is closed. Call your agency.")
    return contact, account


def open_invitation(session: Session, raw: object) -> Invitation:
    """What the link's page shows before the invitee confirms (changes nothing, so a mail
    scanner that opens the link accepts nothing)."""
    contact, account = _invited(session, raw)
    return Invitation(
        contact.id,
        contact.first_name,
        contact.email or "",
        account.name,
        VIEWS.get(contact.sees, VIEWS["everything"]),
    )


def confirm_invitation(session: Session, raw: object) -> Invitation:
    """The invitee confirms: they may log in from now on; the link is used up."""
    contact, account = _invited(session, raw)
    contact.may_log_in = True
    contact.invite_digest = None
    session.add(contact)
    session.flush()
    record_action(
        session,
        Principal.customer(account.id, contact.id, view=contact.sees),
        JOINED,
        summary=f"{contact.full_name} confirmed their invitation and can now log in.",
        details={"contact_id": contact.id},
    )
    return Invitation(
        contact.id, contact.first_name, contact.email or "", account.name, VIEWS[contact.sees]
    )


# --------------------------------------------------------------------------- changing


def _target(session: Session, principal: Principal, contact_id: object) -> Contact:
    try:
        wanted = int(contact_id)
    except (TypeError, ValueError):
        raise NotFound("That person is not on this account.") from None
    contact = session.get(Contact, wanted)
    if contact is None or contact.account_id != principal.account_id:
        raise NotFound("That person is not on this account.")
    return contact


def change_access(
    session: Session, principal: Principal, contact_id: object, sees: object
) -> Member:
    """Choose what one person sees. The primary always sees everything, and a manager does
    not limit themselves (they would lose this page)."""
    me = require_household_manager(session, principal, ACCESS)
    contact = _target(session, principal, contact_id)
    sees = fi.choice({"sees": sees}, "sees", "What they see", VIEWS)
    account = session.get(Account, principal.account_id)
    if contact.role == ContactRole.PRIMARY:
        raise InvalidInput("The primary applicant always sees everything.", field="sees")
    if contact.id == me.id:
        raise InvalidInput(
            "You can't limit your own access: you would no longer manage who logs in.",
            field="sees",
        )
    if sees == ContactSees.CERTIFICATES and account.kind != AccountKind.COMMERCIAL:
        raise InvalidInput("Certificates only is for business accounts.", field="sees")
    if contact.sees == sees:
        raise InvalidInput(f"{contact.full_name} already sees: {VIEWS[sees].lower()}.")
    _step_up_ok(session, principal, ACCESS)
    before = VIEWS.get(contact.sees, contact.sees)
    contact.sees = sees
    if sees != ContactSees.EVERYTHING:
        contact.account_manager = False  # a manager sees everything
    session.add(contact)
    session.flush()
    _record_and_tell(
        session,
        principal,
        me,
        account,
        contact,
        ACCESS,
        summary=f"{contact.full_name} now sees: {VIEWS[sees]} (was: {before}).",
        change=f"What you see in Client Center for {account.name} is now: {VIEWS[sees].lower()}.",
    )
    return _member(contact, me.id)


def revoke(session: Session, principal: Principal, contact_id: object) -> Member:
    """Stop one person logging in (their open sessions end now), or withdraw an invitation."""
    me = require_household_manager(session, principal, REVOKE)
    contact = _target(session, principal, contact_id)
    account = session.get(Account, principal.account_id)
    if contact.id == me.id:
        raise InvalidInput(
            "You can't remove your own access: nobody would be left to manage who logs in. "
            "Call your agency if you want to stop using Client Center."
        )
    if contact.role == ContactRole.PRIMARY:
        raise InvalidInput(
            "The primary applicant's access can only be changed by your agency.",
        )
    if not contact.may_log_in and not contact.invite_digest:
        raise InvalidInput(f"{contact.full_name} already cannot log in.")
    _step_up_ok(session, principal, REVOKE)
    was_invited = not contact.may_log_in
    contact.may_log_in = False
    contact.invite_digest = None
    contact.account_manager = False
    session.add(contact)
    ended = revoke_contact_sessions(session, contact.id)
    session.flush()
    _record_and_tell(
        session,
        principal,
        me,
        account,
        contact,
        REVOKE,
        summary=(
            f"Withdrew the invitation to {contact.full_name}."
            if was_invited
            else f"{contact.full_name} can no longer log in"
            + (f"; {ended} open session(s) ended." if ended else ".")
        ),
        change=(
            f"The invitation to Client Center for {account.name} was withdrawn."
            if was_invited
            else f"You can no longer log in to Client Center for {account.name}."
        ),
    )
    return _member(contact, me.id)


def _record_and_tell(
    session: Session,
    principal: Principal,
    me: Contact,
    account: Account,
    contact: Contact,
    action_key: str,
    *,
    summary: str,
    change: str,
) -> None:
    """The catalog action (log, task, the primary's email per the matrix), and the email to
    the person the change concerns, who is not the one acting."""
    entry = record_action(
        session,
        principal,
        action_key,
        summary=summary,
        details={"contact_id": contact.id, "sees": contact.sees},
    )
    if contact.email:
        outbox.enqueue(
            session,
            channel="email",
            to_address=contact.email,
            template="household_notice",
            context={
                "first_name": contact.first_name,
                "change": change,
                "actor_name": me.full_name,
                "account_name": account.name,
            },
            recipient_kind="customer",
            account_id=account.id,
            activity_id=entry.id,
            to_name=contact.full_name,
        )
