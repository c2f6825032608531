"""What Billing and Home say the account owes (services/billing/summary.py), invoices headed by
what they are for ("Personal Auto, installment 2 of 4"), and "Paid on DATE" for paid bills.
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from clientcenter.models import Invoice, Policy
from clientcenter.models.base import utcnow
from clientcenter.services.billing import confirm_offline_payment, pay_invoice
from clientcenter.services.billing import invoices as billing_service
from clientcenter.services.billing.summary import billing_summary
from clientcenter.services.dates import date_text
from clientcenter.services.errors import NotFound
from clientcenter.services.principal import Principal
from tests.support.payments import add_invoice, billing, fresh, key, payments_of  # noqa: F401

TODAY = date_text(utcnow())  # the agency's clock, as the page says it


def _mail_a_check(session, billing, invoice=None):
    result = pay_invoice(
        session,
        billing.customer,
        (invoice or billing.invoice).id,
        method="check",
        idempotency_key=key(),
    )
    session.commit()
    return result


def test_a_mailed_check_is_pending_not_paid_up(session, billing):
    before = billing_summary(session, billing.customer)
    assert before.state == "due" and before.total_due == "$123.45" and before.pending == ()

    _mail_a_check(session, billing)

    summary = billing_summary(session, billing.customer)
    assert summary.state == "pending" and summary.open_count == 0
    assert summary.headline == "Payment on its way"
    [line] = summary.pending
    assert line.sentence == (
        f"Check of $123.45 mailed on {TODAY} — pending until the agency confirms it"
    )
    assert (line.method, line.amount, line.invoices) == ("Check", "$123.45", ("INV-100",))
    assert "paid up" not in summary.headline


def test_a_bank_transfer_is_sent_and_paid_up_only_once_confirmed(session, billing):
    pay_invoice(
        session,
        billing.customer,
        billing.invoice.id,
        method="bank_transfer",
        idempotency_key=key(),
    )
    session.commit()
    [line] = billing_summary(session, billing.customer).pending
    assert line.sentence.startswith("Bank transfer of $123.45 sent on ")

    [payment] = payments_of(session, billing.invoice.id)
    confirm_offline_payment(session, billing.agency, payment.id)
    session.commit()
    summary = billing_summary(session, billing.customer)
    assert summary.state == "paid_up" and summary.pending == ()
    assert summary.headline == "You're all paid up. Thank you!"


def test_a_bill_due_beside_a_pending_check_is_due_and_names_the_check(session, billing):
    later = add_invoice(session, billing.people.account.id, number="INV-101", amount_cents=5_000)
    _mail_a_check(session, billing)
    summary = billing_summary(session, billing.customer)
    assert summary.state == "due" and summary.total_due == "$50.00"
    assert summary.next_due == f"{later.due_date:%b %d, %Y}"
    assert [p.invoices for p in summary.pending] == [("INV-100",)]


def test_summary_is_for_the_account_in_view_only(session, billing):
    _mail_a_check(session, billing)
    # The other customer sees their own bill, never this account's check.
    other = billing_summary(session, billing.other_customer)
    assert other.state == "due" and other.pending == () and other.total_due == "$123.45"
    # A contact of another account naming this one is refused; so is the agency side.
    with pytest.raises(NotFound):
        billing_summary(
            session, Principal.customer(billing.people.account.id, billing.people.other_primary.id)
        )
    with pytest.raises(NotFound):
        billing_summary(session, billing.agency)
    # The agent's read-only view sees what the customer sees.
    assert billing_summary(session, billing.agent_view).state == "pending"


def _policy_bills(session, billing, count: int) -> list[Invoice]:
    policy = session.exec(
        select(Policy).where(Policy.account_id == billing.people.account.id)
    ).one()
    bills = []
    for n in range(count):  # created out of order: the due date decides the place
        due = date.today() + timedelta(days=30 * (count - n))
        bill = Invoice(
            account_id=billing.people.account.id,
            policy_id=policy.id,
            number=f"AUTO-{n}",
            amount_cents=10_000,
            due_date=due,
        )
        session.add(bill)
        bills.append(bill)
    session.commit()
    return sorted(bills, key=lambda b: b.due_date)


def test_invoices_are_headed_by_policy_line_and_installment(session, billing):
    bills = _policy_bills(session, billing, 4)
    views = {v.number: v for v in billing_service.open_invoices(session, billing.customer)}
    assert views[bills[1].number].heading == "Personal Auto, installment 2 of 4"
    assert views[bills[3].number].heading == "Personal Auto, installment 4 of 4"
    # A bill on no policy is headed by its description.
    assert views["INV-100"].heading == "Personal Auto installment 2 of 4"

    # A cancelled installment leaves the plan: the others count again.
    billing_service.cancel_invoice(session, billing.agency, bills[0].id, reason="Rewritten")
    session.commit()
    views = {v.number: v for v in billing_service.open_invoices(session, billing.customer)}
    assert views[bills[1].number].heading == "Personal Auto, installment 1 of 3"
    [cancelled] = [
        v
        for v in billing_service.closed_invoices(session, billing.customer)
        if v.number == bills[0].number
    ]
    assert cancelled.heading == "Personal Auto" and cancelled.when.startswith("Cancelled")


def test_a_policys_only_bill_is_headed_by_the_line(session, billing):
    [only] = _policy_bills(session, billing, 1)
    assert billing_service.get_invoice(session, billing.customer, only.id).heading == (
        "Personal Auto"
    )


def test_a_paid_invoice_shows_when_it_was_paid_not_its_due_date(session, billing):
    _mail_a_check(session, billing)
    [payment] = payments_of(session, billing.invoice.id)
    assert billing_service.get_invoice(session, billing.customer, billing.invoice.id).when == (
        f"Due {date_text(billing.invoice.due_date)}"
    )
    confirm_offline_payment(session, billing.agency, payment.id)
    session.commit()
    assert fresh(session, billing.invoice).due_date > date.today()
    [paid] = billing_service.closed_invoices(session, billing.customer)
    assert paid.when == f"Paid on {TODAY}"
    assert "Due" not in paid.when
