"""What the account owes, in one answer for Billing and Home: bills due, payments on their
way (a mailed check the agency has not confirmed yet), or all paid up. A pending check is
never "paid up": the money has not arrived."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, select

from clientcenter.models import Invoice, Payment
from clientcenter.models.billing import InvoiceStatus, PaymentStatus
from clientcenter.services.billing.invoices import open_invoices
from clientcenter.services.billing.money import format_money
from clientcenter.services.billing.providers.interface import METHOD_LABELS
from clientcenter.services.dates import date_text
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

SummaryState = Literal["due", "pending", "paid_up"]

# How each way of paying offline travelled, for "Check of $120.00 mailed on Dec 01, 2026".
_SENT = {"check": "mailed", "bank_transfer": "sent", "cash": "handed over"}


@dataclass(frozen=True)
class PendingPayment:
    """A check or transfer the customer told us about, waiting for the agency."""

    sentence: str  # "Check of $120.00 mailed on Dec 01, 2026 — pending until the agency …"
    amount: str
    method: str  # "Check"
    sent_on: str  # "Dec 01, 2026"
    invoices: tuple[str, ...]  # invoice numbers it pays


@dataclass(frozen=True)
class BillingSummary:
    state: SummaryState  # due (something to pay) · pending (only payments on their way) · paid_up
    open_count: int  # bills to pay now
    total_due: str  # their balance, "$246.90"
    total_due_cents: int
    next_due: str  # "Dec 07, 2026", or ""
    overdue: bool
    pending: tuple[PendingPayment, ...]  # oldest first

    @property
    def pending_count(self) -> int:
        return len(self.pending)

    @property
    def headline(self) -> str:
        """One line for a card: what the customer most needs to know."""
        if self.state == "due":
            return f"{self.total_due} due" + (" (overdue)" if self.overdue else "")
        if self.state == "pending":
            return "Payment on its way" if len(self.pending) == 1 else "Payments on their way"
        return "You're all paid up. Thank you!"


def billing_summary(session: Session, principal: Principal) -> BillingSummary:
    """The account's billing state for the principal (access checked by open_invoices):
    "due" when a bill is open, else "pending" when a check or transfer is waiting for the
    agency to confirm it, else "paid_up"."""
    invoices = open_invoices(session, principal)
    due = [i for i in invoices if i.status == InvoiceStatus.OPEN]
    total = sum(i.balance_cents for i in due)
    currency = due[0].currency if due else get_settings().payments.currency
    pending_ids = [i.id for i in invoices if i.status == InvoiceStatus.PENDING]
    pending = _pending_payments(session, pending_ids)
    state: SummaryState = "due" if due else ("pending" if pending_ids else "paid_up")
    return BillingSummary(
        state=state,
        open_count=len(due),
        total_due=format_money(total, currency),
        total_due_cents=total,
        next_due=due[0].due_date if due else "",
        overdue=any(i.overdue for i in due),
        pending=pending,
    )


def _pending_payments(session: Session, invoice_ids: list[int]) -> tuple[PendingPayment, ...]:
    if not invoice_ids:
        return ()
    rows = session.exec(
        select(Payment, Invoice.number)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.invoice_id.in_(invoice_ids), Payment.status == PaymentStatus.PENDING)
        .order_by(Payment.created_at, Payment.id)
    ).all()
    # A Pay all's check pays several bills: one line for it.
    grouped: dict[int, list[tuple[Payment, str]]] = {}
    for payment, number in rows:
        grouped.setdefault(payment.batch_id or payment.id, []).append((payment, number))
    out = []
    for members in grouped.values():
        first = members[0][0]
        amount = format_money(sum(p.amount_cents for p, _ in members), first.currency)
        method = METHOD_LABELS.get(first.method, first.method)
        sent_on = date_text(first.created_at)
        verb = _SENT.get(first.method, "sent")
        out.append(
            PendingPayment(
                sentence=f"{method} of {amount} {verb} on {sent_on} — pending until the "
                "agency confirms it",
                amount=amount,
                method=method,
                sent_on=sent_on,
                invoices=tuple(n for _, n in members),
            )
        )
    return tuple(out)
