"""Change requests move, in Chromium: the agent declines a customer's request with a note from
the account's Requests page (1280x800), and the customer reads status and note on My requests
(390x844)."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.models import Account, ActivityLog
from tests.support.browser import assert_no_horizontal_scroll, look, screenshot
from tests.support.demo import AGENT, PAT, RIVERA, customer

DESKTOP = {"width": 1280, "height": 800}
NOTE = "Your carrier does not write that endorsement; call us to talk about options."


def test_agent_declines_with_a_note_and_the_customer_reads_it(app, page):
    from clientcenter.services.portal import requests as rq

    with app.db() as db:
        rivera = db.exec(select(Account).where(Account.name == RIVERA)).one()
        filed = rq.submit_request(
            db,
            customer(db, PAT),
            "general",
            "general",
            {"subject": "Add flood cover", "message": "Can we add flood?"},
        )
        reference = filed.reference
        db.commit()

    page.set_viewport_size(DESKTOP)
    app.log_in(page, AGENT, agent=True)
    page.goto(f"{app.url}/agent/account?id={rivera.id}")
    expect(page.locator("#account-name")).to_have_text(RIVERA)
    page.locator("#requests-link").click()
    expect(page).to_have_url(re.compile(r"/agent/account/requests\?id="))
    row = page.locator(".agency-request", has_text=reference)
    expect(row).to_contain_text("Received")
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-requests")

    # Declining without a note is refused by name; with one it goes through.
    row.locator(".request-status-select").select_option("declined")
    row.locator(".request-update").click()
    expect(page.locator("#requests-error")).to_contain_text("why you are declining")
    row.locator(".request-status-select").select_option("declined")
    row.locator("textarea[name=note]").fill(NOTE)
    row.locator(".request-update").click()
    expect(page.locator("#requests-notice")).to_contain_text(
        f"Request {reference} is now declined."
    )
    row = page.locator(".agency-request", has_text=reference)
    expect(row).to_contain_text("Declined")
    expect(row.locator(".request-status-select option")).to_have_count(2)  # prompt + reopen
    screenshot(page, "agent-requests-declined")
    with app.db() as db:
        last = db.exec(
            select(ActivityLog).where(ActivityLog.action_key == "agency.update_request")
        ).all()[-1]
        assert last.details["note"] == NOTE

    customer_page = page.context.browser.new_page(viewport={"width": 390, "height": 844})
    app.log_in(customer_page, PAT)
    customer_page.goto(app.url + "/requests")
    card = customer_page.locator(".request-card", has_text=reference)
    expect(card).to_contain_text("Declined")
    expect(card.locator(".request-note")).to_contain_text(NOTE)
    look(customer_page, "my-requests-declined-note")
