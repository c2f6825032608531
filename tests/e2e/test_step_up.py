"""The step-up prompt at the refused action, in Chromium with its virtual authenticator (CDP),
on an app whose agency asks a second factor before paying (``security.step_up_actions``):
Pat presses Pay, the payment is refused and "Confirm it's you" opens over the form; Cancel
pays nothing; confirming with the passkey presses Pay again and the payment goes through,
once. Then, past the window, a fresh emailed code does the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.demo.serve import serve_app
from clientcenter.models import Invoice, Payment, UserSession
from tests.e2e.conftest import E2E_SECRET, RunningApp
from tests.support.browser import code_for
from tests.support.demo import PAT, RIVERA
from tests.support.payments import open_invoice

SHOTS = Path("/tmp/shots-step-up")
# Its own app, built in this checkout: run apart from the shared one (Makefile: test-scaleout).
pytestmark = pytest.mark.own_app


@pytest.fixture(scope="module")
def strict_app(tmp_path_factory) -> Iterator[RunningApp]:
    """This file's own app: the agency asks a second factor before a payment."""
    env = {"CC_SECRET_KEY": E2E_SECRET, "CC_SECURITY__STEP_UP_ACTIONS": '["pay"]'}
    with serve_app(tmp_path_factory.mktemp("strict-app"), extra_env=env) as served:
        app = RunningApp(served.url, served.env, served.database_url)
        app.reset_data()
        yield app


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _authenticator(context, page) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def _fill_bank_transfer(page, invoice, reference: str) -> None:
    page.locator(f"#pay-{invoice.number}").click()
    expect(page.locator("#pay-form")).to_be_visible()
    page.locator("#pay-method-bank_transfer").click()
    page.locator("#pay-reference").fill(reference)


def _payments(app, invoice) -> list[str]:
    with app.db() as db:
        rows = db.exec(select(Payment).where(Payment.invoice_id == invoice.id)).all()
        return [p.memo for p in rows]


def test_a_refused_payment_asks_to_confirm_right_there_then_goes_through(
    strict_app, page, context
):
    app = strict_app
    expect.set_options(timeout=20_000)
    _authenticator(context, page)
    app.log_in(page, PAT, RIVERA)
    with app.db() as db:
        invoice = open_invoice(db, RIVERA)

    # A passkey saved in Profile (saving one asks no step-up).
    page.goto(app.url + "/profile")
    page.locator("#passkey-add").click()
    expect(page.locator(".passkey-row")).to_have_count(1)

    # Pay: refused, and the prompt opens over the form. Cancel pays nothing.
    page.goto(app.url + "/billing")
    _fill_bank_transfer(page, invoice, "Transfer 77-1")
    page.locator("#pay-submit").click()
    prompt = page.locator("#step-up-prompt")
    expect(prompt).to_be_visible()
    expect(prompt.locator("#prompt-passkey")).to_be_visible()
    expect(page.locator("#pay-error")).to_contain_text("confirm it's you first")
    _shot(page, "1-prompt-at-pay")
    page.locator("#prompt-cancel").click()
    expect(prompt).to_have_count(0)
    assert _payments(app, invoice) == []

    # Pay again: confirming with the passkey presses Pay again, and it goes through once.
    page.locator("#pay-submit").click()
    expect(prompt).to_be_visible()
    page.locator("#prompt-passkey").click()
    expect(page.locator("#billing-notice")).to_contain_text("payment pending")
    expect(prompt).to_have_count(0)
    _shot(page, "2-paid-after-passkey")
    assert _payments(app, invoice) == ["Transfer 77-1"]
    with app.db() as db:
        assert db.get(Invoice, invoice.id).status == "pending"


def test_past_the_window_a_fresh_emailed_code_lets_the_payment_through(strict_app, page):
    app = strict_app
    app.reset_data()
    expect.set_options(timeout=20_000)
    app.log_in(page, PAT, RIVERA)
    with app.db() as db:
        invoice = open_invoice(db, RIVERA)
        # This session confirmed a second factor, but longer ago than the window.
        record = db.exec(
            select(UserSession).where(UserSession.email == PAT, UserSession.revoked_at.is_(None))
        ).one()
        record.second_factor_at = record.created_at - timedelta(minutes=30)
        db.add(record)
        db.commit()

    page.goto(app.url + "/billing")
    _fill_bank_transfer(page, invoice, "Transfer 77-2")
    page.locator("#pay-submit").click()
    prompt = page.locator("#step-up-prompt")
    expect(prompt).to_be_visible()
    expect(prompt.locator("#prompt-passkey")).to_have_count(0)  # Pat has no passkey here
    page.locator("#prompt-send-code").click()
    expect(page.locator("#prompt-info")).to_contain_text("We emailed a 6-digit code")
    page.locator("#prompt-code").fill("000000")
    page.locator("#prompt-confirm").click()
    expect(page.locator("#prompt-error")).to_be_visible()  # a wrong code: still asked
    assert _payments(app, invoice) == []
    _shot(page, "3-prompt-wrong-code")
    page.locator("#prompt-code").fill(code_for(page, app, PAT, "code"))
    page.locator("#prompt-confirm").click()
    expect(page.locator("#billing-notice")).to_contain_text("payment pending")
    _shot(page, "4-paid-after-code")
    assert _payments(app, invoice) == ["Transfer 77-2"]
