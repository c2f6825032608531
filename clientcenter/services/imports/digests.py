"""Row digests: what makes an unchanged re-import cheap. Each record an import writes keeps a
128-bit digest of the source row it came from (its mapped cells, in our columns' order), with
the record's state just after (``stamp``: its updated_at, plus for invoices what payments
change without the ORM). When a later file holds the same row again and the record still has
that state, the row is counted unchanged without being parsed, looked up or compared: the
same cells under the same mapping give the same values, and the record is as they left it.

A row whose digest is unknown, or whose record has changed since (an agent's edit, the API, a
payment, a retirement), takes the ordinary path. A file that names one record twice is still
refused: a skipped row's record is noted, and a later row naming it again is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, exists, insert
from sqlmodel import Session, select

from clientcenter.models import ImportRowDigest
from clientcenter.models.bulk_write import copy_rows
from clientcenter.services.imports.columns import HeaderMap
from clientcenter.services.imports.entities.base import Entity, one_of
from clientcenter.services.imports.reader import Row

# Raised when what a cell parses to changes (a new synonym, a stricter rule): every stored
# digest then differs from the new ones, and the next import parses every row once again.
RULES_VERSION = b"1"
_ABSENT = "\x00"  # a column the file does not have (a present but empty cell is "")


class Found:
    """A row skipped as unchanged: its record and the account it belongs to."""

    __slots__ = ("record_id", "account_id", "extra")

    def __init__(self, record_id: int, account_id: int, extra: tuple):
        self.record_id, self.account_id, self.extra = record_id, account_id, extra


class FileDigests:
    """The digests of one pass over a file (see the module's docstring)."""

    def __init__(self, session: Session, entity: Entity, headers: HeaderMap):
        self.entity = entity
        self._positions = [headers.index.get(c.name, -1) for c in entity.columns]
        self._width = headers.width
        # The file's shape (which of our columns it has) is part of every row's digest.
        shape = repr([p >= 0 for p in self._positions]).encode()
        self._start = hashlib.blake2b(RULES_VERSION + entity.name.encode() + shape, digest_size=16)
        # A table with no digest of this entity (a first import) needs no look-up at all.
        self.any_stored = session.exec(
            select(exists().where(ImportRowDigest.entity == entity.name))
        ).one()
        # Records this file named, by a skipped row or (only while skipped rows may follow)
        # by another row: a file names each record once.
        self.named = NamedRecords()

    def digests(self, chunk: list[Row]) -> dict[int, str | None]:
        """Each row's digest by line; None for a row that must be read (cells beyond the
        header). Called for every chunk of the file, in order."""
        contexts = self.entity.digest_contexts(chunk, self._positions)
        found: dict[int, str | None] = {}
        for row, context in zip(chunk, contexts, strict=True):
            cells = row.cells
            width = len(cells)
            if width > self._width:
                found[row.line] = None
                continue
            text = "\x1f".join(
                (cells[p] if p < width else "") if p >= 0 else _ABSENT for p in self._positions
            )
            digest = self._start.copy()
            digest.update((text + context).encode())
            found[row.line] = digest.hexdigest()
        return found

    def unchanged(self, session: Session, digests: Iterable[str]) -> dict[str, Found]:
        """The rows whose records are as their digests left them, by digest."""
        wanted = [d for d in digests if d is not None]
        if not self.any_stored or not wanted:
            return {}
        entity = self.entity
        model = entity.model
        statement = entity.found_join(
            select(
                ImportRowDigest.digest,
                ImportRowDigest.stamp,
                model.id,
                *entity.found_columns(),
                *entity.stamp_columns(),
            ).join(model, model.id == ImportRowDigest.record_id)
        ).where(
            ImportRowDigest.entity == entity.name,
            one_of(session, ImportRowDigest.digest, wanted),
        )
        n_found = len(entity.found_columns())
        found: dict[str, Found] = {}
        for digest, stamp, record_id, *rest in session.connection().execute(statement):
            columns, state = rest[:n_found], rest[n_found:]
            if stamp == stamp_of(state):
                found[digest] = Found(record_id, columns[0], tuple(columns[1:]))
        return found

    def store(self, session: Session, written: Sequence[tuple[str, Any, str]]) -> None:
        """Keep the digests of rows just written (digest, record, "created", "updated" or
        "unchanged"), replacing what their records or digests had."""
        if not written:
            return
        entity = self.entity
        columns = entity.stamp_columns()
        changed = [record.id for _d, record, done in written if done == "updated"]
        stamps: dict[int, str] = {}
        if changed:  # written by the flush just now: its updated_at is the database's
            for record_id, *state in session.exec(
                select(entity.model.id, *columns).where(one_of(session, entity.model.id, changed))
            ):
                stamps[record_id] = stamp_of(state)
        rows: dict[int, dict] = {}  # by record: a record named twice keeps the last digest
        for digest, record, done in written:
            if done == "created":  # as INSERTed (bulk.py keeps the defaults it gave)
                stamp = stamp_of(record.values.get(c.key) for c in columns)
            elif done == "unchanged":
                stamp = stamp_of(getattr(record, c.key) for c in columns)
            else:
                stamp = stamps[record.id]
            rows[record.id] = {
                "entity": entity.name,
                "record_id": record.id,
                "digest": digest,
                "stamp": stamp,
            }
        values = list({r["digest"]: r for r in rows.values()}.values())
        existing = [record.id for _d, record, done in written if done != "created"]
        if self.any_stored or existing:
            # Until a digest of this entity is stored, a created record's digest is the only
            # one it has, and no two rows of one file share one: only the digests of records
            # that existed need replacing. One statement per index: SQLite reads
            # `entity = ? AND (a OR b)` by the entity alone, scanning all its digests.
            named = [one_of(session, ImportRowDigest.record_id, existing)] if existing else []
            if self.any_stored:
                named.append(
                    one_of(session, ImportRowDigest.digest, [r["digest"] for r in values])
                )
            for condition in named:
                session.execute(
                    delete(ImportRowDigest)
                    .where(ImportRowDigest.entity == entity.name, condition)
                    .execution_options(synchronize_session=False)
                )
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            copy_rows(connection, ImportRowDigest.__table__, values)
        else:
            connection.execute(insert(ImportRowDigest.__table__), values)


class NamedRecords:
    """Record ids, one bit each: a million records take 125 KB."""

    def __init__(self) -> None:
        self._skipped = bytearray()  # named by a row skipped as unchanged
        self._any = bytearray()  # named by any row

    def add(self, record_id: int, *, skipped: bool) -> None:
        _set(self._any, record_id)
        if skipped:
            _set(self._skipped, record_id)

    def by_skipped(self, record_id: int) -> bool:
        return _get(self._skipped, record_id)

    def by_any(self, record_id: int) -> bool:
        return _get(self._any, record_id)


def _set(bits: bytearray, n: int) -> None:
    if n // 8 >= len(bits):
        bits.extend(bytes(n // 8 + 1 - len(bits) + len(bits) // 2))  # grows by half or more
    bits[n // 8] |= 1 << (n % 8)


def _get(bits: bytearray, n: int) -> bool:
    return n // 8 < len(bits) and bool(bits[n // 8] & (1 << (n % 8)))


def stamp_of(state: Iterable[Any]) -> str:
    """A record's state as text, the same whether it was read back or just written."""
    return "|".join(_text(value) for value in state)


def _text(value: Any) -> str:
    if isinstance(value, datetime):  # the instant, however its zone is given
        if value.tzinfo is None:  # SQLite may give a stored UTC time back naive
            value = value.replace(tzinfo=UTC)
        return repr(value.timestamp())
    return str(value)
