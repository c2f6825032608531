"""/billing: thin state over services/billing/invoices.py and services/billing.

Every handler re-derives the principal from this connection's session cookie and lets the
services decide; the vars below are display strings and ids only (a browser can set any of
them, so none is trusted)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.models.billing import PaymentStatus
from clientcenter.services.access import payment_methods
from clientcenter.services.auth.step_up import SecondFactorNeeded
from clientcenter.services.billing import (
    abandon_checkout,
    confirm_offline_payment,
    finish_checkout,
    format_money,
    parse_amount,
    pay_invoice,
)
from clientcenter.services.billing import invoices as billing
from clientcenter.services.billing.pay_all import pay_all, pay_all_quote
from clientcenter.services.billing.providers.factory import get_provider
from clientcenter.services.billing.providers.interface import METHOD_LABELS
from clientcenter.services.billing.summary import billing_summary
from clientcenter.services.errors import ServiceError
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings
from clientcenter.state.base import PortalState, off_loop
from clientcenter.state.downloads import parse_id, start_download
from clientcenter.state.portal.passkeys import PasskeysState


@dataclass
class InvoiceRow:
    id: int = 0
    number: str = ""
    description: str = ""
    policy: str = ""
    heading: str = ""  # "Personal Auto, installment 2 of 4"
    amount: str = ""
    balance: str = ""
    balance_plain: str = ""  # "123.45", the amount field's starting value
    paid: str = ""
    due_date: str = ""
    when: str = ""  # "Due Dec 07, 2026" · "Paid on Nov 20, 2026"
    status: str = ""
    status_label: str = ""
    badge: str = "gray"  # badge colour
    can_pay: bool = False
    note: str = ""


@dataclass
class PaymentRow:
    id: int = 0
    receipt_number: str = ""
    paid_on: str = ""
    amount: str = ""
    method: str = ""
    reference: str = ""
    status_label: str = ""
    has_receipt: bool = False


@dataclass
class PendingRow:
    payment_id: int = 0
    invoice: str = ""
    amount: str = ""
    method: str = ""
    reference: str = ""
    reported_on: str = ""


@dataclass
class Payee:
    """Where offline payments go ([payments.offline]): display strings only."""

    name: str = ""
    address_lines: list[str] = field(default_factory=list)
    bank_name: str = ""
    routing_number: str = ""
    account_number: str = ""


def _payee() -> Payee:
    cfg = get_settings().payments.offline
    return Payee(
        name=cfg.payee_name,
        address_lines=cfg.mailing_address.splitlines(),
        bank_name=cfg.bank_name,
        routing_number=cfg.routing_number,
        account_number=cfg.account_number,
    )


@dataclass
class MethodChoice:
    value: str = ""
    label: str = ""


BADGES = {
    "Due": "blue",
    "Overdue": "red",
    "Partly paid": "amber",
    "Payment pending": "amber",
    "Paid": "green",
    "Cancelled": "gray",
}


def _extra_description(v: billing.InvoiceView) -> str:
    """The description under the heading, unless it only says again what the heading says
    (the heading's installment count is the one kept up to date)."""
    if v.description == v.heading or "installment" in v.description.lower():
        return ""
    return v.description


def invoice_row(v: billing.InvoiceView) -> InvoiceRow:
    whole, cents = divmod(v.balance_cents, 100)
    return InvoiceRow(
        id=v.id,
        number=v.number,
        description=_extra_description(v),
        policy=v.policy,
        heading=v.heading,
        amount=v.amount,
        balance=v.balance,
        balance_plain=f"{whole}.{cents:02d}",
        paid=v.paid,
        due_date=v.due_date,
        when=v.when,
        status=v.status,
        status_label=v.status_label,
        badge=BADGES.get(v.status_label, "gray"),
        can_pay=v.can_pay,
        note=v.note,
    )


def _methods(principal: Principal) -> list[MethodChoice]:
    return [MethodChoice(v, METHOD_LABELS[v]) for v in payment_methods(principal, get_provider())]


class BillingState(PortalState):
    loaded: bool = False
    error: str = ""
    read_only: bool = False
    invoices: list[InvoiceRow] = []
    closed: list[InvoiceRow] = []
    history: list[PaymentRow] = []
    pending: list[PendingRow] = []
    total_due: str = ""
    open_count: int = 0
    next_due: str = ""
    summary_state: str = ""  # due | pending | paid_up (services/billing/summary.py)
    pending_lines: list[str] = []  # "Check of $120.00 mailed on Dec 01, 2026 — pending …"
    # Pay all: shown with two or more open bills; the total is the server's, re-checked.
    pay_all_count: int = 0
    pay_all_total: str = ""
    pay_all_cents: int = 0
    paying_all: bool = False
    payee: Payee = Payee()
    # page-wide news: "success" | "error" | "info"
    notice: str = ""
    notice_kind: str = "success"
    # the pay form (one invoice at a time)
    paying_id: int = 0
    paying_number: str = ""
    paying_balance: str = ""
    amount_text: str = ""
    method: str = ""
    methods: list[MethodChoice] = []
    reference: str = ""
    form_key: str = ""  # idempotency key: one per opened form, so a double click pays once
    form_error: str = ""
    card_flow: bool = False
    allow_partial: bool = False
    instructions: str = ""
    # Read-only view: the confirmation step before its one write (payments). Display only:
    # the services refuse the write unless the dialog's button sent confirmed=True.
    confirm_open: bool = False
    confirm_kind: str = ""  # pay | received | not_received
    confirm_payment_id: int = 0
    confirm_title: str = ""
    confirm_body: str = ""
    confirm_label: str = ""

    @rx.event
    @off_loop
    def load(self):
        principal = self._require_account_principal()
        self.notice = ""
        query = self.router.url.query_parameters
        returned = parse_id(query.get("payment"))
        if returned and query.get("checkout") in ("done", "cancelled"):
            self._back_from_checkout(principal, returned, query.get("checkout"))
        self._refresh(principal)
        wanted = parse_id(query.get("invoice"))
        if wanted:  # a payment-request link: open this invoice's pay form
            return self._open_form(principal, wanted)
        return None

    def _back_from_checkout(self, principal: Principal, payment_id: int, how: str) -> None:
        try:
            with session_scope() as db:
                if how == "done":
                    result = finish_checkout(db, principal, payment_id)
                else:
                    result = abandon_checkout(db, principal, payment_id)
        except ServiceError as exc:
            self._say(exc.message, "error")
            return
        self._say(result.message, {PaymentStatus.SUCCEEDED: "success"}.get(result.status, "info"))

    def _refresh(self, principal: Principal) -> None:
        settings = get_settings()
        try:
            with session_scope() as db:
                open_ = billing.open_invoices(db, principal)
                closed = billing.closed_invoices(db, principal, limit=12)
                history = billing.payment_history(db, principal)
                summary = billing_summary(db, principal)
                quote = pay_all_quote(db, principal)
                pending = (
                    billing.pending_confirmations(db, principal) if principal.is_agent else []
                )
        except ServiceError as exc:
            self.error, self.loaded = exc.message, True
            return
        self.error = ""
        self.read_only = principal.read_only
        self.invoices = [invoice_row(v) for v in open_]
        self.closed = [invoice_row(v) for v in closed]
        self.history = [
            PaymentRow(
                id=p.id,
                receipt_number=p.receipt_number,
                paid_on=p.paid_on,
                amount=p.amount,
                method=p.method,
                reference=p.reference,
                status_label=p.status_label,
                has_receipt=p.has_receipt,
            )
            for p in history
        ]
        self.pending = [
            PendingRow(
                payment_id=r["payment_id"],
                invoice=r["invoice"],
                amount=r["amount"],
                method=r["method"],
                reference=r["reference"],
                reported_on=r["reported_on"],
            )
            for r in pending
        ]
        self.total_due = summary.total_due
        self.open_count = summary.open_count
        self.next_due = summary.next_due
        self.summary_state = summary.state
        self.pending_lines = [p.sentence for p in summary.pending]
        self.pay_all_count, self.pay_all_total = quote.count, quote.total
        self.pay_all_cents = quote.total_cents
        self.payee = _payee()
        self.allow_partial = settings.payments.allow_partial
        self.instructions = settings.payments.offline_instructions
        self.loaded = True

    def _say(self, message: str, kind: str = "success") -> None:
        self.notice, self.notice_kind = message, kind

    def _open_form(self, principal: Principal, invoice_id: int):
        try:
            with session_scope() as db:
                view = billing.get_invoice(db, principal, invoice_id)
        except ServiceError as exc:
            self._say(exc.message, "error")
            return None
        if not view.can_pay:
            self._say(
                view.note or f"Invoice {view.number} is {view.status_label.lower()}.", "info"
            )
            return None
        row = invoice_row(view)
        self._reset_form(principal)
        self.paying_id, self.paying_number, self.paying_balance = row.id, row.number, row.balance
        self.amount_text = row.balance_plain
        return rx.scroll_to(f"invoice-{row.id}")

    def _reset_form(self, principal: Principal) -> None:
        self.methods = _methods(principal)
        self.card_flow = [m.value for m in self.methods] == ["card"]
        self.method = self.methods[0].value if len(self.methods) == 1 else ""
        self.paying_all, self.paying_id = False, 0
        self.reference = ""
        self.form_error = ""
        self.form_key = secrets.token_urlsafe(16)

    @rx.event
    @off_loop
    def start_pay_all(self):
        """Open the Pay all form with the total as the server counts it now."""
        principal = self._require_account_principal()
        self.notice = ""
        self._refresh(principal)
        if self.pay_all_count == 0:
            self._say("There is nothing to pay right now.", "info")
            return None
        self._reset_form(principal)
        self.paying_all = True
        self.paying_balance = self.pay_all_total
        return rx.scroll_to("pay-all")

    @rx.event
    @off_loop
    def start_pay(self, invoice_id: int):
        principal = self._require_account_principal()
        wanted = parse_id(invoice_id)
        if wanted is None:
            return None
        self.notice = ""
        return self._open_form(principal, wanted)

    @rx.event
    @off_loop
    def cancel_pay(self):
        self._require_account_principal()
        self.paying_id, self.form_error, self.form_key = 0, "", ""
        self.paying_all = False

    @rx.event
    @off_loop
    def set_method(self, value: str):
        self.method = value if isinstance(value, str) else ""
        self.form_error = ""

    @rx.event
    @off_loop
    def set_reference(self, value: str):
        self.reference = value[:200] if isinstance(value, str) else ""

    @rx.event
    @off_loop
    def set_amount_text(self, value: str):
        self.amount_text = value[:30] if isinstance(value, str) else ""

    @rx.event
    @off_loop
    def review_payment(self):
        """The pay form's button. A customer's payment goes ahead; in the read-only view the
        agent is first asked to confirm what will be recorded in their name."""
        principal = self._require_account_principal()
        if not principal.read_only:
            return self._submit(principal, confirmed=False)
        if not self._form_ready():
            return None
        if self.paying_all:
            return self._ask_pay_all()
        try:
            shown = (
                format_money(parse_amount(self.amount_text), get_settings().payments.currency)
                if self.allow_partial
                else self.paying_balance
            )
        except ServiceError as exc:
            self.form_error = exc.message
            return None
        if self.method == "card":
            self._ask(
                "pay",
                0,
                "Take a card payment?",
                f"You will type the customer's card on the payment processor's page to pay "
                f"{shown} of invoice {self.paying_number}. It is recorded in your name and "
                "the customer is emailed.",
                "Continue to the card page",
            )
        else:
            how = METHOD_LABELS.get(self.method, self.method).lower()
            self._ask(
                "pay",
                0,
                "Record this payment?",
                f"A {how} of {shown} for invoice {self.paying_number}, received by you. "
                "This changes the customer's billing: the invoice is paid, the payment is "
                "recorded in your name and the customer is emailed a receipt.",
                "Yes, record it",
            )
        return None

    @rx.event
    @off_loop
    def submit_payment(self, confirmed: bool = False):
        """Pay now. From the read-only view only with ``confirmed`` (the dialog's button)."""
        principal = self._require_account_principal()
        return self._submit(principal, confirmed=confirmed is True)

    def _ask_pay_all(self) -> None:
        total, count = self.pay_all_total, self.pay_all_count
        if self.method == "card":
            body = (
                f"You will type the customer's card on the payment processor's page to pay "
                f"{total} for all {count} open bills. It is recorded in your name and the "
                "customer is emailed."
            )
            self._ask("pay", 0, "Take a card payment?", body, "Continue to the card page")
            return
        how = METHOD_LABELS.get(self.method, self.method).lower()
        self._ask(
            "pay",
            0,
            "Record this payment?",
            f"A {how} of {total} for all {count} open bills, received by you. This changes "
            "the customer's billing: the bills are paid, the payment is recorded in your "
            "name and the customer is emailed.",
            "Yes, record it",
        )

    def _form_ready(self) -> bool:
        if not (self.paying_id or self.paying_all) or not self.form_key:
            return False  # the form closed already: a second click of a finished payment
        if not self.method:
            self.form_error = "Choose how you are paying."
            return False
        return True

    def _submit(self, principal: Principal, *, confirmed: bool):
        if not self._form_ready():
            return None
        try:
            amount = (
                parse_amount(self.amount_text)
                if self.allow_partial and not self.paying_all
                else None
            )
            with session_scope() as db:
                if self.paying_all:
                    result = pay_all(
                        db,
                        principal,
                        method=self.method,
                        expected_total_cents=self.pay_all_cents,
                        reference=self.reference,
                        idempotency_key=self.form_key,
                        confirmed=confirmed,
                    )
                else:
                    result = pay_invoice(
                        db,
                        principal,
                        self.paying_id,
                        method=self.method,
                        amount_cents=amount,
                        reference=self.reference,
                        idempotency_key=self.form_key,
                        confirmed=confirmed,
                    )
        except SecondFactorNeeded as exc:
            # The agency asks a fresh second factor for paying: the prompt opens over the
            # form, which keeps what was chosen, and presses Pay again once confirmed.
            self.form_error = exc.message
            return PasskeysState.ask_step_up("pay-submit")
        except ServiceError as exc:
            self.form_error = exc.message
            if self.paying_all:  # the total may have changed: show the new one
                self._refresh(principal)
                self.paying_balance = self.pay_all_total
            return None
        if result.redirect_url and result.redirect_url.startswith("https://"):
            # The provider's hosted page: the card is typed there, never here.
            return rx.call_script(f"window.location.assign({json.dumps(result.redirect_url)})")
        self.paying_id, self.form_error, self.paying_all = 0, "", False
        self._say(result.message, "success")
        self._refresh(principal)
        return rx.scroll_to("billing-heading")

    @rx.event
    @off_loop
    def download_receipt(self, payment_id: int):
        principal = self._require_account_principal()
        wanted = parse_id(payment_id)
        if wanted is None:
            return None
        return start_download(principal, "receipt", wanted)

    @rx.event
    @off_loop
    def ask_received(self, payment_id: int):
        self._ask_about_pending(payment_id, received=True)

    @rx.event
    @off_loop
    def ask_not_received(self, payment_id: int):
        self._ask_about_pending(payment_id, received=False)

    def _ask_about_pending(self, payment_id, *, received: bool) -> None:
        self._require_account_principal()
        row = next((r for r in self.pending if r.payment_id == parse_id(payment_id)), None)
        if row is None:
            return
        what = f"The {row.method.lower()} of {row.amount} for {row.invoice}"
        if received:
            self._ask(
                "received",
                row.payment_id,
                "Confirm it arrived?",
                f"{what} is in the agency's account. The invoice is paid, the "
                "confirmation is recorded in your name and the customer is emailed.",
                "Yes, it arrived",
            )
        else:
            self._ask(
                "not_received",
                row.payment_id,
                "Mark it as not received?",
                f"{what} has not arrived. The invoice opens again for the customer to "
                "pay, and this is recorded in your name.",
                "Yes, not received",
            )

    def _ask(self, kind: str, payment_id: int, title: str, body: str, label: str) -> None:
        self.confirm_kind, self.confirm_payment_id = kind, payment_id
        self.confirm_title, self.confirm_body, self.confirm_label = title, body, label
        self.confirm_open = True

    @rx.event
    @off_loop
    def confirm_action(self):
        """The dialog's yes: the write it described, with the flag the services require."""
        kind, payment_id = self.confirm_kind, self.confirm_payment_id
        self._close_confirm()
        if kind == "pay":
            return self._submit(self._require_account_principal(), confirmed=True)
        if kind in ("received", "not_received"):
            return self._confirm(payment_id, kind == "received", confirmed=True)
        return None

    @rx.event
    @off_loop
    def cancel_confirm(self):
        self._close_confirm()

    @rx.event
    @off_loop
    def set_confirm_open(self, open_: bool):
        if not open_:  # Escape or a tap outside the dialog
            self._close_confirm()

    def _close_confirm(self) -> None:
        self.confirm_open, self.confirm_kind, self.confirm_payment_id = False, "", 0

    @rx.event
    @off_loop
    def confirm_received(self, payment_id: int, confirmed: bool = False):
        return self._confirm(payment_id, True, confirmed=confirmed is True)

    @rx.event
    @off_loop
    def mark_not_received(self, payment_id: int, confirmed: bool = False):
        return self._confirm(payment_id, False, confirmed=confirmed is True)

    def _confirm(self, payment_id, received: bool, *, confirmed: bool):
        principal = self._require_account_principal()
        wanted = parse_id(payment_id)
        if wanted is None:
            return None
        try:
            with session_scope() as db:
                result = confirm_offline_payment(
                    db, principal, wanted, received=received, confirmed=confirmed
                )
        except ServiceError as exc:
            self._say(exc.message, "error")
            return None
        self._say(result.message, "success")
        self._refresh(principal)
        return None
