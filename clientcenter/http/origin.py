"""Did this request come from our own pages? The one answer every route that sets or uses the
session asks for (http/routes/auth.py, http/routes/agent.py, http/routes/integrations.py).

Browsers say where a request comes from in two headers: ``Origin`` (sent on every POST by
current browsers) and the Fetch Metadata header ``Sec-Fetch-Site`` (``same-origin``,
``same-site``, ``cross-site``, or ``none`` when the user typed the address). Neither can be set
by a page's script, so a foreign page cannot pretend to be ours. A request carrying neither is
refused: it did not come from a browser on our pages (a script, a form in a browser that hides
its origin, a ``<meta name=referrer content=no-referrer>`` trick) — without this a foreign page
could post a login grant into its victim's browser (login CSRF).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlparse

from clientcenter.settings import get_settings


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
