"""Webhooks out: the endpoints an administrator registered (services/webhooks). Each delivery
is an outbox message of channel "webhook" (models/activity.py), sent by the relay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field, utc_column


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoint"
    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=254)
    description: str = Field(default="", max_length=120)
    events: list[str] = Field(default_factory=list, sa_type=JSON)
    # Not the secret: a random salt. The signing secret is HMAC(app secret, salt)
    # (services/webhooks/secrets.py), so the database alone cannot sign.
    secret_salt: str = Field(max_length=64)
    active: bool = True
    created_by_agent_id: int | None = Field(default=None, foreign_key="agent.id")
    created_at: datetime = created_at_field()
    disabled_at: datetime | None = utc_column(default=None)
