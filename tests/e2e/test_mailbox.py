"""The in-app relay delivers to the dev mailbox, and /dev/mailbox reads well on a phone."""

from __future__ import annotations

import os
import time

import httpx
from sqlmodel import Session, create_engine, select

from clientcenter.models import DevMailboxMessage
from clientcenter.services.notify.outbox import enqueue
from clientcenter.settings import load_settings
from tests.support.browser import assert_no_horizontal_scroll, screenshot
from tests.support.demo import PAT, PAT_MOBILE


def _enqueue_in_app_database(app) -> str:
    saved = dict(os.environ)
    try:
        os.environ.update(app.env)
        settings = load_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    engine = create_engine(app.database_url)
    try:
        with Session(engine) as session:
            enqueue(
                session,
                channel="email",
                to_address=PAT,
                template="action_customer",
                recipient_kind="customer",
                to_name="Pat Rivera",
                context={
                    "first_name": "Pat",
                    "headline": "We received your change request",
                    "summary": "Add a 2019 Honda Civic EX (VIN 2HGFC2F71JH512345) to "
                    "policy PA-100200300 starting next Monday.",
                },
                settings=settings,
            )
            code = enqueue(
                session,
                channel="sms",
                to_address=PAT_MOBILE,
                template="login_code",
                recipient_kind="login",
                sensitive=True,
                context={"code": "604218", "minutes": 10},
                settings=settings,
            )
            session.commit()
            return code.dedupe_key
    finally:
        engine.dispose()


def test_relay_in_the_app_fills_the_mailbox(app, page):
    key = _enqueue_in_app_database(app)
    engine = create_engine(app.database_url)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with Session(engine) as session:
                if session.exec(
                    select(DevMailboxMessage).where(DevMailboxMessage.dedupe_key == key)
                ).first():
                    break
            time.sleep(0.25)
        else:
            raise AssertionError("the in-app relay did not deliver within 20 s")
    finally:
        engine.dispose()
    page.goto(app.url + "/dev/mailbox")
    assert page.get_by_role("heading", name="Dev mailbox").is_visible()
    # Beside the demo agents' invitations (their setup links), the two messages of this test.
    invitations = page.locator("article").filter(has_text="/agent/enrol/").count()
    assert page.locator("article").count() - invitations == 2
    assert "604218" in page.locator("article").first.inner_text()  # newest first: the code
    screenshot(page, "dev-mailbox-390")
    assert_no_horizontal_scroll(page)
    page.locator("summary").first.click()
    screenshot(page, "dev-mailbox-email-open-390")
    page.set_viewport_size({"width": 320, "height": 700})
    assert_no_horizontal_scroll(page)


def test_mailbox_refuses_forwarded_requests(app):
    answer = httpx.get(app.url + "/dev/mailbox", headers={"X-Forwarded-For": "203.0.113.7"})
    assert answer.status_code == 403
