"""The agent side's HTTP routes: sign-in completion, entering and leaving the read-only view,
and the certificate link a holder opens without login."""

from __future__ import annotations

import pyotp
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter.http import build_http_app
from clientcenter.models import ActivityLog, Certificate, OutboxMessage
from clientcenter.services.agency import actions as agency_actions
from clientcenter.services.agency import read_only
from clientcenter.services.auth import agent_login
from clientcenter.services.auth.sessions import check_session
from tests.support.demo import AGENT, RIVERA, STUDIO, account_named
from tests.support.handlers import TEST_BROWSER_KEY, tab_browser_digest
from tests.support.logins import agent_session, opened_setup_link

ORIGIN = "http://localhost:3000"


@pytest.fixture
def client(demo):
    # A browser on our pages sends our Origin with every POST (tests/http/test_cross_site.py
    # covers the requests that do not).
    return TestClient(
        build_http_app(), base_url=ORIGIN, follow_redirects=False, headers={"origin": ORIGIN}
    )


def _cookie_token(response) -> str:
    return response.headers["set-cookie"].split(";")[0].split("=", 1)[1]


def test_sign_in_completion_sets_an_agent_session_with_second_factor(client, demo):
    import re

    link = opened_setup_link(demo)
    attempt, _sent = agent_login.start(demo, email=AGENT, client_ip="10.0.0.2")
    body = demo.exec(
        select(OutboxMessage.body_text).where(
            OutboxMessage.to_address == AGENT, OutboxMessage.template == "login_code"
        )
    ).one()
    step = agent_login.verify_code(
        demo,
        attempt_id=attempt,
        code=re.search(r"\d{6}", body).group(),
        client_ip="10.0.0.2",
        **link.steps,
    )
    _codes = agent_login.confirm_enrolment(
        demo, attempt_id=attempt, code=pyotp.TOTP(step.enrolment.secret).now(), **link.steps
    )
    grant = agent_login.grant_after_enrolment(
        demo, attempt_id=attempt, browser=tab_browser_digest()
    )
    demo.commit()
    client.cookies.set("cc_browser", TEST_BROWSER_KEY)
    refused = client.post(
        "/auth/agent/complete", data={"grant": grant}, headers={"origin": "https://evil.example"}
    )
    assert refused.status_code == 403
    response = client.post(
        "/auth/agent/complete", data={"grant": grant}, headers={"origin": ORIGIN}
    )
    assert response.status_code == 303 and response.headers["location"] == "/agent"
    check = check_session(demo, _cookie_token(response))
    assert check.ok and check.principal.is_agent and not check.principal.read_only
    again = client.post("/auth/agent/complete", data={"grant": grant}, headers={"origin": ORIGIN})
    assert again.headers["location"] == "/agent/login?signed_out=attempt"


def test_enter_and_leave_the_read_only_view_over_http(client, demo):
    principal, token, _ = agent_session(demo)
    rivera = account_named(demo, RIVERA)
    grant = read_only.view_grant(demo, principal, rivera.id)
    demo.commit()
    client.cookies.set("cc_session", token)
    entered = client.post("/auth/agent/view", data={"grant": grant}, headers={"origin": ORIGIN})
    assert entered.headers["location"] == "/home"
    viewing = _cookie_token(entered)
    assert check_session(demo, viewing).principal.read_only
    client.cookies.set("cc_session", viewing)
    left = client.post("/auth/agent/exit-view", headers={"origin": ORIGIN})
    assert left.headers["location"] == f"/agent/account?id={rivera.id}"
    demo.expire_all()
    assert not check_session(demo, _cookie_token(left)).principal.read_only
    keys = demo.exec(
        select(ActivityLog.action_key).where(ActivityLog.account_id == rivera.id)
    ).all()
    assert keys == ["agent.login", "agent.logoff"]
    # A grant without its session's cookie leads nowhere.
    client.cookies.clear()
    lost = client.post("/auth/agent/view", data={"grant": grant}, headers={"origin": ORIGIN})
    assert lost.headers["location"] == "/agent" and "cc_session" not in lost.headers.get(
        "set-cookie", ""
    )


def test_holder_certificate_link_serves_the_pdf_without_login(client, demo):
    principal, _token, _ = agent_session(demo)
    lee = account_named(demo, STUDIO)
    cert = demo.exec(select(Certificate).where(Certificate.account_id == lee.id)).first()
    agency_actions.share_certificate(demo, principal, cert.id)
    demo.commit()
    body = demo.exec(
        select(OutboxMessage.body_text).where(OutboxMessage.template == "certificate_to_holder")
    ).one()
    url = next(w for w in body.split() if "/certificate/" in w)
    response = client.get(url.replace(ORIGIN, ""))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    bad = client.get("/certificate/" + url.rsplit("/", 1)[1][:-4] + "AAAA")
    assert bad.status_code == 404 and "not valid or has expired" in bad.text


def test_logging_out_of_a_read_only_view_is_a_log_off(client, demo):
    principal, token, _ = agent_session(demo)
    rivera = account_named(demo, RIVERA)
    grant = read_only.view_grant(demo, principal, rivera.id)
    demo.commit()
    client.cookies.set("cc_session", token)
    entered = client.post("/auth/agent/view", data={"grant": grant}, headers={"origin": ORIGIN})
    client.cookies.set("cc_session", _cookie_token(entered))
    out = client.post("/auth/logout", headers={"origin": ORIGIN})
    assert out.headers["location"] == "/agent/login?signed_out=logout"
    keys = demo.exec(
        select(ActivityLog.action_key)
        .where(ActivityLog.account_id == rivera.id)
        .order_by(ActivityLog.id)
    ).all()
    assert keys == ["agent.login", "agent.logoff"]


# --- setup links -------------------------------------------------------------------------------


def _setup_token(db, email=AGENT) -> str:
    from clientcenter.services.agency import setup_links
    from tests.support.demo import agent_named

    token = setup_links.mint(db, agent_named(db, email), "invite", created_by=None)
    db.commit()
    return token


def test_a_setup_link_binds_itself_to_the_browser_and_sends_the_agent_to_sign_in(client, demo):
    from clientcenter.services.agency import setup_links
    from tests.support.demo import agent_named

    token = _setup_token(demo)
    # No browser key yet: back to the same link, which the middleware gives one.
    first = client.get(f"/agent/enrol/{token}")
    assert (
        first.status_code == 303 and first.headers["location"] == f"/agent/enrol/{token}?cookie=1"
    )
    client.cookies.set("cc_browser", TEST_BROWSER_KEY)
    opened = client.get(f"/agent/enrol/{token}")
    assert opened.status_code == 303 and opened.headers["location"] == "/agent/login"
    cookie = opened.headers["set-cookie"]
    assert cookie.startswith("cc_setup=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    setup_pass = cookie.split(";")[0].split("=", 1)[1]
    link = setup_links.live_link(
        demo,
        setup_links.pass_digest(setup_pass),
        browser=tab_browser_digest(),
        agent=agent_named(demo),
    )
    assert link.used_at is None  # opening it uses nothing up
    assert opened.headers["cache-control"] == "no-store"


def test_a_setup_link_that_no_longer_works_says_why(client, demo):
    client.cookies.set("cc_browser", TEST_BROWSER_KEY)
    refused = client.get("/agent/enrol/made-up")
    assert refused.status_code == 410 and "This setup link is not valid" in refused.text
    assert "set-cookie" not in refused.headers
    client.cookies.clear()
    again = client.get("/agent/enrol/made-up?cookie=1")  # the browser kept no cookie
    assert again.status_code == 400 and "didn&#x27;t keep our cookie" in again.text
