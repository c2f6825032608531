"""Saved column mappings, so an unattended re-import maps headers the way the agent did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field


class ImportMapping(SQLModel, table=True):
    __tablename__ = "import_mapping"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    # {"accounts": {"Client Code": "customer_id", "Notes": ""}, ...}; "" means ignore.
    columns: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
