"""Many rows into one table at once: COPY on PostgreSQL (an order of magnitude faster than
INSERTs there), an executemany INSERT elsewhere. The import and the search index use it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, Table, any_, bindparam, insert, text
from sqlalchemy.engine import Connection

# Values COPY's text format writes exactly as an INSERT would bind them (str covers StrEnum).
_COPYABLE = (str, int, float, bool, dt.date, dt.datetime, type(None))


def copyable(connection: Connection, rows: list[dict[str, Any]]) -> bool:
    return connection.dialect.name == "postgresql" and all(
        type(v) in _COPYABLE or isinstance(v, str) for r in rows for v in r.values()
    )


def one_of(dialect_name: str, column: Any, values: Iterable[Any]) -> Any:
    """``column IN values``; on PostgreSQL ``column = ANY(:array)``, one parameter: an IN
    list of 500 costs SQLAlchemy and psycopg a placeholder each to render and parse, and
    each chunk's own count of them makes a new statement to plan."""
    values = list(values)
    if dialect_name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT the rows (each a dict of the same column keys), ids left to the database."""
    if not rows:
        return
    if copyable(connection, rows):
        copy_rows(connection, table, rows)
    else:
        connection.execute(insert(table), rows)


def next_ids(connection: Connection, table: Table, n: int) -> list[int]:
    """n ids from the table's own sequence (PostgreSQL), ascending: rows COPYed with them
    leave later INSERTs to go on from there."""
    quoted = connection.dialect.identifier_preparer.format_table(table)
    return sorted(
        connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": quoted, "n": n},
        ).scalars()
    )


def copy_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY the rows (PostgreSQL; dicts of column key to value, one set of keys)."""
    preparer = connection.dialect.identifier_preparer
    columns = [table.c[key] for key in rows[0]]
    names = ", ".join(preparer.quote(c.name) for c in columns)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {preparer.format_table(table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row[c.key] for c in columns))


# A table that grew by this share of the rows its statistics count (or was never analyzed)
# is analyzed at once: PostgreSQL plans from its statistics, autovacuum refreshes them only
# some time after the load commits, and until then the import's own look-ups (the later
# files', the next import's) are planned as if the table were still empty.
ANALYZE_GROWTH = 0.1
ANALYZE_MIN_ROWS = 1000


def analyze_if_grown(connection: Connection, table: Table, added: int) -> bool:
    """ANALYZE the table (PostgreSQL) when ``added`` rows outgrow its statistics; it runs in
    the caller's transaction, which its rows are in. Returns whether it did."""
    if connection.dialect.name != "postgresql" or added < ANALYZE_MIN_ROWS:
        return False
    name = connection.dialect.identifier_preparer.format_table(table)
    counted = connection.execute(
        text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": name}
    ).scalar()
    if counted is not None and 0 <= counted and added < ANALYZE_GROWTH * counted:
        return False
    connection.execute(text(f"ANALYZE {name}"))
    return True
