"""TOTP: the last accepted time step on the agent, so a code is accepted at most once by one
conditional UPDATE (replaces the used-step rows in rate_event)

Revision ID: 0005_totp_last_step
Revises: 0004_search_gin_fastupdate_off
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_totp_last_step"
down_revision: str | None = "0004_search_gin_fastupdate_off"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    # The old used-step markers in rate_event are no longer read.
    op.execute("DELETE FROM rate_event WHERE scope = 'totp:step'")


def downgrade() -> None:
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
