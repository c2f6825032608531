"""Login round trips over the real websocket protocol: N simulated phones each open the login
page, submit an email, pick email delivery when asked, read the code from the dev mailbox,
submit it, exchange the grant for the session cookie (the HTTP route) and load the home page.

    python -m bench.login [--clients 50 200] [--rounds 2] [--workers 2]

Run against one worker (the embedded default: SQLite, in-process state) and against several
(PostgreSQL + Redis, --workers backend processes). A round trip includes the time the in-app
relay takes to deliver the code, as a customer would wait for it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from bench.memory import BENCH_LIMITS
from bench.sessions import app_settings
from bench.wsclient import ReflexTab
from clientcenter.demo.serve import serve_app

POSTGRES_ADMIN = os.environ.get(
    "CC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("CC_BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
GRANT = re.compile(r'"grant":\s*"([^"]+)"')
CODE = re.compile(r"\b(\d{6})\b")


def state_names() -> tuple[str, str]:
    from clientcenter.state.portal.login import LoginState

    return LoginState.get_full_name(), "LoginState"


def var(tab: ReflexTab, substate: str, name: str):
    values = tab.state.get(substate, {})
    return values.get(name, values.get(f"{name}_rx_state_"))


def login_emails(app, needed: int) -> list[str]:
    """Primary contacts of generated accounts that may log in (one active account each)."""
    from bench.generate import add_accounts
    from clientcenter.models import Contact
    from clientcenter.services.accounts import loginable_contacts

    engine = create_engine(app.database_url)
    with app_settings(app):
        add_accounts(engine, max(needed * 2, 500))
        with Session(engine) as s:
            candidates = s.exec(
                select(Contact.email).where(
                    Contact.role == "primary", Contact.email.like("%@example.net")
                )
            ).all()
            emails = [e for e in candidates if len(loginable_contacts(s, e)) == 1]
    engine.dispose()
    if len(emails) < needed:
        raise RuntimeError(f"only {len(emails)} loginable contacts for {needed} logins")
    return emails[:needed]


class Mailbox:
    def __init__(self, database_url: str):
        self.engine = create_engine(database_url)

    def code_for(self, email: str, after_id: int) -> tuple[str, int] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT id, body_text FROM dev_mailbox_message WHERE to_address = :a AND id > :i "
                    "ORDER BY id DESC LIMIT 1"
                ),
                {"a": email, "i": after_id},
            ).first()
        if row and (m := CODE.search(row[1])):
            return m.group(1), row[0]
        return None

    async def wait_code(self, email: str, after_id: int = 0, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = await asyncio.to_thread(self.code_for, email, after_id)
            if found:
                return found[0]
            await asyncio.sleep(0.02)  # a finer poll would load the client more than it tells
        raise TimeoutError(f"no code reached the dev mailbox for {email}")


def grant_of(tab: ReflexTab) -> str | None:
    """The grant the page would POST to /auth/complete (it arrives as a script to run)."""
    scripts = [
        e["payload"].get("javascript_code", "")
        for e in tab.client_events
        if e.get("name") == "_call_script"
    ]
    return next((m.group(1) for s in scripts if (m := GRANT.search(s))), None)


# The steps of one login, in order; "code delivery" is the wait for the relay to put the code
# in the mailbox (a customer waits for an email or a text there), the others are round trips.
STEPS = ("open login page", "send code", "code delivery", "verify code", "set cookie", "load home")
ROUND_TRIPS = tuple(step for step in STEPS if step != "code delivery")


async def one_login(
    url: str, email: str, mailbox: Mailbox, http: httpx.AsyncClient, login_state: str
) -> dict[str, float]:
    """One customer's login; returns milliseconds per step (STEPS)."""
    took: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        took[step] = (now - mark) * 1000
        mark = now

    tab = ReflexTab(url)
    try:
        await tab.open("/")
        lap("open login page")
        await tab.call(f"{login_state}.submit_email", {"form": {"email": email}})
        if var(tab, login_state, "step") == "channel":
            await tab.call(f"{login_state}.choose_channel", {"channel": "email"})
        if var(tab, login_state, "step") != "code":
            raise RuntimeError(f"{email}: {var(tab, login_state, 'error')}")
        lap("send code")
        code = await mailbox.wait_code(email)
        lap("code delivery")
        await tab.call(
            f"{login_state}.submit_code",
            {"form": {"code": code}},
            until=lambda: grant_of(tab) or var(tab, login_state, "error"),
        )
        grant = grant_of(tab)
        if grant is None:
            raise RuntimeError(f"{email}: no grant ({var(tab, login_state, 'error')})")
        lap("verify code")
    finally:
        await tab.close()
    # The grant is bound to the browser that proved the code: post it with that browser's key.
    answer = await http.post(
        url + "/auth/complete",
        data={"grant": grant},
        headers={"origin": url, "cookie": tab.cookie_header()},
    )
    cookie = "; ".join(f"{k}={v}" for k, v in answer.cookies.items() if k != "cc_browser")
    if not cookie:
        raise RuntimeError(f"{email}: /auth/complete set no cookie ({answer.status_code})")
    lap("set cookie")
    home = ReflexTab(url, cookie, browser_key=tab.browser_key)
    try:
        await home.open("/home")
        if "/" in [p.split("?")[0] for p in home.redirects()]:
            raise RuntimeError(f"{email}: home sent the new session back to login")
        lap("load home")
    finally:
        await home.close()
    return took


async def run_paced(
    url: str, emails: list[str], clients: int, spread: float, mailbox: Mailbox
) -> tuple[list[dict[str, float]], float, int]:
    """Each of `clients` customers logs in once at a random moment within `spread` seconds:
    the latency people meet at that arrival rate, rather than the saturation of a closed loop."""
    import random

    login_state, _ = state_names()
    latencies: list[dict[str, float]] = []
    failures = 0
    rng = random.Random(11)

    async def client(http, email):
        nonlocal failures
        await asyncio.sleep(rng.uniform(0, spread))
        try:
            latencies.append(await one_login(url, email, mailbox, http, login_state))
        except Exception as exc:  # counted, not fatal
            failures += 1
            if failures <= 3:
                print(f"  failed: {exc}")

    started = time.perf_counter()
    async with httpx.AsyncClient(follow_redirects=False, timeout=60) as http:
        await asyncio.gather(*(client(http, e) for e in emails[:clients]))
    return latencies, time.perf_counter() - started, failures


async def run_clients(
    url: str, emails: list[str], clients: int, rounds: int, mailbox: Mailbox
) -> tuple[list[dict[str, float]], float, int]:
    login_state, _ = state_names()
    latencies: list[dict[str, float]] = []
    failures = 0
    queue = list(emails[: clients * rounds])

    async def client(http: httpx.AsyncClient):
        nonlocal failures
        while queue:
            email = queue.pop()
            try:
                latencies.append(await one_login(url, email, mailbox, http, login_state))
            except Exception as exc:  # a failed round trip is counted, not fatal
                failures += 1
                if failures <= 3:
                    print(f"  failed: {exc}")

    started = time.perf_counter()
    async with httpx.AsyncClient(follow_redirects=False, timeout=60) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return latencies, time.perf_counter() - started, failures


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))] if xs else float("nan")


def row(label: str, clients: int, logins: list[dict[str, float]], wall: float, failed: int) -> str:
    """Whole login (what the customer waits, code delivery included), the same without the
    delivery wait (the server's round trips), and the slowest single round trip."""
    whole = [sum(t.values()) for t in logins]
    trips = [sum(t[s] for s in ROUND_TRIPS) for t in logins]
    step95 = {s: pct([t[s] for t in logins], 0.95) for s in STEPS}
    slowest = max(ROUND_TRIPS, key=step95.get) if logins else ""
    return (
        f"{label:42} {clients:7d} {len(logins) / wall:7.1f}/s "
        f"{pct(whole, 0.5):6.0f} {pct(whole, 0.95):6.0f} {pct(trips, 0.5):6.0f} "
        f"{pct(trips, 0.95):6.0f} {step95.get('code delivery', 0):6.0f}  "
        f"{slowest} {step95.get(slowest, 0):.0f}  {failed:4d}"
    )


def bench_setup(
    name: str, app, client_counts: list[int], rounds: int, spread: float, closed_loop: bool = True
) -> list[str]:
    emails = login_emails(app, max(client_counts) * (rounds + 1) * len(client_counts))
    mailbox = Mailbox(app.database_url)
    rows = []
    for n in client_counts:
        if closed_loop:
            batch, emails = emails[: n * rounds], emails[n * rounds :]
            logins, wall, failed = asyncio.run(run_clients(app.url, batch, n, rounds, mailbox))
            rows.append(row(f"{name}, closed loop", n, logins, wall, failed))
        if spread:
            batch, emails = emails[:n], emails[n:]
            logins, wall, failed = asyncio.run(run_paced(app.url, batch, n, spread, mailbox))
            rows.append(row(f"{name}, paced over {spread:.0f}s", n, logins, wall, failed))
    mailbox.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--spread",
        type=float,
        default=60.0,
        help="paced run: each client logs in once within this many seconds",
    )
    parser.add_argument(
        "--setups",
        nargs="+",
        choices=["one", "many"],
        default=["one", "many"],
        help="one worker on SQLite, several on PostgreSQL + Redis, or both",
    )
    parser.add_argument(
        "--state-manager",
        choices=["memory", "disk"],
        default=None,
        help="one worker: Reflex's state manager (default: rxconfig's, memory)",
    )
    parser.add_argument(
        "--no-closed-loop",
        action="store_true",
        help="only the paced run (the latency customers meet)",
    )
    args = parser.parse_args()
    import redis

    rows = []
    with tempfile.TemporaryDirectory(prefix="cc-bench-login-") as tmp:
        if "one" in args.setups:
            env = dict(BENCH_LIMITS)
            if args.state_manager:
                env["REFLEX_STATE_MANAGER_MODE"] = args.state_manager
            label = f"1 worker (SQLite, {args.state_manager or 'memory'} state)"
            with serve_app(Path(tmp) / "one", extra_env=env) as app:
                rows += bench_setup(
                    label, app, args.clients, args.rounds, args.spread, not args.no_closed_loop
                )
        if "many" not in args.setups:
            print_rows(rows)
            return
        admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        name = f"cc_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            redis.Redis.from_url(REDIS_URL).flushdb()
            pg_url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
            with serve_app(
                Path(tmp) / "many",
                database_url=pg_url,
                redis_url=REDIS_URL,
                workers=args.workers,
                extra_env=BENCH_LIMITS,
            ) as app:
                rows += bench_setup(
                    f"{args.workers} workers (PostgreSQL + Redis)",
                    app,
                    args.clients,
                    args.rounds,
                    args.spread,
                    not args.no_closed_loop,
                )
        finally:
            redis.Redis.from_url(REDIS_URL).flushdb()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print_rows(rows)


def print_rows(rows: list[str]) -> None:
    print(
        "login = open login page, send code, code delivery (relay → mailbox), verify code, "
        "set cookie, load home; times in ms"
    )
    print(
        f"{'':42} {'clients':>7} {'logins':>9} {'whole login':>13} {'round trips':>13} "
        f"{'deliv.':>6}  {'slowest step p95':16} {'fail':>4}"
    )
    print(f"{'':42} {'':7} {'':>9} {'p50':>6} {'p95':>6} {'p50':>6} {'p95':>6} {'p95':>6}")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
