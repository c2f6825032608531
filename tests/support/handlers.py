"""Calling Reflex handlers from unit tests as the event loop would: a page state as a tab
holds it, and its handlers' results run to completion."""

from __future__ import annotations

import asyncio
import inspect
from urllib.parse import urlencode

import reflex as rx
from reflex import constants
from reflex.istate.data import RouterData

ORIGIN = "http://localhost:3000"
CLIENT_IP = "203.0.113.9"


def settle(result):
    """A handler's result; an async handler (e.g. an ``off_loop`` one) is run to completion."""
    return asyncio.run(result) if inspect.iscoroutine(result) else result


# The browser key every state built by the tests' helpers has (a browser that loaded a page).
TEST_BROWSER_KEY = "test-browser-key-0123456789abcdefghijklmnop"


def tab_browser_digest() -> str:
    from clientcenter.services.auth.connection import browser_digest

    return browser_digest(TEST_BROWSER_KEY)


def as_connected(
    headers: dict[str, str], *, browser: str | None = TEST_BROWSER_KEY
) -> dict[str, str]:
    """Request headers as a tab's state sees them behind the tab-binding middleware: the
    Cookie header replaced by the keyed hashes of our cookies (clientcenter/http/middleware/tab_binding.py).
    ``browser``: the browser-key cookie this tab's browser holds (None: no cookie at all)."""
    from clientcenter.http.middleware.tab_binding import connection_headers
    from clientcenter.services.auth.connection import browser_cookie_name

    headers = dict(headers)
    cookie = headers.pop("cookie", None) or ""
    if browser is not None and f"{browser_cookie_name()}=" not in cookie:
        cookie = f"{cookie}; {browser_cookie_name()}={browser}".lstrip("; ")
    from clientcenter.http.middleware.tab_binding import new_browser_key
    from clientcenter.services.auth.connection import CONNECTION_HEADER, browser_digest

    bound_to = browser_digest(browser if browser is not None else new_browser_key())
    return {**headers, **dict(connection_headers(cookie or None)), CONNECTION_HEADER: bound_to}


def page_state(
    cls: type[rx.State],
    cookie: str | None = None,
    *,
    path: str = "/",
    ip: str = CLIENT_IP,
    browser: str | None = TEST_BROWSER_KEY,
    **params,
):
    """A fresh ``cls`` under a new root state, as a browser tab on ``path`` holds it: the
    request headers the tab-binding middleware passes on for ``cookie`` and ``browser``, the
    client's IP, and ``params`` as the page's query and route arguments."""
    query = {name: str(value) for name, value in params.items()}
    headers = {"origin": ORIGIN, **({"cookie": cookie} if cookie else {})}
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    state.router = RouterData.from_router_data(
        {
            constants.RouteVar.HEADERS: as_connected(headers, browser=browser),
            constants.RouteVar.CLIENT_IP: ip,
            constants.RouteVar.PATH: path,
            constants.RouteVar.ORIGIN: f"{path}?{urlencode(query)}" if query else path,
            constants.RouteVar.QUERY: query,
        }
    )
    return state
