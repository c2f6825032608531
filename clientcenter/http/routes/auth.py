"""HTTP routes that set and clear the session cookie (a Reflex handler cannot: it talks over
a websocket and the cookie is HttpOnly).

All are POST-only and refuse a foreign Origin: with SameSite=Lax cookies a cross-site form
cannot carry the session anyway, and the Origin check also stops a foreign page from
completing a login into its victim's browser.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.http.cookies import clear_session_cookie
from clientcenter.http.deps import (
    forget_posting_tab,
    form_field,
    redirect,
    refuse_foreign_origin,
    remembered_cookie,
    replace_held_session,
    request_browser,
    request_client_ip,
    run_in_threadpool,
    session_token,
    signed_in,
    user_agent,
)
from clientcenter.http.middleware.tab_binding import browser_cookie_header, new_browser_key
from clientcenter.services.agency import read_only
from clientcenter.services.auth import login
from clientcenter.services.auth.sessions import find_session, revoke_session
from clientcenter.services.errors import ServiceError


async def complete_login(request: Request) -> Response:
    """The login page posts the grant it got for a verified code; the session starts here.
    A fresh token every time (a cookie the browser had before is not reused)."""
    if (refused := refuse_foreign_origin(request, "login completion")) is not None:
        return refused
    grant = await form_field(request, "grant")
    # Back to the shared-document or payment link that brought the customer here, if any.
    return_to = routes.safe_return_path(await form_field(request, "next"))
    client_ip, agent = request_client_ip(request), user_agent(request)
    held = session_token(request)
    browser = request_browser(request)
    presented = remembered_cookie(request)

    def start_session():
        with login.login_scope() as db:
            done = login.complete(
                db, grant=grant, client_ip=client_ip, user_agent=agent, browser=browser
            )
            kept = replace_held_session(
                db,
                done,
                held,
                subject_kind="customer",
                user_agent=agent,
                presented=presented,
                contact_id=done.session.contact_id,
            )
            return done, kept

    try:
        # Database work off the event loop, which also carries every tab's websocket.
        done, kept = await run_in_threadpool(start_session)
    except ServiceError:
        return redirect(f"{routes.CUSTOMER_LOGIN}?signed_out=attempt")
    return await signed_in(request, return_to or done.destination, done, kept, presented)


async def switch_account(request: Request) -> Response:
    """Profile → Switch accounts: rotates the session onto the chosen account."""
    if (refused := refuse_foreign_origin(request, "account switch")) is not None:
        return refused
    grant = await form_field(request, "grant")
    token = session_token(request)
    client_ip, agent = request_client_ip(request), user_agent(request)

    def switch():
        with login.login_scope() as db:
            return login.complete_switch(
                db, grant=grant, token=token, client_ip=client_ip, user_agent=agent
            )

    try:
        done = await run_in_threadpool(switch)
    except ServiceError:
        return redirect(f"{routes.ACCOUNT_CHOICE}?refused=1")
    return await signed_in(request, done.destination, done)


async def logout(request: Request) -> Response:
    """End the session on the server, clear the cookie, show the login page."""
    if (refused := refuse_foreign_origin(request, "logout")) is not None:
        return refused
    token = session_token(request)

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
    if (refused := refuse_foreign_origin(request)) is not None:
        return refused
    await forget_posting_tab(request)
    return redirect(routes.safe_leave_path(await form_field(request, "to")))


ROUTES = [
    Route("/auth/complete", complete_login, methods=["POST"]),
    Route("/auth/switch", switch_account, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route(routes.LEAVE_ROUTE, leave, methods=["POST"]),
]
