"""Proposals the agency published: the customer reads coverages and premium, then accepts or
declines with a comment. A decision is final here; changing one goes through the agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from clientcenter.models import Proposal
from clientcenter.models.base import utcnow
from clientcenter.models.engagement import ProposalStatus
from clientcenter.models.policies import POLICY_LINES
from clientcenter.services import form_input as fi
from clientcenter.services.access import (
    acting_contact,
    require_feature,
    viewable_account,
    writable_account,
)
from clientcenter.services.dates import date_text
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal

# The form's answer → the proposal's status.
DECISIONS = {"accept": ProposalStatus.ACCEPTED, "decline": ProposalStatus.DECLINED}
STATUS_LABELS = {
    ProposalStatus.PUBLISHED: "Awaiting your answer",
    ProposalStatus.ACCEPTED: "Accepted",
    ProposalStatus.DECLINED: "Declined",
}
DECISION_FIELDS = ("decision", "comment")


@dataclass(frozen=True)
class ProposedCoverage:
    name: str
    limit: str
    deductible: str


@dataclass(frozen=True)
class ProposalView:
    id: int
    title: str
    line_label: str
    carrier: str
    premium: str
    status: str
    status_label: str
    valid_until: date | None
    expired: bool
    open_for_decision: bool
    decision_comment: str
    decided_at: datetime | None
    coverages: tuple[ProposedCoverage, ...]
    has_document: bool
    document_id: int | None


def list_proposals(session: Session, principal: Principal) -> list[ProposalView]:
    require_feature("proposals")
    account = viewable_account(session, principal)
    rows = session.exec(
        select(Proposal)
        .where(Proposal.account_id == account.id)
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    ).all()
    return [proposal_view(p) for p in rows]


def get_proposal(session: Session, principal: Principal, proposal_id: int) -> ProposalView:
    require_feature("proposals")
    account = viewable_account(session, principal)
    return proposal_view(_own(session, account.id, proposal_id))


def decide(
    session: Session, principal: Principal, proposal_id: int, data: dict[str, Any] | None
) -> ProposalView:
    """Accept or decline, once, while the proposal is still valid."""
    require_feature("proposals")
    account = writable_account(session, principal, "customer.proposal")
    contact = acting_contact(session, principal)
    proposal = _own(session, account.id, proposal_id)
    values = fi.allowed(data, DECISION_FIELDS)
    decision = fi.choice(
        values, "decision", "Your answer", {"accept": "Accept", "decline": "Decline"}
    )
    comment = fi.text(values, "comment", "Comment", max_len=1000, required=False, multiline=True)
    if proposal.status != ProposalStatus.PUBLISHED:
        raise InvalidInput(
            f"You already {proposal.status} this proposal. To change your "
            "answer, contact your agency."
        )
    if _expired(proposal):
        raise InvalidInput(
            f"This proposal was valid until {date_text(proposal.valid_until)}. "
            "Ask your agency for an updated one."
        )
    # Conditional update: of two taps (or two devices) deciding at once, only one wins.
    result = session.exec(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status == ProposalStatus.PUBLISHED)
        .values(
            status=DECISIONS[decision],
            decision_comment=comment,
            decided_by_contact_id=contact.id,
            decided_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidInput(
            "This proposal was answered a moment ago. To change the answer, contact your agency."
        )
    session.refresh(proposal)
    verb = "Accepted" if decision == "accept" else "Declined"
    record_action(
        session,
        principal,
        "customer.proposal",
        summary=f"{verb} proposal “{proposal.title}” ({proposal.carrier}, "
        f"{_money(proposal)})" + (f" — “{comment}”" if comment else "") + ".",
        details={"proposal_id": proposal.id, "decision": proposal.status, "comment": comment},
    )
    return proposal_view(proposal)


def _own(session: Session, account_id: int, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.account_id != account_id:
        raise NotFound("That proposal is not on your account.")
    return proposal


def _expired(p: Proposal) -> bool:
    return p.valid_until is not None and p.valid_until < date.today()


def _money(p: Proposal) -> str:
    symbol = "$" if p.currency == "USD" else f"{p.currency} "
    return f"{symbol}{p.premium_cents / 100:,.2f}"


def proposal_view(p: Proposal) -> ProposalView:
    expired = _expired(p)
    return ProposalView(
        id=p.id,
        title=p.title,
        line_label=POLICY_LINES.get(p.line, p.line),
        carrier=p.carrier,
        premium=_money(p),
        status=p.status,
        status_label=(
            "Expired"
            if expired and p.status == ProposalStatus.PUBLISHED
            else STATUS_LABELS.get(p.status, p.status)
        ),
        valid_until=p.valid_until,
        expired=expired,
        open_for_decision=p.status == ProposalStatus.PUBLISHED and not expired,
        decision_comment=p.decision_comment,
        decided_at=p.decided_at,
        coverages=tuple(
            ProposedCoverage(
                str(c.get("name", "")), str(c.get("limit", "")), str(c.get("deductible", ""))
            )
            for c in (p.coverages or [])
        ),
        has_document=p.document_id is not None,
        document_id=p.document_id,
    )
