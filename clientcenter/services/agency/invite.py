"""Invite to Client Center: email the login link to an account's contacts who may log in
(docs/login.md, "Who may log in").

Not a catalog action, so it does not go through record_action: each invitation is an outbox
message (template ``portal_invite``) tied to the account, which is its record (the info pane
shows when the account was last invited), plus a line in the application log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session, select

from clientcenter import routes
from clientcenter.models import Contact, OutboxMessage
from clientcenter.models.accounts import ContactRole
from clientcenter.models.base import utcnow
from clientcenter.services.access import require_permission
from clientcenter.services.accounts import is_account_active
from clientcenter.services.agency.info_pane import INVITE_TEMPLATE, get_account
from clientcenter.services.agency.roles import Permission
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.notify import outbox
from clientcenter.services.principal import Principal

log = logging.getLogger("clientcenter.agency")
# The same address is not invited twice in this long (a double tap, two agents at once).
REPEAT_GAP = timedelta(minutes=10)


@dataclass(frozen=True)
class Invitee:
    contact_id: int
    name: str
    email: str
    reason: str  # "" when the contact can be invited, else why not


@dataclass(frozen=True)
class InviteResult:
    sent: list[str]  # "Pat Rivera <pat@…>"
    skipped: list[str] = field(default_factory=list)  # "Ava Rivera: no email address on file"

    @property
    def message(self) -> str:
        text = "Invitation sent to " + ", ".join(self.sent) + "." if self.sent else ""
        if self.skipped:
            text += (" " if text else "") + "Not invited: " + "; ".join(self.skipped) + "."
        return text


def invitees(session: Session, principal: Principal, account_id: object) -> list[Invitee]:
    """Every contact of the account with whether an invitation can reach them."""
    require_permission(session, principal, Permission.MANAGE_ACCOUNTS)
    account = get_account(session, account_id)
    contacts = session.exec(
        select(Contact)
        .where(Contact.account_id == account.id)
        .order_by(Contact.role != ContactRole.PRIMARY, Contact.id)
    ).all()
    return [Invitee(c.id, c.full_name, c.email or "", _reason(c)) for c in contacts]


def _reason(contact: Contact) -> str:
    if not contact.may_log_in:
        return "not allowed to log in (their login switch is off)"
    if not contact.email:
        return "no email address on file"
    return ""


def _recently_invited(session: Session, address: str) -> bool:
    since = utcnow() - REPEAT_GAP
    return (
        session.exec(
            select(OutboxMessage.id).where(
                OutboxMessage.template == INVITE_TEMPLATE,
                OutboxMessage.to_address == address,
                OutboxMessage.created_at >= since,
            )
        ).first()
        is not None
    )


def invite(
    session: Session,
    principal: Principal,
    account_id: object,
    contact_ids: list[object] | None = None,
) -> InviteResult:
    """Email the login link to the chosen contacts (default: everyone who may log in).
    Refused as a whole for an inactive account; a chosen contact who cannot be invited is
    refused with the reason."""
    agent = require_permission(session, principal, Permission.MANAGE_ACCOUNTS)
    account = get_account(session, account_id)
    if not is_account_active(session, account.id):
        raise InvalidInput(
            f"{account.name} has no active policy, so nobody can log in to its "
            "Client Center yet. Invite them once a policy is active."
        )
    contacts = session.exec(
        select(Contact)
        .where(Contact.account_id == account.id)
        .order_by(Contact.role != ContactRole.PRIMARY, Contact.id)
    ).all()
    if contact_ids is not None:
        wanted = set()
        for raw in contact_ids:
            try:
                wanted.add(int(raw))
            except (TypeError, ValueError):
                raise NotFound("That contact is not on this account.") from None
        chosen = [c for c in contacts if c.id in wanted]
        if not wanted or len(chosen) != len(wanted):
            raise NotFound("That contact is not on this account.")
        for c in chosen:
            if _reason(c):
                raise InvalidInput(f"{c.full_name} can't be invited: {_reason(c)}.")
    else:
        chosen = [c for c in contacts if not _reason(c)]
        if not chosen:
            reasons = "; ".join(f"{c.full_name}: {_reason(c)}" for c in contacts) or "no contacts"
            raise InvalidInput(f"Nobody on {account.name} can be invited ({reasons}).")
    sent, skipped = [], []
    for c in chosen:
        address = c.email.strip().lower()
        if _recently_invited(session, address):
            skipped.append(
                f"{c.full_name}: invited less than {REPEAT_GAP.seconds // 60} minutes ago"
            )
            continue
        outbox.enqueue(
            session,
            channel="email",
            to_address=address,
            template=INVITE_TEMPLATE,
            context={
                "first_name": c.first_name,
                "agent_name": agent.full_name,
                "account_name": account.name,
                "email": address,
                "url": routes.login_url(),
                "url_label": "Open Client Center",
            },
            recipient_kind="customer",
            account_id=account.id,
            to_name=c.full_name,
        )
        sent.append(f"{c.full_name} <{address}>")
    if contact_ids is None:
        skipped += [f"{c.full_name}: {_reason(c)}" for c in contacts if _reason(c)]
    log.info(
        "invite to Client Center: agent %s, account %s, %d sent", agent.id, account.id, len(sent)
    )
    return InviteResult(sent, skipped)
