"""The agents' sign-in page: email → emailed code → authenticator app (or its enrolment,
then the recovery codes once) → the HTTP route that starts the session.

The attempt id and the grant stay in this tab's backend state (`_` vars, never sent to the
browser); the services re-check the attempt in the database at every step."""

from __future__ import annotations

import reflex as rx

from clientcenter.services import agent_login
from clientcenter.services.errors import ServiceError
from clientcenter.services.login import login_scope
from clientcenter.services.login_codes import AttemptEnded
from clientcenter.services.sessions import OK, signed_out_message
from clientcenter.state.base import PortalState, post_navigation

COMPLETE_ROUTE = "/auth/agent/complete"
STEPS = ("email", "code", "totp", "enrol", "recovery_codes")


class AgentLoginState(PortalState):
    email: str = ""
    step: str = "email"
    info: str = ""
    error: str = ""
    notice: str = ""
    busy: bool = False
    # Enrolment only: the agent's own new secret, to scan or type into the app. Cleared as
    # soon as enrolment is confirmed.
    qr_svg: str = ""
    secret_text: str = ""
    recovery_codes: list[str] = []
    _attempt_id: str = ""
    _grant: str = ""

    def _fail(self, exc: ServiceError) -> None:
        self.error = exc.message
        self.busy = False

    def _over(self, exc: ServiceError) -> None:
        self._reset()
        self.error = exc.message

    def _reset(self) -> None:
        self._attempt_id, self._grant = "", ""
        self.step, self.info, self.error = "email", "", ""
        self.qr_svg, self.secret_text, self.recovery_codes = "", "", []
        self.busy = False

    def _hand_off(self, grant: str):
        self.busy = True
        self._attempt_id, self._grant = "", ""
        self.recovery_codes = []
        return post_navigation(COMPLETE_ROUTE, {"grant": grant})

    @rx.event
    def open_page(self):
        reason = self.router.url.query_parameters.get("signed_out", "")
        self.notice = signed_out_message(reason) if reason else ""
        check = self._check_session()
        if check.status == OK and check.principal is not None and check.principal.is_agent:
            return rx.redirect("/home" if check.principal.read_only else agent_login.AGENT_HOME)
        if reason or self.step not in STEPS:
            self._reset()
        self.busy = False
        return None

    @rx.event
    def submit_email(self, form: dict):
        self.email = str(form.get("email", "")).strip()[:254]
        self.notice = ""
        try:
            with login_scope() as db:
                attempt, sent = agent_login.start(db, email=self.email,
                                                  client_ip=self._client_ip(),
                                                  remembered=self._remembered_digest())
        except ServiceError as exc:
            return self._fail(exc)
        self._attempt_id = attempt
        self.step, self.info, self.error = "code", sent.message, ""

    @rx.event
    def resend(self):
        try:
            with login_scope() as db:
                sent = agent_login.resend(db, attempt_id=self._attempt_id,
                                          client_ip=self._client_ip(),
                                          remembered=self._remembered_digest())
        except AttemptEnded as exc:
            return self._over(exc)
        except ServiceError as exc:
            return self._fail(exc)
        self.info, self.error = sent.message, ""

    @rx.event
    def submit_code(self, form: dict):
        try:
            with login_scope() as db:
                nxt = agent_login.verify_code(db, attempt_id=self._attempt_id,
                                              code=str(form.get("code", ""))[:32],
                                              client_ip=self._client_ip(),
                                              remembered=self._remembered_digest())
        except AttemptEnded as exc:
            return self._over(exc)
        except ServiceError as exc:
            return self._fail(exc)
        self.error = ""
        if nxt.step == "totp":
            self.step = "totp"
            self.info = "Open your authenticator app and type the 6-digit code it shows."
        else:
            self.step = "enrol"
            self.qr_svg, self.secret_text = nxt.enrolment.qr_svg, nxt.enrolment.secret
            self.info = ("First sign-in: set up an authenticator app. Scan the QR code with "
                         "it (or type the key), then enter the code it shows.")

    @rx.event
    def submit_totp(self, form: dict):
        try:
            with login_scope() as db:
                grant, checked = agent_login.second_factor(
                    db, attempt_id=self._attempt_id, code=str(form.get("code", ""))[:32])
        except AttemptEnded as exc:
            return self._over(exc)
        except ServiceError as exc:
            return self._fail(exc)
        return self._hand_off(grant)

    @rx.event
    def submit_enrolment(self, form: dict):
        try:
            with login_scope() as db:
                grant, codes = agent_login.confirm_enrolment(
                    db, attempt_id=self._attempt_id, code=str(form.get("code", ""))[:32])
        except AttemptEnded as exc:
            return self._over(exc)
        except ServiceError as exc:
            return self._fail(exc)
        self._grant = grant
        self.qr_svg, self.secret_text = "", ""
        self.recovery_codes = codes
        self.step, self.error = "recovery_codes", ""
        self.info = ("Your authenticator app is set up. Keep these recovery codes somewhere "
                     "safe: each one signs you in once if you lose your phone. They are shown "
                     "only now.")

    @rx.event
    def finish(self):
        """After the recovery codes were shown: start the session."""
        if not self._grant:
            self._reset()
            self.error = "This sign-in has ended. Enter your email to start again."
            return None
        return self._hand_off(self._grant)

    @rx.event
    def start_over(self):
        self._reset()
