"""Sessions record how the identity was proven (email or text, and the texted mobile's hash),
so a code texted to one mobile opens only the accounts where that mobile is on file

Revision ID: 0006_session_proof
Revises: 0005_totp_last_step
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_session_proof"
down_revision: str | None = "0005_totp_last_step"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        # Sessions that exist already were made before text proofs were told apart: they keep
        # what they had (email), and end within 12 hours anyway.
        batch_op.add_column(sa.Column("proof", sqlmodel.sql.sqltypes.AutoString(length=8),
                                      nullable=False, server_default="email"))
        batch_op.add_column(sa.Column("proof_mobile_hash",
                                      sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_column("proof_mobile_hash")
        batch_op.drop_column("proof")
