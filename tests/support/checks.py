"""What a call left behind: the matrix's effects of an action, row counts of every table, the
files in the private store, and the check that a refused call left all of them as they were."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from clientcenter.models import ActivityLog, Document, OutboxMessage, Task
from clientcenter.settings import get_settings


def effects(session: Session, activity: ActivityLog | None = None):
    """The matrix's effects for one activity row: (keys of recipients, task count)."""
    session.flush()
    if activity is None:
        activity = session.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    messages = session.exec(
        select(OutboxMessage).where(OutboxMessage.activity_id == activity.id)
    ).all()
    tasks = session.exec(select(Task).where(Task.activity_id == activity.id)).all()
    return activity, {(m.recipient_kind, m.channel, m.to_address) for m in messages}, tasks


def table_counts(session: Session) -> dict[str, int]:
    """Row counts of every table: a refusal must leave all of them as they were."""
    session.flush()
    return {
        t.name: session.exec(select(func.count()).select_from(t)).one()
        for t in SQLModel.metadata.sorted_tables
    }


def count(session: Session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def footprint(session: Session) -> dict[str, int]:
    """Rows that any action could leave behind, plus the files in the private store."""
    root = get_settings().storage_dir
    files = sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
    return {
        "documents": count(session, Document),
        "activity": count(session, ActivityLog),
        "tasks": count(session, Task),
        "outbox": count(session, OutboxMessage),
        "files": files,
    }


def _rows(session: Session, model) -> list[dict]:
    return [row.model_dump() for row in session.exec(select(model).order_by(model.id))]


def refused(session: Session, fn, *args, error, rows_of=()):
    """``fn(session, *args)`` raises ``error`` and changes nothing: the same number of rows in
    every table, and every column of the rows of the models in ``rows_of`` as it was.
    Returns the error, for its message."""
    before = table_counts(session)
    rows = {model: _rows(session, model) for model in rows_of}
    with pytest.raises(error) as exc:
        fn(session, *args)
    assert table_counts(session) == before
    assert {model: _rows(session, model) for model in rows_of} == rows
    return exc.value


class SecurityLog(logging.Handler):
    """Collects what services write to the clientcenter.security logger."""

    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())

    def __enter__(self):
        logging.getLogger("clientcenter.security").addHandler(self)
        return self

    def __exit__(self, *exc):
        logging.getLogger("clientcenter.security").removeHandler(self)
