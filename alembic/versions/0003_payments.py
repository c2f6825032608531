"""payments: settled amounts, one in-flight payment per invoice, one settling payment

Revision ID: 0003_payments
Revises: 0002_search_index
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003_payments'
down_revision: str | None = '0002_search_index'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_cents', sa.Integer(), server_default='0', nullable=False))
    # Bills already marked paid were settled in full.
    op.execute("UPDATE invoice SET paid_cents = amount_cents WHERE status = 'paid'")

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settles_invoice_id', sa.Integer(), nullable=True))
        batch_op.create_index('uq_payment_one_pending_per_invoice', ['invoice_id'], unique=True,
                              sqlite_where=PENDING, postgresql_where=PENDING)
        batch_op.create_unique_constraint('uq_payment_settles_invoice_id', ['settles_invoice_id'])
        batch_op.create_foreign_key('fk_payment_settles_invoice_id', 'invoice',
                                    ['settles_invoice_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_payment_settles_invoice_id', type_='foreignkey')
        batch_op.drop_constraint('uq_payment_settles_invoice_id', type_='unique')
        batch_op.drop_index('uq_payment_one_pending_per_invoice', sqlite_where=PENDING,
                            postgresql_where=PENDING)
        batch_op.drop_column('settles_invoice_id')

    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_column('paid_cents')
