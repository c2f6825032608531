"""HTTP routes that set and clear the session cookie (a Reflex handler cannot: it talks over
a websocket and the cookie is HttpOnly).

All are POST-only and refuse a foreign Origin: with SameSite=Lax cookies a cross-site form
cannot carry the session anyway, and the Origin check also stops a foreign page from
completing a login into its victim's browser.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.http.client_ip import request_client_ip
from clientcenter.http.cookies import (
    clear_session_cookie,
    set_remembered_cookie,
    set_session_cookie,
    token_from_cookie_header,
)
from clientcenter.http.middleware.tab_binding import (
    browser_cookie_header,
    forget_tab,
    new_browser_key,
)
from clientcenter.http.origin import is_same_origin_post
from clientcenter.services.agency import read_only
from clientcenter.services.auth import connection, login, remembered
from clientcenter.services.auth.connection import browser_cookie_name, browser_digest
from clientcenter.services.auth.sessions import find_session, revoke_session
from clientcenter.services.errors import ServiceError

log = logging.getLogger("clientcenter.security")

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _foreign_origin(request: Request) -> bool:
    """True unless the browser says the form came from our own pages (http/origin.py: a
    request with no Origin counts only with Sec-Fetch-Site: same-origin)."""
    return not is_same_origin_post(request.headers)


def redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303, headers=NO_STORE)


async def _field(request: Request, name: str) -> str:
    value = (await request.form()).get(name)
    return value if isinstance(value, str) else ""


async def _grant(request: Request) -> str:
    return await _field(request, "grant")


def request_browser(request: Request) -> str | None:
    """The keyed hash of this request's browser key: login grants are bound to it, so a
    grant carried to another browser (or posted by a foreign page) starts no session."""
    raw = request.cookies.get(browser_cookie_name())
    return browser_digest(raw) if raw else None


async def forget_posting_tab(request: Request) -> None:
    """The page posting here drops its Reflex token; blank the state that token keyed."""
    await forget_tab(await _field(request, "tab"), request.headers.get("cookie"))


def _user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:200]


def remembered_cookie(request: Request) -> str | None:
    """The raw remembered-browser cookie of this request (services/auth/remembered.py), if any."""
    value = request.cookies.get(connection.remembered_cookie_name())
    return value if value and len(value) <= 256 else None


async def complete_login(request: Request) -> Response:
    """The login page posts the grant it got for a verified code; the session starts here.
    A fresh token every time (a cookie the browser had before is not reused)."""
    if _foreign_origin(request):
        log.warning("login completion refused: foreign origin %r", request.headers.get("origin"))
        return Response("Forbidden", status_code=403, headers=NO_STORE)
    grant = await _grant(request)
    # Back to the shared-document or payment link that brought the customer here, if any.
    return_to = routes.safe_return_path((await request.form()).get("next"))
    client_ip, user_agent = request_client_ip(request), _user_agent(request)
    held = token_from_cookie_header(request.headers.get("cookie"))
    browser = request_browser(request)
    presented = remembered_cookie(request)

    def start_session():
        with login.login_scope() as db:
            done = login.complete(
                db, grant=grant, client_ip=client_ip, user_agent=user_agent, browser=browser
            )
            # A session this browser still held ends now (shared device, second login).
            previous = find_session(db, held)
            if previous is not None and previous.id != done.session.id:
                revoke_session(db, previous)
            kept = remembered.remember(
                db,
                subject_kind="customer",
                email=done.session.email,
                contact_id=done.session.contact_id,
                user_agent=user_agent,
                presented=connection.remembered_digest(presented) if presented else None,
            )
            return done, kept

    try:
        # Database work off the event loop, which also carries every tab's websocket.
        done, kept = await run_in_threadpool(start_session)
    except ServiceError:
        return redirect(f"{routes.CUSTOMER_LOGIN}?signed_out=attempt")
    await forget_posting_tab(request)
    response = redirect(return_to or done.destination)
    set_session_cookie(response, done.token, max_age=done.max_age)
    set_remembered_cookie(response, kept.new_value or presented, max_age=kept.max_age)
    return response


async def switch_account(request: Request) -> Response:
    """Profile → Switch accounts: rotates the session onto the chosen account."""
    if _foreign_origin(request):
        log.warning("account switch refused: foreign origin %r", request.headers.get("origin"))
        return Response("Forbidden", status_code=403, headers=NO_STORE)
    grant = await _grant(request)
    token = token_from_cookie_header(request.headers.get("cookie"))
    client_ip, user_agent = request_client_ip(request), _user_agent(request)

    def switch():
        with login.login_scope() as db:
            return login.complete_switch(
                db, grant=grant, token=token, client_ip=client_ip, user_agent=user_agent
            )

    try:
        done = await run_in_threadpool(switch)
    except ServiceError:
        return redirect(f"{routes.ACCOUNT_CHOICE}?refused=1")
    await forget_posting_tab(request)
    response = redirect(done.destination)
    set_session_cookie(response, done.token, max_age=done.max_age)
    return response


async def logout(request: Request) -> Response:
    """End the session on the server, clear the cookie, show the login page."""
    if _foreign_origin(request):
        log.warning("logout refused: foreign origin %r", request.headers.get("origin"))
        return Response("Forbidden", status_code=403, headers=NO_STORE)
    token = token_from_cookie_header(request.headers.get("cookie"))

    def end_session() -> str:
        with session_scope() as db:
            record = find_session(db, token)
            if record is None:
                return f"{routes.CUSTOMER_LOGIN}?signed_out=logout"
            read_only.record_logout(db, token)
            revoke_session(db, record)
            login_page = routes.AGENT_LOGIN if record.kind == "agent" else routes.CUSTOMER_LOGIN
            return f"{login_page}?signed_out=logout"

    response = redirect(await run_in_threadpool(end_session))
    await forget_posting_tab(request)
    clear_session_cookie(response)
    # A new browser key: any other tab this browser still has keys a state nobody can open.
    response.headers.append("set-cookie", browser_cookie_header(new_browser_key()))
    return response


async def leave(request: Request) -> Response:
    """A tab whose session ended goes through here to the login page (state/base.py
    ``leave_to``): its server-side state is blanked on the way. Changes nothing else."""
    if _foreign_origin(request):
        return Response("Forbidden", status_code=403, headers=NO_STORE)
    await forget_posting_tab(request)
    return redirect(routes.safe_leave_path(await _field(request, "to")))


ROUTES = [
    Route("/auth/complete", complete_login, methods=["POST"]),
    Route("/auth/switch", switch_account, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route(routes.LEAVE_ROUTE, leave, methods=["POST"]),
]
