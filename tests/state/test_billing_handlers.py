"""The billing page's handlers, called the way a browser would (any of them, with any value):
each re-derives the principal from the connection's cookie and leaves the decision to the
services. Demo data, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clientcenter.models import Invoice, Payment
from clientcenter.services.billing import send_payment_request
from clientcenter.services.principal import Principal
from clientcenter.state.base import SessionEnded
from clientcenter.state.portal.billing import BillingState
from clientcenter.state.portal.pay_link import PayLinkState
from tests.support.demo import ELLIS, MORGAN, RIVERA, agent_named
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session, customer_session
from tests.support.payments import open_invoice


def _payments(db) -> list[Payment]:
    db.expire_all()
    return list(db.exec(select(Payment).where(Payment.status != "succeeded")).all())


def test_without_a_session_every_handler_sends_the_tab_to_login(demo):
    state = page_state(BillingState, None)
    for call in (
        state.load,
        state.submit_payment,
        lambda: settle(state.start_pay(1)),
        lambda: settle(state.download_receipt(1)),
        lambda: settle(state.confirm_received(1)),
    ):
        with pytest.raises(SessionEnded):
            settle(call())
    assert _payments(demo) == []


def test_customer_pays_once_even_when_the_button_is_pressed_twice(demo):
    state = page_state(BillingState, customer_session(demo).cookie)
    settle(state.load())
    invoice = open_invoice(demo, RIVERA)
    assert invoice.number in [row.number for row in state.invoices]
    settle(state.start_pay(invoice.id))
    assert state.paying_id == invoice.id and state.form_key
    assert [m.value for m in state.methods] == ["bank_transfer", "check"]
    settle(state.set_method("check"))
    settle(state.set_reference("Check 2201"))
    settle(state.submit_payment())
    settle(state.submit_payment())  # the second tap lands after the form closed
    assert state.notice_kind == "success" and "payment pending" in state.notice
    [payment] = _payments(demo)
    assert (payment.invoice_id, payment.method, payment.memo) == (
        invoice.id,
        "check",
        "Check 2201",
    )


def test_forged_ids_reach_nothing_of_another_account(demo):
    state = page_state(BillingState, customer_session(demo).cookie)
    settle(state.load())
    theirs = open_invoice(demo, ELLIS)
    settle(state.start_pay(theirs.id))
    assert state.paying_id == 0 and state.notice_kind == "error"
    # a browser sets the vars directly (setvar is public) and submits
    state.paying_id, state.form_key, state.method = theirs.id, "forged-key-123", "check"
    settle(state.submit_payment())
    assert "no such invoice" in state.form_error
    settle(state.start_pay("1; DROP TABLE invoice"))
    assert _payments(demo) == []


def test_agent_in_read_only_mode_confirms_a_reported_transfer(demo):
    customer = page_state(BillingState, customer_session(demo).cookie)
    settle(customer.load())
    invoice = open_invoice(demo, RIVERA)
    settle(customer.start_pay(invoice.id))
    settle(customer.set_method("bank_transfer"))
    settle(customer.submit_payment())

    agent = page_state(BillingState, agent_session(demo, RIVERA).cookie)
    settle(agent.load())
    assert agent.read_only
    [row] = agent.pending
    settle(
        agent.confirm_received(row.payment_id, True)
    )  # the dialog's yes (test_read_only_payments.py)
    assert agent.notice_kind == "success" and agent.pending == []
    demo.expire_all()
    assert demo.get(Invoice, invoice.id).status == "paid"
    settle(agent.confirm_received(row.payment_id, True))  # a second tap
    assert agent.notice_kind == "error" and "already confirmed" in agent.notice
    # the agent may take a payment in hand on the next invoice
    nxt = open_invoice(demo, RIVERA)
    settle(agent.start_pay(nxt.id))
    assert [m.value for m in agent.methods] == ["check", "bank_transfer", "cash"]
    settle(agent.set_method("cash"))
    settle(agent.submit_payment(True))
    demo.expire_all()
    assert demo.get(Invoice, nxt.id).status == "paid"


def test_a_customer_cannot_confirm_their_own_transfer(demo):
    state = page_state(BillingState, customer_session(demo).cookie)
    settle(state.load())
    invoice = open_invoice(demo, RIVERA)
    settle(state.start_pay(invoice.id))
    settle(state.set_method("check"))
    settle(state.submit_payment())
    [payment] = _payments(demo)
    settle(state.confirm_received(payment.id))
    assert state.notice_kind == "error"
    demo.expire_all()
    assert demo.get(Invoice, invoice.id).status == "pending"


def test_the_pay_link_opens_the_invoice_for_its_account_only(demo):
    agent = agent_named(demo)
    invoice = open_invoice(demo, RIVERA)
    sent = send_payment_request(demo, Principal.agency(agent.id), invoice.id, channel="email")
    demo.commit()
    path = "/pay/" + sent.url.rsplit("/pay/", 1)[1]

    anonymous = page_state(PayLinkState, None, path=path)
    assert settle(anonymous.open_link()) is None
    assert anonymous.state == "login" and anonymous.login_href.startswith("/?next=/pay/")

    pat = page_state(PayLinkState, customer_session(demo).cookie, path=path)
    spec = settle(pat.open_link())
    assert spec is not None and f"/billing?invoice={invoice.id}" in str(spec)

    morgan = page_state(PayLinkState, customer_session(demo, MORGAN).cookie, path=path)
    assert settle(morgan.open_link()) is None and morgan.state == "other_account"

    billing = page_state(
        BillingState, customer_session(demo).cookie, path="/billing", invoice=invoice.id
    )
    settle(billing.load())
    assert billing.paying_id == invoice.id
