"""Saved column mappings, so an unattended re-import maps headers the way the agent did, and
the import page's runs (uploaded files, mapping, preview, apply, report)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field, utc_column


class ImportMapping(SQLModel, table=True):
    __tablename__ = "import_mapping"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    # {"accounts": {"Client Code": "customer_id", "Notes": ""}, ...}; "" means ignore.
    columns: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class ImportRunStatus(StrEnum):
    UPLOADED = "uploaded"  # files stored, headers read; mapping and options being chosen
    PREVIEWING = "previewing"  # the dry run is under way
    PREVIEWED = "previewed"  # the dry run's report stands; may be applied
    APPLYING = "applying"
    APPLIED = "applied"
    FAILED = "failed"  # stopped by an error (the message says which); nothing applied
    REFUSED = "refused"  # rows were refused at apply time; nothing applied


class ImportRun(SQLModel, table=True):
    """One import from the import page: who started it, the files (in the private store),
    the mapping and options, where it stands, and its report."""

    __tablename__ = "import_run"
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    status: str = Field(default=ImportRunStatus.UPLOADED.value, max_length=16)
    # [{"name": "export.zip", "storage_key": ..., "size": ..., "sha256": ...}] as uploaded
    uploads: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # {"accounts": {"file": "accounts.csv", "headers": [...], "problem": ""}, ...}
    files: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    ignored: list[str] = Field(default_factory=list, sa_type=JSON)  # names nothing imports
    # {"accounts": {"Client Ref": "customer_id", "Notes": ""}}; "" means not imported.
    mapping: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    mapping_name: str = Field(default="", max_length=80)  # the saved mapping it started from
    options: dict[str, Any] = Field(
        default_factory=dict, sa_type=JSON
    )  # full, valid_rows_only, notify
    progress_done: int = Field(default=0, sa_type=BigInteger)  # bytes read
    progress_total: int = Field(default=0, sa_type=BigInteger)
    report: dict[str, Any] | None = Field(default=None, sa_type=JSON)  # the last preview or apply
    message: str = Field(default="", max_length=500)  # why it failed
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    finished_at: datetime | None = utc_column(default=None, nullable=True)


class ImportRowDigest(SQLModel, table=True):
    """The source row an import last wrote a record from, as a digest of its cells, and the
    record's state just after (``stamp``: its updated_at, and for invoices what payments
    change). A re-import that meets the same row again while the record still has that state
    skips the row without parsing or comparing it: nothing about it can have changed."""

    __tablename__ = "import_row_digest"
    __table_args__ = (
        Index("ix_import_row_digest_entity_digest", "entity", "digest", unique=True),
    )
    entity: str = Field(max_length=24, primary_key=True)  # the file's entity, "policies"
    record_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    digest: str = Field(max_length=32)  # hex: arrays of text bind far faster than of bytes
    stamp: str = Field(max_length=80)
