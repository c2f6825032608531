"""The agency queue at desk width: titles in people's words, times on the agency's clock, and
Confirm received on a reported check closing its task."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.models import Contact, Invoice, Task
from tests.support.browser import assert_no_horizontal_scroll, screenshot
from tests.support.demo import AGENT, PAT, RIVERA
from tests.support.payments import key, open_invoice

SHOTS = Path("/tmp/shots-queues")


def _shot(page, name: str) -> None:
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_queue_reads_plainly_and_confirm_received_closes_the_task(app, page):
    from clientcenter.services.billing import pay_invoice
    from clientcenter.services.notify.activity import record_action
    from clientcenter.services.principal import Principal

    with app.db() as db:
        pat = db.exec(select(Contact).where(Contact.email == PAT)).one()
        customer = Principal.customer(pat.account_id, pat.id)
        for n in (1, 2):
            record_action(db, customer, "customer.upload_documents", summary=f"Uploaded Photo {n}")
        invoice = open_invoice(db, RIVERA)
        pay_invoice(db, customer, invoice.id, method="check", idempotency_key=key())
        db.commit()
        invoice_id = invoice.id

    page.set_viewport_size({"width": 1280, "height": 800})
    app.log_in(page, AGENT, agent=True)
    page.goto(app.url + "/agent/tasks")
    cards = page.locator(".task-card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Pat Rivera uploaded 2 documents")
    expect(cards.nth(1)).to_contain_text("Pat Rivera made a payment")
    expect(page.locator("body")).not_to_contain_text("Uploads document(s)")
    # The agency's clock (the demo's default, New York): "Dec 1, 2026, 6:04 PM EST".
    stamp = re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M E[SD]T")
    expect(cards.first).to_contain_text(stamp)
    assert_no_horizontal_scroll(page)
    _shot(page, "queues-agent-tasks-1280")

    cards.nth(1).locator(".task-confirm-received").click()
    expect(page.locator("#tasks-notice")).to_contain_text("Payment confirmed")
    expect(page.locator(".task-card")).to_have_count(1)
    with app.db() as db:
        assert db.get(Invoice, invoice_id).status in ("paid", "open")
        open_tasks = db.exec(select(Task).where(Task.status == "open")).all()
    assert [t.title for t in open_tasks] == ["Pat Rivera uploaded 2 documents"]
    _shot(page, "queues-agent-tasks-confirmed-1280")
