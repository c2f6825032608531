"""Helpers for the self-service service tests: principals for demo people, and a snapshot of
every table a refused call must leave untouched."""

from __future__ import annotations

import logging

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from clientcenter.models import Account, ActivityLog, Agent, Contact, OutboxMessage, Task
from clientcenter.services.principal import Principal
from clientcenter.settings import reset_settings_cache


def account_named(session: Session, name: str) -> Account:
    return session.exec(select(Account).where(Account.name == name)).one()


def customer(session: Session, email: str, account_name: str | None = None) -> Principal:
    """The principal of a demo contact signed in to one of their accounts."""
    stmt = (
        select(Contact, Account)
        .join(Account, Account.id == Contact.account_id)
        .where(Contact.email == email)
    )
    if account_name:
        stmt = stmt.where(Account.name == account_name)
    contact, account = session.exec(stmt).first()
    return Principal.customer(account.id, contact.id, session_id=None)


def agent_viewing(
    session: Session, account_name: str, agent_email: str = "agent@example.com"
) -> Principal:
    agent = session.exec(select(Agent).where(Agent.email == agent_email)).one()
    return Principal.agent_viewing(agent.id, account_named(session, account_name).id)


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


def set_feature(monkeypatch, name: str, on: bool) -> None:
    monkeypatch.setenv(f"CC_FEATURES__{name.upper()}", "true" if on else "false")
    reset_settings_cache()


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
