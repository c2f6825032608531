"""Certificates of insurance and the holders they are issued to."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field


class CertificateHolder(SQLModel, table=True):
    __tablename__ = "certificate_holder"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    name: str = Field(max_length=160)
    street: str = Field(default="", max_length=160)
    city: str = Field(default="", max_length=80)
    state: str = Field(default="", max_length=2)
    postal_code: str = Field(default="", max_length=10)
    email: str | None = Field(default=None, max_length=254)
    created_at: datetime = created_at_field()


class Certificate(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    holder_id: int | None = Field(default=None, foreign_key="certificate_holder.id")
    document_id: int = Field(foreign_key="document.id")
    description: str = Field(default="", max_length=500)
    issued_on: date
    created_at: datetime = created_at_field()
