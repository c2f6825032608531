"""Accessibility of the key pages in Chromium: axe-core finds nothing critical, serious or
moderate, every text passes WCAG AA contrast by our own computation (tests/support/a11y.py),
and a keyboard alone can sign in and start a change request."""

from __future__ import annotations

import re
from datetime import date

import pyotp
from playwright.sync_api import expect
from sqlmodel import select

from tests.support.a11y import TARGET_PX, record, small_targets, smallest_target
from tests.support.browser import HOME, code_for, screenshot, setup_link_for
from tests.support.demo import AGENT, JORDAN, PAT, RIVERA

DESKTOP = {"width": 1280, "height": 800}


def assert_clean(page, state: str) -> None:
    found = record(page, state)
    assert not found.blocking, f"{state}:\n" + "\n".join(found.blocking)


def test_login_home_and_a_change_request_pass_axe_and_contrast(app, page):
    page.goto(app.url + "/")
    expect(page.locator("#login-email")).to_be_visible()
    screenshot(page, "a11y-login")
    assert_clean(page, "a11y-login")

    app.log_in(page, PAT)
    page.goto(app.url + "/home")
    expect(page.locator("h1")).to_have_count(1)
    screenshot(page, "a11y-home")
    assert_clean(page, "a11y-home")

    page.goto(app.url + "/requests")
    page.locator("#new-personal").click()
    expect(page.locator("#form-chooser")).to_be_visible()
    assert_clean(page, "a11y-chooser")
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
    vin = form.locator("[name=vin]")
    expect(vin).to_have_attribute("aria-invalid", "true")
    expect(vin).to_have_attribute("aria-describedby", "error-vin")
    expect(form.locator("[name=make]")).to_have_attribute("aria-invalid", "false")
    screenshot(page, "a11y-change-request-errors")
    assert_clean(page, "a11y-change-request-errors")


def test_an_unknown_address_shows_a_page_with_its_heading(app, page):
    page.goto(app.url + "/no-such-page")
    expect(page.locator("h1")).to_have_text("Page not found")
    assert_clean(page, "a11y-not-found")


def test_agency_account_page_passes_axe_and_contrast(app, page):
    from clientcenter.models import Account

    with app.db() as db:
        rivera = db.exec(select(Account).where(Account.name == RIVERA)).one()
    page.set_viewport_size(DESKTOP)
    app.log_in(page, AGENT, agent=True)
    page.goto(f"{app.url}/agent/account?id={rivera.id}")
    expect(page.locator("#account-name")).to_have_text(RIVERA)
    assert_clean(page, "a11y-agent-account")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "a11y-agent-account-phone")
    assert_clean(page, "a11y-agent-account-phone")


def _focused(page) -> str:
    """What has the focus, for a failure message: tag, id and text."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return `${e.tagName}#${e.id} ${(e.innerText || '').slice(0, 30)}`; }"
    )


def _expect_focus(page, selector: str) -> None:
    """``selector`` has the focus, not <body>, once the step it belongs to has appeared."""
    try:
        expect(page.locator(selector)).to_be_focused()
    except AssertionError as missed:
        raise AssertionError(f"{selector} lacks the focus: {_focused(page)} has it") from missed


_FOCUS_HIDDEN_JS = """() => {
          const e = document.activeElement;
          if (e === document.body) return null;
          const r = e.getBoundingClientRect();
          const x = r.left + r.width / 2, y = r.top + Math.min(r.height / 2, 20);
          const name = `${e.tagName}#${e.id} at ${Math.round(r.top)}-${Math.round(r.bottom)}`;
          if (y < 0 || y > innerHeight) return `${name}: out of the window`;
          const top = document.elementFromPoint(x, y);
          if (!top || e.contains(top) || top.contains(e)) return null;
          const cover = top.closest('header, nav');
          return cover ? `${name}: under the ${cover.tagName} #${cover.id}` : null;
        }"""


def _focus_in_sight(page) -> None:
    """The focused element is not hidden under the sticky header or the fixed tab bar, once
    the browser has scrolled it into view (a scroll to a link below the fold takes frames)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(f"() => ({_FOCUS_HIDDEN_JS})() === null", timeout=1500)
    except PlaywrightTimeout:
        pass  # still hidden: reported below
    found = page.evaluate(_FOCUS_HIDDEN_JS)
    assert found is None, f"the focused element is hidden: {found}"


def _tab_to(page, selector: str, limit: int = 60, *, back: bool = False) -> None:
    """Press Tab (Shift+Tab with ``back``) until ``selector`` has the focus, as a keyboard
    user would; each stop must be in sight, not under the header or the tab bar."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        _focus_in_sight(page)
        if page.evaluate("(s) => document.activeElement?.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_focus_moves_to_each_new_step_of_the_customer_login(app, page):
    """Email, channel, code, account: each step's first field or choice, or its heading when
    it has neither, takes the focus the last step's button had (Jordan has two accounts)."""
    page.goto(app.url + "/")
    _expect_focus(page, "#login-email")
    page.keyboard.type(JORDAN)
    page.keyboard.press("Enter")
    _expect_focus(page, "#login-by-email")
    page.keyboard.press("Enter")
    _expect_focus(page, "#login-code")
    page.keyboard.type(code_for(page, app, JORDAN))
    page.keyboard.press("Enter")
    _expect_focus(page, "#login-account-heading")
    expect(page.locator("#login-account-heading")).to_have_text("Choose an account")
    screenshot(page, "a11y-focus-login-account")
    page.keyboard.press("Tab")
    expect(page.locator(".login-account").first).to_be_focused()  # the first choice is next
    page.keyboard.press("Enter")
    expect(page).to_have_url(HOME)


def test_focus_moves_to_each_new_step_of_the_agent_login(app, page):
    page.goto(setup_link_for(page, app, AGENT))
    _expect_focus(page, "#agent-email")
    page.keyboard.type(AGENT)
    page.keyboard.press("Enter")
    _expect_focus(page, "#agent-code")
    page.keyboard.type(code_for(page, app, AGENT))
    page.keyboard.press("Enter")
    expect(page.locator("#totp-qr")).to_be_visible()
    _expect_focus(page, "#agent-enrol")  # the second factor's field
    secret = page.locator("#totp-secret").inner_text().strip()
    page.keyboard.type(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    expect(page.locator(".recovery-code")).to_have_count(10)
    _expect_focus(page, "#agent-codes-heading")  # no field on this step: its heading
    screenshot(page, "a11y-focus-agent-recovery-codes")
    _tab_to(page, "#agent-finish")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/agent/?$"))


def test_keyboard_alone_signs_in_and_sends_a_change_request(app, page):
    """At 390x844, with Tab, Shift+Tab, Enter, Space, arrows and typing only: log in, open
    Requests from the tab bar, choose a change, fill it in and send it. The focus follows
    each step (the form's heading, then the confirmation's) and the request lands."""
    from clientcenter.models import Account, ChangeRequest

    page.goto(app.url + "/")
    expect(page.locator("#login-email")).to_be_visible()
    _expect_focus(page, "#login-email")  # the page's one field has it from the start
    page.keyboard.type(PAT)
    page.keyboard.press("Enter")
    _expect_focus(page, "#login-by-email")  # the channel step's first choice
    page.keyboard.press("Space")
    _expect_focus(page, "#login-code")  # the new step's field has the focus, not <body>
    page.keyboard.type(code_for(page, app, PAT))
    page.keyboard.press("Enter")
    expect(page).to_have_url(HOME)

    _tab_to(page, "#menu-requests")  # Home's "Request a change"
    page.keyboard.press("Enter")
    expect(page.locator("#requests-heading")).to_be_visible()
    _tab_to(page, "#new-personal")
    page.keyboard.press("Enter")
    expect(page.locator("#form-chooser")).to_be_visible()
    _tab_to(page, "#choose-vehicle_remove")
    page.keyboard.press("Space")
    _expect_focus(page, "#rq-vehicle_remove-heading")
    _tab_to(page, "#rq-vehicle_remove-vehicle_id")
    page.keyboard.press("ArrowDown")  # the first vehicle
    _tab_to(page, "#rq-vehicle_remove-reason")
    page.keyboard.press("ArrowDown")  # "Sold or traded"
    _tab_to(page, "#rq-vehicle_remove-effective_date")
    day = date.today()
    page.keyboard.type(day.strftime("%m%d%Y"))
    _tab_to(page, "#rq-vehicle_remove-notes")
    page.keyboard.type("Sold it to a neighbour.")
    screenshot(page, "a11y-keyboard-change-request")
    _tab_to(page, "#rq-vehicle_remove-submit")
    page.keyboard.press("Enter")
    _expect_focus(page, "#request-sent-heading")
    reference = page.locator("#sent-reference").inner_text().strip()
    screenshot(page, "a11y-keyboard-change-request-sent")
    _tab_to(page, "#another-request")
    page.keyboard.press("Enter")
    expect(page.locator("#form-chooser")).to_be_visible()
    _expect_focus(page, "#requests-form-heading")  # the page's h1, not <body>
    _tab_to(page, "#choose-coverage")
    page.keyboard.press("Enter")
    _expect_focus(page, "#rq-coverage-heading")
    _tab_to(page, "#back-to-chooser", back=True)
    page.keyboard.press("Enter")
    expect(page.locator("#form-chooser")).to_be_visible()
    _expect_focus(page, "#requests-form-heading")

    with app.db() as db:
        rivera = db.exec(select(Account).where(Account.name == RIVERA)).one()
        sent = db.exec(select(ChangeRequest).where(ChangeRequest.reference == reference)).one()
    assert (sent.account_id, sent.kind, sent.subtype) == (rivera.id, "personal", "vehicle_remove")
    answers = {f["key"]: f["value"] for f in sent.details["fields"]}
    assert answers["reason"] == "Sold or traded"
    assert answers["effective_date"] == day.isoformat()  # typed into the date box
    assert answers["notes"] == "Sold it to a neighbour."
    assert sent.summary.startswith("Remove ")  # the first vehicle, chosen with an arrow key


def test_the_skip_link_jumps_into_the_page_after_a_client_side_navigation(app, page):
    """After the router renders a page (a tab bar link, no page load) the skip link is still
    an in-page ``#main`` link, which is what makes it a skip link to a screen reader and to
    axe; Enter on it moves the focus into the page without reloading it."""
    app.log_in(page, PAT)
    page.goto(app.url + "/home")
    expect(page.locator("h1")).to_have_count(1)
    page.locator("#bottom-nav a[href='/policies']").click()
    expect(page).to_have_url(re.compile(r"/policies/?$"))
    expect(page.locator("h1")).to_contain_text("Policies")
    skip = page.locator("#skip-link")
    assert skip.get_attribute("href") == "#main"
    page.evaluate("window.__sameDocument = true")  # gone if Enter reloaded the page
    skip.focus()
    page.keyboard.press("Enter")
    _expect_focus(page, "#main")
    assert page.evaluate("window.__sameDocument === true")
    expect(page).to_have_url(re.compile(r"/policies/?#main$"))
    assert_clean(page, "a11y-skip-link-after-navigation")


CUSTOMER_PAGES = (
    "/home",
    "/policies",
    "/documents",
    "/billing",
    "/requests",
    "/requests/general",
    "/contact",
    "/profile",
)


def test_buttons_and_links_are_44px_on_a_phone(app, page):
    """Every visible button and link on the customer pages, at 390x844, is at least 44x44 px
    (links inside a sentence's <p> are exempt: WCAG 2.5.8's inline targets)."""
    page.goto(app.url + "/")
    expect(page.locator("#login-email")).to_be_visible()
    small = {"/": small_targets(page)}
    smallest = {"/": smallest_target(page)}
    app.log_in(page, PAT)
    for path in CUSTOMER_PAGES:
        page.goto(app.url + path)
        expect(page.locator("h1")).to_have_count(1)
        page.wait_for_timeout(300)
        small[path] = small_targets(page)
        smallest[path] = smallest_target(page)
    print("smallest target side by page (px):", smallest)
    failing = {path: found for path, found in small.items() if found}
    assert not failing, f"targets under {TARGET_PX} px: {failing}"
    screenshot(page, "a11y-targets-profile")


def test_the_resend_button_counts_down_and_the_code_box_shows_no_code(app, page):
    page.goto(app.url + "/")
    page.locator("#login-email").fill(PAT)
    page.locator("#login-continue").click()
    page.locator("#login-by-email").click()
    box = page.locator("#login-code")
    expect(box).to_be_visible()
    assert not any(ch.isdigit() for ch in box.get_attribute("placeholder"))
    resend = page.locator("#login-resend")
    expect(resend).to_be_disabled()
    expect(resend).to_have_text(re.compile(r"^Resend in (\d+) s$"))
    first = int(re.search(r"\d+", resend.inner_text()).group())
    assert 25 <= first <= 30
    expect(resend).not_to_have_text(f"Resend in {first} s", timeout=3000)  # it counts
    screenshot(page, "a11y-login-code-countdown")
    assert_clean(page, "a11y-login-code-countdown")
    expect(resend).to_have_text("Send a new code", timeout=35_000)
    expect(resend).to_be_enabled()
    resend.click()
    expect(resend).to_be_disabled()  # a new code: a new wait


def test_the_permission_table_scrolls_in_a_named_focusable_region_on_a_phone(app, page):
    app.log_in(page, AGENT, agent=True)
    page.goto(app.url + "/agent/admin/roles")
    region = page.get_by_role("region", name="Permission table")
    expect(region).to_be_visible()
    region.focus()
    expect(region).to_be_focused()
    assert region.evaluate("(e) => e.scrollWidth > e.clientWidth")  # it is what scrolls
    screenshot(page, "a11y-roles-phone")
    assert_clean(page, "a11y-roles-phone")
