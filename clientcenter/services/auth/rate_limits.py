"""Sliding-window counters in the database (``rate_event``), so limits hold across workers and
restarts. Keys are stored as keyed hashes: the table never holds an email, a number or an IP.

Counting is atomic. A request first locks each of its counters — one ``rate_key`` row per
scope and key, taken by an upsert, in a fixed order so two requests never wait on each other
in a circle — and only then counts and adds its events; the locks last until its transaction
ends. Two requests on the same counter therefore run one after the other on every worker:
on PostgreSQL the upsert waits for the other transaction's row lock, and the count that
follows (READ COMMITTED) sees what it added; on SQLite the upsert is the transaction's first
write, which holds the database's write lock until commit. (Counting first and inserting
after let 20 parallel requests through a limit of 5.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from clientcenter.models import RateEvent, RateKey
from clientcenter.models.base import utcnow
from clientcenter.services.auth.tokens import keyed_hash

WINDOW = timedelta(hours=1)
DAY = timedelta(days=1)
KEEP = timedelta(days=1)  # the longest window


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` events of ``scope`` for ``key`` within ``window``."""

    scope: str
    key: str
    limit: int
    window: timedelta = WINDOW

    @property
    def key_hash(self) -> str:
        return _key(self.scope, self.key)


def _key(scope: str, key: str) -> str:
    return keyed_hash("rate:" + scope, key.strip().lower())


def count(
    db: Session, scope: str, key: str, *, now: datetime | None = None, window: timedelta = WINDOW
) -> int:
    return _count(db, scope, _key(scope, key), now or utcnow(), window)


def _count(db: Session, scope: str, key_hash: str, now: datetime, window: timedelta) -> int:
    return db.exec(
        select(func.count())
        .select_from(RateEvent)
        .where(
            RateEvent.scope == scope,
            RateEvent.key_hash == key_hash,
            RateEvent.created_at > now - window,
        )
    ).one()


def _lock(db: Session, scope: str, key_hash: str, now: datetime) -> None:
    """Create or touch the counter's row: either way the row is this transaction's until it
    ends (a concurrent upsert of the same key waits)."""
    dialect = db.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(RateKey).values(scope=scope, key_hash=key_hash, touched_at=now)
    db.execute(
        stmt.on_conflict_do_update(index_elements=["scope", "key_hash"], set_={"touched_at": now})
    )


def _ordered(limits: Iterable[Limit]) -> list[Limit]:
    return sorted(limits, key=lambda limit: (limit.scope, limit.key_hash, limit.window))


def hold(db: Session, limits: Iterable[Limit], *, now: datetime | None = None) -> bool:
    """Lock these counters until the transaction ends, then say whether any is full. Every
    counter is locked and read even after one is found full, so the work done says nothing
    about which."""
    now = now or utcnow()
    limits = _ordered(limits)
    for key in dict.fromkeys((limit.scope, limit.key_hash) for limit in limits):
        _lock(db, *key, now)
    full = False
    for limit in limits:
        full |= _count(db, limit.scope, limit.key_hash, now, limit.window) >= limit.limit
    return full


def record(db: Session, limits: Iterable[Limit], *, now: datetime | None = None) -> None:
    """Count one event on each counter (after :func:`hold`, in the same transaction). A
    counter listed twice (two windows of one key) gets one event."""
    now = now or utcnow()
    rows = [
        {"scope": scope, "key_hash": key_hash, "created_at": now}
        for scope, key_hash in dict.fromkeys(
            (limit.scope, limit.key_hash) for limit in _ordered(limits)
        )
    ]
    if rows:
        db.execute(insert(RateEvent), rows)


def take(db: Session, limits: Iterable[Limit], *, now: datetime | None = None) -> bool:
    """One event on every counter if none is full (True); nothing counted otherwise."""
    limits = list(limits)
    if hold(db, limits, now=now):
        return False
    record(db, limits, now=now)
    return True


def prune(db: Session, *, now: datetime | None = None) -> int:
    """Forget events older than a day (nothing counts back that far), and the lock rows of
    counters nobody touched since."""
    cutoff = (now or utcnow()) - KEEP
    result = db.execute(delete(RateEvent).where(RateEvent.created_at < cutoff))
    db.execute(delete(RateKey).where(RateKey.touched_at < cutoff))
    return result.rowcount or 0
