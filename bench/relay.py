"""Notification engine throughput on SQLite and PostgreSQL.

    python -m bench.relay [--messages 400] [--postgres URL]

Times record_action for a customer request (activity + task + 3 outbox rows) and then the
relay draining the outbox: through the dev mailbox, and through the real SendGrid SDK against
the tests' recording server on loopback, with one and with two relays side by side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel

import clientcenter.models  # noqa: F401
from clientcenter.db import make_engine
from clientcenter.delivery.relay import Relay
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal
from clientcenter.settings import load_settings
from tests.support.factories import make_people
from tests.support.provider_server import ProviderServer

DEFAULT_POSTGRES = os.environ.get(
    "CC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def run(url: str, label: str, n: int, settings_env: dict[str, str]) -> None:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    os.environ.update(settings_env)
    settings = load_settings()
    with Session(engine) as session:
        people = make_people(session)
        actor = Principal.customer(people.account.id, people.co_applicant.id)
        times = []
        for i in range(n // 3):
            t = time.perf_counter()
            record_action(
                session,
                actor,
                "customer.general_request",
                summary=f"Request {i}",
                settings=settings,
            )
            session.commit()
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(
        f"{label}: record_action + commit p50 {statistics.median(times):.1f} ms, "
        f"p95 {times[int(len(times) * 0.95)]:.1f} ms ({len(times)} actions, "
        f"{len(times) * 3} messages)"
    )
    for relays in (1, 2):
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE outbox_message SET status='pending', attempts=0, lease_until=NULL")
            )
            conn.execute(text("DELETE FROM dev_mailbox_message"))
        workers = [Relay(engine, settings) for _ in range(relays)]
        t = time.perf_counter()
        threads = [threading.Thread(target=w.drain) for w in workers]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        took = time.perf_counter() - t
        print(
            f"{label}: {relays} relay(s) sent {len(times) * 3} in {took:.2f} s "
            f"= {len(times) * 3 / took:.0f} messages/s"
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    args = parser.parse_args()
    server = ProviderServer()
    base_env = {
        "CC_SECRET_KEY": "bench-secret-0123456789-abcdefghijklmnopqrstuv",
        "CLIENTCENTER_CONFIG": "/nonexistent.toml",
    }
    sendgrid_env = {
        **base_env,
        "CC_DELIVERY__EMAIL_BACKEND": "sendgrid",
        "CC_DELIVERY__SENDGRID_API_KEY": "SG.bench",
        "CC_DELIVERY__SENDGRID_HOST": server.url,
    }
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"cc_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    pg_base = args.postgres.rsplit("/", 1)[0]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'dev.db'}", "sqlite dev mailbox", args.messages, base_env)
            run(
                f"sqlite:///{Path(tmp) / 'sg.db'}",
                "sqlite sendgrid SDK",
                args.messages,
                sendgrid_env,
            )
        run(f"{pg_base}/{name}", "postgresql sendgrid SDK", args.messages, sendgrid_env)
    finally:
        server.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
