"""Private files on an account. Bytes live in the private store, never under /_upload."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field

DOCUMENT_CATEGORIES = {
    "declarations": "Declarations",
    "invoice": "Invoice",
    "id_card": "ID card",
    "endorsement": "Endorsement",
    "certificate": "Certificate",
    "proposal": "Proposal",
    "customer_upload": "Your upload",
    "correspondence": "Correspondence",
    "other": "Other",
    "internal_note": "Internal note",  # the agency's own; never shown to the customer
}


class ScanStatus(StrEnum):
    PENDING = "pending"
    CLEAN = "clean"
    REJECTED = "rejected"


class Document(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    policy_id: int | None = Field(default=None, foreign_key="policy.id", index=True)
    category: str = Field(max_length=20)
    title: str = Field(max_length=160)
    filename: str = Field(max_length=160)  # the name offered on download
    storage_key: str = Field(max_length=80, unique=True)  # server-chosen
    content_type: str = Field(max_length=80)
    size_bytes: int
    sha256: str = Field(max_length=64)
    shared_with_customer: bool = False
    # Agency-only for good: never published, shared or listed to the customer.
    internal: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    uploaded_by_agent_id: int | None = Field(default=None, foreign_key="agent.id")
    uploaded_by_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    scan_status: str = Field(default=ScanStatus.CLEAN, max_length=12)
    created_at: datetime = created_at_field()
