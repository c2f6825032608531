"""The audit trail in Chromium at 1280x800: an administrator filters the trail by agent, date
and kind, then exports a range as CSV (the file downloads, the page stays, cells a
spreadsheet would run are neutralised); a reversed range is refused on the page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.models import Account, Agent
from clientcenter.models.audit import AuditEvent
from tests.support.browser import assert_no_horizontal_scroll, screenshot
from tests.support.demo import AGENT, PRIYA, RIVERA


def _seed(app) -> None:
    with app.db() as db:
        alex = db.exec(select(Agent.id).where(Agent.email == AGENT)).one()
        priya = db.exec(select(Agent.id).where(Agent.email == PRIYA)).one()
        rivera = db.exec(select(Account.id).where(Account.name == RIVERA)).one()
        for day, agent, kind, action, summary in [
            (1, alex, "read", "info_pane.open", "Opened the info pane."),
            (1, priya, "write", "agency.share_document_email", '=HYPERLINK("x")'),
            (1, priya, "read", "search.run", "Searched: 1 found."),
            (2, priya, "read", "info_pane.open", "Opened the info pane."),
        ]:
            db.add(
                AuditEvent(
                    created_at=datetime(2026, 3, day, 10, tzinfo=UTC),
                    agent_id=agent,
                    account_id=rivera,
                    kind=kind,
                    action=action,
                    summary=summary,
                    client_ip="203.0.113.7",
                )
            )
        db.commit()


def test_an_administrator_filters_and_exports_the_trail(app, page):
    _seed(app)
    page.set_viewport_size({"width": 1280, "height": 800})
    app.log_in(page, AGENT, agent=True)
    page.goto(app.url + "/agent/more")
    page.locator("#audit-link").click()
    expect(page.locator("#page-title")).to_have_text("Audit trail")
    expect(page.locator(".audit-row")).to_have_count(4)
    with app.db() as db:
        priya = db.exec(select(Agent.id).where(Agent.email == PRIYA)).one()
    page.locator("#audit-agent").select_option(str(priya))
    page.locator("#audit-from").fill("2026-03-01")
    page.locator("#audit-to").fill("2026-03-01")
    page.locator("#audit-filter-submit").click()
    expect(page.locator(".audit-row")).to_have_count(2)
    expect(page.locator("#audit-count")).to_have_text("2 events")
    page.locator("#audit-kind").select_option("write")
    page.locator("#audit-filter-submit").click()
    expect(page.locator(".audit-row")).to_have_count(1)
    expect(page.locator(".audit-row")).to_contain_text("agency.share_document_email")
    expect(page.locator(".audit-row")).to_contain_text("203.0.113.7")
    assert_no_horizontal_scroll(page)
    screenshot(page, "agent-audit-filtered-1280")

    # A reversed range is refused on the page, and nothing downloads.
    page.locator("#export-from").fill("2026-03-02")
    page.locator("#export-to").fill("2026-03-01")
    page.locator("#audit-export-submit").click()
    expect(page.locator("#audit-export-error")).to_contain_text(
        "The end date is before the start date."
    )

    page.locator("#export-from").fill("2026-03-01")
    page.locator("#export-to").fill("2026-03-02")
    page.locator("#export-customers").check()
    with page.expect_download() as download_info:
        page.locator("#audit-export-submit").click()
    download = download_info.value
    assert download.suggested_filename == "audit-2026-03-01-to-2026-03-02.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    seeded = [r for r in rows if r["source"] == "audit" and r["action"] != "audit.export"]
    assert [r["action"] for r in seeded] == [
        "info_pane.open",
        "agency.share_document_email",
        "search.run",
        "info_pane.open",
    ]
    assert seeded[1]["summary"] == '\'=HYPERLINK("x")'
    # The page is still there, its tab alive.
    expect(page.locator("#audit-export-error")).to_have_count(0)
    page.locator("#audit-kind").select_option("")
    page.locator("#audit-filter-submit").click()
    expect(page.locator(".audit-row")).to_have_count(2)
    screenshot(page, "agent-audit-exported-1280")
