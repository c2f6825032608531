"""Paying with the embedded default (offline): the customer records a bank transfer or check,
the invoice shows "payment pending", an agent confirms. Agents in read-only mode take
payments; one-time payments; refusals that change nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clientcenter.models import Invoice, Payment
from clientcenter.services.agency.actions import publish_policies_invoices
from clientcenter.services.billing import (
    confirm_offline_payment,
    pay_invoice,
    take_one_time_payment,
)
from clientcenter.services.billing import invoices as billing_service
from clientcenter.services.billing.summary import billing_summary
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.portal import policies
from clientcenter.services.principal import Principal
from tests.support.payments import (  # noqa: F401  (fixtures)
    activity,
    add_invoice,
    billing,
    fresh,
    key,
    outbox,
    payments_of,
    tasks,
)
from tests.support.settings import use_settings


def test_customer_records_a_bank_transfer_and_the_invoice_shows_pending(session, billing):
    result = pay_invoice(
        session,
        billing.customer,
        billing.invoice.id,
        method="bank_transfer",
        reference="Transfer 55-120",
        idempotency_key=key(),
    )
    session.commit()

    assert result.status == "pending" and result.redirect_url is None
    assert "payment pending" in result.message
    invoice = fresh(session, billing.invoice)
    assert (invoice.status, invoice.paid_cents) == ("pending", 0)
    [payment] = payments_of(session, invoice.id)
    assert (payment.amount_cents, payment.currency, payment.provider, payment.method) == (
        12_345,
        "USD",
        "offline",
        "bank_transfer",
    )
    assert payment.paid_by_contact_id == billing.people.primary.id
    assert payment.memo == "Transfer 55-120"

    [view] = billing_service.open_invoices(session, billing.customer)
    assert view.status_label == "Payment pending" and not view.can_pay
    assert "bank transfer" in view.note

    [entry] = activity(session, "customer.payments")
    assert entry.actor_contact_id == billing.people.primary.id
    assert entry.details["state"] == "pending" and entry.details["amount_cents"] == 12_345
    assert "$123.45" in entry.summary
    sent_to = {m.to_address for m in outbox(session)}
    assert {"producer@agency.example", "pat@example.com"} <= sent_to
    assert len(tasks(session)) == 1


def test_double_click_and_retry_give_one_payment(session, billing):
    k = key()
    first = pay_invoice(
        session, billing.customer, billing.invoice.id, method="check", idempotency_key=k
    )
    session.commit()
    again = pay_invoice(
        session, billing.customer, billing.invoice.id, method="check", idempotency_key=k
    )
    session.commit()
    assert again.payment_id == first.payment_id and again.status == "pending"
    assert len(payments_of(session, billing.invoice.id)) == 1
    assert len(activity(session, "customer.payments")) == 1


def test_a_second_submission_is_refused_while_one_is_pending(session, billing):
    pay_invoice(
        session, billing.customer, billing.invoice.id, method="check", idempotency_key=key()
    )
    session.commit()
    with pytest.raises(InvalidInput, match="waiting for the agency to confirm"):
        pay_invoice(
            session,
            billing.co_applicant,
            billing.invoice.id,
            method="bank_transfer",
            idempotency_key=key(),
        )
    session.rollback()
    assert len(payments_of(session, billing.invoice.id)) == 1


def test_agent_confirms_the_transfer_and_the_invoice_is_paid_once(session, billing):
    paid = pay_invoice(
        session,
        billing.customer,
        billing.invoice.id,
        method="bank_transfer",
        idempotency_key=key(),
    )
    session.commit()
    result = confirm_offline_payment(session, billing.agency, paid.payment_id)
    session.commit()

    assert result.status == "succeeded"
    invoice = fresh(session, billing.invoice)
    assert (invoice.status, invoice.paid_cents) == ("paid", 12_345)
    [payment] = payments_of(session, invoice.id)
    assert payment.status == "succeeded" and payment.settles_invoice_id == invoice.id
    assert payment.settled_at is not None

    [entry] = activity(session, "agent.payments")
    assert entry.actor_agent_id == billing.people.producer.id and entry.actor_kind == "agent"
    assert "paid in full" in entry.summary
    customer_mail = [
        m for m in outbox(session) if m.activity_id == entry.id and m.recipient_kind == "customer"
    ]
    assert [m.to_address for m in customer_mail] == ["pat@example.com"]

    with pytest.raises(InvalidInput, match="already confirmed"):
        confirm_offline_payment(session, billing.agency, paid.payment_id)
    session.rollback()
    assert fresh(session, billing.invoice).paid_cents == 12_345
    assert billing_service.open_invoices(session, billing.customer) == []
    [history] = billing_service.payment_history(session, billing.customer)
    assert history.has_receipt and history.status_label == "Paid"


def test_agent_marks_a_transfer_not_received_and_the_invoice_opens_again(session, billing):
    paid = pay_invoice(
        session, billing.customer, billing.invoice.id, method="check", idempotency_key=key()
    )
    session.commit()
    confirm_offline_payment(
        session, billing.agent_view, paid.payment_id, received=False, confirmed=True
    )
    session.commit()
    invoice = fresh(session, billing.invoice)
    assert (invoice.status, invoice.paid_cents) == ("open", 0)
    assert payments_of(session, invoice.id)[0].status == "failed"
    assert "has not arrived" in activity(session, "agent.payments")[0].summary
    # and the customer can pay again
    again = pay_invoice(
        session,
        billing.customer,
        billing.invoice.id,
        method="bank_transfer",
        idempotency_key=key(),
    )
    assert again.status == "pending"


def test_only_agents_confirm_and_only_their_accounts_in_read_only_mode(session, billing):
    paid = pay_invoice(
        session, billing.customer, billing.invoice.id, method="check", idempotency_key=key()
    )
    session.commit()
    with pytest.raises(NotAllowed):
        confirm_offline_payment(session, billing.customer, paid.payment_id)
    elsewhere = Principal.agent_viewing(
        billing.people.producer.id, billing.people.other_account.id
    )
    with pytest.raises(NotFound):
        confirm_offline_payment(session, elsewhere, paid.payment_id)
    session.rollback()
    assert fresh(session, billing.invoice).status == "pending"


def test_partial_payments_are_refused_unless_configured(session, billing):
    with pytest.raises(InvalidInput, match="full balance of \\$123.45") as exc:
        pay_invoice(
            session,
            billing.customer,
            billing.invoice.id,
            method="check",
            amount_cents=5_000,
            idempotency_key=key(),
        )
    assert exc.value.field == "amount"
    session.rollback()
    assert payments_of(session, billing.invoice.id) == []


def test_partial_payments_add_up_exactly_and_never_past_the_amount(session, billing, monkeypatch):
    use_settings(monkeypatch, PAYMENTS__ALLOW_PARTIAL="true")
    first = pay_invoice(
        session,
        billing.customer,
        billing.invoice.id,
        method="check",
        amount_cents=5_000,
        idempotency_key=key(),
    )
    session.commit()
    confirm_offline_payment(session, billing.agency, first.payment_id)
    session.commit()
    invoice = fresh(session, billing.invoice)
    assert (invoice.status, invoice.paid_cents) == ("open", 5_000)
    [view] = billing_service.open_invoices(session, billing.customer)
    assert (view.status_label, view.balance, view.paid) == ("Partly paid", "$73.45", "$50.00")
    assert policies.open_invoices(session, billing.customer).open_total == "$73.45"  # home

    with pytest.raises(InvalidInput, match="more than the balance of \\$73.45"):
        pay_invoice(
            session,
            billing.customer,
            billing.invoice.id,
            method="check",
            amount_cents=7_346,
            idempotency_key=key(),
        )
    session.rollback()
    with pytest.raises(InvalidInput, match="at least \\$1.00"):
        pay_invoice(
            session,
            billing.customer,
            billing.invoice.id,
            method="check",
            amount_cents=99,
            idempotency_key=key(),
        )
    session.rollback()

    rest = pay_invoice(
        session,
        billing.agent_view,
        billing.invoice.id,
        method="cash",
        idempotency_key=key(),
        confirmed=True,
    )  # no amount: the balance
    session.commit()
    assert rest.status == "succeeded"
    invoice = fresh(session, billing.invoice)
    assert (invoice.status, invoice.paid_cents) == ("paid", 12_345)
    settling = [p for p in payments_of(session, invoice.id) if p.settles_invoice_id]
    assert [p.amount_cents for p in settling] == [7_345]


def test_agent_in_read_only_mode_takes_a_payment_as_the_actor(session, billing):
    result = pay_invoice(
        session,
        billing.agent_view,
        billing.invoice.id,
        method="check",
        reference="Check 1042",
        idempotency_key=key(),
        confirmed=True,
    )
    session.commit()
    assert result.status == "succeeded"
    [payment] = payments_of(session, billing.invoice.id)
    assert payment.taken_by_agent_id == billing.people.producer.id
    assert payment.paid_by_contact_id is None
    [entry] = activity(session, "agent.payments")
    assert (entry.actor_kind, entry.actor_agent_id, entry.read_only) == (
        "agent",
        billing.people.producer.id,
        True,
    )
    assert activity(session, "customer.payments") == []
    assert fresh(session, billing.invoice).status == "paid"


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"amount_cents": 0}, "amount", "more than zero"),
        ({"amount_cents": -500}, "amount", "more than zero"),
        ({"amount_cents": 10_000_000_01}, "amount", "cannot be more than"),
        ({"method": "card"}, "method", "bank transfer or check"),
        ({"method": "bitcoin"}, "method", "bank transfer or check"),
        ({"reference": "4242 4242 4242 4242"}, "reference", "looks like a card number"),
        ({"reference": "x" * 61}, "reference", "at most 60"),
        ({"idempotency_key": "short"}, "idempotency_key", "Reload the page"),
        ({"idempotency_key": "<script>alert(1)</script>"}, "idempotency_key", "Reload"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_changes_nothing(
    session, billing, kwargs, field, message
):
    args = {"method": "check", "idempotency_key": key(), **kwargs}
    with pytest.raises(InvalidInput, match=message) as exc:
        pay_invoice(session, billing.customer, billing.invoice.id, **args)
    assert exc.value.field == field
    session.rollback()
    assert payments_of(session, billing.invoice.id) == []
    assert fresh(session, billing.invoice).status == "open"
    assert activity(session, "customer.payments") == []


def test_card_numbers_never_reach_the_database(session, billing):
    for attempt in ("4111-1111-1111-1111", "card 5555555555554444 exp 12/29"):
        with pytest.raises(InvalidInput):
            pay_invoice(
                session,
                billing.customer,
                billing.invoice.id,
                method="check",
                reference=attempt,
                idempotency_key=key(),
            )
        session.rollback()
        with pytest.raises(InvalidInput):
            take_one_time_payment(
                session,
                billing.agency,
                billing.people.account.id,
                amount_cents=1000,
                memo=attempt,
                method="cash",
                idempotency_key=key(),
            )
        session.rollback()
    assert session.exec(select(Payment)).all() == []


def test_who_may_pay_what(session, billing, monkeypatch):
    # another account's invoice looks absent, to a customer and to an agent viewing this one
    for principal in (billing.customer, billing.agent_view):
        with pytest.raises(NotFound):
            pay_invoice(
                session, principal, billing.other_invoice.id, method="check", idempotency_key=key()
            )
        session.rollback()
    # the agency side pays nothing through the customer's invoices
    with pytest.raises(NotAllowed):
        pay_invoice(
            session, billing.agency, billing.invoice.id, method="check", idempotency_key=key()
        )
    session.rollback()
    # an unpublished invoice is not in the portal
    hidden = add_invoice(session, billing.people.account.id, published=False)
    with pytest.raises(NotFound):
        pay_invoice(session, billing.customer, hidden.id, method="check", idempotency_key=key())
    session.rollback()
    # paid and cancelled invoices say so
    paid = add_invoice(session, billing.people.account.id, status="paid")
    cancelled = add_invoice(session, billing.people.account.id, status="cancelled")
    with pytest.raises(InvalidInput, match="already paid"):
        pay_invoice(session, billing.customer, paid.id, method="check", idempotency_key=key())
    session.rollback()
    with pytest.raises(InvalidInput, match="was cancelled"):
        pay_invoice(session, billing.customer, cancelled.id, method="check", idempotency_key=key())
    session.rollback()
    # payments switched off
    use_settings(monkeypatch, FEATURES__PAYMENTS="false")
    with pytest.raises(NotAllowed, match="turned off"):
        pay_invoice(
            session, billing.customer, billing.invoice.id, method="check", idempotency_key=key()
        )
    session.rollback()
    assert session.exec(select(Payment)).all() == []


def test_one_time_payment_with_a_memo_and_a_receipt(session, billing):
    result = take_one_time_payment(
        session,
        billing.agency,
        billing.people.account.id,
        amount_cents=2_500,
        memo="Endorsement fee: add 2024 Subaru",
        method="check",
        reference="Check 311",
        idempotency_key=key(),
    )
    session.commit()
    assert result.status == "succeeded"
    payment = session.get(Payment, result.payment_id)
    assert payment.invoice_id is None and payment.taken_by_agent_id == billing.people.producer.id
    assert payment.memo == "Endorsement fee: add 2024 Subaru · Ref Check 311"

    [entry] = activity(session, "agency.one_time_payment")
    assert entry.account_id == billing.people.account.id and entry.actor_agent_id
    assert "$25.00" in entry.summary
    to = {(m.recipient_kind, m.to_address) for m in outbox(session) if m.activity_id == entry.id}
    assert to == {("agent", "producer@agency.example"), ("customer", "pat@example.com")}
    assert len(tasks(session)) == 1

    [row] = billing_service.payment_history(session, billing.customer)
    assert row.reference.startswith("Endorsement fee") and row.has_receipt
    name, pdf = billing_service.receipt_pdf(session, billing.customer, result.payment_id)
    assert name == f"receipt-R-{result.payment_id:06d}.pdf" and pdf.startswith(b"%PDF")


def test_one_time_payment_refusals(session, billing):
    account_id = billing.people.account.id
    for principal in (billing.customer, billing.agent_view):
        with pytest.raises(NotAllowed):
            take_one_time_payment(
                session,
                principal,
                account_id,
                amount_cents=100,
                memo="Fee",
                method="cash",
                idempotency_key=key(),
            )
    with pytest.raises(InvalidInput, match="memo"):
        take_one_time_payment(
            session,
            billing.agency,
            account_id,
            amount_cents=100,
            memo="   ",
            method="cash",
            idempotency_key=key(),
        )
    with pytest.raises(InvalidInput, match="more than zero"):
        take_one_time_payment(
            session,
            billing.agency,
            account_id,
            amount_cents=0,
            memo="Fee",
            method="cash",
            idempotency_key=key(),
        )
    with pytest.raises(InvalidInput, match="Choose how"):
        take_one_time_payment(
            session,
            billing.agency,
            account_id,
            amount_cents=100,
            memo="Fee",
            method="card",
            idempotency_key=key(),
        )  # offline
    with pytest.raises(NotFound):
        take_one_time_payment(
            session,
            billing.agency,
            999_999,
            amount_cents=100,
            memo="Fee",
            method="cash",
            idempotency_key=key(),
        )
    session.rollback()
    assert session.exec(select(Payment)).all() == []
    # the same form submitted twice records one payment
    k = key()
    a = take_one_time_payment(
        session,
        billing.agency,
        account_id,
        amount_cents=100,
        memo="Fee",
        method="cash",
        idempotency_key=k,
    )
    session.commit()
    b = take_one_time_payment(
        session,
        billing.agency,
        account_id,
        amount_cents=100,
        memo="Fee",
        method="cash",
        idempotency_key=k,
    )
    session.commit()
    assert a.payment_id == b.payment_id
    assert len(activity(session, "agency.one_time_payment")) == 1


def test_receipts_only_for_settled_payments_of_ones_own_account(session, billing):
    pending = pay_invoice(
        session, billing.customer, billing.invoice.id, method="check", idempotency_key=key()
    )
    session.commit()
    with pytest.raises(NotFound):
        billing_service.receipt_pdf(session, billing.customer, pending.payment_id)
    confirm_offline_payment(session, billing.agency, pending.payment_id)
    session.commit()
    name, pdf = billing_service.receipt_pdf(session, billing.customer, pending.payment_id)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    # the agent viewing the account, and the agency side, may download it too
    billing_service.receipt_pdf(session, billing.agent_view, pending.payment_id)
    billing_service.receipt_pdf(session, billing.agency, pending.payment_id)
    with pytest.raises(NotFound):
        billing_service.receipt_pdf(session, billing.other_customer, pending.payment_id)
    with pytest.raises(NotFound):
        billing_service.receipt_pdf(session, billing.customer, 987_654)


def test_billing_lists_only_this_accounts_published_invoices(session, billing):
    add_invoice(session, billing.people.account.id, number="INV-HIDDEN", published=False)
    add_invoice(session, billing.people.account.id, number="INV-LATE", due_in_days=-3)
    add_invoice(
        session, billing.people.account.id, number="INV-OLD", status="paid", due_in_days=-40
    )
    views = billing_service.open_invoices(session, billing.customer)
    assert [v.number for v in views] == ["INV-LATE", "INV-100"]
    assert views[0].overdue and views[0].status_label == "Overdue" and views[0].can_pay
    assert views[1].amount == "$123.45" and views[1].status_label == "Due"
    assert [v.number for v in billing_service.closed_invoices(session, billing.customer)] == [
        "INV-OLD"
    ]
    summary = billing_summary(session, billing.customer)
    assert summary.state == "due" and summary.open_count == 2
    assert summary.total_due == "$246.90" and summary.overdue is True
    with pytest.raises(NotFound):
        billing_service.get_invoice(session, billing.customer, billing.other_invoice.id)
    with pytest.raises(NotFound):
        billing_service.open_invoices(session, Principal.agency(billing.people.producer.id))


def test_publishing_and_cancelling_invoices(session, billing):
    agency = billing.agency
    account_id = billing.people.account.id
    invoice = billing_service.create_invoice(
        session,
        agency,
        account_id,
        number="INV-NEW",
        amount_cents=45_600,
        due_date=billing.invoice.due_date,
        description="Homeowners renewal deposit",
    )
    session.commit()
    assert "INV-NEW" not in [
        v.number for v in billing_service.open_invoices(session, billing.customer)
    ]
    publish_policies_invoices(session, agency, account_id, invoice_ids=[invoice.id])
    session.commit()
    assert "INV-NEW" in [
        v.number for v in billing_service.open_invoices(session, billing.customer)
    ]
    [entry] = activity(session, "agency.publish_policies_invoices")
    assert [m.to_address for m in outbox(session) if m.activity_id == entry.id] == [
        "pat@example.com"
    ]
    with pytest.raises(InvalidInput, match="already used"):
        billing_service.create_invoice(
            session,
            agency,
            account_id,
            number="INV-NEW",
            amount_cents=1,
            due_date=invoice.due_date,
        )
    with pytest.raises(InvalidInput, match="not on this account"):
        billing_service.create_invoice(
            session,
            agency,
            account_id,
            number="INV-X",
            amount_cents=1,
            due_date=invoice.due_date,
            policy_id=987_654,
        )
    with pytest.raises(NotAllowed):
        billing_service.create_invoice(
            session,
            billing.agent_view,
            account_id,
            number="INV-Y",
            amount_cents=1,
            due_date=invoice.due_date,
        )
    session.rollback()

    billing_service.cancel_invoice(session, agency, invoice.id, reason="Issued in error")
    session.commit()
    assert fresh(session, invoice).status == "cancelled"
    with pytest.raises(InvalidInput, match="was cancelled"):
        pay_invoice(session, billing.customer, invoice.id, method="check", idempotency_key=key())
    session.rollback()
    # a pending transfer blocks cancelling until it is confirmed or refused
    pay_invoice(
        session, billing.customer, billing.invoice.id, method="check", idempotency_key=key()
    )
    session.commit()
    with pytest.raises(InvalidInput, match="waiting for confirmation"):
        billing_service.cancel_invoice(session, agency, billing.invoice.id, reason="Oops")
    session.rollback()
    assert session.get(Invoice, billing.invoice.id).status == "pending"


def test_pending_confirmations_for_the_agency(session, billing):
    paid = pay_invoice(
        session,
        billing.customer,
        billing.invoice.id,
        method="check",
        reference="Check 77",
        idempotency_key=key(),
    )
    session.commit()
    [row] = billing_service.pending_confirmations(session, billing.agency)
    assert (row["payment_id"], row["invoice"], row["amount"], row["reference"]) == (
        paid.payment_id,
        "INV-100",
        "$123.45",
        "Check 77",
    )
    assert (
        billing_service.pending_confirmations(
            session,
            Principal.agent_viewing(billing.people.producer.id, billing.people.other_account.id),
        )
        == []
    )
    with pytest.raises(NotAllowed):
        billing_service.pending_confirmations(session, billing.customer)
