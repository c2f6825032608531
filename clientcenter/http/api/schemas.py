"""The API's request and response bodies. Request bodies refuse unknown fields by name
(``extra="forbid"``): a misspelt field is an error, never a silent drop. Their field names
are the import's columns (docs/import.md), and the import's parsers check the values."""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorItem(BaseModel):
    field: str = Field(description="the field, query parameter or header concerned")
    message: str


class Problem(BaseModel):
    """Every refusal: a sentence, and the fields concerned when there are some."""

    detail: str
    errors: list[ErrorItem] = Field(default_factory=list)
    scope: str | None = Field(None, description="403: the scope the key lacks")


class AccountIn(_In):
    customer_id: str = Field(description="the management system's customer id (the key)")
    name: str = Field(description='display name, e.g. "Pat & Sam Rivera"')
    kind: str | None = Field(None, description="personal or commercial (default personal)")
    business_name: str | None = None
    producer_email: str | None = Field(
        None, description="an agent's email (default: the administrator who made the key)"
    )
    street: str | None = None
    city: str | None = None
    state: str | None = Field(None, description="two letters")
    postal_code: str | None = Field(None, description="5 digits or ZIP+4")


class AccountOut(BaseModel):
    id: int
    customer_id: str | None
    name: str
    kind: str
    business_name: str | None
    producer_email: str | None
    street: str
    city: str
    state: str
    postal_code: str
    data_as_of: str | None
    created_at: str | None
    updated_at: str | None


class ContactIn(_In):
    customer_id: str = Field(description="the account's customer id")
    contact_id: str | None = Field(
        None, description="the management system's contact id (else the email is the key)"
    )
    first_name: str
    last_name: str
    email: str | None = None
    mobile: str | None = Field(None, description="a US phone number, stored as E.164")
    role: str | None = Field(None, description="primary, co_applicant or additional")
    may_log_in: bool | None = None


class ContactOut(BaseModel):
    id: int
    account_id: int
    customer_id: str | None
    contact_id: str | None
    role: str
    first_name: str
    last_name: str
    email: str | None
    mobile: str | None
    may_log_in: bool
    created_at: str | None
    updated_at: str | None


class PolicyIn(_In):
    customer_id: str = Field(description="the account's customer id")
    policy_id: str | None = Field(
        None, description="the management system's policy id (else carrier + number)"
    )
    policy_number: str
    carrier: str
    carrier_naic: str | None = Field(None, description="5 digits")
    line: str = Field(description="auto, home, umbrella, bop… (or its name or a common code)")
    effective_date: date
    expiration_date: date
    status: str = Field(description="active, pending, expired or cancelled")
    premium: str = Field(description='an amount in dollars, e.g. "1234.50"')
    bill_method: str | None = Field(None, description="agency or direct")


class PolicyOut(BaseModel):
    id: int
    account_id: int
    customer_id: str | None
    policy_id: str | None
    policy_number: str
    carrier: str
    carrier_naic: str | None
    line: str
    effective_date: str
    expiration_date: str
    status: str
    premium: str
    bill_method: str | None
    created_at: str | None
    updated_at: str | None


class ChangeRequestOut(BaseModel):
    id: int
    account_id: int
    customer_id: str | None
    reference: str
    kind: str = Field(description="personal, commercial or general")
    subtype: str
    summary: str
    details: dict[str, Any] = Field(description="the request form's answers")
    policy_id: int | None
    status: str
    due_date: str | None
    created_at: str | None


class DocumentOut(BaseModel):
    id: int
    account_id: int
    policy_id: int | None
    category: str
    title: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    published: bool = Field(description="shown in the customer's Client Center")
    scan_status: str = Field(description="clean, or pending until the scan hook clears it")
    created_at: str | None


class ActivityOut(BaseModel):
    id: int
    account_id: int | None
    action: str
    actor_kind: str
    summary: str
    created_at: str | None


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="pass as ?cursor= for the next page; null on the last page"
    )
