"""Calling Reflex handlers from unit tests as the event loop would."""

from __future__ import annotations

import asyncio
import inspect


def settle(result):
    """A handler's result; an async handler (e.g. an ``off_loop`` one) is run to completion."""
    return asyncio.run(result) if inspect.iscoroutine(result) else result


def as_connected(headers: dict[str, str]) -> dict[str, str]:
    """Request headers as a tab's state sees them behind the tab-binding middleware: the
    Cookie header replaced by the keyed hashes of our cookies (clientcenter/tab_binding.py)."""
    from clientcenter.tab_binding import connection_headers

    headers = dict(headers)
    cookie = headers.pop("cookie", None)
    return {**headers, **dict(connection_headers(cookie))}
