"""Certificates of insurance and the holders they are issued to."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint, false
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field, stamp_updates, updated_at_field, utc_column


class CertificateHolder(SQLModel, table=True):
    __tablename__ = "certificate_holder"
    __table_args__ = (UniqueConstraint("account_id", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    name: str = Field(max_length=160)
    street: str = Field(default="", max_length=160)
    city: str = Field(default="", max_length=80)
    state: str = Field(default="", max_length=2)
    postal_code: str = Field(default="", max_length=10)
    email: str | None = Field(default=None, max_length=254)
    # The management system's holder id, unique on its account (imports key on it, or on
    # the name), and whether an import brought the holder in (only those may it remove).
    external_id: str | None = Field(default=None, max_length=64)
    imported: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()  # the API's updated_since


class Certificate(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    # Indexed: a full import keeps a holder that a certificate names.
    holder_id: int | None = Field(default=None, foreign_key="certificate_holder.id", index=True)
    document_id: int = Field(foreign_key="document.id")
    description: str = Field(default="", max_length=500)
    issued_on: date
    created_at: datetime = created_at_field()


class CertificateLink(SQLModel, table=True):
    """One certificate link: a certificate emailed to its holder, with the link's keyed hash
    (the link itself is the holder's only key, so it is never stored), when it stops working,
    and whether the agency revoked it. Every download re-checks this row. The table keeps its
    first name, certificate_share."""

    __tablename__ = "certificate_share"
    id: int | None = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificate.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    holder_name: str = Field(max_length=160)
    to_address: str = Field(max_length=254)
    shared_by_agent_id: int = Field(foreign_key="agent.id")
    activity_id: int | None = Field(default=None, foreign_key="activity_log.id")
    created_at: datetime = created_at_field()
    expires_at: datetime = utc_column(nullable=False)
    revoked_at: datetime | None = utc_column(default=None)
    revoked_by_agent_id: int | None = Field(default=None, foreign_key="agent.id")
    download_count: int = 0
    last_downloaded_at: datetime | None = utc_column(default=None)


stamp_updates(CertificateHolder)
