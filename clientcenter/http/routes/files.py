"""The file download route: private documents and ID card PDFs leave the store only here.

``GET /files/<token>``: a download link (services/files/download_links.py), which names the
file, the session and the account, and expires in minutes. On every request the route also re-reads the session
cookie, re-checks the session in the database, and lets the service check the account again,
so a link is useless in another browser, after logout or an account switch, or once expired.
The answer is always an attachment that no cache keeps and no browser sniffs.

Request bodies, ``/_upload``'s included, are capped in clientcenter/http/middleware/body_limit.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.http.deps import (
    attachment,
    notice_page,
    request_client_ip,
    run_in_threadpool,
    session_token,
)
from clientcenter.services.agency import audit
from clientcenter.services.auth.sessions import principal_from_token
from clientcenter.services.billing import invoices as billing
from clientcenter.services.errors import ServiceError
from clientcenter.services.files import download_links
from clientcenter.services.portal import certificates, documents, idcards
from clientcenter.services.portal.documents import FileToSend
from clientcenter.services.principal import Principal
from clientcenter.services.wallet import apple_pass

log = logging.getLogger("clientcenter.security")

# What each link kind fetches; the service re-checks the principal's account and records the
# catalog action (customer.* or, for an agent in read-only mode, agent.*).
FETCHERS: dict[str, Callable[[Session, Principal, download_links.LinkTarget], FileToSend]] = {
    "document": lambda db, p, t: documents.download_document(db, p, t.object_id),
    "idcards": lambda db, p, t: idcards.build_id_cards(db, p, t.object_id, t.vehicle_ids),
    "certificate": lambda db, p, t: certificates.certificate_file(db, p, t.object_id),
    "receipt": lambda db, p, t: billing.download_receipt(db, p, t.object_id),
    "pkpass": lambda db, p, t: apple_pass.download_pass(db, p, t.object_id),
}


def _refusal(status: int, message: str) -> Response:
    return notice_page(status, message, f"<a href='{routes.DOCUMENTS}'>Back to your documents</a>")


def _fetch(
    token: str | None, target: download_links.LinkTarget, client_ip: str
) -> FileToSend | None:
    with session_scope() as db:
        principal = principal_from_token(db, token)
        if not download_links.matches(target, principal):
            log.warning(
                "download refused: link for session %s/account %s used by %s",
                target.session_id,
                target.account_id,
                principal.session_id if principal else "no session",
            )
            return None
        sent = FETCHERS[target.kind](db, principal, target)
        if principal.is_agent:  # an agent in read-only view: the audit trail's read
            audit.record_read(
                db,
                principal,
                f"{target.kind}.download",
                target.account_id,
                f"Downloaded {sent.filename}.",
                client_ip,
            )
        return sent


async def download(request: Request) -> Response:
    try:
        target = download_links.verify(request.path_params["token"])
    except download_links.LinkExpired as exc:
        return _refusal(410, exc.message)
    except download_links.LinkInvalid:
        return _refusal(404, "This download link is not valid.")
    try:
        sent = await run_in_threadpool(
            _fetch, session_token(request), target, request_client_ip(request)
        )
    except (ServiceError, FileNotFoundError):
        sent = None
    if sent is None:
        # Other session, other account, logged out, or no longer visible: all look alike.
        return _refusal(404, "This file is not available. Log in again and tap Download.")
    return attachment(sent.data, sent.content_type, sent.filename)


ROUTES = [Route(routes.FILES_PREFIX + "{token}", download, methods=["GET"])]
