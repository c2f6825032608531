"""certificate_share: each certificate link sent to a holder, so the agency can revoke it and
every download is re-checked (links were stateless signed values until now; those already
sent stop working and are sent again from the agency side)

Revision ID: 0008_certificate_share
Revises: 0007_remembered_browser_rate_key
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_certificate_share"
down_revision: str | None = "0007_remembered_browser_rate_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificate_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("holder_name", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("to_address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("shared_by_agent_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_agent_id", sa.Integer(), nullable=True),
        sa.Column("download_count", sa.Integer(), nullable=False),
        sa.Column("last_downloaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["activity_id"], ["activity_log.id"]),
        sa.ForeignKeyConstraint(["certificate_id"], ["certificate.id"]),
        sa.ForeignKeyConstraint(["revoked_by_agent_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["shared_by_agent_id"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("certificate_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_share_account_id"), ["account_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_certificate_share_certificate_id"),
                              ["certificate_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("certificate_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_share_certificate_id"))
        batch_op.drop_index(batch_op.f("ix_certificate_share_account_id"))
    op.drop_table("certificate_share")
