"""Super Search's index: one row per searchable value of an account, already normalised
(lower-case, accents and apostrophes removed; phones as E.164 digits; policy numbers as bare
letters and digits). `models.search_index` keeps it in step with accounts, contacts and
policies on every flush, so no caller has to remember it.

Substring matches need a trigram index: on PostgreSQL a GIN index (pg_trgm), on SQLite an FTS5
table with the trigram tokenizer over `norm`, kept in step by triggers. That FTS5 table and its
shadow tables are not SQLModel tables; Alembic is told to leave them alone (`is_search_fts_table`).
"""

from __future__ import annotations

from sqlalchemy import DDL, Index, event, text
from sqlmodel import Field, SQLModel


class SearchTerm(SQLModel, table=True):
    __tablename__ = "search_term"
    __table_args__ = (
        # Exact and prefix look-ups (a b-tree range on both databases).
        Index("ix_search_term_norm", "norm"),
        # Substring look-ups on PostgreSQL: a trigram GIN index serves LIKE '%x%'. SQLite has
        # no such index; the same declaration there would be a second b-tree on `norm`, so it
        # is made an empty partial index (WHERE 0) that costs nothing.
        # fastupdate off: new rows go straight into the index instead of a pending list that
        # every search would scan until the next vacuum (several ms at 100k accounts).
        Index(
            "ix_search_term_norm_trgm",
            "norm",
            postgresql_using="gin",
            postgresql_ops={"norm": "gin_trgm_ops"},
            postgresql_with={"fastupdate": "off"},
            sqlite_where=text("0"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE", index=True)
    field: str = Field(max_length=12)  # name | business | contact | email | phone | policy
    kind: str = Field(max_length=8)  # text | compact | digits: which form of the query applies
    weight: int
    norm: str = Field(max_length=254)
    display: str = Field(max_length=254)  # the value as people write it, for the result list


SQLITE_FTS_TABLE = "search_term_fts"
SQLITE_FTS_DDL = (
    f"CREATE VIRTUAL TABLE {SQLITE_FTS_TABLE} USING fts5(norm, content='search_term', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {SQLITE_FTS_TABLE}_insert AFTER INSERT ON search_term BEGIN "
    f"INSERT INTO {SQLITE_FTS_TABLE}(rowid, norm) VALUES (new.id, new.norm); END",
    f"CREATE TRIGGER {SQLITE_FTS_TABLE}_delete AFTER DELETE ON search_term BEGIN "
    f"INSERT INTO {SQLITE_FTS_TABLE}({SQLITE_FTS_TABLE}, rowid, norm) "
    "VALUES ('delete', old.id, old.norm); END",
    f"CREATE TRIGGER {SQLITE_FTS_TABLE}_update AFTER UPDATE ON search_term BEGIN "
    f"INSERT INTO {SQLITE_FTS_TABLE}({SQLITE_FTS_TABLE}, rowid, norm) "
    "VALUES ('delete', old.id, old.norm); "
    f"INSERT INTO {SQLITE_FTS_TABLE}(rowid, norm) VALUES (new.id, new.norm); END",
)


def is_search_fts_table(name: str) -> bool:
    """The SQLite FTS5 table and its shadow tables (…_data, …_idx, …_docsize, …_config)."""
    return name == SQLITE_FTS_TABLE or name.startswith(SQLITE_FTS_TABLE + "_")


for _statement in SQLITE_FTS_DDL:
    event.listen(
        SearchTerm.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )
event.listen(
    SearchTerm.__table__,
    "before_drop",
    DDL(f"DROP TABLE IF EXISTS {SQLITE_FTS_TABLE}").execute_if(dialect="sqlite"),
)

# The trigram operator class lives in the pg_trgm extension (trusted since PostgreSQL 13, so
# the database owner may create it). Tests build schemas with create_all, migrations do the same.
event.listen(
    SearchTerm.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)
