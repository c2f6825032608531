"""Links the agency sends out: a shared document (the customer opens it after logging in) and
a certificate for its holder (a third party with no login, so the link itself is the key and
it expires).

Both are signed values (services/tokens.py) carrying ids and an expiry; neither is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from clientcenter.models import Certificate, Document
from clientcenter.services.principal import Principal
from clientcenter.services.tokens import sign, unsign
from clientcenter.settings import get_settings

SHARED_DOCUMENT_PATH = "/shared/"
HOLDER_CERTIFICATE_PATH = "/certificate/"
SHARE_TTL_DAYS = 14
HOLDER_TTL_DAYS = 30
_DOC_PURPOSE = "shared-document"
_CERT_PURPOSE = "holder-certificate"


def _url(path: str, token: str) -> str:
    return str(get_settings().public_url).rstrip("/") + path + token


def shared_document_url(document: Document) -> str:
    token = sign(_DOC_PURPOSE, {"d": document.id, "a": document.account_id},
                 SHARE_TTL_DAYS * 86400)
    return _url(SHARED_DOCUMENT_PATH, token)


def holder_certificate_url(certificate: Certificate) -> str:
    token = sign(_CERT_PURPOSE, {"c": certificate.id}, HOLDER_TTL_DAYS * 86400)
    return _url(HOLDER_CERTIFICATE_PATH, token)


@dataclass(frozen=True)
class SharedLanding:
    """What /shared/<token> shows. Before login nothing about the document but the prompt."""

    state: str  # invalid | login | other_account | open
    message: str
    document_id: int | None = None
    title: str = ""


def open_shared_document(session: Session, principal: Principal | None,
                         token: str) -> SharedLanding:
    payload = unsign(_DOC_PURPOSE, token or "")
    if payload is None or not isinstance(payload.get("d"), int) or not isinstance(payload.get("a"), int):
        return SharedLanding("invalid", "This link is not valid or has expired. Log in to see "
                             "your documents, or ask us to share it again.")
    if principal is None:
        return SharedLanding("login", "Log in to see the document we shared with you.")
    if principal.account_id != payload["a"]:
        return SharedLanding("other_account", "This document is on another of your accounts. "
                             "Switch to it (Profile → Switch accounts), then open the link again.")
    document = session.get(Document, payload["d"])
    if (document is None or document.account_id != payload["a"]
            or not document.shared_with_customer or document.scan_status != "clean"):
        return SharedLanding("invalid", "This document is no longer shared. Call us if you "
                             "need it.")
    return SharedLanding("open", document.title, document.id, document.title)


def certificate_for_holder(session: Session, token: str) -> tuple[Certificate, Document] | None:
    """The certificate and its PDF a holder's link stands for, or None."""
    payload = unsign(_CERT_PURPOSE, token or "")
    if payload is None or not isinstance(payload.get("c"), int):
        return None
    certificate = session.get(Certificate, payload["c"])
    if certificate is None:
        return None
    document = session.get(Document, certificate.document_id)
    if document is None or document.account_id != certificate.account_id:
        return None
    return certificate, document
