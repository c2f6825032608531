"""Fixtures and builders shared by the payment tests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from clientcenter.models import ActivityLog, Invoice, OutboxMessage, Payment, Task
from clientcenter.services.principal import Principal
from tests.support.demo import account_named
from tests.support.factories import People, make_people
from tests.support.settings import use_settings
from tests.support.stripe_recorder import API_KEY, WEBHOOK_SECRET, StripeRecorder, start_recorder


@dataclass
class Billing:
    people: People
    invoice: Invoice
    other_invoice: Invoice  # on the other account

    @property
    def customer(self) -> Principal:
        return Principal.customer(self.people.account.id, self.people.primary.id)

    @property
    def co_applicant(self) -> Principal:
        return Principal.customer(self.people.account.id, self.people.co_applicant.id)

    @property
    def agent_view(self) -> Principal:
        return Principal.agent_viewing(self.people.producer.id, self.people.account.id)

    @property
    def agency(self) -> Principal:
        return Principal.agency(self.people.producer.id)

    @property
    def other_customer(self) -> Principal:
        return Principal.customer(self.people.other_account.id, self.people.other_primary.id)


def add_invoice(
    session: Session,
    account_id: int,
    *,
    number: str | None = None,
    amount_cents: int = 12_345,
    status: str = "open",
    published: bool = True,
    due_in_days: int = 14,
) -> Invoice:
    invoice = Invoice(
        account_id=account_id,
        number=number or f"INV-{secrets.token_hex(3)}",
        description="Personal Auto installment 2 of 4",
        amount_cents=amount_cents,
        due_date=date.today() + timedelta(days=due_in_days),
        status=status,
        published=published,
        paid_cents=amount_cents if status == "paid" else 0,
    )
    session.add(invoice)
    session.commit()
    return invoice


@pytest.fixture
def billing(session: Session) -> Billing:
    people = make_people(session)
    invoice = add_invoice(session, people.account.id, number="INV-100")
    other = add_invoice(session, people.other_account.id, number="INV-200")
    return Billing(people, invoice, other)


def open_invoice(session: Session, account_name: str) -> Invoice:
    """The next open invoice of a demo account."""
    account = account_named(session, account_name)
    return session.exec(
        select(Invoice)
        .where(Invoice.account_id == account.id, Invoice.status == "open")
        .order_by(Invoice.due_date, Invoice.id)
    ).first()


def key() -> str:
    """A fresh browser-side idempotency key, as the pay form makes one."""
    return secrets.token_urlsafe(16)


def payments_of(session: Session, invoice_id: int) -> list[Payment]:
    session.expire_all()
    return list(
        session.exec(
            select(Payment).where(Payment.invoice_id == invoice_id).order_by(Payment.id)
        ).all()
    )


def activity(session: Session, action_key: str) -> list[ActivityLog]:
    session.expire_all()
    return list(
        session.exec(
            select(ActivityLog)
            .where(ActivityLog.action_key == action_key)
            .order_by(ActivityLog.id)
        ).all()
    )


def outbox(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def tasks(session: Session) -> list[Task]:
    return list(session.exec(select(Task)).all())


def fresh(session: Session, obj):
    session.expire_all()
    return session.get(type(obj), obj.id)


@pytest.fixture
def stripe_api(monkeypatch: pytest.MonkeyPatch):
    """Stripe configured, its SDK pointed at a recording server on loopback."""
    recorder, server = start_recorder()
    use_settings(
        monkeypatch,
        PAYMENTS__PROVIDER="stripe",
        PAYMENTS__STRIPE_SECRET_KEY=API_KEY,
        PAYMENTS__STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        PAYMENTS__STRIPE_API_BASE=recorder.url,
    )
    yield recorder
    server.shutdown()
    server.server_close()


__all__ = [
    "Billing",
    "StripeRecorder",
    "activity",
    "add_invoice",
    "billing",
    "fresh",
    "key",
    "open_invoice",
    "outbox",
    "payments_of",
    "stripe_api",
    "tasks",
]
