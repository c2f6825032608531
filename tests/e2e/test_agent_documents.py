"""Documents from the agency side, in the browser: at desk size an agent uploads a PDF to an
account's policy as a draft and publishes it; at phone size the customer then sees it in
Documents. An internal note uploaded beside it never reaches the customer."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.models import Account, ActivityLog, Document
from tests.support.browser import assert_no_horizontal_scroll, look, screenshot
from tests.support.demo import AGENT, PAT, RIVERA
from tests.support.files import sample_pdf

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _upload(page, tmp_path, name: str, title: str, kind: str, *, internal: bool = False):
    path = tmp_path / name
    path.write_bytes(sample_pdf(title))
    page.locator("#agent-document-title").fill(title)
    page.locator("#agent-document-kind").select_option(value=kind)
    if internal:
        page.locator("#agent-document-visibility-internal").check()
    else:
        page.locator("#agent-document-visibility-shared").check()
    page.locator("#agent-document-file input[type=file]").set_input_files(str(path))


def test_agent_uploads_publishes_and_the_customer_sees_it(app, page, tmp_path):
    with app.db() as db:
        rivera = db.exec(select(Account).where(Account.name == RIVERA)).one()
    page.set_viewport_size(DESKTOP)
    app.log_in(page, AGENT, agent=True)
    page.goto(f"{app.url}/agent/account?id={rivera.id}")
    expect(page.locator("#account-name")).to_have_text(RIVERA)
    section = page.locator("#documents")
    expect(section.locator(".agent-document").first).to_be_visible()  # the demo's documents
    page.locator("#agent-document-policy").select_option(index=1)  # the first policy
    _upload(page, tmp_path, "endorsement.pdf", "Added driver endorsement", "endorsement")
    expect(page.locator("#documents-notice")).to_contain_text("as a draft")
    row = section.locator(".agent-document", has_text="Added driver endorsement")
    expect(row).to_contain_text("Draft")
    _upload(page, tmp_path, "notes.pdf", "Call notes", "internal_note", internal=True)
    expect(page.locator("#documents-notice")).to_contain_text("internal to the agency")
    note = section.locator(".agent-document", has_text="Call notes")
    expect(note).to_contain_text("Internal")
    expect(note.get_by_role("button", name="Publish")).to_have_count(0)
    assert_no_horizontal_scroll(page)
    section.scroll_into_view_if_needed()
    screenshot(page, "agent-account-documents")

    row.get_by_role("button", name="Publish").click()
    expect(page.locator("#documents-notice")).to_contain_text("Published 1 document")
    expect(row).to_contain_text("Published")
    expect(row.get_by_role("button", name="Publish")).to_have_count(0)
    screenshot(page, "agent-account-documents-published")
    with app.db() as db:
        doc = db.exec(select(Document).where(Document.title == "Added driver endorsement")).one()
        assert doc.shared_with_customer and not doc.internal and doc.policy_id is not None
        keys = db.exec(
            select(ActivityLog.action_key)
            .where(ActivityLog.account_id == rivera.id)
            .order_by(ActivityLog.id)
        ).all()
    assert keys[-3:] == [
        "agency.upload_document",
        "agency.upload_document",
        "agency.publish_policies_invoices",
    ]

    # The agent's page at phone size too.
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-account-documents-phone")

    # The customer, on a phone.
    page.context.clear_cookies()
    app.log_in(page, PAT)
    page.goto(f"{app.url}/documents")
    expect(page.get_by_text("Added driver endorsement")).to_be_visible()
    expect(page.get_by_text("Call notes")).to_have_count(0)
    look(page, "customer-documents-after-publish")
