"""Calling Reflex handlers from unit tests as the event loop would."""

from __future__ import annotations

import asyncio
import inspect


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
