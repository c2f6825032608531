"""The staff page in Chromium at 1280x800 and 390x844: an administrator invites an agent, the
agent enrols through the setup link from the invitation email in their own browser, and the
administrator deactivates them (a confirmation, then what they leave to hand over), which
ends their session at once. A non-administrator is refused."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from clientcenter.demo.agency import AGENTS
from tests.support.browser import (
    assert_no_horizontal_scroll,
    code_for,
    screenshot,
    setup_link_for,
)
from tests.support.demo import AGENT, LEE_CHEN

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
NEW = "casey.brooks@harborandmain.example"


def _enrol(page, app, email: str) -> None:
    page.goto(setup_link_for(page, app, email))
    expect(page).to_have_url(re.compile(r"/agent/login/?$"))
    page.locator("#agent-email").fill(email)
    page.locator("#agent-continue").click()
    page.locator("#agent-code").fill(code_for(page, app, email))
    page.locator("#agent-code-submit").click()
    expect(page.locator("#totp-qr")).to_be_visible()
    expect(page.locator("#totp-secret")).to_have_text(re.compile(r"^\s*[A-Z2-7]{26,}\s*$"))
    secret = page.locator("#totp-secret").inner_text().strip()
    page.locator("#agent-enrol").fill(pyotp.TOTP(secret).now())
    page.locator("#agent-enrol-submit").click()
    expect(page.locator(".recovery-code")).to_have_count(10)
    page.locator("#agent-finish").click()
    expect(page).to_have_url(re.compile(r"/agent/?$"))


@pytest.mark.parametrize("size", SIZES)
def test_invite_enrol_through_the_link_and_deactivate(app, page, browser, size):
    page.set_viewport_size(SIZES[size])
    app.log_in(page, AGENT, agent=True)
    page.goto(app.url + "/agent/admin")
    members = page.locator(".staff-member")
    expect(members).to_have_count(len(AGENTS))
    page.locator("#invite-email").fill(NEW)
    page.locator("#invite-first_name").fill("Casey")
    page.locator("#invite-last_name").fill("Brooks")
    page.locator("#invite-role").select_option("producer")
    page.locator("#invite-submit").click()
    expect(page.locator("#staff-notice")).to_contain_text("Casey Brooks is invited")
    expect(members).to_have_count(len(AGENTS) + 1)
    casey = members.filter(has_text="Casey Brooks")
    expect(casey).to_contain_text("Not set up")
    assert_no_horizontal_scroll(page)
    screenshot(page, f"staff-invited-{size}")
    # The same address again: a clear message, nothing added.
    page.locator("#invite-email").fill(NEW)
    page.locator("#invite-first_name").fill("Casey")
    page.locator("#invite-last_name").fill("Brooks")
    page.locator("#invite-role").select_option("producer")
    page.locator("#invite-submit").click()
    expect(page.locator("#invite")).to_contain_text("is already on staff (Casey Brooks)")
    expect(members).to_have_count(len(AGENTS) + 1)

    # Casey, in a browser of their own, enrols through the emailed link.
    other = browser.new_context(viewport=SIZES[size])
    robins_page = other.new_page()
    try:
        _enrol(robins_page, app, NEW)
        screenshot(robins_page, f"staff-enrolled-{size}")
        page.reload()
        expect(casey).to_contain_text("Active")
        expect(casey).not_to_contain_text("Last sign-in: Never")

        casey.locator(".member-deactivate").click()
        expect(page.locator("#deactivate-confirm")).to_contain_text("Deactivate Casey Brooks?")
        screenshot(page, f"staff-deactivate-confirm-{size}")
        page.locator("#confirm-deactivate").click()
        expect(page.locator("#staff-notice")).to_contain_text("Casey Brooks is deactivated")
        expect(page.locator("#reassignment")).to_contain_text("sessions ended (1)")
        expect(casey).to_contain_text("Deactivated")
        assert_no_horizontal_scroll(page)
        screenshot(page, f"staff-deactivated-{size}")
        # Casey's session ended at once.
        robins_page.goto(app.url + "/agent/tasks")
        expect(robins_page).to_have_url(re.compile(r"/agent/login"))
    finally:
        other.close()


def test_a_non_administrator_is_refused_the_staff_page(app, page):
    app.log_in(page, LEE_CHEN, agent=True)
    page.goto(app.url + "/agent/admin")
    expect(page.locator("#staff-refused")).to_contain_text(
        "Your role does not allow you to manage staff."
    )
    expect(page.locator("#invite-form")).to_have_count(0)
    screenshot(page, "staff-refused")
