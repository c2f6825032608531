"""The read-only view says what it does (issue 11, item 12): recording a payment there — cash or
a check in hand, a card taken for the customer, or a reported transfer confirmed or marked not
received — is the one write an agent makes in a customer's Client Center, and it is never a
single tap: the page asks first, and the services refuse the write unless the confirmation
came with it. SQLite and PostgreSQL."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from clientcenter.models import Invoice, Payment
from clientcenter.services.billing import confirm_offline_payment, pay_invoice
from clientcenter.services.errors import InvalidInput
from clientcenter.state.portal.billing import BillingState
from tests.support.checks import table_counts
from tests.support.demo import RIVERA
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session, customer_session
from tests.support.payments import (  # noqa: F401  (fixtures)
    activity,
    billing,
    fresh,
    key,
    open_invoice,
    payments_of,
)

# --- services -----------------------------------------------------------------------------------


def test_cash_recorded_in_read_only_mode_without_confirmation_writes_nothing(
    session, billing, caplog
):
    """Before: pay_invoice(agent in read-only mode, method="cash") paid the invoice at once.
    After: InvalidInput on field "confirm", nothing written, the attempt logged."""
    before = table_counts(session)
    for method in ("cash", "check", "bank_transfer"):
        with (
            caplog.at_level(logging.WARNING, logger="clientcenter.payments"),
            pytest.raises(InvalidInput, match="Confirm first") as refused,
        ):
            pay_invoice(
                session,
                billing.agent_view,
                billing.invoice.id,
                method=method,
                idempotency_key=key(),
            )
        assert refused.value.field == "confirm"
        assert "Nothing was recorded" in refused.value.message
        session.rollback()
    assert table_counts(session) == before
    assert fresh(session, billing.invoice).status == "open"
    assert "unconfirmed payment refused in read-only mode" in caplog.text
    # confirmed=True is the only way through; anything merely truthy is not it
    with pytest.raises(InvalidInput, match="Confirm first"):
        pay_invoice(
            session,
            billing.agent_view,
            billing.invoice.id,
            method="cash",
            idempotency_key=key(),
            confirmed="yes",
        )
    session.rollback()
    done = pay_invoice(
        session,
        billing.agent_view,
        billing.invoice.id,
        method="cash",
        idempotency_key=key(),
        confirmed=True,
    )
    session.commit()
    assert done.status == "succeeded" and fresh(session, billing.invoice).status == "paid"
    assert len(activity(session, "agent.payments")) == 1


def test_confirming_a_reported_transfer_in_read_only_mode_needs_the_confirmation(session, billing):
    """Before: confirm_offline_payment(agent in read-only mode) settled the invoice on one call.
    After: refused without confirmed=True, either way (received or not received)."""
    reported = pay_invoice(
        session, billing.customer, billing.invoice.id, method="check", idempotency_key=key()
    )  # customers never need the flag
    session.commit()
    for received in (True, False):
        with pytest.raises(InvalidInput, match="Confirm first"):
            confirm_offline_payment(
                session, billing.agent_view, reported.payment_id, received=received
            )
        session.rollback()
    assert fresh(session, billing.invoice).status == "pending"
    assert activity(session, "agent.payments") == []
    confirm_offline_payment(session, billing.agent_view, reported.payment_id, confirmed=True)
    session.commit()
    assert fresh(session, billing.invoice).status == "paid"


def test_the_agency_side_and_customers_are_not_asked(session, billing):
    """The confirmation belongs to the read-only view only."""
    reported = pay_invoice(
        session, billing.customer, billing.invoice.id, method="check", idempotency_key=key()
    )
    session.commit()
    confirm_offline_payment(session, billing.agency, reported.payment_id)
    session.commit()
    assert fresh(session, billing.invoice).status == "paid"


# --- the billing page's handlers -------------------------------------------------------------


def _agent_page(demo):
    agent = page_state(BillingState, agent_session(demo, RIVERA).cookie)
    settle(agent.load())
    assert agent.read_only
    return agent


def _unsettled(demo) -> list[Payment]:
    demo.expire_all()
    return list(demo.exec(select(Payment).where(Payment.status != "succeeded")).all())


def test_record_this_payment_asks_first_and_cancel_records_nothing(demo):
    """Before: the read-only pay form's "Record this payment" called submit_payment and the
    cash was recorded on the tap. After: review_payment opens a dialog naming the method, the
    amount and the invoice; Cancel writes nothing; only the dialog's yes records."""
    agent = _agent_page(demo)
    invoice = open_invoice(demo, RIVERA)
    settle(agent.start_pay(invoice.id))
    settle(agent.set_method("cash"))
    before = table_counts(demo)
    settle(agent.review_payment())
    assert agent.confirm_open and agent.confirm_kind == "pay"
    assert agent.confirm_title == "Record this payment?"
    assert f"cash of {agent.paying_balance} for invoice {invoice.number}" in agent.confirm_body
    assert "recorded in your name" in agent.confirm_body
    assert agent.confirm_label == "Yes, record it"
    settle(agent.cancel_confirm())
    assert not agent.confirm_open and table_counts(demo) == before
    # A browser calling the handler itself, without the dialog's flag: refused, nothing written.
    settle(agent.submit_payment())
    assert "Confirm first" in agent.form_error and table_counts(demo) == before
    settle(agent.review_payment())
    settle(agent.set_confirm_open(False))  # Escape closes it too
    assert not agent.confirm_open and table_counts(demo) == before
    settle(agent.review_payment())
    settle(agent.confirm_action())
    assert not agent.confirm_open and agent.notice_kind == "success"
    assert "Cash of" in agent.notice and invoice.number in agent.notice
    demo.expire_all()
    assert demo.get(Invoice, invoice.id).status == "paid"


def test_review_without_a_method_says_so_and_opens_nothing(demo):
    agent = _agent_page(demo)
    settle(agent.start_pay(open_invoice(demo, RIVERA).id))
    settle(agent.review_payment())
    assert agent.form_error == "Choose how you are paying." and not agent.confirm_open


def test_confirm_received_asks_first(demo):
    customer = page_state(BillingState, customer_session(demo).cookie)
    settle(customer.load())
    invoice = open_invoice(demo, RIVERA)
    settle(customer.start_pay(invoice.id))
    settle(customer.set_method("bank_transfer"))
    settle(customer.review_payment())  # a customer is not asked: straight to "payment pending"
    assert not customer.confirm_open and "payment pending" in customer.notice

    agent = _agent_page(demo)
    [row] = agent.pending
    settle(agent.confirm_received(row.payment_id))  # the old one-tap call
    assert agent.notice_kind == "error" and "Confirm first" in agent.notice
    assert [p.status for p in _unsettled(demo)] == ["pending"]
    settle(agent.ask_not_received(row.payment_id))
    assert agent.confirm_kind == "not_received" and "opens again" in agent.confirm_body
    settle(agent.cancel_confirm())
    settle(agent.ask_received(row.payment_id))
    assert agent.confirm_title == "Confirm it arrived?" and row.amount in agent.confirm_body
    settle(agent.confirm_action())
    assert agent.notice_kind == "success" and agent.pending == []
    demo.expire_all()
    assert demo.get(Invoice, invoice.id).status == "paid"
