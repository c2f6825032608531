"""Webhook deliveries per second against a loopback receiver that verifies every signature.

    python -m bench.webhooks [--events 300] [--endpoints 2] [--postgres URL]

Queues events through the real emit path (services/webhooks/events.py: one outbox row per
event and endpoint), then times the relay draining them: each delivery signed, POSTed with
httpx to tests/support/webhook_receiver.py on 127.0.0.1, verified there and answered 200.
With one and with two relays side by side, on SQLite and PostgreSQL. Bounded: a fixed number
of events, to loopback only.
"""

from __future__ import annotations

import argparse
import os
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
from clientcenter.models import WebhookEndpoint
from clientcenter.services.webhooks import events
from clientcenter.services.webhooks.secrets import endpoint_secret, new_salt
from clientcenter.settings import load_settings
from tests.support.webhook_receiver import WebhookReceiver

DEFAULT_POSTGRES = os.environ.get(
    "CC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def run(url: str, label: str, n_events: int, n_endpoints: int) -> None:
    settings = load_settings()
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    receiver = WebhookReceiver()
    try:
        with Session(engine) as session:
            endpoint = WebhookEndpoint(
                url=receiver.url, events=["document.uploaded"], secret_salt=new_salt()
            )
            session.add(endpoint)
            session.commit()
            receiver.secret = endpoint_secret(endpoint.secret_salt, settings)
            targets = [endpoint] * n_endpoints  # one row per event and endpoint (dedupe key)
            for i in range(n_events):
                for k, target in enumerate(targets):
                    events.emit(
                        session,
                        "document.uploaded",
                        {"document": f"Declarations {i}"},
                        endpoints=[target],
                        event_id=f"evt_bench{i:06d}_{k}",
                    )
            session.commit()
        total = n_events * n_endpoints
        for relays in (1, 2):
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "UPDATE outbox_message SET status='pending', attempts=0, "
                        "lease_until=NULL, next_attempt_at=created_at"
                    )
                )
            receiver.deliveries.clear()
            receiver.events.clear()
            workers = [Relay(engine, settings) for _ in range(relays)]
            t = time.perf_counter()
            threads = [
                threading.Thread(target=w.drain, kwargs={"max_passes": 10_000}) for w in workers
            ]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            took = time.perf_counter() - t
            verified = sum(1 for d in receiver.deliveries if d.verified)
            print(
                f"{label}: {relays} relay(s) delivered {verified}/{total} verified in "
                f"{took:.2f} s = {verified / took:.0f} deliveries/s"
            )
    finally:
        receiver.close()
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--endpoints", type=int, default=2)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    args = parser.parse_args()
    os.environ.update(
        {
            "CC_SECRET_KEY": "bench-secret-0123456789-abcdefghijklmnopqrstuv",
            "CLIENTCENTER_CONFIG": "/nonexistent.toml",
        }
    )
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"cc_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    pg_base = args.postgres.rsplit("/", 1)[0]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'wh.db'}", "sqlite", args.events, args.endpoints)
        run(f"{pg_base}/{name}", "postgresql", args.events, args.endpoints)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
