"""The records a chunk creates, written in bulk instead of one ORM flush per object (a
100,000-account export is half a million rows): on PostgreSQL with COPY, after taking their
ids from the table's sequence; elsewhere with one INSERT … RETURNING per table.

The rows bypass the ORM, so the flush hook that keeps the search index does not see them: the
import reindexes the accounts it wrote once, at its end (run.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.sql.schema import ColumnDefault
from sqlmodel import Session

from clientcenter.models.bulk_write import copy_rows, copyable, next_ids


class NewRecord:
    """A record to create: its model and column values; ``id`` once it is written. Reads like
    the model object for what the import asks of it (``record.account_id``, ``record.id``)."""

    __slots__ = ("model", "values", "id")

    def __init__(self, model: type, values: dict[str, Any]):
        self.model, self.values, self.id = model, values, None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def record_of(obj: Any) -> NewRecord:
    """A model object built by Entity.new, as the values it would INSERT."""
    return NewRecord(type(obj), {k: v for k, v in obj.__dict__.items() if not k.startswith("_")})


def insert_records(session: Session, records: Sequence[NewRecord]) -> None:
    """Write the records, each model's in their order, and give each its id. A column left
    None gets its column default, as the ORM's flush would give it."""
    by_model: dict[type, list[NewRecord]] = {}
    for record in records:
        by_model.setdefault(record.model, []).append(record)
    connection = session.connection()
    for model, group in by_model.items():
        table = model.__table__
        columns = _columns(model)
        rows = [_values(r, columns) for r in group]
        if copyable(connection, rows):
            ids = next_ids(connection, table, len(rows))
            copy_rows(
                connection, table, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)]
            )
        else:
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids = list(connection.execute(statement, rows).scalars())
        for record, id_ in zip(group, ids, strict=True):
            record.id = id_


_COLUMNS: dict[type, list[tuple[str, str, Any]]] = {}


def _columns(model: type) -> list[tuple[str, str, Any]]:
    """(attribute, column key, its default: None, or the ColumnDefault) of each column."""
    if model not in _COLUMNS:
        table = model.__table__
        _COLUMNS[model] = [
            (
                prop.key,
                prop.columns[0].key,
                prop.columns[0].default
                if isinstance(prop.columns[0].default, ColumnDefault)
                else None,
            )
            for prop in inspect(model).column_attrs
            if prop.columns[0].table is table and not prop.columns[0].primary_key
        ]
    return _COLUMNS[model]


def _values(record: NewRecord, columns: list[tuple[str, str, Any]]) -> dict[str, Any]:
    given = record.values
    values = {}
    for attribute, key, default in columns:
        value = given.get(attribute)
        if value is None and default is not None:
            value = default.arg(None) if default.is_callable else default.arg
            given[attribute] = value  # as written (the row digest's stamp reads it)
        values[key] = value
    return values
