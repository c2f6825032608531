"""Billing: the invoices and payments of the account in view, receipts as branded PDFs, and the
agency's side of invoices (create, cancel; publishing is the agent desk's Policies/Invoices
action in services/agency/actions.py).

Paying itself lives in ``services/billing``; this module reads and describes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, select

from clientcenter.models import Account, Agent, Contact, Invoice, Payment, PaymentRequest, Policy
from clientcenter.models.base import utcnow
from clientcenter.models.billing import InvoiceStatus, PaymentRequestStatus, PaymentStatus
from clientcenter.models.policies import POLICY_LINES
from clientcenter.services.access import (
    billing_account_id,
    feature_enabled,
    require_permission,
)
from clientcenter.services.agency.roles import Permission
from clientcenter.services.billing.money import check_cents, clean_note, format_money
from clientcenter.services.billing.paying import (
    apply_checkout,
    balance_cents,
    close_card_checkout,
    fail_payment,
    lock_invoice_by_id,
    pending_payment,
)
from clientcenter.services.billing.providers.factory import get_provider
from clientcenter.services.billing.providers.interface import METHOD_LABELS
from clientcenter.services.dates import date_text
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.files.pdf import BrandedPDF
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.documents import FileToSend
from clientcenter.services.principal import Principal
from clientcenter.settings import Settings, get_settings

STATUS_LABELS = {
    InvoiceStatus.OPEN: "Due",
    InvoiceStatus.PENDING: "Payment pending",
    InvoiceStatus.PAID: "Paid",
    InvoiceStatus.CANCELLED: "Cancelled",
}


@dataclass(frozen=True)
class InvoiceView:
    id: int
    number: str
    description: str
    policy: str  # "Personal Auto · PA-1234567", or "" when on no policy
    heading: str  # what it is for: "Personal Auto, installment 2 of 4"
    amount: str
    balance: str
    balance_cents: int
    paid: str  # what is paid so far, "" when nothing
    currency: str
    due_date: str  # "Dec 07, 2026"
    when: str  # "Due Dec 07, 2026" · "Paid on Nov 20, 2026" · "Cancelled (was due …)"
    status: str  # open | pending | paid | cancelled
    status_label: str  # "Due", "Overdue", "Partly paid", "Payment pending", …
    overdue: bool
    can_pay: bool
    note: str  # a sentence about the state: pending confirmation, card in progress, …


@dataclass(frozen=True)
class PaymentView:
    id: int
    receipt_number: str
    paid_on: str
    amount: str
    method: str
    reference: str  # invoice number, or the memo of a one-time payment
    status: str  # pending | succeeded | failed | unapplied
    status_label: str
    has_receipt: bool


def receipt_number(payment_id: int) -> str:
    return f"R-{payment_id:06d}"


def _policy_label(session: Session, policy_id: int | None) -> str:
    if policy_id is None:
        return ""
    policy = session.get(Policy, policy_id)
    if policy is None:
        return ""
    return f"{POLICY_LINES.get(policy.line, policy.line)} · {policy.number}"


def _installment(session: Session, invoice: Invoice) -> tuple[int, int] | None:
    """(n, m): the invoice's place among its policy's bills by due date. Cancelled bills are
    not part of the plan; None for a bill on no policy, or a cancelled one."""
    if invoice.policy_id is None or invoice.status == InvoiceStatus.CANCELLED:
        return None
    ids = session.exec(
        select(Invoice.id)
        .where(Invoice.policy_id == invoice.policy_id, Invoice.status != InvoiceStatus.CANCELLED)
        .order_by(Invoice.due_date, Invoice.id)
    ).all()
    return (ids.index(invoice.id) + 1, len(ids)) if invoice.id in ids else None


def invoice_heading(session: Session, invoice: Invoice) -> str:
    """What the bill is for: "Personal Auto, installment 2 of 4"; "Personal Auto" for a
    policy's only bill; its description (or number) when it is on no policy."""
    policy = session.get(Policy, invoice.policy_id) if invoice.policy_id else None
    if policy is None:
        return invoice.description or f"Invoice {invoice.number}"
    line = POLICY_LINES.get(policy.line, policy.line)
    place = _installment(session, invoice)
    if place is None or place[1] == 1:
        return line
    return f"{line}, installment {place[0]} of {place[1]}"


def paid_on(session: Session, invoice: Invoice) -> datetime | None:
    """When the payment that brought the bill to paid settled."""
    settled = session.exec(
        select(Payment.settled_at).where(Payment.settles_invoice_id == invoice.id)
    ).first()
    return settled  # a moment: date_text puts it on the agency's clock


def _when(session: Session, invoice: Invoice) -> str:
    due = date_text(invoice.due_date)
    if invoice.status == InvoiceStatus.PAID:
        day = paid_on(session, invoice)
        return f"Paid on {date_text(day)}" if day else "Paid"
    if invoice.status == InvoiceStatus.CANCELLED:
        return f"Cancelled (was due {due})"
    return f"Due {due}"


def describe_invoice(
    session: Session,
    invoice: Invoice,
    *,
    today: date | None = None,
    settings: Settings | None = None,
) -> InvoiceView:
    settings = settings or get_settings()
    today = today or date.today()
    balance = balance_cents(invoice)
    overdue = invoice.status == InvoiceStatus.OPEN and invoice.due_date < today
    label = STATUS_LABELS.get(invoice.status, invoice.status)
    note = ""
    if invoice.status == InvoiceStatus.OPEN:
        label = "Overdue" if overdue else ("Partly paid" if invoice.paid_cents else "Due")
        pending = pending_payment(session, invoice.id)
        if pending is not None:
            note = "A card payment was started and is not finished yet."
    elif invoice.status == InvoiceStatus.PENDING:
        pending = pending_payment(session, invoice.id)
        how = METHOD_LABELS.get(pending.method, "payment").lower() if pending else "payment"
        note = (
            f"We are waiting for your {how} to arrive. It shows here as paid once the "
            "agency confirms it."
        )
    payable = invoice.status == InvoiceStatus.OPEN and feature_enabled("payments", settings)
    return InvoiceView(
        id=invoice.id,
        number=invoice.number,
        description=invoice.description,
        policy=_policy_label(session, invoice.policy_id),
        heading=invoice_heading(session, invoice),
        amount=format_money(invoice.amount_cents, invoice.currency),
        balance=format_money(balance, invoice.currency),
        balance_cents=balance,
        paid=format_money(invoice.paid_cents, invoice.currency) if invoice.paid_cents else "",
        currency=invoice.currency,
        due_date=date_text(invoice.due_date),
        when=_when(session, invoice),
        status=invoice.status,
        status_label=label,
        overdue=overdue,
        can_pay=payable,
        note=note,
    )


def open_invoices(session: Session, principal: Principal) -> list[InvoiceView]:
    """What the account owes: open and payment-pending invoices, soonest due first."""
    account_id = billing_account_id(session, principal)
    rows = session.exec(
        select(Invoice)
        .where(
            Invoice.account_id == account_id,
            Invoice.published == True,  # noqa: E712
            Invoice.status.in_((InvoiceStatus.OPEN, InvoiceStatus.PENDING)),
        )
        .order_by(Invoice.due_date, Invoice.id)
    ).all()
    return [describe_invoice(session, i) for i in rows]


def closed_invoices(session: Session, principal: Principal, limit: int = 50) -> list[InvoiceView]:
    account_id = billing_account_id(session, principal)
    rows = session.exec(
        select(Invoice)
        .where(
            Invoice.account_id == account_id,
            Invoice.published == True,  # noqa: E712
            Invoice.status.in_((InvoiceStatus.PAID, InvoiceStatus.CANCELLED)),
        )
        .order_by(Invoice.due_date.desc(), Invoice.id.desc())
        .limit(limit)
    ).all()
    return [describe_invoice(session, i) for i in rows]


def get_invoice(session: Session, principal: Principal, invoice_id: int) -> InvoiceView:
    account_id = billing_account_id(session, principal)
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.account_id != account_id or not invoice.published:
        raise NotFound("There is no such invoice on this account.")
    return describe_invoice(session, invoice)


def payment_history(session: Session, principal: Principal, limit: int = 50) -> list[PaymentView]:
    """Payments on the account, newest first: settled ones with a receipt, and those still
    waiting for confirmation."""
    account_id = billing_account_id(session, principal)
    rows = session.exec(
        select(Payment)
        .where(
            Payment.account_id == account_id,
            Payment.status.in_(
                (PaymentStatus.SUCCEEDED, PaymentStatus.PENDING, PaymentStatus.UNAPPLIED)
            ),
            # A card checkout in progress is not a payment yet.
            (Payment.provider == "offline") | (Payment.status != PaymentStatus.PENDING),
        )
        .order_by(Payment.created_at.desc(), Payment.id.desc())
        .limit(limit)
    ).all()
    numbers = _invoice_numbers(session, [p.invoice_id for p in rows if p.invoice_id])
    labels = {
        PaymentStatus.SUCCEEDED: "Paid",
        PaymentStatus.PENDING: "Waiting for confirmation",
        PaymentStatus.UNAPPLIED: "Refund due",
    }
    return [
        PaymentView(
            id=p.id,
            receipt_number=receipt_number(p.id),
            paid_on=f"{date_text(p.settled_at or p.created_at)}",
            amount=format_money(p.amount_cents, p.currency),
            method=METHOD_LABELS.get(p.method, p.method),
            reference=(
                f"Invoice {numbers.get(p.invoice_id, '')}"
                if p.invoice_id
                else p.memo or "One-time payment"
            ),
            status=p.status,
            status_label=labels[p.status],
            has_receipt=p.status == PaymentStatus.SUCCEEDED,
        )
        for p in rows
    ]


def _invoice_numbers(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Invoice.id, Invoice.number).where(Invoice.id.in_(ids))).all()
    return dict(rows)


# --------------------------------------------------------------------------- receipts


def receipt_pdf(
    session: Session, principal: Principal, payment_id: int, settings: Settings | None = None
) -> tuple[str, bytes]:
    """A branded PDF receipt for a settled payment: (file name, bytes). Customers and agents in
    read-only view get their account's receipts; agency-side agents any account's."""
    settings = settings or get_settings()
    payment = session.get(Payment, payment_id)
    if principal.is_agent and not principal.read_only:
        require_permission(session, principal, Permission.TAKE_PAYMENTS)
    else:
        account_id = billing_account_id(session, principal)
        if payment is not None and payment.account_id != account_id:
            payment = None
    if payment is None or payment.status != PaymentStatus.SUCCEEDED:
        raise NotFound("There is no receipt for that payment.")
    account = session.get(Account, payment.account_id)
    invoice = session.get(Invoice, payment.invoice_id) if payment.invoice_id else None
    number = receipt_number(payment.id)

    pdf = BrandedPDF(settings.branding, f"Payment receipt {number}")
    pdf.field("Received from", account.name if account else "")
    payer = (
        session.get(Contact, payment.paid_by_contact_id) if payment.paid_by_contact_id else None
    )
    if payer is not None:
        pdf.field("Paid by", payer.full_name)
    agent = session.get(Agent, payment.taken_by_agent_id) if payment.taken_by_agent_id else None
    if agent is not None:
        pdf.field("Taken by", f"{agent.full_name}, {settings.branding.agency_name}")
    pdf.field("Date paid", f"{date_text(payment.settled_at or payment.created_at)}")
    pdf.field("Amount paid", format_money(payment.amount_cents, payment.currency))
    pdf.field("Payment method", METHOD_LABELS.get(payment.method, payment.method))
    if invoice is not None:
        pdf.field(
            "Invoice",
            f"{invoice.number}" + (f" - {invoice.description}" if invoice.description else ""),
        )
        policy = _policy_label(session, invoice.policy_id)
        if policy:
            pdf.field("Policy", policy)
        pdf.field("Invoice amount", format_money(invoice.amount_cents, invoice.currency))
        pdf.field(
            "Balance after payment",
            format_money(_balance_after(session, invoice, payment), invoice.currency),
        )
    if payment.memo:
        pdf.field("Memo" if invoice is None else "Reference", payment.memo)
    pdf.ln(4)
    pdf.paragraph(
        "Thank you for your payment. Keep this receipt for your records. Card "
        "details are handled by our payment processor and are never stored by "
        f"{settings.branding.agency_name}."
    )
    filename = f"receipt-{number}.pdf"
    return filename, pdf.to_bytes()


def download_receipt(session: Session, principal: Principal, payment_id: int) -> FileToSend:
    """The receipt for the download route, recorded like any document download."""
    filename, data = receipt_pdf(session, principal, payment_id)
    key = "agent.download_documents" if principal.is_agent else "customer.download_documents"
    record_action(
        session,
        principal,
        key,
        account_id=principal.account_id,
        summary=f"Downloaded payment receipt {receipt_number(payment_id)}",
        details={"payment_id": payment_id, "category": "receipt"},
    )
    return FileToSend(filename, "application/pdf", data)


def _balance_after(session: Session, invoice: Invoice, payment: Payment) -> int:
    """The invoice balance right after this payment (later payments not counted)."""
    settled = session.exec(
        select(Payment.amount_cents).where(
            Payment.invoice_id == invoice.id,
            Payment.status == PaymentStatus.SUCCEEDED,
            Payment.id <= payment.id,
        )
    ).all()
    return max(0, invoice.amount_cents - sum(settled))


# --------------------------------------------------------------------------- agency side


def create_invoice(
    session: Session,
    principal: Principal,
    account_id: int,
    *,
    number: str,
    amount_cents: int,
    due_date: date,
    description: str = "",
    policy_id: int | None = None,
    currency: str | None = None,
    publish: bool = False,
    settings: Settings | None = None,
) -> Invoice:
    """An invoice on the account, unpublished unless ``publish`` (publishing tells the
    customer). Amounts are integer cents."""
    settings = settings or get_settings()
    require_permission(session, principal, Permission.PUBLISH)
    if session.get(Account, account_id) is None:
        raise NotFound("No such customer account.")
    number = " ".join((number or "").split())
    if not number or len(number) > 40:
        raise InvalidInput("Give the invoice a number of at most 40 characters.", "number")
    if session.exec(select(Invoice.id).where(Invoice.number == number)).first() is not None:
        raise InvalidInput(f"Invoice number {number} is already used.", "number")
    if policy_id is not None:
        policy = session.get(Policy, policy_id)
        if policy is None or policy.account_id != account_id:
            raise InvalidInput("That policy is not on this account.", "policy_id")
    description = clean_note(
        description, field="description", max_length=200, label="The description"
    )
    currency = (currency or settings.payments.currency).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidInput("The currency must be a three-letter code like USD.", "currency")
    invoice = Invoice(
        account_id=account_id,
        policy_id=policy_id,
        number=number,
        description=description,
        amount_cents=check_cents(amount_cents),
        currency=currency,
        due_date=due_date,
        status=InvoiceStatus.OPEN,
        published=False,
    )
    session.add(invoice)
    session.flush()
    if publish:  # the agent desk's Policies/Invoices action tells the customer
        from clientcenter.services.agency.actions import publish_policies_invoices

        publish_policies_invoices(session, principal, account_id, invoice_ids=[invoice.id])
    return invoice


def cancel_invoice(
    session: Session,
    principal: Principal,
    invoice_id: int,
    *,
    reason: str,
    settings: Settings | None = None,
) -> Invoice:
    """Withdraw an unpaid invoice. An open card checkout is closed at the provider first; if
    it turns out to have been paid, the invoice is paid and stays."""
    settings = settings or get_settings()
    require_permission(session, principal, Permission.PUBLISH)
    reason = clean_note(reason, field="reason", max_length=160, required=True, label="A reason")
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound("There is no such invoice.")
    invoice = lock_invoice_by_id(session, invoice.id)
    pending = pending_payment(session, invoice.id)
    if pending is not None and pending.batch_id is not None and pending.provider != "offline":
        # A Pay all checkout covers this bill too: it closes for all of them.
        close_card_checkout(session, pending, get_provider(settings), settings)
        session.refresh(invoice)
    elif pending is not None and pending.provider != "offline" and pending.provider_ref:
        provider = get_provider(settings)
        apply_checkout(session, pending, provider.expire_checkout(pending.provider_ref), settings)
        session.refresh(invoice)
    elif pending is not None and pending.provider != "offline":
        fail_payment(session, pending)
    if invoice.status == InvoiceStatus.PAID:
        raise InvalidInput(f"Invoice {invoice.number} is paid; it cannot be cancelled.")
    if invoice.status == InvoiceStatus.PENDING:
        raise InvalidInput(
            f"A payment for invoice {invoice.number} is waiting for "
            "confirmation: confirm it or mark it not received first."
        )
    if invoice.status == InvoiceStatus.CANCELLED:
        raise InvalidInput(f"Invoice {invoice.number} is already cancelled.")
    if invoice.paid_cents:
        raise InvalidInput(
            f"Invoice {invoice.number} is partly paid; settle the balance with "
            "the customer instead of cancelling it."
        )
    session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == InvoiceStatus.OPEN)
        .values(status=InvoiceStatus.CANCELLED)
    )
    session.execute(
        update(PaymentRequest)
        .where(
            PaymentRequest.invoice_id == invoice.id,
            PaymentRequest.status.in_((PaymentRequestStatus.SENT, PaymentRequestStatus.OPENED)),
        )
        .values(status=PaymentRequestStatus.CANCELLED)
    )
    session.refresh(invoice)
    if invoice.published:
        record_action(
            session,
            principal,
            "agency.publish_policies_invoices",
            account_id=invoice.account_id,
            summary=f"Invoice {invoice.number} was cancelled: {reason}",
            details={
                "invoice": invoice.number,
                "invoice_id": invoice.id,
                "state": InvoiceStatus.CANCELLED,
            },
        )
    return invoice


def pending_confirmations(
    session: Session, principal: Principal, account_id: int | None = None
) -> list[dict]:
    """Bank transfers and checks customers reported, waiting for an agent to confirm: for the
    agency side (all accounts, or one) and for an agent's read-only billing view."""
    if not principal.is_agent:
        raise NotAllowed("Only the agency confirms payments.")
    if principal.read_only:
        account_id = billing_account_id(session, principal)
    else:
        require_permission(session, principal, Permission.TAKE_PAYMENTS)
    stmt = (
        select(Payment, Invoice, Account)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .join(Account, Account.id == Payment.account_id)
        .where(Payment.status == PaymentStatus.PENDING, Payment.provider == "offline")
    )
    if account_id is not None:
        stmt = stmt.where(Payment.account_id == account_id)
    rows = session.exec(stmt.order_by(Payment.created_at, Payment.id)).all()
    # One check or transfer for several bills (Pay all) is one row: confirmed together.
    batches: dict[int, list] = {}
    for p, i, a in rows:
        batches.setdefault(p.batch_id or p.id, []).append((p, i, a))
    out = []
    for payment_id, members in batches.items():
        p, i, a = members[0]
        total = sum(m[0].amount_cents for m in members)
        out.append(
            {
                "payment_id": payment_id,
                "account_id": a.id,
                "account_name": a.name,
                "invoice_id": i.id,
                "invoice": ", ".join(m[1].number for m in members),
                "amount": format_money(total, p.currency),
                "method": METHOD_LABELS.get(p.method, p.method),
                "reference": p.memo,
                "reported_on": date_text(p.created_at),
                "reported_at": p.created_at or utcnow(),
            }
        )
    return out
