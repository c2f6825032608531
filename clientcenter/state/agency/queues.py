"""States of the agents' work queues: tasks/notes, an account's activity log, undelivered
messages (with retry), and the More page (the matrix in force)."""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.services.accounts import when
from clientcenter.services.agency import tasks
from clientcenter.services.agency.agents import active_agents, signed_in_agent
from clientcenter.services.errors import ServiceError
from clientcenter.services.notify.matrix import matrix_rows
from clientcenter.services.notify.outbox import list_failed, retry_failed
from clientcenter.services.portal import activity_feed
from clientcenter.state.agency.desk import AgentState, LogEntry, log_entry, query_param
from clientcenter.state.base import off_loop

MATRIX_COLUMNS = ("agent_email", "customer_email", "primary_email", "task", "log")


# --- rows: what the pages show ----------------------------------------------------------------


@dataclass
class QueuedTask:
    id: int = 0
    title: str = ""
    body: str = ""
    assigned: str = ""
    assigned_id: int = 0  # the hand-over picker starts on whoever has it
    created: str = ""
    account: str = ""  # "" for a task on no account
    account_href: str = ""
    payment_id: int = 0  # an offline payment waiting: the task offers Confirm received


@dataclass
class Colleague:
    id: int = 0
    name: str = ""


@dataclass
class FilterOption:
    value: str = ""
    label: str = ""


CHANNEL_LABELS = {"email": "Email", "sms": "Text", "webhook": "Webhook"}


@dataclass
class UndeliveredMessage:
    id: int = 0
    channel: str = ""  # "Email" | "Text" | "Webhook"
    recipient: str = ""  # "Name <address>", or the address alone
    subject: str = ""
    account: str = ""
    account_href: str = ""
    attempts: int = 0
    error: str = ""
    when: str = ""
    can_retry: bool = False  # a sign-in code is never resent


@dataclass
class MatrixEntry:
    """One action of the notification matrix in force: who is emailed, task, log."""

    label: str = ""
    agent_email: bool = False
    customer_email: bool = False
    primary_email: bool = False
    task: bool = False
    log: bool = False


@dataclass
class MatrixSection:
    title: str = ""
    rows: list[MatrixEntry] = field(default_factory=list)


# --- states ---------------------------------------------------------------------------------


class PagedList(rx.State, mixin=True):
    """Previous / next for a state whose ``_load`` shows page ``page`` of ``pages``."""

    total: int = 0
    page: int = 1
    pages: int = 1

    def _load(self) -> None:
        raise NotImplementedError

    @rx.event
    @off_loop
    def next_page(self):
        self.page = min(self.pages, self.page + 1)
        self._load()

    @rx.event
    @off_loop
    def previous_page(self):
        self.page = max(1, self.page - 1)
        self._load()


class AgentTasksState(PagedList, AgentState):
    status: str = "open"
    scope: str = "mine"
    rows: list[QueuedTask] = []
    colleagues: list[Colleague] = []
    error: str = ""
    notice: str = ""

    def _load(self) -> None:
        principal = self._require_agent()
        try:
            with session_scope() as db:
                queue = tasks.task_queue(
                    db, principal, status=self.status, scope=self.scope, page=self.page
                )
                people = active_agents(db)
        except ServiceError as exc:  # a role without the queue: the page says why
            self.error, self.rows, self.total, self.pages = exc.message, [], 0, 1
            return
        self.rows = [
            QueuedTask(
                id=t.id,
                title=t.title,
                body=t.body,
                assigned=t.assigned_to,
                assigned_id=t.assigned_agent_id,
                created=t.created,
                account=t.account_name if t.account_id else "",
                account_href=routes.agent_account_path(t.account_id) if t.account_id else "",
                payment_id=t.payment_id,
            )
            for t in queue.rows
        ]
        self.total, self.pages = queue.total, queue.pages
        self.colleagues = [Colleague(id=a.id, name=a.full_name) for a in people]

    def _run(self, action) -> None:
        principal = self._require_agent()
        try:
            with session_scope() as db:
                action(db, principal)
        except ServiceError as exc:
            self.error, self.notice = exc.message, ""
            return
        self.error = ""
        self._load()

    @rx.event
    @off_loop
    def open_page(self):
        self.error, self.notice, self.page = "", "", 1
        self._load()

    @rx.event
    @off_loop
    def show(self, status: str | list[str]):
        self.status = status if status in tasks.STATUSES else "open"
        self.page = 1
        self._load()

    @rx.event
    @off_loop
    def show_scope(self, scope: str | list[str]):
        self.scope = scope if scope in ("mine", "all") else "mine"
        self.page = 1
        self._load()

    @rx.event
    @off_loop
    def complete(self, task_id: int):
        self._run(lambda db, p: tasks.complete_task(db, p, task_id))
        if not self.error:
            self.notice = "Task marked done."

    @rx.event
    @off_loop
    def confirm_received(self, payment_id: int):
        said: list[str] = []
        self._run(lambda db, p: said.append(tasks.confirm_received(db, p, payment_id)))
        if not self.error:
            self.notice = said[0] if said else "Payment confirmed."

    @rx.event
    @off_loop
    def reopen(self, task_id: int):
        self._run(lambda db, p: tasks.reopen_task(db, p, task_id))
        if not self.error:
            self.notice = "Task reopened."

    @rx.event
    @off_loop
    def reassign(self, form: dict):
        task_id, agent_id = form.get("task_id", ""), form.get("agent_id", "")
        self._run(lambda db, p: tasks.reassign_task(db, p, task_id, agent_id))
        if not self.error:
            self.notice = "Task handed over."


class AgentActivityState(PagedList, AgentState):
    account_id: str = ""
    account_name: str = ""
    action: str = ""
    actor: str = ""
    rows: list[LogEntry] = []
    action_options: list[FilterOption] = []
    actor_options: list[FilterOption] = []
    error: str = ""

    def _load(self) -> None:
        principal = self._require_agent()
        try:
            with session_scope() as db:
                found = activity_feed.activity_page(
                    db,
                    principal,
                    self.account_id,
                    action=self.action,
                    actor=self.actor,
                    page=self.page,
                )
        except ServiceError as exc:
            self.error, self.rows = exc.message, []
            return
        self.error = ""
        self.account_name = found.account_name
        self.rows = [log_entry(r) for r in found.rows]
        self.total, self.pages = found.total, found.pages
        self.action_options = [FilterOption(o.value, o.label) for o in found.action_options]
        self.actor_options = [FilterOption(o.value, o.label) for o in found.actor_options]

    @rx.event
    @off_loop
    def open_page(self):
        self.account_id = query_param(self, "id")
        self.action, self.actor, self.page = "", "", 1
        self._load()

    @rx.event
    @off_loop
    def filter(self, form: dict):
        self.action = str(form.get("action", ""))[:48]
        self.actor = str(form.get("actor", ""))[:32]
        self.page = 1
        self._load()

    @rx.event
    @off_loop
    def clear(self):
        self.action, self.actor, self.page = "", "", 1
        self._load()


class AgentOutboxState(AgentState):
    rows: list[UndeliveredMessage] = []
    error: str = ""
    notice: str = ""

    def _load(self) -> None:
        principal = self._require_agent()
        try:
            with session_scope() as db:
                failed = list_failed(db, principal)
        except ServiceError as exc:  # a role without the failures queue: the page says why
            self.error, self.rows = exc.message, []
            return
        self.rows = [
            UndeliveredMessage(
                id=m.id,
                channel=CHANNEL_LABELS.get(m.channel, m.channel),
                recipient=f"{m.to_name} <{m.to_address}>" if m.to_name else m.to_address,
                subject=m.subject or "(text message)",
                account=m.account_name,
                account_href=routes.agent_account_path(m.account_id) if m.account_id else "",
                attempts=m.attempts,
                error=m.last_error,
                when=when(m.created_at),
                can_retry=m.can_retry,
            )
            for m in failed
        ]

    @rx.event
    @off_loop
    def open_page(self):
        self.error, self.notice = "", ""
        self._load()

    @rx.event
    @off_loop
    def retry(self, message_id: int):
        principal = self._require_agent()
        try:
            with session_scope() as db:
                retry_failed(db, principal, int(message_id))
        except (TypeError, ValueError):
            self.error = "No such message."
            return
        except ServiceError as exc:
            self.error, self.notice = exc.message, ""
            return
        self.error, self.notice = "", "Queued again: the relay sends it within a minute."
        self._load()


class AgentMoreState(AgentState):
    """The matrix in force (who is emailed, tasks, log) and the agent's own details."""

    agent_name: str = ""
    agent_email: str = ""
    sections: list[MatrixSection] = []

    @rx.event
    @off_loop
    def open_page(self):
        principal = self._require_agent()
        with session_scope() as db:
            agent = signed_in_agent(db, principal)
            self.agent_name, self.agent_email = agent.full_name, agent.email
        sections: dict[str, MatrixSection] = {}  # in the catalog's order
        for r in matrix_rows():
            section = sections.setdefault(r.section_title, MatrixSection(r.section_title))
            section.rows.append(
                MatrixEntry(r.label, **{c: bool(r.cells[c]) for c in MATRIX_COLUMNS})
            )
        self.sections = list(sections.values())
