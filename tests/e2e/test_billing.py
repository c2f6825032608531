"""Billing on a phone (390x844): paying an invoice with the offline default, and opening a
payment-request link after login."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.models import Invoice, Payment
from tests.support.browser import assert_no_horizontal_scroll, screenshot
from tests.support.demo import AGENT, PAT, RIVERA, agent_named
from tests.support.payments import open_invoice


def test_customer_pays_an_invoice_by_bank_transfer(app, page):
    app.log_in(page, PAT, RIVERA)
    with app.db() as db:
        invoice = open_invoice(db, RIVERA)
    page.goto(app.url + "/billing")
    card = page.locator(f"#invoice-{invoice.id}")
    expect(card).to_be_visible()
    expect(card.locator(".invoice-status")).to_have_text("Due")
    expect(page.locator("#payment-history")).to_contain_text("Check")
    assert_no_horizontal_scroll(page)
    screenshot(page, "billing-390")

    page.locator(f"#pay-{invoice.number}").click()
    expect(page.locator("#pay-form")).to_be_visible()
    page.locator("#pay-submit").click()
    expect(page.locator("#pay-error")).to_have_text("Choose how you are paying.")
    page.locator("#pay-method-bank_transfer").click()
    expect(page.locator("#pay-method-bank_transfer")).to_have_attribute("aria-pressed", "true")
    page.locator("#pay-reference").fill("Transfer 55-120")
    assert_no_horizontal_scroll(page)
    screenshot(page, "billing-pay-form-390")
    page.locator("#pay-submit").dblclick()  # an impatient double tap pays once

    expect(page.locator("#billing-notice")).to_contain_text("payment pending")
    expect(card.locator(".invoice-status")).to_have_text("Payment pending")
    expect(card).to_contain_text("waiting for your bank transfer")
    expect(page.locator("#payment-history")).to_contain_text("Waiting for confirmation")
    screenshot(page, "billing-pending-390")
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)

    with app.db() as db:
        payments = db.exec(
            select(Payment).where(Payment.invoice_id == invoice.id, Payment.status == "pending")
        ).all()
        assert [(p.method, p.memo) for p in payments] == [("bank_transfer", "Transfer 55-120")]
        assert db.get(Invoice, invoice.id).status == "pending"


def test_payment_request_link_opens_the_invoice_after_login(app, page):
    from clientcenter.services.billing import (
        confirm_offline_payment,
        pay_invoice,
        send_payment_request,
    )
    from clientcenter.services.principal import Principal

    with app.db() as db:
        invoice = open_invoice(db, RIVERA)
        agent = agent_named(db)
        sent = send_payment_request(db, Principal.agency(agent.id), invoice.id, channel="sms")
        db.commit()
    path = sent.url.split("localhost", 1)[1].split("/", 1)[1]

    page.goto(f"{app.url}/{path}")
    expect(page.locator("#pay-link-heading")).to_have_text("Log in to pay")
    expect(page.locator("#pay-link-message")).not_to_contain_text(invoice.number)
    assert_no_horizontal_scroll(page)
    screenshot(page, "pay-link-login-390")

    app.log_in(page, PAT, RIVERA)
    page.goto(f"{app.url}/{path}")
    expect(page).to_have_url(f"{app.url}/billing?invoice={invoice.id}")
    form = page.locator(f"#invoice-{invoice.id} #pay-form")
    expect(form).to_be_visible()
    expect(form).to_contain_text("How did you pay?")
    assert_no_horizontal_scroll(page)
    screenshot(page, "pay-link-open-390")

    # once the invoice is paid, the same link says so
    with app.db() as db:
        customer = Principal.customer(invoice.account_id, _primary_id(db, invoice.account_id))
        paid = pay_invoice(db, customer, invoice.id, method="check", idempotency_key="e2e-key-1")
        confirm_offline_payment(db, Principal.agency(agent.id), paid.payment_id)
        db.commit()
    page.goto(f"{app.url}/{path}")
    expect(page.locator("#pay-link-heading")).to_have_text("Already paid")
    screenshot(page, "pay-link-paid-390")


def _primary_id(db, account_id: int) -> int:
    from clientcenter.services.accounts import primary_contact

    return primary_contact(db, account_id).id


def test_agent_in_read_only_view_records_a_check_only_after_confirming(app, page):
    """Issue 11, item 12: the read-only view's one write asks first. Before: "Record this
    payment" recorded the check on the tap. After: a dialog names the check, the amount and
    the invoice; Cancel records nothing; "Yes, record it" does."""
    from clientcenter.services.billing import pay_invoice
    from clientcenter.services.principal import Principal

    app.log_in(page, AGENT, RIVERA, agent=True)
    with app.db() as db:
        invoice = open_invoice(db, RIVERA)
    page.goto(app.url + "/billing")
    expect(page.locator("#billing-read-only-note")).to_contain_text(
        "the one thing you can record here"
    )
    page.locator(f"#pay-{invoice.number}").click()
    page.locator("#pay-method-check").click()
    page.locator("#pay-reference").fill("Check 2044")
    expect(page.locator("#pay-submit")).to_have_text("Record this payment")
    page.locator("#pay-submit").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Record this payment?")
    expect(dialog).to_contain_text(f"for invoice {invoice.number}, received by you")
    assert_no_horizontal_scroll(page)
    screenshot(page, "billing-read-only-confirm-390")
    page.locator("#confirm-cancel").click()
    expect(dialog).to_have_count(0)
    with app.db() as db:
        assert db.exec(select(Payment).where(Payment.invoice_id == invoice.id)).all() == []

    page.locator("#pay-submit").click()
    page.locator("#confirm-yes").click()
    expect(page.locator("#billing-notice")).to_contain_text(
        f"recorded for invoice {invoice.number}"
    )
    with app.db() as db:
        [payment] = db.exec(select(Payment).where(Payment.invoice_id == invoice.id)).all()
        agent = agent_named(db)
        assert (payment.method, payment.memo, payment.taken_by_agent_id) == (
            "check",
            "Check 2044",
            agent.id,
        )
        assert db.get(Invoice, invoice.id).status == "paid"

        # A transfer the customer reported: confirming it asks first too.
        nxt = open_invoice(db, RIVERA)
        customer = Principal.customer(nxt.account_id, _primary_id(db, nxt.account_id))
        reported = pay_invoice(
            db, customer, nxt.id, method="bank_transfer", idempotency_key="e2e-key-read-only"
        )
        db.commit()
    page.reload()
    page.locator(f"#confirm-{reported.payment_id}").click()
    expect(dialog).to_contain_text("Confirm it arrived?")
    page.locator("#confirm-yes").click()
    expect(page.locator("#billing-notice")).to_contain_text("Payment confirmed")
    with app.db() as db:
        assert db.get(Invoice, nxt.id).status == "paid"
