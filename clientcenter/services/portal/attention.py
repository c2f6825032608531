"""Home's "Needs your attention" block: what the customer should look at now, most urgent
first (a bill due, a payment still on its way, a proposal waiting for an answer, a policy
renewing soon, a request the agency answered), and the customer's own producer.

Plain dataclasses only; every query is scoped to the principal's account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from clientcenter import routes
from clientcenter.models import Account, Policy
from clientcenter.models.agency import Agent
from clientcenter.models.engagement import ChangeRequest, Proposal, ProposalStatus, RequestStatus
from clientcenter.models.policies import POLICY_LINES, PolicyStatus
from clientcenter.services.access import account_in_view, feature_enabled, is_active_agent
from clientcenter.services.billing.summary import billing_summary
from clientcenter.services.portal.policies import format_date
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

RENEWAL_NOTICE_DAYS = 30  # a policy ending within this many days shows "Renews soon"
ANSWERED_RECENT_DAYS = 14  # a request the agency answered stays on Home this long


@dataclass(frozen=True)
class AttentionItem:
    kind: str  # bill_due | payment_pending | proposal | renewal | request_answered
    title: str
    detail: str
    href: str
    action: str  # the link's words ("Pay now", "View")


@dataclass(frozen=True)
class Producer:
    """The customer's own producer, or the agency's service desk when none can be reached."""

    name: str
    title: str
    phone: str  # as shown
    phone_href: str  # tel:+15550102000
    email: str


def attention_items(
    session: Session, principal: Principal, today: date | None = None
) -> list[AttentionItem]:
    """What needs the customer now, in the order Home shows it."""
    account = account_in_view(session, principal)
    today = today or date.today()
    items: list[AttentionItem] = []
    items += _billing(session, principal)
    if feature_enabled("proposals"):
        items += _proposals_waiting(session, account.id, today)
    items += _renewals(session, account.id, today)
    items += _requests_answered(session, account.id, today)
    return items


def _billing(session: Session, principal: Principal) -> list[AttentionItem]:
    """Bills due, then payments on their way: the billing summary's answer, so Home and
    Billing never disagree about what is owed."""
    summary = billing_summary(session, principal)
    items = []
    if summary.open_count:
        when = "was due" if summary.overdue else "due"
        bills = "1 bill" if summary.open_count == 1 else f"{summary.open_count} bills"
        items.append(
            AttentionItem(
                "bill_due",
                f"{summary.total_due} {when} {summary.next_due}",
                f"{bills} to pay",
                routes.BILLING,
                "Pay now",
            )
        )
    if not summary.pending:
        return items
    # A check mailed or a transfer sent is not "nothing due": the agency has not got it yet.
    first = summary.pending[0]
    title = (
        f"{first.amount} on its way"
        if summary.pending_count == 1
        else f"{summary.pending_count} payments on their way"
    )
    what = "A payment" if summary.pending_count == 1 else f"{summary.pending_count} payments"
    return [
        *items,
        AttentionItem(
            "payment_pending",
            title,
            f"{what} sent, not yet received. We'll confirm when it arrives.",
            routes.BILLING,
            "View",
        ),
    ]


def _proposals_waiting(session: Session, account_id: int, today: date) -> list[AttentionItem]:
    rows = session.exec(
        select(Proposal)
        .where(Proposal.account_id == account_id, Proposal.status == ProposalStatus.PUBLISHED)
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    ).all()
    waiting = [p for p in rows if p.valid_until is None or p.valid_until >= today]
    return [
        AttentionItem(
            "proposal",
            f"Proposal: {p.title}",
            f"Answer by {format_date(p.valid_until)}"
            if p.valid_until
            else "Waiting for your answer",
            routes.proposal_path(p.id),
            "Review",
        )
        for p in waiting
    ]


def _renewals(session: Session, account_id: int, today: date) -> list[AttentionItem]:
    soon = today + timedelta(days=RENEWAL_NOTICE_DAYS)
    rows = session.exec(
        select(Policy)
        .where(
            Policy.account_id == account_id,
            Policy.status == PolicyStatus.ACTIVE,
            Policy.expiration_date >= today,
            Policy.expiration_date <= soon,
        )
        .order_by(Policy.expiration_date, Policy.id)
    ).all()
    items = []
    for p in rows:
        days = (p.expiration_date - today).days
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
        items.append(
            AttentionItem(
                "renewal",
                f"{POLICY_LINES.get(p.line, p.line)} renews {when}",
                f"Policy {p.number} ends {format_date(p.expiration_date)}",
                routes.policy_path(p.id),
                "View",
            )
        )
    return items


def _requests_answered(session: Session, account_id: int, today: date) -> list[AttentionItem]:
    since = datetime.combine(today, datetime.min.time(), UTC) - timedelta(
        days=ANSWERED_RECENT_DAYS
    )
    rows = session.exec(
        select(ChangeRequest)
        .where(
            ChangeRequest.account_id == account_id,
            ChangeRequest.status.in_([RequestStatus.DONE, RequestStatus.DECLINED]),
            ChangeRequest.status_changed_at.is_not(None),
            ChangeRequest.status_changed_at >= since,
        )
        .order_by(ChangeRequest.status_changed_at.desc(), ChangeRequest.id.desc())
        .limit(3)
    ).all()
    return [
        AttentionItem(
            "request_answered",
            f"Request {r.reference} "
            + ("is done" if r.status == RequestStatus.DONE else "was declined"),
            r.status_note or r.summary,
            routes.REQUESTS,
            "View",
        )
        for r in rows
    ]


def your_producer(session: Session, principal: Principal) -> Producer:
    """The account's producer with a number to call; the agency's desk number fills in when
    the producer has none (and stands in for a producer no longer with the agency)."""
    account: Account = account_in_view(session, principal)
    agent = session.get(Agent, account.producer_id)
    branding = get_settings().branding
    if not is_active_agent(agent):
        return Producer(
            branding.agency_name,
            "Customer service",
            branding.phone,
            tel_href(branding.phone),
            branding.email,
        )
    phone = agent.phone or branding.phone
    return Producer(
        f"{agent.first_name} {agent.last_name}".strip(),
        agent.title or "Producer",
        phone,
        tel_href(phone),
        agent.email,
    )


def tel_href(phone: str) -> str:
    """A tap-to-call link: digits and a leading + only."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"
