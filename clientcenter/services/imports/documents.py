"""Documents in bulk: ``documents.csv`` names each file under ``documents/`` and where it goes.

One manifest row per document: the account (customer id), optionally one of its policies,
the kind, a title, a date, shared or internal, and the file's name. A row is matched to a
file by that name alone (a dictionary look-up, never a path); each file is typed by its
bytes (the customers' upload rule, ``check_upload``), passed through the scan hook, and
written to the private store through the Store interface with the import's session, so a
transaction that does not commit deletes it again (services/files/storage.py).

The manifest is all-or-nothing like every import file: if any row is refused, nothing of it
is kept, stored bytes included, unless ``valid_rows_only``. A document is found again by
account + content (sha256) + title: a re-import of the same files writes nothing. A dry run
reads, types and scans every file and stores nothing. Imported documents notify nobody: a
shared one is simply in the customer's Documents, an internal one never is.

The import page calls :func:`import_documents_for_agent` (the command line
:func:`import_documents`) with the same session, source, options and report as
``import_for_agent`` / ``run_import``, after it, so the accounts and policies the CSVs create
are there.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from sqlmodel import Session, select

from clientcenter.db import begin_before_savepoints
from clientcenter.models import Account, Document, Policy
from clientcenter.models.documents import DOCUMENT_CATEGORIES, ScanStatus
from clientcenter.services.access import require_permission
from clientcenter.services.agency.roles import Permission
from clientcenter.services.errors import InvalidInput
from clientcenter.services.files import storage
from clientcenter.services.files.scanning import get_scanner
from clientcenter.services.imports import sources
from clientcenter.services.imports import values as v
from clientcenter.services.imports.columns import Column, HeaderMap, map_headers
from clientcenter.services.imports.entities.accounts import customer_id_column
from clientcenter.services.imports.reader import CsvFile, FileRefused, Row
from clientcenter.services.imports.report import EntityReport, ImportReport, Planned, RowError
from clientcenter.services.imports.run import ImportOptions
from clientcenter.services.imports.sources import ImportFile, ImportSource, safe_member_name
from clientcenter.services.portal.documents import check_upload, clean_stem
from clientcenter.services.principal import Principal

ENTITY = "documents"
_KINDS = {
    **{v.fold(key): key for key in DOCUMENT_CATEGORIES},
    **{v.fold(label): key for key, label in DOCUMENT_CATEGORIES.items()},
    **{
        v.fold(word): kind
        for kind, words in {
            "declarations": (
                "Dec",
                "Decs",
                "Dec Page",
                "Declarations Page",
                "Policy Declarations",
            ),
            "id_card": ("ID Card", "Auto ID Card", "Insurance Card", "Proof of Insurance"),
            "endorsement": ("Endorsement", "Policy Change", "Change Endorsement"),
            "invoice": ("Bill", "Billing Statement", "Statement"),
            "certificate": ("COI", "Certificate of Insurance", "Cert"),
            "proposal": ("Quote", "Quote Proposal"),
            "correspondence": ("Letter", "Email", "Notice"),
            "internal_note": ("Note", "Internal", "Agency Note", "File Note"),
        }.items()
        for word in words
    },
}
_KINDS.pop(v.fold("customer_upload"), None)  # a customer's own upload is not imported
_KINDS.pop(v.fold("Your upload"), None)
_VISIBILITY = {
    **{v.fold(k): False for k in ("shared", "share", "customer", "portal", "yes", "y", "public")},
    **{v.fold(k): True for k in ("internal", "agency", "private", "no", "n", "agency only")},
}

COLUMNS: tuple[Column, ...] = (
    customer_id_column(),
    Column(
        "policy_id",
        False,
        partial(v.text, max_len=64),
        ("Policy ID", "PolicyId", "Policy Key"),
        "the management system's policy id, or leave empty",
    ),
    Column(
        "policy_number",
        False,
        partial(v.text, max_len=40),
        ("Policy Number", "PolicyNo", "Policy No", "Pol #", "Policy #"),
        "the policy's number (when there is no policy id); empty for an account document",
    ),
    Column(
        "kind",
        True,
        partial(v.choice, synonyms=_KINDS, what="kind of document"),
        ("Kind", "Type", "Document Type", "Doc Type", "Category", "Attachment Type"),
        "one of "
        + ", ".join(k for k in DOCUMENT_CATEGORIES if k != "customer_upload")
        + " (or its name, or Dec Page, ID Card, COI, Note…)",
    ),
    Column(
        "title",
        True,
        partial(v.text, max_len=160),
        ("Title", "Description", "Document Name", "Subject", "Attachment Description"),
        "what the customer reads, e.g. 2026 Auto Declarations",
    ),
    Column(
        "date",
        False,
        v.a_date,
        ("Date", "Document Date", "Attached Date", "Created", "Received"),
        "a date (default: the day of the import)",
    ),
    Column(
        "visibility",
        True,
        partial(v.choice, synonyms=_VISIBILITY, what="visibility (shared or internal)"),
        ("Shared", "Visibility", "Share", "Shared With Customer", "Portal"),
        "shared (in the customer's Documents) or internal (the agency's only)",
    ),
    Column(
        "file_name",
        True,
        partial(v.text, max_len=160),
        ("File", "File Name", "Filename", "Attachment", "Attachment File"),
        "the file's name under documents/, e.g. rivera-auto-dec.pdf (a name, not a path)",
    ),
)


@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    raw: dict[str, str]


@dataclass
class _ManifestPass:
    counts: EntityReport
    errors: list[RowError] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)  # storage keys written by this pass


def import_documents(
    session: Session,
    source: ImportSource,
    *,
    options: ImportOptions = ImportOptions(),
    report: ImportReport | None = None,
    agent_id: int | None = None,
) -> ImportReport:
    """Import the source's ``documents.csv`` and its files into the session (the caller
    commits); a source without a manifest adds nothing. The counts go to ``report`` as the
    "documents" entity, and every refusal (row, member name, file) to its errors.
    ``agent_id`` is recorded as the uploader. Notifies nobody."""
    report = report if report is not None else ImportReport(dry_run=options.dry_run)
    for note in source.unsafe_names:
        name, _, reason = note.partition(": ")
        report.errors.append(RowError(name, None, "", "", reason))
    manifest = source.document_manifest
    if manifest is None:
        return report
    try:
        if options.dry_run:
            result = _read(
                session, source, manifest, options, agent_id, apply=False, planned=report.planned
            )
            if result.errors and not options.valid_rows_only:
                result.counts.note = _NOT_APPLIED
        else:
            result = _apply(session, source, manifest, options, agent_id)
    except FileRefused as refused:
        report.entities.append(EntityReport(ENTITY, manifest.name, note="file refused"))
        report.errors.append(RowError(refused.file, refused.line, "", "", refused.reason))
        return report
    report.entities.append(result.counts)
    report.errors.extend(result.errors)
    return report


_NOT_APPLIED = "nothing applied: every row must be valid (or apply valid rows only)"


class _RollBack(Exception):
    def __init__(self, result: _ManifestPass):
        self.result = result


def _apply(
    session: Session,
    source: ImportSource,
    manifest: ImportFile,
    options: ImportOptions,
    agent_id: int | None,
) -> _ManifestPass:
    result = None
    begin_before_savepoints(session)
    try:
        with session.begin_nested():  # the manifest stands or falls whole
            result = _read(session, source, manifest, options, agent_id, apply=True)
            if result.errors and not options.valid_rows_only:
                raise _RollBack(result)
    except _RollBack:
        result.counts.note = _NOT_APPLIED
        _forget(result)
        return result
    except BaseException:
        if result is not None:
            _forget(result)
        raise
    result.counts.applied = True
    return result


def _forget(result: _ManifestPass) -> None:
    """The savepoint is gone, but the outer transaction may still commit: delete the bytes
    written for its rows now rather than leave them unreferenced."""
    for key in result.stored:
        storage.delete(key)
    result.stored.clear()


def _read(
    session: Session,
    source: ImportSource,
    manifest: ImportFile,
    options: ImportOptions,
    agent_id: int | None,
    *,
    apply: bool,
    planned: Planned | None = None,
) -> _ManifestPass:
    with manifest.open() as stream:
        csv_file = CsvFile(
            stream,
            manifest.name,
            size=manifest.size,
            max_bytes=options.max_file_bytes,
            delimiter=options.delimiter,
        )
        headers = map_headers(manifest.name, csv_file.headers, COLUMNS)
        result = _ManifestPass(
            EntityReport(ENTITY, manifest.name, unmatched_columns=headers.unmatched)
        )
        lookups = _Lookups(session, planned or Planned())
        first_line_of: dict[tuple, int] = {}
        for raw_row in csv_file.rows():
            row = _parse(headers, raw_row, manifest.name, result)
            if row is None:
                continue
            problem = _place(row, source, lookups, first_line_of)
            if problem is None:
                problem = _file_problem(row, source)
            if problem is not None:
                _refuse(result, manifest.name, row, *problem)
                continue
            _take(session, row, source, lookups, result, agent_id, apply=apply)
    return result


def _parse(headers: HeaderMap, row: Row, file: str, result: _ManifestPass) -> _Row | None:
    errors: list[RowError] = []
    if len(row.cells) > headers.width:
        errors.append(
            RowError(
                file,
                row.line,
                "",
                "",
                f"the row has {len(row.cells)} cells but the header {headers.width}",
            )
        )
    values: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for column in COLUMNS:
        position = headers.index.get(column.name)
        cell = (
            row.cells[position].strip()
            if position is not None and position < len(row.cells)
            else ""
        )
        raw[column.name] = cell
        if not cell:
            if column.required:
                errors.append(RowError(file, row.line, column.name, "", "required, but empty"))
            values[column.name] = None
            continue
        try:
            values[column.name] = column.parse(cell)
        except v.CellRefused as exc:
            errors.append(RowError(file, row.line, column.name, cell, str(exc)))
    if errors:
        result.errors.extend(errors)
        result.counts.refused += 1
        return None
    return _Row(row.line, values, raw)


class _Lookups:
    """Accounts and policies by the management system's keys, each looked up once."""

    def __init__(self, session: Session, planned: Planned):
        self.session = session
        self.planned = planned  # what the same dry run's CSV files would create
        self.accounts: dict[str, int | None] = {}
        self.policies: dict[tuple[str, str], Policy | None] = {}

    def account_id(self, customer_id: str) -> int | None:
        if customer_id not in self.accounts:
            self.accounts[customer_id] = self.session.exec(
                select(Account.id).where(Account.external_id == customer_id)
            ).first()
        return self.accounts[customer_id]

    def policy(self, by: str, value: str) -> Policy | None:
        if (by, value) not in self.policies:
            column = Policy.external_id if by == "policy_id" else Policy.number
            self.policies[(by, value)] = self.session.exec(
                select(Policy).where(column == value)
            ).first()
        return self.policies[(by, value)]


def _place(
    row: _Row, source: ImportSource, lookups: _Lookups, first_line_of: dict[tuple, int]
) -> tuple[str, str] | None:
    """The row's account and policy, and that it names its document once: else (column,
    reason)."""
    values = row.values
    customer_id = values["customer_id"]
    account_id = lookups.account_id(customer_id)
    if account_id is None and customer_id not in lookups.planned.customer_ids:
        return "customer_id", "no account has this customer id (here or in this import)"
    values["account_id"] = account_id
    values["policy"] = None
    for by in ("policy_id", "policy_number"):
        if values.get(by):
            policy = lookups.policy(by, values[by])
            if policy is None and (by, values[by]) in lookups.planned.policies:
                # A policy this dry run would create: on this account, or not.
                if lookups.planned.policies[(by, values[by])] != customer_id:
                    return by, f"this policy is not on account {customer_id}"
                break
            if policy is None:
                return by, "no policy has this " + ("id" if by == "policy_id" else "number")
            if policy.account_id != account_id:
                return by, f"this policy is not on account {customer_id}"
            values["policy"] = policy
            break
    key = (customer_id, values["file_name"], v.fold(values["title"]))
    first = first_line_of.setdefault(key, row.line)
    if first != row.line:
        return "file_name", f"line {first} names the same file and title for this account"
    return None


def _file_problem(row: _Row, source: ImportSource) -> tuple[str, str] | None:
    name = row.values["file_name"]
    unsafe = safe_member_name(name)
    if unsafe is not None:
        return "file_name", f"{unsafe}: give the bare name of a file under documents/"
    if name in source.refused_documents:
        return "file_name", source.refused_documents[name]
    if name not in source.documents:
        return "file_name", "no such file under documents/ in the import"
    return None


def _refuse(result: _ManifestPass, file: str, row: _Row, column: str, reason: str) -> None:
    result.errors.append(RowError(file, row.line, column, row.raw.get(column, ""), reason))
    result.counts.refused += 1


def _read_member(member: ImportFile) -> bytes | None:
    """The document's bytes, read in chunks and never past the limit (whatever the archive
    declared); None when there are more."""
    chunks, seen = [], 0
    with member.open() as stream:
        while chunk := stream.read(storage.CHUNK_BYTES):
            seen += len(chunk)
            if seen > sources.MAX_DOCUMENT_BYTES:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def _take(
    session: Session,
    row: _Row,
    source: ImportSource,
    lookups: _Lookups,
    result: _ManifestPass,
    agent_id: int | None,
    *,
    apply: bool,
) -> None:
    values = row.values
    member = source.documents[values["file_name"]]
    file = result.counts.file
    try:
        data = _read_member(member)
    except (RuntimeError, zipfile.BadZipFile, zlib.error, OSError):  # encrypted or damaged
        return _refuse(
            result,
            file,
            row,
            "file_name",
            f"{member.name} could not be read (encrypted or damaged)",
        )
    if data is None:
        limit = sources.size_label(sources.MAX_DOCUMENT_BYTES)
        return _refuse(result, file, row, "file_name", f"{member.name} is larger than {limit}")
    try:
        content_type, extension = check_upload(data, max_bytes=sources.MAX_DOCUMENT_BYTES)
    except InvalidInput as exc:
        return _refuse(result, file, row, "file_name", f"{member.name}: {exc.message}")
    verdict = get_scanner()(data, content_type)
    if verdict.status == ScanStatus.REJECTED:
        reason = verdict.reason or "it did not pass the safety check"
        return _refuse(result, file, row, "file_name", f"{member.name}: {reason}")
    digest = hashlib.sha256(data).hexdigest()
    title = " ".join(values["title"].split())
    existing = session.exec(
        select(Document.id).where(
            Document.account_id == values["account_id"],
            Document.sha256 == digest,
            Document.title == title,
        )
    ).first()
    if existing is not None:
        result.counts.unchanged += 1
        return None
    result.counts.created += 1
    if not apply:
        return None
    internal = values["visibility"] or values["kind"] == "internal_note"
    stored = storage.save_bytes(data, session=session)
    result.stored.append(stored.storage_key)
    session.add(
        Document(
            account_id=values["account_id"],
            policy_id=values["policy"].id if values["policy"] else None,
            category=values["kind"],
            title=title[:160],
            filename=f"{clean_stem(values['file_name']) or 'document'}.{extension}"[:160],
            storage_key=stored.storage_key,
            content_type=content_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            shared_with_customer=not internal,
            internal=internal,
            uploaded_by_agent_id=agent_id,
            scan_status=verdict.status,
            created_at=_moment(values.get("date")),
        )
    )
    session.flush()
    return None


def _moment(day: date | None) -> datetime:
    if day is None:
        return datetime.now(UTC)
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)  # noon: the same day anywhere


def import_documents_for_agent(
    session: Session,
    principal: Principal | None,
    source: ImportSource,
    *,
    options: ImportOptions = ImportOptions(),
    report: ImportReport | None = None,
) -> ImportReport:
    """The import page's call: the agent's role must allow importing; the documents are
    recorded as uploaded by that agent. Call it after ``import_for_agent`` on the same
    session, source and options, passing its report, then commit (or roll back: the stored
    files go with the transaction)."""
    agent = require_permission(session, principal, Permission.IMPORT_DATA)
    return import_documents(session, source, options=options, report=report, agent_id=agent.id)
