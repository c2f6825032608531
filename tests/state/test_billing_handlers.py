"""The billing page's handlers, called the way a browser would (any of them, with any value):
each re-derives the principal from the connection's cookie and leaves the decision to the
services. Demo data, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import reflex as rx
from reflex import constants
from reflex.istate.data import RouterData
from sqlmodel import select

from clientcenter.models import Invoice, Payment
from clientcenter.services.accounts import loginable_contacts
from clientcenter.services.auth.sessions import create_session
from clientcenter.services.billing import send_payment_request
from clientcenter.services.principal import Principal
from clientcenter.state.base import SessionEnded
from clientcenter.state.portal.billing import BillingState
from clientcenter.state.portal.pay_link import PayLinkState
from tests.support.demo import ELLIS, MORGAN, PAT, RIVERA, account_named, agent_named
from tests.support.handlers import as_connected, settle


def _state(cls, cookie: str | None, path: str = "/billing"):
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    headers = (
        {"cookie": cookie, "origin": "http://localhost:3000"}
        if cookie
        else {"origin": "http://localhost:3000"}
    )
    state.router = RouterData.from_router_data(
        {
            constants.RouteVar.HEADERS: as_connected(headers),
            constants.RouteVar.CLIENT_IP: "203.0.113.9",
            constants.RouteVar.ORIGIN: path,
        }
    )
    return state


def _customer_cookie(db, email=PAT) -> str:
    contact, account = loginable_contacts(db, email)[0]
    _, token = create_session(
        db, kind="customer", email=email, contact_id=contact.id, account_id=account.id
    )
    db.commit()
    return f"cc_session={token}"


def _agent_cookie(db, account_name=RIVERA) -> str:
    agent = agent_named(db)
    account = account_named(db, account_name)
    _, token = create_session(
        db,
        kind="agent",
        email=agent.email,
        agent_id=agent.id,
        account_id=account.id,
        read_only=True,
        second_factor_at=datetime.now(UTC),
    )
    db.commit()
    return f"cc_session={token}"


def _open_invoice(db, account_name) -> Invoice:
    account = account_named(db, account_name)
    return db.exec(
        select(Invoice)
        .where(Invoice.account_id == account.id, Invoice.status == "open")
        .order_by(Invoice.id)
    ).first()


def _payments(db) -> list[Payment]:
    db.expire_all()
    return list(db.exec(select(Payment).where(Payment.status != "succeeded")).all())


def test_without_a_session_every_handler_sends_the_tab_to_login(demo):
    state = _state(BillingState, None)
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
    state = _state(BillingState, _customer_cookie(demo))
    settle(state.load())
    invoice = _open_invoice(demo, RIVERA)
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
    state = _state(BillingState, _customer_cookie(demo))
    settle(state.load())
    theirs = _open_invoice(demo, ELLIS)
    settle(state.start_pay(theirs.id))
    assert state.paying_id == 0 and state.notice_kind == "error"
    # a browser sets the vars directly (setvar is public) and submits
    state.paying_id, state.form_key, state.method = theirs.id, "forged-key-123", "check"
    settle(state.submit_payment())
    assert "no such invoice" in state.form_error
    settle(state.start_pay("1; DROP TABLE invoice"))
    assert _payments(demo) == []


def test_agent_in_read_only_mode_confirms_a_reported_transfer(demo):
    customer = _state(BillingState, _customer_cookie(demo))
    settle(customer.load())
    invoice = _open_invoice(demo, RIVERA)
    settle(customer.start_pay(invoice.id))
    settle(customer.set_method("bank_transfer"))
    settle(customer.submit_payment())

    agent = _state(BillingState, _agent_cookie(demo))
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
    nxt = _open_invoice(demo, RIVERA)
    settle(agent.start_pay(nxt.id))
    assert [m.value for m in agent.methods] == ["check", "bank_transfer", "cash"]
    settle(agent.set_method("cash"))
    settle(agent.submit_payment(True))
    demo.expire_all()
    assert demo.get(Invoice, nxt.id).status == "paid"


def test_a_customer_cannot_confirm_their_own_transfer(demo):
    state = _state(BillingState, _customer_cookie(demo))
    settle(state.load())
    invoice = _open_invoice(demo, RIVERA)
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
    invoice = _open_invoice(demo, RIVERA)
    sent = send_payment_request(demo, Principal.agency(agent.id), invoice.id, channel="email")
    demo.commit()
    path = "/pay/" + sent.url.rsplit("/pay/", 1)[1]

    anonymous = _state(PayLinkState, None, path)
    assert settle(anonymous.open_link()) is None
    assert anonymous.state == "login" and anonymous.login_href.startswith("/?next=/pay/")

    pat = _state(PayLinkState, _customer_cookie(demo), path)
    spec = settle(pat.open_link())
    assert spec is not None and f"/billing?invoice={invoice.id}" in str(spec)

    morgan = _state(PayLinkState, _customer_cookie(demo, MORGAN), path)
    assert settle(morgan.open_link()) is None and morgan.state == "other_account"

    billing = _state(BillingState, _customer_cookie(demo), f"/billing?invoice={invoice.id}")
    settle(billing.load())
    assert billing.paying_id == invoice.id
