"""The audit trail: every agent read of customer data and every agent write, kept for the
agency's examiners (docs/administration.md). Customer self-service stays in activity_log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_created", "created_at"),
        Index("ix_audit_event_agent_created", "agent_id", "created_at"),
        Index("ix_audit_event_account_created", "account_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = created_at_field()
    # No foreign keys: the trail outlives deactivated agents and deleted accounts.
    agent_id: int | None = None
    # The API key that made the call, when one did (its name is in the summary too).
    api_key_id: int | None = None
    account_id: int | None = None
    kind: str = Field(max_length=10, index=True)  # read | write
    action: str = Field(max_length=48)  # e.g. info_pane.open, search.run, staff.role_change
    summary: str = Field(default="", max_length=300)
    # Search text is kept only as a keyed hash when settings say so.
    query_hash: str | None = Field(default=None, max_length=64)
    client_ip: str = Field(default="", max_length=64)
