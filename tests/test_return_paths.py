"""Deep links kept across login (routes.safe_return_path and friends): any of our own pages
comes back after the login; nothing that could leave the site ever does."""

from __future__ import annotations

import pytest

from clientcenter import routes
from clientcenter.services.auth.sessions import SessionCheck
from clientcenter.state.base import location_for

KEPT = [
    "/home",
    "/documents",
    "/documents?policy=3",
    "/policies/123",
    "/requests/personal?policy=7&type=vehicle",
    "/billing?invoice=9",
    "/shared/abc.def",
    "/pay/tok_123",
    "/claims/4/survey",
]
REFUSED = [
    "",
    "home",
    "//evil.example",
    "//evil.example/documents",
    "///evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%255C%255Cevil.example",
    "/documents?x=https://evil.example",
    "/documents\r\nLocation: https://evil.example",
    "/documents%0d%0aSet-Cookie:x=1",
    "/documents/../agent",
    "/home/%2e%2e/agent",
    "/\tevil",
    "/",  # the login page itself
    "/accounts",
    "/auth/logout",
    "/files/secret",
    "/agent/tasks",  # the agency's page is no customer's to come back to
    "/evil",
    "/" + "a" * 700,
]


@pytest.mark.parametrize("path", KEPT)
def test_customer_pages_come_back_after_login(path):
    assert routes.safe_return_path(path) == path


@pytest.mark.parametrize("path", REFUSED)
def test_anything_else_is_refused(path):
    assert routes.safe_return_path(path) is None


def test_non_strings_are_refused():
    for value in (None, 3, ["/home"], b"/home"):
        assert routes.safe_return_path(value) is None


@pytest.mark.parametrize(
    "path, kept",
    [
        ("/agent", True),
        ("/agent/tasks", True),
        ("/agent/account?id=12", True),
        ("/agent/login", False),
        ("/agent/login?next=/agent/tasks", False),
        ("/agent/enrol/tok", False),
        ("/agent/import/errors/tok", False),
        ("/agentx", False),
        ("/home", False),
        ("//evil.example/agent", False),
        ("/agent/%2e%2e/%2e%2e//evil.example", False),
        ("/agent\\..\\evil", False),
    ],
)
def test_agent_side_keeps_only_agency_pages(path, kept):
    assert (routes.safe_return_path(path, routes.AGENT_SIDE) == path) is kept


def test_the_login_page_links_carry_the_page_encoded():
    assert routes.login_returning_to("/documents?policy=3") == "/?next=/documents%3Fpolicy%3D3"
    assert routes.login_returning_to("//evil.example") == "/"
    assert routes.login_returning_to("/agent/tasks", routes.AGENT_SIDE) == (
        "/agent/login?next=/agent/tasks"
    )


def test_a_guard_sends_the_tab_to_login_with_the_page_it_was_opening():
    check = SessionCheck("login", kind="")
    assert location_for(check, "/policies/12") == "/?signed_out=login&next=/policies/12"
    assert location_for(check, "https://evil.example") == "/?signed_out=login"
    # No session at all on an agency page: the agents' login, back to that page after.
    assert location_for(check, "/agent/tasks") == "/agent/login?signed_out=login&next=/agent/tasks"
    assert location_for(check, "/agentx") == "/?signed_out=login"
    agent = SessionCheck("idle", kind="agent")
    assert location_for(agent, "/agent/tasks") == "/agent/login?signed_out=idle&next=/agent/tasks"
    assert location_for(agent, "/home") == "/agent/login?signed_out=idle"


def test_leave_keeps_the_reason_and_a_safe_page_only():
    leave = routes.safe_leave_path
    assert leave("/?signed_out=idle&next=/documents%3Fpolicy%3D3") == (
        "/?signed_out=idle&next=/documents%3Fpolicy%3D3"
    )
    assert leave("/?signed_out=idle&next=//evil.example") == "/?signed_out=idle"
    assert leave("/?next=https%3A%2F%2Fevil.example") == "/"
    assert leave("/?signed_out=<b>&next=/home") == "/?next=/home"
    assert leave("/agent/login?signed_out=login&next=/agent/tasks") == (
        "/agent/login?signed_out=login&next=/agent/tasks"
    )
    assert leave("/agent/login?next=/home") == "/agent/login"
    assert leave("/accounts?next=/home") == "/accounts"
    assert leave("https://evil.example/?next=/home") == "/"
