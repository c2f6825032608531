"""Profile's "Who can log in" and the invitation's /join/<token> page: thin states over
services/portal/household.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.services.auth.step_up import SecondFactorNeeded
from clientcenter.services.errors import ServiceError
from clientcenter.services.portal import household
from clientcenter.state import form_errors
from clientcenter.state.base import PortalState, off_loop
from clientcenter.state.portal.passkeys import PasskeysState


@dataclass
class MemberRow:
    id: int = 0
    name: str = ""
    email: str = ""
    role_label: str = ""
    sees: str = ""
    sees_label: str = ""
    status: str = ""
    status_label: str = ""
    is_me: bool = False
    is_primary: bool = False


def _row(m: household.Member) -> MemberRow:
    return MemberRow(
        id=m.contact_id,
        name=m.name,
        email=m.email,
        role_label=m.role_label,
        sees=m.sees,
        sees_label=m.sees_label,
        status=m.status,
        status_label=m.status_label,
        is_me=m.is_me,
        is_primary=m.is_primary,
    )


class HouseholdState(PortalState):
    loaded: bool = False
    shown: bool = False  # the section applies (someone who sees everything)
    can_manage: bool = False
    members: list[MemberRow] = []
    inviting: bool = False
    field_errors: dict[str, str] = {}
    error: str = ""
    notice: str = ""

    def _refresh(self, principal) -> None:
        with session_scope() as db:
            view = household.household(db, principal)
        self.can_manage = view.can_manage
        self.members = [_row(m) for m in view.members]
        self.shown = True

    @rx.event
    @off_loop
    def load(self):
        principal = self._require_account_principal()
        self.error, self.notice, self.field_errors, self.inviting = "", "", {}, False
        self.shown = False
        if principal.view != "everything":
            self.loaded = True  # a limited view has no say over who logs in
            return
        try:
            self._refresh(principal)
        except ServiceError as exc:
            self.error = exc.message
        self.loaded = True

    @rx.event
    @off_loop
    def start_invite(self):
        self.inviting, self.field_errors, self.error, self.notice = True, {}, "", ""

    @rx.event
    @off_loop
    def cancel_invite(self):
        self.inviting, self.field_errors, self.error = False, {}, ""

    def _act(self, action, done, retry: str = ""):
        principal = self._require_account_principal()
        self.field_errors, self.error, self.notice = {}, "", ""
        try:
            with session_scope() as db:
                member = action(db, principal)
        except SecondFactorNeeded as exc:
            # The agency asks a fresh second factor first: the prompt opens right here.
            self.error = exc.message
            return PasskeysState.ask_step_up(retry)
        except ServiceError as exc:
            self.field_errors, self.error = form_errors.split(exc)
            return None
        self.notice = done(member)
        self._refresh(principal)
        return None

    @rx.event
    @off_loop
    def invite(self, form_data: dict[str, Any]):
        data = {k: str(v) for k, v in (form_data or {}).items()}
        prompt = self._act(
            lambda db, p: household.invite(db, p, data),
            lambda m: (
                f"Invitation sent to {m.email}. They can log in once they confirm "
                "from that address."
            ),
            retry="household-send",
        )
        if not self.field_errors and not self.error:
            self.inviting = False
        return prompt

    @rx.event
    @off_loop
    def change_access(self, contact_id: int, sees: str):
        return self._act(
            lambda db, p: household.change_access(db, p, contact_id, sees),
            lambda m: f"{m.name} now sees: {m.sees_label.lower()}.",
        )

    @rx.event
    @off_loop
    def revoke(self, contact_id: int):
        return self._act(
            lambda db, p: household.revoke(db, p, contact_id),
            lambda m: f"{m.name} can no longer log in.",
        )


class JoinState(PortalState):
    """/join/<token>: shows the invitation, and confirms it on the invitee's tap (opening the
    link changes nothing, so a mail scanner accepts nothing)."""

    state: str = ""  # invalid | open | done
    message: str = ""
    first_name: str = ""
    email: str = ""
    account_name: str = ""
    sees_label: str = ""
    login_url: str = routes.CUSTOMER_LOGIN

    def _token(self) -> str:
        path = urlparse(str(self.router.url)).path
        return path.split(routes.JOIN_PREFIX, 1)[-1] if routes.JOIN_PREFIX in path else ""

    def _show(self, invitation: household.Invitation) -> None:
        self.first_name, self.email = invitation.first_name, invitation.email
        self.account_name, self.sees_label = invitation.account_name, invitation.sees_label

    @rx.event
    @off_loop
    def open_page(self):
        self.message = ""
        try:
            with session_scope() as db:
                self._show(household.open_invitation(db, self._token()))
        except ServiceError as exc:
            self.state, self.message = "invalid", exc.message
            return
        self.state = "open"

    @rx.event
    @off_loop
    def confirm(self):
        try:
            with session_scope() as db:
                self._show(household.confirm_invitation(db, self._token()))
        except ServiceError as exc:
            self.state, self.message = "invalid", exc.message
            return
        self.state = "done"
