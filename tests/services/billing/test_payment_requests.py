"""Payment requests by email and by text: the link's token is stored hashed, the link opens
the invoice only after login, expires, and says so when the invoice is paid or cancelled.
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from clientcenter.models import Contact, PaymentRequest
from clientcenter.models.base import utcnow
from clientcenter.services.billing import (
    confirm_offline_payment,
    open_payment_request,
    pay_invoice,
    send_payment_request,
)
from clientcenter.services.billing import invoices as billing_service
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.principal import Principal
from tests.support.payments import (  # noqa: F401  (fixtures)
    activity,
    add_invoice,
    billing,
    fresh,
    key,
    outbox,
)


def _token(sent) -> str:
    return sent.url.rsplit("/pay/", 1)[1]


def test_request_by_email_reaches_the_primary_with_a_link_stored_only_as_a_hash(session, billing):
    sent = send_payment_request(session, billing.agency, billing.invoice.id, channel="email")
    session.commit()
    token = _token(sent)
    assert sent.url == f"http://localhost:3000/pay/{token}" and len(token) >= 43

    request = session.get(PaymentRequest, sent.request_id)
    assert request.token_hash != token and token not in request.token_hash
    assert request.status == "sent" and request.created_by_agent_id == billing.people.producer.id
    days = (request.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)).days
    assert 13 <= days <= 14

    [entry] = activity(session, "agency.payment_request_email")
    assert entry.actor_agent_id == billing.people.producer.id and entry.channel == "email"
    assert token not in str(entry.details) and token not in entry.summary
    assert "INV-100" in entry.summary and "$123.45" in entry.summary
    [to_customer] = [
        m for m in outbox(session) if m.activity_id == entry.id and m.recipient_kind == "customer"
    ]
    assert (to_customer.channel, to_customer.to_address) == ("email", "pat@example.com")
    assert sent.url in to_customer.body_text and "Pay invoice INV-100" in to_customer.body_html


def test_request_by_text_goes_by_sms(session, billing):
    sent = send_payment_request(session, billing.agency, billing.invoice.id, channel="sms")
    session.commit()
    [entry] = activity(session, "agency.payment_request_text")
    [to_customer] = [
        m for m in outbox(session) if m.activity_id == entry.id and m.recipient_kind == "customer"
    ]
    assert (to_customer.channel, to_customer.to_address) == ("sms", "+12075550101")
    assert to_customer.body_text.endswith(sent.url)  # the link survives the SMS length cap


def test_request_refusals_change_nothing(session, billing):
    with pytest.raises(NotAllowed):
        send_payment_request(session, billing.agent_view, billing.invoice.id, channel="email")
    with pytest.raises(NotAllowed):
        send_payment_request(session, billing.customer, billing.invoice.id, channel="email")
    with pytest.raises(InvalidInput, match="by email or by text"):
        send_payment_request(session, billing.agency, billing.invoice.id, channel="fax")
    with pytest.raises(NotFound):
        send_payment_request(session, billing.agency, 987_654, channel="email")
    hidden = add_invoice(session, billing.people.account.id, published=False)
    with pytest.raises(InvalidInput, match="Publish invoice"):
        send_payment_request(session, billing.agency, hidden.id, channel="email")
    paid = add_invoice(session, billing.people.account.id, status="paid")
    with pytest.raises(InvalidInput, match="already paid"):
        send_payment_request(session, billing.agency, paid.id, channel="sms")
    session.execute(
        update(Contact).where(Contact.id == billing.people.primary.id).values(mobile=None)
    )
    with pytest.raises(InvalidInput, match="no mobile number on file"):
        send_payment_request(session, billing.agency, billing.invoice.id, channel="sms")
    session.rollback()
    assert session.exec(select(PaymentRequest)).all() == []
    assert activity(session, "agency.payment_request_text") == []


def test_the_link_opens_the_invoice_only_after_login(session, billing):
    sent = send_payment_request(session, billing.agency, billing.invoice.id, channel="email")
    session.commit()
    token = _token(sent)

    before = open_payment_request(session, None, token)
    assert before.state == "login" and before.invoice_id is None
    assert "INV-100" not in before.message

    after = open_payment_request(session, billing.co_applicant, token)
    session.commit()
    assert (after.state, after.invoice_id) == ("open", billing.invoice.id)
    assert fresh(session, session.get(PaymentRequest, sent.request_id)).status == "opened"

    elsewhere = open_payment_request(session, billing.other_customer, token)
    assert elsewhere.state == "other_account" and elsewhere.invoice_id is None

    # the agent viewing the account sees it too, without marking it opened by the customer
    assert open_payment_request(session, billing.agent_view, token).state == "open"


@pytest.mark.parametrize(
    "token", ["", "short", "x" * 43, "../../etc/passwd" + "a" * 30, "A" * 101]
)
def test_unknown_or_malformed_links_are_invalid(session, billing, token):
    send_payment_request(session, billing.agency, billing.invoice.id, channel="email")
    session.commit()
    landing = open_payment_request(session, billing.customer, token)
    assert landing.state == "invalid" and landing.invoice_id is None


def test_an_expired_link_says_so(session, billing):
    sent = send_payment_request(session, billing.agency, billing.invoice.id, channel="email")
    session.execute(
        update(PaymentRequest)
        .where(PaymentRequest.id == sent.request_id)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    session.commit()
    for principal in (None, billing.customer):
        landing = open_payment_request(session, principal, _token(sent))
        assert landing.state == "expired" and "expired" in landing.message
        assert landing.invoice_id is None


def test_a_paid_invoices_link_says_so(session, billing):
    sent = send_payment_request(session, billing.agency, billing.invoice.id, channel="email")
    session.commit()
    paid = pay_invoice(
        session, billing.customer, billing.invoice.id, method="check", idempotency_key=key()
    )
    confirm_offline_payment(session, billing.agency, paid.payment_id)
    session.commit()
    assert session.get(PaymentRequest, sent.request_id).status == "paid"
    assert open_payment_request(session, None, _token(sent)).state == "paid"
    landing = open_payment_request(session, billing.customer, _token(sent))
    assert landing.state == "paid" and "already paid" in landing.message


def test_a_cancelled_invoices_link_says_so(session, billing):
    sent = send_payment_request(session, billing.agency, billing.invoice.id, channel="sms")
    session.commit()
    billing_service.cancel_invoice(
        session, billing.agency, billing.invoice.id, reason="Policy rewritten"
    )
    session.commit()
    assert session.get(PaymentRequest, sent.request_id).status == "cancelled"
    landing = open_payment_request(session, billing.customer, _token(sent))
    assert landing.state == "cancelled" and "cancelled" in landing.message


def test_each_request_has_its_own_link(session, billing):
    a = send_payment_request(session, billing.agency, billing.invoice.id, channel="email")
    b = send_payment_request(session, billing.agency, billing.invoice.id, channel="sms")
    session.commit()
    assert a.url != b.url
    other_agent = Principal.agency(billing.people.other_agent.id)
    c = send_payment_request(session, other_agent, billing.invoice.id, channel="email")
    session.commit()
    [entry] = [
        e
        for e in activity(session, "agency.payment_request_email")
        if e.actor_agent_id == billing.people.other_agent.id
    ]
    agent_mail = [
        m.to_address
        for m in outbox(session)
        if m.activity_id == entry.id and m.recipient_kind == "agent"
    ]
    assert agent_mail == ["helper@agency.example"]  # the acting agent, per the matrix
    assert open_payment_request(session, billing.customer, _token(c)).state == "open"
