"""Customer accounts and the people on them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field, stamp_updates, updated_at_field, utc_column


class AccountKind(StrEnum):
    PERSONAL = "personal"
    COMMERCIAL = "commercial"


class ContactRole(StrEnum):
    PRIMARY = "primary"
    CO_APPLICANT = "co_applicant"
    ADDITIONAL = "additional"


class ContactSees(StrEnum):
    """What a contact who logs in may see (docs/households.md)."""

    EVERYTHING = "everything"
    DOCUMENTS = "documents"  # ID cards and documents only
    CERTIFICATES = "certificates"  # certificates only (a business's office staff)


CONTACT_VIEW_LABELS = {
    ContactSees.EVERYTHING: "Everything",
    ContactSees.DOCUMENTS: "ID cards and documents only",
    ContactSees.CERTIFICATES: "Certificates only",
}


CONTACT_ROLE_LABELS = {
    ContactRole.PRIMARY: "Primary applicant",
    ContactRole.CO_APPLICANT: "Co-applicant",
    ContactRole.ADDITIONAL: "Additional contact",
}


class Account(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12, index=True)  # AccountKind
    name: str = Field(max_length=160, index=True)  # display name ("Pat & Sam Rivera")
    business_name: str | None = Field(default=None, max_length=160, index=True)
    producer_id: int = Field(foreign_key="agent.id", index=True)
    street: str = Field(default="", max_length=160)
    city: str = Field(default="", max_length=80)
    state: str = Field(default="", max_length=2)
    postal_code: str = Field(default="", max_length=10)
    # The agency management system's customer id (services/imports/): the import's key.
    external_id: str | None = Field(default=None, max_length=64, unique=True)
    # When an import last brought this account's data in (its freshness).
    data_as_of: datetime | None = utc_column(default=None)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class Contact(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("account_id", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    role: str = Field(max_length=16)  # ContactRole
    first_name: str = Field(max_length=80)
    last_name: str = Field(max_length=80)
    email: str | None = Field(default=None, max_length=254, index=True)  # lower-case
    mobile: str | None = Field(default=None, max_length=16, index=True)  # E.164
    # Per-contact login switch; primary and co-applicant default to on.
    may_log_in: bool = True
    # What this contact sees when they log in (ContactSees); enforced in services/access.py.
    sees: str = Field(default="everything", max_length=16)
    # A business account's contact the agency lets manage who logs in (the primary always may).
    account_manager: bool = False
    # A household invitation not yet confirmed: the keyed hash of its single-use token, and
    # when it was sent. Cleared when the invitee confirms (services/portal/household.py).
    invite_digest: str | None = Field(default=None, max_length=64)
    invited_at: datetime | None = utc_column(default=None)
    # Contact preferences: how notices reach this contact.
    notify_by_email: bool = True
    notify_by_sms: bool = False
    # The management system's contact id, unique on its account (imports key on it).
    external_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


stamp_updates(Account, Contact)
