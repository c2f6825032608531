"""An account's Manage page at 1280x800: from the info pane, the agent reassigns the producer
and stops a contact's login; both land in the account's activity log with the agent's name."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.models import Account, ActivityLog, Agent, Contact
from tests.support.browser import assert_no_horizontal_scroll, screenshot
from tests.support.demo import AGENT, PRIYA, RIVERA, SAM

DESKTOP = {"width": 1280, "height": 800}


def test_agent_reassigns_the_producer_and_stops_a_login(app, page):
    with app.db() as db:
        rivera = db.exec(select(Account).where(Account.name == RIVERA)).one()
        priya = db.exec(select(Agent).where(Agent.email == PRIYA)).one()
    page.set_viewport_size(DESKTOP)
    app.log_in(page, AGENT, agent=True)
    page.goto(f"{app.url}/agent/account?id={rivera.id}")
    expect(page.locator("#account-name")).to_have_text(RIVERA)
    page.locator("#manage-link").click()
    expect(page).to_have_url(re.compile(r"/agent/account/manage\?id="))
    expect(page.locator("#page-title")).to_have_text("Manage account")
    expect(page.locator("#move-all")).to_contain_text("Move all of Alex Morgan's accounts")
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-manage-account")

    page.locator("#producer-select").select_option(value=str(priya.id))
    page.locator("#reassign-submit").click()
    expect(page.locator("#manage-notice")).to_contain_text(
        f"Priya Shah is now the producer of {RIVERA}."
    )
    expect(page.locator("#move-all")).to_contain_text("Move all of Priya Shah's accounts")

    sam = page.locator(".managed-contact", has_text="Sam Rivera")
    sam.locator(".switch-login").click()
    expect(page.locator("#manage-notice")).to_contain_text("Sam Rivera may no longer log in.")
    expect(sam).to_contain_text("No login")
    expect(sam.locator(".switch-login")).to_have_text("Allow login")
    screenshot(page, "agent-manage-account-done")

    with app.db() as db:
        assert db.get(Account, rivera.id).producer_id == priya.id
        assert not db.exec(select(Contact).where(Contact.email == SAM)).one().may_log_in
        keys = db.exec(
            select(ActivityLog.action_key)
            .where(ActivityLog.account_id == rivera.id)
            .order_by(ActivityLog.id)
        ).all()
    assert keys[-2:] == ["agency.reassign_producer", "agency.switch_login"]

    page.locator("#back-link").click()
    expect(page.locator("#account-name")).to_have_text(RIVERA)
    expect(page.locator("#recent-activity")).to_contain_text("switched a contact's login")
    expect(page.get_by_text("Producer: Priya Shah")).to_be_visible()

    # The same page fits a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{app.url}/agent/account/manage?id={rivera.id}")
    expect(page.locator(".managed-contact")).to_have_count(3)
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-manage-account-phone")
