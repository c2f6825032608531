"""``/go/<link id>``: record an integration click, then send the browser to the link.

The session cookie says who clicked (a customer, or an agent in read-only mode); the service
checks that this account is offered the link and records the catalog action in the same
transaction. Destinations come only from the integration_link table, so the route cannot be
used as an open redirect. Without a session it goes to the login page instead.

A recorded click can email the producer and open a task (cross-sell), so only a click on our
own pages records one (http/deps.py is_own_navigation). The SameSite=Lax session cookie still
rides along when another site links or redirects a browser here, so such a visit gets a
"Continue to …" page instead, recording nothing; its button POSTs back here from our origin,
and that POST is the click.
"""

from __future__ import annotations

import html
import logging
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.http.deps import (
    NO_STORE,
    is_own_navigation,
    origin_of,
    redirect,
    refuse_foreign_origin,
    run_in_threadpool,
    session_token,
)
from clientcenter.services.auth.sessions import principal_from_token
from clientcenter.services.errors import ServiceError
from clientcenter.services.portal import integrations
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.security")


def _principal(db, token: str | None):
    principal = principal_from_token(db, token)
    if principal is None or principal.account_id is None:
        return None
    return principal


def _follow(token: str | None, link_id: int) -> str | None:
    with session_scope() as db:
        principal = _principal(db, token)
        if principal is None:
            return None
        return integrations.follow_link(db, principal, link_id)


def _peek(token: str | None, link_id: int) -> tuple[str, str] | None:
    with session_scope() as db:
        principal = _principal(db, token)
        if principal is None:
            return None
        link = integrations.offered_link(db, principal, link_id)
        return link.label, link.url


def _link_id(request: Request) -> int | None:
    raw = request.path_params["link_id"]
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


def continue_page(link_id: int, label: str, url: str) -> HTMLResponse:
    """Asks before a visit another site started becomes a recorded click."""
    b = get_settings().branding
    host = urlparse(url).hostname or url
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(b.short_name)} · Continue</title>"
        "<body style='font-family:system-ui,sans-serif;margin:2rem auto;max-width:32rem;"
        "padding:0 1rem;line-height:1.5'>"
        f"<h1 style='font-size:1.25rem'>Continue to {html.escape(label)}?</h1>"
        f"<p>This opens <strong>{html.escape(host)}</strong>, a link "
        f"{html.escape(b.agency_name)} offers in your Client Center.</p>"
        f"<form method=post action='{routes.GO_PREFIX}{link_id}'>"
        "<button type=submit id=continue style='font-size:1rem;padding:.75rem 1.25rem;"
        "min-height:44px;border-radius:8px;border:0;background:#108477;color:#fff'>"
        f"Continue to {html.escape(label)}</button></form>"
        f"<p><a href='{routes.CUSTOMER_HOME}'>Back to Client Center</a></p></body></html>"
    )
    # form-action also governs where the form's redirect may go (Chromium), hence the
    # destination's origin next to ours.
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
        f"frame-ancestors 'none'; form-action 'self' {origin_of(url)}"
    )
    # Not no-referrer here: Chromium would then post the form with "Origin: null", which
    # the POST refuses; the redirect after it sends no Referer to the destination.
    return HTMLResponse(
        body,
        headers={
            **NO_STORE,
            "Content-Security-Policy": csp,
            "Referrer-Policy": "same-origin",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def go(request: Request) -> Response:
    link_id = _link_id(request)
    if link_id is None:
        return redirect(routes.CUSTOMER_HOME)
    token = session_token(request)
    own_click = is_own_navigation(request.headers)
    if request.method == "POST":
        if (refused := refuse_foreign_origin(request, f"integration link {link_id}")) is not None:
            return refused
    try:
        if request.method == "POST" or own_click:
            url = await run_in_threadpool(_follow, token, link_id)
        else:
            peeked = await run_in_threadpool(_peek, token, link_id)
            if peeked is not None:
                log.info(
                    "integration link %s opened from another site (%s): asked first",
                    link_id,
                    request.headers.get("sec-fetch-site", "no fetch metadata"),
                )
                return continue_page(link_id, *peeked)
            url = None
    except ServiceError as exc:
        log.info("integration link %s refused: %s", link_id, exc.message)
        return redirect(routes.CUSTOMER_HOME)
    if url is None:
        return redirect(routes.signed_out(routes.CUSTOMER_LOGIN, "login"))
    return redirect(url)


ROUTES = [Route(routes.GO_PREFIX + "{link_id}", go, methods=["GET", "POST"])]
