"""The same code on real services: PostgreSQL, Redis and two backend workers (issue 8).

A websocket lands on one worker and the HTTP routes on any: login codes, rate limits, the
session and the one-payment-per-invoice rule must hold across them, because they live in the
database, never in a worker's memory. Run in their own pytest process (`make test`)."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis
from playwright.sync_api import expect
from sqlalchemy import create_engine, func, text
from sqlmodel import Session, select

from bench.login import Mailbox, one_login, state_names
from bench.sessions import app_settings
from bench.wsclient import ReflexTab, new_browser_key
from clientcenter.demo.serve import serve_app
from tests.support.browser import code_for, screenshot, setup_cookie
from tests.support.demo import AGENT, DANA, ELENA, GRACE, MORGAN, PAT, RIVERA, SAM, account_named
from tests.support.logins import customer_session

pytestmark = pytest.mark.scaleout

POSTGRES_ADMIN = os.environ.get(
    "CC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("CC_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
WORKERS = 2


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"cc_scale_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    pg_url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    redis.Redis.from_url(REDIS_URL).flushdb()
    try:
        with serve_app(
            tmp_path_factory.mktemp("cluster"),
            database_url=pg_url,
            redis_url=REDIS_URL,
            workers=WORKERS,
        ) as app:
            yield app
    finally:
        redis.Redis.from_url(REDIS_URL).flushdb()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_runs_on_postgres_redis_and_two_workers(cluster):
    assert cluster.database_url.startswith("postgresql")
    keys = redis.Redis.from_url(REDIS_URL).dbsize()
    # Tabs' states live in Redis, so any worker can serve any event of any tab.
    run(_open_tabs(cluster.url, 4))
    assert redis.Redis.from_url(REDIS_URL).dbsize() > keys
    assert httpx.get(cluster.url + "/healthz").json() == {"status": "ok"}
    assert (
        f"workers: {WORKERS}" in cluster.log_path.read_text().lower()
        or len(cluster.backend_pids()) >= WORKERS + 1
    )


def run(coro):
    """asyncio.run in a thread of its own: the browser fixtures keep a loop in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _open_tabs(url: str, n: int) -> None:
    tabs = [ReflexTab(url) for _ in range(n)]
    await asyncio.gather(*(t.open("/") for t in tabs))
    await asyncio.gather(*(t.close() for t in tabs))


def test_login_flow_in_the_browser(cluster, page):
    page.goto(cluster.url + "/")
    page.locator("#login-email").fill(PAT)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Email").first.click()
    code = code_for(page, cluster, PAT)
    page.locator("input[autocomplete='one-time-code']").fill(code)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/home/?$"), timeout=30000)
    expect(page.get_by_text(RIVERA).first).to_be_visible(timeout=30000)
    screenshot(page, "scale-out-home")


def test_concurrent_logins_across_workers(cluster):
    """Eight customers at once: code sent on one worker, verified and exchanged for a cookie
    on whichever worker gets the request, home loaded on a new connection."""
    emails = [
        MORGAN,
        GRACE,
        "jose.alvarez@example.com",
        "minh.nguyen@example.com",
        "lan.nguyen@example.com",
        "siobhan.obrien@example.com",
        SAM,
        DANA,
    ]
    mailbox = Mailbox(cluster.database_url)
    login_state, _ = state_names()

    async def go():
        async with httpx.AsyncClient(follow_redirects=False, timeout=60) as http:
            return await asyncio.gather(
                *(one_login(cluster.url, e, mailbox, http, login_state) for e in emails),
                return_exceptions=True,
            )

    results = run(go())
    mailbox.engine.dispose()
    failures = [r for r in results if isinstance(r, Exception)]
    assert not failures, failures


def test_send_limit_holds_across_workers(cluster):
    """Six fresh connections ask for a code for the same person: the per-contact limit (5 an
    hour) is counted in the database, so the sixth gets no code whichever worker it hits."""
    email = ELENA
    login_state, _ = state_names()

    async def ask(n: int):
        for _ in range(n):
            tab = ReflexTab(cluster.url)
            await tab.open("/")
            await tab.call(f"{login_state}.submit_email", {"form": {"email": email}})
            # Every email is asked email-or-text first (security.login_channel_choice).
            await tab.call(f"{login_state}.choose_channel", {"channel": "email"})
            await tab.close()

    run(ask(6))
    engine = create_engine(cluster.database_url)
    with engine.connect() as conn:
        sent = conn.execute(
            text(
                "SELECT COUNT(*) FROM outbox_message WHERE to_address = :a AND template = 'login_code'"
            ),
            {"a": email},
        ).scalar_one()
    engine.dispose()
    assert sent == 5


def test_one_payment_when_tabs_on_both_workers_pay_at_once(cluster):
    """Six tabs (six sessions, so spread over both workers) pay the same invoice at the same
    moment: exactly one payment exists afterwards, the others are told why."""
    from clientcenter.models import Invoice, Payment
    from clientcenter.state.portal.billing import BillingState

    engine = create_engine(cluster.database_url)
    with Session(engine) as s:
        account = account_named(s, RIVERA)
        invoice = s.exec(
            select(Invoice).where(Invoice.account_id == account.id, Invoice.status == "open")
        ).first()
    billing = BillingState.get_full_name()
    with app_settings(cluster):
        pat_tokens = customer_session_tokens_for(cluster, PAT, 6)

    async def pay_all():
        tabs = [ReflexTab(cluster.url, f"cc_session={t}") for t in pat_tokens]
        await asyncio.gather(*(t.open("/billing") for t in tabs))
        for t in tabs:
            await t.call(f"{billing}.start_pay", {"invoice_id": invoice.id})
            await t.call(f"{billing}.set_method", {"value": "check"})
            await t.call(f"{billing}.set_reference", {"value": "Check 1042"})

        def outcome(tab):  # (error shown, form still open)
            values = tab.state.get(billing, {})
            return values.get("form_error_rx_state_", ""), values.get("paying_id_rx_state_", 0)

        await asyncio.gather(
            *(
                t.call(
                    f"{billing}.submit_payment",
                    {},
                    until=lambda t=t: outcome(t)[0] or not outcome(t)[1],
                )
                for t in tabs
            )
        )
        errors = [outcome(t) for t in tabs]
        await asyncio.gather(*(t.close() for t in tabs))
        return errors

    errors = run(pay_all())
    with Session(engine) as s:
        payments = s.exec(
            select(func.count())
            .select_from(Payment)
            .where(Payment.invoice_id == invoice.id, Payment.status != "failed")
        ).one()
    engine.dispose()
    assert payments == 1
    # One tab's form closes on its recorded payment; every other one says why it did not pay.
    assert [error for error, still_open in errors if not still_open] == [""], errors
    assert all(error and still_open for error, still_open in errors if still_open), errors


def customer_session_tokens_for(app, email: str, n: int) -> list[str]:
    engine = create_engine(app.database_url)
    with Session(engine) as s:
        tokens = [customer_session(s, email).token for _ in range(n)]
    engine.dispose()
    return tokens


def _redis_dump() -> bytes:
    """Every value in the test's Redis database, whatever its type."""
    r = redis.Redis.from_url(REDIS_URL)
    out = []
    for key in r.scan_iter(count=500):
        kind = r.type(key)
        if kind == b"string":
            out.append(r.get(key) or b"")
        elif kind == b"hash":
            out.extend(b"%s=%s" % kv for kv in r.hgetall(key).items())
        elif kind == b"set":
            out.extend(r.smembers(key))
        elif kind == b"list":
            out.extend(r.lrange(key, 0, -1))
        elif kind == b"zset":
            out.extend(m for m, _ in r.zrange(key, 0, -1, withscores=True))
        out.append(key)
    return b"\n".join(out)


def test_no_secret_of_a_customer_login_or_an_agent_enrolment_reaches_redis(cluster):
    """A customer logs in and opens home; an agent signs in for the first time (enrolment,
    recovery codes) and opens Super Search. Then every value in Redis is searched for every
    secret the test saw: session tokens, browser keys, codes, grants, the TOTP secret and the
    recovery codes. Before the tab binding the raw session cookies (agents' included), the
    TOTP secret, the recovery codes and the attempt id were all there in clear."""
    import json

    import pyotp

    from clientcenter.state.agency.login import AgentLoginState

    mailbox = Mailbox(cluster.database_url)
    login_state, _ = state_names()
    agent_state = AgentLoginState.get_full_name()
    seen: list[str] = []

    def last_message() -> int:  # earlier tests mailed these people too: wait for a new code
        with mailbox.engine.connect() as conn:
            return conn.execute(
                text("SELECT COALESCE(MAX(id), 0) FROM dev_mailbox_message")
            ).scalar_one()

    async def customer(http):
        before = last_message()
        tab = ReflexTab(cluster.url)
        await tab.open("/")
        await tab.call(f"{login_state}.submit_email", {"form": {"email": GRACE}})
        if (tab.state[login_state].get("step_rx_state_") or "") == "channel":
            await tab.call(f"{login_state}.choose_channel", {"channel": "email"})
        code = await mailbox.wait_code(GRACE, before)
        await tab.call(
            f"{login_state}.submit_code",
            {"form": {"code": code}},
            until=lambda: "grant" in json.dumps(tab.client_events),
        )
        grant = re.search(r'"grant\\?": \\?"([^"\\]+)', json.dumps(tab.client_events)).group(1)
        answer = await http.post(
            cluster.url + "/auth/complete",
            data={"grant": grant},
            headers={"origin": cluster.url, "cookie": tab.cookie_header()},
        )
        token = answer.cookies["cc_session"]
        seen.append(answer.cookies["cc_remember"])
        home = ReflexTab(cluster.url, f"cc_session={token}", browser_key=tab.browser_key)
        await home.open("/home")
        assert "Kim" in json.dumps(home.state)
        seen.extend([tab.browser_key, code, grant, token])
        await tab.close()
        await home.close()

    async def agent(http):
        before = last_message()
        key = await new_browser_key(cluster.url)
        link = await setup_cookie(cluster.url, cluster.database_url, AGENT, key)
        seen.append(link.split("=", 1)[1])
        tab = ReflexTab(cluster.url, link, browser_key=key)
        await tab.open("/agent/login")
        await tab.call(f"{agent_state}.submit_email", {"form": {"email": AGENT}})
        code = await mailbox.wait_code(AGENT, before)
        await tab.call(
            f"{agent_state}.submit_code",
            {"form": {"code": code}},
            until=lambda: "totp-secret" in json.dumps(tab.client_events),
        )
        secret = re.search(
            r'totp-secret\\+": \\+"([A-Z2-7]+)', json.dumps(tab.client_events)
        ).group(1)
        await tab.call(
            f"{agent_state}.submit_enrolment",
            {"form": {"code": pyotp.TOTP(secret).now()}},
            until=lambda: "recovery-codes" in json.dumps(tab.client_events),
        )
        codes = set(re.findall(r"\b[a-z2-9]{5}-[a-z2-9]{5}\b", json.dumps(tab.client_events)))
        assert len(codes) == 10
        await tab.call(
            f"{agent_state}.finish", {}, until=lambda: "grant" in json.dumps(tab.client_events)
        )
        grant = re.search(r'"grant\\?": \\?"([^"\\]+)', json.dumps(tab.client_events)).group(1)
        answer = await http.post(
            cluster.url + "/auth/agent/complete",
            data={"grant": grant},
            headers={"origin": cluster.url, "cookie": tab.cookie_header()},
        )
        token = answer.cookies["cc_session"]
        seen.append(answer.cookies["cc_remember"])
        desk = ReflexTab(cluster.url, f"cc_session={token}", browser_key=tab.browser_key)
        await desk.open("/agent")
        seen.extend([tab.browser_key, code, secret, grant, token, *codes])
        await tab.close()
        await desk.close()

    async def go():
        async with httpx.AsyncClient(follow_redirects=False, timeout=60) as http:
            await customer(http)
            await agent(http)

    run(go())
    mailbox.engine.dispose()
    stored = _redis_dump()
    assert len(stored) > 1000  # the tabs' states are there
    leaked = [s for s in seen if s.encode() in stored]
    assert not leaked, f"{len(leaked)} secrets found in Redis"
