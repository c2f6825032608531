"""Signed-in customer basics: who and which account (Profile), and Switch accounts."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.models import Account, Contact
from clientcenter.services.agency.read_only import viewed_contact
from clientcenter.services.auth import login
from clientcenter.services.auth.sessions import SessionCheck, SessionStatus
from clientcenter.services.errors import ServiceError
from clientcenter.state.base import PortalState, SessionEnded, off_loop, post_navigation


class AccountState(PortalState):
    """The signed-in customer's name and account, and the accounts they may switch to."""

    full_name: str = ""
    email: str = ""
    account_name: str = ""
    account_kind: str = ""
    accounts: list[dict[str, str]] = []  # id, name, kind, current ("1" or "")
    error: str = ""
    read_only: bool = False  # an agent viewing: the customer's profile, shown read-only

    def _require_customer(self) -> SessionCheck:
        check = self._check_session()
        if check.status != SessionStatus.OK or check.principal is None:
            raise SessionEnded(check)
        if not check.principal.is_customer:
            # Agents in read-only view have no accounts of their own to switch between.
            raise SessionEnded(
                SessionCheck(SessionStatus.ACCESS, kind=check.kind, session_id=check.session_id)
            )
        return check

    @rx.event
    @off_loop
    def load(self):
        """on_load for Profile and Switch accounts."""
        check = self._check_session()
        principal = check.principal
        if check.status == SessionStatus.OK and principal is not None and principal.read_only:
            return self._load_viewed(principal)
        check = self._require_customer()
        principal = check.principal
        with session_scope() as db:
            contact = db.get(Contact, principal.contact_id)
            account = db.get(Account, principal.account_id)
            choices = login.switch_choices(db, principal)
        self.read_only = False
        self.full_name = contact.full_name
        self.email = check.email
        self.account_name = account.name
        self.account_kind = login.KIND_LABELS.get(account.kind, account.kind)
        self.accounts = [
            {
                "id": str(a.account_id),
                "name": a.name,
                "kind": a.kind_label,
                "current": "1" if a.account_id == principal.account_id else "",
            }
            for a in choices
        ]
        refused = self.router.url.query_parameters.get("refused")
        self.error = "That switch didn't go through. Pick the account again." if refused else ""

    def _load_viewed(self, principal) -> None:
        """Profile in the read-only view: whose portal it is, and nothing to switch."""
        with session_scope() as db:
            contact = viewed_contact(db, principal)
            account = db.get(Account, principal.account_id)
        self.read_only = True
        self.full_name = contact.full_name if contact else ""
        self.email = (contact.email or "") if contact else ""
        self.account_name = account.name
        self.account_kind = login.KIND_LABELS.get(account.kind, account.kind)
        self.accounts, self.error = [], ""

    @rx.event
    @off_loop
    def refresh_name(self):
        """After a name change on this page: "Signed in as" shows the new name at once."""
        check = self._require_customer()
        with session_scope() as db:
            contact = db.get(Contact, check.principal.contact_id)
        self.full_name = contact.full_name

    @rx.event
    @off_loop
    def switch_to(self, account_id: str):
        check = self._require_customer()
        try:
            with session_scope() as db:
                grant = login.switch_grant(
                    db, check.principal, email=check.email, account_id=int(account_id)
                )
        except (TypeError, ValueError):
            self.error = "Pick one of the accounts listed."
            return None
        except ServiceError as exc:
            self.error = exc.message
            return None
        return post_navigation(routes.SWITCH_ACCOUNT_ROUTE, {"grant": grant})
