"""The audit trail's CSV export (services/agency/audit.py export_csv) over N rows in SQLite.

    python -m bench.audit_export [--rows 100000] [--customers 0]

Fills a fresh SQLite file with N audit events spread over a year, 1,000 accounts and 20
agents (and, with --customers, that many customer activity-log rows to merge in), then
exports the whole year twice: once timed, once under tracemalloc for the peak of memory the
export itself allocates. Prints rows, bytes, seconds and peak memory; the process's
ru_maxrss is printed too (it includes filling the database).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, create_engine

from clientcenter.models import Account, ActivityLog, Agent
from clientcenter.models.audit import AuditEvent
from clientcenter.services.agency import audit
from clientcenter.services.principal import Principal

START = datetime(2026, 1, 1, tzinfo=UTC)
ACCOUNTS, AGENTS, BATCH = 1000, 20, 10_000
ACTIONS = ("info_pane.open", "search.run", "read_only.enter", "document.download", "agency.x")


def fill(session: Session, rows: int, customers: int) -> int:
    agents = [
        Agent(email=f"agent{i}@agency.example", first_name="Agent", last_name=str(i))
        for i in range(AGENTS)
    ]
    agents[0].role = "administrator"
    session.add_all(agents)
    session.flush()
    session.add_all(
        Account(kind="personal", name=f"Customer {i}", producer_id=agents[i % AGENTS].id)
        for i in range(ACCOUNTS)
    )
    session.flush()
    step = timedelta(days=365) / max(rows, 1)
    for first in range(0, rows, BATCH):
        session.execute(
            insert(AuditEvent),
            [
                {
                    "created_at": START + step * i,
                    "agent_id": agents[i % AGENTS].id,
                    "account_id": 1 + i % ACCOUNTS,
                    "kind": "write" if i % 5 == 4 else "read",
                    "action": ACTIONS[i % 5],
                    "summary": f"Opened the info pane of customer {i % ACCOUNTS}.",
                    "client_ip": f"203.0.113.{i % 250}",
                }
                for i in range(first, min(first + BATCH, rows))
            ],
        )
    step = timedelta(days=365) / max(customers, 1)
    for first in range(0, customers, BATCH):
        session.execute(
            insert(ActivityLog),
            [
                {
                    "created_at": START + step * i,
                    "account_id": 1 + i % ACCOUNTS,
                    "action_key": "customer.download_documents",
                    "actor_kind": "customer",
                    "channel": "portal",
                    "read_only": False,
                    "summary": "Downloaded a document.",
                    "details": {},
                }
                for i in range(first, min(first + BATCH, customers))
            ],
        )
    session.commit()
    return agents[0].id


def export(session: Session, principal: Principal, wanted: audit.ExportRange) -> tuple[int, int]:
    lines = size = 0
    for piece in audit.export_csv(session, principal, wanted):
        lines += piece.count("\r\n")
        size += len(piece.encode())
    return lines - 1, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'audit.db'}")
        SQLModel.metadata.create_all(engine)
        with Session(engine) as session:
            began = time.perf_counter()
            admin = fill(session, args.rows, args.customers)
            filled = time.perf_counter() - began
        principal = Principal.agency(admin)
        wanted = audit.ExportRange(date(2026, 1, 1), date(2026, 12, 31), args.customers > 0)
        with Session(engine) as session:
            began = time.perf_counter()
            rows, size = export(session, principal, wanted)
            seconds = time.perf_counter() - began
        with Session(engine) as session:
            tracemalloc.start()
            export(session, principal, wanted)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        engine.dispose()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"filled {args.rows:,} audit rows + {args.customers:,} activity rows in {filled:.1f} s")
    print(
        f"{'rows':>9} {'CSV MB':>8} {'seconds':>8} {'rows/s':>9} {'peak MB':>8} {'maxrss MB':>10}"
    )
    print(
        f"{rows:>9,} {size / 2**20:>8.1f} {seconds:>8.2f} {rows / seconds:>9,.0f} "
        f"{peak / 2**20:>8.2f} {maxrss:>10.0f}"
    )


if __name__ == "__main__":
    main()
