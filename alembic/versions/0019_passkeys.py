"""passkeys: WebAuthn credentials and their single-use challenges, the passkey a session
logged in with, and remembered browsers a customer opted in to (issue 18)

Revision ID: 0019_passkeys
Revises: 0018_wallet
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019_passkeys"
down_revision: str | None = "0018_wallet"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "passkey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", _str(length=1400), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("user_handle", _str(length=128), nullable=False),
        sa.Column("public_key", _str(length=2000), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("proof", _str(length=8), nullable=False),
        sa.Column("proof_mobile_hash", _str(length=64), nullable=True),
        sa.Column("label", _str(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credential_id"),
    )
    with op.batch_alter_table("passkey", schema=None) as batch_op:
        batch_op.create_index("ix_passkey_agent_id", ["agent_id"], unique=False)
        batch_op.create_index("ix_passkey_contact_id", ["contact_id"], unique=False)
    op.create_table(
        "webauthn_challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge", _str(length=128), nullable=False),
        sa.Column("purpose", _str(length=16), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("attempt_hash", _str(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("challenge"),
    )
    with op.batch_alter_table("webauthn_challenge", schema=None) as batch_op:
        batch_op.create_index("ix_webauthn_challenge_session_id", ["session_id"], unique=False)
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("passkey_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("remembered_browser", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trusted_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("trusted_channel", _str(length=8), nullable=False, server_default="")
        )
    with op.batch_alter_table("remembered_browser", schema=None) as batch_op:
        batch_op.alter_column("trusted_channel", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("remembered_browser", schema=None) as batch_op:
        batch_op.drop_column("trusted_channel")
        batch_op.drop_column("trusted_until")
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_column("passkey_id")
    with op.batch_alter_table("webauthn_challenge", schema=None) as batch_op:
        batch_op.drop_index("ix_webauthn_challenge_session_id")
    op.drop_table("webauthn_challenge")
    with op.batch_alter_table("passkey", schema=None) as batch_op:
        batch_op.drop_index("ix_passkey_contact_id")
        batch_op.drop_index("ix_passkey_agent_id")
    op.drop_table("passkey")
