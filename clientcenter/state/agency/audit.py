"""The audit trail page: filters (agent, account, dates, kind), one page of rows, and the
date range the CSV export posts to its HTTP route (clientcenter/http/routes/audit.py)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.services.agency import audit
from clientcenter.services.errors import ServiceError
from clientcenter.state.agency.desk import AgentState
from clientcenter.state.agency.queues import FilterOption
from clientcenter.state.base import off_loop, post_download
from clientcenter.state.form_errors import split

EXPORT_FIELDS = ("date_from", "date_to", "include_customers")
FILTER_FIELDS = ("agent_id", "account", "date_from", "date_to", "kind")


@dataclass
class AuditEntry:
    id: int = 0
    when: str = ""
    kind: str = ""
    kind_label: str = ""
    action: str = ""
    agent: str = ""
    account: str = ""
    summary: str = ""
    client_ip: str = ""


class AgentAuditState(AgentState):
    rows: list[AuditEntry] = []
    agents: list[FilterOption] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    # The filters in force, as the form sent them.
    agent_id: str = ""
    account: str = ""
    date_from: str = ""
    date_to: str = ""
    kind: str = ""
    error: str = ""
    field_errors: dict[str, str] = {}
    export_error: str = ""

    def _filters(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FILTER_FIELDS}

    def _load(self) -> None:
        principal = self._require_agent()
        try:
            with session_scope() as db:
                f = audit.parse_filter(self._filters())
                found = audit.audit_page(db, principal, f, self.page)
                agents = audit.agent_choices(db, principal)
        except ServiceError as exc:
            self.rows, self.total, self.pages = [], 0, 1
            self.field_errors, self.error = split(exc)
            return
        self.error, self.field_errors = "", {}
        self.total, self.page, self.pages = found.total, found.page, found.pages
        self.agents = [FilterOption(str(a.id), a.name) for a in agents]
        self.rows = [
            AuditEntry(
                id=r.id,
                when=r.when,
                kind=r.kind,
                kind_label=r.kind_label,
                action=r.action,
                agent=r.agent,
                account=r.account,
                summary=r.summary,
                client_ip=r.client_ip,
            )
            for r in found.rows
        ]

    @rx.event
    @off_loop
    def open_page(self):
        for name in FILTER_FIELDS:
            setattr(self, name, "")
        self.page, self.export_error = 1, ""
        self._load()

    @rx.event
    @off_loop
    def apply(self, form_data: dict):
        for name in FILTER_FIELDS:
            setattr(self, name, str(form_data.get(name) or "").strip())
        self.page = 1
        self._load()

    @rx.event
    @off_loop
    def previous_page(self):
        self.page = max(1, self.page - 1)
        self._load()

    @rx.event
    @off_loop
    def next_page(self):
        self.page = min(self.pages, self.page + 1)
        self._load()

    @rx.event
    @off_loop
    def export(self, form_data: dict):
        """Checks the range and the role here, so a mistake shows on the page; then the
        browser posts the range to the export route, which checks both again and streams
        the file."""
        principal = self._require_agent()
        fields = {name: str(form_data.get(name) or "") for name in EXPORT_FIELDS}
        try:
            audit.parse_export(fields)
            with session_scope() as db:
                audit.require_export(db, principal)
        except ServiceError as exc:
            self.export_error = exc.message
            return None
        self.export_error = ""
        return post_download(routes.AUDIT_EXPORT_ROUTE, fields)
