"""Forgetting what nothing needs any more: rate-limit events older than a day, login
attempts that ended more than a day ago (their code hashes with them) and remembered
browsers that expired; the API's remembered answers of POSTs past their hours; import runs
whose worker stopped (marked failed); and what the agency keeps only so long
(services/retention.py, ``settings.retention``).

Every relay runs :func:`sweep` (delivery/relay.py, at most once per
``delivery.housekeeping_seconds``), so several may run it at the same moment. The deletes are
idempotent; on PostgreSQL a transaction-scoped advisory lock lets one sweep at a time and the
others skip (two large DELETEs locking the same rows in different orders could deadlock), and
SQLite lets one writer at a time anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from clientcenter.models.base import utcnow
from clientcenter.services import retention
from clientcenter.services.api import idempotency
from clientcenter.services.auth import login_codes, rate_limits, remembered
from clientcenter.services.imports import run_stalled

# pg_advisory locks share one key space per database: "cchk" as a number.
_LOCK_KEY = int.from_bytes(b"cchk", "big")


@dataclass(frozen=True)
class Swept:
    rate_events: int
    login_challenges: int
    remembered_browsers: int = 0
    api_answers: int = 0  # remembered answers of POSTs past api.idempotency_hours
    import_runs: int = 0  # import runs whose worker stopped, marked failed
    retained: retention.RetentionCounts = field(
        default_factory=retention.RetentionCounts, compare=False
    )


def sweep(db: Session, *, now: datetime | None = None) -> Swept | None:
    """Delete what has expired; None if another sweep holds the lock. The caller commits."""
    now = now or utcnow()
    if db.get_bind().dialect.name == "postgresql":
        if not db.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _LOCK_KEY}
        ).scalar():
            return None
    return Swept(
        rate_events=rate_limits.prune(db, now=now),
        login_challenges=login_codes.prune(db, now=now),
        remembered_browsers=remembered.prune(db, now=now),
        api_answers=idempotency.prune(db, now=now),
        import_runs=run_stalled.fail_stalled(db, now=now),
        retained=retention.apply(db, now=now),
    )
