"""The Content-Security-Policy in the built app, in Chromium (issue 11, item 9): the login page,
a real code login (its form post), logged-in pages whose handlers send scripts back (a pay
form's scroll, a download), the agent sign-in page — and no policy violation anywhere. Also a
link to /go/<id> from another site: a "Continue to …" page, and the click recorded only after
the button."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import Session, create_engine, select

from tests.support.browser import HOME, code_for, enter_code, enter_email
from tests.support.demo import PAT, RIVERA

# Collects what the browser refused, from the first script on every page of the context.
WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
"""


def _watch(page) -> list[str]:
    page.context.add_init_script(WATCH)
    said: list[str] = []
    page.on(
        "console", lambda m: said.append(m.text) if "Content Security Policy" in m.text else None
    )
    return said


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_login_and_logged_in_pages_report_no_csp_violation(app, page):
    console = _watch(page)
    response = page.goto(app.url + "/")
    csp = response.headers["content-security-policy"]
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'sha256-" in script_src
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert response.headers["referrer-policy"] == "same-origin"
    expect(page.locator("#login-email")).to_be_visible()
    assert _violations(page) == []

    # The code flow ends in a form post to /auth/complete (form-action 'self').
    enter_email(page, app, PAT)
    page.locator("#login-by-email").click()
    enter_code(page, code_for(page, app, PAT))
    page.wait_for_url(HOME)
    expect(page.locator("#current-account")).to_have_text(RIVERA)
    assert _violations(page) == []

    # Billing: opening a pay form scrolls to it, a script the handler sends (eval'd by Reflex).
    page.goto(app.url + "/billing")
    pay = page.locator("[id^='pay-INV-']").first
    expect(pay).to_be_visible()
    pay.click()
    expect(page.locator("#pay-form")).to_be_visible()
    # Documents: a download is a script the handler sends, then an <a download> click.
    page.goto(app.url + "/documents")
    download = page.locator(".download-document").first
    expect(download).to_be_visible()
    with page.expect_download() as started:
        download.click()
    assert started.value.suggested_filename
    assert _violations(page) == []

    page.goto(app.url + "/agent/login")
    expect(page.locator("#agent-email")).to_be_visible()
    assert _violations(page) == [] and console == []


def test_a_link_to_go_from_another_site_asks_before_it_records(app, page):
    from clientcenter.models import ActivityLog, IntegrationLink

    console = _watch(page)
    app.log_in(page, PAT)
    page.goto(app.url + "/contact")
    href = page.locator(".integration-cross_sell").first.get_attribute("href")
    engine = create_engine(app.database_url)
    with Session(engine) as s:
        link = s.get(IntegrationLink, int(href.rsplit("/", 1)[1]))
    page.context.route(
        link.url, lambda route: route.fulfill(body="quote form", content_type="text/plain")
    )

    def cross_sell_rows() -> int:
        with Session(engine) as s:
            return len(
                s.exec(
                    select(ActivityLog).where(
                        ActivityLog.action_key == "customer.cross_sell_integration"
                    )
                ).all()
            )

    # Another site (127.0.0.1 is not localhost's site) sends the browser to /go/<id>; the
    # SameSite=Lax cookie rides along on a top-level navigation.
    foreign = app.url.replace("localhost", "127.0.0.1")
    page.goto(foreign + "/healthz")
    page.evaluate(f"location.href = {app.url + href!r}")
    page.wait_for_url(app.url + href)
    expect(page.locator("h1")).to_have_text(f"Continue to {link.label}?")
    assert cross_sell_rows() == 0
    page.locator("#continue").click()  # a POST from our origin, then the redirect
    page.wait_for_url(link.url)
    assert cross_sell_rows() == 1
    assert _violations(page) == [] and console == []
    engine.dispose()
