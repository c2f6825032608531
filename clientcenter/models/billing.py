"""Invoices, payments and payment requests. Money is integer cents with its currency."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field, stamp_updates, updated_at_field, utc_column


class InvoiceStatus(StrEnum):
    OPEN = "open"  # due
    PENDING = "pending"  # a payment is in flight
    PAID = "paid"
    CANCELLED = "cancelled"


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNAPPLIED = "unapplied"  # money arrived for a bill that could not take it


class PaymentRequestStatus(StrEnum):
    SENT = "sent"
    OPENED = "opened"
    PAID = "paid"
    CANCELLED = "cancelled"


class Invoice(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    policy_id: int | None = Field(default=None, foreign_key="policy.id")
    number: str = Field(max_length=40, unique=True)
    description: str = Field(default="", max_length=200)
    amount_cents: int = Field(gt=0)
    currency: str = Field(default="USD", max_length=3)
    due_date: date
    status: str = Field(default=InvoiceStatus.OPEN, max_length=12, index=True)
    # What succeeded payments have settled so far; only raised by a guarded UPDATE.
    paid_cents: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    published: bool = True  # visible in the portal ("Policies/Invoices" publish)
    # The management system's invoice id (imports key on it, or on the number), and whether
    # an import brought the invoice in (only those may a full import cancel).
    external_id: str | None = Field(default=None, max_length=64, unique=True)
    imported: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()  # the API's updated_since


class Payment(SQLModel, table=True):
    # The database itself refuses a second in-flight payment on an invoice, and a second
    # payment settling the same invoice: double clicks, parallel tabs and webhook replays
    # cannot race past these, whatever the code above them does.
    __table_args__ = (
        Index(
            "uq_payment_one_pending_per_invoice",
            "invoice_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        UniqueConstraint("settles_invoice_id", name="uq_payment_settles_invoice_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    amount_cents: int = Field(gt=0)
    currency: str = Field(default="USD", max_length=3)
    method: str = Field(max_length=20)  # card | bank_transfer | check
    provider: str = Field(max_length=20)  # stripe | offline
    provider_ref: str | None = Field(default=None, max_length=120, unique=True)
    status: str = Field(default=PaymentStatus.PENDING, max_length=12)
    idempotency_key: str = Field(max_length=80, unique=True)
    memo: str = Field(default="", max_length=200)
    paid_by_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    taken_by_agent_id: int | None = Field(default=None, foreign_key="agent.id")
    # Set on the one payment that brings its invoice to fully paid (unique: never two).
    settles_invoice_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("invoice.id", name="fk_payment_settles_invoice_id")),
    )
    # Pay all: the payments of one "pay every open bill" share the id of the first of them,
    # which holds the one card checkout (or stands for the one check or transfer).
    batch_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("payment.id", name="fk_payment_batch_id"), index=True
        ),
    )
    created_at: datetime = created_at_field()
    settled_at: datetime | None = utc_column(default=None)


class PaymentRequest(SQLModel, table=True):
    __tablename__ = "payment_request"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    channel: str = Field(max_length=8)  # email | sms
    token_hash: str = Field(max_length=128, unique=True)
    expires_at: datetime = utc_column()
    status: str = Field(default=PaymentRequestStatus.SENT, max_length=12)
    created_by_agent_id: int = Field(foreign_key="agent.id")
    created_at: datetime = created_at_field()


stamp_updates(Invoice)
