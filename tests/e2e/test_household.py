"""The household manages itself, in Chromium at 390x844: Pat invites Riley with "ID cards and
documents only"; Riley opens the link from the dev mailbox, accepts, logs in with a code and
sees only ID cards and documents (billing and the rest absent, and refused if typed)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import expect

from tests.support.browser import code_for, enter_code, enter_email, look, mailbox
from tests.support.demo import PAT, SAM

SHOTS = Path("/tmp/shots-household")
RILEY = "riley.rivera@example.com"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    look(page, f"household-{name}")


def _join_link(page, app) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = mailbox(page, app, RILEY, "/join/")
        if found:
            return app.url + re.findall(r"/join/[0-9]+\.[A-Za-z0-9_-]+", found[-1])[-1]
        time.sleep(0.3)
    raise AssertionError("no invitation reached Riley")


def test_primary_invites_a_documents_only_member_who_sees_only_that(app, page):
    app.log_in(page, PAT)
    page.goto(app.url + "/profile")
    section = page.locator("#household")
    expect(section).to_contain_text("Who can log in")
    expect(section).to_contain_text("Sam Rivera")
    shot(page, "1-who-can-log-in")

    page.locator("#household-invite").click()
    form = page.locator("#household-invite-form")
    form.locator("[name=first_name]").fill("Riley")
    form.locator("[name=last_name]").fill("Rivera")
    form.locator("[name=email]").fill(SAM)  # already on the account
    form.locator("[name=role]").select_option("additional")
    form.locator("input[name=sees][value=documents]").check()
    page.locator("#household-send").click()
    expect(page.locator("#error-email")).to_contain_text("already on this account")
    shot(page, "2-refused-already-on-account")

    form.locator("[name=email]").fill(RILEY)
    page.locator("#household-send").click()
    expect(page.locator("#household-notice")).to_contain_text(RILEY)
    expect(section).to_contain_text("Invited — waiting for them to confirm")
    shot(page, "3-invited")

    # Riley, in a browser of their own, opens the link from their mailbox.
    link = _join_link(page, app)
    riley = page.context.browser.new_context(viewport={"width": 390, "height": 844})
    tab = riley.new_page()
    tab.goto(link)
    expect(tab.locator("#join-title")).to_have_text("Accept your invitation")
    expect(tab.locator("#join-card")).to_contain_text("ID cards and documents only")
    shot(tab, "4-join-page")
    tab.locator("#join-confirm").click()
    expect(tab.locator("#join-done")).to_contain_text(RILEY)
    shot(tab, "5-joined")

    # Riley logs in with a code and lands on Documents, with no Billing or Home tab.
    enter_email(tab, app, RILEY)
    expect(tab.locator("#login-by-email")).to_be_visible()  # the same channel step as anyone
    tab.locator("#login-by-email").click()
    enter_code(tab, code_for(tab, app, RILEY))
    tab.wait_for_url(re.compile(r"/documents/?$"))
    expect(tab.locator("#id-cards")).to_be_visible(timeout=30_000)  # a loaded machine
    nav = tab.locator("nav[aria-label=Sections]")
    expect(nav).to_contain_text("Documents")
    for absent in ("Billing", "Home", "Policies"):
        expect(nav.get_by_text(absent, exact=True)).to_have_count(0)
    shot(tab, "6-documents-only")

    # Typing /billing goes back to Documents; the service refuses regardless (unit tests).
    tab.goto(app.url + "/billing")
    tab.wait_for_url(re.compile(r"/documents/?$"))
    tab.goto(app.url + "/profile")
    expect(tab.locator("#limited-view-note")).to_be_visible()
    expect(tab.locator("#household")).to_have_count(0)
    shot(tab, "7-limited-profile")
    riley.close()

    # Pat sees Riley can log in now, and revokes.
    page.reload()
    row = page.locator(".household-member", has_text="Riley Rivera")
    expect(row).to_contain_text("Can log in")
    row.locator(".household-revoke").click()
    expect(page.locator("#household-notice")).to_contain_text("can no longer log in")
    shot(page, "8-revoked")
