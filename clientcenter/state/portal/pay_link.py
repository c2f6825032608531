"""/pay/<token>: the link in a payment request. Logged in on the right account, it opens the
invoice's pay form on /billing; otherwise it says what the link needs or what became of it."""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.billing import open_payment_request
from clientcenter.services.billing.payment_requests import PAY_PATH
from clientcenter.state.base import PortalState, off_loop


class PayLinkState(PortalState):
    loaded: bool = False
    state: str = ""  # invalid | expired | paid | cancelled | login | other_account
    message: str = ""
    login_href: str = "/"

    @rx.event
    @off_loop
    def open_link(self):
        path = self.router.url.path or ""
        token = path[len(PAY_PATH) :] if path.startswith(PAY_PATH) else ""
        check = self._check_session()
        principal = check.principal if check.ok else None
        with session_scope() as db:
            landing = open_payment_request(db, principal, token.strip("/"))
        if landing.state == "open":
            return rx.redirect(f"/billing?invoice={landing.invoice_id}", replace=True)
        self.state, self.message = landing.state, landing.message
        # The login page may bring the customer back here afterwards.
        self.login_href = "/?next=" + quote(path, safe="/")
        self.loaded = True
        return None
