"""Requests, certificates, proposals, referral, feedback, survey and integrations in Chromium
at 390x844: each page read on a phone, screenshotted, and checked for sideways scrolling."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta

from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.settings import PROJECT_ROOT
from tests.support.browser import look
from tests.support.demo import AGENT, JORDAN, PAT, RIVERA, STUDIO


def test_change_request_reaches_my_requests_and_the_agent(app, page):
    from clientcenter.models import ChangeRequest, DevMailboxMessage

    app.log_in(page, PAT)
    page.goto(app.url + "/requests")
    expect(page.locator("#requests-heading")).to_have_text("Requests")
    expect(page.locator("#no-requests")).to_be_visible()
    look(page, "requests-hub")

    page.locator("#new-personal").click()
    expect(page.locator("#form-chooser")).to_be_visible()
    look(page, "requests-personal-chooser")
    page.locator("#choose-vehicle_add").click()
    form = page.locator("#rq-vehicle_add-form")
    expect(form).to_be_visible()
    form.locator("select[name=policy_id]").select_option(index=1)
    form.locator("[name=year]").fill("2022")
    form.locator("[name=make]").fill("Honda")
    form.locator("[name=model]").fill("CR-V EX")
    form.locator("[name=vin]").fill("1HGCM82633A00435")  # one short: refused
    form.locator("select[name=usage]").select_option("commute")
    form.locator("[name=effective_date]").fill(date.today().isoformat())
    page.locator("#rq-vehicle_add-submit").click()
    expect(page.locator("#error-vin")).to_contain_text("17 characters")
    expect(form.locator("[name=make]")).to_have_value("Honda")  # what was typed stays
    look(page, "requests-vehicle-add-error")
    form.locator("[name=vin]").fill("1HGCM82633A004352")
    page.locator("#rq-vehicle_add-submit").click()

    confirmation = page.locator("#request-confirmation")
    expect(confirmation).to_be_visible()
    reference = page.locator("#sent-reference").inner_text().strip()
    assert re.fullmatch(r"CR-[2-9A-HJ-NP-Z]{6}", reference)
    expect(page.locator("#no-change-notice")).to_contain_text(
        "Nothing about your coverage changes"
    )
    look(page, "requests-confirmation")

    page.locator("#see-my-requests").click()
    mine = page.locator("#my-requests")
    expect(mine).to_contain_text(reference)
    expect(mine).to_contain_text("Received")
    expect(mine).to_contain_text("Add a vehicle: 2022 Honda CR-V EX")
    look(page, "requests-my-requests")

    with app.db() as s:
        request = s.exec(select(ChangeRequest).where(ChangeRequest.reference == reference)).one()
        assert request.kind == "personal" and request.subtype == "vehicle_add"
    # The relay delivers the outbox the way an operator runs it; the dev mailbox keeps it.
    subprocess.run(
        [sys.executable, "-m", "clientcenter.cli", "relay", "--once"],
        env=app.env,
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    with app.db() as s:
        to_agent = s.exec(
            select(DevMailboxMessage).where(DevMailboxMessage.to_address == AGENT)
        ).all()
        mail = [m for m in to_agent if reference in m.body_text]
        assert len(mail) == 1, [m.subject for m in to_agent]
        assert mail[0].subject == "Pat Rivera asked to add a vehicle · Pat & Sam Rivera"
        assert "2022 Honda CR-V EX" in mail[0].body_text
        to_pat = s.exec(select(DevMailboxMessage).where(DevMailboxMessage.to_address == PAT)).all()
        assert any(reference in m.body_text for m in to_pat)


def test_business_change_contact_us_and_general_request(app, page):
    app.log_in(page, JORDAN, STUDIO)
    page.goto(app.url + "/home")  # a business is offered a business's changes
    expect(page.locator("#menu-requests")).to_contain_text("Locations, equipment, payroll")
    expect(page.locator("#menu-requests")).not_to_contain_text("drivers")
    page.goto(app.url + "/requests")
    expect(page.locator("#new-commercial")).to_be_visible()
    expect(page.locator("#new-personal")).to_have_count(0)
    page.locator("#new-commercial").click()
    page.locator("#choose-payroll").click()
    form = page.locator("#rq-payroll-form")
    form.locator("[name=full_time]").fill("6")
    form.locator("[name=part_time]").fill("2")
    form.locator("[name=annual_payroll]").fill("410,000")
    form.locator("[name=effective_date]").fill(date.today().isoformat())
    look(page, "requests-commercial-payroll")
    page.locator("#rq-payroll-submit").click()
    expect(page.locator("#sent-reference")).to_have_text(re.compile(r"CR-\w{6}"))

    page.goto(app.url + "/contact")
    expect(page.locator("#contact-card")).to_be_visible()
    expect(page.locator("#help-center")).to_be_visible()
    form = page.locator("#rq-message-form")
    form.locator("select[name=topic]").select_option("billing")
    form.locator("[name=message]").fill("Can I move my payment date?")
    form.locator("select[name=reply_by]").select_option("email")
    look(page, "contact-us")
    page.locator("#rq-message-submit").click()
    expect(page.locator("#sent-reference")).to_have_text(re.compile(r"HC-\w{6}"))

    page.goto(app.url + "/requests/general")
    form = page.locator("#rq-general-form")
    form.locator("[name=subject]").fill("Renewal meeting")
    form.locator("[name=message]").fill("Could we meet in March?")
    from tests.support.files import sample_pdf

    page.locator("#request-attachment input[type=file]").set_input_files(
        files=[
            {
                "name": "payroll-report.pdf",
                "mimeType": "application/pdf",
                "buffer": sample_pdf("Payroll report"),
            }
        ]
    )
    expect(page.locator("#attachment-name")).to_have_text("payroll-report.pdf", timeout=15000)
    look(page, "requests-general-attachment")
    page.locator("#rq-general-submit").click()
    expect(page.locator("#sent-reference")).to_have_text(re.compile(r"GR-\w{6}"))
    page.goto(app.url + "/requests")
    expect(page.locator(".request-card")).to_have_count(3)
    from clientcenter.models import ChangeRequest, Document

    with app.db() as s:
        general = s.exec(select(ChangeRequest).where(ChangeRequest.kind == "general")).one()
        attached = s.get(Document, general.attachment_document_id)
        assert attached.filename == "payroll-report.pdf"
        assert attached.account_id == general.account_id


def test_read_only_agent_sees_forms_but_cannot_send(app, page):
    app.log_in(page, AGENT, RIVERA, agent=True)
    page.goto(app.url + "/requests/general")
    expect(page.locator("#read-only-banner")).to_be_visible()
    expect(page.locator("#rq-general-submit")).to_be_disabled()


def test_certificates_page(app, page):
    app.log_in(page, JORDAN, STUDIO)
    page.goto(app.url + "/certificates")
    expect(page.locator(".certificate-card")).to_have_count(2)
    look(page, "certificates")
    with page.expect_download() as download:
        page.locator(".certificate-download").first.click()
    assert download.value.suggested_filename.startswith("Certificate")
    assert download.value.path().read_bytes().startswith(b"%PDF")

    form = page.locator("#holder-form")
    form.locator("[name=name]").fill("Harbor Lofts LLC")
    form.locator("[name=street]").fill("1 Commercial Street")
    form.locator("[name=city]").fill("Portland")
    form.locator("[name=state]").fill("ME")
    form.locator("[name=postal_code]").fill("04101")
    page.locator("#holder-submit").click()
    # A generous wait: this box is shared by several builds and browsers at once.
    expect(page.locator("#holder-added")).to_contain_text("Harbor Lofts LLC", timeout=15000)
    expect(page.locator(".holder-row")).to_have_count(3)

    form = page.locator("#certificate-request-form")
    form.locator("select[name=holder_id]").select_option(label="Harbor Lofts LLC")
    form.locator("[name=operations]").fill("Interior design at 1 Commercial Street")
    form.locator("[name=due_date]").fill((date.today() + timedelta(days=5)).isoformat())
    page.locator("#certificate-submit").click()
    expect(page.locator("#certificate-reference")).to_have_text(re.compile(r"CT-\w{6}"))
    look(page, "certificates-after")


def test_proposal_accept(app, page):
    from clientcenter.models import Proposal

    with app.db() as s:
        proposal_id = s.exec(select(Proposal.id)).first()
    app.log_in(page, PAT)
    page.goto(app.url + f"/proposals/{proposal_id}")
    expect(page.locator("#proposal-title")).to_contain_text("Umbrella")
    expect(page.locator(".coverage-row")).to_have_count(1)
    look(page, "proposal")
    page.locator("#decision-submit").click()
    expect(page.locator("#error-decision")).to_contain_text("Choose your answer")
    page.locator("label[for=decision-accept]").click()
    page.locator("#decision-comment").fill("Let's do it.")
    page.locator("#decision-submit").click()
    expect(page.locator("#decision-done")).to_contain_text("accepted")
    expect(page.locator("#proposal-status")).to_have_text("Accepted")
    expect(page.locator("#decision-form")).to_have_count(0)
    look(page, "proposal-accepted")


def test_referral_feedback_and_claim_survey(app, page):
    from clientcenter.models import Claim, ClaimSurvey, Feedback, Referral

    app.log_in(page, PAT)
    page.goto(app.url + "/refer")
    form = page.locator("#referral-form")
    form.locator("[name=friend_name]").fill("Dana Shore")
    page.locator("#referral-submit").click()
    expect(page.locator("#error-friend_email")).to_contain_text("email address or a phone")
    form.locator("[name=friend_phone]").fill("(207) 555-0188")
    page.locator("#referral-submit").click()
    expect(page.locator("#referral-done")).to_contain_text("Dana Shore")
    look(page, "referral")

    page.goto(app.url + "/feedback")
    page.locator("label[for=rating-5]").click()
    page.locator("#feedback-comment").fill("Easy to use on my phone.")
    look(page, "feedback")
    page.locator("#feedback-submit").click()
    expect(page.locator("#feedback-done")).to_be_visible()

    with app.db() as s:
        claim = s.exec(select(Claim).where(Claim.status == "closed")).first()
    page.goto(app.url + f"/claims/{claim.id}/survey")
    expect(page.locator("#survey-claim")).to_contain_text(claim.number)
    page.locator("label[for=rating-4]").click()
    page.locator("label[for=speed-5]").click()
    look(page, "claim-survey")
    page.locator("#survey-submit").click()
    expect(page.locator("#survey-done")).to_be_visible()

    with app.db() as s:
        assert s.exec(select(Referral)).one().friend_phone == "+12075550188"
        assert s.exec(select(Feedback)).one().rating == 5
        survey = s.exec(select(ClaimSurvey)).one()
        assert survey.rating == 4 and survey.answers == {"speed": 5}


def test_integration_click_is_recorded_then_redirects(app, page):
    """A real tap on the link: Chromium says the navigation is same-origin, so /go records it
    and redirects (a request from elsewhere would get the "Continue to …" page instead)."""
    from clientcenter.models import ActivityLog, IntegrationLink

    app.log_in(page, PAT)
    page.goto(app.url + "/contact")
    links = page.locator(".integration-cross_sell")
    expect(links.first).to_be_visible()
    href = links.first.get_attribute("href")
    assert re.fullmatch(r"/go/\d+", href)
    with app.db() as s:
        link = s.get(IntegrationLink, int(href.rsplit("/", 1)[1]))
    # The destination is another site (no network here): answer for it.
    page.context.route(
        link.url, lambda route: route.fulfill(body="quote form", content_type="text/plain")
    )
    with page.expect_popup() as opened:
        links.first.click()
    popup = opened.value
    popup.wait_for_url(link.url)
    with app.db() as s:
        logged = s.exec(
            select(ActivityLog).where(ActivityLog.action_key == "customer.cross_sell_integration")
        ).one()
        assert logged.details["link_id"] == link.id
    anonymous = page.context.browser.new_context().request.get(app.url + href, max_redirects=0)
    assert anonymous.status == 303 and anonymous.headers["location"].startswith("/?")


def test_home_offers_the_self_service_menu(app, page):
    app.log_in(page, PAT)
    page.goto(app.url + "/home")
    menu = page.locator("#self-service-menu")
    expect(menu.locator("#menu-requests")).to_contain_text("Vehicles, drivers")  # a household's
    expect(menu.locator("#menu-proposal")).to_be_visible()  # the Riveras' open proposal
    expect(menu.locator("#rate-claim")).to_be_visible()  # their closed claim
    expect(menu.locator("#menu-certificates")).to_have_count(0)  # a personal account
    expect(page.locator("#integrations-card")).to_contain_text("Get a boat quote")
    menu.scroll_into_view_if_needed()
    look(page, "home-with-menu")
    menu.locator("#menu-proposal").click()
    expect(page.locator("#proposal-title")).to_contain_text("Umbrella")
