"""What every kind of imported row shares: parsed values, its key, the record it matches, and
the rule that an unchanged row writes nothing (attributes are compared before any is set)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import delete, exists, inspect
from sqlmodel import Session, select

from clientcenter.models import Account, Agent, ImportRowDigest, bulk_write
from clientcenter.services.imports.bulk import NewRecord, record_of
from clientcenter.services.imports.columns import Column


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """A policy a child row names: its id (None for one a dry run would create), its
    account, the customer id of that account, and its number (unique in our model)."""

    id: int | None
    account_id: int | None
    customer_id: str | None
    number: str

    @property
    def handle(self) -> Hashable:
        """The policy's identity within the import, created or not."""
        return self.id if self.id is not None else ("new", self.number)


@dataclass
class Book:
    """What the import knows across files: accounts by customer id (None for one a dry run
    would create), producers by email, and the accounts it touched (their freshness). The
    policies and vehicles this import's files named, for the files after them: policies by
    ("id", policy id) and ("number", folded carrier, number), vehicles by (policy handle,
    VIN). Records no file named are looked up in the database as they are needed."""

    accounts: dict[str, int | None]
    producers: dict[str, int]
    default_producer_id: int
    touched: set[int] = field(default_factory=set)
    # Filled by a dry run only, and only with what it would create or change: an apply has
    # written each file's records before the next file looks them up in the database.
    policies: dict[Hashable, PolicyRef] = field(default_factory=dict)
    vehicles: dict[tuple[Hashable, str], int | None] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, default_producer_id: int) -> Book:
        accounts = dict(
            session.exec(
                select(Account.external_id, Account.id).where(Account.external_id.is_not(None))
            ).all()
        )
        producers = {email: id_ for email, id_ in session.exec(select(Agent.email, Agent.id))}
        return cls(accounts, producers, default_producer_id)


@dataclass(slots=True)
class ParsedRow:
    line: int
    values: dict[str, Any]  # our field -> parsed value (None for an empty cell)
    raw: dict[str, str]  # our field -> the cell as written, for error reports
    key: Hashable = None
    existing: Any = None
    # (column, reason) when the row is refused after its cells parsed
    refusal: tuple[str, str] | None = None

    def refuse(self, column: str, reason: str) -> None:
        if self.refusal is None:
            self.refusal = (column, reason)

    def has(self, name: str) -> bool:
        return name in self.values


class Entity:
    name: ClassVar[str]
    file: ClassVar[str]
    model: ClassVar[type]
    columns: ClassVar[tuple[Column, ...]]
    # A created or changed row of this kind is news to the customer: the Policies/Invoices
    # notice of an import that asks for it (ImportOptions.notify).
    publishes: ClassVar[bool] = False

    # What later files learn of this file's rows in an apply too (not only in a dry run):
    # accounts, whose new ids the Book hands to every later file.
    remember_in_apply: ClassVar[bool] = False

    def start(self) -> None:
        """Called before each pass over a file."""

    def end_chunk(self) -> None:
        """Called after each chunk is written: drop what was kept for its rows only, so that
        memory stays flat however long the file."""

    # -- row digests (digests.py) ----------------------------------------------------------

    def digest_contexts(self, chunk: list[Any], positions: list[int]) -> list[str]:
        """What else than each row's cells its record depends on (a coverage's place on its
        policy), as text added to the row's digest; called for every chunk, in order."""
        return [""] * len(chunk)

    def found_columns(self) -> tuple:
        """Read with a digest's record: its account id first, then what ``skipped`` needs."""
        return (self.model.account_id,)

    def found_join(self, statement: Any) -> Any:
        return statement

    def stamp_columns(self) -> tuple:
        """The record's state a digest holds: anything that changes it must change these."""
        return (self.model.updated_at,)

    def skipped(self, line: int, extra: tuple) -> None:
        """A row of the file was counted unchanged by its digest (before the chunk's other
        rows are resolved)."""

    def memo(self, row: ParsedRow, record: Any) -> Any:
        """What ``remember`` needs of the row, kept until the file is accepted."""
        return None

    def key(self, row: ParsedRow) -> Hashable:
        """The row's identity in its file (the same key twice is refused)."""
        raise NotImplementedError

    def repeated_column(self, row: ParsedRow) -> str:
        """Where a row that repeats an earlier row's key is reported: the column that names
        the record (by default the first, the key of most files)."""
        return self.columns[0].name

    def resolve(self, session: Session, rows: list[ParsedRow], book: Book) -> None:
        """Find each row's existing record (``row.existing``), or refuse the row."""
        raise NotImplementedError

    def target(self, row: ParsedRow, book: Book) -> dict[str, Any]:
        """The attributes the row sets (only the columns the file has)."""
        raise NotImplementedError

    def new(self, attrs: dict[str, Any], book: Book) -> Any:
        raise NotImplementedError

    def new_record(self, attrs: dict[str, Any], book: Book) -> NewRecord:
        """What the import INSERTs for a new row: by default the values of new()'s object. An
        entity may give them directly (half a million model objects cost tens of seconds)."""
        return record_of(self.new(attrs, book))

    def account_id(self, record: Any) -> int:
        return record.account_id

    def remember(self, key: Hashable, record_id: int | None, memo: Any, book: Book) -> None:
        """Once the file is accepted: what later files need to know of a row (its record's
        id, or None for one a dry run would create)."""

    def open_imported(self, session: Session) -> set[int]:
        """Ids of imported records still open: those a full import would retire if absent."""
        raise NotImplementedError

    def retire(self, session: Session, ids: Iterable[int]) -> None:
        raise NotImplementedError

    def forget_removed(self, session: Session, ids: list[int]) -> None:
        """Drop the row digests (digests.py) of those of these records a retirement DELETEd;
        the records it kept keep theirs. Nothing would match them again, but a table that
        holds a row per imported record should not grow with records long gone."""
        session.execute(
            delete(ImportRowDigest)
            .where(
                ImportRowDigest.entity == self.name,
                ImportRowDigest.record_id.in_(ids),
                ~exists().where(self.model.id == ImportRowDigest.record_id),
            )
            .execution_options(synchronize_session=False)
        )


class StoredRow:
    """A record as the import compares it: its columns read as one tuple, not a model object
    (an ORM object costs far more to build, and stays in the session's identity map: a
    re-import compares half a million rows and changes a few). Setting an attribute notes
    it as changed; ``write_changes`` then loads the model objects of those that changed
    and sets the same values on them, so the ORM's flush (and its search-index hook) sees
    them as before."""

    __slots__ = ("_model", "_values", "_dirty")  # underscored: no column name is

    def __init__(self, model: type, values: dict[str, Any]):
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_dirty", {})

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._values:
            raise AttributeError(name)
        self._values[name] = value
        self._dirty[name] = value


def stored(
    session: Session, model: type, *where: Any, for_update: bool = False
) -> list[StoredRow]:
    """The records of ``model`` that match, as StoredRow (``for_update``: locked on PostgreSQL
    until the transaction ends, as SELECT … FOR UPDATE of the model would lock them)."""
    keys = _column_keys(model)
    statement = select(*(getattr(model, key) for key in keys)).where(*where)
    if for_update:
        statement = statement.with_for_update()
    return [
        StoredRow(model, dict(zip(keys, row, strict=True))) for row in session.execute(statement)
    ]


def write_changes(session: Session, records: Iterable[Any]) -> None:
    """Set what the import changed on StoredRow records on their model objects (one SELECT per
    model), for the next flush to write. Model objects given are already set."""
    by_model: dict[type, dict[int, StoredRow]] = {}
    for record in records:
        if isinstance(record, StoredRow) and record._dirty:
            by_model.setdefault(record._model, {})[record.id] = record
    for model, by_id in by_model.items():
        for obj in session.exec(select(model).where(one_of(session, model.id, by_id))):
            for name, value in by_id[obj.id]._dirty.items():
                setattr(obj, name, value)
            by_id[obj.id]._dirty.clear()


def one_of(session: Session, column: Any, values: Iterable[Any]) -> Any:
    """``column IN values``, one array parameter on PostgreSQL (bulk_write.one_of)."""
    return bulk_write.one_of(session.get_bind().dialect.name, column, values)


def model_object(session: Session, record: Any) -> Any:
    """The model object of a record the import found (StoredRow or already one)."""
    return session.get(record._model, record.id) if isinstance(record, StoredRow) else record


_KEYS: dict[type, list[str]] = {}


def _column_keys(model: type) -> list[str]:
    if model not in _KEYS:
        _KEYS[model] = [prop.key for prop in inspect(model).column_attrs]
    return _KEYS[model]


def changes(record: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    """Only what differs: assigning an equal value would still mark the row dirty."""
    return {k: v for k, v in attrs.items() if getattr(record, k) != v}


def chunked(ids: Iterable[int], size: int = 500) -> Iterable[list[int]]:
    batch: list[int] = []
    for id_ in ids:
        batch.append(id_)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
