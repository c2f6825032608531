"""The login page's state: each handler runs one step of services/auth/login.py and shows the
answer (state/login_steps.py keeps the attempt out of the tab). The session itself is started
by the HTTP route the page posts its grant to, which checks the grant was made for the posting
browser."""

from __future__ import annotations

import json

import reflex as rx

from clientcenter import routes
from clientcenter.services.auth import login, passkeys
from clientcenter.services.auth.sessions import SessionStatus
from clientcenter.services.auth.tokens import new_token
from clientcenter.state.base import PortalState, off_loop
from clientcenter.state.login_steps import CodeLoginSteps

STEPS = ("email", "channel", "code", "account")


class LoginState(CodeLoginSteps, PortalState):
    channel: str = ""  # where the current code went: email | sms
    accounts: list[dict[str, str]] = []  # id, name, kind — from the verified email only
    _return_to: str = ""  # the page that sent the customer here (?next=, routes.safe_return_path)
    remember_browser: bool = False  # "Remember this browser for 30 days" on the code step

    def _reset(self) -> None:
        super()._reset()
        self.accounts = []

    def _show(self, answer: login.LoginStep | None):
        """The step the service answered with (and the resend countdown when a code went)."""
        if answer is None:  # refused: _run_step showed why
            return None
        self.step = "channel" if answer.step == "choose_channel" else "code"
        self.channel = answer.channel
        self.info = answer.message
        self.error = ""
        self.busy = False
        return self._wait_to_resend(answer.resend_in) if self.step == "code" else None

    def _hand_off(self, grant: str):
        """Post the grant, with the page to come back to when one sent the customer here."""
        back = {"next": self._return_to} if self._return_to else {}
        return self._post_grant(routes.COMPLETE_LOGIN_ROUTE, grant, **back)

    @rx.event
    @off_loop
    def open_page(self):
        """on_load: the reason for a sign-out, or straight home when already logged in."""
        reason = self._signed_out_reason()
        self._return_to = (
            routes.safe_return_path(self.router.url.query_parameters.get("next", "")) or ""
        )
        if self._check_session().status == SessionStatus.OK:
            return rx.redirect(self._return_to or routes.CUSTOMER_HOME)
        self._settle(reason, STEPS)
        return None

    @rx.event
    @off_loop
    def submit_email(self, form: dict):
        return self._show(self._start_attempt(form, "logging in", login.start))

    @rx.event
    @off_loop
    def choose_channel(self, channel: str):
        return self._show(
            self._run_step(
                lambda db: login.choose_channel(
                    db,
                    attempt_id=self._attempt(),
                    channel=channel,
                    client_ip=self._client_ip(),
                    remembered=self._remembered_digest(),
                )
            )
        )

    @rx.event
    @off_loop
    def resend(self):
        return self._show(
            self._run_step(
                lambda db: login.resend(
                    db,
                    attempt_id=self._attempt(),
                    client_ip=self._client_ip(),
                    remembered=self._remembered_digest(),
                )
            )
        )

    async def set_remember_browser(self, value: bool):
        self.remember_browser = bool(value)

    @rx.event
    @off_loop
    def submit_code(self, form: dict):
        verified = self._run_step(
            lambda db: login.verify(
                db,
                attempt_id=self._attempt(),
                code=str(form.get("code", ""))[:32],
                client_ip=self._client_ip(),
                browser=self._browser_digest(),
                remembered=self._remembered_digest(),
                trust_browser=self.remember_browser,
            )
        )
        return self._after_verified(verified)

    @rx.event
    @off_loop
    def start_passkey(self):
        """ "Log in with a passkey": options for any passkey of this site, bound to a new
        attempt of this tab; the browser asks the device (assets/passkeys.js)."""
        self._reset()
        self.notice = ""
        nonce = new_token(16)
        attempt = self._tab_attempt_id(nonce)
        if not attempt:
            self.error = (
                "Your browser didn't keep our cookie, which logging in needs. Allow "
                "cookies for this site and reload the page."
            )
            return None
        options = self._run_step(lambda db: passkeys.login_options(db, attempt_id=attempt))
        if options is None:
            return None
        self._attempt_nonce = nonce
        self.busy = True
        return rx.call_script(
            f"window.ccPasskeys.get({json.dumps(options)})", callback=LoginState.finish_passkey
        )

    @rx.event
    @off_loop
    def finish_passkey(self, answer: str):
        self.busy = False
        verified = self._run_step(
            lambda db: login.verify_passkey(
                db,
                attempt_id=self._attempt(),
                response=str(answer or "")[: passkeys.MAX_RESPONSE_CHARS],
                client_ip=self._client_ip(),
                browser=self._browser_digest(),
            )
        )
        return self._after_verified(verified)

    def _after_verified(self, verified: login.CodeVerified | None):
        if verified is None:
            return None
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
            chosen = int(account_id)
        except (TypeError, ValueError):
            self.error = "Pick one of the accounts listed."
            return None
        grant = self._run_step(
            lambda db: login.grant_for_account(
                db,
                attempt_id=self._attempt(),
                account_id=chosen,
                browser=self._browser_digest(),
                trust_browser=self.remember_browser,
            )
        )
        return self._hand_off(grant) if grant else None

    @rx.event
    @off_loop
    def start_over(self):
        self._reset()
