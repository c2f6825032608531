"""The agents' sign-in page: email → emailed code → authenticator app (or its enrolment,
then the recovery codes once) → the HTTP route that starts the session.

Nothing that could finish a sign-in is kept in this tab's state, which Reflex pickles to its
state store: the attempt stays out of the tab (state/login_steps.py). The enrolment secret,
its QR code and the recovery codes go to the page as a script that writes them into the DOM
(``_reveal``), never as state vars; the grant is minted when it is posted."""

from __future__ import annotations

import json

import reflex as rx

from clientcenter import routes
from clientcenter.services.auth import agent_login, passkeys
from clientcenter.services.auth.login import login_scope
from clientcenter.services.auth.login_codes import AttemptEnded
from clientcenter.services.auth.sessions import SessionStatus
from clientcenter.services.errors import ServiceError
from clientcenter.state.base import PortalState, off_loop
from clientcenter.state.login_steps import CodeLoginSteps

STEPS = ("email", "code", "totp", "enrol", "recovery_codes")
# Element ids the page gives the secrets' places (pages/agency/login.py).
QR_ID, SECRET_ID, CODES_ID = "totp-qr", "totp-secret", "recovery-codes"


def _reveal(values: dict[str, object]) -> rx.event.EventSpec:
    """A script that fills the enrolment's places once the step has rendered: an image's
    src, a text, or a list of codes. The values travel in this one websocket message only."""
    return rx.call_script(
        "(() => {const v = " + json.dumps(values) + "; let n = 0; const fill = () => {"
        " const ready = Object.keys(v).every((id) => document.getElementById(id));"
        " if (!ready) { if (n++ < 100) setTimeout(fill, 30); return; }"
        " for (const [id, value] of Object.entries(v)) { const el = document.getElementById(id);"
        "  if (el.tagName === 'IMG') { el.src = value; }"
        "  else if (Array.isArray(value)) { el.replaceChildren(...value.map((c) => {"
        "   const code = document.createElement('code'); code.className = 'recovery-code';"
        "   code.textContent = c; return code; })); }"
        "  else { el.textContent = value; } } }; fill();})()"
    )


class AgentLoginState(CodeLoginSteps, PortalState):
    _return_to: str = ""  # the agency page that sent the agent here (?next=)
    # The authenticator step offers "Use my passkey instead" (the agent saved one).
    passkey_offered: bool = False

    def _hand_off(self, grant: str):
        back = {"next": self._return_to} if self._return_to else {}
        return self._post_grant(routes.AGENT_COMPLETE_LOGIN_ROUTE, grant, **back)

    @rx.event
    @off_loop
    def open_page(self):
        reason = self._signed_out_reason()
        self._return_to = (
            routes.safe_return_path(
                self.router.url.query_parameters.get("next", ""), routes.AGENT_SIDE
            )
            or ""
        )
        check = self._check_session()
        if (
            check.status == SessionStatus.OK
            and check.principal is not None
            and check.principal.is_agent
        ):
            home = (
                routes.CUSTOMER_HOME
                if check.principal.read_only
                else self._return_to or routes.AGENT_HOME
            )
            return rx.redirect(home)
        self._settle(reason, STEPS)
        if self.step == "enrol":  # a reload: the QR code is not in the state to redraw
            return type(self).show_enrolment
        return None

    @rx.event
    @off_loop
    def submit_email(self, form: dict):
        sent = self._start_attempt(form, "signing in", agent_login.start)
        if sent is None:
            return None
        self.step, self.info, self.error = "code", sent.message, ""
        return self._wait_to_resend(sent.resend_in)

    @rx.event
    @off_loop
    def resend(self):
        sent = self._run_step(
            lambda db: agent_login.resend(
                db,
                attempt_id=self._attempt(),
                client_ip=self._client_ip(),
                remembered=self._remembered_digest(),
            )
        )
        if sent is None:
            return None
        self.info, self.error = sent.message, ""
        return self._wait_to_resend(sent.resend_in)

    @rx.event
    @off_loop
    def submit_code(self, form: dict):
        nxt = self._run_step(
            lambda db: agent_login.verify_code(
                db,
                attempt_id=self._attempt(),
                code=str(form.get("code", ""))[:32],
                client_ip=self._client_ip(),
                remembered=self._remembered_digest(),
                setup_digest=self._setup_digest(),
                browser=self._browser_digest(),
            )
        )
        if nxt is None:
            return None
        self.error = ""
        if nxt.step == "totp":
            self.step = "totp"
            self.passkey_offered = nxt.passkey
            self.info = (
                "Confirm with your passkey, or type the 6-digit code your authenticator app shows."
                if nxt.passkey
                else "Open your authenticator app and type the 6-digit code it shows."
            )
            return None
        self.step = "enrol"
        self.info = (
            "Set up an authenticator app. Scan the QR code with "
            "it (or type the key), then enter the code it shows."
        )
        return _reveal({QR_ID: nxt.enrolment.qr_svg, SECRET_ID: nxt.enrolment.secret})

    @rx.event
    @off_loop
    def show_enrolment(self):
        """The QR code and key again (the page was reloaded, or the websocket reconnected)."""
        shown = self._run_step(
            lambda db: agent_login.enrolment(
                db,
                attempt_id=self._attempt(),
                setup_digest=self._setup_digest(),
                browser=self._browser_digest(),
            )
        )
        return _reveal({QR_ID: shown.qr_svg, SECRET_ID: shown.secret}) if shown else None

    @rx.event
    @off_loop
    def submit_totp(self, form: dict):
        checked = self._run_step(
            lambda db: agent_login.second_factor(
                db,
                attempt_id=self._attempt(),
                code=str(form.get("code", ""))[:32],
                browser=self._browser_digest(),
            )
        )
        if checked is None:
            return None
        grant, _checked = checked
        return self._hand_off(grant)

    @rx.event
    @off_loop
    def use_passkey(self):
        """The second factor by passkey: options bound to this attempt; the browser asks the
        device (assets/passkeys.js)."""
        options = self._run_step(
            lambda db: agent_login.passkey_options(db, attempt_id=self._attempt())
        )
        if options is None:
            return None
        self.busy = True
        return rx.call_script(
            f"window.ccPasskeys.get({json.dumps(options)})",
            callback=AgentLoginState.finish_passkey,
        )

    @rx.event
    @off_loop
    def finish_passkey(self, answer: str):
        self.busy = False
        grant = self._run_step(
            lambda db: agent_login.second_factor_with_passkey(
                db,
                attempt_id=self._attempt(),
                response=str(answer or "")[: passkeys.MAX_RESPONSE_CHARS],
                browser=self._browser_digest(),
            )
        )
        return self._hand_off(grant) if grant else None

    @rx.event
    @off_loop
    def submit_enrolment(self, form: dict):
        codes = self._run_step(
            lambda db: agent_login.confirm_enrolment(
                db,
                attempt_id=self._attempt(),
                code=str(form.get("code", ""))[:32],
                setup_digest=self._setup_digest(),
                browser=self._browser_digest(),
            )
        )
        if codes is None:
            return None
        self.step, self.error = "recovery_codes", ""
        self.info = (
            "Your authenticator app is set up. Keep these recovery codes somewhere "
            "safe: each one signs you in once if you lose your phone. They are shown "
            "only now."
        )
        return _reveal({CODES_ID: codes})

    @rx.event
    @off_loop
    def finish(self):
        """After the recovery codes were shown: start the session (the grant is minted now,
        from the attempt this browser's tab confirmed the authenticator in)."""
        try:
            with login_scope() as db:
                grant = agent_login.grant_after_enrolment(
                    db, attempt_id=self._attempt(), browser=self._browser_digest()
                )
        except ServiceError as exc:
            self._reset()
            self.error = (
                exc.message
                if not isinstance(exc, AttemptEnded)
                else ("This sign-in has ended. Enter your email to start again.")
            )
            return None
        return self._hand_off(grant)

    @rx.event
    @off_loop
    def start_over(self):
        self._reset()
