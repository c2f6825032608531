"""How far the import runs of this process have read, for the page (run_worker writes it; the
run's row has it too where the database lets a second writer in, see run_worker)."""

from __future__ import annotations

import threading

_live: dict[int, tuple[int, int]] = {}  # run id -> (bytes done, bytes in all its files)
_lock = threading.Lock()


def live_progress(run_id: int | None) -> tuple[int, int] | None:
    with _lock:
        return _live.get(run_id) if run_id is not None else None


def set_progress(run_id: int, done: int, total: int) -> None:
    with _lock:
        _live[run_id] = (done, total)


def forget(run_id: int) -> None:
    with _lock:
        _live.pop(run_id, None)
