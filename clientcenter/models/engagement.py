"""What customers send the agency: change requests, proposal answers, referrals, feedback,
claim experience surveys."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field, utc_column

REQUEST_KINDS = {
    "personal": "Personal Change Request",
    "commercial": "Commercial Change Request",
    "general": "General Request",
    "contact_us": "Contact Us/Help Center",
    "certificate": "Request New Certificate",
}


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    DONE = "done"
    DECLINED = "declined"


class ProposalStatus(StrEnum):
    PUBLISHED = "published"  # waiting for the customer's answer
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ClaimStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ChangeRequest(SQLModel, table=True):
    __tablename__ = "change_request"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    policy_id: int | None = Field(default=None, foreign_key="policy.id")
    kind: str = Field(max_length=16)
    subtype: str = Field(default="", max_length=40)
    reference: str = Field(max_length=20, unique=True)
    summary: str = Field(default="", max_length=200)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    attachment_document_id: int | None = Field(default=None, foreign_key="document.id")
    status: str = Field(default=RequestStatus.SUBMITTED, max_length=12)
    # The agency's word to the customer on the latest move (services/agency/change_requests.py).
    status_note: str = Field(default="", max_length=1000)
    status_changed_at: datetime | None = utc_column(default=None)
    status_changed_by_agent_id: int | None = Field(default=None, foreign_key="agent.id")
    due_date: date | None = None
    created_at: datetime = created_at_field()


class Proposal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    title: str = Field(max_length=160)
    line: str = Field(max_length=32)
    carrier: str = Field(max_length=120)
    premium_cents: int = Field(ge=0)
    currency: str = Field(default="USD", max_length=3)
    coverages: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    document_id: int | None = Field(default=None, foreign_key="document.id")
    status: str = Field(default=ProposalStatus.PUBLISHED, max_length=12)
    decision_comment: str = Field(default="", max_length=1000)
    decided_by_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    decided_at: datetime | None = utc_column(default=None)
    valid_until: date | None = None
    created_at: datetime = created_at_field()


class Referral(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    friend_name: str = Field(max_length=160)
    friend_email: str | None = Field(default=None, max_length=254)
    friend_phone: str | None = Field(default=None, max_length=16)
    note: str = Field(default="", max_length=1000)
    created_at: datetime = created_at_field()


class Feedback(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)
    created_at: datetime = created_at_field()


class Claim(SQLModel, table=True):
    """A claim the agency tracks; a closed one invites a claim experience survey."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    policy_id: int = Field(foreign_key="policy.id")
    number: str = Field(max_length=40, unique=True)
    description: str = Field(default="", max_length=300)
    loss_date: date
    status: str = Field(default=ClaimStatus.OPEN, max_length=12)
    closed_at: datetime | None = utc_column(default=None)
    created_at: datetime = created_at_field()


class ClaimSurvey(SQLModel, table=True):
    __tablename__ = "claim_survey"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    claim_id: int = Field(foreign_key="claim.id", unique=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    rating: int = Field(ge=1, le=5)
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    comment: str = Field(default="", max_length=2000)
    created_at: datetime = created_at_field()


class IntegrationLink(SQLModel, table=True):
    """A link offered in the portal; loaded from configuration at start-up."""

    __tablename__ = "integration_link"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # consumer | non_consumer | cross_sell
    label: str = Field(max_length=80)
    url: str = Field(max_length=500)
    carrier: str | None = Field(default=None, max_length=120)
    line: str | None = Field(default=None, max_length=32)
    position: int = 0
