"""Shared column helpers. Times are timezone-aware UTC everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def utc_column(**kwargs):
    """A timezone-aware timestamp column (SQLite keeps the offset as text)."""
    return Field(sa_type=DateTime(timezone=True), **kwargs)


def created_at_field():
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
