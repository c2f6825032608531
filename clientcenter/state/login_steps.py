"""What the customer's and the agent's login states share (state/portal/login.py,
state/agency/login.py), written once: the vars of a code login, and the helpers that run one
step of the login service and show its answer or its refusal.

Nothing that could finish a login is kept here: the tab holds a random nonce, and the
attempt id is made from it and this browser's key on every step (PortalState._tab_attempt_id),
so a captured tab token continues nothing from another browser."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import reflex as rx
from sqlmodel import Session

from clientcenter.services.auth.login import login_scope
from clientcenter.services.auth.login_codes import AttemptEnded
from clientcenter.services.auth.sessions import signed_out_message
from clientcenter.services.auth.tokens import new_token
from clientcenter.services.errors import ServiceError
from clientcenter.state.base import post_navigation

T = TypeVar("T")


class CodeLoginSteps(rx.State, mixin=True):
    """Mixed into a login page's state, next to PortalState (``class X(CodeLoginSteps,
    PortalState)``): each state that mixes it in gets its own copy of these vars."""

    email: str = ""  # as typed, kept through errors
    step: str = "email"
    info: str = ""
    error: str = ""
    notice: str = ""  # why the visitor is here (?signed_out=...)
    busy: bool = False
    # Seconds until "Send a new code" is worth pressing, counted down in the tab (the login
    # service still refuses a resend inside its cooldown: this only says how long to wait).
    resend_in: int = 0
    _countdown: int = 0  # which countdown is current: a newer one stops the older
    _attempt_nonce: str = ""

    def _attempt(self) -> str:
        return self._tab_attempt_id(self._attempt_nonce)

    def _fail(self, exc: ServiceError) -> None:
        self.error = exc.message
        self.busy = False

    def _reset(self) -> None:
        """Back to the email step (the email stays typed); the attempt is forgotten."""
        self._attempt_nonce = ""
        self.step, self.info, self.error = "email", "", ""
        self.busy = False
        self.resend_in = 0

    def _wait_to_resend(self, seconds: int):
        """A code went out: the resend button waits ``seconds``; the event that counts down."""
        self.resend_in = max(0, int(seconds))
        return type(self).count_down_resend if self.resend_in else None

    @rx.event(background=True)
    async def count_down_resend(self):
        async with self:
            self._countdown += 1
            mine = self._countdown
        while True:
            await asyncio.sleep(1)
            async with self:
                if self._countdown != mine or self.resend_in <= 0:
                    return
                self.resend_in -= 1

    def _attempt_over(self, exc: ServiceError) -> None:
        """The attempt is gone: back to the email, with the reason."""
        self._reset()
        self.error = exc.message

    def _run_step(self, step: Callable[[Session], T]) -> T | None:
        """One step of the login service in its own unit of work. Its answer, or None when
        it refused: the refusal is shown on the form, and an ended attempt starts over."""
        try:
            with login_scope() as db:
                return step(db)
        except AttemptEnded as exc:
            self._attempt_over(exc)
        except ServiceError as exc:
            self._fail(exc)
        return None

    def _start_attempt(
        self, form: dict, doing: str, start: Callable[..., tuple[str, T]]
    ) -> T | None:
        """``submit_email``: a new attempt for the email typed, begun by ``start``
        (login.start or agent_login.start); its first answer, or None when refused (also when
        the browser kept no cookie: ``doing`` says what needs it)."""
        self.email = str(form.get("email", "")).strip()[:254]
        self.notice = ""
        nonce = new_token(16)
        attempt = self._tab_attempt_id(nonce)
        if not attempt:
            self.error = (
                f"Your browser didn't keep our cookie, which {doing} needs. Allow "
                "cookies for this site and reload the page."
            )
            return None
        started = self._run_step(
            lambda db: start(
                db,
                email=self.email,
                client_ip=self._client_ip(),
                attempt_id=attempt,
                remembered=self._remembered_digest(),
            )
        )
        if started is None:
            return None
        self._attempt_nonce = nonce
        return started[1]

    def _signed_out_reason(self) -> str:
        """on_load: the ``?signed_out=`` reason, shown as the notice ("" when none)."""
        reason = self.router.url.query_parameters.get("signed_out", "")
        self.notice = signed_out_message(reason) if reason else ""
        return reason

    def _settle(self, reason: str, steps: tuple[str, ...]) -> None:
        """on_load, staying on the page: a sign-out or an unknown step starts over."""
        if reason or self.step not in steps:
            self._reset()
        self.busy = False

    def _post_grant(self, route: str, grant: str, **fields: str) -> rx.event.EventSpec:
        """Post the single-use grant to the HTTP route that sets the HttpOnly cookie."""
        self.busy = True
        self._attempt_nonce = ""
        return post_navigation(route, {"grant": grant, **fields})
