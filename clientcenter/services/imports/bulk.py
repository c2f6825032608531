"""The records a chunk creates, written with one INSERT … RETURNING per table instead of one
ORM flush per object (a 100,000-account export is half a million rows).

The rows bypass the ORM, so the flush hook that keeps the search index does not see them: the
import reindexes the accounts it wrote once, at its end (run.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert, inspect
from sqlalchemy.sql.schema import ColumnDefault
from sqlmodel import Session


def insert_records(session: Session, records: Sequence[Any]) -> None:
    """INSERT the new (transient) records, each table's in their order, and give each its id.

    The records come from Entity.new, so their model's own defaults are set; a column left
    None gets its column default, as the ORM's flush would give it."""
    by_table: dict[Table, list[Any]] = {}
    for record in records:
        by_table.setdefault(type(record).__table__, []).append(record)
    connection = session.connection()
    for table, group in by_table.items():
        columns = [
            (prop.key, prop.columns[0])
            for prop in inspect(type(group[0])).column_attrs
            if prop.columns[0].table is table and not prop.columns[0].primary_key
        ]
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = connection.execute(statement, [_values(r, columns) for r in group]).scalars()
        for record, id_ in zip(group, ids, strict=True):
            record.id = id_


def _values(record: Any, columns: list) -> dict[str, Any]:
    state = record.__dict__
    values = {}
    for attribute, column in columns:
        value = state.get(attribute)
        if value is None and isinstance(column.default, ColumnDefault):
            value = _default(column.default)
        values[column.key] = value
    return values


def _default(default: ColumnDefault) -> Any:
    if default.is_callable:
        return default.arg(None)  # SQLAlchemy wraps a no-argument callable to take a context
    return default.arg
