"""The CSV import at scale: a generated export of N accounts (1–2 contacts, 2–3 policies each,
with coverages, vehicles and invoices), imported into an empty database, then re-imported
unchanged, then with 1 % of the accounts' rows changed; then Super Search's latency on what
the import wrote.

    python -m bench.imports [--accounts 100000] [--queries 300] [--postgres URL]
                            [--skip-sqlite] [--skip-postgres]

The export holds every file a management system would give; the import takes those the
installed entities read (by file name, as `open_source` does) and the run says which it left.
Each database runs in its own process, so its peak resident memory is its own: the figure
includes the interpreter with the application's modules loaded (about 160 MB before any row is
read). SQLite gets a file in a temporary directory, PostgreSQL a throw-away database on the
server given (default: the test server). Nothing here passes or fails on a number.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

DEFAULT_POSTGRES = os.environ.get(
    "CC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CARRIERS = ["Casco Mutual", "Granite Re", "Pine State", "Harbor Assurance"]
PERSONAL_LINES = [("auto", "AUTOP"), ("home", "HO3"), ("umbrella", "PUMBR")]
MAKES = [("Subaru", "Outback"), ("Toyota", "RAV4"), ("Ford", "F-150"), ("Honda", "Civic")]
HEADERS = {
    "accounts": ["Customer ID", "Account Name", "Address", "City", "ST", "ZIP"],
    "contacts": [
        "Client Code",
        "Contact ID",
        "First Name",
        "Last Name",
        "Email",
        "Cell Phone",
        "Relationship",
    ],
    "policies": [
        "LookupCode",
        "Policy ID",
        "Pol #",
        "Carrier",
        "LOB",
        "Eff Date",
        "Exp Date",
        "Status",
        "Premium",
    ],
    "vehicles": ["Policy ID", "Vehicle ID", "Year", "Make", "Model", "VIN", "Use"],
    "coverages": ["Policy ID", "Coverage", "Limit", "Deductible", "Premium", "VIN"],
    "invoices": [
        "LookupCode",
        "Invoice ID",
        "Invoice Number",
        "Policy ID",
        "Description",
        "Amount",
        "Due Date",
        "Status",
    ],
}


def write_export(folder: Path, n: int, changed_every: int | None = None) -> dict[str, int]:
    """Every file for n accounts; every ``changed_every``-th account differs from the base
    export in its city, its policies' premiums, its coverages' limits and its invoice. Names
    and area codes are bench.generate's (realistic for Super Search). Returns rows per file."""
    from bench.generate import AREA_CODES, FIRST, LAST, _ascii_local

    folder.mkdir(parents=True, exist_ok=True)
    handles = {name: open(folder / f"{name}.csv", "w", newline="") for name in HEADERS}
    out = {name: csv.writer(handle) for name, handle in handles.items()}
    for name, header in HEADERS.items():
        out[name].writerow(header)
    rows = dict.fromkeys(HEADERS, 0)

    def write(name: str, row: list) -> None:
        out[name].writerow(row)
        rows[name] += 1

    for i in range(n):
        changed = changed_every is not None and i % changed_every == 0
        cid = f"C{i:07d}"
        last = LAST[(i * 7) % len(LAST)]
        first = FIRST[(i * 13) % len(FIRST)]
        write(
            "accounts",
            [
                cid,
                f"{first} {last}",
                f"{i} Elm St",
                "Bath" if changed else "Portland",
                "ME",
                "04101",
            ],
        )
        people = [(first, "Primary")] + (
            [(FIRST[(i * 17 + 5) % len(FIRST)], "Spouse")] if i % 2 else []
        )
        for k, (given, role) in enumerate(people):
            area = AREA_CODES[(i + k) % len(AREA_CODES)]
            exchange = 200 + (i * 3 + k) % 800
            if exchange % 100 == 11:  # N11 codes are not exchanges
                exchange += 1
            write(
                "contacts",
                [
                    cid,
                    f"{cid}-{k}",
                    given,
                    last,
                    f"{_ascii_local(given)}.{_ascii_local(last)}.{i}-{k}@example.org",
                    f"({area}) {exchange}-{(i * 7 + k * 3) % 10000:04d}",
                    role,
                ],
            )
        for k in range(2 + i % 2):
            line, code = PERSONAL_LINES[k]
            policy_id = f"{cid}-P{k}"
            cents = 50_000 + (i * 37 + k) % 200_000 + (100 if changed else 0)
            write(
                "policies",
                [
                    cid,
                    policy_id,
                    f"{code[:2]}-{i:07d}-{k}",
                    CARRIERS[i % len(CARRIERS)],
                    code,
                    "01/15/2026",
                    "1/15/27",
                    "In Force",
                    f"${cents / 100:,.2f}",
                ],
            )
            limit = "$300,000" if changed else "$100,000"
            write("coverages", [policy_id, "Liability", limit, "", "", ""])
            if line == "auto":
                vin = f"1HGCM{i:010d}{k:02d}"
                make, model = MAKES[i % len(MAKES)]
                write(
                    "vehicles",
                    [policy_id, f"{cid}-V{k}", 2018 + i % 8, make, model, vin, "Commute"],
                )
                write("coverages", [policy_id, "Collision", "ACV", "$500", "$312.00", vin])
        amount = 41_250 + (i * 11) % 90_000 + (500 if changed else 0)
        write(
            "invoices",
            [
                cid,
                f"{cid}-I1",
                f"INV-{i:07d}",
                f"{cid}-P0",
                "Renewal installment",
                f"${amount / 100:,.2f}",
                "02/15/2026",
                "Open",
            ],
        )
    for handle in handles.values():
        handle.close()
    return rows


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))]


def run_database(name: str, url: str, base: Path, changed: Path, n: int, queries: int) -> None:
    """In its own process (see main): three imports, then Super Search on the result."""
    from sqlalchemy import text
    from sqlmodel import Session, SQLModel

    import clientcenter.models  # noqa: F401
    from bench.search import measure, query_mix
    from clientcenter.db import make_engine
    from clientcenter.models import Agent
    from clientcenter.services.imports.run import ImportOptions, run_import
    from clientcenter.services.imports.sources import open_source

    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        agent = Agent(
            email="bench@example.com", first_name="B", last_name="Bench", role="administrator"
        )
        session.add(agent)
        session.commit()
        producer_id = agent.id
    source = open_source(base)
    print(
        f"{name}: importing {', '.join(sorted(source.files))}"
        + (f"; not read by this version: {', '.join(source.ignored)}" if source.ignored else ""),
        flush=True,
    )
    for label, folder in (
        ("full import", base),
        ("unchanged re-import", base),
        ("1 % changed", changed),
    ):
        load = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        with Session(engine) as session:
            report = run_import(
                session,
                open_source(folder).files,
                mapping={},
                default_producer_id=producer_id,
                options=ImportOptions(),
            )
            session.commit()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        counts = ", ".join(
            f"{e.entity} +{e.created} ~{e.updated} ={e.unchanged} !{e.refused}"
            for e in report.entities
        )
        print(
            f"{name}, {n:,} accounts, {label}: {seconds:.1f} s ({cpu:.1f} s CPU in this "
            f"process); peak RSS {_peak_mb():.0f} MB; load average {load:.1f} at start "
            f"({counts})",
            flush=True,
        )
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))  # what autovacuum does soon after a big import
    with Session(engine) as session:
        mix = query_mix(session, queries)
    timings = [t for ts in measure(engine, mix).values() for t in ts]
    print(
        f"{name}, Super Search after the import ({len(timings)} queries): "
        f"p50 {statistics.median(timings):.1f} ms, p95 {_percentile(timings, 95):.1f} ms, "
        f"max {max(timings):.1f} ms",
        flush=True,
    )
    engine.dispose()


def _child(name: str, url: str, base: Path, changed: Path, n: int, queries: int) -> int:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.imports",
            "--child",
            name,
            url,
            str(base),
            str(changed),
            "--accounts",
            str(n),
            "--queries",
            str(queries),
        ]
    ).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="CSV import benchmark")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)  # name url base changed
    args = parser.parse_args(argv)
    if args.child:
        name, url, base, changed = args.child
        run_database(name, url, Path(base), Path(changed), args.accounts, args.queries)
        return 0
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        base, changed = Path(tmp) / "base", Path(tmp) / "changed"
        rows = write_export(base, args.accounts)
        write_export(changed, args.accounts, changed_every=100)
        size = sum(p.stat().st_size for p in base.iterdir()) / 2**20
        print(
            "export: "
            + ", ".join(f"{count:,} {name}" for name, count in rows.items())
            + f"; {size:.1f} MB; {os.cpu_count()} CPUs",
            flush=True,
        )
        if not args.skip_sqlite:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            failed += _child("SQLite", url, base, changed, args.accounts, args.queries) != 0
        if not args.skip_postgres:
            from sqlalchemy import create_engine, text

            db_name = f"cc_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{db_name}"'))
            try:
                url = args.postgres.rsplit("/", 1)[0] + f"/{db_name}"
                failed += (
                    _child("PostgreSQL", url, base, changed, args.accounts, args.queries) != 0
                )
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
                admin.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
