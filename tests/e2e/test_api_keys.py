"""The API keys page in Chromium at desk size (1280x800): an administrator creates a key (a
name and scopes), sees it once with a warning, copies it, and the key opens the API; the list
shows its prefix, scopes and use; revoking asks first and the key stops at once. A producer is
refused the page and sees no link to it."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from clientcenter import routes
from tests.support.browser import assert_no_horizontal_scroll, screenshot
from tests.support.demo import AGENT, PRIYA

DESK = {"width": 1280, "height": 800}


def test_create_show_once_use_and_revoke_a_key(app, page):
    page.set_viewport_size(DESK)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    app.log_in(page, AGENT, agent=True)
    page.goto(app.url + routes.AGENT_MORE)
    page.locator("#more-api-keys").click()
    expect(page).to_have_url(re.compile(r"/agent/admin/api-keys/?$"))
    expect(page.locator("#key-list")).to_have_count(0)  # "No keys yet."
    page.locator("#key-submit").click()  # no name: the browser asks for one
    page.locator("#key-name").fill("AMS nightly sync")
    page.locator("#key-submit").click()
    expect(page.locator("#key-form-error")).to_be_visible()  # no scope chosen
    page.locator("input[name=scope_read]").check()
    page.locator("input[name=scope_write]").check()
    page.locator("#key-submit").click()
    secret_box = page.locator("#api-key-secret")
    expect(secret_box).to_have_text(re.compile(r"^cck_[A-Za-z0-9_-]{40,}$"))
    expect(page.locator("#new-key")).to_contain_text("shown only this once")
    secret = secret_box.inner_text()
    page.locator("#copy-key").click()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    row = page.locator(".api-key").filter(has_text="AMS nightly sync")
    expect(row).to_contain_text(secret[:12])
    expect(row).to_contain_text("read, write")
    assert_no_horizontal_scroll(page)
    screenshot(page, "api-keys-created-desk")

    api = app.url + routes.API_PREFIX + "/accounts"
    headers = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(api, headers=headers).status_code == 200
    page.locator("#dismiss-key").click()
    expect(page.locator("#new-key")).to_have_count(0)
    assert secret not in page.content()  # shown once: gone from the page

    page.reload()
    expect(row).to_contain_text(re.compile(r"Last used: \w{3} \d"))
    row.locator(".key-revoke").click()
    expect(page.locator("#revoke-confirm")).to_contain_text("AMS nightly sync")
    screenshot(page, "api-keys-revoke-confirm-desk")
    page.locator("#confirm-revoke").click()
    expect(page.locator("#api-keys-notice")).to_contain_text("revoked")
    expect(row).to_contain_text("Revoked")
    assert httpx.get(api, headers=headers).status_code == 401
    screenshot(page, "api-keys-revoked-desk")


def test_a_producer_is_refused_the_page_and_sees_no_link(app, page):
    page.set_viewport_size(DESK)
    app.log_in(page, PRIYA, agent=True)
    page.goto(app.url + routes.AGENT_MORE)
    expect(page.locator("#agent-role")).to_be_visible()
    expect(page.locator("#more-api-keys")).to_have_count(0)
    page.goto(app.url + routes.AGENT_API_KEYS)
    expect(page.locator("#api-keys-refused")).to_contain_text("manage API keys")
    expect(page.locator("#key-submit")).to_have_count(0)
