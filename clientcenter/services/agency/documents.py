"""Documents the agency adds to an account (the REST API's upload) and takes back out of the
portal. An added file goes through the customer upload's own checks — size, type read from
its bytes, the scan hook (services/portal/documents.py ``check_upload`` and the scanner) —
and is stored internal-only: it reaches the customer when it is published, through the
"Policies/Invoices" action (services/agency/actions.py ``publish_policies_invoices``), and
leaves the portal again with ``unpublish_document``. Adding and unpublishing are agency
writes in the audit trail; publishing is recorded by its action."""

from __future__ import annotations

import re

from sqlmodel import Session

from clientcenter.models import Document, Policy
from clientcenter.models.documents import DOCUMENT_CATEGORIES, ScanStatus
from clientcenter.services.access import require_permission
from clientcenter.services.agency.audit import record_write
from clientcenter.services.agency.info_pane import get_account
from clientcenter.services.agency.roles import Permission
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.files import storage
from clientcenter.services.files.scanning import get_scanner
from clientcenter.services.portal.documents import MAX_TITLE_LENGTH, UploadRefused, check_upload
from clientcenter.services.principal import Principal

AGENCY_CATEGORIES = tuple(c for c in DOCUMENT_CATEGORIES if c != "customer_upload")
_TITLE_OK = re.compile(r"^[^\x00-\x1f\x7f]+$")


def _title(title: str | None) -> str:
    text = " ".join(str(title or "").split())
    if not text or not _TITLE_OK.match(text):
        raise InvalidInput("Give the document a title.", "title")
    if len(text) > MAX_TITLE_LENGTH:
        raise InvalidInput(f"A title has at most {MAX_TITLE_LENGTH} characters.", "title")
    return text


def add_document(
    session: Session,
    principal: Principal,
    account_id: int,
    data: bytes,
    *,
    title: str | None,
    category: str,
    policy_id: int | None = None,
) -> Document:
    """Store the file on the account, not shared with the customer. Refuses before storing."""
    agent = require_permission(session, principal, Permission.PUBLISH)
    account = get_account(session, account_id)
    if category not in AGENCY_CATEGORIES:
        raise InvalidInput(f"category is one of {', '.join(AGENCY_CATEGORIES)}.", "category")
    policy = session.get(Policy, policy_id) if policy_id is not None else None
    if policy_id is not None and (policy is None or policy.account_id != account.id):
        raise NotFound("That policy is not on this account.")
    text = _title(title)
    content_type, extension = check_upload(data)
    verdict = get_scanner()(data, content_type)
    if verdict.status == ScanStatus.REJECTED:
        raise UploadRefused(verdict.reason or "This file did not pass our safety check.", "file")
    stored = storage.save_bytes(data, session=session)
    stem = re.sub(r"[^A-Za-z0-9 ._-]+", " ", text).strip(" .-_")[:80] or "document"
    document = Document(
        account_id=account.id,
        policy_id=policy.id if policy else None,
        category=category,
        title=text,
        filename=f"{stem}.{extension}",
        storage_key=stored.storage_key,
        content_type=content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        shared_with_customer=False,
        uploaded_by_agent_id=agent.id,
        scan_status=verdict.status,
    )
    session.add(document)
    session.flush()
    record_write(
        session, principal, "document.add", account.id, f"Added {text} (internal until published)"
    )
    return document


def get_document(session: Session, principal: Principal, document_id: int) -> Document:
    require_permission(session, principal, Permission.PUBLISH)
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"No document has id {document_id}.")
    return document


def unpublish_document(session: Session, principal: Principal, document_id: int) -> Document:
    """The customer no longer sees it; the file stays on the account. Idempotent."""
    document = get_document(session, principal, document_id)
    if document.category == "customer_upload":
        raise InvalidInput("A customer's own upload stays visible to them.", "document_id")
    if document.shared_with_customer:
        document.shared_with_customer = False
        session.flush()
    record_write(
        session,
        principal,
        "document.unpublish",
        document.account_id,
        f"Took {document.title} out of the Client Center",
    )
    return document
