"""Cross-site requests (issue 11, item 9): session routes refuse a POST that does not come from
our own pages, /go/<id> records only our own clicks, and every page sends a
Content-Security-Policy and a Referrer-Policy."""

from __future__ import annotations

import base64
import gzip
import hashlib
from urllib.parse import urlparse

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from clientcenter.http import build_http_app
from clientcenter.http.cookies import session_cookie_name
from clientcenter.http.middleware.security_headers import SecurityHeaders
from clientcenter.models import ActivityLog, IntegrationLink, OutboxMessage, Task
from clientcenter.services.auth.sessions import check_session
from clientcenter.services.portal import integrations
from clientcenter.settings import reset_settings_cache
from tests.support.checks import table_counts
from tests.support.demo import MORGAN, PAT, RIVERA
from tests.support.handlers import TEST_BROWSER_KEY
from tests.support.logins import customer_session, grant_for

ORIGIN = "http://localhost:3000"
SESSION_ROUTES = [
    "/auth/complete",
    "/auth/switch",
    "/auth/logout",
    "/auth/agent/complete",
    "/auth/agent/view",
    "/auth/agent/exit-view",
]
NOT_OURS = [
    {},  # a script, or a browser hiding where the form came from
    {"sec-fetch-site": "cross-site"},
    {"sec-fetch-site": "same-site"},  # a sibling subdomain is another site
    {"origin": "null"},  # sandboxed frame or privacy redirect
    {"origin": "null", "sec-fetch-site": "same-origin"},
    {"origin": "https://evil.example", "sec-fetch-site": "same-origin"},
    {"origin": "http://localhost:3000.evil.example"},
]


@pytest.fixture
def bare(demo):
    """A client that adds no Origin of its own: each test says what the browser sent. It
    holds the browser key the tests' login grants are bound to."""
    client = TestClient(build_http_app(), base_url=ORIGIN, follow_redirects=False)
    client.cookies.set("cc_browser", TEST_BROWSER_KEY)
    return client


# --- the one check -----------------------------------------------------------------------------


def test_same_origin_post_needs_our_origin_or_fetch_metadata_saying_so():
    from clientcenter.http.deps import is_same_origin_post

    assert is_same_origin_post({"origin": ORIGIN})
    assert is_same_origin_post({"origin": "HTTP://LOCALHOST:3000"})
    assert is_same_origin_post({"sec-fetch-site": "same-origin"})
    for headers in NOT_OURS:
        assert not is_same_origin_post(headers), headers


def test_own_navigation_is_a_click_on_our_pages_or_the_users_own_address_bar():
    from clientcenter.http.deps import is_own_navigation

    assert is_own_navigation({"sec-fetch-site": "same-origin"})
    assert is_own_navigation({"sec-fetch-site": "none"})  # typed or bookmarked
    assert is_own_navigation({"referer": ORIGIN + "/home"})  # a browser without fetch metadata
    for headers in (
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"sec-fetch-site": "cross-site", "referer": ORIGIN + "/home"},
        {"referer": "https://evil.example/page"},
        {},
    ):
        assert not is_own_navigation(headers), headers


# --- POST routes that set or use the session ---------------------------------------------------


def test_login_grant_posted_without_origin_is_refused_login_csrf(bare, demo):
    """Before: a grant posted with no Origin started a session (a foreign page could log its
    victim's browser in to the attacker's account). After: 403 unless Sec-Fetch-Site says the
    form came from our origin."""
    _, verified = grant_for(demo, MORGAN)
    for headers in NOT_OURS:
        refused = bare.post("/auth/complete", data={"grant": verified.grant}, headers=headers)
        assert refused.status_code == 403, headers
        assert "cc_session" not in refused.headers.get("set-cookie", "")
    # The refusals did not spend the grant; a same-origin form without Origin still works.
    ours = bare.post(
        "/auth/complete", data={"grant": verified.grant}, headers={"sec-fetch-site": "same-origin"}
    )
    assert ours.status_code == 303 and ours.headers["location"] == "/home"
    assert "cc_session=" in ours.headers["set-cookie"]


@pytest.mark.parametrize("path", SESSION_ROUTES)
def test_every_session_route_refuses_a_post_without_origin(bare, demo, path):
    token = customer_session(demo).token
    bare.cookies.set(session_cookie_name(), token)
    before = table_counts(demo)
    for headers in NOT_OURS:
        response = bare.post(path, data={"grant": "x"}, headers=headers)
        assert response.status_code == 403, (path, headers)
        assert "cc_session" not in response.headers.get("set-cookie", "")
    demo.expire_all()
    assert table_counts(demo) == before
    assert check_session(demo, token).ok  # not even a forced logout


def test_logout_with_fetch_metadata_but_no_origin_still_works(bare, demo):
    token = customer_session(demo).token
    bare.cookies.set(session_cookie_name(), token)
    response = bare.post("/auth/logout", headers={"sec-fetch-site": "same-origin"})
    assert response.status_code == 303 and "Max-Age=0" in response.headers["set-cookie"]
    demo.expire_all()
    assert check_session(demo, token).status == "revoked"


# --- GET /go/<id> ------------------------------------------------------------------------------


def _pat_on_go(demo):
    principal, token, _ = customer_session(demo, PAT, RIVERA)
    link = integrations.links_for(demo, principal).cross_sell[0]
    return token, demo.get(IntegrationLink, link.id)


def _effects(demo) -> tuple[int, int, int]:
    demo.expire_all()
    return (
        len(demo.exec(select(ActivityLog)).all()),
        len(demo.exec(select(Task)).all()),
        len(demo.exec(select(OutboxMessage)).all()),
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"},
        {"sec-fetch-site": "same-site"},
        {"referer": "https://evil.example/free-quote"},  # an old browser, sent by another site
        {},  # no way to tell
    ],
    ids=["cross-site", "same-site", "foreign-referer", "no-metadata"],
)
def test_go_from_another_site_records_nothing_and_asks_first(bare, demo, headers):
    """Before: 303 to the destination and a cross-sell row with the producer's task and email,
    in the customer's name. After: a "Continue to …" page, nothing written."""
    token, link = _pat_on_go(demo)
    bare.cookies.set(session_cookie_name(), token)
    before = _effects(demo)
    page = bare.get(f"/go/{link.id}", headers=headers)
    assert page.status_code == 200
    assert f"Continue to {link.label}" in page.text and "carrier" not in page.headers.get(
        "location", ""
    )
    assert f"action='/go/{link.id}'" in page.text and "method=post" in page.text
    assert page.headers["cache-control"] == "no-store"
    # no-referrer would make Chromium post the button's form with "Origin: null" (refused).
    assert page.headers["referrer-policy"] == "same-origin"
    csp = page.headers["content-security-policy"]
    origin = "{0.scheme}://{0.netloc}".format(urlparse(link.url))
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    # Chromium checks the form's redirect against form-action too.
    assert f"form-action 'self' {origin}" in csp
    assert _effects(demo) == before


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate", "sec-fetch-user": "?1"},
        {"sec-fetch-site": "none"},
        {"referer": ORIGIN + "/home"},
    ],
    ids=["same-origin", "address-bar", "own-referer"],
)
def test_go_from_our_own_page_records_and_redirects(bare, demo, headers):
    token, link = _pat_on_go(demo)
    bare.cookies.set(session_cookie_name(), token)
    logs, tasks, mails = _effects(demo)
    response = bare.get(f"/go/{link.id}", headers=headers)
    assert response.status_code == 303 and response.headers["location"] == link.url
    assert response.headers["referrer-policy"] == "no-referrer"
    after = _effects(demo)
    assert (
        after[0] == logs + 1 and after[1] == tasks + 1 and after[2] > mails
    )  # cross-sell: AE T L


def test_the_continue_button_records_only_when_posted_from_our_origin(bare, demo):
    token, link = _pat_on_go(demo)
    bare.cookies.set(session_cookie_name(), token)
    before = _effects(demo)
    for headers in NOT_OURS:
        assert bare.post(f"/go/{link.id}", headers=headers).status_code == 403, headers
    assert _effects(demo) == before
    clicked = bare.post(f"/go/{link.id}", headers={"origin": ORIGIN})
    assert clicked.status_code == 303 and clicked.headers["location"] == link.url
    assert _effects(demo)[0] == before[0] + 1


def test_go_without_a_session_still_goes_to_login_from_anywhere(bare, demo):
    _token_, link = _pat_on_go(demo)
    bare.cookies.clear()
    for headers in ({"sec-fetch-site": "cross-site"}, {"sec-fetch-site": "same-origin"}):
        response = bare.get(f"/go/{link.id}", headers=headers)
        assert response.status_code == 303 and response.headers["location"].startswith("/?")


# --- Content-Security-Policy and Referrer-Policy ------------------------------------------------

PAGE = (
    '<!doctype html><html><head><script>window.__ctx = {"a": 1};</script>'
    '<script type="module" async>import "/assets/x.js";</script>'
    '<script src="/assets/y.js"></script></head><body>'
    "<SCRIPT>requestAnimationFrame(function(){})</SCRIPT></body></html>"
)
INLINE = [
    'window.__ctx = {"a": 1};',
    'import "/assets/x.js";',
    "requestAnimationFrame(function(){})",
]


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _headers_app() -> TestClient:
    async def page(request):
        return HTMLResponse(PAGE)

    async def zipped(request):
        return Response(
            gzip.compress(PAGE.encode()),
            media_type="text/html",
            headers={"content-encoding": "gzip"},
        )

    async def own(request):
        return HTMLResponse("<p>x</p>", headers={"Content-Security-Policy": "default-src 'none'"})

    async def unchanged(request):
        return Response(status_code=304, headers={"etag": '"abc"'})

    async def data(request):
        return Response(b"{}", media_type="application/json")

    routes = [Route(p, page) for p in ("/", "/home", "/embed/login", "/pay/{t}", "/shared/{t}")]
    routes += [
        Route("/zipped", zipped),
        Route("/own", own),
        Route("/unchanged", unchanged),
        Route("/files/{t}", data),
        Route("/certificate/{t}", data),
        Route("/data", data),
    ]
    return TestClient(SecurityHeaders(Starlette(routes=routes)), base_url=ORIGIN)


def _directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in csp.split("; ")}


def test_pages_send_a_strict_content_security_policy_with_their_inline_script_hashes():
    """Before: "frame-ancestors 'self'" and nothing else. After: default-src 'self', scripts
    from our origin plus the hashes of exactly this page's inline scripts (no 'unsafe-inline'),
    and the other directives the issue lists."""
    client = _headers_app()
    for path in ("/", "/zipped"):
        csp = _directives(client.get(path).headers["content-security-policy"])
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'", *map(_sha, INLINE), "'unsafe-eval'"]
        assert "'unsafe-inline'" in csp["style-src"]
        assert csp["img-src"] == ["'self'", "data:", "blob:"]
        assert csp["connect-src"] == ["'self'", "ws://localhost:3000", "http://localhost:3000"]
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'self'"]
        assert csp["form-action"] == ["'self'"] and csp["frame-ancestors"] == ["'self'"]
    assert client.get("/").headers["x-frame-options"] == "SAMEORIGIN"


def test_a_route_that_sets_its_own_policy_keeps_it_and_a_304_keeps_the_cached_one():
    client = _headers_app()
    assert client.get("/own").headers["content-security-policy"] == "default-src 'none'"
    # A 304 refreshes the cached page's headers: a policy without its hashes would break it.
    assert "content-security-policy" not in client.get("/unchanged").headers
    assert (
        "script-src 'self' 'unsafe-eval'" in client.get("/data").headers["content-security-policy"]
    )


def test_referrer_policy_keeps_tokens_in_paths_to_ourselves():
    client = _headers_app()
    assert client.get("/home").headers["referrer-policy"] == "same-origin"
    for path in ("/files/abc.def", "/certificate/abc.def"):
        assert client.get(path).headers["referrer-policy"] == "no-referrer"
    # Token pages are Reflex documents that go on to post forms (login, logout): with
    # no-referrer Chromium would send "Origin: null" on those posts, which we refuse.
    for path in ("/pay/tok", "/shared/tok"):
        assert client.get(path).headers["referrer-policy"] == "strict-origin"


def test_the_policy_follows_the_embed_origins_the_https_url_and_a_remote_logo(monkeypatch):
    from clientcenter.http.middleware.security_headers import content_security_policy

    monkeypatch.setenv("CC_SECURITY__FRAME_ANCESTORS", '["https://www.agency.example"]')
    monkeypatch.setenv("CC_BRANDING__LOGO_URL", "https://cdn.agency.example/logo.png")
    monkeypatch.setenv("CC_PUBLIC_URL", "https://portal.agency.example")
    monkeypatch.setenv("CC_DELIVERY__EMAIL_BACKEND", "sendgrid")
    monkeypatch.setenv("CC_DELIVERY__SMS_BACKEND", "twilio")
    monkeypatch.setenv("CC_DELIVERY__SENDGRID_API_KEY", "SG.x")
    monkeypatch.setenv("CC_DELIVERY__TWILIO_ACCOUNT_SID", "AC1")
    monkeypatch.setenv("CC_DELIVERY__TWILIO_AUTH_TOKEN", "t")
    monkeypatch.setenv("CC_DELIVERY__TWILIO_FROM_NUMBER", "+12075550100")
    reset_settings_cache()
    embed = _directives(content_security_policy("/embed/login"))
    assert embed["frame-ancestors"] == ["'self'", "https://www.agency.example"]
    home = _directives(content_security_policy("/home"))
    assert home["frame-ancestors"] == ["'self'"]
    assert home["img-src"][-1] == "https://cdn.agency.example"
    assert "wss://portal.agency.example" in home["connect-src"]
