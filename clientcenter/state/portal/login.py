"""The login page's state: each handler calls one step of services/auth/login.py and shows the
answer. The tab keeps only a random nonce (``_attempt_nonce``); the attempt id is made from it
and this browser's key on every step (PortalState._tab_attempt_id), so a captured tab token
continues nothing from another browser. The session itself is started by the HTTP route the
page posts its grant to, which checks the grant was made for the posting browser."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.services.auth import login
from clientcenter.services.auth.sessions import SessionStatus, signed_out_message
from clientcenter.services.auth.tokens import new_token
from clientcenter.services.errors import ServiceError
from clientcenter.state.base import PortalState, off_loop, post_navigation

STEPS = ("email", "channel", "code", "account")


class LoginState(PortalState):
    email: str = ""  # as typed, kept through errors
    step: str = "email"
    channel: str = ""  # where the current code went: email | sms
    info: str = ""
    error: str = ""
    notice: str = ""  # why the visitor is here (?signed_out=...)
    accounts: list[dict[str, str]] = []  # id, name, kind — from the verified email only
    busy: bool = False
    _attempt_nonce: str = ""
    _return_to: str = ""  # a /shared/ or /pay/ link that sent the customer here (?next=)

    def _attempt(self) -> str:
        return self._tab_attempt_id(self._attempt_nonce)

    def _fail(self, exc: ServiceError) -> None:
        self.error = exc.message
        self.busy = False

    def _attempt_over(self, exc: ServiceError) -> None:
        """The attempt is gone: back to the email, with the reason and the email kept."""
        self._attempt_nonce = ""
        self.step = "email"
        self.info = ""
        self.accounts = []
        self._fail(exc)

    def _show(self, answer: login.LoginStep) -> None:
        self.step = "channel" if answer.step == "choose_channel" else "code"
        self.channel = answer.channel
        self.info = answer.message
        self.error = ""
        self.busy = False

    def _hand_off(self, grant: str):
        """Post the single-use grant to the route that sets the HttpOnly cookie."""
        self.busy = True
        self._attempt_nonce = ""
        fields = {"grant": grant}
        if self._return_to:
            fields["next"] = self._return_to
        return post_navigation("/auth/complete", fields)

    @rx.event
    @off_loop
    def open_page(self):
        """on_load: the reason for a sign-out, or straight home when already logged in."""
        reason = self.router.url.query_parameters.get("signed_out", "")
        self.notice = signed_out_message(reason) if reason else ""
        self._return_to = (
            routes.safe_return_path(self.router.url.query_parameters.get("next", "")) or ""
        )
        if self._check_session().status == SessionStatus.OK:
            return rx.redirect(self._return_to or routes.CUSTOMER_HOME)
        if reason or self.step not in STEPS:
            self.step, self.error, self.info, self._attempt_nonce = "email", "", "", ""
        self.busy = False
        return None

    @rx.event
    @off_loop
    def submit_email(self, form: dict):
        self.email = str(form.get("email", "")).strip()[:254]
        self.notice = ""
        nonce = new_token(16)
        attempt = self._tab_attempt_id(nonce)
        if not attempt:
            self.error = (
                "Your browser didn't keep our cookie, which logging in needs. Allow "
                "cookies for this site and reload the page."
            )
            return None
        try:
            with login.login_scope() as db:
                _attempt, answer = login.start(
                    db,
                    email=self.email,
                    client_ip=self._client_ip(),
                    attempt_id=attempt,
                    remembered=self._remembered_digest(),
                )
        except ServiceError as exc:
            return self._fail(exc)
        self._attempt_nonce = nonce
        self._show(answer)

    @rx.event
    @off_loop
    def choose_channel(self, channel: str):
        try:
            with login.login_scope() as db:
                answer = login.choose_channel(
                    db,
                    attempt_id=self._attempt(),
                    channel=channel,
                    client_ip=self._client_ip(),
                    remembered=self._remembered_digest(),
                )
        except login.AttemptEnded as exc:
            return self._attempt_over(exc)
        except ServiceError as exc:
            return self._fail(exc)
        self._show(answer)

    @rx.event
    @off_loop
    def resend(self):
        try:
            with login.login_scope() as db:
                answer = login.resend(
                    db,
                    attempt_id=self._attempt(),
                    client_ip=self._client_ip(),
                    remembered=self._remembered_digest(),
                )
        except login.AttemptEnded as exc:
            return self._attempt_over(exc)
        except ServiceError as exc:
            return self._fail(exc)
        self._show(answer)

    @rx.event
    @off_loop
    def submit_code(self, form: dict):
        try:
            with login.login_scope() as db:
                verified = login.verify(
                    db,
                    attempt_id=self._attempt(),
                    code=str(form.get("code", ""))[:32],
                    client_ip=self._client_ip(),
                    browser=self._browser_digest(),
                    remembered=self._remembered_digest(),
                )
        except login.AttemptEnded as exc:
            return self._attempt_over(exc)
        except ServiceError as exc:
            return self._fail(exc)
        self.error = ""
        if verified.grant:
            return self._hand_off(verified.grant)
        self.accounts = [
            {"id": str(a.account_id), "name": a.name, "kind": a.kind_label}
            for a in verified.accounts
        ]
        self.step = "account"
        self.info = "Your email is on more than one account. Which one would you like to open?"
        return None

    @rx.event
    @off_loop
    def choose_account(self, account_id: str):
        try:
            with login.login_scope() as db:
                grant = login.grant_for_account(
                    db,
                    attempt_id=self._attempt(),
                    account_id=int(account_id),
                    browser=self._browser_digest(),
                )
        except (TypeError, ValueError):
            self.error = "Pick one of the accounts listed."
            return None
        except login.AttemptEnded as exc:
            return self._attempt_over(exc)
        except ServiceError as exc:
            return self._fail(exc)
        return self._hand_off(grant)

    @rx.event
    @off_loop
    def start_over(self):
        self.step, self.info, self.error, self.accounts = "email", "", "", []
        self._attempt_nonce = ""
        self.busy = False
