"""record_action: the one place that applies the notification matrix.

Called inside the transaction of the change it records, it writes the activity-log row, the
producer's task/note and the outbox messages (webhook deliveries included:
services/webhooks/events.py). It never commits: if the caller's transaction
rolls back, none of it remains."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from clientcenter.models import Account, ActivityLog, Agent, Contact
from clientcenter.models.accounts import ContactRole
from clientcenter.models.base import utcnow
from clientcenter.services.access import acting_contact, active_agent
from clientcenter.services.agency import audit
from clientcenter.services.dates import time_text
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.form_input import looks_like_card_number
from clientcenter.services.notify import outbox
from clientcenter.services.notify.catalog import Action, get_action
from clientcenter.services.notify.matrix import cells_for
from clientcenter.services.notify.matrix_cells import Cells
from clientcenter.services.notify.phrasing import sentence
from clientcenter.services.notify.task_writer import write_task
from clientcenter.services.notify.templates import customer_headline
from clientcenter.services.principal import Principal
from clientcenter.services.webhooks import events as webhook_events
from clientcenter.settings import Settings, get_settings

ACTIVITY_CHANNELS = ("portal", "agency", "email", "sms")
HOLDER_ACTOR_NAME = "A certificate holder"
# details are shown to agents and kept for years: no secrets, codes or card data in them.
_FORBIDDEN_DETAIL_KEY = re.compile(
    r"code|token|secret|password|card|cvv|cvc|pan\b|iban|account_number|routing", re.I
)


_LOOK_UP = object()  # recipients(): the primary applicant comes from the database


@dataclass(frozen=True)
class Recipient:
    kind: str  # agent | customer | primary
    channel: str  # email | sms
    address: str
    name: str
    first_name: str


def record_action(
    session: Session,
    principal: Principal,
    action_key: str,
    *,
    account_id: int | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
    channel: str | None = None,
    links: dict[str, str] | None = None,
    settings: Settings | None = None,
) -> ActivityLog:
    """Apply the matrix row of ``action_key`` for ``principal`` on the account."""
    settings = settings or get_settings()
    action = get_action(action_key)
    account = _subject_account(session, principal, action, account_id)
    details = _safe_details(details or {})
    # What people read in messages is held to the same rule as the log; the links' URLs are
    # not: they are ours, and a signed token's random digits can look like a card number.
    _safe_details(
        {"summary": summary or "", **{k: v for k, v in (links or {}).items() if k != "url"}}
    )
    channel = channel or ("agency" if action.section == "agency" else "portal")
    if channel not in ACTIVITY_CHANNELS:
        raise ValueError(f"channel must be one of {ACTIVITY_CHANNELS}")
    cells = cells_for(action.key, settings)
    actor_contact, actor_agent = _actor(session, principal)
    actor_name = (
        actor_contact.full_name
        if actor_contact
        else actor_agent.full_name
        if actor_agent
        else HOLDER_ACTOR_NAME
    )
    summary = " ".join((summary or "").split())[:300]

    entry = ActivityLog(
        account_id=account.id if account else None,
        action_key=action.key,
        actor_kind=principal.kind,
        actor_contact_id=actor_contact.id if actor_contact else None,
        actor_agent_id=actor_agent.id if actor_agent else None,
        channel=channel,
        read_only=principal.read_only,
        summary=summary,
        details=details,
        created_at=utcnow(),
    )
    if cells.log:
        session.add(entry)
        session.flush()
    if principal.is_agent and not principal.read_only:
        # Every agency-side change passes here: the audit trail's write, in this transaction.
        # (A read-only agent changes nothing; its view is audited as a read.)
        audit.record_write(
            session, principal, action.key, account.id if account else None, summary
        )

    if cells.task and account is not None:
        write_task(
            session,
            account=account,
            action=action,
            entry=entry,
            actor_name=actor_name,
            summary=summary,
            details=details,
        )

    context = {
        "label": action.label,
        "account_name": account.name if account else "",
        "actor_name": actor_name,
        "sentence": sentence(actor_name, action.key, details),
        "summary": summary,
        "when": time_text(entry.created_at, settings),
        "headline": customer_headline(action.key, action.label, settings),
        **(links or {}),
    }
    for recipient in recipients(
        session, principal, action, cells, account, actor_contact, actor_agent
    ):
        outbox.enqueue(
            session,
            channel=recipient.channel,
            to_address=recipient.address,
            template=f"action_{recipient.kind}",
            context={
                **_portal_link(recipient.kind, context, settings),
                "first_name": recipient.first_name,
            },
            recipient_kind=recipient.kind,
            account_id=account.id if account else None,
            activity_id=entry.id,
            to_name=recipient.name,
            settings=settings,
        )
    # Webhooks out: the action's event, if it has one, to the endpoints that subscribed.
    webhook_events.emit_for_action(
        session,
        action.key,
        actor_kind=principal.kind,
        account=account,
        activity_id=entry.id if cells.log else None,
        summary=summary,
        details=details,
    )
    session.flush()
    return entry


def _portal_link(kind: str, context: dict, settings: Settings) -> dict:
    """Customers' messages lead back to the portal unless the action brought its own link."""
    if kind == "agent" or context.get("url"):
        return context
    return {**context, "url": str(settings.public_url), "url_label": "Open Client Center"}


def recipients(
    session: Session,
    principal: Principal,
    action: Action,
    cells: Cells,
    account: Account | None,
    actor_contact: Contact | None,
    actor_agent: Agent | None,
    *,
    primary: Contact | None | object = _LOOK_UP,
) -> list[Recipient]:
    """Who the matrix row notifies, and by which channel (docs/actions-and-matrix.md, "The five
    columns"). ``primary`` is the account's primary applicant when the caller knows it (an
    import's dry run counting for accounts it would create); else it is looked up."""
    found: list[Recipient] = []
    if cells.agent_email:
        # The assigned producer when a customer acts; the acting agent when an agent acts.
        agent = (
            actor_agent
            if actor_agent
            else (session.get(Agent, account.producer_id) if account else None)
        )
        if agent is not None and agent.email:
            found.append(
                Recipient("agent", "email", agent.email, agent.full_name, agent.first_name)
            )
    if primary is _LOOK_UP:
        primary = _primary(session, account) if account else None
    if cells.customer_email:
        # The acting customer; the customer (the primary applicant) when an agent acts.
        customer = actor_contact if actor_contact else primary
        if customer is not None:
            if action.by_text and not customer.mobile:
                raise InvalidInput(
                    f"{customer.full_name} has no mobile number on file: share by email instead."
                )
            for ch in _contact_channels(customer, sms_only=action.by_text):
                found.append(_to_contact("customer", ch, customer))
    if (
        cells.primary_email
        and actor_contact is not None
        and actor_contact.role != ContactRole.PRIMARY
    ):
        if primary is not None:
            for ch in _contact_channels(primary, sms_only=False):
                found.append(_to_contact("primary", ch, primary))
    # One message per address: a shared family mailbox is not told twice.
    unique: list[Recipient] = []
    seen: set[tuple[str, str]] = set()
    for r in found:
        if (r.channel, r.address.lower()) not in seen:
            seen.add((r.channel, r.address.lower()))
            unique.append(r)
    return unique


def _contact_channels(contact: Contact, *, sms_only: bool) -> list[str]:
    """Channels for a contact: SMS for "through Text" actions, else per their preferences,
    falling back to whatever they have on file when no preferred channel is reachable."""
    if sms_only:
        return ["sms"]
    chosen = []
    if contact.notify_by_email and contact.email:
        chosen.append("email")
    if contact.notify_by_sms and contact.mobile:
        chosen.append("sms")
    if not chosen:
        chosen = ["email"] if contact.email else (["sms"] if contact.mobile else [])
    return chosen


def _to_contact(kind: str, channel: str, contact: Contact) -> Recipient:
    address = contact.email if channel == "email" else contact.mobile
    return Recipient(kind, channel, address, contact.full_name, contact.first_name)


def _primary(session: Session, account: Account) -> Contact | None:
    return session.exec(
        select(Contact)
        .where(Contact.account_id == account.id, Contact.role == ContactRole.PRIMARY)
        .order_by(Contact.id)
    ).first()


def _subject_account(
    session: Session, principal: Principal, action: Action, account_id: int | None
) -> Account | None:
    """The account the action concerns; the principal must be entitled to act on it here."""
    if action.section == "holder" or principal.is_holder:
        # A certificate holder's link names one account; the holder acts on nothing else.
        if not (principal.is_holder and action.section == "holder" and principal.account_id):
            raise NotAllowed(f"{action.label} is recorded only for a certificate holder's link.")
        if account_id is not None and account_id != principal.account_id:
            raise NotFound("That account is not the one the certificate link is for.")
        account_id = principal.account_id
    elif action.section == "customer":
        if not principal.is_customer:
            raise NotAllowed(f"{action.label} is a customer action.")
        if account_id is not None and account_id != principal.account_id:
            raise NotFound("That account is not the one you are signed in to.")
        account_id = principal.account_id
    elif action.section == "agent":
        if not (principal.is_agent and principal.read_only and principal.account_id):
            raise NotAllowed(f"{action.label} is an agent action in a customer's Client Center.")
        if account_id is not None and account_id != principal.account_id:
            raise NotFound("That account is not the one open in read-only mode.")
        account_id = principal.account_id
    else:
        if not principal.is_agent or principal.read_only:
            raise NotAllowed(f"{action.label} is taken on the agency side, not in read-only mode.")
        account_id = account_id if account_id is not None else principal.account_id
        if account_id is None:
            raise InvalidInput(f"{action.label} needs the customer account it concerns.")
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("No such customer account.")
    if principal.is_customer:
        acting_contact(session, principal)  # a customer acts on principal.account_id alone
    return account


def _actor(session: Session, principal: Principal) -> tuple[Contact | None, Agent | None]:
    if principal.is_holder:
        return None, None
    if principal.is_customer:
        return acting_contact(session, principal), None
    return None, active_agent(session, principal)


def _safe_details(details: dict[str, Any]) -> dict[str, Any]:
    """Refuse details that could hold a code, token or card number (they are kept for years)."""

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if _FORBIDDEN_DETAIL_KEY.search(str(k)):
                    raise ValueError(
                        f"activity details may not hold {path}{k!r} "
                        "(codes, tokens and card data stay out of the log)"
                    )
                walk(v, f"{path}{k}.")
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item, path)
        elif isinstance(value, str) and looks_like_card_number(value):
            raise ValueError(
                f"activity details {path.rstrip('.') or 'value'} looks like a card number"
            )

    walk(details, "")
    return details
