"""State of the webhooks page (/agent/admin/webhooks, administrators): the endpoints, their
events and delivery counts; register one (its signing secret shown once), send a test event,
disable, enable, delete. Every handler goes through services/webhooks/endpoints.py, which
refuses anyone whose role may not manage webhooks, even when a handler is called directly.

The secret never enters this state (vars are pickled into the state store): it travels in the
one websocket message of a script that writes it into the page."""

from __future__ import annotations

import json
from dataclasses import dataclass

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.accounts import when
from clientcenter.services.errors import ServiceError
from clientcenter.services.webhooks import endpoints
from clientcenter.services.webhooks.events import EVENT_TYPES
from clientcenter.state.agency.actions import PAGE_TOP
from clientcenter.state.agency.desk import AgentState
from clientcenter.state.base import off_loop

SECRET_ID = "webhook-secret"  # where the page shows the new secret (pages/agency/webhooks.py)
EVENT_FIELD = "event:"  # the register form's checkboxes: event:<type>


@dataclass
class EndpointRow:
    id: int = 0
    url: str = ""
    description: str = ""
    events: str = ""  # "change_request.filed, document.uploaded"
    active: bool = True
    created: str = ""
    pending: int = 0
    failed: int = 0


def _row(v: endpoints.EndpointView) -> EndpointRow:
    return EndpointRow(
        id=v.id,
        url=v.url,
        description=v.description,
        events=", ".join(v.events),
        active=v.active,
        created=when(v.created_at),
        pending=v.pending,
        failed=v.failed,
    )


def _show_secret(secret: str) -> rx.event.EventSpec:
    """Write the secret into the page once its place has rendered; nothing keeps it."""
    return rx.call_script(
        "(() => {const v = " + json.dumps(secret) + "; let n = 0; const fill = () => {"
        f" const el = document.getElementById({json.dumps(SECRET_ID)});"
        " if (!el) { if (n++ < 100) setTimeout(fill, 30); return; }"
        " el.textContent = v; }; fill();})()"
    )


class WebhooksState(AgentState):
    endpoints: list[EndpointRow] = []
    refused: str = ""  # the whole page is refused (not an administrator)
    error: str = ""
    notice: str = ""
    secret_for: str = ""  # the URL whose new secret is on screen (never the secret)
    confirming: int = 0  # the endpoint whose deletion awaits confirmation

    def _load(self) -> None:
        principal = self._require_agent()
        try:
            with session_scope() as db:
                rows = endpoints.list_endpoints(db, principal)
        except ServiceError as exc:
            self.refused, self.endpoints = exc.message, []
            return
        self.refused = ""
        self.endpoints = [_row(r) for r in rows]

    def _run(self, action) -> bool:
        principal = self._require_agent()
        try:
            with session_scope() as db:
                done = action(db, principal)
        except ServiceError as exc:
            self.error, self.notice = exc.message, ""
            return False
        self.error, self.notice = "", done.message
        self._load()
        return True

    @rx.event
    @off_loop
    def open_page(self):
        self.error = self.notice = self.secret_for = ""
        self.confirming = 0
        self._load()

    @rx.event
    @off_loop
    def register(self, form: dict):
        principal = self._require_agent()
        picked = [
            key[len(EVENT_FIELD) :]
            for key, value in form.items()
            if key.startswith(EVENT_FIELD) and value and key[len(EVENT_FIELD) :] in EVENT_TYPES
        ]
        try:
            with session_scope() as db:
                made = endpoints.register_endpoint(
                    db,
                    principal,
                    str(form.get("url", "")),
                    picked,
                    str(form.get("description", "")),
                )
        except ServiceError as exc:
            self.error, self.notice, self.secret_for = exc.message, "", ""
            return rx.scroll_to(PAGE_TOP)
        self.error, self.notice, self.secret_for = "", made.message, made.endpoint.url
        self._load()
        return [
            rx.call_script("document.getElementById('webhook-form')?.reset()"),
            _show_secret(made.secret),
            rx.scroll_to(PAGE_TOP),
        ]

    @rx.event
    @off_loop
    def hide_secret(self):
        self._require_agent()
        self.secret_for = ""

    @rx.event
    @off_loop
    def send_test(self, endpoint_id: int):
        self._run(lambda db, p: endpoints.send_test_event(db, p, endpoint_id))
        return rx.scroll_to(PAGE_TOP)

    @rx.event
    @off_loop
    def set_active(self, endpoint_id: int, active: bool):
        self._run(lambda db, p: endpoints.set_active(db, p, endpoint_id, bool(active)))
        return rx.scroll_to(PAGE_TOP)

    @rx.event
    @off_loop
    def ask_delete(self, endpoint_id: int):
        self._require_agent()
        self.confirming = endpoint_id if any(e.id == endpoint_id for e in self.endpoints) else 0

    @rx.event
    @off_loop
    def cancel_delete(self):
        self._require_agent()
        self.confirming = 0

    @rx.event
    @off_loop
    def delete(self):
        endpoint_id, self.confirming = self.confirming, 0
        self._run(lambda db, p: endpoints.delete_endpoint(db, p, endpoint_id))
        return rx.scroll_to(PAGE_TOP)
