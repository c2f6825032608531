"""Proof of insurance on a phone (390x844): the installable app (manifest, service worker), the
ID card shown with the network off after one visit, logout clearing it, and a vehicle garaged
in New York getting the carrier's PDF and no generated card."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from playwright.sync_api import expect
from sqlmodel import select

from clientcenter import routes
from clientcenter.models import Document, Vehicle
from clientcenter.services.files import storage
from tests.support.a11y import record
from tests.support.browser import assert_no_horizontal_scroll
from tests.support.demo import PAT, RIVERA, policy_of

SHOTS = Path("/tmp/shots-wallet")

CARDS_SAVED = (
    "caches.open('cc-cards').then(c => c.match('" + routes.OFFLINE_CARDS_ROUTE + "'))"
    ".then(r => !!r)"
)


EXPIRE_SAVED_CARDS = (
    "caches.open('cc-cards').then(async c => {"
    " const url = '" + routes.OFFLINE_CARDS_ROUTE + "';"
    " const data = await (await c.match(url)).json();"
    " data.cards.forEach(card => { card.expires_on = '2000-01-01'; });"
    " await c.put(url, new Response(JSON.stringify(data),"
    " {headers: {'Content-Type': 'application/json'}})); })"
)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _open_cards_online(app, page) -> None:
    app.log_in(page, PAT)
    page.goto(app.url + routes.ID_CARD)
    expect(page.locator(".id-card")).to_have_count(2, timeout=30_000)
    # The worker registered at the root scope and kept the cards this page showed.
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == app.url.rstrip("/") + "/"
    page.wait_for_function(CARDS_SAVED, timeout=15_000)


def test_installable_and_the_card_shows_offline(app, page):
    manifest = page.request.get(app.url + routes.WEB_MANIFEST).json()
    assert manifest["display"] == "standalone" and manifest["icons"]
    _open_cards_online(app, page)
    href = page.locator("link[rel=manifest]").get_attribute("href")
    assert href == routes.WEB_MANIFEST
    with app.db() as db:
        auto = policy_of(db, RIVERA, "auto")
        vins = [v.vin for v in db.exec(select(Vehicle).where(Vehicle.policy_id == auto.id)).all()]
    first = page.locator(".id-card").first
    expect(first.locator(".carrier")).to_have_text(auto.carrier)
    expect(first).to_contain_text(auto.number)
    expect(first).to_contain_text(vins[0])
    assert_no_horizontal_scroll(page)
    _shot(page, "card-phone")
    found = record(page, "a11y-id-card")  # axe-core and the contrast walk
    assert not found.blocking, "\n".join(found.blocking)

    page.context.set_offline(True)
    try:
        page.goto(app.url + routes.ID_CARD)
        expect(page.locator("#saved-label")).to_contain_text("Saved ")
        expect(page.locator(".card")).to_have_count(2)
        expect(page.locator(".card").first).to_contain_text(vins[0])
        expect(page.locator(".card").first).to_contain_text(auto.number)
        assert_no_horizontal_scroll(page)
        _shot(page, "card-offline")
        # The installed app's start page offline: the same saved cards.
        page.goto(app.url + routes.CUSTOMER_HOME)
        expect(page.locator("#saved-label")).to_be_visible()
        # Once the term has ended (by the phone's date) the saved card is not shown.
        page.evaluate(EXPIRE_SAVED_CARDS)
        page.goto(app.url + routes.ID_CARD)
        expect(page.locator(".card")).to_have_count(0)
        expect(page.locator("main")).to_contain_text("term has ended")
    finally:
        page.context.set_offline(False)


def test_logout_clears_the_saved_cards(app, page):
    _open_cards_online(app, page)
    page.goto(app.url + routes.PROFILE)
    page.locator("#logout-button").click(timeout=30_000)
    page.wait_for_url("**/?signed_out=logout", timeout=30_000)
    assert not page.evaluate("caches.keys().then(keys => keys.includes('cc-cards'))"), (
        "the cards outlived the logout"
    )
    page.context.set_offline(True)
    try:
        try:
            page.goto(app.url + routes.ID_CARD)
        except Exception:  # noqa: BLE001 - no worker left at all: the browser's offline error
            return
        expect(page.locator("#saved-label")).to_have_count(0)
        expect(page.locator(".card")).to_have_count(0)
    finally:
        page.context.set_offline(False)


def _carrier_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Carrier-issued ID card")
    return bytes(pdf.output())


def test_new_york_vehicle_gets_the_carrier_pdf_and_no_generated_card(app, page):
    with app.db() as db:
        auto = policy_of(db, RIVERA, "auto")
        ny = db.exec(
            select(Vehicle).where(Vehicle.policy_id == auto.id).order_by(Vehicle.id)
        ).first()
        ny.garaging_state = "NY"
        stored = storage.save_bytes(_carrier_pdf())
        db.add(
            Document(
                account_id=auto.account_id,
                policy_id=auto.id,
                category="id_card",
                title="Progressive NY ID card",
                filename="ny-id-card.pdf",
                storage_key=stored.storage_key,
                content_type="application/pdf",
                size_bytes=stored.size_bytes,
                sha256=stored.sha256,
                shared_with_customer=True,
            )
        )
        db.commit()
        ny_vin = ny.vin
    app.log_in(page, PAT)
    page.goto(app.url + routes.ID_CARD)
    carrier_only = page.locator(".carrier-only")
    expect(carrier_only).to_contain_text("garaged in NY", timeout=30_000)
    expect(page.locator(".id-card")).to_have_count(1)  # the other vehicle's card only
    expect(page.locator(".id-card")).not_to_contain_text(ny_vin)
    with page.expect_download() as download:
        carrier_only.locator(".carrier-card").click()
    assert download.value.suggested_filename == "ny-id-card.pdf"
    _shot(page, "card-new-york")
    # What the phone keeps holds no card for the New York vehicle either.
    page.wait_for_function(CARDS_SAVED, timeout=15_000)
    kept = page.evaluate(
        "caches.open('cc-cards').then(c => c.match('"
        + routes.OFFLINE_CARDS_ROUTE
        + "')).then(r => r.json())"
    )
    assert [c["vin"] for c in kept["cards"]] != [] and ny_vin not in [
        c["vin"] for c in kept["cards"]
    ]
