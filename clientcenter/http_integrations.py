"""``GET /go/<link id>``: record an integration click, then send the browser to the link.

The session cookie says who clicked (a customer, or an agent in read-only mode); the service
checks that this account is offered the link and records the catalog action in the same
transaction. Destinations come only from the integration_link table, so the route cannot be
used as an open redirect. Without a session it goes to the login page instead.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from clientcenter import paths
from clientcenter.cookies import token_from_cookie_header
from clientcenter.db import session_scope
from clientcenter.services import integrations
from clientcenter.services.errors import ServiceError
from clientcenter.services.sessions import principal_from_token

log = logging.getLogger("clientcenter.security")

HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _follow(session_token: str | None, link_id: int) -> str | None:
    with session_scope() as db:
        principal = principal_from_token(db, session_token)
        if principal is None or principal.account_id is None:
            return None
        return integrations.follow_link(db, principal, link_id)


async def go(request: Request) -> Response:
    raw = request.path_params["link_id"]
    if not raw.isdigit() or len(raw) > 12:
        return RedirectResponse(paths.CUSTOMER_HOME, status_code=303, headers=HEADERS)
    token = token_from_cookie_header(request.headers.get("cookie"))
    try:
        url = await run_in_threadpool(_follow, token, int(raw))
    except ServiceError as exc:
        log.info("integration link %s refused: %s", raw, exc.message)
        return RedirectResponse(paths.CUSTOMER_HOME, status_code=303, headers=HEADERS)
    if url is None:
        return RedirectResponse(f"{paths.CUSTOMER_LOGIN}?signed_out=login", status_code=303,
                                headers=HEADERS)
    return RedirectResponse(url, status_code=303, headers=HEADERS)


ROUTES = [Route(integrations.ROUTE_PREFIX + "{link_id}", go, methods=["GET"])]
