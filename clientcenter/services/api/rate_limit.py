"""Calls per API key per minute (``api.rate_limit_per_minute``).

With Redis configured (``api.redis_url``, else ``REFLEX_REDIS_URL``, the one several workers
already share), each key's count for the current minute is one Redis counter (INCR, with an
expiry), so the limit holds across workers and machines. With no Redis — the embedded
default, one worker — each process counts in its own memory. Redis unreachable fails open
with a log line: the API keeps answering rather than refusing every call.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from functools import cache

from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.api")
WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the next window opens
    remaining: int = 0


class MemoryCounter:
    """This process's counts: enough for one worker."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[tuple[int, int], int] = {}

    def incr(self, key_id: int, window: int) -> int:
        with self._lock:
            for stale in [k for k in self._counts if k[1] < window]:
                del self._counts[stale]
            self._counts[(key_id, window)] = self._counts.get((key_id, window), 0) + 1
            return self._counts[(key_id, window)]


class RedisCounter:
    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def incr(self, key_id: int, window: int) -> int:
        name = f"clientcenter:api-rate:{key_id}:{window}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, WINDOW_SECONDS * 2)
        count, _ = pipe.execute()
        return int(count)


def redis_url() -> str | None:
    return get_settings().api.redis_url or os.environ.get("REFLEX_REDIS_URL") or None


@cache
def _counter(url: str | None) -> MemoryCounter | RedisCounter:
    return RedisCounter(url) if url else MemoryCounter()


def counter() -> MemoryCounter | RedisCounter:
    return _counter(redis_url())


def take(key_id: int, *, now: float | None = None) -> Verdict:
    """Count one call of this key; refused past the limit, with when to come back."""
    limit = get_settings().api.rate_limit_per_minute
    moment = time.time() if now is None else now
    window = int(moment // WINDOW_SECONDS)
    try:
        count = counter().incr(key_id, window)
    except Exception as exc:  # a Redis outage must not take the API down with it
        log.warning("API rate limit not counted (Redis: %s)", exc)
        return Verdict(True, remaining=limit)
    if count > limit:
        retry = int((window + 1) * WINDOW_SECONDS - moment) + 1
        return Verdict(False, retry_after=max(1, retry))
    return Verdict(True, remaining=limit - count)


def reset() -> None:
    """Tests: forget the counters (and the Redis client) made so far."""
    _counter.cache_clear()
