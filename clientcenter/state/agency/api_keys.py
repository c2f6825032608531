"""State of the API keys page (/agent/admin/api-keys, administrators): the keys with prefix,
scopes, creation and last use; create one (name and scopes); revoke one after a confirmation.
Every handler goes through services/api/keys.py, which refuses anyone whose role may not
manage API keys, even when the handler is called directly.

The new key's secret never enters a var (public vars are pickled into the state store): the
handler hands it to the page once, in a script that writes it into the page, and forgets it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.models.api import ApiScope
from clientcenter.services.api import keys
from clientcenter.services.errors import ServiceError
from clientcenter.state.agency.actions import PAGE_TOP
from clientcenter.state.agency.desk import AgentState
from clientcenter.state.base import off_loop
from clientcenter.state.form_errors import split

SECRET_ELEMENT = "api-key-secret"
SCOPE_OPTIONS = [[scope, keys.SCOPE_LABELS[scope]] for scope in ApiScope.ALL]


@dataclass
class KeyItem:
    id: int = 0
    name: str = ""
    prefix: str = ""
    scopes: str = ""
    created: str = ""
    last_used: str = ""
    revoked: str = ""
    active: bool = True


def _item(row: keys.KeyRow) -> KeyItem:
    return KeyItem(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=", ".join(row.scopes),
        created=f"{row.created} by {row.created_by}",
        last_used=row.last_used or "Never",
        revoked=row.revoked,
        active=row.active,
    )


def reveal_script(secret: str) -> str:
    """Writes the secret into the page once; it is never in the tab's state."""
    return (
        f"(() => {{ const el = document.getElementById({json.dumps(SECRET_ELEMENT)});"
        f" if (el) el.textContent = {json.dumps(secret)}; }})()"
    )


class ApiKeysState(AgentState):
    items: list[KeyItem] = []
    scope_options: list[list[str]] = SCOPE_OPTIONS
    refused: str = ""  # the whole page is refused (not an administrator)
    error: str = ""
    notice: str = ""
    form_errors: dict[str, str] = {}
    form_error: str = ""
    created_name: str = ""  # the key just created, whose secret the page shows once
    confirming: int = 0  # the key whose revocation awaits confirmation
    confirming_name: str = ""

    def _load(self) -> None:
        principal = self._require_agent()
        try:
            with session_scope() as db:
                rows = keys.list_keys(db, principal)
        except ServiceError as exc:
            self.refused, self.items = exc.message, []
            return
        self.refused = ""
        self.items = [_item(r) for r in rows]

    @rx.event
    @off_loop
    def open_page(self):
        self.error = self.notice = self.form_error = self.created_name = ""
        self.confirming_name, self.confirming, self.form_errors = "", 0, {}
        self._load()

    @rx.event
    @off_loop
    def create(self, form: dict):
        principal = self._require_agent()
        scopes = [scope for scope in ApiScope.ALL if form.get(f"scope_{scope}")]
        try:
            with session_scope() as db:
                made = keys.create_key(db, principal, form.get("name"), scopes)
        except ServiceError as exc:
            self.form_errors, self.form_error = split(exc)
            return None
        self.form_errors, self.form_error, self.error, self.notice = {}, "", "", ""
        self.created_name = made.name
        self._load()
        return [
            rx.call_script("document.getElementById('api-key-form').reset()"),
            rx.call_script(reveal_script(made.secret)),
            rx.scroll_to(PAGE_TOP),
        ]

    @rx.event
    @off_loop
    def dismiss_secret(self):
        self._require_agent()
        self.created_name = ""
        return rx.call_script(reveal_script(""))

    @rx.event
    @off_loop
    def ask_revoke(self, key_id: int):
        self._require_agent()
        found = [i for i in self.items if i.id == key_id and i.active]
        self.confirming = found[0].id if found else 0
        self.confirming_name = found[0].name if found else ""
        return rx.scroll_to(PAGE_TOP)

    @rx.event
    @off_loop
    def cancel_revoke(self):
        self._require_agent()
        self.confirming, self.confirming_name = 0, ""

    @rx.event
    @off_loop
    def revoke(self):
        principal = self._require_agent()
        key_id, name = self.confirming, self.confirming_name
        self.confirming, self.confirming_name = 0, ""
        try:
            with session_scope() as db:
                keys.revoke_key(db, principal, key_id)
        except ServiceError as exc:
            self.error, self.notice = exc.message, ""
            return rx.scroll_to(PAGE_TOP)
        self.error, self.notice = "", f"The key “{name}” is revoked: it stops working now."
        self._load()
        return rx.scroll_to(PAGE_TOP)
