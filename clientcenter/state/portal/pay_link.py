"""/pay/<token>: the link in a payment request. Logged in on the right account, it opens the
invoice's pay form on /billing; otherwise it says what the link needs or what became of it."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.services.billing import open_payment_request
from clientcenter.state.base import PortalState, off_loop


class PayLinkState(PortalState):
    loaded: bool = False
    state: str = ""  # invalid | expired | paid | cancelled | login | other_account
    message: str = ""
    login_href: str = routes.CUSTOMER_LOGIN

    @rx.event
    @off_loop
    def open_link(self):
        path = self.router.url.path or ""
        token = path.removeprefix(routes.PAY_PREFIX) if path.startswith(routes.PAY_PREFIX) else ""
        check = self._check_session()
        principal = check.principal if check.ok else None
        with session_scope() as db:
            landing = open_payment_request(db, principal, token.strip("/"))
        if landing.state == "open":
            return rx.redirect(routes.invoice_path(landing.invoice_id), replace=True)
        self.state, self.message = landing.state, landing.message
        # The login page may bring the customer back here afterwards.
        self.login_href = routes.login_returning_to(path)
        self.loaded = True
        return None
