"""Agency staff: administrators, producers, customer service and auditors."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field, utc_column


class Agent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # stored lower-case
    first_name: str = Field(max_length=80)
    last_name: str = Field(max_length=80)
    phone: str | None = Field(default=None, max_length=20)  # E.164
    title: str = Field(default="Producer", max_length=80)
    # administrator | producer | customer_service | auditor (services/agency/roles.py)
    role: str = Field(default="producer", max_length=20)
    is_active: bool = True
    deactivated_at: datetime | None = utc_column(default=None)
    last_sign_in_at: datetime | None = utc_column(default=None)
    # Second factor (TOTP). The secret is sealed with the app key before storage.
    totp_secret_sealed: str | None = Field(default=None, max_length=512)
    totp_enrolled_at: datetime | None = utc_column(default=None)
    # The last accepted 30-second step: a code is accepted only for a later one (RFC 6238 §5.2).
    totp_last_step: int | None = None
    created_at: datetime = created_at_field()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class AgentRecoveryCode(SQLModel, table=True):
    __tablename__ = "agent_recovery_code"
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    code_hash: str = Field(max_length=128, unique=True)
    used_at: datetime | None = utc_column(default=None)
    created_at: datetime = created_at_field()


class StaffEnrolmentLink(SQLModel, table=True):
    """A single-use link an administrator mints so one agent can set up (or, after a reset,
    set up again) their authenticator app. Only its hash is stored."""

    __tablename__ = "staff_enrolment_link"
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    purpose: str = Field(max_length=8)  # invite | reset
    created_by_agent_id: int | None = Field(default=None, foreign_key="agent.id")
    created_at: datetime = created_at_field()
    expires_at: datetime = utc_column()
    used_at: datetime | None = utc_column(default=None)
    revoked_at: datetime | None = utc_column(default=None)
