"""Pay all: payment.batch_id ties together the payments of one "pay every open bill" (the
first of them holds the card checkout). Installments need no column: "installment 2 of 4" is
derived from the policy's invoices by due date (services/billing/invoices.py).

Revision ID: 0017_payment_batch
Revises: 0016_child_updated_at
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_payment_batch"
down_revision: str | None = "0016_child_updated_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_payment_batch_id", "payment", ["batch_id"], ["id"])
        batch_op.create_index("ix_payment_batch_id", ["batch_id"])


def downgrade() -> None:
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_batch_id")
        batch_op.drop_constraint("fk_payment_batch_id", type_="foreignkey")
        batch_op.drop_column("batch_id")
