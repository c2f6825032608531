"""Super Search: the trigram GIN index without a pending list (fastupdate off)

Rows inserted with fastupdate on wait in a pending list that every search scans linearly until
the next vacuum; at 100,000 accounts that cost several milliseconds per search.

Revision ID: 0004_search_gin_fastupdate_off
Revises: 0003_payments
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_search_gin_fastupdate_off"
down_revision: str | None = "0003_payments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT gin_clean_pending_list('ix_search_term_norm_trgm'::regclass)")
        op.execute("ALTER INDEX ix_search_term_norm_trgm SET (fastupdate = off)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_search_term_norm_trgm RESET (fastupdate)")
