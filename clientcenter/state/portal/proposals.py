"""Proposals: the list and one proposal with accept/decline. Thin over services/portal/proposals.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.models.engagement import ProposalStatus
from clientcenter.services.dates import date_text
from clientcenter.services.errors import NotFound, ServiceError
from clientcenter.services.portal import proposals
from clientcenter.state import form_errors
from clientcenter.state.base import PortalState, off_loop


@dataclass
class ProposalRow:
    id: int = 0
    title: str = ""
    line_label: str = ""
    carrier: str = ""
    premium: str = ""
    status: str = ""
    status_label: str = ""
    valid_until: str = ""
    open_for_decision: bool = False
    decision_comment: str = ""
    href: str = ""


@dataclass
class ProposedCoverageRow:
    name: str = ""
    limit: str = ""
    deductible: str = ""


def proposal_row(v: proposals.ProposalView) -> ProposalRow:
    return ProposalRow(
        id=v.id,
        title=v.title,
        line_label=v.line_label,
        carrier=v.carrier,
        premium=v.premium,
        status=v.status,
        status_label=v.status_label,
        valid_until=f"{date_text(v.valid_until)}" if v.valid_until else "",
        open_for_decision=v.open_for_decision,
        decision_comment=v.decision_comment,
        href=routes.proposal_path(v.id),
    )


def _route_id(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 12 else None


class ProposalsState(PortalState):
    loaded: bool = False
    error: str = ""
    read_only: bool = False
    proposals: list[ProposalRow] = []
    proposal: ProposalRow = ProposalRow()
    coverages: list[ProposedCoverageRow] = []
    field_errors: dict[str, str] = {}
    form_error: str = ""
    decided_message: str = ""

    @rx.event
    @off_loop
    def load_list(self):
        principal = self._require_account_principal()
        try:
            with session_scope() as db:
                listed = proposals.list_proposals(db, principal)
        except ServiceError as exc:
            self.error, self.proposals, self.loaded = exc.message, [], True
            return
        self.error, self.read_only, self.loaded = "", principal.read_only, True
        self.proposals = [proposal_row(v) for v in listed]

    @rx.event
    @off_loop
    def load_one(self):
        principal = self._require_account_principal()
        self.field_errors, self.form_error, self.decided_message = {}, "", ""
        proposal_id = _route_id(self.router.page.params.get("proposal_id"))
        try:
            if proposal_id is None:
                raise NotFound("That proposal is not on your account.")
            with session_scope() as db:
                view = proposals.get_proposal(db, principal, proposal_id)
        except ServiceError as exc:
            self.error, self.proposal, self.coverages, self.loaded = (
                exc.message,
                ProposalRow(),
                [],
                True,
            )
            return
        self._show(view)
        self.error, self.read_only, self.loaded = "", principal.read_only, True

    def _show(self, view: proposals.ProposalView) -> None:
        self.proposal = proposal_row(view)
        self.coverages = [
            ProposedCoverageRow(c.name, c.limit, c.deductible or "—") for c in view.coverages
        ]

    @rx.event
    @off_loop
    def decide(self, form_data: dict[str, Any]):
        principal = self._require_account_principal()
        self.field_errors, self.form_error, self.decided_message = {}, "", ""
        try:
            with session_scope() as db:
                view = proposals.decide(db, principal, self.proposal.id, form_data)
        except ServiceError as exc:
            self.field_errors, self.form_error = form_errors.split(exc)
            return
        self._show(view)
        self.decided_message = (
            "Thank you: you accepted this proposal. Your agent will "
            "contact you to put it in place."
            if view.status == ProposalStatus.ACCEPTED
            else "You declined this proposal. Your agent has been told."
        )
