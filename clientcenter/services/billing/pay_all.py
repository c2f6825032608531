"""Pay all: every open bill of the account in one payment, through the configured provider.

The amount is the sum of the open balances, computed here when the payer confirms; the page's
figure only guards against paying a total that changed under them. A bill already paid, or
waiting for a check or transfer to arrive, is never part of it. The payments share a batch
(``Payment.batch_id``, see paying.py) so that they settle, fail and are confirmed together.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from clientcenter.models import Invoice, Payment
from clientcenter.models.billing import InvoiceStatus, PaymentStatus
from clientcenter.services.access import billing_account_id, require_payment_method
from clientcenter.services.billing.money import clean_note, format_money
from clientcenter.services.billing.paying import (
    PayResult,
    balance_cents,
    batch_details,
    checkout_request,
    close_card_checkout,
    idempotency_hash,
    payer_action,
    pending_payment,
    record_batch_settled,
    replay_payment,
    require_read_only_confirmation,
    settle_payment,
)
from clientcenter.services.billing.providers.factory import get_provider
from clientcenter.services.billing.providers.interface import METHOD_LABELS
from clientcenter.services.errors import InvalidInput
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal
from clientcenter.settings import Settings, get_settings


@dataclass(frozen=True)
class PayAllQuote:
    """What Pay all would charge now."""

    count: int
    total_cents: int
    total: str  # "$246.90"
    invoices: tuple[str, ...]  # numbers, soonest due first


def _payable(invoices: list[Invoice]) -> list[Invoice]:
    return [i for i in invoices if i.status == InvoiceStatus.OPEN and balance_cents(i) > 0]


def _open_invoices(session: Session, account_id: int, *, lock: bool) -> list[Invoice]:
    stmt = select(Invoice).where(
        Invoice.account_id == account_id,
        Invoice.published == True,  # noqa: E712
        Invoice.status == InvoiceStatus.OPEN,
    )
    if lock:  # by id: one lock order for everything that locks several invoices
        stmt = stmt.order_by(Invoice.id).with_for_update()
        stmt = stmt.execution_options(populate_existing=True)
    else:
        stmt = stmt.order_by(Invoice.due_date, Invoice.id)
    return list(session.exec(stmt).all())


def _open_card_checkout(session: Session, invoice: Invoice) -> bool:
    pending = pending_payment(session, invoice.id)
    return pending is not None and pending.provider != "offline"


def pay_all_quote(session: Session, principal: Principal) -> PayAllQuote:
    """The bills Pay all would pay and their total (for the button and its confirmation)."""
    account_id = billing_account_id(session, principal)
    invoices = _payable(_open_invoices(session, account_id, lock=False))
    currency = invoices[0].currency if invoices else get_settings().payments.currency
    total = sum(balance_cents(i) for i in invoices)
    return PayAllQuote(
        count=len(invoices),
        total_cents=total,
        total=format_money(total, currency),
        invoices=tuple(i.number for i in invoices),
    )


def pay_all(
    session: Session,
    principal: Principal,
    *,
    method: str,
    idempotency_key: str,
    expected_total_cents: int | None = None,
    reference: str = "",
    confirmed: bool = False,
    settings: Settings | None = None,
) -> PayResult:
    """Pay the full balance of every open bill on the account in one payment: one card
    checkout for the total, or one check or transfer the customer tells us about (the bills
    show "payment pending" until an agent confirms it). An agent in read-only mode records
    money received in hand once ``confirmed``. ``expected_total_cents`` is the total the
    payer saw: when the bills changed since, nothing is charged and the new total is said."""
    settings = settings or get_settings()
    action_key = payer_action(session, principal, settings)
    provider = get_provider(settings)
    method = require_payment_method(principal, provider, method, METHOD_LABELS)
    reference = clean_note(reference, field="reference", max_length=60, label="The reference")
    key = idempotency_hash(principal, "pay-all", idempotency_key, settings)

    invoices = _open_invoices(session, principal.account_id, lock=True)
    earlier = session.exec(select(Payment).where(Payment.idempotency_key == key)).first()
    if earlier is not None:  # a double click or a retried request: the first outcome stands
        return replay_payment(session, earlier, provider, settings)
    found_paid = None
    for invoice in invoices:  # a card page left open earlier: closed (or found paid) first
        if _open_card_checkout(session, invoice):
            stale = pending_payment(session, invoice.id)
            close_card_checkout(session, stale, provider, settings)
            session.refresh(invoice)
            if stale.status == PaymentStatus.SUCCEEDED:
                found_paid = stale
    payable = sorted(_payable(invoices), key=lambda i: (i.due_date, i.id))
    if not payable and found_paid is not None:
        return PayResult(
            found_paid.id,
            PaymentStatus.SUCCEEDED,
            "Your bills are already paid: the card payment started earlier went through. "
            "Thank you!",
        )
    if not payable:
        raise InvalidInput(
            "There is nothing to pay: every bill is paid or waiting for its payment to "
            "be confirmed."
        )
    currencies = {i.currency for i in payable}
    if len(currencies) > 1:
        raise InvalidInput("Your bills are in different currencies: please pay them one by one.")
    currency = currencies.pop()
    total = sum(balance_cents(i) for i in payable)
    shown = format_money(total, currency)
    if expected_total_cents is not None and expected_total_cents != total:
        raise InvalidInput(
            f"Your bills changed since this page was loaded: the total is now {shown}. "
            "Nothing was charged; check the total and pay again.",
            "amount",
        )
    require_read_only_confirmation(principal, confirmed, "recording a payment for every bill")

    payments = []
    for n, invoice in enumerate(payable):
        payment = Payment(
            account_id=invoice.account_id,
            invoice_id=invoice.id,
            amount_cents=balance_cents(invoice),
            currency=currency,
            method=method,
            provider=provider.name if method == "card" else "offline",
            status=PaymentStatus.PENDING,
            # The first carries the payer's key (replays find it); the others their own.
            idempotency_key=key
            if n == 0
            else idempotency_hash(principal, f"pay-all:{invoice.id}", idempotency_key, settings),
            memo=reference,
            paid_by_contact_id=principal.contact_id if principal.is_customer else None,
            taken_by_agent_id=principal.agent_id if principal.is_agent else None,
        )
        session.add(payment)
        session.flush()  # the unique indexes speak here if anything raced past the locks
        payments.append(payment)
    for payment in payments:
        payment.batch_id = payments[0].id
        session.add(payment)
    session.flush()
    lead = payments[0]
    numbers = [i.number for i in payable]
    listed = _listed(numbers)

    if method == "card":
        request = checkout_request(session, lead, None, principal, settings)
        request = dataclasses.replace(
            request,
            amount_cents=total,
            description=f"{settings.branding.short_name}: invoices {', '.join(numbers)}"[:250],
            metadata={**request.metadata, "invoices": ",".join(numbers)[:500]},
        )
        checkout = provider.create_checkout(request)
        lead.provider_ref = checkout.provider_ref
        session.add(lead)
        session.flush()
        return PayResult(
            lead.id,
            PaymentStatus.PENDING,
            "Continue to the secure card page to pay.",
            checkout.redirect_url,
        )

    if principal.is_agent:  # money in the agent's hand: settled as it is recorded
        for payment in payments:
            settle_payment(session, payment, settings, record=False)
        record_batch_settled(session, payments, settings)
        return PayResult(
            lead.id,
            PaymentStatus.SUCCEEDED,
            f"{METHOD_LABELS[method]} of {shown} recorded for invoices {listed}.",
        )

    session.execute(
        update(Invoice)
        .where(Invoice.id.in_([i.id for i in payable]), Invoice.status == InvoiceStatus.OPEN)
        .values(status=InvoiceStatus.PENDING)
    )
    for invoice in payable:
        session.refresh(invoice)
    record_action(
        session,
        principal,
        action_key,
        account_id=lead.account_id,
        summary=f"{METHOD_LABELS[method]} of {shown} for invoices {', '.join(numbers)} "
        "recorded (pay all); they show as payment pending until the agency confirms it "
        "arrived.",
        details=batch_details(payments, payable, state=PaymentStatus.PENDING),
    )
    return PayResult(
        lead.id,
        PaymentStatus.PENDING,
        f"Thank you! Invoices {listed} show “payment pending” until we confirm your "
        f"payment of {shown} arrived.",
    )


def _listed(numbers: list[str]) -> str:
    return numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
