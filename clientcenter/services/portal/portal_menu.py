"""What the self-service menu offers this account right now: which requests fit its kind,
whether certificates apply, proposals waiting for an answer, claims waiting for a survey."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from clientcenter.models.accounts import AccountKind
from clientcenter.services.access import feature_enabled, viewable_account
from clientcenter.services.portal import engagement, proposals
from clientcenter.services.portal.engagement import ClaimView
from clientcenter.services.principal import Principal


@dataclass(frozen=True)
class Menu:
    account_kind: str
    read_only: bool
    certificates: bool
    proposals: bool
    open_proposals: int
    first_open_proposal_id: int | None
    referrals: bool
    feedback: bool
    claims_to_rate: list[ClaimView]


def menu_for(session: Session, principal: Principal) -> Menu:
    account = viewable_account(session, principal)
    offered = proposals.list_proposals(session, principal) if feature_enabled("proposals") else []
    waiting = [p for p in offered if p.open_for_decision]
    return Menu(
        account_kind=account.kind,
        read_only=principal.read_only,
        certificates=feature_enabled("certificates") and account.kind == AccountKind.COMMERCIAL,
        proposals=bool(offered),
        open_proposals=len(waiting),
        first_open_proposal_id=waiting[0].id if waiting else None,
        referrals=feature_enabled("referrals"),
        feedback=feature_enabled("feedback"),
        claims_to_rate=(
            engagement.claims_awaiting_survey(session, principal)
            if feature_enabled("surveys")
            else []
        ),
    )
