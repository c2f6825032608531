"""The CSV import at scale: a generated export of N accounts (1–2 contacts, 2–3 policies each),
imported into an empty database, then re-imported unchanged, then with 1 % of rows changed.

    python -m bench.imports [--accounts 10000] [--postgres URL] [--skip-sqlite] [--skip-postgres]

Prints seconds per run and the process's peak resident memory so far (the import streams its
files; the figure includes the interpreter and SQLAlchemy). SQLite gets a file in a temporary
directory, PostgreSQL a throw-away database on the server given (default: the test server).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel

import clientcenter.models  # noqa: F401
from clientcenter.db import make_engine
from clientcenter.models import Agent
from clientcenter.services.imports.run import ImportOptions, run_import
from clientcenter.services.imports.sources import open_source

DEFAULT_POSTGRES = os.environ.get(
    "CC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FIRST = ["Dana", "Lee", "Morgan", "Casey", "Jordan", "Riley", "Avery", "Quinn", "Sam", "Pat"]
LAST = ["Whitfield", "Tate", "Nguyen", "Okafor", "Rivera", "Shah", "Ellis", "Chen", "Moreau"]
LINES = ["auto", "home", "umbrella", "renters", "boat"]


def write_export(folder: Path, n: int, changed_every: int | None = None) -> tuple[int, int]:
    """accounts.csv, contacts.csv, policies.csv for n accounts; every ``changed_every``-th
    account and policy differs from the base export. Returns (contacts, policies)."""
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        name: open(folder / f"{name}.csv", "w", newline="")
        for name in ("accounts", "contacts", "policies")
    }
    out = {name: csv.writer(f) for name, f in files.items()}
    out["accounts"].writerow(["Customer ID", "Account Name", "Address", "City", "ST", "ZIP"])
    out["contacts"].writerow(
        [
            "Client Code",
            "Contact ID",
            "First Name",
            "Last Name",
            "Email",
            "Cell Phone",
            "Relationship",
        ]
    )
    out["policies"].writerow(
        [
            "LookupCode",
            "Policy ID",
            "Pol #",
            "Carrier",
            "LOB",
            "Eff Date",
            "Exp Date",
            "Status",
            "Premium",
        ]
    )
    contacts = policies = 0
    for i in range(n):
        changed = changed_every is not None and i % changed_every == 0
        first, last = rng.choice(FIRST), rng.choice(LAST)
        cid = f"C{i:07d}"
        city = "Bath" if changed else "Portland"
        out["accounts"].writerow([cid, f"{first} {last}", f"{i} Elm St", city, "ME", "04101"])
        people = [(first, "Primary")] + ([(rng.choice(FIRST), "Spouse")] if i % 2 else [])
        for k, (given, role) in enumerate(people):
            out["contacts"].writerow(
                [
                    cid,
                    f"{cid}-{k}",
                    given,
                    last,
                    f"{given.lower()}.{i}.{k}@example.org",
                    f"(207) 555-{(i * 2 + k) % 10000:04d}",
                    role,
                ]
            )
            contacts += 1
        for k in range(2 + i % 2):
            cents = 50_000 + (i * 37 + k) % 200_000 + (100 if changed else 0)
            out["policies"].writerow(
                [
                    cid,
                    f"{cid}-P{k}",
                    f"{LINES[k].upper()[:2]}-{i:07d}-{k}",
                    "Casco Mutual",
                    LINES[k],
                    "01/15/2026",
                    "1/15/27",
                    "In Force",
                    f"${cents / 100:,.2f}",
                ]
            )
            policies += 1
    for f in files.values():
        f.close()
    return contacts, policies


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(engine, folder: Path, producer_id: int) -> tuple[float, str]:
    started = time.perf_counter()
    with Session(engine) as session:
        report = run_import(
            session,
            open_source(folder).files,
            mapping={},
            default_producer_id=producer_id,
            options=ImportOptions(),
        )
        session.commit()
    seconds = time.perf_counter() - started
    counts = ", ".join(
        f"{e.entity} +{e.created} ~{e.updated} ={e.unchanged} !{e.refused}"
        for e in report.entities
    )
    return seconds, counts


def run_database(name: str, url: str, n: int, base: Path, changed: Path) -> None:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        agent = Agent(
            email="bench@example.com", first_name="B", last_name="Bench", role="administrator"
        )
        session.add(agent)
        session.commit()
        producer_id = agent.id
    for label, folder in (
        ("full import", base),
        ("unchanged re-import", base),
        ("1 % changed", changed),
    ):
        seconds, counts = _timed(engine, folder, producer_id)
        print(
            f"{name}, {n:,} accounts, {label}: {seconds:.1f} s; peak RSS {_peak_mb():.0f} MB"
            f" ({counts})",
            flush=True,
        )
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="CSV import benchmark")
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        base, changed = Path(tmp) / "base", Path(tmp) / "changed"
        contacts, policies = write_export(base, args.accounts)
        write_export(changed, args.accounts, changed_every=100)
        print(
            f"export: {args.accounts:,} accounts, {contacts:,} contacts, {policies:,} policies;"
            f" {sum(p.stat().st_size for p in base.iterdir()) / 2**20:.1f} MB",
            flush=True,
        )
        if not args.skip_sqlite:
            run_database(
                "SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.accounts, base, changed
            )
        if not args.skip_postgres:
            db_name = f"cc_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{db_name}"'))
            try:
                run_database(
                    "PostgreSQL",
                    args.postgres.rsplit("/", 1)[0] + f"/{db_name}",
                    args.accounts,
                    base,
                    changed,
                )
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
                admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
