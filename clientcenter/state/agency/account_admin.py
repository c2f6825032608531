"""The account's Manage page, /agent/account/manage?id=N: its producer (or every account of
that producer) reassigned, and each contact's login switched, corrected or made primary. Every
rule and refusal is services/agency/account_admin.py's."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.agency import account_admin
from clientcenter.services.auth import passkeys
from clientcenter.services.errors import ServiceError
from clientcenter.state.agency.actions import AgentAccountActionState
from clientcenter.state.agency.desk import query_param
from clientcenter.state.base import off_loop


@dataclass
class ProducerOption:
    id: str = ""
    label: str = ""  # "Priya Shah (4 accounts)"


@dataclass
class ManagedContactRow:
    id: int = 0
    name: str = ""
    role: str = ""
    role_label: str = ""
    email: str = ""
    mobile: str = ""
    may_log_in: bool = False
    may_be_manager: bool = False
    account_manager: bool = False


class AgentManageState(AgentAccountActionState):
    producer_id: str = ""
    producer: str = ""
    producer_accounts: int = 0
    producer_listed: bool = False  # the current producer may still hold accounts
    producers: list[ProducerOption] = []
    contacts: list[ManagedContactRow] = []

    def _fill(self) -> None:
        principal = self._require_agent()
        with session_scope() as db:
            view = account_admin.manage_view(
                db, principal, query_param(self, "id") or self.account_id
            )
        self.account_id, self.account_name = str(view.account_id), view.name
        self.producer_id, self.producer = str(view.producer_id), view.producer
        self.producer_accounts = view.producer_accounts
        self.producers = [
            ProducerOption(id=str(p.id), label=f"{p.name} ({p.accounts} accounts)")
            for p in view.producers
        ]
        self.producer_listed = any(p.id == view.producer_id for p in view.producers)
        self.contacts = [
            ManagedContactRow(
                id=c.id,
                name=c.name,
                role=c.role,
                role_label=c.role_label,
                email=c.email,
                mobile=c.mobile,
                may_log_in=c.may_log_in,
                may_be_manager=c.may_be_manager,
                account_manager=c.account_manager,
            )
            for c in view.contacts
        ]

    @rx.event
    @off_loop
    def open_page(self):
        self.error, self.notice = "", ""
        try:
            self._fill()
        except ServiceError as exc:
            self.account_id, self.account_name, self.error = "", "", exc.message

    @rx.event
    @off_loop
    def reassign(self, form: dict):
        producer_id = str(form.get("producer_id", ""))
        return self._act(
            lambda db, agent: account_admin.reassign_producer(
                db, agent, self.account_id, producer_id
            ),
            self._fill,
        )

    @rx.event
    @off_loop
    def move_all(self, form: dict):
        """Every account of this account's producer (as the page showed it) to another."""
        to_id, from_id = str(form.get("to_agent_id", "")), self.producer_id
        return self._act(
            lambda db, agent: account_admin.reassign_all(db, agent, from_id, to_id),
            self._fill,
        )

    @rx.event
    @off_loop
    def switch_login(self, contact_id: int, may_log_in: bool):
        return self._act(
            lambda db, agent: account_admin.switch_login(
                db, agent, self.account_id, contact_id, bool(may_log_in)
            ),
            self._fill,
        )

    @rx.event
    @off_loop
    def mark_account_manager(self, contact_id: int, manager: bool):
        return self._act(
            lambda db, agent: account_admin.mark_account_manager(
                db, agent, self.account_id, contact_id, bool(manager)
            ),
            self._fill,
        )

    @rx.event
    @off_loop
    def correct_address(self, form: dict):
        contact_id = str(form.get("contact_id", ""))
        data = {"field": str(form.get("field", "")), "value": str(form.get("value", ""))}
        return self._act(
            lambda db, agent: account_admin.correct_address(
                db, agent, self.account_id, contact_id, data
            ),
            self._fill,
        )

    @rx.event
    @off_loop
    def clear_passkeys(self, contact_id: int):
        """A lost phone: every passkey of this contact stops at once."""
        return self._act(
            lambda db, agent: passkeys.clear_for_contact(
                db, agent, contact_id, account_id=self.account_id
            ),
            self._fill,
        )

    @rx.event
    @off_loop
    def mark_primary(self, contact_id: int):
        return self._act(
            lambda db, agent: account_admin.mark_primary(db, agent, self.account_id, contact_id),
            self._fill,
        )
