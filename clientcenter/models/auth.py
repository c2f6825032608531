"""Login challenges (one-time codes), sessions, remembered browsers and rate-limit events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field, utc_column


class LoginChallenge(SQLModel, table=True):
    """One login attempt. Holds the keyed hash of its current code, never the code."""

    __tablename__ = "login_challenge"
    id: int | None = Field(default=None, primary_key=True)
    attempt_hash: str = Field(max_length=128, unique=True)  # hash of the browser's attempt id
    subject_kind: str = Field(default="customer", max_length=8)  # customer | agent
    email: str = Field(max_length=254, index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    channel: str = Field(default="email", max_length=8)  # email | sms
    destination_hash: str = Field(default="", max_length=128)
    code_hash: str | None = Field(default=None, max_length=128)
    code_issued_at: datetime | None = utc_column(default=None)
    code_expires_at: datetime | None = utc_column(default=None)
    failed_attempts: int = 0
    verified_at: datetime | None = utc_column(default=None)
    voided_at: datetime | None = utc_column(default=None)
    client_ip: str = Field(default="", max_length=64)
    created_at: datetime = created_at_field()


class UserSession(SQLModel, table=True):
    __tablename__ = "user_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=128, unique=True)
    kind: str = Field(max_length=8)  # customer | agent
    email: str = Field(max_length=254)  # the verified identity
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    account_id: int | None = Field(default=None, foreign_key="account.id")
    agent_id: int | None = Field(default=None, foreign_key="agent.id", index=True)
    read_only: bool = False  # agent viewing a customer's portal
    # How the identity was proven: "email" (a code to the login email opens every account of
    # that email) or "sms" (a code to one mobile opens only the accounts where that mobile is
    # on file; proof_mobile_hash is its login_codes.hash_destination).
    proof: str = Field(default="email", max_length=8)
    proof_mobile_hash: str | None = Field(default=None, max_length=64)
    # Agents: when the authenticator step passed. Customers: the last step-up (a passkey or a
    # fresh code, services/auth/step_up.py).
    second_factor_at: datetime | None = utc_column(default=None)
    passkey_id: int | None = None  # the passkey this login used (its removal ends the session)
    created_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
    absolute_expires_at: datetime = utc_column()
    revoked_at: datetime | None = utc_column(default=None)
    client_ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=200)


class RateEvent(SQLModel, table=True):
    """One counted event (a code sent, a wrong code, a look-up) for sliding-window limits.
    Lives in the database so limits hold across workers and restarts."""

    __tablename__ = "rate_event"
    __table_args__ = (Index("ix_rate_event_scope_key_at", "scope", "key_hash", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=24)
    key_hash: str = Field(max_length=64)
    created_at: datetime = created_at_field()


class RateKey(SQLModel, table=True):
    """One row per counter (scope and hashed key): what a request locks while it counts and
    adds its events (services/auth/rate_limits.py), so two requests on one counter run in turn."""

    __tablename__ = "rate_key"
    scope: str = Field(max_length=24, primary_key=True)
    key_hash: str = Field(max_length=64, primary_key=True)
    touched_at: datetime = created_at_field()


class RememberedBrowser(SQLModel, table=True):
    """A browser that completed a login: it holds a random HttpOnly cookie, the database only
    ``connection.remembered_digest`` of it. Requests from it for the same person draw on
    their own send and failure allowance, which anonymous floods cannot use up."""

    __tablename__ = "remembered_browser"
    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64, unique=True)
    subject_kind: str = Field(max_length=8)  # customer | agent
    email: str = Field(max_length=254, index=True)  # the identity whose allowance it is
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    user_agent: str = Field(default="", max_length=200)
    created_at: datetime = created_at_field()
    last_used_at: datetime = created_at_field()
    expires_at: datetime = utc_column()
    revoked_at: datetime | None = utc_column(default=None)
    # Opted in on the code step ("Remember this browser for 30 days"): until then this
    # browser skips the channel step and gets its code by ``trusted_channel`` at once.
    trusted_until: datetime | None = utc_column(default=None)
    trusted_channel: str = Field(default="", max_length=8)


class Passkey(SQLModel, table=True):
    """A WebAuthn credential (docs/login.md, "Passkeys"): a discoverable key a contact's
    device made after a code login. Only the public key is here. ``proof`` is what the code
    login that registered it proved (services/auth/login.Proof): a passkey opens the accounts
    that login could open, no more. Removing one deletes the row, so it stops at once."""

    __tablename__ = "passkey"
    id: int | None = Field(default=None, primary_key=True)
    credential_id: str = Field(max_length=1400, unique=True)  # base64url, as browsers send it
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    agent_id: int | None = Field(default=None, foreign_key="agent.id", index=True)
    user_handle: str = Field(max_length=128)  # base64url of the opaque WebAuthn user id
    public_key: str = Field(max_length=2000)  # base64url COSE key
    sign_count: int = 0
    proof: str = Field(default="email", max_length=8)
    proof_mobile_hash: str | None = Field(default=None, max_length=64)
    label: str = Field(default="", max_length=120)  # the browser it was made on
    created_at: datetime = created_at_field()
    last_used_at: datetime | None = utc_column(default=None)


class WebAuthnChallenge(SQLModel, table=True):
    """A WebAuthn challenge the server issued: single use (``used_at``), short-lived, bound
    to what asked for it — a session (register, step-up) or a login attempt (login)."""

    __tablename__ = "webauthn_challenge"
    id: int | None = Field(default=None, primary_key=True)
    challenge: str = Field(max_length=128, unique=True)  # base64url, not a secret
    purpose: str = Field(max_length=16)  # register | login | step_up | agent
    session_id: int | None = Field(default=None, index=True)
    attempt_hash: str | None = Field(default=None, max_length=128)
    created_at: datetime = created_at_field()
    expires_at: datetime = utc_column()
    used_at: datetime | None = utc_column(default=None)
