"""Memory per connected client: N simulated tabs (Reflex's websocket protocol) logged in and
sitting on the home page.

    python -m bench.memory [--clients 200]

Figures: resident memory of the app's processes before and after the clients connect (default
state manager, one worker), and the serialized state each client keeps in Redis (the
multi-worker state manager: the bytes every event loads and stores).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
from pathlib import Path

import redis

from bench.wsclient import ReflexTab
from clientcenter.demo.serve import serve_app

REDIS_URL = os.environ.get("CC_BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except FileNotFoundError:
            pass
    return total


def session_cookies(app, n: int) -> list[str]:
    from bench.sessions import customer_session_tokens
    from clientcenter.http.cookies import BASE_NAME

    return [f"{BASE_NAME}={t}" for t in customer_session_tokens(app, n)]


async def connect_all(url: str, cookies: list[str], path: str) -> list[ReflexTab]:
    tabs = [ReflexTab(url, cookie) for cookie in cookies]
    sem = asyncio.Semaphore(20)

    async def one(tab):
        async with sem:
            await tab.open(path, timeout=60)

    await asyncio.gather(*(one(t) for t in tabs))
    return tabs


def measure_rss(app, clients: int, path: str) -> tuple[int, int]:
    cookies = session_cookies(app, clients)
    before = rss_bytes(app.backend_pids())

    async def go():
        tabs = await connect_all(app.url, cookies, path)
        await asyncio.sleep(2)
        after = rss_bytes(app.backend_pids())
        await asyncio.gather(*(t.close() for t in tabs))
        return after

    return before, asyncio.run(go())


def measure_state_bytes(app, clients: int, path: str) -> list[int]:
    cookies = session_cookies(app, clients)
    r = redis.Redis.from_url(REDIS_URL)

    async def go():
        tabs = await connect_all(app.url, cookies, path)
        sizes = []
        for tab in tabs:
            keys = r.keys(f"{tab.token}_*")
            sizes.append(sum(r.strlen(k) for k in keys))
        await asyncio.gather(*(t.close() for t in tabs))
        return sizes

    return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--path", default="/home")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cc-bench-mem-") as tmp:
        with serve_app(Path(tmp) / "mem", extra_env=BENCH_LIMITS) as app:
            before, after = measure_rss(app, args.clients, args.path)
        redis.Redis.from_url(REDIS_URL).flushdb()
        with serve_app(
            Path(tmp) / "mem-redis", redis_url=REDIS_URL, workers=1, extra_env=BENCH_LIMITS
        ) as app:
            sizes = measure_state_bytes(app, args.clients, args.path)
        redis.Redis.from_url(REDIS_URL).flushdb()
    per_client = (after - before) / args.clients
    print(f"{'memory per connected client (' + args.path + ')':44} {'value':>12}")
    print(f"{'clients':44} {args.clients:>12}")
    print(f"{'app RSS before / after (MB)':44} {before / 2**20:5.0f} / {after / 2**20:4.0f}")
    print(f"{'RSS per client (KB)':44} {per_client / 1024:12.1f}")
    print(
        f"{'state per client in Redis p50 / max (KB)':44} "
        f"{statistics.median(sizes) / 1024:5.1f} / {max(sizes) / 1024:4.1f}"
    )


# Every simulated client comes from 127.0.0.1: the per-IP limits, meant for one person's
# address, would otherwise stop the benchmark after a few logins.
BENCH_LIMITS = {
    "CC_SECURITY__SENDS_PER_IP_PER_HOUR": "1000000",
    "CC_SECURITY__FAILURES_PER_IP_PER_HOUR": "1000000",
    "CC_SECURITY__LOOKUPS_PER_IP_PER_HOUR": "1000000",
}

if __name__ == "__main__":
    main()
