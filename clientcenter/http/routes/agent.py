"""HTTP routes of the agent side: the ones that set the session cookie (sign-in, entering and
leaving a customer's Client Center in read-only mode), and the certificate link a holder
opens without any login (services/agency/certificate_links.py).

Cookie routes are POST-only and refuse anything but our own pages (http/origin.py), like
the customers' (http/routes/auth.py).
"""

from __future__ import annotations

import html
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.http.client_ip import request_client_ip
from clientcenter.http.cookies import (
    set_remembered_cookie,
    set_session_cookie,
    token_from_cookie_header,
)
from clientcenter.http.origin import is_same_origin_post
from clientcenter.http.routes.auth import (
    NO_STORE,
    forget_posting_tab,
    redirect,
    remembered_cookie,
    request_browser,
)
from clientcenter.http.routes.files import SAFE_HEADERS, content_disposition
from clientcenter.services.agency import certificate_links, read_only
from clientcenter.services.auth import agent_login, connection, remembered
from clientcenter.services.auth.login import login_scope
from clientcenter.services.auth.sessions import find_session, revoke_session
from clientcenter.services.errors import ServiceError
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.security")


def _user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:200]


async def _form_value(request: Request, name: str) -> str:
    form = await request.form()
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _forbidden(request: Request, what: str) -> Response | None:
    if not is_same_origin_post(request.headers):
        log.warning("%s refused: foreign origin %r", what, request.headers.get("origin"))
        return Response("Forbidden", status_code=403, headers=NO_STORE)
    return None


async def complete_agent_login(request: Request) -> Response:
    """Both factors passed: the grant becomes an agent session (a fresh token)."""
    if (refused := _forbidden(request, "agent sign-in")) is not None:
        return refused
    grant = await _form_value(request, "grant")
    presented = remembered_cookie(request)
    try:
        with login_scope() as db:
            done = agent_login.complete(
                db,
                grant=grant,
                client_ip=request_client_ip(request),
                user_agent=_user_agent(request),
                browser=request_browser(request),
            )
            previous = find_session(db, token_from_cookie_header(request.headers.get("cookie")))
            if previous is not None and previous.id != done.session.id:
                revoke_session(db, previous)
            # This browser now has the agent's own send and failure allowance.
            kept = remembered.remember(
                db,
                subject_kind="agent",
                email=done.session.email,
                agent_id=done.session.agent_id,
                user_agent=_user_agent(request),
                presented=connection.remembered_digest(presented) if presented else None,
            )
    except ServiceError:
        return redirect(f"{routes.AGENT_LOGIN}?signed_out=attempt")
    await forget_posting_tab(request)
    response = redirect(done.destination)
    set_session_cookie(response, done.token, max_age=done.max_age)
    set_remembered_cookie(response, kept.new_value or presented, max_age=kept.max_age)
    return response


async def enter_view(request: Request) -> Response:
    """The info pane's Client Center icon: into the customer's portal, read-only."""
    if (refused := _forbidden(request, "read-only view")) is not None:
        return refused
    grant = await _form_value(request, "grant")
    token = token_from_cookie_header(request.headers.get("cookie"))
    try:
        with session_scope() as db:
            done = read_only.enter_view(
                db,
                grant=grant,
                token=token,
                client_ip=request_client_ip(request),
                user_agent=_user_agent(request),
            )
    except ServiceError as exc:
        log.warning("read-only view refused: %s", exc.message)
        return redirect("/agent")
    await forget_posting_tab(request)
    response = redirect(done.destination)
    set_session_cookie(response, done.token, max_age=done.max_age)
    return response


async def exit_view(request: Request) -> Response:
    """The banner's Leave button: back to the agency side (the read-only session ends)."""
    if (refused := _forbidden(request, "leaving read-only view")) is not None:
        return refused
    token = token_from_cookie_header(request.headers.get("cookie"))
    try:
        with session_scope() as db:
            done = read_only.exit_view(
                db,
                token=token,
                client_ip=request_client_ip(request),
                user_agent=_user_agent(request),
            )
    except ServiceError:
        return redirect("/agent")
    await forget_posting_tab(request)
    response = redirect(done.destination)
    set_session_cookie(response, done.token, max_age=done.max_age)
    return response


def _holder_file(token: str, client_ip: str):
    with session_scope() as db:
        return certificate_links.open_for_holder(db, token, client_ip=client_ip)


def _holder_refusal() -> HTMLResponse:
    b = get_settings().branding
    body = (
        "<!doctype html><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(b.agency_name)}</title>"
        "<body style='font-family:system-ui,sans-serif;margin:2rem auto;max-width:32rem;"
        "padding:0 1rem;line-height:1.5'>"
        "<h1 style='font-size:1.25rem'>This certificate link is not valid or has expired.</h1>"
        f"<p>Ask {html.escape(b.agency_name)} to send it again: {html.escape(b.phone)}, "
        f"{html.escape(str(b.email))}.</p></body>"
    )
    return HTMLResponse(body, status_code=404, headers=SAFE_HEADERS)


async def holder_certificate(request: Request) -> Response:
    """GET /certificate/<token>: the certificate PDF for its holder, no login (the holder is
    not a customer). The service re-checks the link and the certificate and records the
    download on every request."""
    if request.method != "GET":  # a HEAD (link preview) is not a download to record
        return Response(status_code=405, headers={**SAFE_HEADERS, "Allow": "GET"})
    sent = await run_in_threadpool(
        _holder_file, request.path_params["token"], request_client_ip(request)
    )
    if sent is None:
        return _holder_refusal()
    headers = {**SAFE_HEADERS, "Content-Disposition": content_disposition(sent.filename)}
    return Response(sent.data, media_type=sent.content_type, headers=headers)


ROUTES = [
    Route("/auth/agent/complete", complete_agent_login, methods=["POST"]),
    Route("/auth/agent/view", enter_view, methods=["POST"]),
    Route("/auth/agent/exit-view", exit_view, methods=["POST"]),
    Route(
        certificate_links.HOLDER_CERTIFICATE_PATH + "{token}", holder_certificate, methods=["GET"]
    ),
]
