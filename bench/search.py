"""Super Search latency at 10,000 and 100,000 accounts on SQLite and PostgreSQL.

    python -m bench.search [--sizes 10000 100000] [--queries 300] [--postgres URL]

Each database is filled by bench.generate (10k, then grown to 100k), then a fixed mix of
queries is timed through the real service (`super_search`, first page of 20 with the result
details), after a warm-up. Prints p50/p95/max in milliseconds per database and size, and per
kind of query. PostgreSQL gets a throw-away database on the server given (default: the local
test server); SQLite a file in a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel, select

import clientcenter.models  # noqa: F401
from bench.generate import add_accounts
from clientcenter.db import make_engine
from clientcenter.models import Account, Agent, Contact, Policy
from clientcenter.services.agency.search import super_search
from clientcenter.services.principal import Principal

DEFAULT_POSTGRES = os.environ.get(
    "CC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def query_mix(session: Session, n: int, seed: int = 3) -> list[tuple[str, str]]:
    """(kind, query) pairs drawn from the data, as agents would type them."""
    rng = random.Random(seed)
    top = session.exec(select(Account.id).order_by(Account.id.desc()).limit(1)).one()
    out: list[tuple[str, str]] = []
    while len(out) < n:
        aid = rng.randint(1, top)
        contact = session.exec(select(Contact).where(Contact.account_id == aid)).first()
        policy = session.exec(select(Policy).where(Policy.account_id == aid)).first()
        account = session.get(Account, aid)
        if contact is None or policy is None or account is None:
            continue
        choice = len(out) % 10
        if choice == 0:
            out.append(("last name", contact.last_name))
        elif choice == 1:
            out.append(("full name", f"{contact.first_name} {contact.last_name}".lower()))
        elif choice == 2:
            out.append(("name prefix", contact.last_name[:4]))
        elif choice == 3:
            out.append(("email", contact.email))
        elif choice == 4:
            out.append(("email part", contact.email.split("@")[0][-9:]))
        elif choice == 5 and contact.mobile:
            m = contact.mobile
            out.append(("phone", f"({m[2:5]}) {m[5:8]}-{m[8:]}"))
        elif choice == 6 and contact.mobile:
            out.append(("phone tail", contact.mobile[-7:-4] + "-" + contact.mobile[-4:]))
        elif choice == 7:
            out.append(("policy", policy.number))
        elif choice == 8:
            out.append(("policy part", policy.number.split("-")[1][:6]))
        elif choice == 9:
            word = (account.business_name or account.name).split()[0]
            out.append(("business/name word", word))
    return out


def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def measure(engine, queries: list[tuple[str, str]]) -> dict[str, list[float]]:
    with Session(engine) as session:
        agent_id = session.exec(select(Agent.id)).first()
        principal = Principal.agency(agent_id)
        for _kind, q in queries[:30]:  # warm-up: caches and connection pool
            super_search(session, principal, q)
        timings: dict[str, list[float]] = {}
        for kind, q in queries:
            started = time.perf_counter()
            super_search(session, principal, q)
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
    return timings


def _row(label: str, values: list[float]) -> str:
    return (
        f"  {label:<22} n={len(values):<4} p50 {statistics.median(values):7.1f} ms   "
        f"p95 {_percentile(values, 95):7.1f} ms   max {max(values):7.1f} ms"
    )


def run_database(name: str, url: str, sizes: list[int], n_queries: int) -> list[str]:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    lines, have = [], 0
    for size in sizes:
        made = add_accounts(engine, size - have)
        have = size
        if url.startswith("postgresql"):
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        with Session(engine) as session:
            queries = query_mix(session, n_queries)
            terms = session.exec(text("SELECT count(*) FROM search_term")).one()[0]
        timings = measure(engine, queries)
        everything = [t for ts in timings.values() for t in ts]
        lines.append(
            f"{name}, {size:,} accounts ({terms:,} search rows; generated in "
            f"{made.seconds:.0f}s; load average {os.getloadavg()[0]:.1f})"
        )
        lines.append(_row("all queries", everything))
        for kind, values in timings.items():
            lines.append(_row(kind, values))
        print("\n".join(lines[-(len(timings) + 2) :]), flush=True)
    engine.dispose()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Super Search latency benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    print(
        "Super Search, first page of 20 with details (service call, one connection); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at start:",
        flush=True,
    )
    report = []
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            report += run_database(
                "SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", sizes, args.queries
            )
    if not args.skip_postgres:
        name = f"cc_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            report += run_database(
                "PostgreSQL", args.postgres.rsplit("/", 1)[0] + f"/{name}", sizes, args.queries
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
