"""Shared-document links: the agency emails a customer a link to a document it shared; it
opens after the customer logs in. The link carries a signed value (services/auth/tokens.py)
with the ids and an expiry, and is not stored. (Certificate links, for holders who have no
login, are stored and revocable: services/agency/certificate_links.py. The words for each kind
of link: docs/architecture.md, "Words we use".)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from clientcenter import routes
from clientcenter.models import Document
from clientcenter.models.documents import ScanStatus
from clientcenter.services.auth.tokens import sign, unsign
from clientcenter.services.principal import Principal

SHARE_TTL_DAYS = 14
_DOC_PURPOSE = "shared-document"


def shared_document_url(document: Document) -> str:
    """The address of a new shared-document link to this document."""
    token = sign(
        _DOC_PURPOSE, {"d": document.id, "a": document.account_id}, SHARE_TTL_DAYS * 86400
    )
    return routes.absolute_url(routes.shared_document_path(token))


@dataclass(frozen=True)
class SharedLanding:
    """What /shared/<token> shows. Before login nothing about the document but the prompt."""

    state: str  # invalid | login | other_account | open
    message: str
    document_id: int | None = None
    title: str = ""


def open_shared_document(
    session: Session, principal: Principal | None, token: str
) -> SharedLanding:
    payload = unsign(_DOC_PURPOSE, token or "")
    if (
        payload is None
        or not isinstance(payload.get("d"), int)
        or not isinstance(payload.get("a"), int)
    ):
        return SharedLanding(
            "invalid",
            "This link is not valid or has expired. Log in to see "
            "your documents, or ask us to share it again.",
        )
    if principal is None:
        return SharedLanding("login", "Log in to see the document we shared with you.")
    if principal.account_id != payload["a"]:
        return SharedLanding(
            "other_account",
            "This document is on another of your accounts. "
            "Switch to it (Profile → Switch accounts), then open the link again.",
        )
    document = session.get(Document, payload["d"])
    if (
        document is None
        or document.account_id != payload["a"]
        or not document.shared_with_customer
        or document.internal
        or document.scan_status != ScanStatus.CLEAN
    ):
        return SharedLanding(
            "invalid", "This document is no longer shared. Call us if you need it."
        )
    return SharedLanding("open", document.title, document.id, document.title)
