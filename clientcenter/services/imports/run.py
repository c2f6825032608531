"""An import, file by file, each file streamed once in chunks of rows.

A file is all-or-nothing by default: it is applied inside a savepoint that is rolled back if
any row is refused. With ``valid_rows_only`` the valid rows stay and the rest are reported. A
dry run reads and compares, and writes nothing. Unchanged rows write nothing
(attributes are compared first); a row is refused before any attribute of it is set, so none
is ever half-applied. Rows absent from a file are retired only in ``full`` mode, and only when
the file had no refused row.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from sqlalchemy import text, update
from sqlmodel import Session

from clientcenter.db import begin_before_savepoints
from clientcenter.models import Account, Contact, ImportRowDigest
from clientcenter.models.base import utcnow
from clientcenter.models.bulk_write import analyze_if_grown
from clientcenter.models.search import SearchTerm
from clientcenter.models.search_index import reindex_accounts
from clientcenter.services.access import require_permission
from clientcenter.services.agency.roles import Permission
from clientcenter.services.imports.bulk import NewRecord, insert_records
from clientcenter.services.imports.claims import Claims
from clientcenter.services.imports.columns import HeaderMap, map_headers
from clientcenter.services.imports.digests import FileDigests
from clientcenter.services.imports.entities import ENTITIES, Book, Entity, ParsedRow
from clientcenter.services.imports.entities.base import (
    changes,
    chunked,
    one_of,
    write_changes,
)
from clientcenter.services.imports.mappings import load_mapping
from clientcenter.services.imports.notices import send_notices, would_reach
from clientcenter.services.imports.reader import CsvFile, FileRefused, Row
from clientcenter.services.imports.report import EntityReport, ImportReport, Planned, RowError
from clientcenter.services.imports.sources import ImportFile
from clientcenter.services.imports.values import CellRefused
from clientcenter.services.principal import Principal

CHUNK_ROWS = 2000  # rows looked up with one query each


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    full: bool = False
    valid_rows_only: bool = False
    max_file_bytes: int = 512 * 2**20
    delimiter: str | None = None  # sniffed from the header line when not given
    # Tell the customers of the accounts an import changed (the matrix's Policies/Invoices
    # row, once per account per import). Off unless asked: imports notify no one by default.
    notify: bool = False


# Called as each chunk of a file is read: (entity name, bytes read, bytes in the file).
Progress = Callable[[str, int, int], None]


@dataclass
class _Pass:
    counts: EntityReport
    errors: list[RowError] = field(default_factory=list)
    # Kept only when used, so that a 250,000-row file costs no more memory than it must:
    seen: set[int] | None = None  # records the file named (full mode's retirements)
    # For entity.remember: (key, record id, memo). In an apply only accounts' (later files
    # find every other record in the database); in a dry run only created or changed rows.
    remembered: list[tuple[Hashable, int | None, Any]] | None = None
    touched: set[int] = field(default_factory=set)  # accounts the file named (written)
    inserted: set[int] = field(default_factory=set)  # accounts it created records on
    changed: set[int] = field(default_factory=set)  # accounts it created or updated records on
    # A dry run that counts notices: accounts it would create (by customer id) that the file
    # would add records to, and the contacts it would create on them.
    changed_new: set[str] = field(default_factory=set)
    new_contacts: dict[str, list[dict]] = field(default_factory=dict)


@dataclass
class _Effects:
    """What the accepted files did beyond their rows: accounts whose search rows need
    rebuilding (records INSERTed in bulk), and what the notice of each account would say."""

    inserted: set[int] = field(default_factory=set)
    published: dict[int, set[str]] = field(default_factory=dict)  # account -> kinds changed
    published_new: set[str] = field(default_factory=set)  # customer ids (a dry run's)
    new_contacts: dict[str, list[dict]] = field(default_factory=dict)


def run_import(
    session: Session,
    files: Mapping[str, ImportFile],
    *,
    mapping: Mapping[str, Mapping[str, str]],
    default_producer_id: int,
    options: ImportOptions = ImportOptions(),
    progress: Progress | None = None,
    principal: Principal | None = None,
) -> ImportReport:
    """Import the files given (by entity name) in the session; the caller commits. No
    customer is notified unless ``options.notify``; then ``principal``, the importing agent,
    must be allowed to publish, and the notices go out as theirs (notices.py)."""
    if options.notify:
        require_permission(session, principal, Permission.PUBLISH)
    if session.get_bind().dialect.name == "postgresql":
        # psycopg prepares a statement run five times, and PostgreSQL may then keep one
        # generic plan for it: planned while the tables were small (a first import), the
        # chunk look-ups would go on scanning tables that grow to 250,000 rows.
        session.exec(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    if not options.dry_run:
        begin_before_savepoints(session)  # each file's savepoint nests in the caller's work
    book = Book.load(session, default_producer_id)
    report = ImportReport(dry_run=options.dry_run, notify=options.notify)
    effects = _Effects()
    retirements: list[tuple[Entity, set[int]]] = []
    for entity in ENTITIES:
        source = files.get(entity.name)
        if source is not None:
            saved = mapping.get(entity.name)
            _import_file(
                session,
                entity,
                source,
                saved,
                options,
                book,
                report,
                retirements,
                progress,
                effects,
            )
    for entity, absent in retirements:  # after every file: an account retired first would
        entity.retire(session, sorted(absent))  # change what the policies' count saw
    if options.dry_run:
        report.planned = _planned(book)
        if options.notify:
            reach = would_reach(
                session,
                principal,
                effects.published,
                {cid: effects.new_contacts.get(cid, []) for cid in effects.published_new},
            )
            report.customers_to_email, report.customers_to_text = reach.emails, reach.texts
        return report
    # Rows INSERTed in bulk bypassed the flush hook that keeps the search index; rows
    # updated through the ORM were reindexed by it. Unchanged accounts cost nothing.
    search_rows = reindex_accounts(session.connection(), effects.inserted)
    analyze_if_grown(session.connection(), SearchTerm.__table__, search_rows)
    _stamp_freshness(session, book.touched)
    if options.notify:
        reach = send_notices(session, principal, effects.published)
        report.customers_to_email, report.customers_to_text = reach.emails, reach.texts
        report.customers_notified = reach.people
    return report


def _import_file(
    session: Session,
    entity: Entity,
    source: ImportFile,
    saved: Mapping[str, str] | None,
    options: ImportOptions,
    book: Book,
    report: ImportReport,
    retirements: list[tuple[Entity, set[int]]],
    progress: Progress | None,
    effects: _Effects,
) -> None:
    try:
        _pass_file(
            session, entity, source, saved, options, book, report, retirements, progress, effects
        )
    except FileRefused as refused:
        counts = EntityReport(entity.name, source.name, note="file refused")
        report.entities.append(counts)
        report.errors.append(RowError(refused.file, refused.line, "", "", refused.reason))
    finally:
        entity.start()  # drops what the pass kept per row (the next pass starts afresh anyway)


def _pass_file(
    session: Session,
    entity: Entity,
    source: ImportFile,
    saved: Mapping[str, str] | None,
    options: ImportOptions,
    book: Book,
    report: ImportReport,
    retirements: list[tuple[Entity, set[int]]],
    progress: Progress | None,
    effects: _Effects,
) -> None:
    if options.dry_run:
        result = _read(session, entity, source, saved, options, book, progress, apply=False)
        if result.errors and not options.valid_rows_only:
            result.counts.note = _NOT_APPLIED
        else:
            _accept(session, entity, result, options, book, effects)
        return _finish(report, result)
    try:
        with session.begin_nested():  # rolled back whole if the file is refused
            result = _read(session, entity, source, saved, options, book, progress, apply=True)
            if result.errors and not options.valid_rows_only:
                raise _RollBackFile(result)
    except _RollBackFile:
        result.counts.note = _NOT_APPLIED
        return _finish(report, result)
    result.counts.applied = True
    _refresh_statistics(session, entity, result.counts)
    retirements.append((entity, _accept(session, entity, result, options, book, effects)))
    _finish(report, result)


def _refresh_statistics(session: Session, entity: Entity, counts: EntityReport) -> None:
    """A file that grew its table (a first import) leaves statistics the next files' and the
    next import's look-ups can be planned by (bulk_write.analyze_if_grown)."""
    connection = session.connection()
    analyze_if_grown(connection, entity.model.__table__, counts.created)
    analyze_if_grown(connection, ImportRowDigest.__table__, counts.created + counts.updated)


def _planned(book: Book) -> Planned:
    """The accounts and policies a dry run counted as created (their ids still None)."""
    planned = Planned({cid for cid, id_ in book.accounts.items() if id_ is None})
    for key, ref in book.policies.items():
        if ref.id is None:
            by = ("policy_id", key[1]) if key[0] == "id" else ("policy_number", ref.number)
            planned.policies[by] = ref.customer_id
    return planned


class _RollBackFile(Exception):
    """Leaves the savepoint of a file with a refused row, rolling it back."""


_NOT_APPLIED = "nothing applied: every row must be valid (or apply valid rows only)"


def _accept(
    session: Session,
    entity: Entity,
    result: _Pass,
    options: ImportOptions,
    book: Book,
    effects: _Effects,
) -> set[int]:
    """The file stands: later files learn its keys, its accounts get their freshness (and
    search rows, and notice), and full mode counts what it no longer names."""
    for key, record_id, memo in result.remembered or ():
        entity.remember(key, record_id, memo, book)
    book.touched |= result.touched
    effects.inserted |= result.inserted
    if entity.publishes and options.notify:
        for account_id in result.changed:
            effects.published.setdefault(account_id, set()).add(entity.name)
        effects.published_new |= result.changed_new
    for customer_id, contacts in result.new_contacts.items():
        effects.new_contacts.setdefault(customer_id, []).extend(contacts)
    return _absent(session, entity, result, options)


def _finish(report: ImportReport, result: _Pass) -> None:
    report.entities.append(result.counts)
    report.errors.extend(result.errors)


def _absent(session: Session, entity: Entity, result: _Pass, options: ImportOptions) -> set[int]:
    """What a full import retires: imported records still open that the file did not name.
    Counted before anything is retired, so the dry run's figure is the apply's."""
    if not options.full:
        return set()
    if result.errors:
        result.counts.note = "nothing retired: rows were refused"
        return set()
    absent = entity.open_imported(session) - result.seen
    result.counts.retired = len(absent)
    return absent


def _read(
    session: Session,
    entity: Entity,
    source: ImportFile,
    saved: Mapping[str, str] | None,
    options: ImportOptions,
    book: Book,
    progress: Progress | None,
    *,
    apply: bool,
) -> _Pass:
    entity.start()
    with source.open() as raw_stream:
        stream = _CountingReader(raw_stream)
        csv_file = CsvFile(
            stream,
            source.name,
            size=source.size,
            max_bytes=options.max_file_bytes,
            delimiter=options.delimiter,
        )
        headers = map_headers(source.name, csv_file.headers, entity.columns, saved)
        remembers = type(entity).remember is not Entity.remember and (
            entity.remember_in_apply or not apply
        )
        result = _Pass(
            EntityReport(entity.name, source.name, unmatched_columns=headers.unmatched),
            seen=set() if options.full else None,
            remembered=[] if remembers else None,
        )
        digests = FileDigests(session, entity, headers)
        # An apply keeps each written row's digest; a dry run only reads those stored.
        use_digests = apply or digests.any_stored
        first_line_of = Claims()  # each key's first line
        for chunk in _chunks(csv_file.rows()):
            digest_of: dict[int, str | None] = {}
            if use_digests:
                digest_of = digests.digests(chunk)
                chunk = _skip_unchanged(session, entity, chunk, digest_of, digests, result)
            rows = [_parse(entity, headers, row, source.name, result) for row in chunk]
            rows = [r for r in rows if r is not None]
            for row in rows:
                row.key = entity.key(row)
            first_line_of.prefetch(row.key for row in rows if row.key is not None)
            for row in rows:
                _check_key(entity, row, first_line_of)
            entity.resolve(session, [r for r in rows if r.refusal is None], book)
            _check_named(entity, rows, digests)
            build = apply or options.notify  # a dry run counting notices builds new records
            settled = [(row, *_settle(entity, row, book, result, apply, build)) for row in rows]
            if apply:
                insert_records(session, [rec for _r, rec, done in settled if done == _CREATED])
                write_changes(session, [rec for _r, rec, done in settled if done == _UPDATED])
                session.flush()  # the updates (the ORM's flush hook reindexes them)
                digests.store(
                    session,
                    [
                        (digest_of[row.line], record, done)
                        for row, record, done in settled
                        if record is not None and digest_of.get(row.line) is not None
                    ],
                )
            elif options.notify:
                for row, record, done in settled:
                    _preview(entity, row, record, done, book, result)
            for row, record, done in settled:
                if record is not None or (not apply and row.refusal is None):
                    _note(entity, row, record, done, result, apply)
            entity.end_chunk()
            first_line_of.end_chunk()
            if progress is not None:
                progress(entity.name, stream.count, source.size)
    return result


def _skip_unchanged(
    session: Session,
    entity: Entity,
    chunk: list[Row],
    digest_of: dict[int, str | None],
    digests: FileDigests,
    result: _Pass,
) -> list[Row]:
    """Count the rows whose digests say they are unchanged (digests.py); the rest, to read.
    A skipped row that names a record an earlier row of the file named is refused."""
    found = digests.unchanged(session, digest_of.values())
    if not found:
        return chunk
    rest: list[Row] = []
    seen_here: set[str] = set()
    for row in chunk:
        digest = digest_of[row.line]
        hit = found.get(digest)
        if hit is None or digest in seen_here:  # the same row twice: read, and refused
            rest.append(row)
            continue
        seen_here.add(digest)
        if digests.named.by_any(hit.record_id):
            result.errors.append(
                RowError(result.counts.file, row.line, entity.columns[0].name, "", _NAMED_TWICE)
            )
            result.counts.refused += 1
            continue
        digests.named.add(hit.record_id, skipped=True)
        entity.skipped(row.line, hit.extra)
        result.counts.unchanged += 1
        if result.seen is not None:
            result.seen.add(hit.record_id)
        result.touched.add(hit.account_id)
    return rest


def _check_named(entity: Entity, rows: list[ParsedRow], digests: FileDigests) -> None:
    """A row naming a record that a row skipped as unchanged named is refused; the records
    rows name are noted only while rows may still be skipped (digests are stored)."""
    if not digests.any_stored:
        return
    for row in rows:
        existing = row.existing
        if row.refusal is not None or existing is None:
            continue
        if digests.named.by_skipped(existing.id):
            row.refuse(entity.repeated_column(row), _NAMED_TWICE)
        else:
            digests.named.add(existing.id, skipped=False)


_NAMED_TWICE = "another line of this file names the same record; a file names each record once"


class _CountingReader(io.RawIOBase):
    """The file's bytes, counted as the CSV reader takes them (the progress bar's measure)."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def _chunks(rows: Iterable[Row]) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parse(
    entity: Entity, headers: HeaderMap, row: Row, file: str, result: _Pass
) -> ParsedRow | None:
    """The row's cells as our values, or None (and its errors reported) if any cell is bad."""
    errors: list[RowError] = []
    if len(row.cells) > headers.width:
        errors.append(
            RowError(
                file,
                row.line,
                "",
                "",
                f"the row has {len(row.cells)} cells "
                f"but the header {headers.width} (a delimiter in a cell that "
                "is not quoted?)",
            )
        )
    values: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for column in entity.columns:
        position = headers.index.get(column.name)
        if position is None:
            continue
        cell = row.cells[position].strip() if position < len(row.cells) else ""
        raw[column.name] = cell
        if not cell:
            if column.required:
                errors.append(RowError(file, row.line, column.name, "", "required, but empty"))
            values[column.name] = None
            continue
        try:
            values[column.name] = column.parse(cell)
        except CellRefused as exc:
            errors.append(RowError(file, row.line, column.name, cell, str(exc)))
    if errors:
        result.errors.extend(errors)
        result.counts.refused += 1
        return None
    return ParsedRow(row.line, values, raw)


def _check_key(entity: Entity, row: ParsedRow, first_line_of: Claims) -> None:
    if row.key is None:
        row.refuse("email", "a contact needs a contact id or an email to be found again")
        return
    first = first_line_of.setdefault(row.key, row.line)
    if first != row.line:
        row.refuse(
            entity.repeated_column(row),
            f"line {first} has the same key; a file names each record once",
        )


_CREATED, _UPDATED, _UNCHANGED = "created", "updated", "unchanged"


def _settle(
    entity: Entity, row: ParsedRow, book: Book, result: _Pass, apply: bool, build: bool
) -> tuple[Any | None, str | None]:
    """Count the row, and in the apply make its change: (the record, or None if refused or
    not built; what was done). A created record is built when ``build`` (a dry run counting
    notices builds it too) and written with its chunk, in the apply."""
    counts = result.counts
    if row.refusal is not None:
        column, reason = row.refusal
        result.errors.append(
            RowError(result.counts.file, row.line, column, row.raw.get(column, ""), reason)
        )
        counts.refused += 1
        return None, None
    attrs = entity.target(row, book)
    if row.existing is None:
        counts.created += 1
        return (entity.new_record(attrs, book) if build else None), _CREATED
    if result.seen is not None:
        result.seen.add(row.existing.id)
    differing = changes(row.existing, attrs)
    if not differing:
        counts.unchanged += 1
        return row.existing, _UNCHANGED
    counts.updated += 1
    if apply:
        for name, value in differing.items():
            setattr(row.existing, name, value)
    return row.existing, _UPDATED


def _note(
    entity: Entity, row: ParsedRow, record: Any | None, done: str, result: _Pass, apply: bool
) -> None:
    """After the chunk is written: what later files need, the account's freshness, and which
    accounts the file changed (their search rows; their notice, when asked)."""
    if result.remembered is not None and (apply or done != _UNCHANGED):
        memo = entity.memo(row, record)
        result.remembered.append((row.key, record.id if record is not None else None, memo))
    if not apply:
        return
    account_id = entity.account_id(record)
    if result.seen is not None:
        result.seen.add(record.id)  # a record created now is named by the file too
    result.touched.add(account_id)
    if done == _CREATED:
        result.inserted.add(account_id)
    if done != _UNCHANGED:
        result.changed.add(account_id)


def _preview(
    entity: Entity,
    row: ParsedRow,
    record: Any | None,
    done: str | None,
    book: Book,
    result: _Pass,
) -> None:
    """A dry run counting notices: which accounts the row would change, and the contacts
    accounts it would create would have. Every file names its account by customer id."""
    if done == _UPDATED:
        result.changed.add(entity.account_id(record))
    if done != _CREATED:
        return
    customer_id = row.values.get("customer_id")
    account_id = book.accounts.get(customer_id)
    if account_id is not None:
        result.changed.add(account_id)
    elif customer_id in book.accounts:  # an account this dry run would create
        result.changed_new.add(customer_id)
        if isinstance(record, NewRecord) and record.model is Contact:
            result.new_contacts.setdefault(customer_id, []).append(record.values)


def _stamp_freshness(session: Session, account_ids: Iterable[int]) -> None:
    """Each account an import named now says when its data came in: one UPDATE per batch of
    accounts, outside the ORM flush, so an unchanged account costs no search-index work."""
    now = utcnow()
    # PostgreSQL takes the ids as one array parameter per 50,000 accounts (`= ANY(:ids)`):
    # batches of 500-id IN lists cost a statement, and a plan, each.
    postgres = session.get_bind().dialect.name == "postgresql"
    for batch in chunked(sorted(account_ids), 50_000 if postgres else 500):
        session.exec(
            update(Account)
            .where(one_of(session, Account.id, batch))
            .values(data_as_of=now)
            .execution_options(synchronize_session=False)
        )


def import_for_agent(
    session: Session,
    principal: Principal | None,
    files: Mapping[str, ImportFile],
    *,
    mapping_name: str,
    options: ImportOptions = ImportOptions(),
) -> ImportReport:
    """The agency side's import (the import page sits on this): the agent's role must allow
    importing, and accounts without a producer column become theirs."""
    agent = require_permission(session, principal, Permission.IMPORT_DATA)
    return run_import(
        session,
        files,
        mapping=load_mapping(session, mapping_name),
        default_producer_id=agent.id,
        options=options,
        principal=principal,
    )
