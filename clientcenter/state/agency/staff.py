"""State of the staff page (/agent/admin, administrators): the agents with role, status and
last sign-in; invite; change a role; deactivate (confirm, then the reassignment list); reset a
second factor. Every handler goes through services/agency/staff.py, which refuses anyone
whose role may not manage staff, even when the handler is called directly."""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.services.accounts import when
from clientcenter.services.agency import staff
from clientcenter.services.errors import ServiceError
from clientcenter.state.agency.actions import PAGE_TOP
from clientcenter.state.agency.desk import AgentState
from clientcenter.state.base import off_loop
from clientcenter.state.form_errors import split

ROLE_OPTIONS = [[value, label] for value, label in staff.ROLE_CHOICES.items()]


@dataclass
class StaffMember:
    id: int = 0
    name: str = ""
    email: str = ""
    role: str = ""
    role_label: str = ""
    status: str = ""  # Active | Not set up | Deactivated
    active: bool = True
    last_sign_in: str = ""


@dataclass
class LeftBehind:
    label: str = ""
    href: str = ""


@dataclass
class Reassignment:
    """What a deactivated agent left: their open tasks and accounts."""

    name: str = ""
    sessions_ended: int = 0
    tasks: list[LeftBehind] = field(default_factory=list)
    accounts: list[LeftBehind] = field(default_factory=list)


def _member(row: staff.StaffRow) -> StaffMember:
    status = "Deactivated" if not row.active else ("Active" if row.enrolled else "Not set up")
    return StaffMember(
        id=row.agent_id,
        name=row.name,
        email=row.email,
        role=row.role,
        role_label=row.role_label,
        status=status,
        active=row.active,
        last_sign_in=when(row.last_sign_in_at) or "Never",
    )


def _reassignment(left: staff.Deactivated) -> Reassignment:
    return Reassignment(
        name=left.name,
        sessions_ended=left.sessions_ended,
        tasks=[
            LeftBehind(t.title, routes.agent_account_path(t.account_id) if t.account_id else "")
            for t in left.open_tasks
        ],
        accounts=[
            LeftBehind(a.name, routes.agent_account_path(a.account_id)) for a in left.accounts
        ],
    )


class StaffState(AgentState):
    members: list[StaffMember] = []
    role_options: list[list[str]] = ROLE_OPTIONS
    refused: str = ""  # the whole page is refused (not an administrator)
    error: str = ""
    notice: str = ""
    invite_errors: dict[str, str] = {}  # by field
    invite_error: str = ""
    confirming: int = 0  # the agent whose deactivation awaits confirmation
    confirming_name: str = ""
    left: Reassignment = Reassignment()
    has_left: bool = False

    def _load(self) -> None:
        principal = self._require_agent()
        try:
            with session_scope() as db:
                rows = staff.staff_list(db, principal)
        except ServiceError as exc:
            self.refused, self.members = exc.message, []
            return
        self.refused = ""
        self.members = [_member(r) for r in rows]

    def _run(self, action):
        """One staff service call; its result, or None with the refusal shown."""
        principal = self._require_agent()
        try:
            with session_scope() as db:
                result = action(db, principal)
        except ServiceError as exc:
            self.error, self.notice = exc.message, ""
            return None
        self.error = ""
        self._load()
        return result

    def _to_top(self) -> rx.event.EventSpec:
        """The message (and the confirmation) sit above the list: a phone scrolls up."""
        return rx.scroll_to(PAGE_TOP)

    @rx.event
    @off_loop
    def open_page(self):
        self.error = self.notice = self.invite_error = self.confirming_name = ""
        self.confirming, self.has_left, self.invite_errors = 0, False, {}
        self._load()

    @rx.event
    @off_loop
    def invite(self, form: dict):
        principal = self._require_agent()
        try:
            with session_scope() as db:
                made = staff.invite(db, principal, form)
        except ServiceError as exc:
            self.invite_errors, self.invite_error = split(exc)
            self.notice = ""
            return None
        self.invite_errors, self.invite_error, self.error = {}, "", ""
        self._load()
        self.notice = f"{made.name} is invited: we emailed a setup link to {made.email}."
        return rx.call_script("document.getElementById('invite-form').reset()")

    @rx.event
    @off_loop
    def change_role(self, agent_id: str, role: str):
        row = self._run(lambda db, p: staff.change_role(db, p, agent_id, role))
        if row is not None:
            self.notice = f"{row.name} is now {row.role_label}."
        return self._to_top()

    @rx.event
    @off_loop
    def ask_deactivate(self, agent_id: int):
        self._require_agent()
        found = [m for m in self.members if m.id == agent_id and m.active]
        self.confirming = found[0].id if found else 0
        self.confirming_name = found[0].name if found else ""
        return self._to_top()

    @rx.event
    @off_loop
    def cancel_deactivate(self):
        self._require_agent()
        self.confirming, self.confirming_name = 0, ""

    @rx.event
    @off_loop
    def deactivate(self):
        agent_id, self.confirming, self.confirming_name = self.confirming, 0, ""
        left = self._run(lambda db, p: staff.deactivate(db, p, agent_id))
        if left is not None:
            self.left, self.has_left = _reassignment(left), True
            self.notice = f"{left.name} is deactivated."
        return self._to_top()

    @rx.event
    @off_loop
    def reset_second_factor(self, agent_id: int):
        made = self._run(lambda db, p: staff.reset_second_factor(db, p, agent_id))
        if made is not None:
            self.notice = (
                f"{made.name}'s authenticator app is reset and their sessions have ended: we "
                f"emailed a new setup link to {made.email}."
            )
        return self._to_top()
