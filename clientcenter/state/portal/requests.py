"""Requests pages: thin state over services/portal/requests.py.

Every handler resolves the principal from this connection's session cookie; the kind and form
a page shows are UI choices that the service checks again on submit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.dates import date_text
from clientcenter.services.errors import ServiceError
from clientcenter.services.portal import documents
from clientcenter.services.portal import requests as rq
from clientcenter.services.portal.request_forms import form_for
from clientcenter.settings import get_settings
from clientcenter.state import form_errors
from clientcenter.state.base import PortalState, off_loop


@dataclass
class RequestRow:
    reference: str = ""
    title: str = ""
    kind_label: str = ""
    summary: str = ""
    status: str = ""
    status_label: str = ""
    sent_on: str = ""
    status_note: str = ""  # the agency's word on the latest move
    updated_on: str = ""


def request_row(v: rq.RequestView) -> RequestRow:
    return RequestRow(
        reference=v.reference,
        title=v.title,
        kind_label=v.kind_label,
        summary=v.summary,
        status=v.status,
        status_label=v.status_label,
        sent_on=f"{date_text(v.created_at)}",
        status_note=v.status_note,
        updated_on=f"{date_text(v.status_changed_at)}" if v.status_changed_at else "",
    )


class RequestsState(PortalState):
    loaded: bool = False
    error: str = ""
    read_only: bool = False
    account_kind: str = ""
    requests: list[RequestRow] = []
    # The account's own records a form may point at: [id, label] pairs.
    policies: list[list[str]] = []
    auto_policies: list[list[str]] = []
    vehicles: list[list[str]] = []
    drivers: list[list[str]] = []
    # The open form (kind and subtype of request_forms), its errors and its outcome.
    kind: str = ""
    subtype: str = ""
    field_errors: dict[str, str] = {}
    form_error: str = ""
    sent_reference: str = ""
    sent_title: str = ""
    # The general request's optional attachment: uploaded first (as a document on the
    # account), then named by the request. The service checks the id belongs to the account.
    attachment_id: int = 0
    attachment_name: str = ""
    attachment_error: str = ""

    def _load(self, kind: str = "") -> None:
        principal = self._require_account_principal()
        try:
            with session_scope() as db:
                view = rq.overview(db, principal)
        except ServiceError as exc:
            self.error, self.loaded = exc.message, True
            return
        self.error = ""
        self.read_only = view.read_only
        self.account_kind = view.account_kind
        self.requests = [request_row(v) for v in view.requests]
        c = view.choices
        self.policies = [list(x) for x in c.policies]
        self.auto_policies = [list(x) for x in c.auto_policies]
        self.vehicles = [list(x) for x in c.vehicles]
        self.drivers = [list(x) for x in c.drivers]
        self.kind = kind
        wanted = str(self.router.page.params.get("type") or "")
        self.subtype = wanted if kind and form_for(kind, wanted) else ""
        if kind in ("general", "contact_us"):
            self.subtype = "general" if kind == "general" else "message"
        self._clear_form()
        self._clear_attachment()
        self.loaded = True

    def _clear_form(self) -> None:
        self.field_errors, self.form_error = {}, ""
        self.sent_reference, self.sent_title = "", ""
        self.attachment_error = ""

    def _clear_attachment(self) -> None:
        self.attachment_id, self.attachment_name, self.attachment_error = 0, "", ""

    @rx.event
    @off_loop
    def load_list(self):
        self._load()

    @rx.event
    @off_loop
    def load_personal(self):
        self._load("personal")

    @rx.event
    @off_loop
    def load_commercial(self):
        self._load("commercial")

    @rx.event
    @off_loop
    def load_general(self):
        self._load("general")

    @rx.event
    @off_loop
    def load_contact(self):
        self._load("contact_us")

    @rx.event
    @off_loop
    def choose(self, subtype: str):
        """Open one of the guided forms of this page's kind (or none, to go back)."""
        self._require_account_principal()
        self.subtype = subtype if form_for(self.kind, subtype) else ""
        self._clear_form()
        return rx.scroll_to("page-top")

    @rx.event
    @off_loop
    def submit(self, form_data: dict[str, Any]):
        principal = self._require_account_principal()
        self._clear_form()
        form = form_for(self.kind, self.subtype)
        if form is None:
            self.form_error = "Choose what you would like to change first."
            return
        try:
            with session_scope() as db:
                attachment = (self.attachment_id or None) if self.kind == "general" else None
                request = rq.submit_request(
                    db,
                    principal,
                    self.kind,
                    self.subtype,
                    form_data,
                    attachment_document_id=attachment,
                )
                reference = request.reference
                listed = rq.list_requests(db, principal)
        except ServiceError as exc:
            self.field_errors, self.form_error = form_errors.split(exc)
            return
        self.sent_reference, self.sent_title = reference, form.title
        self.requests = [request_row(v) for v in listed]
        self._clear_attachment()
        return rx.scroll_to("page-top")

    @rx.event
    async def attach(self, files: list[rx.UploadFile]):
        """Store the picked file on the account (services/portal/documents.py checks size, type by
        content, and the scan hook), ready to go with the request."""
        principal = self._require_account_principal()
        self.attachment_error = ""
        if not files:
            return
        if len(files) > 1:
            self.attachment_error = "Please attach one file."
            return
        upload = files[0]
        limit = get_settings().security.upload_max_bytes
        data = await upload.read(limit + 1)  # one byte past the cap tells "too large"
        try:
            with session_scope() as db:
                item = documents.upload_document(
                    db,
                    principal,
                    original_name=upload.filename or "",
                    data=data,
                    title=f"Attachment to a general request: {upload.filename or 'file'}",
                )
        except ServiceError as exc:
            self.attachment_error = exc.message
            return
        self.attachment_id, self.attachment_name = item.id, item.filename or item.title

    @rx.event
    @off_loop
    def attach_rejected(self):
        self._require_account_principal()
        self.attachment_error = (
            "That file can't be attached. Send a "
            f"{documents.ALLOWED_DESCRIPTION} file of up to "
            f"{documents.format_size(get_settings().security.upload_max_bytes)}."
        )

    @rx.event
    @off_loop
    def remove_attachment(self):
        self._require_account_principal()
        self._clear_attachment()

    @rx.event
    @off_loop
    def another(self):
        """After a confirmation: back to the chooser for another request."""
        self._require_account_principal()
        self._clear_form()
        self._clear_attachment()
        if self.kind in ("personal", "commercial"):
            self.subtype = ""
