"""wallet: the state a vehicle is garaged in, for the states where only the carrier may issue
its ID card (settings.wallet.carrier_only_states)

Revision ID: 0018_wallet
Revises: 0017_payment_batch
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018_wallet"
down_revision: str | None = "0017_payment_batch"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vehicle", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
                "garaging_state", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True
            ))


def downgrade() -> None:
    with op.batch_alter_table("vehicle", schema=None) as batch_op:
        batch_op.drop_column("garaging_state")
