"""HTTP routes of the agent side: the ones that set the session cookie (sign-in, entering and
leaving a customer's Client Center in read-only mode), an agent's setup link (it binds the
link to the browser that opened it), and the certificate link a holder
opens without any login (services/agency/certificate_links.py).

Cookie routes are POST-only and refuse anything but our own pages (http/deps.py), like
the customers' (http/routes/auth.py).
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.http.cookies import set_cookie_header
from clientcenter.http.deps import (
    SAFE_HEADERS,
    attachment,
    complete_login_grant,
    form_field,
    notice_page,
    redirect,
    refuse_foreign_origin,
    request_browser,
    request_client_ip,
    rotated_session,
    run_in_threadpool,
    session_token,
    user_agent,
)
from clientcenter.services.agency import certificate_links, read_only, setup_links
from clientcenter.services.auth import agent_login
from clientcenter.services.auth.connection import setup_cookie_name
from clientcenter.settings import get_settings


async def complete_agent_login(request: Request) -> Response:
    """Both factors passed: the grant becomes an agent session."""
    if (refused := refuse_foreign_origin(request, "agent sign-in")) is not None:
        return refused
    return await complete_login_grant(
        request,
        agent_login.complete,
        subject_kind="agent",
        refused_to=routes.signed_out(routes.AGENT_LOGIN, "attempt"),
        # Back to the agency page that sent the agent to sign in, if any.
        return_to=routes.safe_return_path(await form_field(request, "next"), routes.AGENT_SIDE),
    )


async def enter_view(request: Request) -> Response:
    """The info pane's Client Center icon: into the customer's portal, read-only."""
    if (refused := refuse_foreign_origin(request, "read-only view")) is not None:
        return refused
    grant = await form_field(request, "grant")
    token = session_token(request)
    client_ip, agent = request_client_ip(request), user_agent(request)

    def enter():
        with session_scope() as db:
            return read_only.enter_view(
                db, grant=grant, token=token, client_ip=client_ip, user_agent=agent
            )

    return await rotated_session(
        request, enter, refused_to=routes.AGENT_HOME, what="read-only view"
    )


async def exit_view(request: Request) -> Response:
    """The banner's Leave button: back to the agency side (the read-only session ends)."""
    if (refused := refuse_foreign_origin(request, "leaving read-only view")) is not None:
        return refused
    token = session_token(request)
    client_ip, agent = request_client_ip(request), user_agent(request)

    def leave():
        with session_scope() as db:
            return read_only.exit_view(db, token=token, client_ip=client_ip, user_agent=agent)

    return await rotated_session(request, leave, refused_to=routes.AGENT_HOME)


def _open_setup_link(token: str, browser: str) -> tuple[str, int]:
    with session_scope() as db:
        return setup_links.open_link(db, token, browser=browser)


async def open_setup_link(request: Request) -> Response:
    """GET /agent/enrol/<token>: the setup link from an agent's invitation (or reset) email.
    The link is checked and bound to this browser (an HttpOnly cookie holding the setup pass),
    then the agent signs in; the login offers enrolment to this browser only."""
    browser = request_browser(request)
    if browser is None:
        if request.query_params.get("cookie"):
            return notice_page(
                400,
                "Your browser didn't keep our cookie.",
                "Setting up your authenticator app needs it. Allow cookies for this site "
                "and open the link from your email again.",
            )
        # The tab-binding middleware gives this response the browser key; come back with it.
        return redirect(request.url.path + "?cookie=1")
    try:
        setup_pass, seconds = await run_in_threadpool(
            _open_setup_link, request.path_params["token"], browser
        )
    except setup_links.LinkRefused as exc:
        return notice_page(
            410,
            exc.message,
            f"The link in your email works once, for {setup_links.LINK_HOURS} hours.",
        )
    response = redirect(routes.AGENT_LOGIN)
    response.headers.append(
        "set-cookie", set_cookie_header(setup_cookie_name(), setup_pass, max_age=seconds)
    )
    return response


def _holder_file(token: str, client_ip: str):
    with session_scope() as db:
        return certificate_links.open_for_holder(db, token, client_ip=client_ip)


def _holder_refusal() -> Response:
    b = get_settings().branding
    return notice_page(
        404,
        "This certificate link is not valid or has expired.",
        f"Ask {html.escape(b.agency_name)} to send it again: {html.escape(b.phone)}, "
        f"{html.escape(str(b.email))}.",
    )


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
    return attachment(sent.data, sent.content_type, sent.filename)


ROUTES = [
    Route(routes.AGENT_COMPLETE_LOGIN_ROUTE, complete_agent_login, methods=["POST"]),
    Route(routes.AGENT_VIEW_ROUTE, enter_view, methods=["POST"]),
    Route(routes.EXIT_READ_ONLY_ROUTE, exit_view, methods=["POST"]),
    Route(routes.HOLDER_CERTIFICATE_PREFIX + "{token}", holder_certificate, methods=["GET"]),
    Route(routes.AGENT_SETUP_PREFIX + "{token}", open_setup_link, methods=["GET"]),
]
