"""Stripe Checkout through the real `stripe` SDK, talking to a recording HTTP server on
loopback; webhooks signed with the SDK's own helper and verified by Stripe's signature check.
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
import pytest
from sqlmodel import select

from clientcenter.http import build_http_app
from clientcenter.models import ActivityLog, OutboxMessage, Payment
from clientcenter.services.billing import (
    WebhookRejected,
    abandon_checkout,
    finish_checkout,
    handle_webhook,
    pay_invoice,
    take_one_time_payment,
)
from clientcenter.services.billing import invoices as billing_service
from clientcenter.services.billing.providers.stripe import ProviderUnavailable
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.principal import Principal
from tests.support.payments import (  # noqa: F401  (fixtures)
    activity,
    billing,
    fresh,
    key,
    outbox,
    payments_of,
    stripe_api,
)
from tests.support.settings import use_settings


class _Client:
    """Calls the HTTP routes in-process (httpx over ASGI), as the server would receive them."""

    def __init__(self, app):
        self.app = app

    def post(self, path: str, **kwargs) -> httpx.Response:
        async def go():
            transport = httpx.ASGITransport(app=self.app, client=("198.51.100.7", 443))
            async with httpx.AsyncClient(transport=transport, base_url="http://portal") as c:
                return await c.post(path, **kwargs)

        return asyncio.run(go())


def TestClient(app) -> _Client:  # noqa: N802
    return _Client(app)


COMPLETED = "checkout.session.completed"


def _start(session, billing, principal=None, **kwargs):
    result = pay_invoice(
        session,
        principal or billing.customer,
        billing.invoice.id,
        method="card",
        idempotency_key=kwargs.pop("k", None) or key(),
        **kwargs,
    )
    session.commit()
    return result


def _deliver(session, stripe_api, event_type, session_id, **kw):
    body = stripe_api.event(event_type, session_id, **kw)
    outcome = handle_webhook(session, body, stripe_api.sign(body))
    session.commit()
    return outcome


def test_card_payment_goes_to_stripe_checkout_and_the_card_never_reaches_us(
    session, billing, stripe_api
):
    result = _start(session, billing)

    [create] = stripe_api.creates()
    assert create.form["mode"] == "payment"
    assert create.form["line_items[0][price_data][unit_amount]"] == "12345"
    assert create.form["line_items[0][price_data][currency]"] == "usd"
    assert create.form["client_reference_id"] == str(result.payment_id)
    assert create.form["metadata[payment_id]"] == str(result.payment_id)
    assert create.form["customer_email"] == "pat@example.com"
    assert create.form["success_url"].endswith(
        f"/billing?checkout=done&payment={result.payment_id}"
    )
    assert create.headers["idempotency-key"].startswith("cc-checkout-")
    assert create.headers["authorization"] == "Bearer sk_test_recording_0123456789"
    # nothing about a card is ever sent by us: Stripe's page collects it
    assert not any("card" in k for k in create.form if k != "payment_method_types")

    sid = _sid(stripe_api, result.payment_id)
    assert result.status == "pending"
    assert result.redirect_url == f"https://checkout.stripe.test/c/pay/{sid}"
    [payment] = payments_of(session, billing.invoice.id)
    assert (payment.provider, payment.method, payment.provider_ref) == ("stripe", "card", sid)
    invoice = fresh(session, billing.invoice)
    assert (invoice.status, invoice.paid_cents) == ("open", 0)
    assert activity(session, "customer.payments") == []  # nothing paid yet


def _sid(stripe_api, payment_id: int) -> str:
    for sid, s in stripe_api.sessions.items():
        if s["client_reference_id"] == str(payment_id):
            return sid
    raise AssertionError(f"no checkout session for payment {payment_id}")


def test_signed_webhook_settles_once_and_replays_change_nothing(session, billing, stripe_api):
    result = _start(session, billing)
    sid = _sid(stripe_api, result.payment_id)
    stripe_api.pay(sid)
    body = stripe_api.event(COMPLETED, sid, event_id="evt_once")
    assert handle_webhook(session, body, stripe_api.sign(body)) == "settled"
    session.commit()
    # Stripe retries deliveries, and sends the async event too: still one payment.
    assert handle_webhook(session, body, stripe_api.sign(body)) == "already settled"
    session.commit()
    assert (
        _deliver(session, stripe_api, "checkout.session.async_payment_succeeded", sid)
        == "already settled"
    )

    invoice = fresh(session, billing.invoice)
    assert (invoice.status, invoice.paid_cents) == ("paid", 12_345)
    [payment] = payments_of(session, invoice.id)
    assert payment.status == "succeeded" and payment.settles_invoice_id == invoice.id
    [entry] = activity(session, "customer.payments")
    assert entry.actor_contact_id == billing.people.primary.id
    assert "Card payment of $123.45" in entry.summary and "paid in full" in entry.summary
    [row] = billing_service.payment_history(session, billing.customer)
    assert row.method == "Card" and row.has_receipt


def test_returning_from_stripe_settles_without_waiting_for_the_webhook(
    session, billing, stripe_api
):
    result = _start(session, billing)
    sid = _sid(stripe_api, result.payment_id)
    pending = finish_checkout(session, billing.customer, result.payment_id)
    assert pending.status == "pending"  # not paid yet at Stripe
    stripe_api.pay(sid)
    done = finish_checkout(session, billing.customer, result.payment_id)
    session.commit()
    assert done.status == "succeeded"
    assert _deliver(session, stripe_api, COMPLETED, sid) == "already settled"
    assert len(activity(session, "customer.payments")) == 1
    assert fresh(session, billing.invoice).status == "paid"


def test_cancel_on_stripe_closes_the_checkout_and_frees_the_invoice(session, billing, stripe_api):
    first = _start(session, billing)
    sid = _sid(stripe_api, first.payment_id)
    result = abandon_checkout(session, billing.customer, first.payment_id)
    session.commit()
    assert result.status == "failed"
    assert stripe_api.sessions[sid]["status"] == "expired"
    assert [p.status for p in payments_of(session, billing.invoice.id)] == ["failed"]
    # a later "expired" webhook for it is harmless
    assert _deliver(session, stripe_api, "checkout.session.expired", sid) == "already closed"
    second = _start(session, billing)
    assert second.payment_id != first.payment_id and second.redirect_url
    assert len(stripe_api.creates()) == 2


def test_double_click_and_reopened_tab_reuse_one_checkout(session, billing, stripe_api):
    k = key()
    a = _start(session, billing, k=k)
    b = _start(session, billing, k=k)  # the same form, submitted twice
    c = _start(session, billing)  # a new tab, the same payer and amount
    assert a.payment_id == b.payment_id == c.payment_id
    assert a.redirect_url == b.redirect_url == c.redirect_url
    assert len(stripe_api.creates()) == 1
    assert len(payments_of(session, billing.invoice.id)) == 1


def test_another_payer_replaces_an_open_checkout(session, billing, stripe_api):
    a = _start(session, billing)
    b = _start(session, billing, principal=billing.co_applicant)
    assert a.payment_id != b.payment_id
    assert stripe_api.sessions[_sid(stripe_api, a.payment_id)]["status"] == "expired"
    assert [p.status for p in payments_of(session, billing.invoice.id)] == ["failed", "pending"]


def test_a_checkout_paid_in_another_tab_is_never_paid_again(session, billing, stripe_api):
    a = _start(session, billing)
    stripe_api.pay(_sid(stripe_api, a.payment_id))  # paid, webhook not here yet
    b = _start(session, billing, principal=billing.co_applicant)
    assert b.payment_id == a.payment_id and b.status == "succeeded"
    assert "already paid" in b.message
    assert len(stripe_api.creates()) == 1
    assert fresh(session, billing.invoice).status == "paid"
    with pytest.raises(InvalidInput, match="already paid"):
        _start(session, billing)
    session.rollback()


def test_partial_card_payment_replaces_a_checkout_for_another_amount(
    session, billing, stripe_api, monkeypatch
):
    use_settings(monkeypatch, PAYMENTS__ALLOW_PARTIAL="true")
    a = _start(session, billing)
    b = _start(session, billing, amount_cents=2_000)
    assert a.payment_id != b.payment_id
    assert stripe_api.sessions[_sid(stripe_api, a.payment_id)]["status"] == "expired"
    sid = _sid(stripe_api, b.payment_id)
    assert stripe_api.sessions[sid]["amount_total"] == 2_000
    stripe_api.pay(sid)
    _deliver(session, stripe_api, COMPLETED, sid)
    invoice = fresh(session, billing.invoice)
    assert (invoice.status, invoice.paid_cents) == ("open", 2_000)
    assert "balance $103.45" in activity(session, "customer.payments")[0].summary


def test_stripe_down_means_nothing_charged_nothing_recorded(session, billing, stripe_api):
    stripe_api.fail_next = 10  # the SDK retries; every try fails
    with pytest.raises(ProviderUnavailable, match="Nothing was charged"):
        pay_invoice(
            session, billing.customer, billing.invoice.id, method="card", idempotency_key=key()
        )
    session.rollback()
    assert payments_of(session, billing.invoice.id) == []
    assert fresh(session, billing.invoice).status == "open"
    # the SDK retried with one idempotency key
    keys = {r.headers.get("idempotency-key") for r in stripe_api.requests}
    assert len(stripe_api.requests) == 3 and len(keys) == 1


def test_webhook_with_an_amount_that_does_not_match_is_not_applied(
    session, billing, stripe_api, caplog
):
    result = _start(session, billing)
    sid = _sid(stripe_api, result.payment_id)
    stripe_api.pay(sid)
    with caplog.at_level(logging.ERROR, "clientcenter.payments"):
        assert _deliver(session, stripe_api, COMPLETED, sid, amount_total=1) == "mismatch"
    assert "does not match" in caplog.text
    assert fresh(session, billing.invoice).paid_cents == 0


def test_expired_and_failed_events_close_the_payment(session, billing, stripe_api):
    a = _start(session, billing)
    assert (
        _deliver(
            session,
            stripe_api,
            "checkout.session.async_payment_failed",
            _sid(stripe_api, a.payment_id),
        )
        == "closed"
    )
    b = _start(session, billing)
    assert (
        _deliver(session, stripe_api, "checkout.session.expired", _sid(stripe_api, b.payment_id))
        == "closed"
    )
    assert [p.status for p in payments_of(session, billing.invoice.id)] == ["failed", "failed"]
    assert (
        _deliver(session, stripe_api, "customer.created", _sid(stripe_api, b.payment_id))
        == "ignored"
    )


@pytest.mark.parametrize(
    "tamper", ["wrong_secret", "edited_body", "no_header", "old_timestamp", "garbage_header"]
)
def test_webhook_signature_failures_are_refused_and_logged(
    session, billing, stripe_api, caplog, tamper
):
    result = _start(session, billing)
    sid = _sid(stripe_api, result.payment_id)
    stripe_api.pay(sid)
    body = stripe_api.event(COMPLETED, sid)
    header = stripe_api.sign(body)
    if tamper == "wrong_secret":
        header = stripe_api.sign(body, secret="whsec_attacker_guess_000000000")
    elif tamper == "edited_body":
        body = body.replace(b'"amount_total": 12345', b'"amount_total": 1')
    elif tamper == "no_header":
        header = None
    elif tamper == "old_timestamp":
        header = stripe_api.sign(body, timestamp=int(time.time()) - 3600)
    else:
        header = "t=abc,v1="
    with caplog.at_level(logging.WARNING, "clientcenter.payments"):
        with pytest.raises(WebhookRejected):
            handle_webhook(session, body, header, client_ip="203.0.113.9")
    session.rollback()
    [record] = [r for r in caplog.records if "webhook refused" in r.getMessage()]
    assert record.levelno == logging.WARNING and "203.0.113.9" in record.getMessage()
    assert "cs_test" not in record.getMessage()  # the body itself is not logged
    assert fresh(session, billing.invoice).status == "open"
    assert payments_of(session, billing.invoice.id)[0].status == "pending"


def test_webhook_route_answers_400_to_a_forgery_and_200_to_stripe(
    session, billing, stripe_api, caplog
):
    result = _start(session, billing)
    sid = _sid(stripe_api, result.payment_id)
    stripe_api.pay(sid)
    body = stripe_api.event(COMPLETED, sid)
    client = TestClient(build_http_app())
    with caplog.at_level(logging.WARNING, "clientcenter.payments"):
        forged = client.post(
            "/webhooks/stripe",
            content=body,
            headers={"Stripe-Signature": stripe_api.sign(body, "whsec_nope")},
        )
    assert forged.status_code == 400 and "webhook refused" in caplog.text
    assert fresh(session, billing.invoice).status == "open"
    ok = client.post(
        "/webhooks/stripe", content=body, headers={"Stripe-Signature": stripe_api.sign(body)}
    )
    assert ok.status_code == 200 and ok.json() == {"received": True}
    assert fresh(session, billing.invoice).status == "paid"
    replay = client.post(
        "/webhooks/stripe", content=body, headers={"Stripe-Signature": stripe_api.sign(body)}
    )
    assert replay.status_code == 200
    assert len(activity(session, "customer.payments")) == 1


def test_offline_mode_accepts_no_webhooks(session, billing, caplog):
    body = b'{"id": "evt_1", "object": "event", "type": "checkout.session.completed"}'
    with caplog.at_level(logging.WARNING, "clientcenter.payments"):
        with pytest.raises(WebhookRejected):
            handle_webhook(session, body, "t=1,v1=00")
    assert "offline" in caplog.text
    response = TestClient(build_http_app()).post("/webhooks/stripe", content=body)
    assert response.status_code == 400


def test_agent_takes_a_card_payment_in_read_only_mode(session, billing, stripe_api):
    result = _start(session, billing, principal=billing.agent_view, confirmed=True)
    sid = _sid(stripe_api, result.payment_id)
    assert (
        "customer_email" not in stripe_api.sessions[sid]
        or stripe_api.sessions[sid]["customer_email"] is None
    )
    stripe_api.pay(sid)
    _deliver(session, stripe_api, COMPLETED, sid)
    [entry] = activity(session, "agent.payments")
    assert (entry.actor_agent_id, entry.read_only) == (billing.people.producer.id, True)
    assert fresh(session, billing.invoice).status == "paid"


def test_one_time_card_payment_settles_by_webhook_with_a_receipt(session, billing, stripe_api):
    result = take_one_time_payment(
        session,
        billing.agency,
        billing.people.account.id,
        amount_cents=7_500,
        memo="Policy fee",
        method="card",
        idempotency_key=key(),
        return_path="/agency/payments",
    )
    session.commit()
    assert result.status == "pending" and result.redirect_url
    sid = _sid(stripe_api, result.payment_id)
    assert stripe_api.sessions[sid]["success_url"].endswith(
        f"/agency/payments?checkout=done&payment={result.payment_id}"
    )
    stripe_api.pay(sid)
    _deliver(session, stripe_api, COMPLETED, sid)
    [entry] = activity(session, "agency.one_time_payment")
    assert "Policy fee" in entry.summary
    to = {m.to_address for m in outbox(session) if m.activity_id == entry.id}
    assert "pat@example.com" in to
    name, pdf = billing_service.receipt_pdf(session, billing.customer, result.payment_id)
    assert pdf.startswith(b"%PDF")


def test_the_agent_comes_back_from_a_one_time_card_payment(session, billing, stripe_api):
    def start():
        r = take_one_time_payment(
            session,
            billing.agency,
            billing.people.account.id,
            amount_cents=1_000,
            memo="Fee",
            method="card",
            idempotency_key=key(),
        )
        session.commit()
        return r

    paid, dropped = start(), start()
    stripe_api.pay(_sid(stripe_api, paid.payment_id))
    assert finish_checkout(session, billing.agency, paid.payment_id).status == "succeeded"
    assert abandon_checkout(session, billing.agency, dropped.payment_id).status == "failed"
    session.commit()
    assert len(activity(session, "agency.one_time_payment")) == 1
    # another agent's one-time payment is not theirs to finish
    other = Principal.agency(billing.people.other_agent.id)
    with pytest.raises(NotFound):
        finish_checkout(session, other, paid.payment_id)
    with pytest.raises(ValueError):
        take_one_time_payment(
            session,
            billing.agency,
            billing.people.account.id,
            amount_cents=1_000,
            memo="Fee",
            method="card",
            idempotency_key=key(),
            return_path="https://evil.example/x",
        )


def test_cancelling_an_invoice_closes_its_open_checkout(session, billing, stripe_api):
    a = _start(session, billing)
    sid = _sid(stripe_api, a.payment_id)
    billing_service.cancel_invoice(session, billing.agency, billing.invoice.id, reason="Rewritten")
    session.commit()
    assert stripe_api.sessions[sid]["status"] == "expired"
    assert fresh(session, billing.invoice).status == "cancelled"
    assert payments_of(session, billing.invoice.id)[0].status == "failed"


def test_an_invoice_paid_during_cancellation_stays_paid(session, billing, stripe_api):
    a = _start(session, billing)
    stripe_api.pay(_sid(stripe_api, a.payment_id))
    with pytest.raises(InvalidInput, match="is paid"):
        billing_service.cancel_invoice(
            session, billing.agency, billing.invoice.id, reason="Rewritten"
        )
    session.commit()  # the settlement found on the way stands
    assert fresh(session, billing.invoice).status == "paid"


def test_no_card_data_anywhere(session, billing, stripe_api):
    result = _start(session, billing)
    sid = _sid(stripe_api, result.payment_id)
    stripe_api.pay(sid)
    _deliver(session, stripe_api, COMPLETED, sid)
    texts = [str(a.details) + a.summary for a in session.exec(select(ActivityLog)).all()]
    texts += [m.body_text + m.body_html + m.subject for m in session.exec(select(OutboxMessage))]
    texts += [p.memo + (p.provider_ref or "") for p in session.exec(select(Payment))]
    assert texts and not any(w in t.lower() for t in texts for w in ("cvc", "4242", "exp_month"))
