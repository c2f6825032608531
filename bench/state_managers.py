"""Reflex's memory and disk state managers on this app's real state tree: the single-worker
default had to choose one (rxconfig.py). Each simulated tab is hydrated once, then sends
events that change a page state's var, as the login and document pages do; the disk manager
also pickles the touched substates to .states (debounced), which is where its cost and its
files at rest come from. Prints time per event and CPU per event; run
``python -m bench.state_managers``."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path


async def run(mode: str, tabs: int, events: int) -> dict[str, float]:
    from reflex.istate.manager.disk import StateManagerDisk
    from reflex.istate.manager.memory import StateManagerMemory
    from reflex.istate.manager.token import BaseStateToken

    from clientcenter.state.portal.documents import DocumentsState
    from clientcenter.state.portal.login import LoginState

    manager = StateManagerMemory() if mode == "memory" else StateManagerDisk()
    import reflex as rx

    login_path = LoginState.get_full_name().split(".")[1:]
    docs_path = DocumentsState.get_full_name().split(".")[1:]
    lat: list[float] = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for t in range(tabs):
        token = BaseStateToken(ident=str(uuid.uuid4()), cls=rx.State)
        root = rx.State(_reflex_internal_init=True)
        for e in range(events):
            # What the end of one event hands the manager: a page state and its parents
            # changed (a login step, a documents search).
            login, docs = root.get_substate(login_path), root.get_substate(docs_path)
            login.email = f"customer{t}@example.com"
            login.info = f"step {e}: we just emailed a 6-digit code" * 2
            docs.query = f"declarations {e}"
            for touched in (root, login.parent_state, login, docs):
                touched._was_touched = True
            start = time.perf_counter()
            await manager.set_state(token, root)
            lat.append((time.perf_counter() - start) * 1000)
    if mode == "disk":
        await manager._flush_write_queue()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    files = list(Path(manager.states_directory).glob("*.pkl")) if mode == "disk" else []
    await manager.close()
    lat.sort()
    n = len(lat)
    return {
        "p50": statistics.median(lat),
        "p95": lat[int(n * 0.95)],
        "cpu": cpu / n * 1000,
        "wall": wall,
        "files": len(files),
        "kb": sum(f.stat().st_size for f in files) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tabs", type=int, default=200)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--mode", choices=["memory", "disk"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:  # one manager per process: Reflex's state classes do not survive a second
        r = asyncio.run(run(args.mode, args.tabs, args.events))
        print(
            f"{args.mode:8} {r['p50']:8.3f} {r['p95']:8.3f} {r['cpu']:13.3f} {r['files']:6d} "
            f"{r['kb']:11.0f}",
            flush=True,
        )
        return
    print(
        f"{args.tabs} tabs x {args.events} events, this app's state tree, one process; "
        "time to hand the manager a changed state, CPU per event including the disk "
        "manager's debounced writes"
    )
    print(
        f"{'manager':8} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/event':>13} {'files':>6} "
        f"{'on disk KB':>11}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="cc-bench-states-") as tmp:
        env = {**os.environ, "REFLEX_STATES_WORKDIR": tmp}  # keep .states out of the tree
        for mode in ("memory", "disk"):
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.state_managers",
                    "--mode",
                    mode,
                    "--tabs",
                    str(args.tabs),
                    "--events",
                    str(args.events),
                ],
                env=env,
                check=True,
            )


if __name__ == "__main__":
    main()
