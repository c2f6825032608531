"""Referral, feedback and claim survey pages: thin state over services/portal/engagement.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.services.dates import date_text
from clientcenter.services.errors import NotFound, ServiceError
from clientcenter.services.portal import engagement
from clientcenter.state import form_errors
from clientcenter.state.base import PortalState, off_loop


@dataclass
class ClaimRow:
    id: int = 0
    number: str = ""
    description: str = ""
    loss_date: str = ""
    policy: str = ""
    href: str = ""


def claim_row(v: engagement.ClaimView) -> ClaimRow:
    return ClaimRow(
        id=v.id,
        number=v.number,
        description=v.description,
        loss_date=f"{date_text(v.loss_date)}",
        policy=v.policy_label,
        href=routes.claim_survey_path(v.id),
    )


class EngagementState(PortalState):
    loaded: bool = False
    error: str = ""
    read_only: bool = False
    field_errors: dict[str, str] = {}
    form_error: str = ""
    done_message: str = ""
    claim: ClaimRow = ClaimRow()

    def _start(self):
        principal = self._require_account_principal()
        self.field_errors, self.form_error, self.done_message = {}, "", ""
        self.read_only = principal.read_only
        return principal

    @rx.event
    @off_loop
    def load(self):
        self._start()
        self.error, self.loaded = "", True

    @rx.event
    @off_loop
    def load_survey(self):
        principal = self._start()
        raw = str(self.router.page.params.get("claim_id") or "")
        try:
            if not raw.isdigit() or len(raw) > 12:
                raise NotFound("That claim is not on your account.")
            with session_scope() as db:
                self.claim = claim_row(engagement.get_survey_claim(db, principal, int(raw)))
        except ServiceError as exc:
            self.error, self.claim, self.loaded = exc.message, ClaimRow(), True
            return
        self.error, self.loaded = "", True

    def _run(self, action, *args) -> bool:
        principal = self._start()
        try:
            with session_scope() as db:
                action(db, principal, *args)
        except ServiceError as exc:
            self.field_errors, self.form_error = form_errors.split(exc)
            return False
        return True

    @rx.event
    @off_loop
    def refer(self, form_data: dict[str, Any]):
        if self._run(engagement.refer_friend, form_data):
            name = str(form_data.get("friend_name", "")).strip()
            self.done_message = f"Thanks! We'll reach out to {name} and mention you sent them."
            return rx.call_script("document.getElementById('referral-form')?.reset()")

    @rx.event
    @off_loop
    def feedback(self, form_data: dict[str, Any]):
        if self._run(engagement.give_feedback, form_data):
            self.done_message = "Thank you for your feedback!"
            return rx.call_script("document.getElementById('feedback-form')?.reset()")

    @rx.event
    @off_loop
    def survey(self, form_data: dict[str, Any]):
        if self._run(engagement.submit_claim_survey, self.claim.id, form_data):
            self.done_message = "Thank you! Your answers help us look after you better next time."
