"""What a tab's websocket connection knows about its browser, and nothing secret.

Reflex keeps every header of a tab's connection in its pickled state (on disk or in Redis),
so the raw ``Cookie`` header never reaches it. The tab-binding middleware
(``clientcenter/http/middleware/tab_binding.py``) removes it from ``/_event`` and ``/_upload`` requests and
puts in its place, for each of our cookies, the keyed hash the database already stores:

- ``x-cc-session``: the session token's hash (``user_session.token_hash``);
- ``x-cc-browser``: the browser key's hash — the per-browser HttpOnly cookie set on the first
  page load, which also keys the tab's state, so a tab token from another browser (or with
  no cookie) opens an empty tab;
- ``x-cc-remembered``: the remembered-browser cookie's hash, set after a completed login;
- ``x-cc-connection``: the hash of the key the tab's state is bound to — the browser key, or,
  for a connection that brought no browser cookie (a page framed by another site, where a
  SameSite=Lax cookie is not sent), a random key of that connection alone. Login attempts are
  bound to it;
- ``x-cc-setup``: an agent's setup link opened in this browser: the link's id and the keyed
  hash of the cookie's (services/agency/setup_links.py, ``pass_digest``).

A client cannot send these headers itself: the middleware drops any that arrive. A copy of
the state store therefore holds hashes that are useless without the browser's cookies.
"""

from __future__ import annotations

from clientcenter.services.auth.sessions import hash_session_token
from clientcenter.services.auth.tokens import keyed_hash
from clientcenter.settings import get_settings

SESSION_HEADER = "x-cc-session"
BROWSER_HEADER = "x-cc-browser"
REMEMBERED_HEADER = "x-cc-remembered"
CONNECTION_HEADER = "x-cc-connection"
SETUP_HEADER = "x-cc-setup"
DIGEST_HEADERS = (
    SESSION_HEADER,
    BROWSER_HEADER,
    REMEMBERED_HEADER,
    CONNECTION_HEADER,
    SETUP_HEADER,
)

BROWSER_BASE = "cc_browser"
REMEMBERED_BASE = "cc_remember"
SETUP_BASE = "cc_setup"


def host_cookie(base: str) -> str:
    """``__Host-<base>`` under https (Secure, host-only, Path=/: no sibling subdomain can
    plant or shadow it), ``<base>`` on a plain-http laptop."""
    return f"__Host-{base}" if get_settings().public_url.scheme == "https" else base


def browser_cookie_name() -> str:
    return host_cookie(BROWSER_BASE)


def remembered_cookie_name() -> str:
    return host_cookie(REMEMBERED_BASE)


def setup_cookie_name() -> str:
    return host_cookie(SETUP_BASE)


def setup_digest(raw: str) -> str | None:
    from clientcenter.services.agency.setup_links import pass_digest

    return pass_digest(raw)


def browser_digest(raw: str) -> str:
    return keyed_hash("browser-key", raw)


def remembered_digest(raw: str) -> str:
    return keyed_hash("remembered-browser", raw)


def session_digest(raw: str) -> str:
    return hash_session_token(raw)
