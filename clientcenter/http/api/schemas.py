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


class _OnPolicyIn(_In):
    """How a vehicle, coverage or driver names its policy, like its import file."""

    policy_id: str | None = Field(
        None, description="the management system's policy id (else carrier + policy_number)"
    )
    policy_number: str | None = Field(None, description="with carrier, without a policy_id")
    carrier: str | None = None


class _OnPolicyOut(BaseModel):
    id: int
    account_id: int
    customer_id: str | None
    policy_record_id: int = Field(description="our id of the policy (GET /policies/{id})")
    policy_id: str | None = Field(description="the management system's policy id")
    policy_number: str
    carrier: str


class VehicleIn(_OnPolicyIn):
    vehicle_id: str | None = Field(
        None, description="the management system's vehicle id (else the VIN is the key)"
    )
    year: int = Field(description="a model year, e.g. 2021")
    make: str
    model: str
    vin: str | None = Field(None, description="17 letters and digits; needed without vehicle_id")
    usage: str | None = Field(None, description="Pleasure, Commute, Business… (default Commute)")


class VehicleOut(_OnPolicyOut):
    vehicle_id: str | None
    year: int
    make: str
    model: str
    vin: str | None
    usage: str
    updated_at: str | None


class CoverageIn(_OnPolicyIn):
    coverage: str = Field(description='its name, e.g. "Bodily Injury Liability" (the key)')
    limit: str | None = Field(None, description='as written, e.g. "$100,000/$300,000"')
    deductible: str | None = Field(None, description='as written, e.g. "$500"')
    premium: str | None = Field(None, description='an amount in dollars, e.g. "312.00"')
    vin: str | None = Field(
        None, description="the VIN of the policy's vehicle it belongs to (part of the key)"
    )


class CoverageOut(_OnPolicyOut):
    coverage: str
    limit: str
    deductible: str
    premium: str | None
    vin: str | None
    vehicle_record_id: int | None = Field(description="our id of the vehicle (GET /vehicles/{id})")
    updated_at: str | None


class DriverIn(_OnPolicyIn):
    driver_id: str | None = Field(
        None, description="the management system's driver id (else names + birth date)"
    )
    first_name: str
    last_name: str
    birth_date: date | None = None
    license_state: str | None = Field(None, description="two letters")
    relationship: str | None = Field(None, description="Named insured, Spouse, Child…")


class DriverOut(_OnPolicyOut):
    driver_id: str | None
    first_name: str
    last_name: str
    birth_date: str | None
    license_state: str | None
    relationship: str
    updated_at: str | None


class InvoiceIn(_In):
    customer_id: str = Field(description="the account's customer id")
    invoice_id: str | None = Field(
        None, description="the management system's invoice id (else the number is the key)"
    )
    invoice_number: str = Field(description="unique across the agency")
    policy_id: str | None = Field(None, description="the policy billed, by its policy id")
    policy_number: str | None = Field(None, description="or by carrier + policy_number")
    carrier: str | None = None
    description: str | None = None
    amount: str = Field(description='an amount above zero in dollars, e.g. "412.00"')
    due_date: date
    status: str | None = Field(None, description="open, paid or cancelled (default open)")
    published: bool | None = Field(None, description="shown in the portal (default yes)")


class InvoiceOut(BaseModel):
    id: int
    account_id: int
    customer_id: str | None
    invoice_id: str | None
    invoice_number: str
    policy_record_id: int | None
    policy_id: str | None
    policy_number: str | None
    carrier: str | None
    description: str
    amount: str
    paid: str = Field(description="what portal payments settled so far")
    currency: str
    due_date: str
    status: str = Field(description="open, pending (a payment in flight), paid or cancelled")
    published: bool
    created_at: str | None
    updated_at: str | None


class CertificateHolderIn(_In):
    customer_id: str = Field(description="the account's customer id")
    holder_id: str | None = Field(
        None, description="the management system's holder id (else the name is the key)"
    )
    name: str
    street: str | None = None
    city: str | None = None
    state: str | None = Field(None, description="two letters")
    postal_code: str | None = Field(None, description="5 digits or ZIP+4")
    email: str | None = None


class CertificateHolderOut(BaseModel):
    id: int
    account_id: int
    customer_id: str | None
    holder_id: str | None
    name: str
    street: str
    city: str
    state: str
    postal_code: str
    email: str | None
    created_at: str | None
    updated_at: str | None


class StatusIn(_In):
    status: str = Field(description="in_review, done or declined")
    note: str = Field(
        "",
        description="what the customer reads (up to 1,000 characters); required to decline "
        "or to reopen",
    )


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
    status_note: str = Field(description="the latest note, as the customer reads it")
    status_changed_at: str | None
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
    internal: bool = Field(description="the agency's own for good: never published")
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


class WebhookEndpointIn(_In):
    url: str = Field(max_length=2000, description="https:// (http:// only to loopback in dev)")
    events: list[str] = Field(
        description="the events to send, e.g. change_request.filed (docs/webhooks.md)"
    )
    description: str = Field("", max_length=120)


class WebhookEndpointOut(BaseModel):
    id: int
    url: str
    description: str
    events: list[str]
    active: bool
    created_at: str
    pending: int = Field(description="deliveries waiting or being sent")
    failed: int = Field(description="deliveries the relay gave up on")
    secret: str | None = Field(
        None,
        description="the signing secret: in the first answer to the registration only (a "
        "retry with the same Idempotency-Key answers null)",
    )
