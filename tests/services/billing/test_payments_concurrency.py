"""An invoice is never paid twice: concurrent submissions, double clicks, retried requests and
webhook replays, fired at once from threads against PostgreSQL, end with one payment. And the
database refuses a second pending or settling payment on its own (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from clientcenter.models import Payment
from clientcenter.services.billing import (
    confirm_offline_payment,
    finish_checkout,
    handle_webhook,
    pay_invoice,
)
from clientcenter.services.errors import ServiceError
from tests.support.payments import (  # noqa: F401  (fixtures)
    activity,
    add_invoice,
    billing,
    fresh,
    key,
    payments_of,
    stripe_api,
)
from tests.support.settings import use_settings


def _race(engine, calls) -> list:
    """Run every call at the same moment, each in its own thread and database session, each
    committing its own unit of work. Returns each call's result or the error it raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        with Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            try:
                results[i] = call(s)
                s.commit()
            except Exception as exc:  # noqa: BLE001 - the outcome under test
                s.rollback()
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _refusals(results) -> Counter:
    return Counter(type(r).__name__ for r in results if isinstance(r, Exception))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.postgres
def test_concurrent_offline_submissions_make_one_payment(engine, session, billing):
    same = key()  # one form: double clicks and retried requests
    calls = [
        lambda s: pay_invoice(
            s, billing.customer, billing.invoice.id, method="check", idempotency_key=same
        )
        for _ in range(4)
    ]
    calls += [
        lambda s, p=p: pay_invoice(
            s, p, billing.invoice.id, method="bank_transfer", idempotency_key=key()
        )
        for p in (billing.customer, billing.co_applicant) * 3
    ]
    results = _race(engine, calls)

    [payment] = payments_of(session, billing.invoice.id)
    accepted = [r for r in results if not isinstance(r, Exception)]
    assert accepted and {r.payment_id for r in accepted} == {payment.id}
    assert all(isinstance(r, ServiceError) for r in results if isinstance(r, Exception)), (
        _refusals(results)
    )
    assert len(activity(session, "customer.payments")) == 1
    assert fresh(session, billing.invoice).status == "pending"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.postgres
def test_concurrent_confirmations_settle_once(engine, session, billing):
    paid = pay_invoice(
        session, billing.customer, billing.invoice.id, method="check", idempotency_key=key()
    )
    session.commit()
    results = _race(
        engine, [lambda s: confirm_offline_payment(s, billing.agency, paid.payment_id)] * 6
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1, _refusals(results)
    invoice = fresh(session, billing.invoice)
    assert (invoice.status, invoice.paid_cents) == ("paid", invoice.amount_cents)
    assert len(activity(session, "agent.payments")) == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.postgres
def test_concurrent_partial_payments_never_pass_the_amount(engine, session, billing, monkeypatch):
    use_settings(monkeypatch, PAYMENTS__ALLOW_PARTIAL="true")
    invoice = add_invoice(session, billing.people.account.id, amount_cents=10_000)
    results = _race(
        engine,
        [
            lambda s: pay_invoice(
                s,
                billing.agent_view,
                invoice.id,
                method="cash",
                amount_cents=4_000,
                idempotency_key=key(),
                confirmed=True,
            )
            for _ in range(8)
        ],
    )
    assert sum(not isinstance(r, Exception) for r in results) == 2, _refusals(results)
    invoice = fresh(session, invoice)
    assert (invoice.status, invoice.paid_cents) == ("open", 8_000)
    assert (
        sum(p.amount_cents for p in payments_of(session, invoice.id) if p.status == "succeeded")
        == 8_000
    )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.postgres
def test_concurrent_card_starts_and_webhook_replays_end_with_one_payment(
    engine, session, billing, stripe_api
):
    starts = _race(
        engine,
        [
            lambda s, p=p: pay_invoice(
                s, p, billing.invoice.id, method="card", idempotency_key=key()
            )
            for p in [billing.customer] * 6
        ],
    )
    assert {r.payment_id for r in starts} == {starts[0].payment_id}, _refusals(starts)
    assert len(stripe_api.creates()) == 1
    payment_id = starts[0].payment_id
    [sid] = stripe_api.sessions
    stripe_api.pay(sid)

    body = stripe_api.event("checkout.session.completed", sid)
    header = stripe_api.sign(body)
    calls = [lambda s: handle_webhook(s, body, header)] * 8
    calls += [lambda s: finish_checkout(s, billing.customer, payment_id).status] * 4
    outcomes = _race(engine, calls)

    assert not [r for r in outcomes if isinstance(r, Exception)], outcomes
    # one of the twelve settled it (a webhook says "settled"; the return page cannot tell)
    assert outcomes[:8].count("settled") <= 1
    assert set(outcomes[:8]) <= {"settled", "already settled"}
    assert set(outcomes[8:]) == {"succeeded"}
    [payment] = payments_of(session, billing.invoice.id)
    assert payment.status == "succeeded" and payment.settles_invoice_id == billing.invoice.id
    invoice = fresh(session, billing.invoice)
    assert (invoice.status, invoice.paid_cents) == ("paid", invoice.amount_cents)
    assert len(activity(session, "customer.payments")) == 1


def test_the_database_refuses_a_second_pending_or_settling_payment(session, billing):
    def payment(**kw):
        return Payment(
            account_id=billing.people.account.id,
            invoice_id=billing.invoice.id,
            amount_cents=100,
            method="check",
            provider="offline",
            idempotency_key=key(),
            **kw,
        )

    session.add(payment(status="pending"))
    session.commit()
    session.add(payment(status="pending"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.add(payment(status="failed"))  # failed ones may pile up
    session.add(payment(status="succeeded", settles_invoice_id=billing.invoice.id))
    session.commit()
    session.add(payment(status="succeeded", settles_invoice_id=billing.invoice.id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
