"""The agency side on a desk and on a phone, from one render: at 1280x800 the side navigation,
who is signed in with Sign out in the header, and the info pane in columns with every
section's heading above the fold; at 390x844 the phone layout with its tab bar. Also what
WCAG 2.4.11 asks of the fixed bars: a focused element is never hidden behind the tab bar or
the sticky header, and the read-only banner stays in view while the page scrolls."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from clientcenter.models import Account
from tests.support.a11y import record
from tests.support.browser import assert_no_horizontal_scroll
from tests.support.demo import AGENT, RIVERA

DESK = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LOAD_MS = 20_000  # the info pane's first load, on a busy machine
PANE_SECTIONS = ["contacts", "policies", "open-invoices", "open-tasks", "recent-activity"]


def _account_url(app) -> str:
    with app.db() as db:
        rivera = db.exec(select(Account.id).where(Account.name == RIVERA)).one()
    return f"{app.url}/agent/account?id={rivera}"


def _box(page, selector: str) -> dict:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not laid out"
    return box


def _assert_clean(page, state: str) -> None:
    found = record(page, state)
    assert not found.blocking, f"{state}:\n" + "\n".join(found.blocking)


def test_the_agency_side_uses_the_desk_at_1280(app, page):
    page.set_viewport_size(DESK)
    app.log_in(page, AGENT, agent=True)
    page.goto(_account_url(app))
    expect(page.locator("#account-name")).to_have_text(RIVERA, timeout=LOAD_MS)

    # Side navigation instead of the tab bar: one visible nav of the sections.
    expect(page.locator("#side-nav")).to_be_visible()
    expect(page.locator("#bottom-nav")).to_be_hidden()
    side = page.locator("#side-nav")
    expect(side.get_by_role("link")).to_have_count(5)  # the administrator sees every section
    expect(side.locator("a[aria-current=page]")).to_have_text("Search")
    assert _box(page, "#side-nav")["x"] == 0
    assert _box(page, "main")["x"] >= _box(page, "#side-nav")["width"]

    # Who is signed in, and Sign out, in the header.
    header = page.locator("header")
    expect(header.locator("#signed-in-name")).to_have_text("Signed in as Alex Morgan")
    expect(header.locator("#signed-in-name")).to_be_visible()
    expect(header.locator("#header-sign-out")).to_be_visible()
    assert _box(page, "header")["width"] == DESK["width"]  # across the window, not a column

    # The info pane in columns: every section's heading above the fold.
    lefts = set()
    for section in PANE_SECTIONS:
        heading = _box(page, f"#{section} h2")
        assert heading["y"] + heading["height"] <= DESK["height"], (section, heading)
        lefts.add(round(_box(page, f"#{section}")["x"]))
    assert len(lefts) == 3, lefts  # three columns at 1280
    assert _box(page, "#pane-columns")["width"] > 900
    assert_no_horizontal_scroll(page)
    # The landmarks are real elements, one of each in view.
    for landmark in ("header", "main", "footer"):
        expect(page.locator(landmark)).to_have_count(1)
    expect(page.locator("nav:visible")).to_have_count(1)
    _assert_clean(page, "desk-account-1280")

    # The other desk pages keep a readable column beside the navigation.
    for path, state in [("/agent", "desk-search-1280"), ("/agent/tasks", "desk-tasks-1280")]:
        page.goto(app.url + path)
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("#side-nav")).to_be_visible()
        assert 600 <= _box(page, "main")["width"] <= 900
        assert_no_horizontal_scroll(page)
        _assert_clean(page, state)

    # Sign out from the header ends the session: the agent pages send you to log in again.
    page.locator("#header-sign-out").click()
    expect(page).to_have_url(re.compile(r"signed_out=logout"))  # where More's Sign out lands
    page.goto(app.url + "/agent/tasks")
    # Refused to the agents' login page, coming back to the tasks after.
    expect(page).to_have_url(re.compile(r"/agent/login/?\?signed_out=login&next=/agent/tasks"))
    expect(page.locator("#side-nav")).to_have_count(0)


def test_the_phone_keeps_the_tab_bar(app, page):
    page.set_viewport_size(PHONE)
    app.log_in(page, AGENT, agent=True)
    page.goto(_account_url(app))
    expect(page.locator("#account-name")).to_have_text(RIVERA, timeout=LOAD_MS)
    expect(page.locator("#bottom-nav")).to_be_visible()
    expect(page.locator("#side-nav")).to_be_hidden()
    expect(page.locator("#signed-in")).to_be_hidden()
    expect(page.locator("nav:visible")).to_have_count(1)
    # One column: every section starts at the same left edge.
    assert len({round(_box(page, f"#{s}")["x"]) for s in PANE_SECTIONS}) == 1
    assert_no_horizontal_scroll(page)
    _assert_clean(page, "desk-account-390")
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(PHONE)
    page.goto(app.url + "/agent")
    expect(page.locator("#bottom-nav")).to_be_visible()
    assert_no_horizontal_scroll(page)
    _assert_clean(page, "desk-search-390")


# In the page: whether the focused element lies clear of the sticky header (and banner) and
# the fixed tab bar; elements inside those bars are in view by definition.
_FOCUS_CLEAR = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {clear: true, what: 'body'};
  const bar = document.getElementById('bottom-nav');
  const top = document.querySelector('header').parentElement;
  if ((bar && bar.contains(el)) || top.contains(el) || el.id === 'skip-link')
    return {clear: true, what: el.id};
  const r = el.getBoundingClientRect();
  const barTop = bar && getComputedStyle(bar).display !== 'none'
    ? bar.getBoundingClientRect().top : innerHeight;
  const topBottom = top.getBoundingClientRect().bottom;
  return {clear: r.top >= topBottom - 1 && r.bottom <= barTop + 1,
          what: (el.id || el.tagName) + ' ' + el.textContent.trim().slice(0, 30),
          top: r.top, bottom: r.bottom, barTop, topBottom};
}
"""


def _tab_through(page, stops: int) -> int:
    """Tab ``stops`` times; every focused element must be in view. Returns how many focused
    elements started out behind a bar or below the fold (so the walk tested something)."""
    scrolled = 0
    for _ in range(stops):
        y = page.evaluate("scrollY")
        page.keyboard.press("Tab")
        where = page.evaluate(_FOCUS_CLEAR)
        assert where["clear"], where
        scrolled += page.evaluate("scrollY") != y
    return scrolled


def test_focus_is_never_hidden_behind_the_tab_bar_or_the_header(app, page):
    page.set_viewport_size(PHONE)
    app.log_in(page, AGENT, agent=True)
    page.goto(_account_url(app))
    expect(page.locator("#account-name")).to_have_text(RIVERA, timeout=LOAD_MS)
    page.locator("#skip-link").focus()
    assert _tab_through(page, 40) > 3  # the walk went down the page, scrolling as it went
    # And back up: Shift+Tab scrolls up, clear of the sticky header.
    for _ in range(20):
        page.keyboard.press("Shift+Tab")
        where = page.evaluate(_FOCUS_CLEAR)
        assert where["clear"], where


def test_the_read_only_banner_stays_in_view_while_scrolling(app, page):
    page.set_viewport_size(PHONE)
    app.log_in(page, AGENT, agent=True)
    page.goto(_account_url(app))
    expect(page.locator("#account-name")).to_have_text(RIVERA, timeout=LOAD_MS)
    page.locator("#open-client-center").click()
    expect(page).to_have_url(re.compile(r"/home/?$"))
    banner = page.locator("#read-only-banner")
    expect(banner).to_be_visible()
    page.goto(app.url + "/policies")
    expect(banner).to_be_visible()
    expect(page.locator("h1")).to_have_count(1)
    header_bottom = _box(page, "header")["y"] + _box(page, "header")["height"]
    # A long page (how long the customer's pages are is not this test's business).
    page.evaluate(
        "document.getElementById('main').insertAdjacentHTML('beforeend',"
        " '<div style=\"height: 2000px\"></div>')"
    )
    scrollable = page.evaluate("document.documentElement.scrollHeight - innerHeight")
    assert scrollable > 1000
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("scrollY > 1000")
    box = _box(page, "#read-only-banner")
    assert abs(box["y"] - header_bottom) <= 1, box  # right under the header, still in view
    expect(page.locator("#leave-read-only")).to_be_in_viewport()
    # Focus does not hide behind the banner either.
    page.locator("#skip-link").focus()
    _tab_through(page, 15)
