"""Passkeys and remembered browsers in Chromium with its virtual authenticator (CDP): a code
login that ticks "Remember this browser", the offer on Home, a passkey step-up in Profile, a
login with the passkey and no email, a remembered browser skipping the channel step, and
the passkey removed. Prints what each login costs in taps and seconds."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import expect

from tests.support.browser import HOME, code_for, enter_code
from tests.support.demo import PAT

SHOTS = Path("/tmp/shots-passkeys")


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


def _log_out(page, app) -> None:
    page.goto(app.url + "/profile")
    page.locator("#logout-button").click()
    expect(page.locator("#login-email")).to_be_visible()


def test_passkey_register_step_up_login_remove_and_remembered_browser(app, page, context):
    _authenticator(context, page)
    expect.set_options(timeout=20_000)  # a shared machine: each step waits on its server
    figures = {}

    # 1. A code login, as a new user meets it: email, "email or text?", code.
    page.goto(app.url + "/")
    started, taps = time.monotonic(), 0
    page.locator("#login-email").fill(PAT)
    page.locator("#login-continue").click()
    taps += 1
    page.locator("#login-by-email").click()
    taps += 1
    expect(page.locator("#login-code")).to_be_visible()
    page.locator("#login-remember").click()  # opt in (not counted: once only)
    _shot(page, "1-code-step-remember")
    enter_code(page, code_for(page, app, PAT))
    taps += 1
    expect(page).to_have_url(HOME)
    figures["code login"] = (taps, time.monotonic() - started)

    # 2. The offer on Home registers a passkey.
    expect(page.locator("#passkey-offer")).to_be_visible()
    _shot(page, "2-home-offer")
    page.locator("#passkey-offer").click()
    expect(page.locator("#passkey-offer-card")).to_be_hidden(timeout=15000)

    # 3. Profile lists it and the remembered browser; a passkey step-up confirms.
    page.goto(app.url + "/profile")
    expect(page.locator(".passkey-row")).to_have_count(1)
    expect(page.locator(".browser-row")).to_have_count(1)
    page.locator("#step-up-passkey").click()
    expect(page.locator("#step-up-confirmed")).to_be_visible()
    _shot(page, "3-profile-security")

    # 4. Log out; log in with the passkey: no email typed.
    _log_out(page, app)
    _shot(page, "4-login-page")
    started = time.monotonic()
    page.locator("#login-passkey").click()
    expect(page).to_have_url(HOME)
    figures["passkey login"] = (1, time.monotonic() - started)
    # A session from a passkey steps up with a code, not the same passkey again.
    page.goto(app.url + "/profile")
    expect(page.locator(".passkey-row")).to_have_count(1)
    expect(page.locator("#step-up-passkey")).to_have_count(0)

    # 5. Log out; the remembered browser skips "email or text?".
    _log_out(page, app)
    started, taps = time.monotonic(), 0
    page.locator("#login-email").fill(PAT)
    page.locator("#login-continue").click()
    taps += 1
    expect(page.locator("#login-code")).to_be_visible()
    expect(page.locator("#login-by-email")).to_have_count(0)
    expect(page.locator("#login-info")).to_contain_text("Welcome back")
    _shot(page, "5-remembered-code-at-once")
    enter_code(page, code_for(page, app, PAT))
    taps += 1
    expect(page).to_have_url(HOME)
    figures["remembered browser"] = (taps, time.monotonic() - started)

    # 6. Remove the passkey: it stops at once.
    page.goto(app.url + "/profile")
    page.locator(".passkey-remove").click()
    expect(page.locator(".passkey-row")).to_have_count(0)
    _log_out(page, app)
    page.locator("#login-passkey").click()
    expect(page.locator("#login-error")).to_be_visible(timeout=15000)
    _shot(page, "6-removed-passkey-refused")

    for name, (taps, seconds) in figures.items():
        print(f"LOGIN COST {name}: {taps} taps, {seconds:.1f} s")


def test_log_out_everywhere_ends_another_browsers_session_and_the_remembered_browsers(app, page):
    from sqlmodel import select

    from clientcenter.models import RememberedBrowser, UserSession
    from clientcenter.services.accounts import loginable_contacts
    from clientcenter.services.auth import remembered

    expect.set_options(timeout=20_000)
    with app.db() as db:
        contact, _ = loginable_contacts(db, PAT)[0]
        remembered.remember(
            db,
            subject_kind="customer",
            email=PAT,
            presented=None,
            contact_id=contact.id,
            trust_channel="email",
        )
        db.commit()
    app.log_in(page, PAT)
    # Pat's other browser (a phone left somewhere), with Profile open.
    other = page.context.browser.new_context(viewport={"width": 390, "height": 844})
    phone = other.new_page()
    app.log_in(phone, PAT)
    phone.goto(app.url + "/profile")
    expect(phone.locator("#security-card")).to_be_visible()

    page.goto(app.url + "/profile")
    page.locator("#logout-everywhere").click()
    dialog = page.locator("#logout-everywhere-dialog")
    expect(dialog).to_contain_text("logged out here and on every other phone")
    _shot(page, "7-log-out-everywhere-confirm")
    page.locator("#logout-everywhere-cancel").click()  # Cancel changes nothing
    expect(dialog).to_have_count(0)
    page.reload()
    expect(page.locator("#security-card")).to_be_visible()

    page.locator("#logout-everywhere").click()
    page.locator("#logout-everywhere-confirm").click()
    expect(page.locator("#login-notice")).to_contain_text("logged out on every browser")
    assert "signed_out=everywhere" in page.url
    _shot(page, "8-logged-out-everywhere")

    # The other browser's open tab is refused at its next click.
    phone.locator("#step-up-send-code").click()
    expect(phone.locator("#login-notice")).to_contain_text("Your session was ended")
    other.close()

    with app.db() as db:
        live = db.exec(
            select(UserSession).where(UserSession.email == PAT, UserSession.revoked_at.is_(None))
        ).all()
        assert live == []
        browsers = db.exec(select(RememberedBrowser).where(RememberedBrowser.email == PAT)).all()
        assert browsers and all(b.revoked_at is not None for b in browsers)
