"""Home, policies, documents and ID cards on a phone (390x844), end to end in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.models import ActivityLog, Document, OutboxMessage, Policy, Vehicle
from tests.support.browser import assert_no_horizontal_scroll, screenshot
from tests.support.demo import AGENT, LEE, PAT, RIVERA, account_named
from tests.support.files import EXE_HEAD, PNG_1PX, pdf_text


def _auto_policy(app, account=RIVERA):
    with app.db() as db:
        acc = account_named(db, account)
        policy = db.exec(
            select(Policy).where(Policy.account_id == acc.id, Policy.line == "auto")
        ).one()
        vehicles = db.exec(
            select(Vehicle).where(Vehicle.policy_id == policy.id).order_by(Vehicle.id)
        ).all()
        return policy, vehicles


def _check_phone_widths(page, name: str) -> None:
    assert_no_horizontal_scroll(page)
    screenshot(page, f"{name}-390")
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)
    screenshot(page, f"{name}-320")
    page.set_viewport_size({"width": 390, "height": 844})


def test_home_shows_active_policies_first_and_past_apart(app, page):
    app.log_in(page, PAT)
    page.goto(app.url + "/home")
    expect(page.locator("#home-heading")).to_have_text("Hi, Pat")
    current = page.locator("#current-policies .policy-card")
    expect(current).to_have_count(2)
    expect(current.nth(0)).to_contain_text("Homeowners")
    expect(current.nth(1)).to_contain_text("Personal Auto")
    expect(current.nth(1)).to_contain_text("Active")
    past = page.locator("#past-policies .policy-card")
    expect(past).to_have_count(1)
    expect(past.first).to_contain_text("Expired")
    expect(page.locator("#quick-billing")).to_contain_text("due")
    _check_phone_widths(page, "home")


def test_policy_page_and_id_card_pdf_with_the_vin(app, page):
    policy, vehicles = _auto_policy(app)
    app.log_in(page, PAT)
    page.goto(app.url + "/policies")
    page.locator(".policy-card", has_text="Personal Auto").click()
    expect(page).to_have_url(re.compile(rf"/policies/{policy.id}$"))
    expect(page.locator("#policy-heading")).to_have_text("Personal Auto")
    expect(page.locator(".coverage-row").first).to_contain_text("Bodily Injury Liability")
    expect(page.locator(".vehicle-row")).to_have_count(len(vehicles))
    expect(page.locator(".driver-row")).to_have_count(2)
    _check_phone_widths(page, "policy-auto")

    # Choose the second vehicle only.
    page.locator(".card-choice", has_text=vehicles[1].make).click()
    with page.expect_download() as info:
        page.locator("#download-selected-cards").click()
    download = info.value
    assert download.suggested_filename == f"ID-cards-{policy.number}-{vehicles[1].make}.pdf"
    data = Path(download.path()).read_bytes()
    text = pdf_text(data)
    assert data.startswith(b"%PDF") and vehicles[1].vin in text and vehicles[0].vin not in text
    with page.expect_download() as info:
        page.locator("#download-all-cards").click()
    every = pdf_text(Path(info.value.path()).read_bytes())
    assert all(v.vin in every for v in vehicles)
    with app.db() as db:
        keys = db.exec(select(ActivityLog.action_key)).all()
    assert keys.count("customer.id_card_download") == 2


def test_another_accounts_policy_url_shows_nothing(app, page):
    jordan_auto, _ = _auto_policy(app, LEE)
    app.log_in(page, PAT)
    page.goto(app.url + f"/policies/{jordan_auto.id}")
    expect(page.get_by_role("alert")).to_contain_text("couldn't find that policy")
    expect(page.locator("body")).not_to_contain_text(jordan_auto.number)


def test_documents_upload_then_download_end_to_end(app, page, tmp_path):
    app.log_in(page, PAT)
    page.goto(app.url + "/documents")
    expect(page.locator(".document-row").first).to_be_visible()
    _check_phone_widths(page, "documents")
    # "Send" beside the heading is one link to the upload card, further down the phone's page.
    jump = page.locator("#jump-to-upload")
    assert jump.get_attribute("href") == "#upload-card"
    expect(page.locator("#upload-card")).not_to_be_in_viewport()
    jump.click()
    expect(page.locator("#upload-card")).to_be_in_viewport()

    # A program disguised as a PDF is refused, with the reason, and nothing is stored.
    fake = tmp_path / "statement.pdf"
    fake.write_bytes(EXE_HEAD)
    page.locator("#upload-file input[type=file]").set_input_files(str(fake))
    expect(page.locator("#upload-error")).to_contain_text("can't be uploaded")

    real = tmp_path / "window-sticker.pdf"
    from tests.support.files import sample_pdf

    real.write_bytes(sample_pdf("Window sticker for the new car"))
    page.locator("#upload-title").fill("New car window sticker")
    page.locator("#upload-file input[type=file]").set_input_files(str(real))
    expect(page.locator("#upload-notice")).to_contain_text("New car window sticker")
    first = page.locator(".document-row").first
    expect(first).to_contain_text("New car window sticker")
    expect(first).to_contain_text("Your upload")
    screenshot(page, "documents-uploaded-390")

    with page.expect_download() as info:
        first.locator(".download-document").click()
    download = info.value
    assert download.suggested_filename == "window-sticker.pdf"
    assert Path(download.path()).read_bytes() == real.read_bytes()

    with app.db() as db:
        docs = db.exec(select(Document).where(Document.category == "customer_upload")).all()
        assert [d.title for d in docs] == ["New car window sticker"]
        assert docs[0].filename == "window-sticker.pdf" and docs[0].storage_key.isalnum()
        keys = db.exec(select(ActivityLog.action_key)).all()
        assert keys.count("customer.upload_documents") == 1
        assert keys.count("customer.download_documents") == 1
        agent_mail = db.exec(
            select(OutboxMessage).where(
                OutboxMessage.recipient_kind == "agent",
                OutboxMessage.template != "staff_invite",  # the demo agents' invitations
            )
        ).all()
        assert [m.to_address for m in agent_mail] == [AGENT]


def test_documents_filter_search_and_id_cards(app, page):
    policy, vehicles = _auto_policy(app)
    app.log_in(page, PAT)
    page.goto(app.url + f"/documents?policy={policy.id}")
    rows = page.locator(".document-row")
    expect(rows.first).to_contain_text(policy.number)
    for text in rows.all_inner_texts():
        assert policy.number in text
    page.locator("#document-search").fill("invoice")
    page.locator("#document-search").press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Invoice")
    page.locator("#document-search").fill("nothing like this")
    page.locator("#document-search").press("Enter")
    expect(page.locator("#no-documents")).to_contain_text("No documents match")
    page.get_by_role("button", name="Show all documents").click()
    expect(rows.first).to_be_visible()

    cards = page.locator("#id-cards").locator("xpath=ancestor::div[contains(@class,'rt-Card')]")
    expect(cards).to_contain_text(vehicles[0].vin)
    with page.expect_download() as info:
        page.locator(".download-card").first.click()
    assert vehicles[0].vin in pdf_text(Path(info.value.path()).read_bytes())


def test_agent_read_only_view_downloads_but_cannot_upload(app, page):
    app.log_in(page, AGENT, RIVERA, agent=True)
    page.goto(app.url + "/documents")
    expect(page.locator("#read-only-banner")).to_be_visible()
    expect(page.locator(".document-row").first).to_be_visible()
    expect(page.locator("#upload-card")).to_have_count(0)
    with page.expect_download():
        page.locator(".download-document").first.click()
    screenshot(page, "documents-read-only-390")
    with app.db() as db:
        entry = db.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "agent.download_documents" and entry.read_only


def test_photo_upload_shows_progress_and_size_limit(app, page, tmp_path):
    app.log_in(page, PAT)
    page.goto(app.url + "/documents")
    camera = page.locator("#upload-photo input[type=file]")
    # The photo button opens the rear camera on a phone.
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/*"

    # Too large: refused in the browser with the limit, nothing is sent.
    huge = tmp_path / "huge.png"
    huge.write_bytes(PNG_1PX + b"\0" * (10 * 1024 * 1024))
    camera.set_input_files(str(huge))
    expect(page.locator("#upload-error")).to_contain_text("too large")
    expect(page.locator("#upload-error")).to_contain_text("10 MB")
    # Reflex still posts the (empty) accepted list; a second pick while that request is open
    # would be ignored as "upload already in progress", so let it finish first.
    page.wait_for_load_state("networkidle")

    # A 2 MB photo on a slow connection: the progress bar shows while it goes up.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 20,
            "downloadThroughput": -1,
            "uploadThroughput": 600 * 1024,
        },
    )
    photo = tmp_path / "IMG_2041.png"
    photo.write_bytes(PNG_1PX + b"\0" * (2 * 1024 * 1024))
    camera.set_input_files(str(photo))
    expect(page.locator("#upload-progress")).to_be_visible()
    screenshot(page, "documents-uploading-390")
    expect(page.locator("#upload-notice")).to_contain_text("IMG_2041", timeout=45_000)
    expect(page.locator(".document-row").first).to_contain_text("Photo")
