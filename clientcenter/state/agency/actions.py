"""States of the agency-side action pages (the Portal Section of docs/actions-and-matrix.md):
share a document, publish policies/invoices, share a certificate, and the payment entry
points."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from clientcenter.db import session_scope
from clientcenter.services.agency import actions as agency_actions
from clientcenter.services.agency import certificate_links
from clientcenter.services.agency import info_pane as pane_service
from clientcenter.services.agency.roles import Permission
from clientcenter.services.billing.money import parse_amount
from clientcenter.services.billing.paying import take_one_time_payment
from clientcenter.services.billing.payment_requests import send_payment_request
from clientcenter.services.dates import date_text
from clientcenter.services.errors import ServiceError
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings
from clientcenter.state.agency.desk import AgentState, query_param
from clientcenter.state.base import off_loop

PAGE_TOP = "page-title"  # where a page scrolls to show the message an action left


@dataclass
class ShareableDocument:
    id: int = 0
    title: str = ""
    category: str = ""
    created: str = ""
    shared: bool = False  # the customer sees it already


@dataclass
class PublishChoice:
    """An invoice or a document the customer does not see yet."""

    id: int = 0
    label: str = ""


@dataclass
class ShareableCertificate:
    id: int = 0
    holder: str = ""
    email: str = ""  # the holder's address on file, the form's default
    description: str = ""
    issued: str = ""


@dataclass
class HolderLink:
    """A certificate link emailed to a holder (services/agency/certificate_links.py)."""

    id: int = 0
    certificate: str = ""
    holder: str = ""
    sent_to: str = ""
    sent: str = ""
    status: str = ""  # active | expired | revoked
    status_label: str = ""
    downloads: int = 0
    last: str = ""


@dataclass
class PayableInvoice:
    id: int = 0
    label: str = ""  # "INV-1001-2 · $306.50 due Dec 15, 2026"
    published: bool = False  # a payment request needs the customer to see the invoice


class AgentAccountActionState(AgentState):
    """Shared by the action pages: the account they act on, and their messages."""

    needs: ClassVar[Permission]  # what the page's actions need the agent's role to allow
    account_id: str = ""
    account_name: str = ""
    error: str = ""
    notice: str = ""

    def _pane(self):
        principal = self._require_agent()
        with session_scope() as db:
            return pane_service.action_page(
                db, principal, query_param(self, "id") or self.account_id, self.needs
            )

    def _start(self):
        self.error, self.notice = "", ""
        try:
            pane = self._pane()
        except ServiceError as exc:
            self.account_id, self.account_name, self.error = "", "", exc.message
            return None
        self.account_id, self.account_name = str(pane.account_id), pane.name
        return pane

    def _act(self, action: Callable[[Session, Principal], object], then: Callable[[], None]):
        """Run one service action for this tab's agent and show its message, or its refusal;
        on success refresh the page with ``then`` and scroll up to the message."""
        principal = self._require_agent()
        try:
            with session_scope() as db:
                done = action(db, principal)
        except ServiceError as exc:
            self.error, self.notice = exc.message, ""
            return None
        self.error, self.notice = "", done.message
        then()
        return rx.scroll_to(PAGE_TOP)


class AgentShareState(AgentAccountActionState):
    needs = Permission.SHARE_DOCUMENTS
    documents: list[ShareableDocument] = []
    has_mobile: bool = False

    def _show(self, pane) -> None:
        self.documents = [
            ShareableDocument(
                id=d.id, title=d.title, category=d.category, created=d.created, shared=d.shared
            )
            for d in pane.documents
        ]
        primary = next((c for c in pane.contacts if c.role == "primary"), None)
        self.has_mobile = bool(primary and primary.phone)

    @rx.event
    @off_loop
    def open_page(self):
        pane = self._start()
        if pane is not None:
            self._show(pane)

    @rx.event
    @off_loop
    def share(self, form: dict):
        document_id, channel = form.get("document_id", ""), str(form.get("channel", ""))
        return self._act(
            lambda db, agent: agency_actions.share_document(
                db, agent, self.account_id, document_id, channel
            ),
            lambda: self._show(self._pane()),
        )


class AgentPublishState(AgentAccountActionState):
    needs = Permission.PUBLISH
    invoices: list[PublishChoice] = []
    documents: list[PublishChoice] = []

    def _fill(self):
        principal = self._require_agent()
        with session_scope() as db:
            ready = agency_actions.publishable(db, principal, self.account_id)
        self.invoices = [PublishChoice(id=i, label=label) for i, label in ready.invoices]
        self.documents = [PublishChoice(id=i, label=label) for i, label in ready.documents]

    @rx.event
    @off_loop
    def open_page(self):
        if self._start() is not None:
            self._fill()

    @rx.event
    @off_loop
    def publish(self, form: dict):
        invoice_ids = [
            k.split("-", 1)[1] for k, v in form.items() if k.startswith("invoice-") and v
        ]
        document_ids = [
            k.split("-", 1)[1] for k, v in form.items() if k.startswith("document-") and v
        ]
        return self._act(
            lambda db, agent: agency_actions.publish_policies_invoices(
                db, agent, self.account_id, invoice_ids=invoice_ids, document_ids=document_ids
            ),
            self._fill,
        )


class AgentCertificatesState(AgentAccountActionState):
    needs = Permission.SHARE_DOCUMENTS
    certificates: list[ShareableCertificate] = []
    links: list[HolderLink] = []  # each revocable here
    link_days: int = 30

    @rx.event
    @off_loop
    def open_page(self):
        pane = self._start()
        self.link_days = get_settings().security.certificate_link_days
        if pane is None:
            return
        self.certificates = [
            ShareableCertificate(
                id=c.id,
                holder=c.holder,
                email=c.holder_email,
                description=c.description,
                issued=c.issued,
            )
            for c in pane.certificates
        ]
        self._fill_links()

    def _fill_links(self) -> None:
        principal = self._require_agent()
        try:
            with session_scope() as db:
                views = certificate_links.links_for_account(db, principal, self.account_id)
        except ServiceError as exc:
            self.error, self.links = exc.message, []
            return
        self.links = [
            HolderLink(
                id=v.id,
                certificate=v.certificate,
                holder=v.holder_name,
                sent_to=v.to_address,
                sent=v.sent_on,
                status=v.status,
                status_label=v.status_label,
                downloads=v.downloads,
                last=v.last_download,
            )
            for v in views
        ]

    @rx.event
    @off_loop
    def share(self, form: dict):
        certificate_id = form.get("certificate_id", "")
        email, note = str(form.get("email", ""))[:254], str(form.get("note", ""))[:600]
        return self._act(
            lambda db, agent: agency_actions.share_certificate(
                db, agent, certificate_id, email=email, note=note
            ),
            self._fill_links,
        )

    @rx.event
    @off_loop
    def revoke(self, share_id: int):
        return self._act(
            lambda db, agent: certificate_links.revoke_link(
                db, agent, share_id, account_id=self.account_id
            ),
            self._fill_links,
        )


class AgentPaymentsState(AgentAccountActionState):
    needs = Permission.TAKE_PAYMENTS
    """Payment Request through Email / Text and One-time Payment. The flows belong to the
    payments services; this page only starts them."""

    invoices: list[PayableInvoice] = []
    available: bool = False  # the agency's payments feature switch
    # A fresh key per form display: a double tap or a retried request records one payment.
    form_key: str = ""

    @rx.event
    @off_loop
    def open_page(self):
        pane = self._start()
        self.available = get_settings().features.payments
        self.form_key = uuid.uuid4().hex
        if pane is None:
            return
        self.invoices = [
            PayableInvoice(
                id=i.id, label=f"{i.number} · {i.amount} due {i.due}", published=i.published
            )
            for i in pane.open_invoices
        ]

    @rx.event
    @off_loop
    def request_payment(self, form: dict):
        principal = self._require_agent()
        try:
            invoice_id = int(form.get("invoice_id", ""))
        except (TypeError, ValueError):
            self.error, self.notice = "Pick the invoice to request payment for.", ""
            return
        try:
            with session_scope() as db:
                sent = send_payment_request(
                    db, principal, invoice_id, channel=str(form.get("channel", ""))
                )
        except ServiceError as exc:
            self.error, self.notice = exc.message, ""
            return
        how = "email" if sent.channel == "email" else "text message"
        self.error = ""
        self.notice = (
            f"Payment request sent by {how}. The link works until {date_text(sent.expires_at)}."
        )
        return rx.scroll_to(PAGE_TOP)

    @rx.event
    @off_loop
    def one_time_payment(self, form: dict):
        principal = self._require_agent()
        try:
            with session_scope() as db:
                result = take_one_time_payment(
                    db,
                    principal,
                    int(self.account_id),
                    amount_cents=parse_amount(str(form.get("amount", ""))),
                    memo=str(form.get("memo", ""))[:200],
                    method=str(form.get("method", "")),
                    idempotency_key=self.form_key,
                    reference=str(form.get("reference", ""))[:80],
                )
        except (TypeError, ValueError):
            self.error, self.notice = "Open the account again from Super Search.", ""
            return
        except ServiceError as exc:
            self.error, self.notice = exc.message, ""
            return
        self.error, self.notice = "", result.message
        self.form_key = uuid.uuid4().hex
        if result.redirect_url:  # a card payment continues on the provider's page
            return rx.redirect(result.redirect_url, is_external=True)
        return rx.scroll_to(PAGE_TOP)
