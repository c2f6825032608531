"""Confirm received: a customer's bank transfer or check arrives, its task closes, and only an
agent whose role takes payments may say so. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clientcenter.models import Agent, Task
from clientcenter.services.agency import tasks as tasks_service
from clientcenter.services.agency.info_pane import info_pane
from clientcenter.services.billing import confirm_offline_payment, pay_invoice
from clientcenter.services.errors import NotAllowed, NotFound
from clientcenter.services.principal import Principal
from tests.support.payments import (  # noqa: F401  (fixtures)
    billing,
    fresh,
    key,
    payments_of,
)


def _open_payment_tasks(session) -> list[Task]:
    session.expire_all()
    return list(
        session.exec(
            select(Task).where(Task.status == "open", Task.action_key == "customer.payments")
        ).all()
    )


def _report_a_check(session, billing) -> int:
    paid = pay_invoice(
        session, billing.customer, billing.invoice.id, method="check", idempotency_key=key()
    )
    session.commit()
    return paid.payment_id


def test_the_task_and_the_pane_offer_confirm_received_and_confirming_closes_the_task(
    session, billing
):
    payment_id = _report_a_check(session, billing)
    [task] = _open_payment_tasks(session)
    assert task.title == "Pat Rivera made a payment"
    agency = billing.agency
    [row] = tasks_service.task_queue(session, agency).rows
    assert row.payment_id == payment_id
    pane = info_pane(session, agency, billing.people.account.id)
    [invoice] = [i for i in pane.open_invoices if i.id == billing.invoice.id]
    assert invoice.pending_payment_id == payment_id
    assert [t.payment_id for t in pane.open_tasks] == [payment_id]

    said = tasks_service.confirm_received(session, agency, payment_id)
    session.commit()

    assert "Payment confirmed" in said
    assert fresh(session, billing.invoice).status == "paid"
    assert _open_payment_tasks(session) == []
    closed = session.get(Task, task.id)
    assert closed.status == "done" and closed.completed_at is not None
    pane = info_pane(session, agency, billing.people.account.id)
    assert all(i.pending_payment_id == 0 for i in pane.open_invoices)


def test_marking_it_not_received_closes_the_task_too(session, billing):
    payment_id = _report_a_check(session, billing)
    confirm_offline_payment(session, billing.agency, payment_id, received=False)
    session.commit()
    assert _open_payment_tasks(session) == []
    assert fresh(session, billing.invoice).status == "open"


def test_confirming_one_payment_leaves_another_accounts_task_open(session, billing):
    first = _report_a_check(session, billing)
    other = pay_invoice(
        session,
        billing.other_customer,
        billing.other_invoice.id,
        method="check",
        idempotency_key=key(),
    )
    session.commit()
    tasks_service.confirm_received(session, billing.agency, first)
    session.commit()
    [left] = _open_payment_tasks(session)
    assert left.account_id == billing.people.other_account.id
    assert payments_of(session, billing.other_invoice.id)[0].id == other.payment_id


def test_an_agent_whose_role_takes_no_payments_is_refused_and_nothing_changes(session, billing):
    payment_id = _report_a_check(session, billing)
    auditor = Agent(email="audit@agency.example", first_name="Ada", last_name="Quinn")
    auditor.role = "auditor"
    session.add(auditor)
    session.commit()

    for attempt in (
        lambda: tasks_service.confirm_received(session, Principal.agency(auditor.id), payment_id),
        lambda: confirm_offline_payment(session, Principal.agency(auditor.id), payment_id),
    ):
        with pytest.raises(NotAllowed, match="take payments"):
            attempt()
        session.rollback()
    assert fresh(session, billing.invoice).status == "pending"
    assert payments_of(session, billing.invoice.id)[0].status == "pending"
    assert len(_open_payment_tasks(session)) == 1


def test_confirm_received_refuses_customers_read_only_views_and_bad_ids(session, billing):
    payment_id = _report_a_check(session, billing)
    for who in (billing.customer, billing.agent_view):
        with pytest.raises(NotAllowed):
            tasks_service.confirm_received(session, who, payment_id)
    for bad in ("abc", None, 999_999):
        with pytest.raises(NotFound):
            tasks_service.confirm_received(session, billing.agency, bad)
    session.rollback()
    assert fresh(session, billing.invoice).status == "pending"
    assert len(_open_payment_tasks(session)) == 1
