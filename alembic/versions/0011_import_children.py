"""import_children: the management system's ids on vehicles, drivers, invoices and certificate
holders (the import's keys), which invoices and holders an import brought in (only those may a
full import cancel or remove), and the indexes the import's reference checks look up

Revision ID: 0011_import_children
Revises: 0010_import_keys
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011_import_children"
down_revision: str | None = "0010_import_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key_column() -> sa.Column:
    return sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)


def _imported_column() -> sa.Column:
    return sa.Column("imported", sa.Boolean(), server_default=sa.false(), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("vehicle", schema=None) as batch_op:
        batch_op.add_column(_key_column())
        batch_op.create_unique_constraint(
            "uq_vehicle_policy_id_external_id", ["policy_id", "external_id"]
        )
    with op.batch_alter_table("driver", schema=None) as batch_op:
        batch_op.add_column(_key_column())
        batch_op.create_unique_constraint(
            "uq_driver_policy_id_external_id", ["policy_id", "external_id"]
        )
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.add_column(_key_column())
        batch_op.add_column(_imported_column())
        batch_op.create_unique_constraint("uq_invoice_external_id", ["external_id"])
    with op.batch_alter_table("certificate_holder", schema=None) as batch_op:
        batch_op.add_column(_key_column())
        batch_op.add_column(_imported_column())
        batch_op.create_unique_constraint(
            "uq_certificate_holder_account_id_external_id", ["account_id", "external_id"]
        )
    op.create_index(op.f("ix_coverage_vehicle_id"), "coverage", ["vehicle_id"], unique=False)
    op.create_index(op.f("ix_certificate_holder_id"), "certificate", ["holder_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_certificate_holder_id"), table_name="certificate")
    op.drop_index(op.f("ix_coverage_vehicle_id"), table_name="coverage")
    with op.batch_alter_table("certificate_holder", schema=None) as batch_op:
        batch_op.drop_constraint("uq_certificate_holder_account_id_external_id", type_="unique")
        batch_op.drop_column("imported")
        batch_op.drop_column("external_id")
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_constraint("uq_invoice_external_id", type_="unique")
        batch_op.drop_column("imported")
        batch_op.drop_column("external_id")
    with op.batch_alter_table("driver", schema=None) as batch_op:
        batch_op.drop_constraint("uq_driver_policy_id_external_id", type_="unique")
        batch_op.drop_column("external_id")
    with op.batch_alter_table("vehicle", schema=None) as batch_op:
        batch_op.drop_constraint("uq_vehicle_policy_id_external_id", type_="unique")
        batch_op.drop_column("external_id")
