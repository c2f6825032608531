"""The import page in Chromium: an agent (desk size) uploads a small export whose contacts
file names the customer id "Client Ref", maps that column by hand, previews, applies and
watches the progress bar finish; then the imported customer logs in with a code on a phone
(a new browser) and sees the imported policy and its declarations, which came in the same
zip (documents.csv and documents/)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from playwright.sync_api import expect

from clientcenter.services.imports.entities import ENTITIES
from tests.e2e.conftest import PHONE
from tests.support.browser import (
    HOME,
    assert_no_horizontal_scroll,
    code_for,
    enter_code,
    enter_email,
    screenshot,
)
from tests.support.demo import AGENT

CUSTOMER = "avery.import@example.org"
POLICY_NUMBER = "PA-7700001"
DOCUMENT_TITLE = "2026 Auto Declarations"
SAMPLE_PDF = Path(__file__).parents[2] / "docs/import-templates/documents/whitfield-auto-dec.pdf"
# The export, file by file, with one shared document on the policy.
EXPORT: dict[str, str | bytes] = {
    "accounts.csv": "Customer ID,Account Name,Type,City,ST,ZIP\r\n"
    "IMP1,Avery Lindqvist,personal,Portland,ME,04101\r\n",
    "contacts.csv": "Client Ref,Contact ID,First Name,Last Name,Email,Relationship\r\n"
    f"IMP1,K1,Avery,Lindqvist,{CUSTOMER},Primary\r\n",
    "policies.csv": "LookupCode,Policy ID,Pol #,Carrier,LOB,Eff Date,Exp Date,Status,Premium\r\n"
    f"IMP1,Q1,{POLICY_NUMBER},Casco Mutual,AUTOP,01/15/2026,01/15/2027,In Force,$812.00\r\n",
    "documents.csv": "customer_id,policy_id,kind,title,visibility,file_name\r\n"
    f"IMP1,Q1,declarations,{DOCUMENT_TITLE},shared,avery-auto-dec.pdf\r\n",
    "documents/avery-auto-dec.pdf": SAMPLE_PDF.read_bytes(),
}


def export_zip(files: dict[str, str | bytes] = EXPORT) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_an_agent_imports_an_export_and_its_customer_sees_the_policy(app, page, browser):
    page.set_viewport_size({"width": 1280, "height": 800})
    app.log_in(page, AGENT, agent=True)
    page.goto(app.url + "/agent/import")
    expect(page.locator("#page-title")).to_have_text("Import")
    expect(page.locator(".import-template")).to_have_count(len(ENTITIES))
    screenshot(page, "agent-import-1-upload-1280")

    page.locator("#import-files").set_input_files(
        [{"name": "book.zip", "mimeType": "application/zip", "buffer": export_zip()}]
    )
    page.locator("#import-upload-submit").click()
    page.wait_for_url(re.compile(r"/agent/import/?\?run=\d+$"))
    contacts = page.locator("#import-file-contacts")
    expect(contacts.get_by_role("alert")).to_contain_text(
        "required column missing: customer_id (unmatched columns: Client Ref)"
    )
    expect(page.locator("#import-preview")).to_be_disabled()
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-import-2-columns-1280")

    # The one column nothing matched: the agent maps it by hand.
    contacts.get_by_label("Client Ref").select_option("customer_id")
    expect(contacts.get_by_role("alert")).to_have_count(0)
    page.locator("#import-preview").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("Preview: what would happen")
    for entity in ("accounts", "contacts", "policies"):
        expect(page.locator(f"#import-count-{entity}")).to_contain_text(entity)
    expect(page.locator("#import-count-accounts td").first).to_have_text("1")
    expect(page.locator("#import-error-count")).to_have_text("No row refused.")
    expect(page.locator("#import-notify-count")).to_contain_text("No customer would be emailed")
    expect(page.locator("#import-status")).to_have_text("Previewed: ready to apply")
    screenshot(page, "agent-import-3-preview-1280")

    page.locator("#import-apply").click()
    progress = page.get_by_role("progressbar")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=30_000)
    expect(page.locator("#import-status")).to_have_text("Applied")
    expect(report).to_contain_text("Report")
    expect(page.locator("#import-notify-count")).to_have_text("Customers notified: 0")
    expect(page.locator(".import-recent")).to_have_count(1)
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-import-4-applied-1280")

    # The page reopened shows the last run as it ended.
    page.goto(app.url + "/agent/import")
    expect(page.locator("#import-status")).to_have_text("Applied")
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-import-5-applied-390")

    # The imported customer, on a phone, in a browser of their own.
    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        customer = phone.new_page()
        enter_email(customer, app, CUSTOMER)
        customer.locator("#login-by-email").click()
        enter_code(customer, code_for(customer, app, CUSTOMER))
        customer.wait_for_url(HOME)
        expect(customer.get_by_text(POLICY_NUMBER).first).to_be_visible()
        customer_sees_the_import(customer, app)
    finally:
        phone.close()


def customer_sees_the_import(page, app) -> None:
    """What the customer finds of the import beyond the home page: the policy in the list,
    and the imported declarations in Documents."""
    page.goto(app.url + "/policies")
    expect(page.get_by_text(POLICY_NUMBER).first).to_be_visible()
    screenshot(page, "agent-import-6-customer-policies-390")
    page.goto(app.url + "/documents")
    expect(page.get_by_text(DOCUMENT_TITLE).first).to_be_visible()
    screenshot(page, "agent-import-7-customer-documents-390")
