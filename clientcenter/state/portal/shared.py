"""/shared/<token>: a document the agency shared. Before login it only asks the customer to
log in; after login it offers the document if it is on the account in view."""

from __future__ import annotations

from urllib.parse import urlparse

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.services.auth.sessions import SessionStatus
from clientcenter.services.files import download_links
from clientcenter.services.portal import shared_document_links
from clientcenter.state.base import PortalState, off_loop


class SharedDocumentState(PortalState):
    state: str = ""  # invalid | login | other_account | open
    message: str = ""
    title: str = ""
    download_url: str = ""
    login_url: str = ""

    @rx.event
    @off_loop
    def open_page(self):
        path = urlparse(str(self.router.url)).path
        token = path.split(routes.SHARED_PREFIX, 1)[-1] if routes.SHARED_PREFIX in path else ""
        check = self._check_session()
        principal = check.principal if check.status == SessionStatus.OK else None
        with session_scope() as db:
            landing = shared_document_links.open_shared_document(db, principal, token)
        self.state, self.message, self.title = landing.state, landing.message, landing.title
        self.download_url = ""
        self.viewing_as = self._viewing_as(principal)
        # Back here after logging in (the login page only follows local /shared/ and /pay/).
        self.login_url = routes.login_returning_to(path)
        if landing.state == "open" and principal is not None:
            self.download_url = download_links.sign(principal, "document", landing.document_id)
