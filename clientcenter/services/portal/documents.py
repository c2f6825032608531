"""Documents on the customer's account: list, search, download, and uploads from a phone.

Customers (and agents viewing read-only) see a document only if the agency shared it and the
scan hook found it clean. Bytes live in the private store (services/files/storage.py); they leave it
only through the signed, session-bound download route in clientcenter/http/__init__.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

import filetype
from sqlalchemy import or_
from sqlmodel import Session, select

from clientcenter.models import Document, Policy
from clientcenter.models.documents import DOCUMENT_CATEGORIES, ScanStatus
from clientcenter.models.policies import POLICY_LINES
from clientcenter.services.access import writable_account
from clientcenter.services.accounts import account_for
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.files import storage
from clientcenter.services.files.scanning import get_scanner
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.policies import get_policy_row
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

UPLOAD_CATEGORY = "customer_upload"
MAX_QUERY_LENGTH = 100
MAX_TITLE_LENGTH = 120

# What customers may upload, by the type their bytes show (never by name or browser claim).
ALLOWED_UPLOADS = {
    "application/pdf": ("pdf", "PDF"),
    "image/jpeg": ("jpg", "JPEG photo"),
    "image/png": ("png", "PNG image"),
    "image/heic": ("heic", "HEIC photo"),
    "image/heif": ("heif", "HEIF photo"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "docx",
        "Word document",
    ),
}
ALLOWED_DESCRIPTION = "PDF, JPEG, PNG, HEIC (iPhone photos) or Word (.docx)"


class UploadRefused(InvalidInput):
    """An upload that was not stored; the message says why."""


@dataclass(frozen=True)
class DocumentItem:
    id: int
    title: str
    category: str
    category_label: str
    policy_id: int | None
    policy_label: str  # "Personal Auto · PA-1234567", or "" for account-wide documents
    filename: str
    content_type: str
    size_bytes: int
    created_at: datetime
    uploaded_by_customer: bool

    @property
    def size_label(self) -> str:
        return format_size(self.size_bytes)


@dataclass(frozen=True)
class FileToSend:
    filename: str
    content_type: str
    data: bytes


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes.is_integer() else f"{megabytes:.1f} MB"


def _policy_label(policy: Policy | None) -> str:
    if policy is None:
        return ""
    return f"{POLICY_LINES.get(policy.line, policy.line)} · {policy.number}"


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _item(doc: Document, policy: Policy | None) -> DocumentItem:
    return DocumentItem(
        id=doc.id,
        title=doc.title,
        category=doc.category,
        category_label=DOCUMENT_CATEGORIES.get(doc.category, doc.category.title()),
        policy_id=doc.policy_id,
        policy_label=_policy_label(policy),
        filename=doc.filename,
        content_type=doc.content_type,
        size_bytes=doc.size_bytes,
        created_at=_utc(doc.created_at),
        uploaded_by_customer=doc.uploaded_by_contact_id is not None,
    )


def _visible_to_customer():
    """The one rule for what reaches a customer's screen (and an agent's read-only view)."""
    return (Document.shared_with_customer == True) & (Document.scan_status == ScanStatus.CLEAN)  # noqa: E712


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_documents(
    session: Session,
    principal: Principal,
    *,
    policy_id: int | None = None,
    category: str | None = None,
    query: str = "",
) -> list[DocumentItem]:
    """Newest first. ``query`` matches title, file name, category, policy number or carrier."""
    account = account_for(session, principal)
    if category and category not in DOCUMENT_CATEGORIES:
        raise InvalidInput("Unknown document category.", field="category")
    query = (query or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"Search for at most {MAX_QUERY_LENGTH} characters.", field="query")
    stmt = (
        select(Document, Policy)
        .join(Policy, Policy.id == Document.policy_id, isouter=True)
        .where(Document.account_id == account.id, _visible_to_customer())
    )
    if policy_id is not None:
        stmt = stmt.where(Document.policy_id == policy_id)
    if category:
        stmt = stmt.where(Document.category == category)
    if query:
        like = f"%{_escape_like(query.lower())}%"
        categories = [
            key for key, label in DOCUMENT_CATEGORIES.items() if query.lower() in label.lower()
        ]
        stmt = stmt.where(
            or_(
                Document.title.ilike(like, escape="\\"),
                Document.filename.ilike(like, escape="\\"),
                Policy.number.ilike(like, escape="\\"),
                Policy.carrier.ilike(like, escape="\\"),
                Document.category.in_(categories),
            )
        )
    stmt = stmt.order_by(Document.created_at.desc(), Document.id.desc())
    return [_item(doc, policy) for doc, policy in session.exec(stmt).all()]


def document_filters(
    session: Session, principal: Principal
) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """The choices for the filters: the account's policies and the categories it has."""
    account = account_for(session, principal)
    policies = session.exec(
        select(Policy)
        .where(Policy.account_id == account.id)
        .order_by(Policy.status, Policy.line, Policy.number)
    ).all()
    present = set(
        session.exec(
            select(Document.category).where(
                Document.account_id == account.id, _visible_to_customer()
            )
        ).all()
    )
    return (
        [(p.id, _policy_label(p)) for p in policies],
        [(k, v) for k, v in DOCUMENT_CATEGORIES.items() if k in present],
    )


def _visible_document(session: Session, principal: Principal, document_id: int) -> Document:
    account = account_for(session, principal)
    doc = session.get(Document, document_id) if isinstance(document_id, int) else None
    if (
        doc is None
        or doc.account_id != account.id
        or not doc.shared_with_customer
        or doc.scan_status != ScanStatus.CLEAN
    ):
        raise NotFound("We couldn't find that document on your account.")
    return doc


def get_document(session: Session, principal: Principal, document_id: int) -> DocumentItem:
    doc = _visible_document(session, principal, document_id)
    policy = session.get(Policy, doc.policy_id) if doc.policy_id else None
    return _item(doc, policy)


def download_document(session: Session, principal: Principal, document_id: int) -> FileToSend:
    """The bytes of one visible document, recorded as a download (the caller commits)."""
    doc = _visible_document(session, principal, document_id)
    data = storage.read_bytes(doc.storage_key)
    key = "agent.download_documents" if principal.is_agent else "customer.download_documents"
    record_action(
        session,
        principal,
        key,
        account_id=doc.account_id,
        summary=f"Downloaded {doc.title}"[:300],
        details={"document_id": doc.id, "category": doc.category},
    )
    return FileToSend(doc.filename, doc.content_type, data)


# --- uploads -----------------------------------------------------------------------------


def _clean_stem(name: str) -> str:
    """A display name from the phone's file name: letters, digits, spaces, dot, dash."""
    stem = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9 ._-]+", " ", stem)
    return re.sub(r"\s+", " ", stem).strip(" .-_")[:80]


def _clean_title(title: str) -> str:
    title = "".join(ch for ch in title if unicodedata.category(ch)[0] != "C")
    return re.sub(r"\s+", " ", title).strip()


def check_upload(data: bytes, *, max_bytes: int | None = None) -> tuple[str, str]:
    """(content type, extension) of an acceptable file, from its bytes; else UploadRefused."""
    limit = max_bytes if max_bytes is not None else get_settings().security.upload_max_bytes
    if not data:
        raise UploadRefused("The file is empty. Please choose the file again.", field="file")
    if len(data) > limit:
        raise UploadRefused(
            f"The file is too large ({format_size(len(data))}). The limit is "
            f"{format_size(limit)}: please send a smaller photo or split the PDF.",
            field="file",
        )
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ALLOWED_UPLOADS:
        raise UploadRefused(
            f"This type of file can't be uploaded. Please send a {ALLOWED_DESCRIPTION} file.",
            field="file",
        )
    return kind.mime, ALLOWED_UPLOADS[kind.mime][0]


def upload_document(
    session: Session,
    principal: Principal,
    *,
    original_name: str,
    data: bytes,
    title: str = "",
    policy_id: int | None = None,
) -> DocumentItem:
    """Store a customer's file after the size, type and scan checks, and record the action.

    Every refusal raises before a byte is stored. The caller commits; the file is removed if
    our own writes fail, and by the store if the transaction then does not commit.
    """
    account = writable_account(session, principal, "customer.upload_documents")
    policy = get_policy_row(session, principal, policy_id) if policy_id is not None else None
    title = _clean_title(title or "")
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput(
            f"Keep the description under {MAX_TITLE_LENGTH} characters.", field="title"
        )
    content_type, extension = check_upload(data)
    verdict = get_scanner()(data, content_type)
    if verdict.status == ScanStatus.REJECTED:
        raise UploadRefused(
            verdict.reason or "This file did not pass our safety check.", field="file"
        )
    stem = _clean_stem(original_name or "") or "upload"
    now = datetime.now(UTC)
    filename = f"{stem}.{extension}"
    stored = storage.save_bytes(data, session=session)
    try:
        doc = Document(
            account_id=account.id,
            policy_id=policy.id if policy else None,
            category=UPLOAD_CATEGORY,
            title=(title or stem)[:160],
            filename=filename[:160],
            storage_key=stored.storage_key,
            content_type=content_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            # The customer sees their own upload; agents and the customer only once clean.
            shared_with_customer=True,
            uploaded_by_contact_id=principal.contact_id,
            scan_status=verdict.status,
            created_at=now,
        )
        session.add(doc)
        session.flush()
        record_action(
            session,
            principal,
            "customer.upload_documents",
            account_id=account.id,
            summary=f"Uploaded {doc.title}"[:300],
            details={
                "document_id": doc.id,
                "content_type": content_type,
                "size_bytes": stored.size_bytes,
                "policy_id": doc.policy_id,
                "scan_status": verdict.status,
            },
        )
    except BaseException:
        storage.delete(stored.storage_key)
        raise
    return _item(doc, policy)
