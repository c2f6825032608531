"""Billing on a phone (390x844): paying an invoice with the offline default, and opening a
payment-request link after login."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.models import Invoice, Payment
from clientcenter.models.base import utcnow
from clientcenter.services.dates import date_text
from tests.support.browser import assert_no_horizontal_scroll, screenshot
from tests.support.demo import AGENT, PAT, RIVERA, account_named, agent_named
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


SHOTS = Path("/tmp/shots-billing")


def _shot(page, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_pay_all_by_check_shows_the_payee_and_then_the_pending_check(app, page):
    """Issue 16, items 6 and 10. Before: no Pay all; the offline screen said only "payable to
    the agency"; with the check in the mail Billing said "You're all paid up". After: Pay all
    for the server's total, the payee, address and bank details from [payments.offline], and
    "Check of $X mailed on DATE — pending until the agency confirms it"."""
    page.set_viewport_size({"width": 390, "height": 844})
    app.log_in(page, PAT, RIVERA)
    with app.db() as db:
        account = account_named(db, RIVERA)
        bills = db.exec(
            select(Invoice)
            .where(
                Invoice.account_id == account.id,
                Invoice.status == "open",
                Invoice.published == True,  # noqa: E712
            )
            .order_by(Invoice.id)
        ).all()
    assert len(bills) >= 2
    total = sum(b.amount_cents - b.paid_cents for b in bills)
    shown = f"${total / 100:,.2f}"
    page.goto(app.url + "/billing")
    expect(page.locator("#pay-all-total")).to_have_text(shown)
    expect(page.locator(".invoice-heading").first).to_contain_text(", installment ")
    assert_no_horizontal_scroll(page)
    _shot(page, "billing-pay-all-390")

    page.locator("#pay-all-start").click()
    form = page.locator("#pay-all #pay-form")
    expect(form).to_be_visible()
    expect(page.locator("#payee-name")).to_have_text("Harbor & Main Insurance")
    expect(page.locator("#payee-address")).to_contain_text("200 Harbor Street, Suite 4")
    expect(page.locator("#payee-bank")).to_have_text("Casco Bay Bank")
    expect(page.locator("#payee-routing")).to_have_text("011000015")
    expect(page.locator("#payee-account")).to_have_text("000123456789")
    page.locator("#pay-method-check").click()
    page.locator("#pay-reference").fill("Check 1042")
    assert_no_horizontal_scroll(page)
    _shot(page, "billing-pay-all-form-390")
    page.locator("#pay-submit").dblclick()  # one payment, however impatient

    expect(page.locator("#billing-notice")).to_contain_text("payment pending")
    summary = page.locator("#billing-summary")
    today = date_text(utcnow())  # on the agency's clock, as the page says it
    expect(summary.locator(".pending-payment")).to_have_text(
        f"Check of {shown} mailed on {today} — pending until the agency confirms it"
    )
    expect(summary).not_to_contain_text("paid up")
    expect(page.locator("#pay-all")).to_have_count(0)
    assert_no_horizontal_scroll(page)
    _shot(page, "billing-pay-all-pending-390")
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)

    with app.db() as db:
        payments = db.exec(
            select(Payment).where(Payment.account_id == account.id, Payment.status == "pending")
        ).all()
        assert sorted(p.invoice_id for p in payments) == [b.id for b in bills]
        assert sum(p.amount_cents for p in payments) == total
        assert {p.batch_id for p in payments} == {min(p.id for p in payments)}
        assert {db.get(Invoice, b.id).status for b in bills} == {"pending"}


def test_a_paid_invoice_shows_when_it_was_paid(app, page):
    app.log_in(page, PAT, RIVERA)
    page.goto(app.url + "/billing")
    closed = page.locator("#closed-invoices")
    expect(closed).to_contain_text("Paid on ")
    _shot(page, "billing-closed-390")
