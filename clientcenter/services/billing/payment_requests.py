"""Payment requests: an agent sends the customer a link by email or text; the link opens the
invoice once the customer has logged in. The link's token is stored only as a keyed hash; the
link expires, and a paid or cancelled invoice's link says so."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, select

from clientcenter import routes
from clientcenter.models import Invoice, PaymentRequest
from clientcenter.models.base import utcnow
from clientcenter.models.billing import InvoiceStatus, PaymentRequestStatus
from clientcenter.services.access import require_feature, require_permission
from clientcenter.services.accounts import primary_contact
from clientcenter.services.agency.roles import Permission
from clientcenter.services.billing.money import format_money
from clientcenter.services.billing.paying import balance_cents, lock_invoice_by_id
from clientcenter.services.dates import date_text
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal
from clientcenter.settings import Settings, get_settings

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")

LandingState = Literal["invalid", "expired", "paid", "cancelled", "login", "other_account", "open"]


@dataclass(frozen=True)
class SentRequest:
    request_id: int
    channel: str
    expires_at: datetime
    url: str  # the customer's link; it opens nothing without the customer's login


@dataclass(frozen=True)
class RequestLanding:
    state: LandingState
    message: str
    invoice_id: int | None = None


def hash_request_token(token: str, settings: Settings | None = None) -> str:
    secret = (settings or get_settings()).secret()
    return hmac.new(secret, b"payment-request\x00" + token.encode(), hashlib.sha256).hexdigest()


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def send_payment_request(
    session: Session,
    principal: Principal,
    invoice_id: int,
    *,
    channel: Literal["email", "sms"],
    settings: Settings | None = None,
) -> SentRequest:
    """Agency side: send the account's primary applicant a link to pay this invoice, by email
    (agency.payment_request_email) or by text (agency.payment_request_text)."""
    settings = settings or get_settings()
    require_feature("payments", settings)
    require_permission(session, principal, Permission.PAYMENT_REQUESTS)
    if channel not in ("email", "sms"):
        raise InvalidInput("Send the payment request by email or by text.", "channel")
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound("There is no such invoice.")
    invoice = lock_invoice_by_id(session, invoice.id)
    if not invoice.published:
        raise InvalidInput(
            f"Publish invoice {invoice.number} to the portal first, so the "
            "customer can see what they are asked to pay."
        )
    if invoice.status == InvoiceStatus.PAID:
        raise InvalidInput(f"Invoice {invoice.number} is already paid.")
    if invoice.status == InvoiceStatus.CANCELLED:
        raise InvalidInput(f"Invoice {invoice.number} was cancelled.")
    if invoice.status == InvoiceStatus.PENDING:
        raise InvalidInput(
            f"A payment for invoice {invoice.number} is waiting for "
            "confirmation: confirm it or mark it not received first."
        )
    primary = primary_contact(session, invoice.account_id)
    if primary is None:
        raise InvalidInput("This account has no primary applicant to send the request to.")
    if channel == "email" and not primary.email:
        raise InvalidInput(
            f"{primary.full_name} has no email address on file: send it by text instead.",
            "channel",
        )
    if channel == "sms" and not primary.mobile:
        raise InvalidInput(
            f"{primary.full_name} has no mobile number on file: send it by email instead.",
            "channel",
        )

    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=settings.payments.request_ttl_days)
    request = PaymentRequest(
        account_id=invoice.account_id,
        invoice_id=invoice.id,
        channel=channel,
        token_hash=hash_request_token(token, settings),
        expires_at=expires_at,
        status=PaymentRequestStatus.SENT,
        created_by_agent_id=principal.agent_id,
    )
    session.add(request)
    session.flush()
    url = str(settings.public_url).rstrip("/") + routes.pay_link_path(token)
    balance = format_money(balance_cents(invoice), invoice.currency)
    how = "email" if channel == "email" else "text"
    record_action(
        session,
        principal,
        f"agency.payment_request_{'email' if channel == 'email' else 'text'}",
        account_id=invoice.account_id,
        channel=channel,
        summary=f"Please pay invoice {invoice.number}: {balance} due "
        f"{date_text(invoice.due_date)}. The link works until {date_text(expires_at)}.",
        details={
            "invoice": invoice.number,
            "invoice_id": invoice.id,
            "payment_request_id": request.id,
            "sent_by": how,
            "balance_cents": balance_cents(invoice),
            "currency": invoice.currency,
        },
        # The link is for the customer's message only (it needs their login anyway).
        links={"url": url, "url_label": f"Pay invoice {invoice.number}"},
    )
    return SentRequest(request.id, channel, expires_at, url)


def open_payment_request(
    session: Session, principal: Principal | None, token: str, settings: Settings | None = None
) -> RequestLanding:
    """What the /pay/<token> link shows. Before login only the link's own state (expired,
    paid, cancelled) — never the invoice; after login, the invoice if it is on the account in
    view."""
    settings = settings or get_settings()
    if not isinstance(token, str) or not _TOKEN.match(token):
        return _invalid()
    request = session.exec(
        select(PaymentRequest).where(
            PaymentRequest.token_hash == hash_request_token(token, settings)
        )
    ).first()
    if request is None:
        return _invalid()
    invoice = session.get(Invoice, request.invoice_id)
    if invoice is None or not invoice.published:
        return _invalid()
    if invoice.status == InvoiceStatus.PAID or request.status == PaymentRequestStatus.PAID:
        return RequestLanding(
            "paid",
            "This invoice is already paid. Thank you!",
            invoice.id if _sees(principal, request) else None,
        )
    if (
        invoice.status == InvoiceStatus.CANCELLED
        or request.status == PaymentRequestStatus.CANCELLED
    ):
        return RequestLanding(
            "cancelled",
            "This invoice was cancelled, so there is nothing "
            "to pay. Call us if you have questions.",
        )
    if _as_utc(request.expires_at) <= utcnow():
        return RequestLanding(
            "expired",
            "This payment link has expired. Log in to see your "
            "invoices, or ask us to send a new link.",
        )
    if principal is None:
        return RequestLanding("login", "Log in to see and pay this invoice.")
    if not _sees(principal, request):
        return RequestLanding(
            "other_account",
            "This payment link is for another account. "
            "Switch to that account (Profile → Switch accounts), then open "
            "the link again.",
        )
    if principal.is_customer and request.status == PaymentRequestStatus.SENT:
        session.execute(
            update(PaymentRequest)
            .where(
                PaymentRequest.id == request.id, PaymentRequest.status == PaymentRequestStatus.SENT
            )
            .values(status=PaymentRequestStatus.OPENED)
        )
    return RequestLanding("open", f"Invoice {invoice.number}", invoice.id)


def _sees(principal: Principal | None, request: PaymentRequest) -> bool:
    return principal is not None and principal.account_id == request.account_id


def _invalid() -> RequestLanding:
    return RequestLanding(
        "invalid",
        "This payment link is not valid. Check that you opened "
        "the whole link from your message, or log in to see your invoices.",
    )
