"""The REST API's keys and the answers it remembers for retried POSTs (docs/api.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field, utc_column


class ApiScope:
    """What a key may do; a key holds any of them (``ApiKey.scopes``, space-separated)."""

    READ = "read"
    WRITE = "write"
    DOCUMENTS = "documents"
    WEBHOOKS = "webhooks"
    ALL = (READ, WRITE, DOCUMENTS, WEBHOOKS)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    scopes: str = Field(max_length=64)  # "read write" (ApiScope values)
    # The secret is shown once; the database keeps its keyed hash and the first characters,
    # so an administrator can tell keys apart.
    key_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    created_by: int = Field(foreign_key="agent.id", index=True)
    created_at: datetime = created_at_field()
    revoked_at: datetime | None = utc_column(default=None)
    last_used_at: datetime | None = utc_column(default=None)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class ApiIdempotency(SQLModel, table=True):
    """The first answer to a POST with an Idempotency-Key: a retry gets it again."""

    __tablename__ = "api_idempotency"
    __table_args__ = (
        UniqueConstraint("api_key_id", "idempotency_key"),
        Index("ix_api_idempotency_created", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    api_key_id: int = Field(foreign_key="api_key.id")
    idempotency_key: str = Field(max_length=255)
    method_path: str = Field(max_length=300)  # "POST /api/v1/accounts"
    request_hash: str = Field(max_length=64)  # sha256 of the body
    status_code: int
    response_body: str = Field(sa_type=Text)
    created_at: datetime = created_at_field()
