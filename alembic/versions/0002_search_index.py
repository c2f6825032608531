"""Super Search index: search_term, with a trigram index (pg_trgm GIN on PostgreSQL, an FTS5
trigram table kept by triggers on SQLite)

Revision ID: 0002_search_index
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# Frozen copy of models.search.SQLITE_FTS_DDL as of this revision.
SQLITE_FTS_DDL = (
    "CREATE VIRTUAL TABLE search_term_fts USING fts5(norm, content='search_term', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER search_term_fts_insert AFTER INSERT ON search_term BEGIN "
    "INSERT INTO search_term_fts(rowid, norm) VALUES (new.id, new.norm); END",
    "CREATE TRIGGER search_term_fts_delete AFTER DELETE ON search_term BEGIN "
    "INSERT INTO search_term_fts(search_term_fts, rowid, norm) "
    "VALUES ('delete', old.id, old.norm); END",
    "CREATE TRIGGER search_term_fts_update AFTER UPDATE ON search_term BEGIN "
    "INSERT INTO search_term_fts(search_term_fts, rowid, norm) "
    "VALUES ('delete', old.id, old.norm); "
    "INSERT INTO search_term_fts(rowid, norm) VALUES (new.id, new.norm); END",
)

revision: str = "0002_search_index"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "search_term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("norm", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("display", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("search_term", schema=None) as batch_op:
        batch_op.create_index("ix_search_term_account_id", ["account_id"], unique=False)
        batch_op.create_index("ix_search_term_norm", ["norm"], unique=False)
        batch_op.create_index(
            "ix_search_term_norm_trgm", ["norm"], unique=False,
            postgresql_using="gin", postgresql_ops={"norm": "gin_trgm_ops"},
            sqlite_where=sa.text("0"),
        )
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_FTS_DDL:
            op.execute(statement)
    # Index the accounts that already exist.
    from clientcenter.models.search_index import rebuild_all

    rebuild_all(bind)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_term_fts")
    with op.batch_alter_table("search_term", schema=None) as batch_op:
        batch_op.drop_index("ix_search_term_norm_trgm")
        batch_op.drop_index("ix_search_term_norm")
        batch_op.drop_index("ix_search_term_account_id")
    op.drop_table("search_term")
