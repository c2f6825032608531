"""household: what each contact sees, the agency's account-manager mark, and pending household
invitations (docs/households.md)

Revision ID: 0020_household
Revises: 0019_passkeys
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_household"
down_revision: str | None = "0019_passkeys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sees", sa.String(length=16), nullable=False, server_default="everything")
        )
        batch_op.add_column(
            sa.Column("account_manager", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("invite_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.alter_column("sees", server_default=None)
        batch_op.alter_column("account_manager", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("invited_at")
        batch_op.drop_column("invite_digest")
        batch_op.drop_column("account_manager")
        batch_op.drop_column("sees")
