"""An account's requests on the agency side, /agent/account/requests?id=N: each request's
status moved with a note for the customer. Every rule and refusal is
services/agency/change_requests.py's."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.models.engagement import RequestStatus
from clientcenter.services.agency import change_requests as cr
from clientcenter.services.agency.roles import Permission
from clientcenter.services.dates import date_text
from clientcenter.services.errors import ServiceError
from clientcenter.state.agency.actions import AgentAccountActionState
from clientcenter.state.agency.desk import query_param
from clientcenter.state.base import off_loop


@dataclass
class RequestLine:
    id: int = 0
    reference: str = ""
    title: str = ""
    kind_label: str = ""
    summary: str = ""
    status: str = ""
    status_label: str = ""
    status_note: str = ""
    sent_on: str = ""
    # The moves the rules allow from this status (the service checks again).
    can_review: bool = False
    can_complete: bool = False
    can_decline: bool = False
    reopens: bool = False  # the request is done or declined: in review reopens it


class AgentRequestsState(AgentAccountActionState):
    needs = Permission.TASK_QUEUE
    requests: list[RequestLine] = []

    def _fill(self) -> None:
        principal = self._require_agent()
        with session_scope() as db:
            page = cr.account_requests(db, principal, query_param(self, "id") or self.account_id)
        self.account_id, self.account_name = str(page.account_id), page.name
        self.requests = [
            RequestLine(
                id=r.view.id,
                reference=r.view.reference,
                title=r.view.title,
                kind_label=r.view.kind_label,
                summary=r.view.summary,
                status=r.view.status,
                status_label=r.view.status_label,
                status_note=r.view.status_note,
                sent_on=f"{date_text(r.view.created_at)}",
                can_review=RequestStatus.IN_REVIEW in r.next_statuses,
                can_complete=RequestStatus.DONE in r.next_statuses,
                can_decline=RequestStatus.DECLINED in r.next_statuses,
                reopens=r.view.status in cr.FINAL,
            )
            for r in page.rows
        ]

    @rx.event
    @off_loop
    def open_page(self):
        self.error, self.notice = "", ""
        try:
            self._fill()
        except ServiceError as exc:
            self.account_id, self.account_name, self.error = "", "", exc.message
            self.requests = []

    @rx.event
    @off_loop
    def set_status(self, form: dict):
        request_id = str(form.get("request_id", ""))
        status = str(form.get("status", ""))
        note = str(form.get("note", ""))
        return self._act(
            lambda db, agent: cr.set_request_status(db, agent, request_id, status, note),
            self._fill,
        )
