"""Database engine and sessions; the URL comes from settings (SQLite by default)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from clientcenter.settings import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - driver hook
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def begin_before_savepoints(session: Session) -> None:
    """Open the session's transaction in the database before a SAVEPOINT is sent.

    pysqlite sends BEGIN only before a data-changing statement; a SAVEPOINT sent first starts
    SQLite's own transaction, which its RELEASE then commits, so the caller's rollback would
    keep what the savepoint wrote. A write that changes nothing makes pysqlite begin first.
    (PostgreSQL is in a transaction from the first statement.)"""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("UPDATE account SET id = id WHERE 0 = 1")


_engines: dict[str, Engine] = {}


def get_engine() -> Engine:
    url = get_settings().database_url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def reset_engine_cache() -> None:
    """Tests switch databases; drop pooled connections of the old ones."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
