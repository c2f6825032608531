"""Documents one at a time from the agency side: an agent puts a file on an account (or one
of its policies) from the info pane, as a draft or as internal, and publishes a shared one.

- Upload needs ``share_documents`` (the front desk). The file is checked as a customer's
  upload is, by its bytes and the scan hook (``check_upload``, ``get_scanner``), and written
  to the private store with the caller's session, so it goes again if nothing commits. It is
  a *draft*: the customer does not see it. The action is logged (``agency.upload_document``,
  log-only) and so enters the audit trail.
- *Internal* documents (and every internal note) are the agency's own for good: no publish,
  no share, no customer listing or download (services/portal/documents.py).
- Publish is the matrix's Policies/Invoices row: :func:`publish_document` hands the one
  document to ``publish_policies_invoices``, which needs ``publish``, makes it visible, and
  tells the customer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from clientcenter.models import Document, Policy
from clientcenter.models.base import utcnow
from clientcenter.models.documents import DOCUMENT_CATEGORIES, ScanStatus
from clientcenter.models.policies import POLICY_LINES
from clientcenter.services.access import require_permission
from clientcenter.services.accounts import when
from clientcenter.services.agency.actions import Done, publish_policies_invoices
from clientcenter.services.agency.audit import record_write
from clientcenter.services.agency.info_pane import get_account
from clientcenter.services.agency.roles import Permission
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.files import storage
from clientcenter.services.files.scanning import get_scanner
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.documents import (
    MAX_TITLE_LENGTH,
    UploadRefused,
    check_upload,
    clean_stem,
    clean_title,
)
from clientcenter.services.principal import Principal

UPLOAD_ACTION = "agency.upload_document"
MAX_LISTED = 200  # the info pane lists the newest; an import can bring thousands
INTERNAL_KIND = "internal_note"
# What an agent files from the info pane, in the order the form offers them.
AGENCY_KINDS = (
    "declarations",
    "id_card",
    "endorsement",
    "invoice",
    "certificate",
    "correspondence",
    "other",
    INTERNAL_KIND,
)


class DocumentStatus:
    DRAFT = "draft"  # shared, not published yet: the customer does not see it
    PUBLISHED = "published"
    INTERNAL = "internal"
    CHECKING = "checking"  # the scan hook has not said clean yet
    FROM_CUSTOMER = "from_customer"


STATUS_LABELS = {
    DocumentStatus.DRAFT: "Draft",
    DocumentStatus.PUBLISHED: "Published",
    DocumentStatus.INTERNAL: "Internal",
    DocumentStatus.CHECKING: "Safety check pending",
    DocumentStatus.FROM_CUSTOMER: "From the customer",
}


@dataclass(frozen=True)
class AccountDocument:
    id: int
    title: str
    kind_label: str
    policy_label: str  # "Personal Auto · PA-1234567", or ""
    created: str
    status: str  # a DocumentStatus value
    status_label: str
    may_publish: bool  # a draft the scan hook found clean


def kinds() -> list[tuple[str, str]]:
    return [(k, DOCUMENT_CATEGORIES[k]) for k in AGENCY_KINDS]


def _status(doc: Document) -> str:
    if doc.uploaded_by_contact_id is not None:
        return DocumentStatus.FROM_CUSTOMER
    if doc.internal:
        return DocumentStatus.INTERNAL
    if doc.scan_status != ScanStatus.CLEAN:
        return DocumentStatus.CHECKING
    return DocumentStatus.PUBLISHED if doc.shared_with_customer else DocumentStatus.DRAFT


def _policy_label(policy: Policy | None) -> str:
    return f"{POLICY_LINES.get(policy.line, policy.line)} · {policy.number}" if policy else ""


def account_documents(
    session: Session, principal: Principal, account_id: object
) -> list[AccountDocument]:
    """The account's documents, newest first (at most MAX_LISTED), with where each stands."""
    require_permission(session, principal, Permission.SHARE_DOCUMENTS)
    account = get_account(session, account_id)
    rows = session.exec(
        select(Document, Policy)
        .join(Policy, Policy.id == Document.policy_id, isouter=True)
        .where(Document.account_id == account.id)
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(MAX_LISTED)
    ).all()
    out = []
    for doc, policy in rows:
        status = _status(doc)
        out.append(
            AccountDocument(
                id=doc.id,
                title=doc.title,
                kind_label=DOCUMENT_CATEGORIES.get(doc.category, doc.category.title()),
                policy_label=_policy_label(policy),
                created=when(doc.created_at),
                status=status,
                status_label=STATUS_LABELS[status],
                may_publish=status == DocumentStatus.DRAFT,
            )
        )
    return out


def _policy_on(session: Session, account_id: int, policy_id: object) -> Policy | None:
    if policy_id in (None, ""):
        return None
    try:
        policy = session.get(Policy, int(policy_id))
    except (TypeError, ValueError):
        policy = None
    if policy is None or policy.account_id != account_id:
        raise NotFound("That policy is not on this account.")
    return policy


def upload_agency_document(
    session: Session,
    principal: Principal,
    account_id: object,
    *,
    original_name: str,
    data: bytes,
    kind: str,
    title: str,
    internal: bool,
    policy_id: object = None,
) -> AccountDocument:
    """Put a file on the account as a draft (``internal=False``) or internal. Every refusal
    raises before a byte is stored; the caller commits."""
    require_permission(session, principal, Permission.SHARE_DOCUMENTS)
    account = get_account(session, account_id)
    policy = _policy_on(session, account.id, policy_id)
    if kind not in AGENCY_KINDS:
        raise InvalidInput("Choose what kind of document this is.", field="kind")
    title = clean_title(title or "")
    if not title:
        raise InvalidInput("Give the document a title the customer will recognise.", field="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput(f"Keep the title under {MAX_TITLE_LENGTH} characters.", field="title")
    internal = bool(internal) or kind == INTERNAL_KIND
    content_type, extension = check_upload(data)
    verdict = get_scanner()(data, content_type)
    if verdict.status == ScanStatus.REJECTED:
        raise UploadRefused(
            verdict.reason or "This file did not pass our safety check.", field="file"
        )
    stored = storage.save_bytes(data, session=session)
    try:
        doc = Document(
            account_id=account.id,
            policy_id=policy.id if policy else None,
            category=kind,
            title=title[:160],
            filename=f"{clean_stem(original_name or '') or 'document'}.{extension}"[:160],
            storage_key=stored.storage_key,
            content_type=content_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            shared_with_customer=False,  # a draft until published; internal for good
            internal=internal,
            uploaded_by_agent_id=principal.agent_id,
            scan_status=verdict.status,
            created_at=utcnow(),
        )
        session.add(doc)
        session.flush()
        record_action(
            session,
            principal,
            UPLOAD_ACTION,
            account_id=account.id,
            summary=f"Uploaded “{doc.title}” ({'internal' if internal else 'draft'})",
            details={
                "document_id": doc.id,
                "category": kind,
                "internal": internal,
                "policy_id": doc.policy_id,
                "content_type": content_type,
                "size_bytes": stored.size_bytes,
                "scan_status": verdict.status,
            },
        )
    except BaseException:
        storage.delete(stored.storage_key)
        raise
    status = _status(doc)
    return AccountDocument(
        id=doc.id,
        title=doc.title,
        kind_label=DOCUMENT_CATEGORIES[kind],
        policy_label=_policy_label(policy),
        created=when(doc.created_at),
        status=status,
        status_label=STATUS_LABELS[status],
        may_publish=status == DocumentStatus.DRAFT,
    )


def publish_document(
    session: Session, principal: Principal, account_id: object, document_id: object
) -> Done:
    """Publish one draft: the Policies/Invoices row (visible to the customer, who is told).
    The document must be on this account, clean, not internal and not published yet."""
    require_permission(session, principal, Permission.PUBLISH)
    account = get_account(session, account_id)
    try:
        doc = session.get(Document, int(document_id))
    except (TypeError, ValueError):
        doc = None
    if doc is None or doc.account_id != account.id:
        raise NotFound("That document is not on this account.")
    if doc.shared_with_customer and not doc.internal:
        raise InvalidInput(f"“{doc.title}” is published already.")
    return publish_policies_invoices(session, principal, account.id, document_ids=[doc.id])


def policy_choices(
    session: Session, principal: Principal, account_id: object
) -> list[tuple[int, str]]:
    """The account's policies, for the upload form's "Which policy" choice."""
    require_permission(session, principal, Permission.SHARE_DOCUMENTS)
    account = get_account(session, account_id)
    policies = session.exec(
        select(Policy)
        .where(Policy.account_id == account.id)
        .order_by(Policy.status, Policy.line, Policy.number)
    ).all()
    return [(p.id, _policy_label(p)) for p in policies]


def agency_document(session: Session, principal: Principal, document_id: object) -> Document:
    """One document by our id, for a caller that names no account (the REST API)."""
    require_permission(session, principal, Permission.SHARE_DOCUMENTS)
    try:
        document = session.get(Document, int(document_id))
    except (TypeError, ValueError):
        document = None
    if document is None:
        raise NotFound(f"No document has id {document_id}.")
    return document


def unpublish_document(session: Session, principal: Principal, document_id: object) -> Document:
    """Take a published document out of the customer's Client Center; the file stays on the
    account, a draft again. A customer's own upload stays theirs. Idempotent."""
    require_permission(session, principal, Permission.PUBLISH)
    document = agency_document(session, principal, document_id)
    if document.category == "customer_upload":
        raise InvalidInput("A customer's own upload stays visible to them.", field="document_id")
    if document.shared_with_customer:
        document.shared_with_customer = False
        session.flush()
    record_write(
        session,
        principal,
        "document.unpublish",
        document.account_id,
        f"Took “{document.title}” out of the Client Center",
    )
    return document
