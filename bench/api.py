"""Policy upserts per second through the REST API on PostgreSQL, with one and two workers.

    python -m bench.api [--policies 600] [--concurrency 8] [--postgres URL]

A throw-away PostgreSQL database gets the schema and the demo agency, and a key with the
read and write scopes. The HTTP app Reflex serves (bench/api_app.py: the same middleware and
/api/v1 mount, without building the frontend) runs under granian with 1, then 2 worker
processes sharing Redis for the rate limit (raised out of the way). A client on the same
machine POSTs /api/v1/policies from ``--concurrency`` connections, each call with its own
Idempotency-Key: first ``--policies`` new policies (201, created), then the same ones again
with a new premium (200, updated). Every answer is checked; the figure counts only those.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid

import httpx
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel

import clientcenter.models  # noqa: F401
from clientcenter import routes
from clientcenter.db import make_engine
from clientcenter.demo.agency import load_demo
from clientcenter.services.api import keys
from clientcenter.settings import load_settings
from tests.support.demo import agency_agent

DEFAULT_POSTGRES = os.environ.get(
    "CC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ENV = {
    "CC_SECRET_KEY": "bench-secret-0123456789-abcdefghijklmnopqrstuv",
    "CLIENTCENTER_CONFIG": "/nonexistent.toml",
    "CC_API__RATE_LIMIT_PER_MINUTE": "100000",
    "CC_API__REDIS_URL": "redis://127.0.0.1:6379/7",
    "CC_DELIVERY__RELAY_IN_APP": "false",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _policy(i: int, premium: str) -> dict:
    return {
        "customer_id": f"BENCH{i % 50:03d}",
        "policy_id": f"BP{i:06d}",
        "policy_number": f"BENCH-{i:06d}",
        "carrier": "Casco Mutual",
        "line": "auto",
        "effective_date": "2026-01-15",
        "expiration_date": "2027-01-15",
        "status": "active",
        "premium": premium,
    }


async def _post_all(base: str, secret: str, bodies: list[dict], path: str, want: int, conc: int):
    queue: asyncio.Queue = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    ok = [0]
    bad: list[str] = []

    async def worker(client: httpx.AsyncClient):
        while not queue.empty():
            body = queue.get_nowait()
            r = await client.post(
                path,
                json=body,
                headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": uuid.uuid4().hex},
            )
            if r.status_code == want:
                ok[0] += 1
            elif len(bad) < 3:
                bad.append(f"{r.status_code} {r.text[:200]}")

    limits = httpx.Limits(max_connections=conc)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(conc)))
    return ok[0], bad


def _wait_up(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the app did not start")
        try:
            if httpx.get(base + routes.API_OPENAPI, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the app did not answer within 60 s")


def run(url: str, n: int, conc: int) -> None:
    os.environ.update(ENV)
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        load_demo(session, load_settings())
        session.commit()
        secret = keys.create_key(session, agency_agent(session), "bench", ["read", "write"]).secret
        session.commit()
    engine.dispose()
    env = {**os.environ, **ENV, "DATABASE_URL": url}
    for workers in (1, 2):
        port = _free_port()
        base = f"http://127.0.0.1:{port}{routes.API_PREFIX}"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "asgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-ws",
                "--log-level",
                "warning",
                "bench.api_app:app",
            ],
            env=env,
        )
        try:
            _wait_up(base, proc)
            offset = workers * 100_000  # each run its own policies
            accounts = [{"customer_id": f"BENCH{i:03d}", "name": f"Bench {i}"} for i in range(50)]
            asyncio.run(_post_all(base, secret, accounts, "/accounts", 201, conc))
            for label, premium, want in (("created", "900.00", 201), ("updated", "950.00", 200)):
                bodies = [_policy(offset + i, premium) for i in range(n)]
                t = time.perf_counter()
                ok, bad = asyncio.run(_post_all(base, secret, bodies, "/policies", want, conc))
                took = time.perf_counter() - t
                print(
                    f"postgresql, {workers} worker(s): {ok}/{n} policies {label} in {took:.2f} s"
                    f" = {ok / took:.0f} upserts/s" + (f"  (refused: {bad})" if bad else ""),
                    flush=True,
                )
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--policies", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    args = parser.parse_args()
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"cc_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        run(f"{args.postgres.rsplit('/', 1)[0]}/{name}", args.policies, args.concurrency)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
