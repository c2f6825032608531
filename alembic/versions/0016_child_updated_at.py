"""child_updated_at: when vehicles, coverages, drivers, invoices and certificate holders last
changed (the REST API's updated_since on their lists, as accounts, contacts and policies have)

Revision ID: 0016_child_updated_at
Revises: 0015_webhooks
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_child_updated_at"
down_revision: str | None = "0015_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMPED = ("vehicle", "coverage", "driver", "invoice", "certificate_holder")


def upgrade() -> None:
    for table in STAMPED:
        # Existing rows count as changed now: a first sync with updated_since takes them all.
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "updated_at",
                    sa.DateTime(timezone=True),
                    nullable=False,
                    server_default=sa.text("CURRENT_TIMESTAMP"),
                )
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("updated_at", server_default=None)
            batch_op.create_index(f"ix_{table}_updated_at", ["updated_at"])


def downgrade() -> None:
    for table in reversed(STAMPED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_updated_at")
            batch_op.drop_column("updated_at")
