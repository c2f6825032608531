"""The tab-binding middleware (clientcenter/http/middleware/tab_binding.py) as the inner app sees it: the raw
Cookie header never reaches Reflex on /_event and /_upload, the client token is bound to the
browser's key, /_upload is authenticated on its own request, and a browser gets its key with
its first response. And what a tab's state would put in the state store after a customer's
login and an agent's enrolment: none of the secrets."""

from __future__ import annotations

import asyncio
import pickle
import re
from urllib.parse import parse_qs

import pyotp
import pytest
from sqlmodel import select

from clientcenter.http.middleware.tab_binding import TabBinding, bind_token
from clientcenter.services.auth.connection import BROWSER_HEADER, SESSION_HEADER, browser_digest
from clientcenter.services.auth.sessions import hash_session_token
from tests.support.demo import AGENT, JORDAN, MORGAN, ROBIN
from tests.support.handlers import settle
from tests.support.logins import last_code

TOKEN = "0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f"
KEY = "browser-key-of-the-victim-0123456789abcdef"


class _Inner:
    def __init__(self):
        self.scopes = []

    async def __call__(self, scope, receive, send):
        self.scopes.append(scope)
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})


def _run(app, scope):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def _event_scope(cookie: str | None, extra=()):
    headers = [(b"host", b"localhost:3000"), *extra]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return {
        "type": "websocket",
        "path": "/_event/",
        "headers": headers,
        "query_string": f"EIO=4&transport=websocket&token={TOKEN}".encode(),
    }


def _headers(scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope["headers"]}


def _token(scope) -> str:
    return parse_qs(scope["query_string"].decode())["token"][0]


def test_the_websocket_reaches_reflex_without_the_cookie_and_with_a_bound_token(demo):
    inner = _Inner()
    _run(
        TabBinding(inner),
        _event_scope(
            f"cc_session=raw-session-token; cc_browser={KEY}", extra=[(b"x-cc-session", b"f" * 64)]
        ),
    )  # forged by the client: dropped
    seen = _headers(inner.scopes[0])
    assert b"cookie" not in seen
    assert b"raw-session-token" not in repr(inner.scopes[0]).encode()
    assert seen[SESSION_HEADER.encode()] == hash_session_token("raw-session-token").encode()
    assert seen[BROWSER_HEADER.encode()] == browser_digest(KEY).encode()
    assert _token(inner.scopes[0]) == bind_token(TOKEN, KEY) != TOKEN


def test_the_same_token_from_another_browser_or_without_cookie_names_another_state(demo):
    inner = _Inner()
    _run(TabBinding(inner), _event_scope(f"cc_browser={KEY}"))
    _run(TabBinding(inner), _event_scope("cc_browser=another-browser-key-0123456789abcdef"))
    _run(TabBinding(inner), _event_scope(None))
    _run(TabBinding(inner), _event_scope(None))
    tokens = [_token(s) for s in inner.scopes]
    assert len(set(tokens)) == 4  # no cookie: a key of that connection alone, every time
    assert SESSION_HEADER.encode() not in _headers(inner.scopes[2])


def test_a_browser_gets_its_key_with_its_first_response_and_keeps_it(demo):
    inner = _Inner()
    first = _run(
        TabBinding(inner),
        {"type": "http", "path": "/", "method": "GET", "headers": [(b"host", b"localhost:3000")]},
    )
    cookie = dict(first[0]["headers"])[b"set-cookie"].decode()
    assert cookie.startswith("cc_browser=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    again = _run(
        TabBinding(inner),
        {
            "type": "http",
            "path": "/",
            "method": "GET",
            "headers": [(b"cookie", f"cc_browser={KEY}".encode())],
        },
    )
    assert b"set-cookie" not in dict(again[0]["headers"])


@pytest.mark.parametrize("cookie", [None, f"cc_browser={KEY}", "cc_session=not-a-session"])
def test_an_upload_without_a_live_session_cookie_of_its_own_is_refused(demo, cookie):
    inner = _Inner()
    headers = [
        (b"reflex-client-token", TOKEN.encode()),
        (b"reflex-event-handler", b"state.documents_state.handle_upload"),
    ]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    sent = _run(
        TabBinding(inner),
        {"type": "http", "path": "/_upload", "method": "POST", "headers": headers},
    )
    assert sent[0]["status"] == 403 and inner.scopes == []


def test_an_upload_with_its_own_session_runs_on_its_own_browsers_tab(demo):
    from tests.support.logins import customer_session

    token = customer_session(demo).token
    inner = _Inner()
    _run(
        TabBinding(inner),
        {
            "type": "http",
            "path": "/_upload",
            "method": "POST",
            "headers": [
                (b"reflex-client-token", TOKEN.encode()),
                (b"cookie", f"cc_session={token}; cc_browser={KEY}".encode()),
            ],
        },
    )
    seen = _headers(inner.scopes[0])
    assert seen[b"reflex-client-token"] == bind_token(TOKEN, KEY).encode()
    assert b"cookie" not in seen and token.encode() not in repr(inner.scopes[0]).encode()


@pytest.mark.parametrize(("email", "allowed"), [(AGENT, True), (ROBIN, False)])
def test_an_agency_side_upload_needs_a_role_that_may_share_documents(demo, email, allowed):
    """The agent's account page uploads documents; an auditor's session uploads nothing."""
    from tests.support.logins import agent_session

    token = agent_session(demo, email=email).token
    inner = _Inner()
    sent = _run(
        TabBinding(inner),
        {
            "type": "http",
            "path": "/_upload",
            "method": "POST",
            "headers": [
                (b"reflex-client-token", TOKEN.encode()),
                (b"cookie", f"cc_session={token}; cc_browser={KEY}".encode()),
            ],
        },
    )
    if allowed:
        assert len(inner.scopes) == 1
    else:
        assert sent[0]["status"] == 403 and inner.scopes == []


# --- what the state store would hold -------------------------------------------------------


def _stored_bytes(state) -> bytes:
    """The bytes a state manager writes for this tab: every substate, pickled as Reflex does."""
    from reflex.istate.manager.token import BaseStateToken

    root = state
    while root.parent_state is not None:
        root = root.parent_state
    out, todo = [], [root]
    while todo:
        s = todo.pop()
        out.append(BaseStateToken.serialize(s))
        todo.extend(s.substates.values())
    return b"".join(out) + pickle.dumps(root.router_data)


def _scripts(spec) -> str:
    return str(spec)


def test_no_login_secret_is_in_the_customers_tab_state(demo):
    from clientcenter.state.portal.login import LoginState
    from tests.support.handlers import page_state

    state = page_state(LoginState)
    settle(state.submit_email({"email": JORDAN}))
    if state.step == "channel":
        settle(state.choose_channel("email"))
    attempt = state._attempt()
    code = last_code(demo, JORDAN)
    settle(state.submit_code({"code": code}))
    assert state.step == "account"
    grant = re.search(
        r'"grant": "([^"]+)"', _scripts(settle(state.choose_account(state.accounts[0]["id"])))
    ).group(1)
    stored = _stored_bytes(state)
    for secret in (attempt, grant, code):
        assert secret.encode() not in stored


def test_no_totp_secret_or_recovery_code_is_in_the_agents_tab_state(demo):
    from clientcenter.models import OutboxMessage
    from clientcenter.state.agency.login import AgentLoginState
    from tests.support.handlers import page_state
    from tests.support.logins import opened_setup_link

    state = page_state(AgentLoginState, opened_setup_link(demo).cookie)
    settle(state.submit_email({"email": AGENT}))
    attempt = state._attempt()
    body = demo.exec(
        select(OutboxMessage.body_text).where(
            OutboxMessage.to_address == AGENT, OutboxMessage.template == "login_code"
        )
    ).one()
    reveal = _scripts(settle(state.submit_code({"code": re.search(r"\d{6}", body).group()})))
    secret = re.search(r'totp-secret\\?": \\?"([A-Z2-7]+)', reveal).group(1)
    assert state.step == "enrol"
    shown = _scripts(settle(state.submit_enrolment({"code": pyotp.TOTP(secret).now()})))
    codes = sorted(set(re.findall(r"\b[a-z2-9]{5}-[a-z2-9]{5}\b", shown)))
    assert state.step == "recovery_codes" and len(codes) == 10, shown[:300]
    grant_spec = _scripts(settle(state.finish()))
    grant = re.search(r'"grant": "([^"]+)"', grant_spec).group(1)
    stored = _stored_bytes(state)
    for value in (secret, attempt, grant, *codes):
        assert value.encode() not in stored


def test_a_login_framed_by_another_site_works_without_the_browser_cookie(demo):
    """In a cross-site frame the SameSite=Lax browser cookie is not sent: the attempt is bound
    to that connection alone, and its grant to no browser (the Origin check still applies)."""
    from starlette.testclient import TestClient

    from clientcenter.http import build_http_app
    from clientcenter.state.portal.login import LoginState
    from tests.support.handlers import page_state

    state = page_state(LoginState, browser=None)
    settle(state.submit_email({"email": MORGAN}))
    if state.step == "channel":
        settle(state.choose_channel("email"))
    spec = str(settle(state.submit_code({"code": last_code(demo, MORGAN)})))
    grant = re.search(r'"grant": "([^"]+)"', spec).group(1)
    client = TestClient(build_http_app(), base_url="http://localhost:3000", follow_redirects=False)
    done = client.post(
        "/auth/complete", data={"grant": grant}, headers={"origin": "http://localhost:3000"}
    )
    assert done.headers["location"] == "/home" and "cc_session=" in done.headers["set-cookie"]
