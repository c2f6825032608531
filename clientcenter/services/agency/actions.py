"""Agency-side actions (the Portal Section of docs/actions-and-matrix.md) that are not payments: Share Document
through Email / Text, Policies/Invoices (publish to the portal) and Share Certificate.
Each changes what it must and calls record_action in the same transaction, which applies the
matrix (agent email, customer email or SMS, log). Payment Request and One-time Payment live
in services/billing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from clientcenter.models import Account, Certificate, CertificateHolder, Document, Invoice
from clientcenter.models.documents import ScanStatus
from clientcenter.services.access import require_permission
from clientcenter.services.accounts import is_account_active, primary_contact
from clientcenter.services.agency.certificate_links import (
    issue_certificate_link,
    why_holder_cannot_open,
)
from clientcenter.services.agency.info_pane import get_account
from clientcenter.services.agency.roles import Permission
from clientcenter.services.dates import date_text
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.notify import outbox
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.shared_document_links import shared_document_url
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.agency")
SHARE_ACTIONS = {"email": "agency.share_document_email", "sms": "agency.share_document_text"}
MAX_NOTE = 500


@dataclass(frozen=True)
class Done:
    message: str
    activity_id: int


def _require_open_portal(session: Session, account: Account, what: str) -> None:
    if not is_account_active(session, account.id):
        raise InvalidInput(
            f"{account.name} has no active policy, so nobody can log in to "
            f"its Client Center to {what}."
        )


def _document_on(session: Session, account: Account, document_id: object) -> Document:
    try:
        document = session.get(Document, int(document_id))
    except (TypeError, ValueError):
        document = None
    if document is None or document.account_id != account.id:
        raise NotFound("That document is not on this account.")
    if document.internal:
        raise InvalidInput(
            f"“{document.title}” is internal to the agency: it is never shown to the customer."
        )
    if document.scan_status != ScanStatus.CLEAN:
        raise InvalidInput("This file has not passed the safety check, so it can't be shared.")
    return document


def share_document(
    session: Session, principal: Principal, account_id: object, document_id: object, channel: str
) -> Done:
    """Share Document through Email / through Text: the document becomes visible in the
    customer's portal and the customer gets a secure link that opens after logging in."""
    require_permission(session, principal, Permission.SHARE_DOCUMENTS)
    if channel not in SHARE_ACTIONS:
        raise InvalidInput("Share by email or by text.", field="channel")
    account = get_account(session, account_id)
    _require_open_portal(session, account, "open the document")
    document = _document_on(session, account, document_id)
    customer = primary_contact(session, account.id)
    if customer is None:
        raise InvalidInput(f"{account.name} has no primary applicant to share with.")
    if channel == "sms" and not customer.mobile:
        raise InvalidInput(
            f"{customer.full_name} has no mobile number on file: share by email instead.",
            field="channel",
        )
    if channel == "email" and not customer.email:
        raise InvalidInput(
            f"{customer.full_name} has no email address on file: share by text instead.",
            field="channel",
        )
    document.shared_with_customer = True
    session.add(document)
    session.flush()
    how = "email" if channel == "email" else "text message"
    entry = record_action(
        session,
        principal,
        SHARE_ACTIONS[channel],
        account_id=account.id,
        channel=channel,
        summary=f"Shared “{document.title}”. Log in to Client Center to view or download it.",
        details={"document_id": document.id, "title": document.title, "sent_by": how},
        links={"url": shared_document_url(document), "url_label": "View the document"},
    )
    return Done(f"“{document.title}” shared with {account.name} by {how}.", entry.id)


@dataclass(frozen=True)
class Publishable:
    invoices: list[tuple[int, str]]  # (id, "INV-1 · $210.00 due May 1")
    documents: list[tuple[int, str]]  # (id, title) of policy documents not yet shared


def publishable(session: Session, principal: Principal, account_id: object) -> Publishable:
    require_permission(session, principal, Permission.PUBLISH)
    account = get_account(session, account_id)
    invoices = session.exec(
        select(Invoice)
        .where(Invoice.account_id == account.id, Invoice.published == False)  # noqa: E712
        .order_by(Invoice.due_date)
    ).all()
    documents = session.exec(
        select(Document)
        .where(
            Document.account_id == account.id,
            Document.shared_with_customer == False,  # noqa: E712
            Document.internal == False,  # noqa: E712
            Document.scan_status == ScanStatus.CLEAN,
            Document.category != "customer_upload",
        )
        .order_by(Document.created_at.desc())
    ).all()
    return Publishable(
        invoices=[
            (i.id, f"{i.number} · ${i.amount_cents / 100:,.2f} due {date_text(i.due_date)}")
            for i in invoices
        ],
        documents=[(d.id, d.title) for d in documents],
    )


def publish_policies_invoices(
    session: Session,
    principal: Principal,
    account_id: object,
    *,
    invoice_ids: list[object] = (),
    document_ids: list[object] = (),
) -> Done:
    """Policies/Invoices: make invoices and policy documents visible in the portal."""
    require_permission(session, principal, Permission.PUBLISH)
    account = get_account(session, account_id)
    if not invoice_ids and not document_ids:
        raise InvalidInput("Pick at least one invoice or document to publish.")
    invoices = []
    for raw in invoice_ids:
        try:
            invoice = session.get(Invoice, int(raw))
        except (TypeError, ValueError):
            invoice = None
        if invoice is None or invoice.account_id != account.id:
            raise NotFound("That invoice is not on this account.")
        invoices.append(invoice)
    documents = [_document_on(session, account, raw) for raw in document_ids]
    for invoice in invoices:
        invoice.published = True
        session.add(invoice)
    for document in documents:
        document.shared_with_customer = True
        session.add(document)
    session.flush()
    parts = []
    if invoices:
        parts.append(
            f"{len(invoices)} invoice{'s' if len(invoices) != 1 else ''} "
            f"({', '.join(i.number for i in invoices)})"
        )
    if documents:
        parts.append(
            f"{len(documents)} document{'s' if len(documents) != 1 else ''} "
            f"({', '.join(d.title for d in documents)})"
        )
    summary = "Published to your Client Center: " + " and ".join(parts) + "."
    entry = record_action(
        session,
        principal,
        "agency.publish_policies_invoices",
        account_id=account.id,
        summary=summary,
        details={
            "invoice_ids": [i.id for i in invoices],
            "document_ids": [d.id for d in documents],
        },
        links={"url": str(get_settings().public_url), "url_label": "Open Client Center"},
    )
    return Done(f"Published {' and '.join(parts)} for {account.name}.", entry.id)


def _clean_email(raw: str) -> str:
    address = (raw or "").strip().lower()
    if not address:
        raise InvalidInput(
            "This holder has no email address: type the one to send it to.", field="email"
        )
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidInput(
            f"“{raw.strip()[:80]}” doesn't look like an email address.", field="email"
        ) from None
    return address


def share_certificate(
    session: Session,
    principal: Principal,
    certificate_id: object,
    *,
    email: str = "",
    note: str = "",
) -> Done:
    """Share Certificate: email the certificate to its holder (a time-limited download link),
    with the matrix's agent and customer emails and the log entry."""
    agent = require_permission(session, principal, Permission.SHARE_DOCUMENTS)
    try:
        certificate = session.get(Certificate, int(certificate_id))
    except (TypeError, ValueError):
        certificate = None
    if certificate is None:
        raise NotFound("No such certificate.")
    account = session.get(Account, certificate.account_id)
    # Send nothing the holder's download would refuse (the same checks run on every download).
    refused = why_holder_cannot_open(session, certificate)
    if refused is not None:
        raise InvalidInput(refused)
    holder = (
        session.get(CertificateHolder, certificate.holder_id) if certificate.holder_id else None
    )
    address = _clean_email(email or (holder.email if holder else "") or "")
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"Keep the note under {MAX_NOTE} characters.", field="note")
    holder_name = holder.name if holder else address
    entry = record_action(
        session,
        principal,
        "agency.share_certificate",
        account_id=account.id,
        summary=f"Certificate of insurance sent to {holder_name} ({address}).",
        details={"certificate_id": certificate.id, "holder": holder_name, "to": address},
    )
    # A link of its own per email, so the agency can revoke exactly this one.
    link = issue_certificate_link(
        session,
        certificate,
        holder_name=holder_name,
        to_address=address,
        agent_id=agent.id,
        activity_id=entry.id,
    )
    outbox.enqueue(
        session,
        channel="email",
        to_address=address,
        template="certificate_to_holder",
        context={
            "account_name": account.name,
            "holder_name": holder_name,
            "note": note or f"Sent by {agent.full_name}.",
            "expires": f"{date_text(link.row.expires_at)}",
            "url": link.url,
            "url_label": "Download the certificate (PDF)",
        },
        recipient_kind="other",
        account_id=account.id,
        activity_id=entry.id,
        to_name=holder_name,
    )
    return Done(f"Certificate sent to {holder_name} at {address}.", entry.id)
