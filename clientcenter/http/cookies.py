"""The session cookie: HttpOnly, SameSite=Lax, Secure (and __Host- prefixed) under https.

Only HTTP routes set or clear it (a Reflex handler cannot set an HttpOnly cookie); Reflex
states read it from their websocket's own request headers (``self.router.headers.cookie``).
"""

from __future__ import annotations

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


def token_from_cookie_header(header: str | None) -> str | None:
    """The session token in a raw ``Cookie:`` header, or None."""
    if not header:
        return None
    value = cookie_parser(header).get(session_cookie_name())
    return value or None


def set_session_cookie(response: Response, token: str, *, max_age: int) -> None:
    response.set_cookie(
        session_cookie_name(),
        token,
        max_age=max(0, int(max_age)),
        path="/",
        secure=serves_https(),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        session_cookie_name(), path="/", secure=serves_https(), httponly=True, samesite="lax"
    )


def set_remembered_cookie(response: Response, value: str, *, max_age: int) -> None:
    """The remembered-browser cookie (services/auth/remembered.py): set after a completed login,
    HttpOnly like the session's, and kept across logouts — it names the browser's owner, not
    a session. Its name comes from clientcenter/services/auth/connection.py."""
    from clientcenter.services.auth.connection import remembered_cookie_name

    response.set_cookie(
        remembered_cookie_name(),
        value,
        max_age=max(0, int(max_age)),
        path="/",
        secure=serves_https(),
        httponly=True,
        samesite="lax",
    )
