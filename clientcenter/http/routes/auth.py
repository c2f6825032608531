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
    complete_login_grant,
    forget_posting_tab,
    form_field,
    redirect,
    refuse_foreign_origin,
    request_client_ip,
    rotated_session,
    run_in_threadpool,
    session_token,
    user_agent,
)
from clientcenter.http.middleware.tab_binding import browser_cookie_header, new_browser_key
from clientcenter.services.agency import read_only
from clientcenter.services.auth import login
from clientcenter.services.auth.sessions import EVERYWHERE, find_session, revoke_session


async def complete_login(request: Request) -> Response:
    """The login page posts the grant it got for a verified code; the session starts here."""
    if (refused := refuse_foreign_origin(request, "login completion")) is not None:
        return refused
    # Back to the page (or the link in a message) that brought the customer here, if any.
    return_to = routes.safe_return_path(await form_field(request, "next"))
    return await complete_login_grant(
        request,
        login.complete,
        subject_kind="customer",
        refused_to=routes.signed_out(routes.CUSTOMER_LOGIN, "attempt"),
        return_to=return_to,
    )


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

    return await rotated_session(request, switch, refused_to=f"{routes.ACCOUNT_CHOICE}?refused=1")


async def logout(request: Request) -> Response:
    """End the session on the server, clear the cookie, show the login page. After
    "Log out everywhere" (the session ended already) the login page says so."""
    if (refused := refuse_foreign_origin(request, "logout")) is not None:
        return refused
    token = session_token(request)
    reason = EVERYWHERE if await form_field(request, "everywhere") == "1" else "logout"

    def end_session() -> str:
        with session_scope() as db:
            record = find_session(db, token)
            if record is None:
                return routes.signed_out(routes.CUSTOMER_LOGIN, "logout")
            read_only.record_logout(db, token)
            revoke_session(db, record)
            login_page = routes.AGENT_LOGIN if record.kind == "agent" else routes.CUSTOMER_LOGIN
            return routes.signed_out(login_page, reason)

    response = redirect(await run_in_threadpool(end_session))
    await forget_posting_tab(request)
    clear_session_cookie(response)
    # The ID cards the service worker kept for offline use leave with the session (the worker
    # also drops them when it sees this post).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
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
    Route(routes.COMPLETE_LOGIN_ROUTE, complete_login, methods=["POST"]),
    Route(routes.SWITCH_ACCOUNT_ROUTE, switch_account, methods=["POST"]),
    Route(routes.LOGOUT_ROUTE, logout, methods=["POST"]),
    Route(routes.LEAVE_ROUTE, leave, methods=["POST"]),
]
