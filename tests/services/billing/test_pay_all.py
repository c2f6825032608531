"""Pay all (services/billing/pay_all.py): every open bill of the account in one payment, offline
and through Stripe (the real SDK against the recording server on loopback). The amount is the
server's; a bill already paid or pending is never charged again; refusals change nothing.
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clientcenter.models import Invoice, Payment
from clientcenter.services.billing import (
    abandon_checkout,
    confirm_offline_payment,
    finish_checkout,
    handle_webhook,
    pay_invoice,
)
from clientcenter.services.billing import invoices as billing_service
from clientcenter.services.billing.pay_all import pay_all, pay_all_quote
from clientcenter.services.billing.summary import billing_summary
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.principal import Principal
from tests.support.payments import (  # noqa: F401  (fixtures)
    activity,
    add_invoice,
    billing,
    fresh,
    key,
    payments_of,
    stripe_api,
    tasks,
)


@pytest.fixture
def bills(session, billing):
    """INV-100 ($123.45, due), INV-101 ($50.00, due), INV-102 (paid), INV-103 (a check is
    already on its way), and INV-200 on the other account."""
    account = billing.people.account.id
    second = add_invoice(session, account, number="INV-101", amount_cents=5_000, due_in_days=30)
    add_invoice(session, account, number="INV-102", amount_cents=7_000, status="paid")
    pending = add_invoice(session, account, number="INV-103", amount_cents=9_000)
    pay_invoice(session, billing.customer, pending.id, method="check", idempotency_key=key())
    session.commit()
    return billing.invoice, second, pending


def _all_payments(session) -> list[Payment]:
    session.expire_all()
    return list(session.exec(select(Payment).order_by(Payment.id)).all())


def _statuses(session, *invoices) -> list[str]:
    return [fresh(session, i).status for i in invoices]


def test_quote_counts_only_the_bills_to_pay_now(session, billing, bills):
    quote = pay_all_quote(session, billing.customer)
    assert (quote.count, quote.total_cents, quote.total) == (2, 17_345, "$173.45")
    assert quote.invoices == ("INV-100", "INV-101")
    with pytest.raises(NotFound):
        pay_all_quote(session, billing.agency)


def test_customer_mails_one_check_for_every_open_bill(session, billing, bills):
    first, second, pending = bills
    before = len(_all_payments(session))
    result = pay_all(
        session,
        billing.customer,
        method="check",
        reference="Check 1042",
        expected_total_cents=17_345,
        idempotency_key=key(),
    )
    session.commit()

    assert result.status == "pending" and "INV-100 and INV-101" in result.message
    assert "$173.45" in result.message
    new = _all_payments(session)[before:]
    assert [(p.invoice_id, p.amount_cents, p.status) for p in new] == [
        (first.id, 12_345, "pending"),
        (second.id, 5_000, "pending"),
    ]
    assert {p.batch_id for p in new} == {new[0].id} and {p.memo for p in new} == {"Check 1042"}
    # the check already on its way is not paid twice; the paid bill is left alone
    assert len(payments_of(session, pending.id)) == 1
    assert _statuses(session, first, second, pending) == ["pending", "pending", "pending"]
    [entry] = [e for e in activity(session, "customer.payments") if "pay all" in e.summary]
    assert entry.details["amount_cents"] == 17_345
    assert entry.details["invoices"] == ["INV-100", "INV-101"]

    summary = billing_summary(session, billing.customer)
    assert summary.state == "pending"
    assert [(p.amount, p.invoices) for p in summary.pending] == [
        ("$90.00", ("INV-103",)),
        ("$173.45", ("INV-100", "INV-101")),
    ]
    # the agent sees the check as one payment to confirm
    rows = billing_service.pending_confirmations(session, billing.agency)
    assert [(r["invoice"], r["amount"]) for r in rows] == [
        ("INV-103", "$90.00"),
        ("INV-100, INV-101", "$173.45"),
    ]


def test_confirming_the_check_pays_every_bill_in_it(session, billing, bills):
    first, second, pending = bills
    result = pay_all(session, billing.customer, method="check", idempotency_key=key())
    session.commit()
    entries_before = len(activity(session, "agent.payments"))
    # confirming any payment of the batch confirms the check: all of it
    member = _all_payments(session)[-1]
    done = confirm_offline_payment(session, billing.agency, member.id)
    session.commit()
    assert done.status == "succeeded" and "INV-100, INV-101" in done.message
    assert _statuses(session, first, second, pending) == ["paid", "paid", "pending"]
    assert (
        fresh(session, first).paid_cents == 12_345 and fresh(session, second).paid_cents == 5_000
    )
    assert len(activity(session, "agent.payments")) == entries_before + 1
    with pytest.raises(InvalidInput, match="already confirmed"):
        confirm_offline_payment(session, billing.agency, result.payment_id)
    session.rollback()
    closed = {v.number: v.when for v in billing_service.closed_invoices(session, billing.customer)}
    assert closed["INV-100"].startswith("Paid on ")


def test_a_check_that_never_arrives_reopens_every_bill(session, billing, bills):
    first, second, _ = bills
    result = pay_all(session, billing.customer, method="check", idempotency_key=key())
    session.commit()
    done = confirm_offline_payment(session, billing.agency, result.payment_id, received=False)
    session.commit()
    assert done.status == "failed"
    assert _statuses(session, first, second) == ["open", "open"]
    assert pay_all_quote(session, billing.customer).total_cents == 17_345


def test_double_click_pays_once(session, billing, bills):
    k = key()
    a = pay_all(session, billing.customer, method="check", idempotency_key=k)
    session.commit()
    b = pay_all(session, billing.customer, method="check", idempotency_key=k)
    session.commit()
    assert a.payment_id == b.payment_id and b.status == "pending"
    assert len([p for p in _all_payments(session) if p.batch_id]) == 2


def test_a_second_pay_all_finds_nothing_to_pay(session, billing, bills):
    pay_all(session, billing.customer, method="check", idempotency_key=key())
    session.commit()
    count = len(_all_payments(session))
    with pytest.raises(InvalidInput, match="nothing to pay"):
        pay_all(session, billing.customer, method="check", idempotency_key=key())
    session.rollback()
    assert len(_all_payments(session)) == count


def test_a_total_that_changed_since_the_page_loaded_is_refused(session, billing, bills):
    first, second, _ = bills
    count = len(_all_payments(session))
    with pytest.raises(InvalidInput, match=r"the total is now \$173\.45") as refused:
        pay_all(
            session,
            billing.customer,
            method="check",
            expected_total_cents=12_345,  # the page was loaded before INV-101 arrived
            idempotency_key=key(),
        )
    assert refused.value.field == "amount"
    session.rollback()
    assert len(_all_payments(session)) == count
    assert _statuses(session, first, second) == ["open", "open"]


def test_refusals_change_nothing(session, billing, bills):
    first, second, _ = bills
    count = len(_all_payments(session))
    attempts = [
        # the agency side has no customer's bills in view
        (billing.agency, {"method": "check"}, NotAllowed),
        # a contact of another account naming this one
        (
            Principal.customer(billing.people.account.id, billing.people.other_primary.id),
            {"method": "check"},
            NotFound,
        ),
        # a card with the offline provider, a made-up method, an expired form
        (billing.customer, {"method": "card"}, InvalidInput),
        (billing.customer, {"method": "gold"}, InvalidInput),
        (billing.customer, {"method": "check", "idempotency_key": "x"}, InvalidInput),
        # the read-only view without its confirmation step
        (billing.agent_view, {"method": "check"}, InvalidInput),
    ]
    for principal, kwargs, error in attempts:
        with pytest.raises(error):
            pay_all(session, principal, **{"idempotency_key": key(), **kwargs})
        session.rollback()
    assert len(_all_payments(session)) == count
    assert _statuses(session, first, second) == ["open", "open"]
    # the other account's bill is never touched by this account's Pay all
    pay_all(session, billing.customer, method="check", idempotency_key=key())
    session.commit()
    assert fresh(session, billing.other_invoice).status == "open"
    assert payments_of(session, billing.other_invoice.id) == []


def test_agent_in_read_only_view_records_money_in_hand_once_confirmed(session, billing, bills):
    first, second, pending = bills
    result = pay_all(
        session, billing.agent_view, method="check", confirmed=True, idempotency_key=key()
    )
    session.commit()
    assert result.status == "succeeded"
    assert _statuses(session, first, second, pending) == ["paid", "paid", "pending"]
    [entry] = [e for e in activity(session, "agent.payments") if "pay all" in e.summary]
    assert entry.actor_agent_id == billing.people.producer.id


# --------------------------------------------------------------------------- Stripe

COMPLETED = "checkout.session.completed"


def _sid(stripe_api, payment_id: int) -> str:
    for sid, s in stripe_api.sessions.items():
        if s["client_reference_id"] == str(payment_id):
            return sid
    raise AssertionError(f"no checkout session for payment {payment_id}")


def _two_open(session, billing) -> tuple[Invoice, Invoice]:
    second = add_invoice(session, billing.people.account.id, number="INV-101", amount_cents=5_000)
    return billing.invoice, second


def _card_all(session, billing, **kwargs):
    result = pay_all(
        session, billing.customer, method="card", idempotency_key=kwargs.pop("k", None) or key()
    )
    session.commit()
    return result


def test_one_card_checkout_for_the_total_settles_every_bill(session, billing, stripe_api):
    first, second = _two_open(session, billing)
    result = _card_all(session, billing)

    [create] = stripe_api.creates()
    assert create.form["line_items[0][price_data][unit_amount]"] == "17345"
    assert create.form["metadata[invoices]"] == "INV-100,INV-101"
    sid = _sid(stripe_api, result.payment_id)
    assert result.redirect_url == f"https://checkout.stripe.test/c/pay/{sid}"
    assert _statuses(session, first, second) == ["open", "open"]

    stripe_api.pay(sid)
    body = stripe_api.event(COMPLETED, sid)
    assert handle_webhook(session, body, stripe_api.sign(body)) == "settled"
    session.commit()
    assert handle_webhook(session, body, stripe_api.sign(body)) == "already settled"
    session.commit()
    assert _statuses(session, first, second) == ["paid", "paid"]
    assert [fresh(session, i).paid_cents for i in (first, second)] == [12_345, 5_000]
    [entry] = activity(session, "customer.payments")
    assert "Card payment of $173.45" in entry.summary and "INV-100, INV-101" in entry.summary
    assert len(tasks(session)) == 1
    assert finish_checkout(session, billing.customer, result.payment_id).status == "succeeded"


def test_coming_back_from_stripe_settles_the_batch(session, billing, stripe_api):
    first, second = _two_open(session, billing)
    result = _card_all(session, billing)
    stripe_api.pay(_sid(stripe_api, result.payment_id))
    done = finish_checkout(session, billing.customer, result.payment_id)
    session.commit()
    assert done.status == "succeeded"
    assert _statuses(session, first, second) == ["paid", "paid"]


def test_cancel_on_stripe_frees_every_bill(session, billing, stripe_api):
    first, second = _two_open(session, billing)
    result = _card_all(session, billing)
    sid = _sid(stripe_api, result.payment_id)
    abandon_checkout(session, billing.customer, result.payment_id)
    session.commit()
    assert stripe_api.sessions[sid]["status"] == "expired"
    assert {p.status for p in _all_payments(session)} == {"failed"}
    assert pay_all_quote(session, billing.customer).total_cents == 17_345


def test_paying_one_bill_closes_an_open_pay_all_checkout_first(session, billing, stripe_api):
    first, second = _two_open(session, billing)
    batch = _card_all(session, billing)
    sid = _sid(stripe_api, batch.payment_id)
    single = pay_invoice(
        session, billing.customer, second.id, method="card", idempotency_key=key()
    )
    session.commit()
    # the whole batch is closed at Stripe: its total can never be paid next to this one
    assert stripe_api.sessions[sid]["status"] == "expired"
    batch_rows = [p for p in _all_payments(session) if p.batch_id == batch.payment_id]
    assert {p.status for p in batch_rows} == {"failed"}
    assert single.redirect_url and single.payment_id != batch.payment_id


def test_a_pay_all_paid_in_another_tab_is_never_paid_again(session, billing, stripe_api):
    first, second = _two_open(session, billing)
    batch = _card_all(session, billing)
    stripe_api.pay(_sid(stripe_api, batch.payment_id))  # paid, webhook not here yet
    again = pay_all(session, billing.co_applicant, method="card", idempotency_key=key())
    session.commit()
    assert again.status == "succeeded" and "already paid" in again.message
    assert _statuses(session, first, second) == ["paid", "paid"]
    assert len(stripe_api.creates()) == 1
    with pytest.raises(InvalidInput, match="already paid"):
        pay_invoice(session, billing.customer, first.id, method="card", idempotency_key=key())
    session.rollback()


def test_a_webhook_for_another_amount_settles_nothing(session, billing, stripe_api):
    first, second = _two_open(session, billing)
    batch = _card_all(session, billing)
    sid = _sid(stripe_api, batch.payment_id)
    stripe_api.pay(sid)
    body = stripe_api.event(COMPLETED, sid, amount_total=12_345)  # only the first bill's
    assert handle_webhook(session, body, stripe_api.sign(body)) == "mismatch"
    session.commit()
    assert _statuses(session, first, second) == ["open", "open"]
    assert activity(session, "customer.payments") == []
