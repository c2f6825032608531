"""An agent's passkey in Chromium with its virtual authenticator (CDP): added on More → Your
second factor, then, after the emailed code, "Use my passkey instead" signs the agent in
without the authenticator app; removed, it is no longer offered. Prints what the sign-in
costs in taps and seconds."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import pyotp
from playwright.sync_api import expect

from clientcenter.models.base import utcnow
from clientcenter.services.auth import totp
from tests.support.browser import code_for
from tests.support.demo import AGENT, agent_named

SHOTS = Path("/tmp/shots-agent-passkeys")


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


def _through_emailed_code(page, app) -> None:
    page.goto(app.url + "/agent/login")
    page.locator("#agent-email").fill(AGENT)
    page.locator("#agent-continue").click()
    expect(page.locator("#agent-code")).to_be_visible()
    page.locator("#agent-code").fill(code_for(page, app, AGENT))
    page.locator("#agent-code-submit").click()
    expect(page.locator("#agent-totp")).to_be_visible()


def test_an_agent_adds_a_passkey_and_signs_in_with_it_instead_of_the_app(app, page, context):
    expect.set_options(timeout=20_000)
    _authenticator(context, page)
    with app.db() as db:  # the agent set up the authenticator app long ago
        agent = agent_named(db, AGENT)
        start = utcnow() - timedelta(minutes=5)
        enrolment = totp.start_enrolment(db, agent)
        totp.confirm_enrolment(db, agent, pyotp.TOTP(enrolment.secret).at(start), start)
        db.commit()
    app.log_in(page, AGENT, agent=True)

    page.goto(app.url + "/agent/more")
    card = page.locator("#agent-second-factor")
    expect(card).to_contain_text("No passkey yet")
    page.locator("#agent-passkey-add").click()
    expect(card.locator(".agent-passkey-row")).to_have_count(1)
    expect(page.locator("#agent-passkey-info")).to_contain_text("Passkey saved")
    _shot(page, "1-more-second-factor")

    # Signed out; the next sign-in: email, code, passkey.
    context.clear_cookies()
    started = time.monotonic()
    _through_emailed_code(page, app)
    expect(page.locator("#agent-passkey")).to_be_visible()
    _shot(page, "2-totp-step-with-passkey")
    page.locator("#agent-passkey").click()
    expect(page).to_have_url(re.compile(r"/agent/?$"))
    seconds = time.monotonic() - started
    expect(page.locator("#agent-search-input")).to_be_visible()
    print(f"LOGIN COST agent with a passkey: 3 taps, {seconds:.1f} s (code read in between)")

    # Removed: the next sign-in asks the app again, with no passkey button.
    page.goto(app.url + "/agent/more")
    page.locator(".agent-passkey-remove").click()
    expect(page.locator(".agent-passkey-row")).to_have_count(0)
    context.clear_cookies()
    _through_emailed_code(page, app)
    expect(page.locator("#agent-passkey")).to_have_count(0)
    _shot(page, "3-totp-step-after-removal")
