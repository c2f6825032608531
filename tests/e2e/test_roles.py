"""Roles in Chromium: the auditor's agency side shows only what the role allows (the tab bar,
the info pane's actions, no read-only Client Center), and the permission table page reads as
a table at 1280x800 and 390x844."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import select

from clientcenter import routes
from clientcenter.models import Account
from clientcenter.services.agency.roles import PERMISSIONS, Permission, Role
from tests.support.browser import assert_no_horizontal_scroll, screenshot
from tests.support.demo import AGENT, RIVERA, ROBIN


def _account_id(app, name: str) -> int:
    with app.db() as db:
        return db.exec(select(Account.id).where(Account.name == name)).one()


def test_an_auditor_sees_only_what_the_role_allows(app, page):
    app.log_in(page, ROBIN, agent=True)
    page.goto(f"{app.url}{routes.agent_account_path(_account_id(app, RIVERA))}")
    expect(page.locator("#account-name")).to_have_text(RIVERA)
    # The tab bar's link on a phone, the side navigation's at the desk: one of them shows.
    expect(page.locator(f'a[href="{routes.AGENT_MORE}"]').locator("visible=true")).to_have_count(1)
    for tab in (routes.AGENT_TASKS, routes.AGENT_OUTBOX):  # the tab bar, and the Queue link
        expect(page.locator(f'a[href="{tab}"]')).to_have_count(0)
    expect(page.locator("#activity-link")).to_be_visible()
    for hidden in ("#open-client-center", "#share-document-link", "#publish-link"):
        expect(page.locator(hidden)).to_have_count(0)
    assert_no_horizontal_scroll(page)


def test_the_permission_table_page(app, page):
    app.log_in(page, AGENT, agent=True)
    page.goto(app.url + routes.AGENT_MORE)
    page.locator("#roles-link").click()
    expect(page.locator("#your-role")).to_have_text("Your role: Administrator")
    table = page.get_by_role("table")
    expect(table.locator("caption")).to_contain_text("What each role may do")
    expect(table.locator("thead th[scope=col]")).to_have_count(1 + len(Role))
    expect(table.locator("tbody th[scope=row]")).to_have_count(len(Permission))
    publish = page.locator(f"#cell-{Role.AUDITOR.value}-{Permission.PUBLISH.value}")
    expect(publish).to_contain_text("Not allowed")
    assert Permission.PUBLISH not in PERMISSIONS[Role.AUDITOR]
    page.wait_for_timeout(300)
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-roles-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(300)
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-roles-desktop")
