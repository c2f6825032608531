"""The agent side in Chromium at 390x844: sign-in with enrolment, Super Search → info pane →
read-only Client Center → a refused change, sharing a document by text (the SMS in the dev
mailbox, the link opening after the customer logs in), and the agent pages on a phone."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.models import Account, ActivityLog, ChangeRequest, Contact, Document
from tests.support.browser import (
    assert_no_horizontal_scroll,
    code_for,
    enter_code,
    mailbox,
    screenshot,
    setup_link_for,
)
from tests.support.demo import AGENT, KIM, OBRIEN, PAT, PAT_MOBILE, RIVERA, STUDIO


def _account_id(app, name: str) -> int:
    with app.db() as db:
        return db.exec(select(Account.id).where(Account.name == name)).one()


def test_agent_signs_in_with_code_and_authenticator_enrolment(app, page):
    # The invitation's setup link first, as a new agent would: it sends them to sign in.
    page.goto(setup_link_for(page, app, AGENT))
    expect(page).to_have_url(re.compile(r"/agent/login/?$"))
    page.locator("#agent-email").fill(AGENT)
    page.locator("#agent-continue").click()
    expect(page.locator("#agent-code")).to_be_visible()
    screenshot(page, "agent-login-code")
    page.locator("#agent-code").fill(code_for(page, app, AGENT))
    page.locator("#agent-code-submit").click()
    expect(page.locator("#totp-qr")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-login-enrol")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.locator("#agent-enrol").fill("000000")
    page.locator("#agent-enrol-submit").click()
    expect(page.locator("#agent-login-error")).to_contain_text("doesn't match")
    page.locator("#agent-enrol").fill(pyotp.TOTP(secret).now())
    page.locator("#agent-enrol-submit").click()
    expect(page.locator(".recovery-code")).to_have_count(10)
    screenshot(page, "agent-login-recovery-codes")
    page.locator("#agent-finish").click()
    expect(page).to_have_url(re.compile(r"/agent/?$"))
    expect(page.locator("#agent-search-input")).to_be_visible()
    # An agent session is not a customer's: customer pages send it away.
    page.goto(app.url + "/home")
    expect(page).not_to_have_url(re.compile(r"/home/?$"))


def test_customer_session_does_not_reach_agent_pages(app, page):
    app.log_in(page, PAT)
    page.goto(app.url + "/agent")
    expect(page).to_have_url(re.compile(r"/agent/login"))
    expect(page.locator("#agent-email")).to_be_visible()


def test_search_info_pane_read_only_view_and_a_refused_change(app, page):
    app.log_in(page, AGENT, agent=True)
    page.goto(app.url + "/agent")
    box = page.locator("#agent-search-input")
    box.fill("o’brien")
    box.press("Enter")
    expect(page.locator(".search-result")).to_have_count(1)
    expect(page.locator(".search-result")).to_contain_text(OBRIEN)
    box.fill("(207) 555-0101")
    box.press("Enter")
    expect(page.locator(".search-result")).to_have_count(1)
    expect(page.locator(".search-match")).to_contain_text("Phone: (207) 555-0101")
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-search")
    page.locator(".search-result").first.click()
    expect(page.locator("#account-name")).to_have_text(RIVERA)
    expect(page.locator("#contacts")).to_contain_text("Sam Rivera")
    expect(page.locator("#policies")).to_contain_text("Personal Auto")
    expect(page.locator("#open-invoices")).to_contain_text("INV-")
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-info-pane")

    page.locator("#open-client-center").click()
    expect(page).to_have_url(re.compile(r"/home/?$"))
    banner = page.locator("#read-only-banner")
    expect(banner).to_contain_text("Read-only — viewing as Pat & Sam Rivera")
    screenshot(page, "agent-read-only-home")
    # A change: the page disables its button, so do what a crafted client would — enable it
    # and send. The server refuses, and nothing is stored.
    page.goto(app.url + "/requests/general")
    expect(banner).to_be_visible()
    submit = page.locator("#rq-general-submit")
    expect(submit).to_be_disabled()
    page.locator("#rq-general-subject").fill("New address")
    page.locator("#rq-general-message").fill("Please change my address (agent test)")
    submit.evaluate("b => { b.disabled = false; b.removeAttribute('disabled'); }")
    submit.click()
    expect(page.get_by_text(re.compile("Read-only mode"))).to_be_visible()
    screenshot(page, "agent-read-only-refused")
    with app.db() as db:
        assert db.exec(select(ChangeRequest)).all() == []

    banner.locator("#leave-read-only").click()
    expect(page.locator("#account-name")).to_have_text(RIVERA)
    expect(page.locator("#read-only-banner")).to_have_count(0)
    with app.db() as db:
        keys = db.exec(select(ActivityLog.action_key).order_by(ActivityLog.id)).all()
    assert keys[0] == "agent.login" and keys[-1] == "agent.logoff"


def test_share_a_document_by_text_and_open_it_after_logging_in(app, page, browser):
    rivera = _account_id(app, RIVERA)
    with app.db() as db:
        doc = db.exec(
            select(Document).where(
                Document.account_id == rivera, Document.category == "declarations"
            )
        ).first()
        doc.shared_with_customer = False
        title = doc.title
        db.add(doc)
        db.commit()
    app.log_in(page, AGENT, agent=True)
    page.goto(f"{app.url}/agent/account/share?id={rivera}")
    page.locator("label").filter(has_text=title).first.click()
    page.locator("#share-channel-sms").click()
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-share-document")
    page.locator("#share-document-submit").click()
    expect(page.locator("#share-notice")).to_contain_text("by text message")

    deadline, texts = time.monotonic() + 20, []
    while time.monotonic() < deadline and not texts:
        texts = [t for t in mailbox(page, app, PAT_MOBILE, "") if "/shared/" in t]
        time.sleep(0.3)
    assert texts, "the text message did not reach the dev mailbox"
    link = re.search(r"https?://\S+/shared/\S+", texts[-1]).group(0)

    customer = browser.new_context(viewport={"width": 390, "height": 844})
    phone = customer.new_page()
    phone.goto(link)
    expect(phone.locator("#shared-message")).to_contain_text("Log in")
    phone.locator("#shared-login").click()
    phone.locator("#login-email").fill(PAT)
    phone.locator("#login-continue").click()
    phone.locator("#login-by-email").click()
    enter_code(phone, code_for(phone, app, PAT))
    expect(phone).to_have_url(re.compile(r"/shared/"))
    expect(phone.locator("#shared-title")).to_have_text(title)
    expect(phone.locator("#shared-download")).to_be_visible()
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "customer-shared-document")
    customer.close()


def test_agent_pages_read_well_on_a_phone(app, page):
    app.log_in(page, AGENT, agent=True)
    lee = _account_id(app, STUDIO)
    for path, name in [
        ("/agent/more", "agent-more"),
        (f"/agent/account/publish?id={lee}", "agent-publish"),
        (f"/agent/account/certificates?id={lee}", "agent-certificates"),
        (f"/agent/account/payments?id={lee}", "agent-payments"),
        (f"/agent/account/activity?id={lee}", "agent-activity"),
    ]:
        page.goto(app.url + path)
        expect(page.locator("#page-title")).to_be_visible()
        page.wait_for_timeout(300)
        assert_no_horizontal_scroll(page)
        screenshot(page, name)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{app.url}/agent/account?id={lee}")
    expect(page.locator("#account-name")).to_be_visible()
    assert_no_horizontal_scroll(page)


def test_task_queue_done_and_hand_over(app, page):
    from clientcenter.models import Task
    from clientcenter.services.notify.activity import record_action
    from clientcenter.services.principal import Principal

    with app.db() as db:
        pat = db.exec(select(Contact).where(Contact.email == PAT)).one()
        customer = Principal.customer(pat.account_id, pat.id)
        record_action(db, customer, "customer.general_request", summary="Add my new car")
        record_action(db, customer, "customer.contact_us", summary="Call me about umbrella")
        db.commit()
    app.log_in(page, AGENT, agent=True)
    page.goto(app.url + "/agent/tasks")
    cards = page.locator(".task-card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Add my new car")
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-tasks")
    cards.first.locator(".task-done").click()
    expect(page.locator("#tasks-notice")).to_contain_text("done")
    expect(cards).to_have_count(1)
    cards.first.locator("select").select_option(label="Priya Shah")
    cards.first.locator(".task-reassign").click()
    expect(page.locator("#tasks-notice")).to_contain_text("handed over")
    expect(page.locator(".task-card")).to_have_count(0)
    with app.db() as db:
        tasks = db.exec(select(Task).order_by(Task.id)).all()
    assert [t.status for t in tasks] == ["done", "open"]
    assert tasks[1].assigned_agent_id != tasks[0].assigned_agent_id


def test_failed_message_can_be_retried(app, page):
    from clientcenter.models import OutboxMessage

    with app.db() as db:
        db.add(
            OutboxMessage(
                dedupe_key="cc-e2e-failed",
                channel="email",
                recipient_kind="customer",
                to_address="nobody@bounce.example",
                template="action_customer",
                subject="Your request",
                body_text="x",
                status="failed",
                attempts=8,
                last_error="550 mailbox unavailable",
                account_id=_account_id(app, KIM),
            )
        )
        db.commit()
    app.log_in(page, AGENT, agent=True)
    page.goto(app.url + "/agent/outbox")
    message = page.locator(".failed-message")
    expect(message).to_contain_text("550 mailbox unavailable")
    screenshot(page, "agent-outbox")
    message.locator(".outbox-retry").click()
    expect(page.locator("#outbox-notice")).to_contain_text("Queued again")
    with app.db() as db:
        row = db.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == "cc-e2e-failed")
        ).one()
    assert row.attempts < 8 and row.status != "failed"  # queued afresh (or already sent)


def test_payment_entry_points_start_the_payments_flows(app, page):
    from clientcenter.models import Payment, PaymentRequest

    rivera = _account_id(app, RIVERA)
    app.log_in(page, AGENT, agent=True)
    page.goto(f"{app.url}/agent/account/payments?id={rivera}")
    page.locator("label").filter(has_text="INV-").first.click()
    page.locator("#request-channel-email").click()
    page.locator("#payment-request-submit").click()
    expect(page.locator("#payments-notice")).to_contain_text("Payment request sent by email")
    page.locator("#otp-amount").fill("125.00")
    page.locator("#otp-memo").fill("Endorsement fee")
    page.locator("#otp-method").select_option("check")
    page.locator("#one-time-submit").click()
    expect(page.locator("#payments-notice")).to_contain_text("$125.00")
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-payments-done")
    with app.db() as db:
        assert (
            len(db.exec(select(PaymentRequest).where(PaymentRequest.account_id == rivera)).all())
            == 1
        )
        memos = db.exec(
            select(Payment.memo).where(Payment.account_id == rivera, Payment.invoice_id.is_(None))
        ).all()
    assert memos == ["Endorsement fee"]


def test_invite_to_client_center_from_the_info_pane(app, page):
    rivera = _account_id(app, RIVERA)
    app.log_in(page, AGENT, agent=True)
    page.goto(f"{app.url}/agent/account?id={rivera}")
    page.locator("#invite-button").click()
    panel = page.locator("#invite-panel")
    expect(panel).to_contain_text("Will be invited")
    expect(panel).to_contain_text("Not invited: not allowed to log in")
    screenshot(page, "agent-invite")
    page.locator("#send-invite").click()
    expect(page.locator("#account-notice")).to_contain_text(
        "Invitation sent to Pat Rivera <pat.rivera@example.com>, Sam Rivera"
    )
    expect(page.get_by_text(re.compile("Last invited to Client Center"))).to_be_visible()
    # Casey Quinn's account has no active policy: refused with the reason.
    page.goto(f"{app.url}/agent/account?id={_account_id(app, 'Casey Quinn')}")
    page.locator("#invite-button").click()
    page.locator("#send-invite").click()
    expect(page.locator("#account-error")).to_contain_text("no active policy")


def test_agent_shares_a_certificate_sees_its_download_and_revokes_the_link(app, page, browser):
    """Issue 11, item 10: the holder opens the emailed link with no login; the agent sees the
    download on the certificates page, revokes the link there, and the same link then opens
    the "not valid" page."""
    import httpx

    from clientcenter.models import OutboxMessage

    app.log_in(page, AGENT, agent=True)
    lee = _account_id(app, STUDIO)
    page.goto(f"{app.url}/agent/account/certificates?id={lee}")
    expect(page.locator("#holder-links")).to_contain_text("No certificate has been emailed")
    page.locator(".share-certificate-submit").first.click()
    expect(page.locator("#certificate-notice")).to_contain_text("Certificate sent to")
    row = page.locator(".holder-link").first
    expect(row.locator(".holder-link-status")).to_contain_text("Works until")
    with app.db() as db:
        body = db.exec(
            select(OutboxMessage.body_text).where(
                OutboxMessage.template == "certificate_to_holder"
            )
        ).one()
    link = re.search(r"https?://\S+/certificate/\S+", body).group(0)

    holder = httpx.get(link)  # the holder: no cookie, no login
    assert holder.status_code == 200 and holder.content.startswith(b"%PDF")
    page.reload()
    expect(row).to_contain_text("1 download(s)")
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-certificate-links")
    row.locator("[id^='revoke-link-']").click()
    expect(page.locator("#certificate-notice")).to_contain_text("no longer works")
    expect(row.locator(".holder-link-status")).to_contain_text("Revoked")
    expect(row.locator("[id^='revoke-link-']")).to_have_count(0)

    gone = browser.new_context().new_page()
    gone.goto(link)
    expect(gone.locator("h1")).to_have_text("This certificate link is not valid or has expired.")
    gone.context.close()
    with app.db() as db:
        keys = [
            a.action_key
            for a in db.exec(
                select(ActivityLog).where(ActivityLog.account_id == lee).order_by(ActivityLog.id)
            ).all()
        ]
    assert keys[-3:] == [
        "agency.share_certificate",
        "holder.certificate_download",
        "agency.revoke_certificate_link",
    ]
