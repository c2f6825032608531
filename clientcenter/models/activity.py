"""What record_action writes: the activity log, tasks/notes and outbox messages.
Nothing but services.activity.record_action writes these tables."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field, utc_column


class ActivityLog(SQLModel, table=True):
    __tablename__ = "activity_log"
    __table_args__ = (Index("ix_activity_log_account_created", "account_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, foreign_key="account.id")
    action_key: str = Field(max_length=48, index=True)
    actor_kind: str = Field(max_length=10)  # customer | agent | system
    actor_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    actor_agent_id: int | None = Field(default=None, foreign_key="agent.id")
    channel: str = Field(default="portal", max_length=10)  # portal | agency | email | sms
    read_only: bool = False
    summary: str = Field(default="", max_length=300)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = created_at_field()


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class Task(SQLModel, table=True):
    """A task/note for the producer: the matrix's T column (docs/actions-and-matrix.md)."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    assigned_agent_id: int = Field(foreign_key="agent.id", index=True)
    activity_id: int | None = Field(default=None, foreign_key="activity_log.id")
    action_key: str = Field(max_length=48)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=4000)
    status: str = Field(default=TaskStatus.OPEN, max_length=8, index=True)
    created_at: datetime = created_at_field()
    completed_at: datetime | None = utc_column(default=None)


class OutboxStatus(StrEnum):
    PENDING = "pending"  # due at next_attempt_at
    SENDING = "sending"  # leased by a relay (lease_until)
    SENT = "sent"  # the provider accepted it
    DELIVERED = "delivered"  # the provider reported it delivered
    FAILED = "failed"  # refused, or out of attempts


class OutboxMessage(SQLModel, table=True):
    """An email or SMS waiting for, or past, delivery by the relay."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=80, unique=True)
    channel: str = Field(max_length=8)  # email | sms | webhook
    recipient_kind: str = Field(max_length=12)  # agent | customer | primary | login | other
    to_address: str = Field(max_length=254)
    to_name: str = Field(default="", max_length=160)
    template: str = Field(max_length=48)
    subject: str = Field(default="", max_length=200)
    body_text: str = Field(default="")
    body_html: str = Field(default="")
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    activity_id: int | None = Field(default=None, foreign_key="activity_log.id")
    status: str = Field(default=OutboxStatus.PENDING, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = created_at_field()
    lease_until: datetime | None = utc_column(default=None)
    last_error: str = Field(default="", max_length=500)
    provider_message_id: str | None = Field(default=None, max_length=120, index=True)
    # Login-code messages are purged of their body once sent (codes never linger).
    sensitive: bool = False
    # A webhook delivery's endpoint (its secret signs each attempt); None for email and SMS.
    webhook_endpoint_id: int | None = Field(
        default=None, foreign_key="webhook_endpoint.id", index=True
    )
    created_at: datetime = created_at_field()
    sent_at: datetime | None = utc_column(default=None)


class DevMailboxMessage(SQLModel, table=True):
    """What the dev delivery backend "sent": shown at /dev/mailbox on localhost only."""

    __tablename__ = "dev_mailbox_message"
    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int | None = Field(default=None, index=True)
    dedupe_key: str = Field(max_length=80, unique=True)
    channel: str = Field(max_length=8)
    to_address: str = Field(max_length=254, index=True)
    subject: str = Field(default="", max_length=200)
    body_text: str = Field(default="")
    body_html: str = Field(default="")
    created_at: datetime = created_at_field()


class DeliveryEvent(SQLModel, table=True):
    """Provider webhook events, kept once each (idempotent status updates)."""

    __tablename__ = "delivery_event"
    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=12)
    event_id: str = Field(max_length=160, unique=True)
    provider_message_id: str = Field(max_length=120, index=True)
    status: str = Field(max_length=20)
    received_at: datetime = created_at_field()
    occurred_at: datetime | None = utc_column(default=None)
