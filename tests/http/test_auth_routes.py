"""The HTTP routes that set and clear the session cookie."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from clientcenter.http import build_http_app
from clientcenter.services.auth.sessions import check_session
from tests.support.demo import JORDAN, MORGAN, PAT
from tests.support.handlers import TEST_BROWSER_KEY, tab_browser_digest
from tests.support.logins import customer_session, grant_for

ORIGIN = "http://localhost:3000"


@pytest.fixture
def db(demo):
    """A session on the demo agency (the README's logins)."""
    return demo


@pytest.fixture
def client(db):
    # A browser on our pages sends our Origin with every POST (tests/http/test_cross_site.py
    # covers the requests that do not), and holds the browser key login grants are bound to.
    client = TestClient(
        build_http_app(), base_url=ORIGIN, follow_redirects=False, headers={"origin": ORIGIN}
    )
    client.cookies.set("cc_browser", TEST_BROWSER_KEY)
    return client


def test_logout_revokes_server_side_and_clears_the_cookie(client, db):
    token = customer_session(db).token
    client.cookies.set("cc_session", token)
    response = client.post("/auth/logout", headers={"origin": ORIGIN})
    assert response.status_code == 303
    assert response.headers["location"] == "/?signed_out=logout"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("cc_session=") and "Max-Age=0" in cookie and "HttpOnly" in cookie
    db.expire_all()
    assert check_session(db, token).status == "revoked"


def test_logout_after_log_out_everywhere_clears_the_cookie_and_says_so(client, db):
    from clientcenter.services.auth.everywhere import log_out_everywhere

    login = customer_session(db)
    log_out_everywhere(db, login.principal)
    db.commit()
    client.cookies.set("cc_session", login.token)
    response = client.post("/auth/logout", data={"everywhere": "1"})
    assert response.status_code == 303
    assert response.headers["location"] == "/?signed_out=everywhere"
    assert "Max-Age=0" in response.headers["set-cookie"]
    # Any other value is a plain logout's words.
    client.cookies.set("cc_session", customer_session(db).token)
    response = client.post("/auth/logout", data={"everywhere": "<script>"})
    assert response.headers["location"] == "/?signed_out=logout"


def test_logout_without_a_session_still_lands_on_the_login_page(client):
    response = client.post("/auth/logout")
    assert response.status_code == 303 and response.headers["location"].startswith("/?")


def test_logout_from_a_foreign_origin_is_refused_and_changes_nothing(client, db):
    token = customer_session(db).token
    client.cookies.set("cc_session", token)
    response = client.post("/auth/logout", headers={"origin": "https://evil.example"})
    assert response.status_code == 403
    db.expire_all()
    assert check_session(db, token).ok


def test_logout_is_post_only(client):
    assert client.get("/auth/logout").status_code == 405


# --- /auth/complete and /auth/switch --------------------------------------------------------


def test_complete_sets_an_httponly_lax_cookie_and_goes_home(client, db):
    _, verified = grant_for(db, PAT)
    response = client.post(
        "/auth/complete", data={"grant": verified.grant}, headers={"origin": ORIGIN}
    )
    assert response.status_code == 303 and response.headers["location"] == "/home"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("cc_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # served over http in the demo
    max_age = int(cookie.split("Max-Age=")[1].split(";")[0])
    assert 12 * 3600 - 60 < max_age <= 12 * 3600
    token = cookie.split(";")[0].split("=", 1)[1]
    db.expire_all()
    assert check_session(db, token).principal.is_customer


def test_a_grant_is_single_use_over_http(client, db):
    _, verified = grant_for(db, MORGAN)
    assert client.post("/auth/complete", data={"grant": verified.grant}).status_code == 303
    again = client.post("/auth/complete", data={"grant": verified.grant})
    assert again.headers["location"] == "/?signed_out=attempt"
    assert "set-cookie" not in again.headers


def test_complete_from_a_foreign_origin_is_refused(client, db):
    _, verified = grant_for(db, MORGAN)
    response = client.post(
        "/auth/complete",
        data={"grant": verified.grant},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403 and "set-cookie" not in response.headers
    # the grant was not spent by the refused request
    assert (
        client.post("/auth/complete", data={"grant": verified.grant}).headers["location"]
        == "/home"
    )


def test_a_new_login_ends_the_session_the_browser_had(client, db):
    old = customer_session(db).token
    client.cookies.set("cc_session", old)
    _, verified = grant_for(db, MORGAN)
    client.post("/auth/complete", data={"grant": verified.grant})
    db.expire_all()
    assert check_session(db, old).status == "revoked"


def test_session_ip_comes_from_the_connection_not_a_raw_header(client, db):
    from clientcenter.models import UserSession

    _, verified = grant_for(db, MORGAN)
    client.post(
        "/auth/complete", data={"grant": verified.grant}, headers={"x-forwarded-for": "6.6.6.6"}
    )
    db.expire_all()
    from sqlmodel import select

    record = db.exec(select(UserSession)).one()
    assert record.client_ip == "testclient"  # Starlette's test peer; the header is ignored


def test_over_https_the_cookie_is_secure_and_host_prefixed(db, monkeypatch):
    from clientcenter.settings import reset_settings_cache

    monkeypatch.setenv("CC_PUBLIC_URL", "https://portal.agency.example")
    monkeypatch.setenv("CC_DELIVERY__EMAIL_BACKEND", "sendgrid")
    monkeypatch.setenv("CC_DELIVERY__SENDGRID_API_KEY", "SG.test")
    monkeypatch.setenv("CC_DELIVERY__SMS_BACKEND", "twilio")
    monkeypatch.setenv("CC_DELIVERY__TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("CC_DELIVERY__TWILIO_AUTH_TOKEN", "test-token")
    monkeypatch.setenv("CC_DELIVERY__TWILIO_FROM_NUMBER", "+12075550199")
    monkeypatch.setenv("CC_FEATURES__TEXT_LOGIN", "false")
    reset_settings_cache()
    client = TestClient(
        build_http_app(),
        base_url="https://portal.agency.example",
        follow_redirects=False,
        headers={"origin": "https://portal.agency.example"},
    )
    client.cookies.set("__Host-cc_browser", TEST_BROWSER_KEY)
    _, verified = grant_for(db, MORGAN)
    cookie = client.post("/auth/complete", data={"grant": verified.grant}).headers["set-cookie"]
    assert cookie.startswith("__Host-cc_session=") and "Secure" in cookie


def _jordan_logged_in(client, db):
    from clientcenter.services.auth import login

    attempt, verified = grant_for(db, JORDAN)
    personal, commercial = verified.accounts
    grant = login.grant_for_account(
        db, attempt_id=attempt, account_id=personal.account_id, browser=tab_browser_digest()
    )
    db.commit()
    response = client.post("/auth/complete", data={"grant": grant})
    token = response.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    client.cookies.set("cc_session", token)
    return token, commercial


def test_switch_rotates_the_cookie_onto_the_other_account(client, db):
    from clientcenter.services.auth import login

    token, commercial = _jordan_logged_in(client, db)
    principal = check_session(db, token).principal
    grant = login.switch_grant(db, principal, email=JORDAN, account_id=commercial.account_id)
    response = client.post("/auth/switch", data={"grant": grant}, headers={"origin": ORIGIN})
    assert response.status_code == 303 and response.headers["location"] == "/home"
    new_token = response.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    db.expire_all()
    assert check_session(db, token).status == "revoked"
    assert check_session(db, new_token).principal.account_id == commercial.account_id
    # replay with the new cookie: refused, nothing changes
    client.cookies.set("cc_session", new_token)
    again = client.post("/auth/switch", data={"grant": grant})
    assert again.headers["location"] == "/accounts?refused=1"
    db.expire_all()
    assert check_session(db, new_token).ok


def test_switch_without_the_session_cookie_is_refused(client, db):
    from clientcenter.services.auth import login

    token, commercial = _jordan_logged_in(client, db)
    grant = login.switch_grant(
        db,
        check_session(db, token).principal,
        email=JORDAN,
        account_id=commercial.account_id,
    )
    client.cookies.clear()
    response = client.post("/auth/switch", data={"grant": grant})
    assert response.headers["location"] == "/accounts?refused=1"
    db.expire_all()
    assert check_session(db, token).ok


# --- framing ---------------------------------------------------------------------------------


def test_only_the_embed_page_may_be_framed_and_only_by_configured_origins(monkeypatch):
    from clientcenter.http.middleware.security_headers import headers_for
    from clientcenter.settings import reset_settings_cache

    monkeypatch.setenv("CC_SECURITY__FRAME_ANCESTORS", '["https://www.agency.example"]')
    reset_settings_cache()
    for path in ("/embed/login", "/embed/login/", "/embed/login/index.html"):
        assert headers_for(path)["content-security-policy"].endswith(
            "; frame-ancestors 'self' https://www.agency.example"
        )
        assert "x-frame-options" not in headers_for(path)
    for path in ("/", "/home", "/embed/login-other", "/auth/complete"):
        assert headers_for(path)["content-security-policy"].endswith("; frame-ancestors 'self'")
        assert headers_for(path)["x-frame-options"] == "SAMEORIGIN"


def test_routes_carry_the_framing_headers(client):
    response = client.get("/healthz")
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_embed_snippet_is_branded_and_points_at_the_stable_urls(monkeypatch):
    from clientcenter.routes import login_url
    from clientcenter.services.agency.embed import embed_snippet
    from clientcenter.settings import reset_settings_cache

    monkeypatch.setenv("CC_BRANDING__SHORT_NAME", 'Harbor "&" <Main>')
    reset_settings_cache()
    snippet = embed_snippet()
    assert login_url() == "http://localhost:3000/"
    assert 'href="http://localhost:3000/"' in snippet
    assert 'src="http://localhost:3000/embed/login"' in snippet
    assert "background:#108477" in snippet  # the accent colour, darkened to pass AA
    assert "<Main>" not in snippet and "&lt;Main&gt;" in snippet  # branding is escaped


def test_login_returns_to_the_shared_link_that_sent_the_customer(client, db):
    """?next= from a page or a /shared/ or /pay/ link: back there after the code; never
    another site, nor an agency page."""
    for asked, landed in [
        ("/shared/abc.def", "/shared/abc.def"),
        ("/pay/tok_123", "/pay/tok_123"),
        ("/documents?policy=3", "/documents?policy=3"),
        ("//evil.example/shared/x", "/home"),
        ("https://evil.example/", "/home"),
        ("/%2F%2Fevil.example", "/home"),
        ("/agent/tasks", "/home"),
        ("/shared/\\evil", "/home"),
    ]:
        # Two people take turns: each may be sent only so many codes an hour.
        who = MORGAN if asked < "/q" else PAT
        _, verified = grant_for(db, who)
        response = client.post(
            "/auth/complete",
            data={"grant": verified.grant, "next": asked},
            headers={"origin": ORIGIN},
        )
        assert response.headers["location"] == landed, asked
