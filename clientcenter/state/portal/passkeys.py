"""Profile → Sign-in and security: passkeys (add, remove), remembered browsers (forget) and
"Confirm it's you" (the step-up, services/auth/step_up.py); also the offer after a code login
on Home. Thin: each handler calls one service; the browser half is assets/passkeys.js."""

from __future__ import annotations

import json

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.models import UserSession
from clientcenter.services.auth import passkeys, step_up
from clientcenter.services.auth import remembered as remembered_browsers
from clientcenter.services.auth.login import login_scope
from clientcenter.services.auth.login_codes import AttemptEnded
from clientcenter.services.auth.tokens import new_token
from clientcenter.services.errors import ServiceError
from clientcenter.state.base import PortalState, off_loop


class PasskeysState(PortalState):
    passkeys: list[dict[str, str]] = []  # id, label, added, used
    browsers: list[dict[str, str]] = []  # id, label, last_used, until, here
    offer: bool = False  # Home: "Use Face ID or your fingerprint next time"
    may_step_up_by_passkey: bool = False
    step_up_open: bool = False  # the code box of "Confirm it's you"
    confirmed: bool = False
    info: str = ""
    error: str = ""
    _step_up_nonce: str = ""

    def _fill(self, db, principal) -> None:
        keys = passkeys.contact_passkeys(db, principal.contact_id)
        self.passkeys = [
            {
                "id": str(k.id),
                "label": k.label or "Passkey",
                "added": f"{k.created_at:%b %-d, %Y}",
                "used": f"{k.last_used_at:%b %-d, %Y}" if k.last_used_at else "not yet",
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
        self._run(
            lambda db, p: step_up.confirm_with_passkey(
                db, p, str(answer or "")[: passkeys.MAX_RESPONSE_CHARS]
            ),
            "Thanks — confirmed. You can go ahead now.",
        )

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
