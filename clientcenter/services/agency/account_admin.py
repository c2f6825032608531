"""Accounts from the agency side: who the producer is, and the contacts' logins.

- **Producer.** One account's producer changes (``reassign_producer``), or every account of one
  producer moves to another (``reassign_all``: a deactivated agent's book). The new producer
  must be active and able to work the task queue, since the account's tasks go to them; the
  account's open tasks that waited for the old producer follow the account.
- **May log in** (``switch_login``). Switched off, that contact's live sessions end at once.
- **Login email or mobile** (``correct_address``): validated as the portal's profile does; no
  other contact of the account may hold it already. The replaced address is told (a change
  nobody asked for does not go unnoticed), and sessions that stood on it end.
- **Primary** (``mark_primary``): the previous primary takes the new primary's old role.
- **Account manager** (``mark_account_manager``): on a business account, a contact who may
  manage who logs in as the primary does (services/portal/household.py).

Each needs ``Permission.MANAGE_ACCOUNTS`` and is recorded in the account's activity log with
the agent who did it (log-only rows of the Portal Section, docs/actions-and-matrix.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from clientcenter.models import Account, Agent, Contact, Task
from clientcenter.models.accounts import (
    CONTACT_ROLE_LABELS,
    AccountKind,
    ContactRole,
    ContactSees,
)
from clientcenter.models.activity import TaskStatus
from clientcenter.services import form_input as fi
from clientcenter.services.access import agent_may, is_active_agent, require_permission
from clientcenter.services.agency.info_pane import get_account
from clientcenter.services.agency.roles import ROLE_LABELS, Permission, role_of
from clientcenter.services.auth.sessions import revoke_contact_sessions
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.notify import outbox
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.contact_change import FIELDS
from clientcenter.services.portal.profile import format_mobile
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

REASSIGN = "agency.reassign_producer"
SWITCH_LOGIN = "agency.switch_login"
CORRECT_ADDRESS = "agency.correct_login_address"
MARK_PRIMARY = "agency.mark_primary"
MARK_MANAGER = "agency.mark_account_manager"

NOT_ON_ACCOUNT = "That person is not on this account."


@dataclass(frozen=True)
class Changed:
    message: str
    moved: int = 0  # accounts moved (reassignments)


@dataclass(frozen=True)
class ProducerChoice:
    id: int
    name: str
    accounts: int  # how many accounts they hold now


@dataclass(frozen=True)
class ManagedContact:
    id: int
    name: str
    role: str
    role_label: str
    email: str
    mobile: str  # as people read it
    may_log_in: bool
    # On a business account: whether the agency could mark this contact account manager
    # (not the primary), and whether it has.
    may_be_manager: bool = False
    account_manager: bool = False


@dataclass(frozen=True)
class ManageView:
    account_id: int
    name: str
    producer_id: int
    producer: str
    producer_accounts: int  # how many accounts the current producer holds
    producers: list[ProducerChoice]  # who may become the producer
    contacts: list[ManagedContact]


# --------------------------------------------------------------------------- reading


def may_be_producer(agent: Agent) -> bool:
    """An account's tasks go to its producer: an active agent whose role works the queue."""
    return agent_may(agent, Permission.TASK_QUEUE)


def _accounts_of(session: Session, agent_id: int) -> list[Account]:
    return list(
        session.exec(
            select(Account).where(Account.producer_id == agent_id).order_by(Account.id)
        ).all()
    )


def _contacts(session: Session, account_id: int) -> list[Contact]:
    return list(
        session.exec(
            select(Contact)
            .where(Contact.account_id == account_id)
            .order_by(
                Contact.role != ContactRole.PRIMARY,
                Contact.role != ContactRole.CO_APPLICANT,
                Contact.id,
            )
        ).all()
    )


def manage_view(session: Session, principal: Principal, account_id: object) -> ManageView:
    """What the account's Manage page shows."""
    require_permission(session, principal, Permission.MANAGE_ACCOUNTS)
    account = get_account(session, account_id)
    producer = session.get(Agent, account.producer_id)
    agents = session.exec(select(Agent).order_by(Agent.last_name, Agent.first_name)).all()
    counts = dict(
        session.exec(
            select(Account.producer_id, func.count(Account.id)).group_by(Account.producer_id)
        ).all()
    )
    return ManageView(
        account_id=account.id,
        name=account.name,
        producer_id=account.producer_id,
        producer=producer.full_name if producer else "",
        producer_accounts=counts.get(account.producer_id, 0),
        producers=[
            ProducerChoice(a.id, a.full_name, counts.get(a.id, 0))
            for a in agents
            if may_be_producer(a)
        ],
        contacts=[
            ManagedContact(
                id=c.id,
                name=c.full_name,
                role=c.role,
                role_label=CONTACT_ROLE_LABELS.get(c.role, c.role),
                email=c.email or "",
                mobile=format_mobile(c.mobile),
                may_log_in=c.may_log_in,
                may_be_manager=account.kind == AccountKind.COMMERCIAL
                and c.role != ContactRole.PRIMARY,
                account_manager=c.account_manager,
            )
            for c in _contacts(session, account.id)
        ],
    )


# --------------------------------------------------------------------------- producers


def _agent(session: Session, agent_id: object, field: str) -> Agent:
    agent_id = fi.record_id({field: agent_id}, field, "The producer")
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFound("No such agent.")
    return agent


def _new_producer(session: Session, agent_id: object) -> Agent:
    agent = _agent(session, agent_id, "producer_id")
    if not is_active_agent(agent):
        raise InvalidInput(
            f"{agent.full_name} is deactivated; choose an active producer.", field="producer_id"
        )
    if not may_be_producer(agent):
        role = role_of(agent.role)
        what = f"an {ROLE_LABELS[role].lower()}" if role else "not a producer"
        raise InvalidInput(
            f"{agent.full_name} is {what} and cannot hold accounts: the producer works the "
            "account's tasks.",
            field="producer_id",
        )
    return agent


def _move(session: Session, principal: Principal, account: Account, to: Agent) -> int:
    """Hand one account to ``to``: its open tasks that waited for the old producer follow it.
    Returns how many tasks moved."""
    old = session.get(Agent, account.producer_id)
    tasks = session.exec(
        select(Task).where(
            Task.account_id == account.id,
            Task.assigned_agent_id == account.producer_id,
            Task.status == TaskStatus.OPEN,
        )
    ).all()
    for task in tasks:
        task.assigned_agent_id = to.id
        session.add(task)
    account.producer_id = to.id
    session.add(account)
    session.flush()
    old_name = old.full_name if old else "no producer"
    record_action(
        session,
        principal,
        REASSIGN,
        account_id=account.id,
        summary=f"Producer changed from {old_name} to {to.full_name}"
        + (f"; {len(tasks)} open task(s) moved with the account." if tasks else "."),
        details={
            "from_agent_id": old.id if old else None,
            "to_agent_id": to.id,
            "tasks_moved": len(tasks),
        },
    )
    return len(tasks)


def reassign_producer(
    session: Session, principal: Principal, account_id: object, agent_id: object
) -> Changed:
    require_permission(session, principal, Permission.MANAGE_ACCOUNTS)
    account = get_account(session, account_id)
    to = _new_producer(session, agent_id)
    if to.id == account.producer_id:
        raise InvalidInput(
            f"{to.full_name} is already the producer of {account.name}.", field="producer_id"
        )
    _move(session, principal, account, to)
    return Changed(f"{to.full_name} is now the producer of {account.name}.", moved=1)


def reassign_all(
    session: Session, principal: Principal, from_agent_id: object, to_agent_id: object
) -> Changed:
    """Every account of one producer (active or not) to another; each account's log says so."""
    require_permission(session, principal, Permission.MANAGE_ACCOUNTS)
    source = _agent(session, from_agent_id, "from_agent_id")
    to = _new_producer(session, to_agent_id)
    if to.id == source.id:
        raise InvalidInput("Choose another producer to move the accounts to.", field="producer_id")
    accounts = _accounts_of(session, source.id)
    if not accounts:
        raise InvalidInput(f"{source.full_name} has no accounts to move.", field="from_agent_id")
    for account in accounts:
        _move(session, principal, account, to)
    count = len(accounts)
    noun = "account" if count == 1 else "accounts"
    return Changed(f"Moved {count} {noun} from {source.full_name} to {to.full_name}.", moved=count)


# --------------------------------------------------------------------------- contacts


def _contact_on(session: Session, account: Account, contact_id: object) -> Contact:
    try:
        contact = session.get(Contact, int(contact_id))
    except (TypeError, ValueError):
        contact = None
    if contact is None or contact.account_id != account.id:
        raise NotFound(NOT_ON_ACCOUNT)
    return contact


def mark_account_manager(
    session: Session,
    principal: Principal,
    account_id: object,
    contact_id: object,
    manager: bool,
) -> Changed:
    """On a business account, let a contact manage who logs in (or stop them)."""
    require_permission(session, principal, Permission.MANAGE_ACCOUNTS)
    account = get_account(session, account_id)
    contact = _contact_on(session, account, contact_id)
    manager = bool(manager)
    if account.kind != AccountKind.COMMERCIAL:
        raise InvalidInput(
            "Account managers are for business accounts; on a personal account the primary "
            "applicant manages who logs in."
        )
    if contact.role == ContactRole.PRIMARY:
        raise InvalidInput(f"{contact.full_name} is the primary and manages logins already.")
    if manager and contact.sees != ContactSees.EVERYTHING:
        raise InvalidInput(
            f"{contact.full_name} sees only part of the account; an account manager sees "
            "everything. Ask the primary to change what they see first."
        )
    if contact.account_manager == manager:
        state = "is already" if manager else "is not"
        raise InvalidInput(f"{contact.full_name} {state} an account manager.")
    contact.account_manager = manager
    session.add(contact)
    session.flush()
    done = "is now an account manager" if manager else "is no longer an account manager"
    record_action(
        session,
        principal,
        MARK_MANAGER,
        account_id=account.id,
        summary=f"{contact.full_name} {done} (manages who logs in).",
        details={"contact_id": contact.id, "account_manager": manager},
    )
    return Changed(f"{contact.full_name} {done}.")


def switch_login(
    session: Session,
    principal: Principal,
    account_id: object,
    contact_id: object,
    may_log_in: bool,
) -> Changed:
    """Let a contact log in, or stop them (their live sessions end now)."""
    require_permission(session, principal, Permission.MANAGE_ACCOUNTS)
    account = get_account(session, account_id)
    contact = _contact_on(session, account, contact_id)
    may_log_in = bool(may_log_in)
    if contact.may_log_in == may_log_in:
        state = "may already" if may_log_in else "already may not"
        raise InvalidInput(f"{contact.full_name} {state} log in.")
    if may_log_in and not contact.email:
        # Customers log in with their email (a code by text still starts from it).
        raise InvalidInput(
            f"{contact.full_name} has no email address on file; add one first to let them log in."
        )
    contact.may_log_in = may_log_in
    session.add(contact)
    ended = 0 if may_log_in else revoke_contact_sessions(session, contact.id)
    session.flush()
    done = "may now log in" if may_log_in else "may no longer log in"
    record_action(
        session,
        principal,
        SWITCH_LOGIN,
        account_id=account.id,
        summary=f"{contact.full_name} {done} to Client Center"
        + (f"; {ended} open session(s) ended." if ended else "."),
        details={"contact_id": contact.id, "may_log_in": may_log_in, "sessions_ended": ended},
    )
    return Changed(f"{contact.full_name} {done}.")


def _parse_address(values: dict[str, Any], field: str, contact: Contact) -> str:
    """The new value, validated as the portal's profile form does (services/form_input.py)."""
    if field == "email":
        return fi.email(values, "value", "Email address")
    return fi.sms_mobile(values, "value", "Mobile number", unchanged=contact.mobile)


def _held_by_another(session: Session, contact: Contact, field: str, value: str) -> Contact | None:
    """Another contact of the same account with this login address (emails compared as the
    login compares them, whatever their case)."""
    held = (
        func.lower(Contact.email) == value.lower()
        if field == "email"
        else col(Contact.mobile) == value
    )
    return session.exec(
        select(Contact).where(
            Contact.account_id == contact.account_id, Contact.id != contact.id, held
        )
    ).first()


def _tell_old_address(
    session: Session, agent: Agent, account: Account, contact: Contact, field: str, old: str
) -> None:
    """The replaced address hears of the change (a notice, no code, no link), in the words the
    portal's own change uses (services/portal/contact_change.py)."""
    channel, words = FIELDS[field]
    outbox.enqueue(
        session,
        channel=channel,
        to_address=old,
        template="contact_changed",
        context={
            "first_name": contact.first_name,
            "what": words,
            "done": "changed",
            "by_whom": f"by {agent.full_name} at {get_settings().branding.short_name}",
            "account_name": account.name,
        },
        recipient_kind="other",
        account_id=account.id,
        to_name=contact.full_name,
    )


def correct_address(
    session: Session,
    principal: Principal,
    account_id: object,
    contact_id: object,
    data: dict[str, Any] | None,
) -> Changed:
    """Correct a contact's login email or mobile (``data``: field, value). The old address is
    told; sessions that stood on it end (an email-bound session would stop at its next check
    anyway; a session proven by a text to the old mobile would not)."""
    agent = require_permission(session, principal, Permission.MANAGE_ACCOUNTS)
    account = get_account(session, account_id)
    contact = _contact_on(session, account, contact_id)
    values = fi.allowed(data, ("field", "value"))
    field = fi.choice(values, "field", "What to correct", FIELDS)
    value = _parse_address(values, field, contact)
    _, words = FIELDS[field]
    old = getattr(contact, field)
    if value == old:
        raise InvalidInput(f"That is already {contact.first_name}'s {words}.", field="value")
    other = _held_by_another(session, contact, field, value)
    if other is not None:
        raise InvalidInput(
            f"{other.full_name} on this account already has that {words}; each person's "
            "login needs their own.",
            field="value",
        )
    setattr(contact, field, value)
    session.add(contact)
    ended = revoke_contact_sessions(session, contact.id, proof=None if field == "email" else "sms")
    session.flush()
    if old:
        _tell_old_address(session, agent, account, contact, field, old)
    shown = value if field == "email" else format_mobile(value)
    record_action(
        session,
        principal,
        CORRECT_ADDRESS,
        account_id=account.id,
        summary=f"Login {words} of {contact.full_name} corrected to {shown}"
        + ("; the old one was told" if old else "")
        + (f"; {ended} open session(s) ended." if ended else "."),
        details={
            "contact_id": contact.id,
            "changed": [field],
            "old_told": bool(old),
            "sessions_ended": ended,
        },
    )
    return Changed(
        f"{contact.full_name}'s {words} is now {shown}."
        + (" The old one was told." if old else "")
    )


def mark_primary(
    session: Session, principal: Principal, account_id: object, contact_id: object
) -> Changed:
    """Make a contact the primary applicant; the previous primary takes their old role."""
    require_permission(session, principal, Permission.MANAGE_ACCOUNTS)
    account = get_account(session, account_id)
    contact = _contact_on(session, account, contact_id)
    if contact.role == ContactRole.PRIMARY:
        raise InvalidInput(f"{contact.full_name} is already the primary applicant.")
    old_role = contact.role
    previous = [c for c in _contacts(session, account.id) if c.role == ContactRole.PRIMARY]
    for person in previous:
        person.role = old_role
        session.add(person)
    contact.role = ContactRole.PRIMARY
    session.add(contact)
    session.flush()
    label = CONTACT_ROLE_LABELS.get(old_role, old_role).lower()
    before = ", ".join(p.full_name for p in previous)
    said = f"{contact.full_name} is now the primary applicant" + (
        f"; {before} is now the {label}." if previous else "."
    )
    record_action(
        session,
        principal,
        MARK_PRIMARY,
        account_id=account.id,
        summary=said,
        details={
            "contact_id": contact.id,
            "previous_primary_ids": [p.id for p in previous],
            "previous_role": old_role,
        },
    )
    return Changed(said)
