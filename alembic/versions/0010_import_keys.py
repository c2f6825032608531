"""import_keys: the agency management system's ids on accounts, contacts and policies (the
import's keys), each account's data_as_of (its freshness), policies' carrier NAIC number and
bill method, and saved import column mappings

Revision ID: 0010_import_keys
Revises: 0009_administration
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010_import_keys"
down_revision: str | None = "0009_administration"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key_column() -> sa.Column:
    return sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)


def upgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(_key_column())
        batch_op.add_column(sa.Column("data_as_of", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint("uq_account_external_id", ["external_id"])
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(_key_column())
        batch_op.create_unique_constraint(
            "uq_contact_account_id_external_id", ["account_id", "external_id"]
        )
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.add_column(_key_column())
        batch_op.add_column(
            sa.Column("carrier_naic", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True)
        )
        batch_op.add_column(
            sa.Column("bill_method", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )
        batch_op.create_unique_constraint("uq_policy_external_id", ["external_id"])

    op.create_table(
        "import_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("import_mapping")
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.drop_constraint("uq_policy_external_id", type_="unique")
        batch_op.drop_column("bill_method")
        batch_op.drop_column("carrier_naic")
        batch_op.drop_column("external_id")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_constraint("uq_contact_account_id_external_id", type_="unique")
        batch_op.drop_column("external_id")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_constraint("uq_account_external_id", type_="unique")
        batch_op.drop_column("data_as_of")
        batch_op.drop_column("external_id")
