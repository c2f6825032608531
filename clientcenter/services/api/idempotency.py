"""Idempotency-Key on every POST: the first answer is remembered with the request's hash, and
a retry with the same key gets that answer again, whatever happened since.

The answer is stored in the transaction of the change it reports, under a unique
(api key, idempotency key) constraint: of two identical requests racing, one commits, the
other's transaction fails on the constraint and is rolled back (its change with it), and it
answers with the stored answer. A key reused for another request (another path or body) is
refused. Rows go after ``api.idempotency_hours`` (``prune``, from the housekeeping sweep).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from clientcenter.models import ApiIdempotency
from clientcenter.models.base import utcnow
from clientcenter.services.errors import InvalidInput, ServiceError
from clientcenter.settings import get_settings

MAX_KEY = 255
HEADER = "Idempotency-Key"
MISSING = f"Send an {HEADER} header with every POST (any unique string, e.g. a UUID)."
REUSED = (
    f"This {HEADER} was used for a different request (another address or body); "
    "use a new key for a new request."
)


class IdempotencyConflict(ServiceError):
    """The key names another request (409)."""


@dataclass(frozen=True)
class Stored:
    status_code: int
    body: str


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def check_key(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(MISSING, HEADER)
    if len(text) > MAX_KEY or not text.isprintable():
        raise InvalidInput(f"An {HEADER} is at most {MAX_KEY} printable characters.", HEADER)
    return text


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(hours=get_settings().api.idempotency_hours)


def replay(
    session: Session, api_key_id: int, key: str, method_path: str, request_hash: str
) -> Stored | None:
    """The first answer for this key, or None for a first request."""
    row = session.exec(
        select(ApiIdempotency).where(
            ApiIdempotency.api_key_id == api_key_id,
            ApiIdempotency.idempotency_key == key,
        )
    ).first()
    if row is None or _naive_safe(row.created_at) <= _cutoff(utcnow()):
        return None
    if row.method_path != method_path or row.request_hash != request_hash:
        raise IdempotencyConflict(REUSED)
    return Stored(row.status_code, row.response_body)


def remember(
    session: Session,
    api_key_id: int,
    key: str,
    method_path: str,
    request_hash: str,
    stored: Stored,
) -> None:
    """Keep the answer, in the transaction of the change. An expired row of this key is
    replaced (the constraint allows one)."""
    session.exec(
        delete(ApiIdempotency).where(
            ApiIdempotency.api_key_id == api_key_id,
            ApiIdempotency.idempotency_key == key,
            ApiIdempotency.created_at <= _cutoff(utcnow()),
        )
    )
    session.add(
        ApiIdempotency(
            api_key_id=api_key_id,
            idempotency_key=key,
            method_path=method_path[:300],
            request_hash=request_hash,
            status_code=stored.status_code,
            response_body=stored.body,
        )
    )
    session.flush()


def prune(session: Session, *, now: datetime | None = None) -> int:
    """Forget answers past their time."""
    result = session.exec(
        delete(ApiIdempotency).where(ApiIdempotency.created_at <= _cutoff(now or utcnow()))
    )
    return result.rowcount or 0


def _naive_safe(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        return moment.replace(tzinfo=utcnow().tzinfo)
    return moment
