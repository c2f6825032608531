"""More → Your second factor: an agent's passkeys (add, remove), which then confirm sign-in
instead of the authenticator app. Thin over services/auth/agent_passkeys.py; the browser
half is assets/passkeys.js."""

from __future__ import annotations

import json

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.auth import agent_passkeys
from clientcenter.services.dates import date_text
from clientcenter.services.errors import ServiceError
from clientcenter.state.agency.desk import AgentState
from clientcenter.state.base import off_loop


class AgentPasskeysState(AgentState):
    keys: list[dict[str, str]] = []  # id, label, added, used
    info: str = ""
    error: str = ""

    def _fill(self, db, principal) -> None:
        self.keys = [
            {
                "id": str(k.id),
                "label": k.label or "Passkey",
                "added": date_text(k.created_at),
                "used": date_text(k.last_used_at) or "not yet",
            }
            for k in agent_passkeys.agent_passkeys(db, principal.agent_id)
        ]

    def _run(self, work, done: str = ""):
        principal = self._require_agent()
        try:
            with session_scope() as db:
                result = work(db, principal)
                self._fill(db, principal)
        except ServiceError as exc:
            self.error, self.info = exc.message, ""
            return None
        self.error, self.info = "", done
        return result

    @rx.event
    @off_loop
    def load(self):
        self.info = self.error = ""
        self._run(lambda db, p: None)

    @rx.event
    @off_loop
    def add(self):
        options = self._run(lambda db, p: agent_passkeys.registration_options(db, p))
        if options is None:
            return None
        return rx.call_script(
            f"window.ccPasskeys.create({json.dumps(options)})",
            callback=AgentPasskeysState.finish_add,
        )

    @rx.event
    @off_loop
    def finish_add(self, answer: str):
        agent = self.router.headers.user_agent or ""
        self._run(
            lambda db, p: agent_passkeys.finish_registration(
                db, p, str(answer or "")[:20_000], user_agent=agent
            ),
            "Passkey saved. Next sign-in, choose “Use my passkey instead” after the emailed code.",
        )

    @rx.event
    @off_loop
    def remove(self, passkey_id: str):
        self._require_agent()  # before anything else, a forged id included
        try:
            chosen = int(passkey_id)
        except (TypeError, ValueError):
            self.error = "Pick one of the passkeys listed."
            return
        self._run(lambda db, p: agent_passkeys.remove(db, p, chosen), "Passkey removed.")
