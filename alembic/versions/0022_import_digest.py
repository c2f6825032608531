"""import row digests: the source row each imported record was last written from, so that an
unchanged re-import skips the row without parsing it (docs/import.md, "Re-imports")

Revision ID: 0022_import_digest
Revises: 0021_passkit_registrations
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_import_digest"
down_revision: str | None = "0021_passkit_registrations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_row_digest",
        sa.Column("entity", sa.String(length=24), nullable=False),
        sa.Column("record_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("stamp", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("entity", "record_id"),
    )
    op.create_index(
        "ix_import_row_digest_entity_digest",
        "import_row_digest",
        ["entity", "digest"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_import_row_digest_entity_digest", table_name="import_row_digest")
    op.drop_table("import_row_digest")
