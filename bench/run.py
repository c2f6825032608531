"""`make bench`: every benchmark, one after the other, each printing its own table.

    python -m bench.run [--quick]

--quick uses smaller sizes (a smoke run); the figures in README come from the full run.
None of this is a test: nothing here passes or fails on a number.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    mem_kb = next(
        int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")
    )
    return f"{cpu}, {cores} cores, {mem_kb / 2**20:.0f} GiB RAM, {platform.platform()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    q = args.quick
    runs = [
        ("Super Search", ["bench.search", "--sizes", *(["2000"] if q else ["10000", "100000"])]),
        (
            "Login round trips",
            [
                "bench.login",
                "--clients",
                *(["10"] if q else ["50", "200"]),
                "--rounds",
                "1" if q else "2",
            ],
        ),
        ("Page load at phone size", ["bench.pages", "--runs", "3" if q else "10"]),
        ("ID card on a phone, online and offline", ["bench.id_card", "--runs", "1" if q else "3"]),
        (
            "Tab state: memory vs disk manager",
            ["bench.state_managers", "--tabs", "50" if q else "200"],
        ),
        ("Memory per connected client", ["bench.memory", "--clients", "20" if q else "200"]),
        ("Notification relay", ["bench.relay"]),
        ("Webhook deliveries", ["bench.webhooks", "--events", "100" if q else "300"]),
        (
            "REST API policy upserts, PostgreSQL, 1 and 2 workers",
            ["bench.api", "--policies", "100" if q else "600"],
        ),
        (
            "Audit trail CSV export, SQLite",
            ["bench.audit_export", "--rows", "10000" if q else "100000"],
        ),
        # The import's targets are for 100,000 accounts: some ten minutes on both databases.
        ("CSV import", ["bench.imports", "--accounts", "1000" if q else "100000"]),
    ]
    print(f"machine: {machine()}\n")
    failed = 0
    for title, argv in runs:
        print(f"== {title}: python -m {' '.join(argv)}", flush=True)
        failed += subprocess.run([sys.executable, "-m", *argv]).returncode != 0
        print(flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
