"""Policies with coverages, and vehicles and drivers for auto."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field, stamp_updates, updated_at_field


class PolicyStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"  # not in effect yet
    EXPIRED = "expired"
    CANCELLED = "cancelled"


POLICY_LINES = {
    "auto": "Personal Auto",
    "home": "Homeowners",
    "renters": "Renters",
    "umbrella": "Personal Umbrella",
    "boat": "Boat",
    "bop": "Business Owners Policy",
    "general_liability": "General Liability",
    "commercial_auto": "Commercial Auto",
    "workers_comp": "Workers Compensation",
    "commercial_property": "Commercial Property",
}


class Policy(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    number: str = Field(max_length=40, unique=True, index=True)
    line: str = Field(max_length=32)
    carrier: str = Field(max_length=120)
    effective_date: date
    expiration_date: date
    status: str = Field(max_length=12, index=True)  # PolicyStatus
    premium_cents: int = Field(ge=0)
    currency: str = Field(default="USD", max_length=3)
    # The management system's policy id (imports key on it, or on carrier + number).
    external_id: str | None = Field(default=None, max_length=64, unique=True)
    carrier_naic: str | None = Field(default=None, max_length=5)
    bill_method: str | None = Field(default=None, max_length=8)  # agency | direct
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class Coverage(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = Field(foreign_key="policy.id", index=True)
    # Indexed: a full import keeps a vehicle that a coverage still names.
    vehicle_id: int | None = Field(default=None, foreign_key="vehicle.id", index=True)
    name: str = Field(max_length=120)
    limit: str = Field(default="", max_length=80)
    deductible: str = Field(default="", max_length=40)
    premium_cents: int | None = None
    position: int = 0
    updated_at: datetime = updated_at_field()  # the API's updated_since


class Vehicle(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("policy_id", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = Field(foreign_key="policy.id", index=True)
    year: int
    make: str = Field(max_length=40)
    model: str = Field(max_length=60)
    vin: str = Field(max_length=17, index=True)
    usage: str = Field(default="Commute", max_length=40)
    # Where the vehicle is kept (two-letter state): in a carrier-only state (settings.wallet)
    # only the carrier's own ID card is offered.
    garaging_state: str | None = Field(default=None, max_length=2)
    # The management system's vehicle id, unique on its policy (imports key on it, or on VIN).
    external_id: str | None = Field(default=None, max_length=64)
    updated_at: datetime = updated_at_field()  # the API's updated_since


class Driver(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("policy_id", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = Field(foreign_key="policy.id", index=True)
    first_name: str = Field(max_length=80)
    last_name: str = Field(max_length=80)
    birth_date: date | None = None
    license_state: str = Field(default="", max_length=2)
    relationship: str = Field(default="Named insured", max_length=40)
    # The management system's driver id, unique on its policy (else name + birth date).
    external_id: str | None = Field(default=None, max_length=64)
    updated_at: datetime = updated_at_field()  # the API's updated_since


stamp_updates(Policy, Vehicle, Coverage, Driver)
