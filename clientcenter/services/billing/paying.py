"""Paying invoices (a customer, or an agent in read-only mode), one-time payments taken by an
agent, and settling what providers report.

An invoice is never paid twice. Every path that moves money for an invoice first locks the
invoice row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers), and the
database backs that up on its own: one *pending* payment per invoice (partial unique index),
one payment that *settles* it (unique column), and ``paid_cents`` only rises through an UPDATE
whose WHERE clause refuses to pass the invoice amount. A retried request or a double click
carries the same idempotency key and gets the first attempt's outcome back; a replayed webhook
finds its payment already settled and changes nothing.

Nothing here commits: the caller's unit of work does, so the payment, the invoice and the
record_action rows land together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass

from sqlalchemy import case, update
from sqlmodel import Session, select

from clientcenter import routes
from clientcenter.models import Account, Invoice, Payment, PaymentRequest
from clientcenter.models.base import utcnow
from clientcenter.models.billing import InvoiceStatus, PaymentRequestStatus, PaymentStatus
from clientcenter.services.access import (
    acting_contact,
    active_agent,
    customer_account,
    require_feature,
    require_payment_method,
    require_permission,
)
from clientcenter.services.agency.roles import Permission, may, refusal
from clientcenter.services.auth.step_up import require_recent_second_factor
from clientcenter.services.billing.money import check_cents, clean_note, format_money
from clientcenter.services.billing.providers.factory import get_provider
from clientcenter.services.billing.providers.interface import (
    METHOD_LABELS,
    Checkout,
    CheckoutRequest,
    PaymentProvider,
    ProviderEvent,
)
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.notify.task_writer import close_payment_tasks
from clientcenter.services.principal import Principal
from clientcenter.services.webhooks import events as webhook_events
from clientcenter.settings import Settings, get_settings

log = logging.getLogger("clientcenter.payments")

_CLIENT_KEY = re.compile(r"^[A-Za-z0-9_-]{8,100}$")
OPEN_STATES = (InvoiceStatus.OPEN, InvoiceStatus.PENDING)


@dataclass(frozen=True)
class PayResult:
    payment_id: int
    status: str  # pending | succeeded | failed
    message: str
    redirect_url: str | None = None  # the provider's hosted card page, when there is one


# --------------------------------------------------------------------------- who may pay


def payer_action(session: Session, principal: Principal, settings: Settings) -> str:
    """The catalog row a payment by this principal is recorded under; refuses everyone else."""
    require_feature("payments", settings)
    if principal.is_customer and not principal.read_only:
        customer_account(session, principal)
        return "customer.payments"
    if principal.is_agent and principal.read_only and principal.account_id:
        active_agent(session, principal)
        return "agent.payments"
    raise NotAllowed("Invoices are paid from the customer's Client Center.")


def require_read_only_confirmation(principal: Principal, confirmed: bool, what: str) -> None:
    """The Agent Section's Payments is the one write the read-only view makes, so it is never a
    single tap: the page asks first and sends ``confirmed=True`` only from its dialog. Without
    the flag nothing is written (and the attempt is logged, like every refused write there)."""
    if not principal.read_only or confirmed is True:
        return
    log.warning(
        "unconfirmed payment refused in read-only mode: %s agent_id=%s account_id=%s "
        "session_id=%s",
        what,
        principal.agent_id,
        principal.account_id,
        principal.session_id,
    )
    raise InvalidInput(
        f"Confirm first: {what} changes this customer's billing and is recorded "
        "in your name. Nothing was recorded.",
        "confirm",
    )


def idempotency_hash(
    principal: Principal, scope: str, client_key: str, settings: Settings | None = None
) -> str:
    """The stored key: the browser's key, bound to who acts and what they pay, keyed with the
    app secret (one customer's key can never collide with, or reveal, another's)."""
    if not isinstance(client_key, str) or not _CLIENT_KEY.match(client_key):
        raise InvalidInput(
            "This payment form has expired. Reload the page and try again.", "idempotency_key"
        )
    settings = settings or get_settings()
    actor = f"c{principal.contact_id}" if principal.is_customer else f"a{principal.agent_id}"
    message = f"{scope}|{principal.account_id}|{actor}|{client_key}".encode()
    return hmac.new(settings.secret(), message, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------- invoices


def _locked_invoice(session: Session, account_id: int, invoice_id: int) -> Invoice:
    """The invoice, locked for this transaction; invoices of other accounts look absent."""
    invoice = session.exec(
        select(Invoice)
        .where(
            Invoice.id == invoice_id, Invoice.account_id == account_id, Invoice.published == True
        )  # noqa: E712
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if invoice is None:
        raise NotFound("There is no such invoice on this account.")
    return invoice


def lock_invoice_by_id(session: Session, invoice_id: int) -> Invoice:
    return session.exec(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def balance_cents(invoice: Invoice) -> int:
    return invoice.amount_cents - invoice.paid_cents


def _refuse_closed(invoice: Invoice) -> None:
    if invoice.status == InvoiceStatus.PAID:
        raise InvalidInput(f"Invoice {invoice.number} is already paid. Thank you!")
    if invoice.status == InvoiceStatus.CANCELLED:
        raise InvalidInput(f"Invoice {invoice.number} was cancelled: there is nothing to pay.")
    if invoice.status == InvoiceStatus.PENDING:
        raise InvalidInput(
            f"A payment for invoice {invoice.number} is waiting for the agency "
            "to confirm it arrived. There is no need to pay again."
        )


def _amount_for(invoice: Invoice, amount_cents: int | None, settings: Settings) -> int:
    balance = balance_cents(invoice)
    if amount_cents is None:
        return balance
    amount = check_cents(amount_cents)
    shown = format_money(balance, invoice.currency)
    if amount > balance:
        raise InvalidInput(f"That is more than the balance of {shown}.", "amount")
    if amount != balance:
        if not settings.payments.allow_partial:
            raise InvalidInput(
                f"Please pay the full balance of {shown}: partial payments are not accepted.",
                "amount",
            )
        minimum = settings.payments.partial_minimum_cents
        if amount < minimum:
            raise InvalidInput(
                f"A partial payment must be at least {format_money(minimum, invoice.currency)}.",
                "amount",
            )
    return amount


def pending_payment(session: Session, invoice_id: int) -> Payment | None:
    return session.exec(
        select(Payment)
        .where(Payment.invoice_id == invoice_id, Payment.status == PaymentStatus.PENDING)
        .execution_options(populate_existing=True)
    ).first()


# --------------------------------------------------------------------------- paying


def pay_invoice(
    session: Session,
    principal: Principal,
    invoice_id: int,
    *,
    method: str,
    idempotency_key: str,
    amount_cents: int | None = None,
    reference: str = "",
    confirmed: bool = False,
    settings: Settings | None = None,
) -> PayResult:
    """Pay (part of) an invoice. Customers pay with the configured provider: a card on the
    provider's page, or — offline — by telling us about their bank transfer or check, which
    leaves the invoice "payment pending" until an agent confirms it. An agent in read-only
    mode may take a card payment for the customer or record money received in hand, once
    ``confirmed`` (require_read_only_confirmation)."""
    settings = settings or get_settings()
    action_key = payer_action(session, principal, settings)
    require_recent_second_factor(session, principal, "pay")
    provider = get_provider(settings)
    method = require_payment_method(principal, provider, method, METHOD_LABELS)
    reference = clean_note(reference, field="reference", max_length=60, label="The reference")
    key = idempotency_hash(principal, f"invoice:{invoice_id}", idempotency_key, settings)

    invoice = _locked_invoice(session, principal.account_id, invoice_id)
    earlier = session.exec(select(Payment).where(Payment.idempotency_key == key)).first()
    if earlier is not None:  # a double click or a retried request: the first outcome stands
        return replay_payment(session, earlier, provider, settings)

    stale = pending_payment(session, invoice.id)
    if stale is not None and stale.provider != "offline":
        outcome = _clear_open_checkout(
            session,
            stale,
            invoice,
            provider,
            settings,
            reuse_for=(principal, method, amount_cents),
        )
        if outcome is not None:
            return outcome
    _refuse_closed(invoice)
    amount = _amount_for(invoice, amount_cents, settings)
    require_read_only_confirmation(principal, confirmed, "recording a payment")

    payment = Payment(
        account_id=invoice.account_id,
        invoice_id=invoice.id,
        amount_cents=amount,
        currency=invoice.currency,
        method=method,
        provider=provider.name if method == "card" else "offline",
        status=PaymentStatus.PENDING,
        idempotency_key=key,
        memo=reference,
        paid_by_contact_id=principal.contact_id if principal.is_customer else None,
        taken_by_agent_id=principal.agent_id if principal.is_agent else None,
    )
    session.add(payment)
    session.flush()  # the unique indexes speak here if anything raced past the lock

    if method == "card":
        checkout = provider.create_checkout(
            checkout_request(session, payment, invoice, principal, settings)
        )
        payment.provider_ref = checkout.provider_ref
        session.add(payment)
        session.flush()
        return PayResult(
            payment.id,
            PaymentStatus.PENDING,
            "Continue to the secure card page to pay.",
            checkout.redirect_url,
        )

    if principal.is_agent:  # money in the agent's hand: settled as it is recorded
        settle_payment(session, payment, settings)
        return PayResult(
            payment.id,
            payment.status,
            f"{METHOD_LABELS[method]} of {format_money(amount, payment.currency)} "
            f"recorded for invoice {invoice.number}.",
        )

    moved = session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == InvoiceStatus.OPEN)
        .values(status=InvoiceStatus.PENDING)
    ).rowcount
    if moved != 1:  # pragma: no cover - the lock and the checks above make this unreachable
        raise InvalidInput("This invoice changed while you were paying. Reload and try again.")
    session.refresh(invoice)
    shown = format_money(amount, payment.currency)
    record_action(
        session,
        principal,
        action_key,
        account_id=invoice.account_id,
        summary=f"{METHOD_LABELS[method]} of {shown} for invoice {invoice.number} recorded; "
        "it shows as payment pending until the agency confirms it arrived.",
        details=_details(payment, invoice, state=PaymentStatus.PENDING),
    )
    return PayResult(
        payment.id,
        PaymentStatus.PENDING,
        f"Thank you! Invoice {invoice.number} shows “payment pending” until we "
        "confirm your payment arrived.",
    )


def replay_payment(
    session: Session, payment: Payment, provider: PaymentProvider, settings: Settings
) -> PayResult:
    """The outcome of an earlier attempt with the same key, unchanged."""
    if (
        payment.status == PaymentStatus.PENDING
        and payment.provider != "offline"
        and payment.provider_ref
    ):
        checkout = provider.fetch_checkout(payment.provider_ref)
        if checkout.state == "open":
            return PayResult(
                payment.id,
                PaymentStatus.PENDING,
                "Continue to the secure card page to pay.",
                checkout.redirect_url,
            )
        apply_checkout(session, payment, checkout, settings)
    messages = {
        PaymentStatus.PENDING: "Your payment is recorded and waiting for confirmation.",
        PaymentStatus.SUCCEEDED: "Your payment went through. Thank you!",
        PaymentStatus.FAILED: "That payment did not go through. Reload the page to try again.",
        PaymentStatus.UNAPPLIED: "Your payment arrived after the invoice closed; we will refund it.",
    }
    return PayResult(payment.id, payment.status, messages[payment.status])


def _clear_open_checkout(
    session: Session,
    stale: Payment,
    invoice: Invoice,
    provider: PaymentProvider,
    settings: Settings,
    reuse_for: tuple[Principal, str, int | None],
) -> PayResult | None:
    """An earlier card checkout on this invoice is still pending. Reuse it when the same person
    pays the same amount by card again (the tab was closed); otherwise close it first, and if
    it turns out to have been paid meanwhile, say so instead of taking a second payment."""
    principal, method, amount_cents = reuse_for
    if stale.batch_id is not None:  # part of a Pay all: that checkout closes for every bill
        close_card_checkout(session, stale, provider, settings)
        return _paid_meanwhile(session, stale, invoice)
    same_payer = stale.paid_by_contact_id == principal.contact_id and stale.taken_by_agent_id == (
        principal.agent_id if principal.is_agent else None
    )
    wanted = amount_cents if amount_cents is not None else balance_cents(invoice)
    if stale.provider_ref is None:
        fail_payment(session, stale)  # the provider never heard of it
        return None
    if method == "card" and same_payer and stale.amount_cents == wanted:
        checkout = provider.fetch_checkout(stale.provider_ref)
        if checkout.state == "open":
            return PayResult(
                stale.id,
                PaymentStatus.PENDING,
                "Continue to the secure card page to pay.",
                checkout.redirect_url,
            )
    else:
        checkout = provider.expire_checkout(stale.provider_ref)
    apply_checkout(session, stale, checkout, settings)
    if stale.status == PaymentStatus.PENDING:
        raise InvalidInput(
            "A card payment for this invoice is still in progress. Please try "
            "again in a few minutes."
        )
    if stale.status == PaymentStatus.SUCCEEDED:
        return _paid_meanwhile(session, stale, invoice)
    return None


def _paid_meanwhile(session: Session, stale: Payment, invoice: Invoice) -> PayResult | None:
    """The earlier card checkout went through after all: say so instead of a second payment."""
    session.refresh(invoice)
    if invoice.status != InvoiceStatus.PAID:
        return None
    return PayResult(
        stale.id,
        PaymentStatus.SUCCEEDED,
        f"Invoice {invoice.number} is already paid: the card payment "
        "started earlier went through. Thank you!",
    )


def checkout_request(
    session: Session,
    payment: Payment,
    invoice: Invoice | None,
    principal: Principal,
    settings: Settings,
    back: str = routes.BILLING,
) -> CheckoutRequest:
    public = str(settings.public_url).rstrip("/")
    email = None
    if principal.is_customer:
        email = acting_contact(session, principal).email
    what = (
        (
            f"Invoice {invoice.number}"
            + (f" – {invoice.description}" if invoice.description else "")
        )
        if invoice
        else payment.memo
    )
    return CheckoutRequest(
        payment_id=payment.id,
        # Stable for this payment row (the SDK's retries reuse it); a new row after a rolled
        # back attempt gets a new one, as its checkout parameters differ.
        idempotency_key=f"{payment.idempotency_key[:32]}-{payment.created_at.timestamp():.6f}",
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        description=f"{settings.branding.short_name}: {what}",
        success_url=f"{public}{back}?checkout=done&payment={payment.id}",
        cancel_url=f"{public}{back}?checkout=cancelled&payment={payment.id}",
        customer_email=email,
        metadata={
            "account_id": str(payment.account_id),
            **({"invoice": invoice.number} if invoice else {}),
        },
    )


# --------------------------------------------------------------------------- settling


def fail_payment(session: Session, payment: Payment) -> bool:
    """pending → failed (a checkout that expired or was abandoned). Moves nothing else."""
    moved = session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status == PaymentStatus.PENDING)
        .values(status=PaymentStatus.FAILED)
    ).rowcount
    session.refresh(payment)
    if moved == 1:
        # The one domain event outside the catalog (no one acted): webhooks only.
        account = session.get(Account, payment.account_id)
        webhook_events.emit(
            session,
            "payment.failed",
            {
                "account": {"id": account.id, "name": account.name} if account else None,
                "payment": {
                    "id": payment.id,
                    "invoice_id": payment.invoice_id,
                    "amount_cents": payment.amount_cents,
                    "currency": payment.currency,
                    "method": payment.method,
                    "provider": payment.provider,
                },
            },
            account_id=payment.account_id,
        )
    return moved == 1


def settle_payment(
    session: Session,
    payment: Payment,
    settings: Settings,
    record_as: tuple[Principal, str] | None = None,
    *,
    record: bool = True,
) -> bool:
    """pending → succeeded, applied to its invoice, and recorded (unless ``record`` is False:
    a Pay all batch records its payments once, together). False when the payment was no
    longer pending (a replay or a race that someone else won): then nothing changes."""
    invoice = lock_invoice_by_id(session, payment.invoice_id) if payment.invoice_id else None
    now = utcnow()
    won = (
        session.execute(
            update(Payment)
            .where(Payment.id == payment.id, Payment.status == PaymentStatus.PENDING)
            .values(status=PaymentStatus.SUCCEEDED, settled_at=now)
        ).rowcount
        == 1
    )
    session.refresh(payment)
    if not won:
        return False
    if invoice is not None:
        amount = payment.amount_cents
        applied = (
            session.execute(
                update(Invoice)
                .where(
                    Invoice.id == invoice.id,
                    Invoice.status.in_(OPEN_STATES),
                    Invoice.paid_cents + amount <= Invoice.amount_cents,
                )
                .values(
                    paid_cents=Invoice.paid_cents + amount,
                    status=case(
                        (Invoice.paid_cents + amount >= Invoice.amount_cents, InvoiceStatus.PAID),
                        else_=InvoiceStatus.OPEN,
                    ),
                )
            ).rowcount
            == 1
        )
        session.refresh(invoice)
        if not applied:
            # Money arrived for a bill that cannot take it (cancelled meanwhile): keep the
            # fact, tell the producer, never count it twice.
            session.execute(
                update(Payment)
                .where(Payment.id == payment.id)
                .values(status=PaymentStatus.UNAPPLIED)
            )
            session.refresh(payment)
            log.error(
                "payment %s arrived for invoice %s in status %s: refund due",
                payment.id,
                invoice.id,
                invoice.status,
            )
        elif invoice.status == InvoiceStatus.PAID:
            payment.settles_invoice_id = invoice.id
            session.add(payment)
            session.flush()
            session.execute(
                update(PaymentRequest)
                .where(
                    PaymentRequest.invoice_id == invoice.id,
                    PaymentRequest.status.in_(
                        (PaymentRequestStatus.SENT, PaymentRequestStatus.OPENED)
                    ),
                )
                .values(status=PaymentRequestStatus.PAID)
            )
    if record:
        _record_settled(session, payment, invoice, settings, record_as)
    return True


def _payer_principal(payment: Payment) -> tuple[Principal, str]:
    """Who the settled payment is recorded for: the customer who paid, the agent who took it
    in read-only mode, or the agent who took a one-time payment on the agency side."""
    if payment.paid_by_contact_id is not None:
        return (
            Principal.customer(payment.account_id, payment.paid_by_contact_id),
            "customer.payments",
        )
    if payment.invoice_id is not None:
        return Principal.agent_viewing(
            payment.taken_by_agent_id, payment.account_id
        ), "agent.payments"
    return Principal.agency(payment.taken_by_agent_id), "agency.one_time_payment"


def _record_settled(
    session: Session,
    payment: Payment,
    invoice: Invoice | None,
    settings: Settings,
    record_as: tuple[Principal, str] | None,
) -> None:
    principal, action_key = record_as or _payer_principal(payment)
    shown = format_money(payment.amount_cents, payment.currency)
    how = METHOD_LABELS.get(payment.method, payment.method)
    if invoice is None:
        summary = f"One-time payment of {shown} ({how.lower()}): {payment.memo}"
    elif payment.status == PaymentStatus.UNAPPLIED:
        summary = (
            f"{how} payment of {shown} arrived after invoice {invoice.number} was "
            f"{invoice.status}: a refund is due."
        )
    else:
        left = balance_cents(invoice)
        tail = (
            "paid in full."
            if invoice.status == InvoiceStatus.PAID
            else f"balance {format_money(left, invoice.currency)}."
        )
        summary = f"{how} payment of {shown} received for invoice {invoice.number}; {tail}"
    public = str(settings.public_url).rstrip("/")
    record_action(
        session,
        principal,
        action_key,
        account_id=payment.account_id,
        summary=summary,
        details=_details(payment, invoice, state=payment.status),
        links={"url": f"{public}{routes.BILLING}", "url_label": "See your receipt"},
    )


def _details(payment: Payment, invoice: Invoice | None, *, state: str) -> dict:
    """What the activity log keeps: ids, amounts and the method; never card data."""
    details = {
        "payment_id": payment.id,
        "amount_cents": payment.amount_cents,
        "currency": payment.currency,
        "method": payment.method,
        "state": state,
    }
    if invoice is not None:
        details.update(
            invoice=invoice.number, invoice_id=invoice.id, balance_cents=balance_cents(invoice)
        )
    return details


def apply_checkout(
    session: Session, payment: Payment, checkout: Checkout, settings: Settings
) -> str:
    """Bring a pending card payment in line with what the provider says happened."""
    if payment.batch_id is not None:
        return _apply_batch_checkout(session, payment, checkout, settings)
    if checkout.amount_cents is not None and (
        checkout.amount_cents != payment.amount_cents
        or (checkout.currency or payment.currency) != payment.currency
    ):
        log.error(
            "checkout %s amount %s %s does not match payment %s (%s %s): not applied",
            checkout.provider_ref,
            checkout.amount_cents,
            checkout.currency,
            payment.id,
            payment.amount_cents,
            payment.currency,
        )
        return "mismatch"
    if checkout.state == "paid":
        return "settled" if settle_payment(session, payment, settings) else "already settled"
    if checkout.state in ("expired", "failed"):
        return "closed" if fail_payment(session, payment) else "already closed"
    return "open"


def apply_provider_event(
    session: Session, event: ProviderEvent, settings: Settings | None = None
) -> str:
    """A verified webhook: settle or close the payment it is about. Replays change nothing."""
    settings = settings or get_settings()
    if event.checkout is None:
        return "ignored"
    payment = session.exec(
        select(Payment).where(Payment.provider_ref == event.checkout.provider_ref)
    ).first()
    if payment is None:
        log.warning(
            "webhook %s (%s) names unknown checkout %s",
            event.event_id,
            event.event_type,
            event.checkout.provider_ref,
        )
        return "unknown"
    _lock_invoices_of(session, payment)
    outcome = apply_checkout(session, payment, event.checkout, settings)
    log.info(
        "webhook %s (%s) for payment %s: %s", event.event_id, event.event_type, payment.id, outcome
    )
    return outcome


def _own_card_payment(
    session: Session, principal: Principal, payment_id: int, settings: Settings
) -> Payment:
    """A payment this principal started: the customer who paid, the agent who took it in
    read-only mode, or the agent who took a one-time payment on the agency side."""
    if principal.is_agent and not principal.read_only:
        require_permission(session, principal, Permission.TAKE_PAYMENTS)
    else:
        payer_action(session, principal, settings)
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound("There is no such payment.")
    if principal.is_customer:
        mine = (
            payment.account_id == principal.account_id
            and payment.paid_by_contact_id == principal.contact_id
        )
    elif principal.read_only:
        mine = (
            payment.account_id == principal.account_id
            and payment.taken_by_agent_id == principal.agent_id
        )
    else:
        mine = payment.invoice_id is None and payment.taken_by_agent_id == principal.agent_id
    if not mine:
        raise NotFound("There is no such payment.")
    _lock_invoices_of(session, payment)
    return payment


def finish_checkout(
    session: Session, principal: Principal, payment_id: int, settings: Settings | None = None
) -> PayResult:
    """The payer is back from the provider's page: ask the provider rather than wait for the
    webhook, so the invoice shows paid at once. Settling twice is impossible either way."""
    settings = settings or get_settings()
    payment = _own_card_payment(session, principal, payment_id, settings)
    if payment.status == PaymentStatus.PENDING and payment.provider_ref:
        provider = get_provider(settings)
        apply_checkout(session, payment, provider.fetch_checkout(payment.provider_ref), settings)
    if payment.status == PaymentStatus.SUCCEEDED:
        return PayResult(
            payment.id, PaymentStatus.SUCCEEDED, "Your payment went through. Thank you!"
        )
    if payment.status == PaymentStatus.PENDING:
        return PayResult(
            payment.id,
            PaymentStatus.PENDING,
            "Your payment is being processed. This page "
            "updates when the card service confirms it.",
        )
    return PayResult(payment.id, payment.status, "That payment did not go through.")


def abandon_checkout(
    session: Session, principal: Principal, payment_id: int, settings: Settings | None = None
) -> PayResult:
    """The payer came back with "cancel": close the checkout so it cannot be paid later, and
    free the invoice for another try. If it was paid after all, that is what we say."""
    settings = settings or get_settings()
    payment = _own_card_payment(session, principal, payment_id, settings)
    if payment.status == PaymentStatus.PENDING and payment.provider_ref:
        provider = get_provider(settings)
        apply_checkout(session, payment, provider.expire_checkout(payment.provider_ref), settings)
    if payment.status == PaymentStatus.SUCCEEDED:
        return PayResult(
            payment.id, PaymentStatus.SUCCEEDED, "Your payment went through. Thank you!"
        )
    return PayResult(payment.id, payment.status, "No payment was taken. You can try again.")


# --------------------------------------------------------------------------- offline, agency


def confirm_offline_payment(
    session: Session,
    principal: Principal,
    payment_id: int,
    *,
    received: bool = True,
    confirmed: bool = False,
    settings: Settings | None = None,
) -> PayResult:
    """An agent confirms that a customer's bank transfer or check arrived (or that it did
    not: the invoice opens again). Recorded as the agent's payment on the customer's behalf
    (agent.payments), so the customer hears that it arrived. From the read-only view only
    once ``confirmed`` (require_read_only_confirmation)."""
    settings = settings or get_settings()
    if not principal.is_agent:
        raise NotAllowed("Only the agency confirms that a payment arrived.")
    agent = active_agent(session, principal)
    if not may(agent.role, Permission.TAKE_PAYMENTS):
        raise NotAllowed(refusal(Permission.TAKE_PAYMENTS))
    payment = session.get(Payment, payment_id)
    if payment is None or (principal.read_only and payment.account_id != principal.account_id):
        raise NotFound("There is no such payment.")
    if payment.provider != "offline" or payment.invoice_id is None:
        raise InvalidInput("Only bank transfers and checks wait for confirmation.")
    if payment.batch_id is not None:  # one check or transfer for several bills (Pay all)
        return _confirm_offline_batch(
            session, principal, payment, received=received, confirmed=confirmed, settings=settings
        )
    invoice = lock_invoice_by_id(session, payment.invoice_id)
    session.refresh(payment)
    if payment.status != PaymentStatus.PENDING:
        raise InvalidInput(f"This payment was already {_said(payment.status)}.")
    require_read_only_confirmation(
        principal,
        confirmed,
        "marking a payment as received" if received else "marking a payment as not received",
    )
    actor = Principal.agent_viewing(
        principal.agent_id, payment.account_id, session_id=principal.session_id
    )
    if received:
        # Back to open first: settle_payment applies the amount to an open invoice.
        session.execute(
            update(Invoice)
            .where(Invoice.id == invoice.id, Invoice.status == InvoiceStatus.PENDING)
            .values(status=InvoiceStatus.OPEN)
        )
        if not settle_payment(session, payment, settings, record_as=(actor, "agent.payments")):
            raise InvalidInput("This payment was already confirmed.")
        close_payment_tasks(session, payment.account_id, payment.id)
        return PayResult(
            payment.id,
            payment.status,
            f"Payment confirmed; invoice {invoice.number} is "
            f"{'paid' if invoice.status == 'paid' else 'partly paid'}.",
        )
    fail_payment(session, payment)
    session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == InvoiceStatus.PENDING)
        .values(status=InvoiceStatus.OPEN)
    )
    session.refresh(invoice)
    shown = format_money(payment.amount_cents, payment.currency)
    record_action(
        session,
        actor,
        "agent.payments",
        account_id=payment.account_id,
        summary=f"The {METHOD_LABELS[payment.method].lower()} of {shown} for invoice "
        f"{invoice.number} has not arrived, so the invoice is open again.",
        details=_details(payment, invoice, state="not_received"),
    )
    close_payment_tasks(session, payment.account_id, payment.id)
    return PayResult(payment.id, PaymentStatus.FAILED, f"Invoice {invoice.number} is open again.")


def _said(status: str) -> str:
    return {
        PaymentStatus.SUCCEEDED: "confirmed",
        PaymentStatus.FAILED: "marked as not received",
        PaymentStatus.UNAPPLIED: "marked for refund",
    }.get(status, status)


def take_one_time_payment(
    session: Session,
    principal: Principal,
    account_id: int,
    *,
    amount_cents: int,
    memo: str,
    method: str,
    idempotency_key: str,
    reference: str = "",
    return_path: str = "/agency",
    settings: Settings | None = None,
) -> PayResult:
    """An agent takes a payment that is on no invoice (a down payment, an endorsement fee)
    with a memo. Money in hand is recorded as received, and the customer gets a receipt; a
    card payment opens the provider's page for the agent (the card goes to the provider), which
    comes back to ``return_path?checkout=done|cancelled&payment=<id>`` on this site; that page
    calls finish_checkout / abandon_checkout."""
    settings = settings or get_settings()
    require_feature("payments", settings)
    if not (
        isinstance(return_path, str)
        and return_path.startswith("/")
        and not return_path.startswith("//")
        and "?" not in return_path
    ):
        raise ValueError("return_path must be a path on this site, like /agency")
    agent = require_permission(session, principal, Permission.TAKE_PAYMENTS)
    if session.get(Account, account_id) is None:
        raise NotFound("No such customer account.")
    provider = get_provider(settings)
    method = require_payment_method(principal, provider, method, METHOD_LABELS)
    amount = check_cents(amount_cents)
    memo = clean_note(
        memo, field="memo", max_length=120, required=True, label="A memo (what the payment is for)"
    )
    reference = clean_note(reference, field="reference", max_length=60, label="The reference")
    scoped = Principal("agent", account_id=account_id, agent_id=agent.id)
    key = idempotency_hash(scoped, "one-time", idempotency_key, settings)
    earlier = session.exec(select(Payment).where(Payment.idempotency_key == key)).first()
    if earlier is not None:
        return replay_payment(session, earlier, provider, settings)

    payment = Payment(
        account_id=account_id,
        invoice_id=None,
        amount_cents=amount,
        currency=settings.payments.currency,
        method=method,
        provider=provider.name if method == "card" else "offline",
        status=PaymentStatus.PENDING,
        idempotency_key=key,
        memo=memo + (f" · Ref {reference}" if reference else ""),
        taken_by_agent_id=agent.id,
    )
    session.add(payment)
    session.flush()
    if method == "card":
        checkout = provider.create_checkout(
            checkout_request(session, payment, None, scoped, settings, back=return_path)
        )
        payment.provider_ref = checkout.provider_ref
        session.add(payment)
        session.flush()
        return PayResult(
            payment.id,
            PaymentStatus.PENDING,
            "Continue on the secure card page.",
            checkout.redirect_url,
        )
    settle_payment(session, payment, settings)
    return PayResult(
        payment.id,
        payment.status,
        f"{format_money(amount, payment.currency)} recorded; the customer gets a receipt.",
    )


# --------------------------------------------------------------------------- Pay all batches
# The payments of one Pay all share ``batch_id``: the id of the first of them, which holds
# the card checkout for the whole amount. They settle, fail and are confirmed together.


def batch_members(session: Session, payment: Payment) -> list[Payment]:
    if payment.batch_id is None:
        return [payment]
    return list(
        session.exec(
            select(Payment)
            .where(Payment.batch_id == payment.batch_id)
            .order_by(Payment.id)
            .execution_options(populate_existing=True)
        ).all()
    )


def _lock_invoices_of(session: Session, payment: Payment) -> None:
    """Same lock order as paying: the invoices (by id, as Pay all takes them), then the
    payment, read again."""
    ids = sorted({m.invoice_id for m in batch_members(session, payment) if m.invoice_id})
    for invoice_id in ids:
        lock_invoice_by_id(session, invoice_id)
    session.refresh(payment)


def close_card_checkout(
    session: Session, pending: Payment, provider: PaymentProvider, settings: Settings
) -> None:
    """Close the card checkout an invoice's pending payment belongs to (a Pay all's covers
    every bill in it); if it was paid meanwhile, that is applied instead. Refuses while the
    provider says it is still being paid."""
    holder = pending
    if pending.batch_id is not None and pending.batch_id != pending.id:
        holder = session.get(Payment, pending.batch_id)
    _lock_invoices_of(session, holder)
    if holder.provider_ref is None:  # the provider never heard of it
        for member in batch_members(session, holder):
            fail_payment(session, member)
    else:
        apply_checkout(session, holder, provider.expire_checkout(holder.provider_ref), settings)
    session.refresh(pending)
    if pending.status == PaymentStatus.PENDING:
        raise InvalidInput(
            "A card payment for this invoice is still in progress. Please try "
            "again in a few minutes."
        )


def _apply_batch_checkout(
    session: Session, payment: Payment, checkout: Checkout, settings: Settings
) -> str:
    members = batch_members(session, payment)
    total = sum(m.amount_cents for m in members)
    currency = members[0].currency
    if checkout.amount_cents is not None and (
        checkout.amount_cents != total or (checkout.currency or currency) != currency
    ):
        log.error(
            "checkout %s amount %s %s does not match pay-all batch %s (%s %s): not applied",
            checkout.provider_ref,
            checkout.amount_cents,
            checkout.currency,
            payment.batch_id,
            total,
            currency,
        )
        return "mismatch"
    if checkout.state == "paid":
        settled = [m for m in members if settle_payment(session, m, settings, record=False)]
        if not settled:
            return "already settled"
        record_batch_settled(session, settled, settings)
        return "settled"
    if checkout.state in ("expired", "failed"):
        closed = [m for m in members if fail_payment(session, m)]
        return "closed" if closed else "already closed"
    return "open"


def record_batch_settled(
    session: Session,
    payments: list[Payment],
    settings: Settings,
    record_as: tuple[Principal, str] | None = None,
) -> None:
    """One activity entry (and task, and messages) for the payments of one Pay all."""
    first = payments[0]
    principal, action_key = record_as or _payer_principal(first)
    invoices = [session.get(Invoice, p.invoice_id) for p in payments]
    numbers = ", ".join(i.number for i in invoices)
    total = format_money(sum(p.amount_cents for p in payments), first.currency)
    how = METHOD_LABELS.get(first.method, first.method)
    refunds = [
        i.number for p, i in zip(payments, invoices, strict=True) if p.status == "unapplied"
    ]
    summary = f"{how} payment of {total} received for invoices {numbers} (pay all)"
    summary += (
        f"; invoices {', '.join(refunds)} had closed meanwhile: a refund is due."
        if refunds
        else "; paid in full."
    )
    public = str(settings.public_url).rstrip("/")
    record_action(
        session,
        principal,
        action_key,
        account_id=first.account_id,
        summary=summary,
        details=batch_details(payments, invoices, state=PaymentStatus.SUCCEEDED),
        links={"url": f"{public}{routes.BILLING}", "url_label": "See your receipts"},
    )


def batch_details(payments: list[Payment], invoices: list[Invoice], *, state: str) -> dict:
    """What the activity log keeps of a batch: ids, amounts and the method; never card data."""
    return {
        "payment_id": payments[0].id,
        "payment_ids": [p.id for p in payments],
        "amount_cents": sum(p.amount_cents for p in payments),
        "currency": payments[0].currency,
        "method": payments[0].method,
        "state": state,
        "invoices": [i.number for i in invoices],
        "invoice_ids": [i.id for i in invoices],
    }


def _confirm_offline_batch(
    session: Session,
    principal: Principal,
    payment: Payment,
    *,
    received: bool,
    confirmed: bool,
    settings: Settings,
) -> PayResult:
    """confirm_offline_payment for a Pay all: one check or transfer for several bills."""
    _lock_invoices_of(session, payment)
    members = batch_members(session, payment)
    if any(m.status != PaymentStatus.PENDING for m in members):
        done = next(m for m in members if m.status != PaymentStatus.PENDING)
        raise InvalidInput(f"This payment was already {_said(done.status)}.")
    require_read_only_confirmation(
        principal,
        confirmed,
        "marking a payment as received" if received else "marking a payment as not received",
    )
    actor = Principal.agent_viewing(
        principal.agent_id, payment.account_id, session_id=principal.session_id
    )
    invoice_ids = [m.invoice_id for m in members]
    # Back to open: settle_payment applies an amount to an open invoice, and "not received" reopens.
    session.execute(
        update(Invoice)
        .where(Invoice.id.in_(invoice_ids), Invoice.status == InvoiceStatus.PENDING)
        .values(status=InvoiceStatus.OPEN)
    )
    invoices = [lock_invoice_by_id(session, i) for i in invoice_ids]
    numbers = ", ".join(i.number for i in invoices)
    if received:
        for member in members:
            settle_payment(session, member, settings, record=False)
        record_batch_settled(session, members, settings, record_as=(actor, "agent.payments"))
        return PayResult(
            payment.id, PaymentStatus.SUCCEEDED, f"Payment confirmed; invoices {numbers} are paid."
        )
    for member in members:
        fail_payment(session, member)
    total = format_money(sum(m.amount_cents for m in members), payment.currency)
    record_action(
        session,
        actor,
        "agent.payments",
        account_id=payment.account_id,
        summary=f"The {METHOD_LABELS[payment.method].lower()} of {total} for invoices "
        f"{numbers} has not arrived, so the invoices are open again.",
        details=batch_details(members, invoices, state="not_received"),
    )
    return PayResult(payment.id, PaymentStatus.FAILED, f"Invoices {numbers} are open again.")
