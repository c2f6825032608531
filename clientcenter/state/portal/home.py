"""Home and the policy list: thin state over services/portal/policies.py and
services/portal/attention.py (what needs the customer now, and their producer)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.services.errors import ServiceError
from clientcenter.services.portal import attention, idcards, policies
from clientcenter.state.base import PortalState, off_loop


@dataclass
class PolicyRow:
    """A policy as the browser sees it: display strings only."""

    id: int = 0
    number: str = ""
    line_label: str = ""
    carrier: str = ""
    term: str = ""
    premium: str = ""
    status: str = ""
    status_label: str = ""
    href: str = ""
    has_id_cards: bool = False


def policy_row(p: policies.PolicySummary) -> PolicyRow:
    return PolicyRow(
        id=p.id,
        number=p.number,
        line_label=p.line_label,
        carrier=p.carrier,
        term=p.term,
        premium=p.premium,
        status=p.status,
        status_label=p.status_label,
        href=routes.policy_path(p.id),
        has_id_cards=p.has_id_cards,
    )


@dataclass
class AttentionRow:
    kind: str = ""
    title: str = ""
    detail: str = ""
    href: str = ""
    action: str = ""


class HomeState(PortalState):
    loaded: bool = False
    error: str = ""
    account_name: str = ""
    greeting_name: str = ""
    read_only: bool = False
    current: list[PolicyRow] = []
    past: list[PolicyRow] = []
    open_invoice_count: int = 0
    open_invoice_total: str = ""
    next_due: str = ""
    id_card_policy_count: int = 0
    attention: list[AttentionRow] = []
    payment_pending: bool = (
        False  # a payment on its way: the billing card never says "Nothing due"
    )
    producer_name: str = ""
    producer_title: str = ""
    producer_phone: str = ""
    producer_phone_href: str = ""
    producer_email: str = ""

    @rx.event
    @off_loop
    def load(self):
        principal = self._require_account_principal()
        try:
            with session_scope() as db:
                view = policies.home_view(db, principal)
                cards = idcards.id_card_policies(db, principal)
                items = attention.attention_items(db, principal)
                producer = attention.your_producer(db, principal)
        except ServiceError as exc:
            self.error, self.loaded = exc.message, True
            return
        self.error = ""
        self.account_name = view.account_name
        self.greeting_name = view.greeting_name
        self.read_only = view.read_only
        self.current = [policy_row(p) for p in view.policies.current]
        self.past = [policy_row(p) for p in view.policies.past]
        self.open_invoice_count = view.invoices.open_count
        self.open_invoice_total = view.invoices.open_total
        due = view.invoices.next_due
        self.next_due = policies.format_date(due) if due else ""
        self.id_card_policy_count = len(cards)
        self.attention = [AttentionRow(i.kind, i.title, i.detail, i.href, i.action) for i in items]
        self.payment_pending = any(i.kind == "payment_pending" for i in items)
        self.producer_name, self.producer_title = producer.name, producer.title
        self.producer_phone, self.producer_phone_href = producer.phone, producer.phone_href
        self.producer_email = producer.email
        self.loaded = True
