"""Profile → Sign-in and security: passkeys (add, remove), remembered browsers (forget),
"Confirm it's you" (the step-up, services/auth/step_up.py) and "Log out everywhere"
(services/auth/everywhere.py); also the offer after a code login on Home. Thin: each handler calls one service; the browser half is assets/passkeys.js."""

from __future__ import annotations

import json
import re

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.models import UserSession
from clientcenter.services.auth import everywhere, passkeys, step_up
from clientcenter.services.auth import remembered as remembered_browsers
from clientcenter.services.auth.login import login_scope
from clientcenter.services.auth.login_codes import AttemptEnded
from clientcenter.services.auth.tokens import new_token
from clientcenter.services.dates import date_text
from clientcenter.services.errors import ServiceError
from clientcenter.state.base import PortalState, off_loop, post_navigation


class PasskeysState(PortalState):
    passkeys: list[dict[str, str]] = []  # id, label, added, used
    browsers: list[dict[str, str]] = []  # id, label, last_used, until, here
    offer: bool = False  # Home: "Use Face ID or your fingerprint next time"
    may_step_up_by_passkey: bool = False
    step_up_open: bool = False  # the code box of "Confirm it's you"
    confirmed: bool = False
    info: str = ""
    error: str = ""
    # The prompt at a refused risky action (step_up.SecondFactorNeeded): "Confirm it's you"
    # in a dialog over the page, then the refused button is pressed again for the customer.
    prompt_open: bool = False
    _retry: str = ""  # the id of the button to press again once confirmed ("" for none)
    _step_up_nonce: str = ""

    def _fill(self, db, principal) -> None:
        keys = passkeys.contact_passkeys(db, principal.contact_id)
        self.passkeys = [
            {
                "id": str(k.id),
                "label": k.label or "Passkey",
                "added": date_text(k.created_at),
                "used": date_text(k.last_used_at) or "not yet",
            }
            for k in keys
        ]
        record = db.get(UserSession, principal.session_id) if principal.session_id else None
        self.browsers = [
            {
                "id": str(b.id),
                "label": b.label,
                "last_used": b.last_used,
                "until": b.until,
                "here": "1" if b.this_browser else "",
            }
            for b in remembered_browsers.trusted_browsers(
                db,
                subject_kind="customer",
                email=record.email if record else "",
                current=self._remembered_digest(),
            )
        ]
        self.may_step_up_by_passkey = bool(keys) and step_up.passkey_allowed(db, principal)
        self.confirmed = step_up.has_recent_second_factor(db, principal)
        self.offer = (
            not keys and principal.is_customer and not principal.read_only and record is not None
        )

    @rx.event
    @off_loop
    def load(self):
        principal = self._require_account_principal()
        self.info = self.error = ""
        self.step_up_open = False
        if not principal.is_customer:
            self.passkeys, self.browsers, self.offer = [], [], False
            return
        with session_scope() as db:
            self._fill(db, principal)

    def _run(self, work, done: str = ""):
        principal = self._require_account_principal()
        try:
            with login_scope() as db:
                result = work(db, principal)
                self._fill(db, principal)
        except AttemptEnded:
            self.step_up_open = False
            self.error = "That code no longer works. Ask for a new one."
            return None
        except ServiceError as exc:
            self.error, self.info = exc.message, ""
            return None
        self.error, self.info = "", done
        return result

    # -- passkeys ----------------------------------------------------------------------------

    @rx.event
    @off_loop
    def add_passkey(self):
        options = self._run(lambda db, p: passkeys.registration_options(db, p))
        if options is None:
            return None
        return rx.call_script(
            f"window.ccPasskeys.create({json.dumps(options)})",
            callback=PasskeysState.finish_add,
        )

    @rx.event
    @off_loop
    def finish_add(self, answer: str):
        agent = self.router.headers.user_agent or ""
        self._run(
            lambda db, p: passkeys.finish_registration(
                db, p, str(answer or "")[: passkeys.MAX_RESPONSE_CHARS], user_agent=agent
            ),
            "Passkey saved. Next time, choose “Log in with a passkey” on the login page.",
        )

    @rx.event
    @off_loop
    def remove_passkey(self, passkey_id: str):
        try:
            chosen = int(passkey_id)
        except (TypeError, ValueError):
            self.error = "Pick one of the passkeys listed."
            return
        self._run(lambda db, p: passkeys.remove(db, p, chosen), "Passkey removed.")

    @rx.event
    @off_loop
    def forget_browser(self, browser_id: str):
        try:
            chosen = int(browser_id)
        except (TypeError, ValueError):
            self.error = "Pick one of the browsers listed."
            return

        def forget(db, principal):
            record = db.get(UserSession, principal.session_id)
            remembered_browsers.forget_browser(
                db, subject_kind="customer", email=record.email, browser_id=chosen
            )

        self._run(forget, "That browser will ask how to send your code again.")

    # -- confirm it's you (step-up) ----------------------------------------------------------

    @rx.event
    @off_loop
    def step_up_with_passkey(self):
        options = self._run(lambda db, p: step_up.passkey_options(db, p))
        if options is None:
            return None
        return rx.call_script(
            f"window.ccPasskeys.get({json.dumps(options)})",
            callback=PasskeysState.finish_step_up,
        )

    @rx.event
    @off_loop
    def finish_step_up(self, answer: str):
        done = self._run(
            lambda db, p: (
                step_up.confirm_with_passkey(
                    db, p, str(answer or "")[: passkeys.MAX_RESPONSE_CHARS]
                )
                or True
            ),
            "Thanks — confirmed. You can go ahead now.",
        )
        return self._after_confirmed() if done else None

    @rx.event
    @off_loop
    def step_up_send_code(self):
        nonce = new_token(16)
        attempt = self._tab_attempt_id(nonce)
        sent = self._run(
            lambda db, p: step_up.send_code(db, p, attempt_id=attempt, client_ip=self._client_ip())
        )
        if sent:
            self._step_up_nonce = nonce
            self.step_up_open = True
            self.info = sent

    @rx.event
    @off_loop
    def step_up_confirm_code(self, form: dict):
        attempt = self._tab_attempt_id(self._step_up_nonce)
        code = str(form.get("code", ""))[:32]
        done = self._run(
            lambda db, p: (
                step_up.confirm_with_code(
                    db, p, attempt_id=attempt, code=code, client_ip=self._client_ip()
                )
                or True
            ),
            "Thanks — confirmed. You can go ahead now.",
        )
        if done:
            self.step_up_open = False
            self._step_up_nonce = ""
            return self._after_confirmed()
        return None

    # -- the prompt at a refused action ------------------------------------------------------

    @rx.event
    @off_loop
    def ask_step_up(self, retry: str = ""):
        """A risky action was refused for want of a fresh second factor: open the prompt
        right there. ``retry``: the id of the button that was refused (pressed again once
        confirmed: the form still holds what the customer typed)."""
        principal = self._require_account_principal()
        if not principal.is_customer or principal.read_only:
            return
        with session_scope() as db:
            self._fill(db, principal)
        self._retry = retry if re.fullmatch(r"[a-z][a-z0-9-]{0,60}", retry or "") else ""
        self.info = self.error = ""
        self.step_up_open = False
        self.prompt_open = True

    @rx.event
    @off_loop
    def set_prompt_open(self, open_: bool):
        self.prompt_open = bool(open_)
        if not self.prompt_open:
            self._retry, self.step_up_open = "", False

    def _after_confirmed(self):
        """Confirmed from the prompt: close it and press the refused button again."""
        if not self.prompt_open:
            return None
        retry, self.prompt_open, self._retry = self._retry, False, ""
        if not retry:
            return None
        return rx.call_script(f"document.getElementById({json.dumps(retry)})?.click()")

    # -- log out everywhere ------------------------------------------------------------------

    @rx.event
    @off_loop
    def log_out_everywhere(self):
        """After the dialog's confirmation: every session of this login ends (this one
        too), then the logout route clears this browser's cookie and says what happened."""
        done = self._run(lambda db, p: everywhere.log_out_everywhere(db, p))
        if done is None:
            return None
        return post_navigation(routes.LOGOUT_ROUTE, {"everywhere": "1"})
