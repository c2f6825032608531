"""What every HTTP route asks of a request, and the few answers they give — each written once.

Like fastapi/full-stack-fastapi-template's ``api/deps.py``: the routes in ``http/routes/``
import these instead of keeping their own copies.

- Headers: ``NO_STORE`` (no cache keeps the answer, no Referer leaves with it) and
  ``SAFE_HEADERS`` (that, plus no sniffing and a sandboxing CSP, for files and small pages).
- Did this request come from our own pages: ``is_same_origin_post`` (POST), ``is_own_navigation``
  (a GET that records something), and ``refuse_foreign_origin`` for a route to call first.
- Answers: ``forbidden()`` (403), ``redirect()`` (303), ``signed_in()`` (the redirect that
  starts a session: the posting tab forgotten, the session cookie and maybe the remembered
  one set), ``complete_login_grant()`` (a customer's or an agent's login grant becomes that
  session), ``rotated_session()`` (the session moves onto another account or view), ``notice_page()`` (the small page a phone shows when a link no longer works),
  ``attachment()`` (a file download).
- About the request: ``request_client_ip``, ``user_agent``, ``form_field``, ``session_token``,
  ``request_browser``, ``remembered_cookie``.
- ``run_in_threadpool``: every route does its database work through it, off the event loop
  that also carries every tab's websocket.

Origin: browsers say where a request comes from in two headers, ``Origin`` (sent on every POST
by current browsers) and the Fetch Metadata header ``Sec-Fetch-Site`` (``same-origin``,
``same-site``, ``cross-site``, or ``none`` when the user typed the address). Neither can be set
by a page's script, so a foreign page cannot pretend to be ours. A request carrying neither is
refused: it did not come from a browser on our pages (a script, a form in a browser that hides
its origin, a ``<meta name=referrer content=no-referrer>`` trick) — without this a foreign page
could post a login grant into its victim's browser (login CSRF).

Client IP: the socket peer, unless the deployment declares ``security.trusted_proxy_hops``
reverse proxies in front of it: then the address that many hops back in X-Forwarded-For (the
one our own outermost proxy saw). Entries further left are whatever the client wrote, so they
are never used; without trusted hops the header is ignored entirely.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping
from typing import Protocol
from urllib.parse import quote, urlparse

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from clientcenter.http.cookies import (
    set_remembered_cookie,
    set_session_cookie,
    token_from_cookie_header,
)
from clientcenter.http.middleware.tab_binding import forget_tab
from clientcenter.services.auth import connection, remembered
from clientcenter.services.auth.connection import (
    browser_cookie_name,
    browser_digest,
    remembered_cookie_name,
)
from clientcenter.services.auth.login import login_scope
from clientcenter.services.auth.sessions import find_session, revoke_session
from clientcenter.services.errors import ServiceError
from clientcenter.services.files.storage import StoredStream
from clientcenter.settings import get_settings

__all__ = [
    "NO_STORE",
    "SAFE_HEADERS",
    "attachment",
    "client_ip",
    "complete_login_grant",
    "content_disposition",
    "forbidden",
    "forget_posting_tab",
    "form_field",
    "is_own_navigation",
    "is_same_origin_post",
    "notice_page",
    "origin_of",
    "public_origin",
    "redirect",
    "refuse_foreign_origin",
    "remembered_cookie",
    "replace_held_session",
    "request_browser",
    "request_client_ip",
    "rotated_session",
    "run_in_threadpool",
    "session_token",
    "signed_in",
    "user_agent",
]

log = logging.getLogger("clientcenter.security")

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
SAFE_HEADERS = {
    **NO_STORE,
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
}


# -- where the request came from ------------------------------------------------------------


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, the way browsers send Origin."""
    parsed = urlparse(str(url))
    return f"{parsed.scheme}://{parsed.netloc}".lower()


def public_origin() -> str:
    return origin_of(str(get_settings().public_url))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    return value.strip().lower() if isinstance(value, str) else None


def is_same_origin_post(headers: Mapping[str, str]) -> bool:
    """For state-changing requests (POST): ``Origin`` is our public origin, or — only when
    the browser sent no Origin at all — ``Sec-Fetch-Site`` says ``same-origin``.
    ``Origin: null`` (sandboxed frames, privacy redirects) is never ours."""
    origin = _header(headers, "origin")
    if origin is not None:
        return origin == public_origin()
    return _header(headers, "sec-fetch-site") == "same-origin"


def is_own_navigation(headers: Mapping[str, str]) -> bool:
    """For a GET that records something (``/go/<id>``): the browser navigated from one of our
    pages (``Sec-Fetch-Site: same-origin``), or the user opened the address themselves
    (``none``: typed, bookmarked — no page asked for it). ``same-site`` and ``cross-site`` are
    other pages. A browser too old to send Fetch Metadata counts only when its Referer is one
    of our pages; with no Referer we cannot tell, so the answer is no."""
    site = _header(headers, "sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    referer = _header(headers, "referer")
    return bool(referer) and origin_of(referer) == public_origin()


def refuse_foreign_origin(request: Request, what: str | None = None) -> Response | None:
    """The 403 to return, unless this POST came from our own pages; None when it did. The
    refusal is logged as "<what> refused: foreign origin …" when ``what`` is given."""
    if is_same_origin_post(request.headers):
        return None
    if what is not None:
        log.warning("%s refused: foreign origin %r", what, request.headers.get("origin"))
    return forbidden()


# -- answers --------------------------------------------------------------------------------


def forbidden() -> Response:
    return Response("Forbidden", status_code=403, headers=NO_STORE)


def redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303, headers=NO_STORE)


class Started(Protocol):
    """A session a service started (login.complete, agent_login.complete, read_only…)."""

    @property
    def token(self) -> str: ...
    @property
    def max_age(self) -> int: ...


class Kept(Protocol):
    """services/auth/remembered.remember's answer."""

    @property
    def new_value(self) -> str | None: ...
    @property
    def max_age(self) -> int: ...


def replace_held_session(
    db: Session,
    started: Started,
    held: str | None,
    *,
    subject_kind: str,
    user_agent: str,
    presented: str | None,
    **owner: int | None,
) -> Kept:
    """After a login in this browser (inside the login's transaction): the session the
    browser still held ends (a shared device, a second login), and the browser is remembered
    for the person who logged in (``owner``: ``contact_id=`` or ``agent_id=``)."""
    previous = find_session(db, held)
    if previous is not None and previous.id != started.session.id:
        revoke_session(db, previous)
    return remembered.remember(
        db,
        subject_kind=subject_kind,
        email=started.session.email,
        user_agent=user_agent,
        presented=connection.remembered_digest(presented) if presented else None,
        trust_channel=getattr(started, "trust_channel", ""),
        **owner,
    )


_OWNER_FIELD = {"customer": "contact_id", "agent": "agent_id"}


async def complete_login_grant(
    request: Request,
    complete: Callable[..., Started],
    *,
    subject_kind: str,
    refused_to: str,
    return_to: str | None = None,
) -> Response:
    """The end of a customer's or an agent's login: ``complete`` (login.complete or
    agent_login.complete) turns the posted single-use grant into a session with a fresh token
    (a cookie the browser had before is not reused); the session the browser held ends and the
    browser is remembered, in the same transaction. A refused grant goes to ``refused_to``."""
    grant = await form_field(request, "grant")
    client_ip, agent = request_client_ip(request), user_agent(request)
    held = session_token(request)
    browser = request_browser(request)
    presented = remembered_cookie(request)
    owner_field = _OWNER_FIELD[subject_kind]

    def start_session():
        with login_scope() as db:
            done = complete(
                db, grant=grant, client_ip=client_ip, user_agent=agent, browser=browser
            )
            kept = replace_held_session(
                db,
                done,
                held,
                subject_kind=subject_kind,
                user_agent=agent,
                presented=presented,
                **{owner_field: getattr(done.session, owner_field)},
            )
            return done, kept

    try:
        # Database work off the event loop, which also carries every tab's websocket.
        done, kept = await run_in_threadpool(start_session)
    except ServiceError:
        return redirect(refused_to)
    return await signed_in(request, return_to or done.destination, done, kept, presented)


async def rotated_session(
    request: Request, rotate: Callable[[], Started], *, refused_to: str, what: str | None = None
) -> Response:
    """The end of a route that moves the browser's session onto a new one (an account switch,
    an agent entering or leaving a read-only view): ``rotate`` does the database work on a
    worker thread; a refusal goes to ``refused_to``, logged as "<what> refused" if named."""
    try:
        done = await run_in_threadpool(rotate)
    except ServiceError as exc:
        if what is not None:
            log.warning("%s refused: %s", what, exc.message)
        return redirect(refused_to)
    return await signed_in(request, done.destination, done)


async def signed_in(
    request: Request,
    location: str,
    started: Started,
    kept: Kept | None = None,
    presented: str | None = None,
) -> Response:
    """The answer to a post that started a session: the posting tab's state is blanked, the
    browser goes to ``location`` with the new session cookie and, after a login, the
    remembered-browser cookie (the new value, or the one it presented)."""
    await forget_posting_tab(request)
    response = redirect(location)
    set_session_cookie(response, started.token, max_age=started.max_age)
    if kept is not None:
        set_remembered_cookie(response, kept.new_value or presented, max_age=kept.max_age)
    return response


def notice_page(status: int, heading: str, detail_html: str) -> HTMLResponse:
    """A small page a phone shows when a link no longer works (the user came by tapping).
    ``heading`` is text; ``detail_html`` is already escaped."""
    agency = html.escape(get_settings().branding.agency_name)
    body = (
        "<!doctype html><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{agency}</title>"
        "<body style='font-family:system-ui,sans-serif;margin:2rem auto;max-width:32rem;"
        "padding:0 1rem;line-height:1.5'>"
        f"<h1 style='font-size:1.25rem'>{html.escape(heading)}</h1>"
        f"<p>{detail_html}</p></body>"
    )
    return HTMLResponse(body, status_code=status, headers=SAFE_HEADERS)


def content_disposition(filename: str) -> str:
    """RFC 6266 attachment header with an ASCII fallback and the UTF-8 name."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(data: bytes | StoredStream, content_type: str, filename: str) -> Response:
    """A file download that no cache keeps and no browser sniffs or renders. A stored file
    is streamed from the store in chunks, never read whole into memory."""
    headers = {**SAFE_HEADERS, "Content-Disposition": content_disposition(filename)}
    if isinstance(data, bytes):
        return Response(data, media_type=content_type, headers=headers)
    headers["Content-Length"] = str(data.size_bytes)
    return StreamingResponse(data.chunks, media_type=content_type, headers=headers)


# -- about the request ----------------------------------------------------------------------


def client_ip(peer: str | None, forwarded_for: str | None, hops: int | None = None) -> str:
    hops = get_settings().security.trusted_proxy_hops if hops is None else hops
    address = peer or ""
    if hops and forwarded_for:
        chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
        # Same rule as Reflex applies to its websocket (rxconfig passes the same setting).
        if len(chain) >= hops:
            address = chain[-hops]
    return address[:64]


def request_client_ip(request: Request) -> str:
    peer = request.client.host if request.client else ""
    return client_ip(peer, request.headers.get("x-forwarded-for"))


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:200]


async def form_field(request: Request, name: str) -> str:
    """One text field of the posted form ("" when absent or a file)."""
    value = (await request.form()).get(name)
    return value if isinstance(value, str) else ""


def session_token(request: Request) -> str | None:
    """The session token in this request's cookie; the services check it (principal_from_token,
    find_session) in the database, inside run_in_threadpool."""
    return token_from_cookie_header(request.headers.get("cookie"))


def request_browser(request: Request) -> str | None:
    """The keyed hash of this request's browser key: login grants are bound to it, so a
    grant carried to another browser (or posted by a foreign page) starts no session."""
    raw = request.cookies.get(browser_cookie_name())
    return browser_digest(raw) if raw else None


def remembered_cookie(request: Request) -> str | None:
    """The raw remembered-browser cookie of this request (services/auth/remembered.py), if any."""
    value = request.cookies.get(remembered_cookie_name())
    return value if value and len(value) <= 256 else None


async def forget_posting_tab(request: Request) -> None:
    """The page posting here drops its Reflex token; blank the state that token keyed."""
    await forget_tab(await form_field(request, "tab"), request.headers.get("cookie"))
