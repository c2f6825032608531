"""The file download route: private documents and ID card PDFs leave the store only here.

``GET /files/<signed token>``. The token (services/files/links.py) names the file, the session and
the account, and expires in minutes. On every request the route also re-reads the session
cookie, re-checks the session in the database, and lets the service check the account again,
so a link is useless in another browser, after logout or an account switch, or once expired.
The answer is always an attachment that no cache keeps and no browser sniffs.

Request bodies, ``/_upload``'s included, are capped in clientcenter/http/middleware/body_limit.py.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from urllib.parse import quote

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from clientcenter.db import session_scope
from clientcenter.http.cookies import token_from_cookie_header
from clientcenter.services.auth.sessions import principal_from_token
from clientcenter.services.billing import invoices as billing
from clientcenter.services.errors import ServiceError
from clientcenter.services.files import links
from clientcenter.services.portal import certificates, documents, idcards
from clientcenter.services.portal.documents import FileToSend
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.security")

SAFE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
}

# What each link kind fetches; the service re-checks the principal's account and records the
# catalog action (customer.* or, for an agent in read-only mode, agent.*).
FETCHERS: dict[str, Callable[[Session, Principal, links.LinkTarget], FileToSend]] = {
    "document": lambda db, p, t: documents.download_document(db, p, t.object_id),
    "idcards": lambda db, p, t: idcards.build_id_cards(db, p, t.object_id, t.vehicle_ids),
    "certificate": lambda db, p, t: certificates.certificate_file(db, p, t.object_id),
    "receipt": lambda db, p, t: billing.download_receipt(db, p, t.object_id),
}


def content_disposition(filename: str) -> str:
    """RFC 6266 attachment header with an ASCII fallback and the UTF-8 name."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _refusal(status: int, message: str) -> HTMLResponse:
    """A small page a phone shows when a link no longer works (the user came by tapping)."""
    agency = html.escape(get_settings().branding.agency_name)
    body = (
        "<!doctype html><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{agency}</title>"
        "<body style='font-family:system-ui,sans-serif;margin:2rem auto;max-width:32rem;"
        "padding:0 1rem;line-height:1.5'>"
        f"<h1 style='font-size:1.25rem'>{html.escape(message)}</h1>"
        "<p><a href='/documents'>Back to your documents</a></p></body>"
    )
    return HTMLResponse(body, status_code=status, headers=SAFE_HEADERS)


def _fetch(session_token: str | None, target: links.LinkTarget) -> FileToSend | None:
    with session_scope() as db:
        principal = principal_from_token(db, session_token)
        if not links.matches(target, principal):
            log.warning(
                "download refused: link for session %s/account %s used by %s",
                target.session_id,
                target.account_id,
                principal.session_id if principal else "no session",
            )
            return None
        return FETCHERS[target.kind](db, principal, target)


async def download(request: Request) -> Response:
    try:
        target = links.verify(request.path_params["token"])
    except links.LinkExpired as exc:
        return _refusal(410, exc.message)
    except links.LinkInvalid:
        return _refusal(404, "This download link is not valid.")
    session_token = token_from_cookie_header(request.headers.get("cookie"))
    try:
        sent = await run_in_threadpool(_fetch, session_token, target)
    except (ServiceError, FileNotFoundError):
        sent = None
    if sent is None:
        # Other session, other account, logged out, or no longer visible: all look alike.
        return _refusal(404, "This file is not available. Log in again and tap Download.")
    return Response(
        sent.data,
        media_type=sent.content_type,
        headers={**SAFE_HEADERS, "Content-Disposition": content_disposition(sent.filename)},
    )


ROUTES = [Route(links.ROUTE_PREFIX + "{token}", download, methods=["GET"])]
