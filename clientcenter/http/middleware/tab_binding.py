"""The browser tab is not a credential: Reflex's client token alone opens nothing.

Reflex keys a tab's server-side state by the client token the page keeps in sessionStorage
and sends in the websocket URL (so proxies log it). Whoever presents that token gets the
tab's state. This pure ASGI middleware binds every tab to the browser that made it:

- Every HTTP response to a browser without one sets ``cc_browser``, an HttpOnly random key
  (``__Host-`` prefixed under https). It is the browser's, not the login's: it outlives
  logins, and logout replaces it.
- On ``/_event`` (the websocket) and ``/_upload`` the client token is replaced by
  ``HMAC(app key, browser key, token)`` before Reflex sees it. The same token from another
  browser, or from a request without the cookie (which gets a random key per connection),
  names another, empty state.
- On those two paths the ``Cookie`` header is removed and replaced by the keyed hashes of our
  cookies (clientcenter/services/auth/connection.py): Reflex pickles the connection's headers into the tab
  state, and no raw session token may be at rest there.
- ``/_upload`` is authenticated on its own request: Reflex 0.10.1 builds the upload event
  without the request's headers, so the handler would otherwise trust the websocket's.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import uuid
from collections.abc import Mapping
from hashlib import sha256
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser

from clientcenter import routes
from clientcenter.http.cookies import session_cookie_name, session_token_in, set_cookie_header
from clientcenter.services.auth import connection
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.security")

UPLOAD_TOKEN_HEADER = b"reflex-client-token"
BROWSER_KEY_BYTES = 32
# A year: the key names the browser, not a login (the session cookie carries the login).
BROWSER_MAX_AGE = 365 * 24 * 3600


def _is_browser_key(value: str | None) -> bool:
    return (
        bool(value)
        and 32 <= len(value) <= 64
        and value.replace("-", "").replace("_", "").isalnum()
    )


def bind_token(client_token: str, browser_key: str) -> str:
    """The state key of a tab: its client token mixed with its browser's key, shaped like the
    UUID Reflex makes, so the same token from another browser names another state."""
    mac = hmac.new(
        get_settings().secret(),
        b"tab\x00" + browser_key.encode() + b"\x00" + client_token[:128].encode(),
        sha256,
    ).digest()
    return str(uuid.UUID(bytes=mac[:16], version=4))


def connection_headers(cookie_header: str | None) -> list[tuple[str, str]]:
    """What a tab's connection carries instead of the Cookie header: the keyed hash of each of
    our cookies that is present (see clientcenter/services/auth/connection.py)."""
    return _connection_digests(cookie_parser(cookie_header) if cookie_header else {})


def _connection_digests(cookies: Mapping[str, str]) -> list[tuple[str, str]]:
    out = []
    for header, name, digest in (
        (connection.SESSION_HEADER, session_cookie_name(), connection.session_digest),
        (connection.BROWSER_HEADER, connection.browser_cookie_name(), connection.browser_digest),
        (
            connection.REMEMBERED_HEADER,
            connection.remembered_cookie_name(),
            connection.remembered_digest,
        ),
    ):
        value = cookies.get(name)
        if value and len(value) <= 256:
            out.append((header, digest(value)))
    setup_pass = cookies.get(connection.setup_cookie_name())
    if setup_pass and len(setup_pass) <= 256 and (digest := connection.setup_digest(setup_pass)):
        out.append((connection.SETUP_HEADER, digest))
    return out


def browser_cookie_header(value: str, *, max_age: int = BROWSER_MAX_AGE) -> str:
    return set_cookie_header(connection.browser_cookie_name(), value, max_age=max_age)


def new_browser_key() -> str:
    return secrets.token_urlsafe(BROWSER_KEY_BYTES)


_OURS = {h.encode() for h in connection.DIGEST_HEADERS}


def _split_headers(scope) -> tuple[list[tuple[bytes, bytes]], str]:
    """The request's headers without Cookie and without our digest headers (a client may
    not send those itself), and the Cookie header's value."""
    kept, cookies = [], []
    for name, value in scope.get("headers", []):
        lname = name.lower()
        if lname == b"cookie":
            cookies.append(value.decode("latin-1"))
        elif lname not in _OURS:
            kept.append((name, value))
    return kept, "; ".join(cookies)


def _digest_headers(cookies: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [(h.encode(), v.encode()) for h, v in _connection_digests(cookies)]


async def _upload_allowed(cookies: Mapping[str, str]) -> bool:
    """The upload request's own session cookie must stand for a live session looking at a
    customer account, or an agency-side agent whose role may put documents on accounts (the
    handler then applies every rule of its own, read-only included)."""
    from clientcenter.db import session_scope
    from clientcenter.services.access import agent_may
    from clientcenter.services.agency.agents import signed_in_agent
    from clientcenter.services.agency.roles import Permission
    from clientcenter.services.auth.sessions import SessionStatus, check_session
    from clientcenter.services.errors import ServiceError

    token = session_token_in(cookies)
    if not token:
        return False

    def check() -> bool:
        with session_scope() as db:
            result = check_session(db, token)
            principal = result.principal
            if result.status != SessionStatus.OK or principal is None:
                return False
            if principal.account_id is not None:
                return True
            try:
                agent = signed_in_agent(db, principal)
            except ServiceError:
                return False
            return agent_may(agent, Permission.SHARE_DOCUMENTS)

    return await run_in_threadpool(check)


async def _drain(receive, limit: int = 256 * 1024) -> None:
    """Read (and drop) a small refused body, so the client hears the refusal instead of a
    reset connection; a larger one is cut off (the body limit has already bounded it)."""
    seen = 0
    while seen <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _refuse(send, status: int, message: str) -> None:
    body = ('{"detail": "%s"}' % message).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class TabBinding:
    """Pure ASGI middleware around the whole app (pages, routes, websocket)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        headers, cookie_header = _split_headers(scope)
        cookies = cookie_parser(cookie_header) if cookie_header else {}
        browser_key = cookies.get(connection.browser_cookie_name())
        if not _is_browser_key(browser_key):
            browser_key = None

        if path.startswith((routes.REFLEX_EVENT, routes.REFLEX_UPLOAD)):
            # No cookie: a key of this connection alone, so whatever state it opens is new
            # and can never be opened again.
            key = browser_key or new_browser_key()
            scope = dict(scope)
            scope["headers"] = (
                headers
                + _digest_headers(cookies)
                + [
                    (
                        connection.CONNECTION_HEADER.encode(),
                        connection.browser_digest(key).encode(),
                    )
                ]
            )
            if path.startswith(routes.REFLEX_EVENT):
                scope["query_string"] = self._bound_query(scope.get("query_string", b""), key)
            else:
                if not await _upload_allowed(cookies):
                    log.warning("upload refused: no live session cookie on the upload request")
                    await _drain(receive)
                    return await _refuse(
                        send, 403, "Your session has ended. Log in again to upload."
                    )
                scope["headers"] = [
                    (n, bind_token(v.decode("latin-1"), key).encode())
                    if n.lower() == UPLOAD_TOKEN_HEADER
                    else (n, v)
                    for n, v in scope["headers"]
                ]
            return await self.app(scope, receive, send)

        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope = dict(scope)
        # The cookie stays for our own HTTP routes; the digest headers never come from outside.
        scope["headers"] = [(n, v) for n, v in scope.get("headers", []) if n.lower() not in _OURS]
        if browser_key is not None:
            return await self.app(scope, receive, send)
        fresh = browser_cookie_header(new_browser_key())

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                present = [
                    v
                    for k, v in message.get("headers", [])
                    if k.lower() == b"set-cookie"
                    and v.startswith(connection.browser_cookie_name().encode() + b"=")
                ]
                if not present:  # a route that set it itself (logout) wins
                    message = {
                        **message,
                        "headers": [*message.get("headers", []), (b"set-cookie", fresh.encode())],
                    }
            await send(message)

        return await self.app(scope, receive, send_with_cookie)

    @staticmethod
    def _bound_query(query_string: bytes, key: str) -> bytes:
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
        bound = [(k, bind_token(v, key) if k == "token" else v) for k, v in pairs]
        return urlencode(bound).encode("latin-1")


def _mark_touched(state) -> None:
    state._was_touched = True  # state managers write only touched substates
    for substate in state.substates.values():
        _mark_touched(substate)


async def forget_tab(client_token: str | None, cookie_header: str | None) -> bool:
    """Replace a tab's server-side state with a blank one (logout, a session that ended, a
    completed login), so the page data it held is not kept in the state store. Only the
    browser that owns the tab can name it: the state key needs its browser key too."""
    cookies = cookie_parser(cookie_header) if cookie_header else {}
    key = cookies.get(connection.browser_cookie_name())
    if not client_token or len(client_token) > 128 or not _is_browser_key(key):
        return False
    from reflex.istate.manager.token import BaseStateToken
    from reflex.utils.prerequisites import get_and_validate_app

    app = get_and_validate_app().app
    token = BaseStateToken(ident=bind_token(client_token, key), cls=app._state)
    blank = app._state(_reflex_internal_init=True)
    _mark_touched(blank)
    await app.state_manager.set_state(token, blank)
    return True
