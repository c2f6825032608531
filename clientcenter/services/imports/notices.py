"""The notice of an import that asks for one (ImportOptions.notify): the matrix's
"Policies/Invoices" row, once per account whose policies, invoices or documents the import
created or changed, never once per row. It runs as the importing agent through record_action,
so the matrix and each contact's channel preferences decide who hears and how, exactly as when
an agent publishes by hand. A dry run asks the same code whom it would reach and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlmodel import Session, select

from clientcenter.models import Account, Contact, OutboxMessage
from clientcenter.models.accounts import ContactRole
from clientcenter.services.access import active_agent
from clientcenter.services.imports.entities.base import chunked
from clientcenter.services.notify.activity import recipients, record_action
from clientcenter.services.notify.catalog import get_action
from clientcenter.services.notify.matrix import cells_for
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

ACTION = "agency.publish_policies_invoices"


@dataclass
class Reach:
    """Customers a notice reaches: messages by channel, and the people (a customer emailed
    and texted is one person notified)."""

    emails: int = 0
    texts: int = 0
    people: int = 0

    def add(self, messages: Iterable[tuple[str, str]]) -> None:
        """(channel, person) of one account's customer messages."""
        people = set()
        for channel, person in messages:
            self.emails += channel == "email"
            self.texts += channel == "sms"
            people.add(person)
        self.people += len(people)


def send_notices(session: Session, principal: Principal, changed: Mapping[int, set[str]]) -> Reach:
    """One Policies/Invoices entry per changed account (``changed``: account id -> the kinds
    of record that changed on it), then what reached the customers, read from the outbox."""
    url = str(get_settings().public_url)
    reach = Reach()
    for batch in chunked(sorted(changed)):
        entries = [
            record_action(
                session,
                principal,
                ACTION,
                account_id=account_id,
                summary=_summary(changed[account_id]),
                details={"source": "import", "changed": sorted(changed[account_id])},
                links={"url": url, "url_label": "Open Client Center"},
            ).id
            for account_id in batch
        ]
        messages: dict[int, list[tuple[str, str]]] = {}
        for activity_id, channel, name in session.exec(
            select(OutboxMessage.activity_id, OutboxMessage.channel, OutboxMessage.to_name).where(
                OutboxMessage.activity_id.in_(entries), OutboxMessage.recipient_kind != "agent"
            )
        ):
            messages.setdefault(activity_id, []).append((channel, name))
        for found in messages.values():
            reach.add(found)
    return reach


def would_reach(
    session: Session,
    principal: Principal,
    account_ids: Iterable[int],
    new_accounts: Mapping[str, list[dict]],
) -> Reach:
    """Whom send_notices would reach, asked of the same recipients() the fan-out uses:
    accounts in the database as they stand, and accounts the import would create (by customer
    id) through the primary applicant its contacts file would create."""
    action, cells = get_action(ACTION), cells_for(ACTION)
    agent = active_agent(session, principal)
    reach = Reach()
    for batch in chunked(sorted(set(account_ids))):
        for account in session.exec(select(Account).where(Account.id.in_(batch))):
            found = recipients(session, principal, action, cells, account, None, agent)
            reach.add((r.channel, r.name) for r in found if r.kind != "agent")
    for customer_id, contacts in new_accounts.items():
        primary = next((c for c in contacts if c.get("role") == ContactRole.PRIMARY), None)
        person = Contact(**primary) if primary is not None else None
        account = Account(name=customer_id, external_id=customer_id)
        found = recipients(session, principal, action, cells, account, None, agent, primary=person)
        reach.add((r.channel, r.name) for r in found if r.kind != "agent")
    return reach


def _summary(kinds: set[str]) -> str:
    what = " and ".join(sorted(kinds))
    return f"Your {what} in your Client Center were updated from the agency's records."
