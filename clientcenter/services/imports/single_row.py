"""One row of an entity, applied on its own: the REST API's upserts (services/api/resources.py)
go through the import's own rules — the same columns parse the values, the same ``resolve``
finds the record by the agency's key (or refuses), the same ``target`` and ``new`` write it —
so the API adds no second copy of any of them.

A value given is a cell; ``None`` is an empty cell; a column not given is a column the file
does not have (the record's value stays as it is). The row is refused whole, naming its
column, before anything of it is set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from clientcenter.models import Account, Agent
from clientcenter.models.base import utcnow
from clientcenter.services.accounts import normalize_email
from clientcenter.services.errors import InvalidInput
from clientcenter.services.imports.entities import ENTITIES, Book, Entity, ParsedRow
from clientcenter.services.imports.entities.base import changes, model_object
from clientcenter.services.imports.values import CellRefused

LINE = 1  # the one row's "line", for the entities' messages


class RowRefused(InvalidInput):
    """The row's column ``field`` was refused for ``reason``."""

    def __init__(self, column: str, reason: str):
        super().__init__(f"{column}: {reason}", column)
        self.reason = reason


@dataclass(frozen=True)
class Applied:
    record: Any
    created: bool
    changed: bool  # created, or at least one value differed


def entity_named(name: str) -> Entity:
    """A fresh instance: entities keep a pass's working state (a child's policy by line), and
    two API calls on two threads must not share it."""
    for entity in ENTITIES:
        if entity.name == name:
            return type(entity)()
    raise KeyError(name)


def parse_row(entity: Entity, cells: Mapping[str, str | None]) -> ParsedRow:
    """The cells as the import would parse them; RowRefused names the first bad column."""
    known = {c.name for c in entity.columns}
    unknown = sorted(set(cells) - known)
    if unknown:
        raise RowRefused(unknown[0], "not one of our fields")
    values: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for column in entity.columns:
        if column.name not in cells:
            if column.required:
                raise RowRefused(column.name, "required")
            continue
        cell = (cells[column.name] or "").strip()
        raw[column.name] = cell
        if not cell:
            if column.required:
                raise RowRefused(column.name, "required, but empty")
            values[column.name] = None
            continue
        try:
            values[column.name] = column.parse(cell)
        except CellRefused as exc:
            raise RowRefused(column.name, str(exc)) from None
    return ParsedRow(LINE, values, raw)


def _book_for(session: Session, row: ParsedRow, default_producer_id: int) -> Book:
    """What the import would know, for this row only (not the whole book of business)."""
    accounts: dict[str, int | None] = {}
    customer_id = row.values.get("customer_id")
    if customer_id:
        found = session.exec(select(Account.id).where(Account.external_id == customer_id)).first()
        if found is not None:
            accounts[customer_id] = found
    producers: dict[str, int] = {}
    email = row.values.get("producer_email")
    if email:
        agent_id = session.exec(
            select(Agent.id).where(Agent.email == normalize_email(email))
        ).first()
        if agent_id is not None:
            producers[normalize_email(email)] = agent_id
    return Book(accounts, producers, default_producer_id)


def apply_row(
    session: Session,
    entity_name: str,
    cells: Mapping[str, str | None],
    *,
    default_producer_id: int,
) -> Applied:
    """Create or update the one record the row names; the caller commits (and checked who
    may: services/api/resources.py). The account's freshness is stamped like an import's."""
    entity = entity_named(entity_name)
    row = parse_row(entity, cells)
    row.key = entity.key(row)
    if row.key is None:
        raise RowRefused("email", "a contact needs a contact id or an email to be found again")
    book = _book_for(session, row, default_producer_id)
    entity.start()
    entity.resolve(session, [row], book)
    if row.refusal is not None:
        raise RowRefused(*row.refusal)
    attrs = entity.target(row, book)
    if row.existing is None:
        record = entity.new(attrs, book)
        session.add(record)
        created, changed = True, True
    else:
        record = model_object(session, row.existing)
        differing = changes(record, attrs)
        for name, value in differing.items():
            setattr(record, name, value)
        created, changed = False, bool(differing)
    session.flush()
    session.exec(
        update(Account)
        .where(Account.id == entity.account_id(record))
        .values(data_as_of=utcnow())
        .execution_options(synchronize_session=False)
    )
    return Applied(record, created, changed)
