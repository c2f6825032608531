"""Sliding-window counters in the database (``rate_event``), so limits hold across workers and
restarts. Keys are stored as keyed hashes: the table never holds an email, a number or an IP."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, select

from clientcenter.models import RateEvent
from clientcenter.models.base import utcnow
from clientcenter.services.tokens import keyed_hash

WINDOW = timedelta(hours=1)
KEEP = timedelta(days=1)


def _key(scope: str, key: str) -> str:
    return keyed_hash("rate:" + scope, key.strip().lower())


def count(db: Session, scope: str, key: str, *, now: datetime | None = None,
          window: timedelta = WINDOW) -> int:
    now = now or utcnow()
    return db.exec(
        select(func.count()).select_from(RateEvent).where(
            RateEvent.scope == scope,
            RateEvent.key_hash == _key(scope, key),
            RateEvent.created_at > now - window,
        )
    ).one()


def hit(db: Session, scope: str, key: str, *, now: datetime | None = None) -> None:
    db.add(RateEvent(scope=scope, key_hash=_key(scope, key), created_at=now or utcnow()))
    db.flush()


def exceeded(db: Session, limits: dict[tuple[str, str], int], *,
             now: datetime | None = None) -> bool:
    """True if any ``(scope, key)`` already has ``limit`` events in the window. Every counter
    is read even after one is found full, so the time taken says nothing about which."""
    full = False
    for (scope, key), limit in limits.items():
        full |= count(db, scope, key, now=now) >= limit
    return full


def prune(db: Session, *, now: datetime | None = None) -> int:
    """Forget events older than a day (nothing counts back that far)."""
    result = db.execute(delete(RateEvent).where(RateEvent.created_at < (now or utcnow()) - KEEP))
    return result.rowcount or 0
