"""Attacks on the running app with a captured Reflex client token (issue: the browser tab is
not a credential). Each presents the victim's tab token over the real websocket and
``/_upload`` twice: with no cookie at all, and with another browser's cookies (the
attacker's own browser, logged in to its own account). Neither may see or continue anything
of the victim's tab. Before the tab binding (clientcenter/http/middleware/tab_binding.py) every one of these
got the victim's data or finished the victim's login."""

from __future__ import annotations

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pyotp
import pytest

from bench.login import Mailbox, var
from bench.wsclient import ReflexTab, new_browser_key
from clientcenter.state.agency.login import AgentLoginState
from clientcenter.state.portal.documents import DocumentsState
from clientcenter.state.portal.login import LoginState
from tests.support.browser import setup_cookie
from tests.support.demo import AGENT, JORDAN, MORGAN, PAT

LOGIN = LoginState.get_full_name()
AGENT_LOGIN = AgentLoginState.get_full_name()
DOCUMENTS = DocumentsState.get_full_name()
ATTACKERS = ("no cookie", "another browser")


async def _attacker(app, victim: ReflexTab, how: str) -> ReflexTab:
    if how == "no cookie":
        return ReflexTab(app.url, token=victim.token, browser_key=None)
    # Another browser: its own key and its own live session (Morgan's).
    return ReflexTab(
        app.url,
        f"cc_session={app.session_token(MORGAN)}",
        browser_key=await new_browser_key(app.url),
        token=victim.token,
    )


def in_thread(coro):
    """asyncio.run in a thread of its own: the browser fixtures keep a loop in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _policy_numbers(tab: ReflexTab) -> set[str]:
    """The policy numbers of the documents a tab's state holds (the victim's are Pat's)."""
    items = var(tab, DOCUMENTS, "items") or []
    return {i["policy_number"] for i in items if i.get("policy_number")}


def _everything(tab: ReflexTab) -> str:
    """Every update the tab received, as it came (a later delta may overwrite a leak)."""
    return json.dumps(tab.received)


@pytest.mark.parametrize("how", ATTACKERS)
def test_a_captured_tab_token_hydrates_none_of_the_victims_page_data(app, how):
    """(a) Pat's /documents tab; the attacker hydrates the same token: no name, no email, no
    document, no VIN — also after Pat logged out."""

    async def run():
        pat = ReflexTab(app.url, f"cc_session={app.session_token(PAT)}")
        await pat.open("/documents")
        pats = _policy_numbers(pat)
        assert pats  # the victim's tab has the data
        # The victim's phone drops the connection (screen off, tunnel); while it is connected
        # Reflex itself gives a second connection with the same token a new token.
        await pat.close()
        attacker = await _attacker(app, pat, how)
        try:
            await attacker.open("/documents")
            stolen = _everything(attacker)
            assert "Rivera" not in stolen and "pat.rivera" not in stolen
            assert not any(number in stolen for number in pats)
        finally:
            await attacker.close()
        # Pat logs out: the route blanks the tab's state, even for Pat's own old cookie.
        async with httpx.AsyncClient() as http:
            out = await http.post(
                app.url + "/auth/logout",
                data={"tab": pat.token},
                headers={"origin": app.url, "cookie": pat.cookie_header()},
            )
        assert out.status_code == 303
        again = ReflexTab(app.url, token=pat.token, browser_key=pat.browser_key)
        try:
            await again.open("/documents")
            assert not any(number in _everything(again) for number in pats)
        finally:
            await again.close()

    in_thread(run())


@pytest.mark.parametrize("how", ATTACKERS)
def test_a_captured_tab_token_cannot_finish_the_victims_login_at_the_account_choice(app, how):
    """(b) Jordan proves the code and is at the account choice; the attacker, with Jordan's
    token, picks the commercial account: no grant, no session."""

    async def run():
        mailbox = Mailbox(app.database_url)
        jordan = ReflexTab(app.url)
        await jordan.open("/")
        await jordan.call(f"{LOGIN}.submit_email", {"form": {"email": JORDAN}})
        if var(jordan, LOGIN, "step") == "channel":
            await jordan.call(f"{LOGIN}.choose_channel", {"channel": "email"})
        code = await mailbox.wait_code(JORDAN)
        await jordan.call(f"{LOGIN}.submit_code", {"form": {"code": code}})
        accounts = var(jordan, LOGIN, "accounts")
        assert len(accounts) == 2
        await jordan.close()  # the victim's connection drops
        attacker = await _attacker(app, jordan, how)
        try:
            await attacker.open("/")
            assert var(attacker, LOGIN, "accounts") in (None, [])
            await attacker.call(f"{LOGIN}.choose_account", {"account_id": accounts[1]["id"]})
            assert "grant" not in json.dumps(attacker.client_events)
            assert "ended" in var(attacker, LOGIN, "error")
        finally:
            await attacker.close()
        # Jordan, back in Jordan's own browser, still can.
        await jordan.open("/")
        await jordan.call(
            f"{LOGIN}.choose_account",
            {"account_id": accounts[1]["id"]},
            until=lambda: "grant" in json.dumps(jordan.client_events),
        )
        await jordan.close()

    in_thread(run())


@pytest.mark.parametrize("how", ATTACKERS)
def test_a_captured_tab_token_gets_no_totp_secret_and_no_agent_session(app, how):
    """(c) An agent at the enrolment step; the attacker, with the agent's token: no secret in
    what it hydrates, no QR code again, no recovery codes, no grant from finish()."""

    async def run():
        mailbox = Mailbox(app.database_url)
        key = await new_browser_key(app.url)
        link = await setup_cookie(app.url, app.database_url, AGENT, key)
        agent = ReflexTab(app.url, link, browser_key=key)
        await agent.open("/agent/login")
        await agent.call(f"{AGENT_LOGIN}.submit_email", {"form": {"email": AGENT}})
        code = await mailbox.wait_code(AGENT)
        await agent.call(
            f"{AGENT_LOGIN}.submit_code",
            {"form": {"code": code}},
            until=lambda: "totp-secret" in json.dumps(agent.client_events),
        )
        secret = re.search(r'"totp-secret\\": \\"([A-Z2-7]+)', json.dumps(agent.client_events))
        assert secret, "the enrolment key reaches the agent's own page"
        secret = secret.group(1)
        assert secret not in json.dumps(agent.state)  # the page got it as a script, not a var
        await agent.close()
        attacker = await _attacker(app, agent, how)
        try:
            await attacker.open("/agent/login")
            await attacker.call(f"{AGENT_LOGIN}.show_enrolment", {})
            await attacker.call(
                f"{AGENT_LOGIN}.submit_enrolment", {"form": {"code": pyotp.TOTP(secret).now()}}
            )
            await attacker.call(f"{AGENT_LOGIN}.finish", {})
            stolen = _everything(attacker)
            assert secret not in stolen and "recovery-code" not in stolen
            assert "grant" not in stolen
        finally:
            await attacker.close()

    in_thread(run())


@pytest.mark.parametrize("how", ATTACKERS)
def test_a_captured_tab_token_cannot_upload_as_the_victim(app, how):
    """(d) POST /_upload with the victim's token and handler headers: refused without a
    session cookie; with another browser's session it runs on that browser's own empty tab
    and streams back nothing of the victim's."""

    async def run():
        pat = ReflexTab(app.url, f"cc_session={app.session_token(PAT)}")
        await pat.open("/documents")
        pats = _policy_numbers(pat)
        assert pats
        await pat.close()
        attacker = await _attacker(app, pat, how)
        headers = {
            "reflex-client-token": pat.token,
            "reflex-event-handler": f"{DOCUMENTS}.handle_upload",
            "origin": app.url,
        }
        if attacker.cookie_header():
            headers["cookie"] = attacker.cookie_header()
        pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        body, status = b"", None
        async with httpx.AsyncClient(timeout=30) as http:
            try:
                answer = await http.post(
                    app.url + "/_upload",
                    headers=headers,
                    files={"files": ("x.pdf", pdf, "application/pdf")},
                )
                status, body = answer.status_code, answer.content
            except httpx.TransportError:
                # The handler found no session on that (never connected) tab and the
                # stream was cut: refused either way.
                pass
        if how == "no cookie":
            assert status == 403
        assert not any(n.encode() in body for n in pats) and b"Rivera" not in body

    in_thread(run())
