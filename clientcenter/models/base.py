"""Shared column helpers. Times are timezone-aware UTC everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, event
from sqlalchemy.orm import object_session
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def utc_column(**kwargs):
    """A timezone-aware timestamp column (SQLite keeps the offset as text)."""
    return Field(sa_type=DateTime(timezone=True), **kwargs)


def created_at_field():
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)


def updated_at_field():
    """When the row last changed (the API's ``updated_since``): set on create, and by
    :func:`stamp_updates` on every ORM update that changes a column."""
    return Field(
        default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, index=True
    )


def _stamp(_mapper, _connection, target) -> None:
    session = object_session(target)
    if session is not None and session.is_modified(target, include_collections=False):
        target.updated_at = utcnow()


def stamp_updates(*models: type) -> None:
    """Keep ``updated_at`` of these tables current. Only ORM updates with a real change count:
    an unchanged re-import writes nothing, and the import's freshness stamp (a bulk UPDATE of
    ``data_as_of``) is not a change of the record."""
    for model in models:
        event.listen(model, "before_update", _stamp)
