"""Certificates of insurance for commercial accounts: the ones issued, their holders, adding a
holder and asking for a new certificate. The whole section follows `features.certificates`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from clientcenter.models import Account, Certificate, CertificateHolder, ChangeRequest, Document
from clientcenter.models.accounts import AccountKind
from clientcenter.models.documents import ScanStatus
from clientcenter.services import form_input as fi
from clientcenter.services.access import (
    acting_contact,
    feature_enabled,
    require_feature,
    sees,
    viewable_account,
    writable_account,
)
from clientcenter.services.auth.step_up import require_recent_second_factor
from clientcenter.services.dates import date_text
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.files import storage
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.documents import FileToSend
from clientcenter.services.portal.references import new_reference
from clientcenter.services.principal import Principal

HOLDER_FIELDS = ("name", "street", "city", "state", "postal_code", "email")
REQUEST_FIELDS = ("holder_id", "operations", "due_date")
LATEST_DUE_DAYS = 180


@dataclass(frozen=True)
class HolderView:
    id: int
    name: str
    address: str
    email: str


@dataclass(frozen=True)
class CertificateView:
    id: int
    holder_name: str
    description: str
    issued_on: date
    document_id: int


def offered(session: Session, principal: Principal) -> bool:
    """Whether the page shows the section: switched on, and a commercial account in view."""
    if not feature_enabled("certificates"):
        return False
    if not sees(principal, "certificates"):
        return False
    return viewable_account(session, principal, area="certificates").kind == AccountKind.COMMERCIAL


def _certificates_account(
    session: Session, principal: Principal, action_key: str | None = None
) -> Account:
    require_feature("certificates")
    account = (
        writable_account(session, principal, action_key, area="certificates")
        if action_key
        else viewable_account(session, principal, area="certificates")
    )
    if account.kind != AccountKind.COMMERCIAL:
        raise NotAllowed("Certificates of insurance are for business accounts.")
    return account


def list_certificates(session: Session, principal: Principal) -> list[CertificateView]:
    account = _certificates_account(session, principal)
    rows = session.exec(
        select(Certificate, CertificateHolder, Document)
        .join(Document, Document.id == Certificate.document_id)
        .join(CertificateHolder, CertificateHolder.id == Certificate.holder_id, isouter=True)
        .where(
            Certificate.account_id == account.id,
            Document.account_id == account.id,
            Document.shared_with_customer == True,  # noqa: E712
            Document.scan_status == ScanStatus.CLEAN,
        )
        .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    ).all()
    return [
        CertificateView(
            id=c.id,
            holder_name=h.name if h else "",
            description=c.description,
            issued_on=c.issued_on,
            document_id=d.id,
        )
        for c, h, d in rows
    ]


def _own_certificate(
    session: Session, principal: Principal, certificate_id: int
) -> tuple[Certificate, Document]:
    account = _certificates_account(session, principal)
    cert = session.get(Certificate, certificate_id)
    doc = session.get(Document, cert.document_id) if cert else None
    if (
        cert is None
        or cert.account_id != account.id
        or doc is None
        or doc.account_id != account.id
        or not doc.shared_with_customer
        or doc.scan_status != ScanStatus.CLEAN
    ):
        raise NotFound("That certificate is not on your account.")
    return cert, doc


def check_certificate(session: Session, principal: Principal, certificate_id: int) -> int:
    """Before a download link is handed out: the certificate is this account's (records
    nothing; the download route checks again and records the download)."""
    return _own_certificate(session, principal, certificate_id)[0].id


def certificate_document(session: Session, principal: Principal, certificate_id: int) -> Document:
    """The file of one certificate, for the download route; records the download.

    Customers and agents viewing read-only may download (it changes nothing); the matrix row
    for a customer is "Your Certificates (Download)"."""
    cert, doc = _own_certificate(session, principal, certificate_id)
    if principal.is_customer:
        record_action(
            session,
            principal,
            "customer.certificates_download",
            summary=f"Downloaded certificate for {_holder_name(session, cert)}.",
            details={"certificate_id": cert.id, "document_id": doc.id},
        )
    else:
        # No agent row exists for certificates: the download counts as a document download.
        record_action(
            session,
            principal,
            "agent.download_documents",
            summary=f"Downloaded certificate for {_holder_name(session, cert)} (read-only mode).",
            details={"certificate_id": cert.id, "document_id": doc.id},
        )
    return doc


def certificate_file(session: Session, principal: Principal, certificate_id: int) -> FileToSend:
    """The bytes of one certificate for the download route (kind "certificate")."""
    doc = certificate_document(session, principal, certificate_id)
    return FileToSend(doc.filename, doc.content_type, storage.open_stream(doc.storage_key))


def list_holders(session: Session, principal: Principal) -> list[HolderView]:
    account = _certificates_account(session, principal)
    rows = session.exec(
        select(CertificateHolder)
        .where(CertificateHolder.account_id == account.id)
        .order_by(CertificateHolder.name, CertificateHolder.id)
    ).all()
    return [holder_view(h) for h in rows]


def holder_view(h: CertificateHolder) -> HolderView:
    parts = [h.street, ", ".join(p for p in (h.city, f"{h.state} {h.postal_code}".strip()) if p)]
    return HolderView(
        id=h.id, name=h.name, address=", ".join(p for p in parts if p), email=h.email or ""
    )


def add_holder(
    session: Session, principal: Principal, data: dict[str, Any] | None
) -> CertificateHolder:
    account = _certificates_account(session, principal, "customer.add_certificate_holder")
    require_recent_second_factor(session, principal, "certificate_holder")
    values = fi.allowed(data, HOLDER_FIELDS)
    holder = CertificateHolder(
        account_id=account.id,
        name=fi.text(values, "name", "Holder name", max_len=160),
        street=fi.text(values, "street", "Street address", max_len=160),
        city=fi.text(values, "city", "City", max_len=80),
        state=fi.us_state(values, "state"),
        postal_code=fi.postal_code(values, "postal_code"),
        email=fi.email(values, "email", "Holder email", required=False),
    )
    duplicate = session.exec(
        select(CertificateHolder.id).where(
            CertificateHolder.account_id == account.id,
            CertificateHolder.name == holder.name,
            CertificateHolder.postal_code == holder.postal_code,
        )
    ).first()
    if duplicate is not None:
        raise InvalidInput(
            f"{holder.name} at that ZIP code is already one of your certificate holders.",
            field="name",
        )
    session.add(holder)
    session.flush()
    view = holder_view(holder)
    record_action(
        session,
        principal,
        "customer.add_certificate_holder",
        summary=f"New certificate holder: {holder.name}, {view.address}.",
        details={
            "holder_id": holder.id,
            "name": holder.name,
            "address": view.address,
            "email": holder.email,
        },
    )
    return holder


def request_certificate(
    session: Session, principal: Principal, data: dict[str, Any] | None
) -> ChangeRequest:
    """Ask the agency to issue a certificate to one of the account's holders."""
    account = _certificates_account(session, principal, "customer.request_certificate")
    contact = acting_contact(session, principal)
    values = fi.allowed(data, REQUEST_FIELDS)
    holder_id = fi.record_id(values, "holder_id", "Certificate holder")
    holder = session.get(CertificateHolder, holder_id)
    if holder is None or holder.account_id != account.id:
        raise NotFound("That certificate holder is not on your account.")
    operations = fi.text(
        values, "operations", "Description of operations", max_len=500, multiline=True
    )
    today = date.today()
    due = fi.iso_date(
        values,
        "due_date",
        "Date needed by",
        earliest=today,
        latest=today + timedelta(days=LATEST_DUE_DAYS),
    )
    request = ChangeRequest(
        account_id=account.id,
        contact_id=contact.id,
        kind="certificate",
        subtype="new",
        reference=new_reference(session, "certificate"),
        summary=f"Certificate for {holder.name}, needed by {date_text(due)}"[:200],
        details={
            "form": "Request New Certificate",
            "fields": [
                {
                    "key": "holder",
                    "label": "Certificate holder",
                    "value": f"{holder.name}, {holder_view(holder).address}",
                },
                {"key": "operations", "label": "Description of operations", "value": operations},
                {"key": "due_date", "label": "Date needed by", "value": date_text(due)},
            ],
            "holder_id": holder.id,
        },
        due_date=due,
    )
    session.add(request)
    session.flush()
    record_action(
        session,
        principal,
        "customer.request_certificate",
        summary=f"Request New Certificate {request.reference}: {request.summary}.",
        details={
            "reference": request.reference,
            "holder_id": holder.id,
            "holder": holder.name,
            "operations": operations,
            "due_date": due.isoformat(),
        },
    )
    return request


def _holder_name(session: Session, cert: Certificate) -> str:
    holder = session.get(CertificateHolder, cert.holder_id) if cert.holder_id else None
    return holder.name if holder else "no named holder"
