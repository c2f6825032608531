"""The base of every Reflex state behind login.

Reflex facts this follows (docs/architecture.md, "Thin states"; docs/security-model.md): any
public handler can be called from the browser, on_load guards can be skipped, and a tab's state
outlives its session. So nothing here remembers who is logged in. Each handler calls
``self._require_principal()``, which reads the HttpOnly session cookie from *this*
websocket's request headers and re-checks the session in the database.

A tab whose session has ended is sent to the login page with a message: a handler just lets
:class:`SessionEnded` propagate (the app's ``backend_exception_handler`` turns it into the
navigation), and pages add ``on_load=PortalState.require_login`` so a stale tab leaves
before it renders anything.

Usage in a page state::

    class HomeState(PortalState):
        policies: list[PolicyRow] = []

        @rx.event
        def load(self):
            principal = self._require_account_principal()
            with session_scope() as db:
                self.policies = policies_for(db, principal)
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
from urllib.parse import urlparse

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.services.auth.connection import (
    BROWSER_HEADER,
    CONNECTION_HEADER,
    REMEMBERED_HEADER,
    SESSION_HEADER,
    SETUP_HEADER,
)
from clientcenter.services.auth.sessions import SessionCheck, SessionStatus, check_session_hash
from clientcenter.services.principal import Principal

log = logging.getLogger("clientcenter.security")


class SessionEnded(Exception):
    """No usable session behind this tab. ``location`` is where the tab must go."""

    def __init__(self, check: SessionCheck, here: str | None = None):
        super().__init__(check.status)
        self.check = check
        self.location = location_for(check, here)


def location_for(check: SessionCheck, here: str | None = None) -> str:
    """Where a tab goes when its session check did not produce a principal; ``here`` (the
    page it was opening) comes back after the login when it is one a login may return to."""
    if check.status == SessionStatus.CHOOSE_ACCOUNT:
        return routes.ACCOUNT_CHOICE
    if check.status == SessionStatus.SECOND_FACTOR:
        return routes.AGENT_SECOND_FACTOR
    # With no session at all (no kind), the page being opened says whose login it needs.
    on_agent_page = not check.kind and routes.is_agent_page(here)
    side = routes.AGENT_SIDE if check.kind == "agent" or on_agent_page else routes.CUSTOMER_SIDE
    return routes.with_return(
        f"{routes.login_page_for(side)}?signed_out={check.status}", here, side
    )


def leave_to(location: str) -> rx.event.EventSpec:
    """A full page load to ``location`` through ``/auth/leave``, which blanks this tab's
    server-side state; the next page starts with a fresh Reflex client token, so the ended
    session's page data is never hydrated into the next visitor's tab."""
    return post_navigation(routes.LEAVE_ROUTE, {"to": location})


def _form_post_script(action: str, fields: dict[str, str]) -> str:
    # A navigation leaves this tab's state behind: its token goes along as ``tab`` and the
    # next page starts with a fresh one.
    return (
        "(() => {const f = document.createElement('form'); f.method = 'post';"
        f" f.action = {json.dumps(action)}; f.target = '_top';"
        " const tab = sessionStorage.getItem('token') || ''; sessionStorage.removeItem('token');"
        f" for (const [k, v] of Object.entries({{...{json.dumps(fields)}, tab}})) {{"
        " const i = document.createElement('input'); i.type = 'hidden'; i.name = k;"
        " i.value = v; f.appendChild(i); }"
        " document.body.appendChild(f); f.submit();})()"
    )


# A download is fetched, not submitted: a form submitted to this page fires ``beforeunload``,
# on which Reflex closes the websocket for good, and the page's next event re-hydrates it
# with its filters lost. The file is handed to the browser from a blob; a refusal (the page
# checked first, so rare) is posted again as a navigation, to show the route's own page.
_DOWNLOAD_SCRIPT = """(async () => {
  const fields = %(fields)s;
  const answer = await fetch(%(action)s,
    {method: 'POST', body: new URLSearchParams(fields), credentials: 'same-origin'});
  if (!answer.ok) {
    const f = document.createElement('form'); f.method = 'post'; f.action = %(action)s;
    for (const [k, v] of Object.entries(fields)) {
      const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v;
      f.appendChild(i);
    }
    document.body.appendChild(f); f.submit(); return;
  }
  const named = /filename="?([^";]+)"?/.exec(answer.headers.get('Content-Disposition') || '');
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await answer.blob());
  link.download = named ? named[1] : 'download';
  document.body.appendChild(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
})()"""


def post_navigation_script(action: str, fields: dict[str, str] | None = None) -> str:
    """JavaScript that POSTs a form to one of our HTTP routes as a full navigation of the top
    window (the embedded login breaks out of its frame), after dropping the Reflex client
    token so the next page starts with a fresh tab state. The old token goes along as
    ``tab``: the route blanks that tab's server-side state (clientcenter/http/middleware/tab_binding.py)."""
    return _form_post_script(action, fields or {})


def post_navigation(action: str, fields: dict[str, str] | None = None) -> rx.event.EventSpec:
    return rx.call_script(post_navigation_script(action, fields))


def post_download(action: str, fields: dict[str, str]) -> rx.event.EventSpec:
    """POST ``fields`` to an HTTP route that answers with a file: the browser saves it, and
    the page, its websocket, its tab state and its token stay as they are."""
    script = _DOWNLOAD_SCRIPT % {"action": json.dumps(action), "fields": json.dumps(fields)}
    return rx.call_script(script)


def handle_backend_exception(exception: Exception):
    """The app's backend_exception_handler: a SessionEnded raised anywhere in a handler sends
    the tab to the login page; everything else goes to Reflex's default handler.
    (Reflex checks this signature: the argument must be named ``exception``.)"""
    if isinstance(exception, SessionEnded):
        return leave_to(exception.location)
    from reflex.app import default_backend_exception_handler

    return default_backend_exception_handler(exception)


# The pages a limited view opens (services/access.py VIEW_AREAS decides what they load).
_VIEW_PAGES = {
    "documents": (routes.DOCUMENTS, routes.PROFILE, routes.ACCOUNT_CHOICE),
    "certificates": (routes.CERTIFICATES, routes.PROFILE, routes.ACCOUNT_CHOICE),
}


def _limited_landing(view: str, path: str) -> str | None:
    """Where a limited view goes instead of ``path`` (None: stay)."""
    pages = _VIEW_PAGES.get(view)
    if pages is None or path.rstrip("/") in pages or path.startswith(routes.SHARED_PREFIX):
        return None
    return pages[0]


def off_loop(handler):
    """Run a sync handler on a worker thread. Reflex runs sync handlers on the event loop that
    carries every tab of this worker, so one page's queries, or a wait for SQLite's write
    lock, would stall all of them (bench/login.py, 200 customers in a minute on one worker:
    whole-login p95 7–8 s before, under 1.3 s after). The tab's state stays locked for the
    handler meanwhile, so nothing else touches it. Goes under ``@rx.event``."""

    @functools.wraps(handler)
    async def run(self, *args, **kwargs):
        return await asyncio.to_thread(handler, self, *args, **kwargs)

    return run


class PortalState(rx.State):
    """Base state for pages behind login. Holds no identity: see the module docstring."""

    def _connection_digest(self, header: str) -> str | None:
        """A keyed hash the tab-binding middleware put on this connection in place of one of
        our cookies (clientcenter/services/auth/connection.py); None when the browser sent no such cookie."""
        value = self.router.headers.raw_headers.get(header, "")
        return value if len(value) == 64 else None

    def _session_digest(self) -> str | None:
        return self._connection_digest(SESSION_HEADER)

    def _browser_digest(self) -> str | None:
        """This browser's key, hashed: binds login attempts to the browser that began them."""
        return self._connection_digest(BROWSER_HEADER)

    def _tab_attempt_id(self, nonce: str) -> str:
        """A login attempt's id, made from a random nonce the tab keeps and the key this tab
        is bound to (the browser's, or the connection's own when the browser sent no cookie):
        the tab state holds no attempt id, and the nonce continues nothing elsewhere."""
        browser = self._connection_digest(CONNECTION_HEADER)
        if not nonce or browser is None:
            return ""
        from clientcenter.services.auth.tokens import keyed_hash

        return keyed_hash("tab-login-attempt", f"{browser}:{nonce}")

    def _setup_digest(self) -> str | None:
        """An agent's setup link opened in this browser, as the connection carries it
        (services/agency/setup_links.py checks it against this browser's key)."""
        value = self.router.headers.raw_headers.get(SETUP_HEADER, "")
        return value if 0 < len(value) <= 96 else None

    def _remembered_digest(self) -> str | None:
        """The remembered-browser cookie, hashed (a browser that completed a login before)."""
        return self._connection_digest(REMEMBERED_HEADER)

    def _client_ip(self) -> str:
        # Reflex derives this from the socket peer, or from X-Forwarded-For only across the
        # configured trusted_proxy_hops (rxconfig passes settings.security.trusted_proxy_hops).
        return self.router.session.client_ip or ""

    def _check_session(self) -> SessionCheck:
        with session_scope() as db:
            return check_session_hash(db, self._session_digest())

    def _require_principal(self) -> Principal:
        """The principal of this connection's session cookie, checked in the database now.
        Raises SessionEnded (→ login page with a message) when there is none."""
        check = self._check_session()
        if check.status != SessionStatus.OK or check.principal is None:
            if check.status not in (SessionStatus.LOGIN, SessionStatus.CHOOSE_ACCOUNT):
                log.info("session check refused: %s (session %s)", check.status, check.session_id)
            raise SessionEnded(check, self._page_address())
        return dataclasses.replace(check.principal, client_ip=self._client_ip())

    def _require_account_principal(self) -> Principal:
        """A principal looking at one customer account: the customer, or an agent in
        read-only view. Agency-side sessions are sent to their own login page."""
        principal = self._require_principal()
        if principal.account_id is None:
            raise SessionEnded(
                SessionCheck(
                    SessionStatus.ACCESS, kind=principal.kind, session_id=principal.session_id
                )
            )
        return principal

    # Read-only view: "Read-only — viewing as <customer>" on every page (components/layout.py).
    # Set from the session on each page load; it shows, it never decides anything.
    viewing_as: str = ""

    def _viewing_as(self, principal: Principal | None) -> str:
        if principal is None or not principal.read_only or principal.account_id is None:
            return ""
        from clientcenter.models import Account

        with session_scope() as db:
            account = db.get(Account, principal.account_id)
            return account.name if account else ""

    # What the customer contact may see (services/access.py, ``require_view``): the menus
    # hide the rest. Set from the session on each page load; the services decide.
    contact_view: str = "everything"

    def _page_address(self) -> str:
        """The path and query of the page this tab is opening (a deep link to come back to)."""
        url = self.router.url
        return url.path + (f"?{url.query}" if url.query else "")

    @rx.event
    @off_loop
    def require_login(self):
        """on_load guard for pages behind login: leaves at once if the session has ended, for
        a login that comes back to this page; a household member with a limited view is taken
        to the part they may see."""
        check = self._check_session()
        if check.status != SessionStatus.OK:
            return leave_to(location_for(check, self._page_address()))
        self.viewing_as = self._viewing_as(check.principal)
        self.contact_view = check.principal.view if check.principal else "everything"
        landing = _limited_landing(self.contact_view, urlparse(str(self.router.url)).path)
        return rx.redirect(landing) if landing else None
