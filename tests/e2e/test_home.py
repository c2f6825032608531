"""Home's hierarchy, deep links kept across login, and the request forms' pre-selection, on a
phone (390x844) in Chromium. Screenshots also go to /tmp/shots-home/ for review."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.models import Invoice, Payment, Policy
from clientcenter.models.billing import InvoiceStatus, PaymentStatus
from tests.support.browser import HOME, code_for, enter_code, screenshot
from tests.support.demo import JORDAN, PAT, RIVERA, STUDIO, account_named

SHOTS = Path("/tmp/shots-home")
LOADED = 30_000  # ms: a page's first data on a shared, busy machine


def shot(page, name: str) -> None:
    screenshot(page, f"home-{name}")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _top(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["y"]


def _log_in_here(page, app, email: str) -> None:
    """The real code flow, on whatever login page the browser was sent to."""
    page.locator("#login-email").fill(email)
    page.locator("#login-continue").click()
    page.locator("#login-by-email").click()
    enter_code(page, code_for(page, app, email))


def test_home_puts_what_needs_attention_first(app, page):
    app.log_in(page, PAT)
    page.goto(app.url + "/home")
    block = page.locator("#attention")
    expect(block).to_be_visible(timeout=LOADED)
    items = block.locator(".attention-item")
    expect(items.first).to_be_visible()
    kinds = [items.nth(i).get_attribute("data-kind") for i in range(items.count())]
    assert kinds[0] == "bill_due" and "proposal" in kinds, kinds
    expect(items.first).to_contain_text("Pay now")
    # The hierarchy: attention, the ID card, the policies, the agent.
    assert (
        _top(block) < _top(page.locator("#show-id-card")) < _top(page.locator("#current-policies"))
    )
    assert _top(page.locator("#current-policies")) < _top(page.locator("#producer"))
    call = page.locator("#producer-call")
    assert re.fullmatch(r"tel:\+?\d{7,15}", call.get_attribute("href") or "")
    expect(page.locator("#producer-name")).not_to_be_empty()
    assert (page.locator("#producer-email").get_attribute("href") or "").startswith("mailto:")
    # Past policies folded away until asked for.
    expect(page.locator("#past-policies")).to_be_hidden()
    shot(page, "home-390")
    page.locator("#past-policies-toggle").click()
    expect(page.locator("#past-policies .policy-card")).to_have_count(1)
    expect(page.locator("#past-policies .policy-card").first).to_be_visible()
    shot(page, "home-past-open-390")
    # One tap to the ID card.
    page.locator("#show-id-card").click()
    expect(page).to_have_url(re.compile(r"/id-card/?$"))
    expect(page).to_have_title(re.compile(r"^ID cards · .+ Client Center$"))


def test_a_mailed_check_still_pending_is_not_nothing_due(app, page):
    with app.db() as db:
        account = account_named(db, RIVERA)
        invoices = db.exec(select(Invoice).where(Invoice.account_id == account.id)).all()
        for inv in invoices:
            inv.status, inv.paid_cents = InvoiceStatus.PAID, inv.amount_cents
        inv = invoices[0]
        inv.status, inv.paid_cents = InvoiceStatus.PENDING, 0
        db.add(
            Payment(
                account_id=account.id,
                invoice_id=inv.id,
                amount_cents=inv.amount_cents,
                method="check",
                provider="offline",
                status=PaymentStatus.PENDING,
                idempotency_key="e2e-home-check",
            )
        )
        db.commit()
    app.log_in(page, PAT)
    page.goto(app.url + "/home")
    pending = page.locator(".attention-item[data-kind=payment_pending]")
    expect(pending).to_contain_text("on its way", timeout=LOADED)
    expect(page.locator(".attention-item[data-kind=bill_due]")).to_have_count(0)
    expect(page.locator("#quick-billing")).to_contain_text("Payment on its way")
    expect(page.locator("#quick-billing")).not_to_contain_text("Nothing due")
    shot(page, "home-check-pending-390")


def test_a_deep_link_comes_back_after_login(app, page):
    with app.db() as db:
        policy = db.exec(
            select(Policy).where(
                Policy.account_id == account_named(db, RIVERA).id, Policy.line == "auto"
            )
        ).one()
    wanted = f"/documents?policy={policy.id}"
    page.goto(app.url + wanted)
    page.wait_for_url(re.compile(r"/\?signed_out=login&next=/documents/?%3Fpolicy%3D\d+$"))
    expect(page.locator("#login-notice")).to_contain_text("Please log in")
    shot(page, "deep-link-login-390")
    _log_in_here(page, app, PAT)
    page.wait_for_url(re.compile(rf"/documents/?\?policy={policy.id}$"))


def test_a_deep_link_survives_the_account_choice(app, page):
    page.goto(app.url + "/requests/general")
    page.wait_for_url(re.compile(r"next=/requests/general/?$"))
    _log_in_here(page, app, JORDAN)
    page.locator(".login-account", has_text=STUDIO).click()
    page.wait_for_url(re.compile(r"/requests/general/?$"))
    expect(page.locator("#current-account, #requests-form-heading").first).to_be_visible()


def test_a_foreign_next_is_ignored_and_the_login_goes_home(app, page):
    page.goto(app.url + "/?next=//evil.example/home")
    _log_in_here(page, app, PAT)
    page.wait_for_url(HOME)


def test_the_only_matching_policy_is_chosen_and_contact_has_no_caveat(app, page):
    with app.db() as db:
        auto = db.exec(
            select(Policy).where(
                Policy.account_id == account_named(db, RIVERA).id, Policy.line == "auto"
            )
        ).one()
    app.log_in(page, PAT)
    page.goto(app.url + "/requests/personal?type=vehicle_add")
    expect(page.locator("#rq-vehicle_add-policy_id")).to_have_value(str(auto.id), timeout=LOADED)
    shot(page, "request-vehicle-add-390")
    # Two policies could take a coverage change: the customer chooses.
    page.goto(app.url + "/requests/personal?type=coverage")
    expect(page.locator("#rq-coverage-policy_id")).to_be_visible(timeout=LOADED)
    expect(page.locator("#rq-coverage-policy_id")).to_have_value("")
    page.goto(app.url + "/contact")
    expect(page.locator("#rq-message-form")).to_be_visible(timeout=LOADED)
    expect(page.locator("#rq-message-form")).not_to_contain_text("Nothing about your coverage")
    shot(page, "contact-390")


def test_the_404_page_is_branded_with_a_way_back(app, page):
    page.goto(app.url + "/no-such-page")
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator("#not-found-home")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Page not found · .+ Client Center$"))
    shot(page, "not-found-390")
