"""Where an import's files come from: a directory or a zip holding accounts.csv,
contacts.csv, policies.csv, vehicles.csv… (each entity's file) and, for documents in bulk,
documents.csv with the files under documents/. Zip member names are matched, never used as
paths, and each member is streamed out of the archive (never extracted to disk).

The limits on a zip are checked from its directory before a byte is decompressed: how many
members, each document's size, all documents' size together, and how well each member is
compressed (a zip bomb). Python's zipfile never yields more than a member's declared size, so
the declared sizes bound what reading can produce."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from clientcenter.services.imports.entities import ENTITIES
from clientcenter.services.imports.reader import FileRefused

MAX_ZIP_MEMBERS = 10_000  # the CSVs and every document
MAX_COMPRESSION_RATIO = 200  # CSV compresses ~10:1; far more is a zip bomb
DOCUMENTS_MANIFEST = "documents.csv"
DOCUMENTS_FOLDER = "documents"
MAX_DOCUMENT_BYTES = 25 * 2**20  # one document
MAX_DOCUMENTS_TOTAL_BYTES = 4 * 2**30  # every document of one import, uncompressed
MAX_DOCUMENT_RATIO = 100  # PDFs and photos are compressed already; far more is a bomb


@dataclass(frozen=True)
class ImportFile:
    name: str
    size: int
    open: Callable[[], BinaryIO]  # a context manager yielding the bytes


@dataclass
class ImportSource:
    files: dict[str, ImportFile]  # by entity name
    ignored: list[str] = field(default_factory=list)
    # Documents in bulk (services/imports/documents.py): the manifest, and the files under
    # documents/ by their bare name, which the manifest's file_name is matched against.
    document_manifest: ImportFile | None = None
    documents: dict[str, ImportFile] = field(default_factory=dict)
    refused_documents: dict[str, str] = field(default_factory=dict)  # name -> why, unread
    unsafe_names: list[str] = field(default_factory=list)  # "name: why it was not read"


def safe_member_name(name: str) -> str | None:
    """Why a name cannot stand for a document (a path, not a name), or None when it can."""
    if not name or name in (".", ".."):
        return "no file name"
    if "\\" in name:
        return "a backslash in a file name (a Windows path?)"
    if "/" in name or ":" in name:
        return "a path, not a file name"
    if name.startswith(".") or any(ord(ch) < 32 for ch in name):
        return "a hidden or unprintable file name"
    return None


_BY_FILE_NAME = {e.file: e.name for e in ENTITIES}


def open_source(path: Path) -> ImportSource:
    if path.is_dir():
        return _directory(path)
    if zipfile.is_zipfile(path):
        return _zip(path)
    raise FileRefused(str(path), "give a directory or a .zip of CSV files")


def _directory(path: Path) -> ImportSource:
    source = ImportSource({})
    for entry in sorted(path.iterdir()):
        if entry.name.lower() == DOCUMENTS_MANIFEST and entry.is_file():
            source.document_manifest = ImportFile(entry.name, entry.stat().st_size, _opener(entry))
            continue
        if entry.name.lower() == DOCUMENTS_FOLDER and entry.is_dir():
            _document_folder(entry, source)
            continue
        entity = _BY_FILE_NAME.get(entry.name.lower())
        if entity is None or not entry.is_file():
            source.ignored.append(entry.name)
            continue
        source.files[entity] = ImportFile(entry.name, entry.stat().st_size, _opener(entry))
    return source


def _document_folder(folder: Path, source: ImportSource) -> None:
    """documents/ of a directory export: its plain files, by name (no subfolders, no links)."""
    entries = sorted(folder.iterdir())
    if len(entries) > MAX_ZIP_MEMBERS:
        raise FileRefused(
            folder.name, f"{len(entries)} files; at most {MAX_ZIP_MEMBERS} are read per import"
        )
    total = 0
    for entry in entries:
        label = f"{DOCUMENTS_FOLDER}/{entry.name}"
        if entry.is_symlink() or not entry.is_file():
            source.unsafe_names.append(f"{label}: not a plain file (ignored)")
            continue
        size = entry.stat().st_size
        total += size
        _add_document(source, entry.name, label, size, _opener(entry))
    _check_total(folder.name, total)


def _add_document(source: ImportSource, name: str, label: str, size: int, opener) -> None:
    if size > MAX_DOCUMENT_BYTES:
        source.refused_documents[name] = (
            f"{label} is {size_label(size)}; a document may be at most "
            f"{size_label(MAX_DOCUMENT_BYTES)}"
        )
        return
    source.documents[name] = ImportFile(label, size, opener)


def size_label(size: int) -> str:
    return f"{size / 2**20:,.1f} MB" if size >= 2**20 else f"{size / 1024:,.0f} KB"


def _check_total(where: str, total: int) -> None:
    if total > MAX_DOCUMENTS_TOTAL_BYTES:
        raise FileRefused(
            where,
            f"the documents come to {total / 2**30:,.1f} GB uncompressed; at most "
            f"{MAX_DOCUMENTS_TOTAL_BYTES / 2**30:,.0f} GB are read per import: split it",
        )


def _opener(path: Path):
    return lambda: open(path, "rb")


def _zip(path: Path) -> ImportSource:
    source = ImportSource({})
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise FileRefused(
                path.name,
                f"the zip holds {len(members)} files; at most {MAX_ZIP_MEMBERS} are read",
            )
        total = 0
        for info in members:
            if _is_document_member(info):
                total += _zip_document(path, info, source)
                continue
            if info.filename.lower() == DOCUMENTS_MANIFEST:
                _check_ratio(path, info, MAX_COMPRESSION_RATIO)
                source.document_manifest = ImportFile(
                    info.filename, info.file_size, _member_opener(path, info.filename)
                )
                continue
            name = PurePosixPath(info.filename)
            entity = _BY_FILE_NAME.get(name.name.lower())
            # Only files at the top of the archive, and nothing that climbs out of it.
            if entity is None or len(name.parts) != 1 or info.is_dir():
                source.ignored.append(info.filename)
                continue
            _check_ratio(path, info, MAX_COMPRESSION_RATIO)
            source.files[entity] = ImportFile(
                info.filename, info.file_size, _member_opener(path, info.filename)
            )
        _check_total(path.name, total)
    return source


def _check_ratio(path: Path, info: zipfile.ZipInfo, limit: int) -> None:
    # An empty member compresses to a few bytes: only a large one can be a bomb.
    if info.file_size > 2**20 and info.file_size > limit * max(info.compress_size, 1):
        raise FileRefused(
            f"{path.name}:{info.filename}",
            f"compressed more than {limit}:1, too well to be an export (a zip bomb?); "
            "the archive is refused unread",
        )


def _is_document_member(info: zipfile.ZipInfo) -> bool:
    """A member meant as a document: anything whose name starts documents/ (or documents\\),
    however it is spelled, so a climbing or absolute name is reported rather than passed by."""
    folded = info.filename.replace("\\", "/").lstrip("/").lower()
    return folded.startswith(DOCUMENTS_FOLDER + "/") or "/../" in f"/{folded}"


def _zip_document(path: Path, info: zipfile.ZipInfo, source: ImportSource) -> int:
    """File a member under documents/ by its bare name; the declared size it counts for."""
    if info.is_dir():
        return 0
    raw = info.filename
    head, _, name = raw.partition("/")
    problem = (
        safe_member_name(name) if head.lower() == DOCUMENTS_FOLDER else "a path, not a file name"
    )
    if raw.startswith(("/", "\\")) or "\\" in raw:
        problem = "an absolute path or a backslash in the name"
    if problem is not None:
        source.ignored.append(raw)
        source.unsafe_names.append(f"{raw}: {problem} (ignored)")
        return 0
    _check_ratio(path, info, MAX_DOCUMENT_RATIO)
    _add_document(source, name, raw, info.file_size, _member_opener(path, raw))
    return info.file_size


def _member_opener(path: Path, member: str):
    @contextmanager
    def _open() -> Iterator[BinaryIO]:
        with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
            yield stream

    return _open
