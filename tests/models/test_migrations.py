"""Alembic: the initial migration builds the whole schema, tears it down, and agrees with the
models, on SQLite and on PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

from alembic import command
from clientcenter.models.search import is_search_fts_table
from clientcenter.settings import PROJECT_ROOT


def _config(url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["configure_logger"] = False
    cfg.attributes["database_url"] = url
    return cfg


def test_upgrade_matches_models_then_downgrade_empties(database_url):
    cfg = _config(database_url)
    command.upgrade(cfg, "head")
    engine = create_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert {t for t in tables if not is_search_fts_table(t)} == set(SQLModel.metadata.tables)
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, type_, _p: (
                        not (type_ == "table" and is_search_fts_table(name))
                    ),
                },
            )
            assert compare_metadata(ctx, SQLModel.metadata) == []
        command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
