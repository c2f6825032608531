"""The login-code flow in Chromium at 390x844, for the README's demo logins."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlmodel import Session, create_engine, select

from clientcenter.models import LoginChallenge, OutboxMessage, UserSession
from tests.support.browser import (
    HOME,
    code_for,
    enter_code,
    enter_email,
    look,
    mailbox,
    screenshot,
)
from tests.support.demo import CASEY, ELLIS, JORDAN, LEE, MORGAN, PAT, PAT_MOBILE, RIVERA, STUDIO


def assert_no_code_left_in_the_outbox(app) -> None:
    engine = create_engine(app.database_url)
    try:
        with Session(engine) as db:
            bodies = db.exec(
                select(OutboxMessage.body_text).where(
                    OutboxMessage.template == "login_code", OutboxMessage.status == "sent"
                )
            ).all()
    finally:
        engine.dispose()
    assert bodies and all(body == "" for body in bodies), "a sent login code stayed behind"


def live_sessions(app) -> list[UserSession]:
    engine = create_engine(app.database_url)
    try:
        with Session(engine) as db:
            return list(db.exec(select(UserSession).where(UserSession.revoked_at.is_(None))))
    finally:
        engine.dispose()


def test_pat_logs_in_by_email_and_logs_out(app, page):
    enter_email(page, app, PAT)
    expect(page.locator("#login-by-email")).to_be_visible()
    card = page.locator("#login-card").inner_text()
    assert not re.search(r"\d{3}", card.replace("6-digit", "")), card  # no digit of the number
    look(page, "login-1-email-choice")
    page.locator("#login-by-email").click()
    expect(page.locator("#login-code")).to_be_visible()
    code_box = page.locator("#login-code")
    assert code_box.get_attribute("autocomplete") == "one-time-code"
    assert code_box.get_attribute("inputmode") == "numeric"
    look(page, "login-2-code")
    enter_code(page, code_for(page, app, PAT))
    page.wait_for_url(HOME)
    expect(page.locator("#current-account")).to_have_text(RIVERA)
    look(page, "login-3-home")
    cookie = next(c for c in page.context.cookies() if c["name"] == "cc_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    # This browser is now remembered: its own code allowance (tests/services/auth/test_lockout_allowance.py)
    remembered = next(c for c in page.context.cookies() if c["name"] == "cc_remember")
    assert remembered["httpOnly"] and remembered["sameSite"] == "Lax"
    assert len(live_sessions(app)) == 1
    assert_no_code_left_in_the_outbox(app)

    page.goto(app.url + "/profile")
    expect(page.locator("#profile-name")).to_have_text("Pat Rivera")
    expect(page.locator("#switch-accounts")).to_have_count(0)  # one account: nothing to switch
    look(page, "login-4-profile")
    page.locator("#logout-button").click()
    page.wait_for_url(re.compile(r"/?\?signed_out=logout$"))
    expect(page.locator("#login-notice")).to_contain_text("You are logged out")
    assert live_sessions(app) == []
    assert not [c for c in page.context.cookies() if c["name"] == "cc_session"]
    assert [c for c in page.context.cookies() if c["name"] == "cc_remember"]  # outlives logout
    # the back button or a bookmark gets nothing behind login
    page.goto(app.url + "/home")
    page.wait_for_url(re.compile(r"/?\?signed_out=login&next=/home/?$"))
    expect(page.locator("#login-notice")).to_contain_text("Please log in")


def test_pat_logs_in_by_text(app, page):
    enter_email(page, app, PAT)
    page.locator("#login-by-text").click()
    expect(page.locator("#login-info")).to_contain_text("we texted a 6-digit code to it")
    enter_code(page, code_for(page, app, PAT_MOBILE))
    page.wait_for_url(HOME)
    expect(page.locator("#current-account")).to_have_text(RIVERA)


def test_wrong_code_says_why_and_keeps_what_was_typed(app, page):
    enter_email(page, app, MORGAN)
    page.locator("#login-by-email").click()
    right = code_for(page, app, MORGAN)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    enter_code(page, wrong)
    expect(page.locator("#login-error")).to_contain_text("That code isn't right")
    expect(page.locator("#login-code")).to_have_value(wrong)
    look(page, "login-wrong-code")
    page.locator("#login-code").fill(right[:3] + " " + right[3:])  # pasted with a space
    page.locator("#login-submit-code").click()
    page.wait_for_url(HOME)


def test_jordan_chooses_an_account_then_switches_without_a_new_code(app, page):
    enter_email(page, app, JORDAN)
    page.locator("#login-by-email").click()
    enter_code(page, code_for(page, app, JORDAN))
    accounts = page.locator(".login-account")
    expect(accounts).to_have_count(2)
    expect(accounts.nth(0)).to_contain_text(LEE)
    expect(accounts.nth(0)).to_contain_text("Personal")
    expect(accounts.nth(1)).to_contain_text(STUDIO)
    expect(accounts.nth(1)).to_contain_text("Commercial")
    look(page, "login-5-choose-account")
    accounts.nth(0).click()
    page.wait_for_url(HOME)
    expect(page.locator("#current-account")).to_have_text(LEE)
    first_token = next(c for c in page.context.cookies() if c["name"] == "cc_session")["value"]
    sent = len(mailbox(page, app, JORDAN))

    page.goto(app.url + "/profile")
    page.locator("#switch-accounts").click()
    page.wait_for_url(re.compile(r"/accounts/?$"))
    rows = page.locator(".switch-account")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Open now")
    look(page, "login-6-switch-accounts")
    rows.nth(1).click()
    page.wait_for_url(HOME)
    expect(page.locator("#current-account")).to_have_text(STUDIO)
    new_token = next(c for c in page.context.cookies() if c["name"] == "cc_session")["value"]
    assert new_token != first_token  # rotated
    assert len(live_sessions(app)) == 1
    assert len(mailbox(page, app, JORDAN)) == sent  # no new code


def channel_card(page, email: str) -> str:
    expect(page.locator("#login-by-text")).to_be_visible()
    return page.locator("#login-card").inner_text().replace(email, "<email>")


def test_morgan_email_only_sees_the_same_channel_step_and_gets_the_code_by_email(app, page):
    """Morgan has no mobile on file and is asked exactly what Pat is asked."""
    pats_tab = page.context.new_page()  # a tab of its own: a tab resumes where it left off
    enter_email(pats_tab, app, PAT)
    pats = channel_card(pats_tab, PAT)
    pats_tab.close()
    enter_email(page, app, MORGAN)
    assert channel_card(page, MORGAN) == pats
    look(page, "login-1-channel-email-only")
    page.locator("#login-by-email").click()
    expect(page.locator("#login-info")).to_contain_text(f"If {MORGAN} is on file")
    enter_code(page, code_for(page, app, MORGAN))
    page.wait_for_url(HOME)
    expect(page.locator("#current-account")).to_have_text(ELLIS)


def test_morgan_asking_for_a_text_is_answered_as_if_sent_and_can_go_back_to_email(app, page):
    enter_email(page, app, MORGAN)
    page.locator("#login-by-text").click()
    expect(page.locator("#login-info")).to_contain_text(
        "If we have a mobile number for you, we texted a 6-digit code to it."
    )
    expect(page.locator("#login-use-email")).to_be_visible()
    look(page, "login-2-text-no-mobile")
    # The resend cooldown (30 s) applies to the way back too: move this attempt past it.
    engine = create_engine(app.database_url)
    with Session(engine) as db:
        for challenge in db.exec(
            select(LoginChallenge).where(LoginChallenge.email == MORGAN)
        ).all():
            challenge.code_issued_at = challenge.code_issued_at - timedelta(seconds=40)
            db.add(challenge)
        db.commit()
    engine.dispose()
    page.locator("#login-use-email").click()
    expect(page.locator("#login-info")).to_contain_text(f"If {MORGAN} is on file")
    expect(page.locator("#login-use-email")).to_have_count(0)
    enter_code(page, code_for(page, app, MORGAN))
    page.wait_for_url(HOME)
    expect(page.locator("#current-account")).to_have_text(ELLIS)


def test_casey_is_answered_exactly_like_an_unknown_email(app, page):
    answers = {}
    for email in (CASEY, "nobody.here@example.com"):
        page = page.context.new_page()  # a fresh tab: the flow resumes where a tab left it
        enter_email(page, app, email)
        page.locator("#login-by-email").click()
        expect(page.locator("#login-code")).to_be_visible()
        info = page.locator("#login-info").inner_text()
        enter_code(page, "123456")
        error = page.locator("#login-error")
        expect(error).to_be_visible()
        answers[email] = (info.replace(email, "<email>"), error.inner_text())
    assert answers[CASEY] == answers["nobody.here@example.com"]
    screenshot(page, "login-casey-refused")
    assert mailbox(page, app, CASEY) == []
    assert live_sessions(app) == []


def test_a_revoked_session_sends_the_tab_to_login_with_a_message(app, page):
    app.log_in(page, PAT)
    page.goto(app.url + "/profile")
    expect(page.locator("#profile-name")).to_have_text("Pat Rivera")
    engine = create_engine(app.database_url)
    with Session(engine) as db:
        for record in db.exec(select(UserSession)).all():
            record.revoked_at = record.created_at
            db.add(record)
        db.commit()
    engine.dispose()
    page.locator("#switch-accounts, #logout-button").first.is_visible()
    try:
        page.goto(app.url + "/home")
    except PlaywrightError:  # the guard's redirect may overtake the navigation itself
        pass
    # Polled, not awaited as one navigation: the guard's full-page leave can abort the load
    # wait_for_url would track (net::ERR_ABORTED), while the tab still ends on the login.
    expect(page).to_have_url(re.compile(r"/?\?signed_out=revoked&next=/home/?$"), timeout=30_000)
    expect(page.locator("#login-notice")).to_contain_text("Your session was ended")
    screenshot(page, "login-revoked-notice")


def test_only_the_embed_page_may_be_framed(app):
    embed = httpx.get(app.url + "/embed/login", follow_redirects=True)
    assert embed.status_code == 200
    assert embed.headers["content-security-policy"].endswith("frame-ancestors 'self'")
    assert "x-frame-options" not in embed.headers
    landing = httpx.get(app.url + "/", follow_redirects=True)
    assert landing.headers["x-frame-options"] == "SAMEORIGIN"
    assert landing.headers["content-security-policy"].endswith("frame-ancestors 'self'")


def test_embedded_login_page_on_a_phone(app, page):
    page.goto(app.url + "/embed/login")
    expect(page.locator("#login-email")).to_be_visible()
    look(page, "login-embed")
