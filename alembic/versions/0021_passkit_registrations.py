"""passkit registrations: the devices that asked Apple Wallet's PassKit web service for
updates of a pass, with their push tokens (issue 17, docs/id-cards.md)

Revision ID: 0021_passkit_registrations
Revises: 0020_household
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0021_passkit_registrations"
down_revision: str | None = "0020_household"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "wallet_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_library_id", _str(length=64), nullable=False),
        sa.Column("serial_number", _str(length=64), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("push_token", _str(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pushed_through", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_library_id", "serial_number"),
    )
    with op.batch_alter_table("wallet_registration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_wallet_registration_device_library_id", ["device_library_id"], unique=False
        )
        batch_op.create_index(
            "ix_wallet_registration_serial_number", ["serial_number"], unique=False
        )
        batch_op.create_index("ix_wallet_registration_updated_at", ["updated_at"], unique=False)
        batch_op.create_index("ix_wallet_registration_vehicle_id", ["vehicle_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("wallet_registration", schema=None) as batch_op:
        batch_op.drop_index("ix_wallet_registration_vehicle_id")
        batch_op.drop_index("ix_wallet_registration_updated_at")
        batch_op.drop_index("ix_wallet_registration_serial_number")
        batch_op.drop_index("ix_wallet_registration_device_library_id")
    op.drop_table("wallet_registration")
