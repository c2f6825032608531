"""The self-service menu (components/portal/self_service_menu.py): loads itself when shown."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.services.errors import ServiceError
from clientcenter.services.portal import portal_menu
from clientcenter.state.base import PortalState, off_loop
from clientcenter.state.portal.engagement import ClaimRow, claim_row


class MenuState(PortalState):
    menu_loaded: bool = False
    account_kind: str = ""
    certificates: bool = False
    proposals: bool = False
    open_proposals: int = 0
    proposal_href: str = routes.PROPOSALS
    referrals: bool = False
    feedback: bool = False
    claims_to_rate: list[ClaimRow] = []

    @rx.event
    @off_loop
    def load(self):
        principal = self._require_account_principal()
        try:
            with session_scope() as db:
                menu = portal_menu.menu_for(db, principal)
        except ServiceError:
            self.menu_loaded = False
            return
        self.account_kind = menu.account_kind
        self.certificates, self.proposals = menu.certificates, menu.proposals
        self.open_proposals = menu.open_proposals
        self.proposal_href = (
            routes.proposal_path(menu.first_open_proposal_id)
            if menu.open_proposals == 1
            else routes.PROPOSALS
        )
        self.referrals, self.feedback = menu.referrals, menu.feedback
        self.claims_to_rate = [claim_row(c) for c in menu.claims_to_rate]
        self.menu_loaded = True
