"""Agent-side states: Super Search and the customer info pane (with Invite and the Client
Center icon). Thin, like every state: each handler resolves the agent from this connection's
session cookie, calls one service, and maps the answer to plain vars."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.services.agency import info_pane as pane_service
from clientcenter.services.agency import invite as invite_service
from clientcenter.services.agency import read_only
from clientcenter.services.agency import tasks as tasks_service
from clientcenter.services.agency.agents import agent_access
from clientcenter.services.agency.search import super_search
from clientcenter.services.auth.sessions import SessionCheck, SessionStatus
from clientcenter.services.errors import ServiceError
from clientcenter.services.principal import Principal
from clientcenter.state.base import (
    PortalState,
    SessionEnded,
    leave_to,
    location_for,
    off_loop,
    post_navigation,
)


def _ended_for_agent_pages(principal: Principal) -> SessionEnded:
    """Where a non-agent (or a read-only view) goes when it reaches an agent page."""
    ended = SessionEnded(
        SessionCheck(SessionStatus.ACCESS, kind="agent", session_id=principal.session_id)
    )
    if principal.is_agent and principal.read_only:
        ended.location = routes.CUSTOMER_HOME  # still viewing a customer: back to that view
    return ended


class AgentState(PortalState):
    """Base of every agent page state."""

    # The agent's role and what it allows (Permission values), read on every page load so the
    # pages hide the rest; the services refuse it on the server whatever the page shows.
    role: str = ""
    role_label: str = ""
    permissions: list[str] = []
    # Who is signed in (the header shows it on a wide screen), read with the role.
    signed_in_name: str = ""

    def _require_agent(self) -> Principal:
        principal = self._require_principal()
        if not principal.is_agent or principal.read_only:
            raise _ended_for_agent_pages(principal)
        return principal

    @rx.event
    @off_loop
    def require_agent_login(self):
        """on_load guard of agent pages (each handler checks again on its own)."""
        check = self._check_session()
        if check.status != SessionStatus.OK:
            here = self._page_address()  # back to this page after the sign-in
            if check.kind != "agent":  # a customer, or nobody: the agents' login page
                return leave_to(
                    routes.with_return(
                        f"{routes.AGENT_LOGIN}?signed_out={check.status}", here, routes.AGENT_SIDE
                    )
                )
            return leave_to(location_for(check, here))
        if not check.principal.is_agent or check.principal.read_only:
            return leave_to(_ended_for_agent_pages(check.principal).location)
        self.viewing_as = ""
        try:
            with session_scope() as db:
                access = agent_access(db, check.principal)
        except ServiceError:
            self.role, self.role_label, self.permissions = "", "", []
            self.signed_in_name = ""
            return None
        self.role, self.role_label = access.role, access.role_label
        self.signed_in_name = access.name
        self.permissions = [p.value for p in access.permissions]
        return None


def query_param(state: rx.State, name: str) -> str:
    return str(state.router.url.query_parameters.get(name, "") or "")


# --- rows: what the pages show ----------------------------------------------------------------


@dataclass
class FoundCustomer:
    """One Super Search result."""

    name: str = ""
    commercial: bool = False
    active: bool = False
    producer: str = ""
    primary: str = ""
    email: str = ""
    phone: str = ""
    matched: str = ""  # what the query matched, e.g. "Phone: (207) 555-0101"
    href: str = ""  # the account's info pane


@dataclass
class PaneContactRow:
    name: str = ""
    role_label: str = ""
    email: str = ""
    phone: str = ""
    may_log_in: bool = False


@dataclass
class PanePolicyRow:
    line: str = ""
    number: str = ""
    carrier: str = ""
    status: str = ""
    status_label: str = ""
    term: str = ""
    premium: str = ""


@dataclass
class PaneInvoiceRow:
    number: str = ""
    description: str = ""
    amount: str = ""
    due: str = ""
    status: str = ""
    published: bool = False
    pending_payment_id: int = 0  # a bank transfer or check waiting: Confirm received


@dataclass
class PaneTask:
    title: str = ""
    assigned: str = ""
    created: str = ""
    payment_id: int = 0


@dataclass
class LogEntry:
    """One activity log entry: the info pane's recent activity and the activity log page."""

    when: str = ""
    label: str = ""
    actor: str = ""
    summary: str = ""
    channel: str = ""


@dataclass
class InviteCandidate:
    name: str = ""
    email: str = ""
    reason: str = ""  # why they will not be invited; "" when they will


def log_entry(row: pane_service.ActivityRow) -> LogEntry:
    return LogEntry(
        when=row.when, label=row.label, actor=row.actor, summary=row.summary, channel=row.channel
    )


# --- states ---------------------------------------------------------------------------------


class AgentSearchState(AgentState):
    query: str = ""
    results: list[FoundCustomer] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    error: str = ""
    searched: bool = False

    def _run(self, query: str, page: int):
        principal = self._require_agent()
        try:
            with session_scope() as db:
                found = super_search(db, principal, query, page=page)
        except ServiceError as exc:
            self.error, self.results, self.total, self.searched = exc.message, [], 0, False
            return
        self.error = ""
        self.searched = True
        self.query = found.query
        self.total, self.page, self.pages = found.total, found.page, found.pages
        self.results = [
            FoundCustomer(
                name=r.name,
                commercial=r.kind == "commercial",
                active=r.active,
                producer=r.producer,
                primary=r.primary_name,
                email=r.primary_email,
                phone=r.primary_phone,
                matched=f"{r.matched_label}: {r.matched_value}" if r.matched_label else "",
                href=routes.agent_account_path(r.account_id),
            )
            for r in found.results
        ]

    @rx.event
    @off_loop
    def submit(self, form: dict):
        self._run(str(form.get("query", ""))[:200], 1)

    @rx.event
    @off_loop
    def go_to_page(self, page: int):
        self._run(self.query, int(page))

    @rx.event
    @off_loop
    def next_page(self):
        self._run(self.query, self.page + 1)

    @rx.event
    @off_loop
    def previous_page(self):
        self._run(self.query, max(1, self.page - 1))


class AgentAccountState(AgentState):
    """The customer info pane, /agent/account?id=N."""

    account_id: str = ""
    name: str = ""
    kind: str = ""
    business_name: str = ""
    address: str = ""
    producer: str = ""
    active: bool = False
    contacts: list[PaneContactRow] = []
    policies: list[PanePolicyRow] = []
    invoices: list[PaneInvoiceRow] = []
    activity: list[LogEntry] = []
    tasks: list[PaneTask] = []
    last_invited: str = ""
    as_of: str = ""
    error: str = ""
    notice: str = ""
    invite_open: bool = False
    invitees: list[InviteCandidate] = []

    def _load(self, account_id: str) -> None:
        principal = self._require_agent()
        with session_scope() as db:
            pane = pane_service.info_pane(db, principal, account_id)
        self.account_id = str(pane.account_id)
        self.name, self.kind = pane.name, pane.kind
        self.business_name, self.address, self.producer = (
            pane.business_name,
            pane.address,
            pane.producer,
        )
        self.active = pane.active
        self.contacts = [
            PaneContactRow(
                name=c.name,
                role_label=c.role_label,
                email=c.email,
                phone=c.phone,
                may_log_in=c.may_log_in,
            )
            for c in pane.contacts
        ]
        self.policies = [
            PanePolicyRow(
                line=p.line,
                number=p.number,
                carrier=p.carrier,
                status=p.status,
                status_label=p.status_label,
                term=p.term,
                premium=p.premium,
            )
            for p in pane.policies
        ]
        self.invoices = [
            PaneInvoiceRow(
                number=i.number,
                description=i.description,
                amount=i.amount,
                due=i.due,
                status=i.status,
                published=i.published,
                pending_payment_id=i.pending_payment_id,
            )
            for i in pane.open_invoices
        ]
        self.activity = [log_entry(a) for a in pane.recent_activity]
        self.tasks = [
            PaneTask(
                title=t.title, assigned=t.assigned_to, created=t.created, payment_id=t.payment_id
            )
            for t in pane.open_tasks
        ]
        self.last_invited = pane.last_invited
        self.as_of = pane.as_of

    @rx.event
    @off_loop
    def open_page(self):
        self.error, self.notice, self.invite_open = "", "", False
        try:
            self._load(query_param(self, "id"))
        except ServiceError as exc:
            self.account_id, self.name = "", ""
            self.error = exc.message

    @rx.event
    @off_loop
    def open_client_center(self):
        """The Client Center icon: a grant for the route that opens the read-only view."""
        principal = self._require_agent()
        try:
            with session_scope() as db:
                grant = read_only.view_grant(db, principal, self.account_id)
        except ServiceError as exc:
            self.error = exc.message
            return None
        return post_navigation(routes.AGENT_VIEW_ROUTE, {"grant": grant})

    @rx.event
    @off_loop
    def confirm_received(self, payment_id: int):
        """Confirm received: the customer's bank transfer or check arrived."""
        principal = self._require_agent()
        try:
            with session_scope() as db:
                said = tasks_service.confirm_received(db, principal, payment_id)
        except ServiceError as exc:
            self.error, self.notice = exc.message, ""
            return
        self.error, self.notice = "", said
        self._load(self.account_id)

    @rx.event
    @off_loop
    def show_invite(self):
        principal = self._require_agent()
        try:
            with session_scope() as db:
                people = invite_service.invitees(db, principal, self.account_id)
        except ServiceError as exc:
            self.error = exc.message
            return
        self.invitees = [
            InviteCandidate(name=p.name, email=p.email, reason=p.reason) for p in people
        ]
        self.invite_open = True
        self.error = ""

    @rx.event
    @off_loop
    def close_invite(self):
        self._require_agent()
        self.invite_open = False

    @rx.event
    @off_loop
    def send_invite(self):
        principal = self._require_agent()
        try:
            with session_scope() as db:
                result = invite_service.invite(db, principal, self.account_id)
        except ServiceError as exc:
            self.error = exc.message
            self.invite_open = False
            return
        self.invite_open = False
        self.error = ""
        self.notice = result.message
        self._load(self.account_id)
