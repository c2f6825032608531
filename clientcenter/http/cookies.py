"""Our cookies, all built by ``set_cookie_header``: HttpOnly, SameSite=Lax, Path=/, Secure
under https. The session cookie is also __Host- prefixed under https.

Only HTTP routes set or clear the session cookie (a Reflex handler cannot set an HttpOnly
cookie); Reflex states read it from their websocket's own request headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from http.cookies import SimpleCookie

from starlette.requests import cookie_parser
from starlette.responses import Response

from clientcenter.settings import get_settings

BASE_NAME = "cc_session"


def serves_https() -> bool:
    return get_settings().public_url.scheme == "https"


def session_cookie_name() -> str:
    # The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only
    # and Path=/ — a sibling subdomain cannot plant or shadow it.
    return f"__Host-{BASE_NAME}" if serves_https() else BASE_NAME


def session_token_in(cookies: Mapping[str, str]) -> str | None:
    """The session token among a request's parsed cookies, or None."""
    return cookies.get(session_cookie_name()) or None


def token_from_cookie_header(header: str | None) -> str | None:
    """The session token in a raw ``Cookie:`` header, or None."""
    return session_token_in(cookie_parser(header)) if header else None


def set_cookie_header(name: str, value: str, *, max_age: int) -> str:
    """The ``Set-Cookie`` value of every cookie we set (session, remembered browser, browser
    key): HttpOnly, SameSite=Lax, Path=/, Secure under https. ``max_age=0`` clears it."""
    morsel = SimpleCookie({name: value})[name]
    morsel["path"] = "/"
    morsel["max-age"] = str(max(0, int(max_age)))
    morsel["httponly"] = True
    morsel["samesite"] = "lax"
    if serves_https():
        morsel["secure"] = True
    return morsel.OutputString()


def set_session_cookie(response: Response, token: str, *, max_age: int) -> None:
    response.headers.append(
        "set-cookie", set_cookie_header(session_cookie_name(), token, max_age=max_age)
    )


def clear_session_cookie(response: Response) -> None:
    response.headers.append("set-cookie", set_cookie_header(session_cookie_name(), "", max_age=0))


def set_remembered_cookie(response: Response, value: str, *, max_age: int) -> None:
    """The remembered-browser cookie (services/auth/remembered.py): set after a completed login,
    HttpOnly like the session's, and kept across logouts — it names the browser's owner, not
    a session. Its name comes from clientcenter/services/auth/connection.py."""
    from clientcenter.services.auth.connection import remembered_cookie_name

    response.headers.append(
        "set-cookie", set_cookie_header(remembered_cookie_name(), value, max_age=max_age)
    )
