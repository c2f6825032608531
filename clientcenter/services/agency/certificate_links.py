"""Certificate links: the agency's Share Certificate emails a certificate of insurance to its
holder — a landlord, a general contractor — who has no login, so the link is the key. Each
link is a row (``CertificateLink``, table ``certificate_share``) holding only the keyed hash of
a random token, so the agency can list and revoke what it sent; it expires after
``security.certificate_link_days``; and every download re-checks everything a certificate
stands on — the link neither revoked nor expired, the feature on, the certificate still on its
account, its document still shared with the customer and clean, the policy (or, for a
certificate not tied to one, the account) still active — and is recorded in the account's
activity log (``holder.certificate_download``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, select

from clientcenter import routes
from clientcenter.models import Certificate, CertificateLink, Document, Policy
from clientcenter.models.base import utcnow
from clientcenter.models.documents import ScanStatus
from clientcenter.models.policies import PolicyStatus
from clientcenter.services.access import feature_enabled, require_permission
from clientcenter.services.accounts import is_account_active
from clientcenter.services.agency.info_pane import get_account
from clientcenter.services.agency.roles import Permission
from clientcenter.services.auth.tokens import keyed_hash, new_token
from clientcenter.services.dates import date_text, time_text
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.files import storage
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.documents import FileToSend
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.security")

_TOKEN_PURPOSE = "certificate-link"
DOWNLOAD_ACTION = "holder.certificate_download"
REVOKE_ACTION = "agency.revoke_certificate_link"


def _hash(token: str) -> str:
    return keyed_hash(_TOKEN_PURPOSE, token)


def certificate_link_url(token: str) -> str:
    return routes.absolute_url(routes.HOLDER_CERTIFICATE_PREFIX + token)


@dataclass(frozen=True)
class IssuedCertificateLink:
    row: CertificateLink
    url: str


def issue_certificate_link(
    session: Session,
    certificate: Certificate,
    *,
    holder_name: str,
    to_address: str,
    agent_id: int,
    activity_id: int | None,
) -> IssuedCertificateLink:
    """A new link for one email of Share Certificate (the caller records the action)."""
    token = new_token()
    link = CertificateLink(
        certificate_id=certificate.id,
        account_id=certificate.account_id,
        token_hash=_hash(token),
        holder_name=holder_name[:160],
        to_address=to_address,
        shared_by_agent_id=agent_id,
        activity_id=activity_id,
        expires_at=utcnow() + timedelta(days=get_settings().security.certificate_link_days),
    )
    session.add(link)
    session.flush()
    return IssuedCertificateLink(link, certificate_link_url(token))


# --- the holder's download -------------------------------------------------------------------


def _aware(value: datetime) -> datetime:
    # SQLite hands back what it stored; the columns are written timezone-aware.
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def why_holder_cannot_open(session: Session, certificate: Certificate) -> str | None:
    """Why a holder's link to this certificate would open nothing today, or None: the checks
    every download makes, worded for the agent who is about to share it."""
    if not feature_enabled("certificates"):
        return "Certificates are switched off in this Client Center."
    document = session.get(Document, certificate.document_id)
    if document is None or document.account_id != certificate.account_id:
        return "This certificate has no document on its account."
    if not document.shared_with_customer:
        return (
            "This certificate's PDF is not shared with the customer: publish it "
            "(Policies/Invoices) before sending it to the holder."
        )
    if document.scan_status != ScanStatus.CLEAN:
        return "This certificate's PDF has not passed the safety check, so it can't be sent."
    if document.policy_id is not None:
        policy = session.get(Policy, document.policy_id)
        if (
            policy is None
            or policy.account_id != certificate.account_id
            or policy.status != PolicyStatus.ACTIVE
        ):
            return "The policy this certificate is for is no longer active."
    elif not is_account_active(session, certificate.account_id):
        return "This account has no active policy, so the certificate evidences nothing."
    return None


def _why_not(session: Session, link: CertificateLink) -> str | None:
    """Why this link opens nothing today, or None (for the log; the holder sees one page)."""
    if link.revoked_at is not None:
        return "revoked"
    if _aware(link.expires_at) <= utcnow():
        return "expired"
    certificate = session.get(Certificate, link.certificate_id)
    if certificate is None or certificate.account_id != link.account_id:
        return "certificate gone"
    return why_holder_cannot_open(session, certificate)


def open_for_holder(session: Session, token: object, *, client_ip: str = "") -> FileToSend | None:
    """The certificate PDF behind a holder's link, re-checked now and recorded as a download;
    None when the link opens nothing (unknown, revoked, expired, or what it stood for is no
    longer true). Commit with the caller: the log row and the count land with the answer."""
    if not isinstance(token, str) or not 20 <= len(token) <= 128:
        return None
    link = session.exec(
        select(CertificateLink).where(CertificateLink.token_hash == _hash(token))
    ).first()
    if link is None:
        return None
    reason = _why_not(session, link)
    if reason is not None:
        log.info("certificate link %s refused: %s", link.id, reason)
        return None
    certificate = session.get(Certificate, link.certificate_id)
    document = session.get(Document, certificate.document_id)
    data = storage.open_stream(document.storage_key)
    now = utcnow()
    # Counted in SQL: two downloads at once are two.
    session.execute(
        update(CertificateLink)
        .where(CertificateLink.id == link.id)
        .values(download_count=CertificateLink.download_count + 1, last_downloaded_at=now)
    )
    session.refresh(link)
    record_action(
        session,
        Principal.certificate_holder(link.account_id),
        DOWNLOAD_ACTION,
        summary=f"{link.holder_name} downloaded the certificate of insurance "
        f"(“{certificate.description or document.title}”) from the link sent to "
        f"{link.to_address} on {date_text(link.created_at)}.",
        details={
            "certificate_id": certificate.id,
            "share_id": link.id,
            "holder": link.holder_name,
            "sent_to": link.to_address,
            "download": link.download_count,
            "ip": client_ip[:64],
        },
        channel="email",
    )
    return FileToSend(document.filename, document.content_type, data)


# --- the agency side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateLinkView:
    id: int
    certificate_id: int
    certificate: str  # what the certificate is for
    holder_name: str
    to_address: str
    sent_on: str
    expires_on: str
    status: str  # CertificateLinkStatus
    status_label: str
    downloads: int
    last_download: str


class CertificateLinkStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


def _status(link: CertificateLink) -> tuple[str, str]:
    if link.revoked_at is not None:
        return CertificateLinkStatus.REVOKED, f"Revoked {date_text(_aware(link.revoked_at))}"
    if _aware(link.expires_at) <= utcnow():
        return CertificateLinkStatus.EXPIRED, f"Expired {date_text(_aware(link.expires_at))}"
    return CertificateLinkStatus.ACTIVE, f"Works until {date_text(_aware(link.expires_at))}"


def links_for_account(
    session: Session, principal: Principal, account_id: object
) -> list[CertificateLinkView]:
    """Every certificate link sent for the account, newest first (agency side)."""
    require_permission(session, principal, Permission.SHARE_DOCUMENTS)
    account = get_account(session, account_id)
    rows = session.exec(
        select(CertificateLink, Certificate)
        .join(Certificate, Certificate.id == CertificateLink.certificate_id)
        .where(CertificateLink.account_id == account.id)
        .order_by(CertificateLink.created_at.desc(), CertificateLink.id.desc())
    ).all()
    views = []
    for link, certificate in rows:
        status, label = _status(link)
        last = link.last_downloaded_at
        views.append(
            CertificateLinkView(
                id=link.id,
                certificate_id=certificate.id,
                certificate=certificate.description or f"Certificate {certificate.id}",
                holder_name=link.holder_name,
                to_address=link.to_address,
                sent_on=f"{date_text(_aware(link.created_at))}",
                expires_on=f"{date_text(_aware(link.expires_at))}",
                status=status,
                status_label=label,
                downloads=link.download_count,
                last_download=time_text(last) if last else "",
            )
        )
    return views


@dataclass(frozen=True)
class Revoked:
    message: str
    activity_id: int


def revoke_link(
    session: Session, principal: Principal, link_id: object, *, account_id: object
) -> Revoked:
    """Revoke one link from the account's certificates page: the holder's next download gets
    the "not valid" page. Recorded (agency.revoke_certificate_link, log-only by default)."""
    agent = require_permission(session, principal, Permission.SHARE_DOCUMENTS)
    account = get_account(session, account_id)
    try:
        link = session.get(CertificateLink, int(link_id))
    except (TypeError, ValueError):
        link = None
    if link is None or link.account_id != account.id:
        raise NotFound("That certificate link is not on this account.")
    # One conditional UPDATE: two agents revoking at once record one revocation.
    now = utcnow()
    done = session.execute(
        update(CertificateLink)
        .where(CertificateLink.id == link.id, CertificateLink.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_agent_id=agent.id)
    ).rowcount
    session.refresh(link)
    if done != 1:
        raise InvalidInput(
            f"The link sent to {link.to_address} was already revoked on "
            f"{date_text(_aware(link.revoked_at))}."
        )
    entry = record_action(
        session,
        principal,
        REVOKE_ACTION,
        account_id=account.id,
        summary=f"Certificate link sent to {link.holder_name} ({link.to_address}) on "
        f"{date_text(_aware(link.created_at))} revoked.",
        details={
            "certificate_id": link.certificate_id,
            "share_id": link.id,
            "holder": link.holder_name,
            "sent_to": link.to_address,
            "downloads": link.download_count,
        },
    )
    return Revoked(
        f"The link sent to {link.holder_name} at {link.to_address} no longer works.", entry.id
    )
