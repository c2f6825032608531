"""The files of an import run: uploaded CSVs or a zip, kept in the private store (never under
Reflex's public upload directory), their headers read once, and copied back out to a private
temporary directory whenever the run reads them (a zip needs a seekable file; S3 gives none).

Each upload's SHA-256 is kept with the run: a file that changed in the store since it was
uploaded is refused, so an apply reads exactly what was previewed.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from clientcenter.services.errors import InvalidInput
from clientcenter.services.files import storage
from clientcenter.services.imports.columns import Column
from clientcenter.services.imports.entities import ENTITIES
from clientcenter.services.imports.reader import CsvFile, FileRefused
from clientcenter.services.imports.sources import ImportFile, open_source
from clientcenter.services.imports.values import fold

MIB = 2**20
# What the import page takes in one upload (the command line reads files of any size).
MAX_UPLOAD_BYTES = 100 * MIB
MAX_UPLOADS = len(ENTITIES) + 10  # a file per entity, with room for the extras an export has

_BY_FILE_NAME = {e.file: e.name for e in ENTITIES}


@dataclass(frozen=True)
class Upload:
    name: str  # as the browser named it; shown, never used as a path
    data: bytes


def accepted_names() -> str:
    return ", ".join(e.file for e in ENTITIES)


def store_uploads(session: Session, uploads: list[Upload]) -> tuple[list[dict], dict, list[str]]:
    """Check and store the uploads; (uploads as stored, files by entity with their headers,
    names nothing imports). The stored bytes stay only if the session commits."""
    if not uploads:
        raise InvalidInput("Choose a zip of the export, or its CSV files.", "files")
    if len(uploads) > MAX_UPLOADS:
        raise InvalidInput(f"At most {MAX_UPLOADS} files at a time.", "files")
    total = sum(len(u.data) for u in uploads)
    if total > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            f"The files come to {total // MIB} MB; the import page takes {MAX_UPLOAD_BYTES // MIB}"
            " MB at a time (the command line takes more, docs/import.md).",
            "files",
        )
    stored: list[dict] = []
    files: dict[str, dict] = {}
    ignored: list[str] = []
    for upload in uploads:
        name = _display_name(upload.name)
        is_zip = zipfile.is_zipfile(io.BytesIO(upload.data))
        if is_zip:
            found = _zip_files(name, upload.data)
            ignored.extend(found.pop("", []))
        else:
            entity = _BY_FILE_NAME.get(name.lower())
            found = {} if entity is None else {entity: _csv(name, upload.data)}
        if not found:
            ignored.append(name)
            continue
        for entity, (file_name, size, opener) in found.items():
            if entity in files:
                raise InvalidInput(
                    f'Two files hold {entity}: "{files[entity]["file"]}" and "{file_name}". '
                    "Upload one of them.",
                    "files",
                )
            files[entity] = {
                "file": file_name,
                "upload": len(stored),
                "size": size,
                **_headers(entity, file_name, opener),
            }
        saved = storage.save_bytes(upload.data, session=session)
        stored.append(
            {
                "name": name,
                "storage_key": saved.storage_key,
                "size": saved.size_bytes,
                "sha256": saved.sha256,
                "zip": is_zip,
            }
        )
    if not files:
        raise InvalidInput(
            "None of these files is one we import"
            + (f" ({', '.join(ignored)})" if ignored else "")
            + f". Name them {accepted_names()}, or upload a zip holding them.",
            "files",
        )
    return stored, files, ignored


def _csv(name: str, data: bytes) -> tuple[str, int, object]:
    return name, len(data), lambda: io.BytesIO(data)


def _display_name(name: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:120] or "upload"


def _zip_files(name: str, data: bytes) -> dict:
    """The entity files in a zip (key "" lists what it holds besides)."""
    with tempfile.TemporaryDirectory(prefix="cc-import-") as folder:
        path = Path(folder) / "upload.zip"
        path.write_bytes(data)
        try:
            source = open_source(path)
        except FileRefused as refused:
            raise InvalidInput(f"{name}: {refused.reason}.", "files") from None
        found: dict = {"": [f"{name}: {n}" for n in source.ignored]} if source.ignored else {}
        for entity, file in source.files.items():
            with file.open() as stream:
                member = stream.read(64 * 1024)  # enough for the header line
            found[entity] = (file.name, file.size, lambda m=member: io.BytesIO(m))
        return found


def _headers(entity: str, file_name: str, opener) -> dict:
    """The file's headers and, for each, the field our names and synonyms match ("" none);
    or the reason the file cannot be read at all."""
    columns = next(e.columns for e in ENTITIES if e.name == entity)
    try:
        csv_file = CsvFile(opener(), file_name, size=0, max_bytes=MAX_UPLOAD_BYTES)
    except FileRefused as refused:
        return {"headers": [], "auto": {}, "problem": refused.reason}
    headers = list(csv_file.headers)
    return {
        "headers": headers,
        "auto": {h: auto_target(h, columns) for h in headers},
        "problem": "",
    }


def auto_target(header: str, columns: tuple[Column, ...]) -> str:
    folded = fold(header)
    return next((c.name for c in columns if folded in c.spellings()), "")


@contextmanager
def opened(uploads: list[dict], files: dict) -> Iterator[tuple[dict[str, ImportFile], list]]:
    """The run's files by entity, and the uploaded zips holding a documents manifest (their
    ImportSource, for services/imports/documents.py), read from a private copy that is
    removed afterwards. Refuses an upload that is gone from the store or no longer the bytes
    uploaded."""
    with tempfile.TemporaryDirectory(prefix="cc-import-") as folder:
        paths = [
            _copy_out(upload, Path(folder) / f"upload-{n}") for n, upload in enumerate(uploads)
        ]
        by_entity: dict[str, ImportFile] = {}
        zips: dict[int, dict[str, ImportFile]] = {}
        for entity, file in files.items():
            number = file["upload"]
            if uploads[number].get("zip"):
                if number not in zips:
                    zips[number] = open_source(paths[number]).files
                if entity in zips[number]:
                    by_entity[entity] = zips[number][entity]
            else:
                path = paths[number]
                by_entity[entity] = ImportFile(
                    file["file"], path.stat().st_size, lambda p=path: open(p, "rb")
                )
        with_documents = [
            source
            for n, upload in enumerate(uploads)
            if upload.get("zip")
            and (source := open_source(paths[n])).document_manifest is not None
        ]
        yield by_entity, with_documents


class FilesChanged(InvalidInput):
    pass


def _copy_out(upload: dict, path: Path) -> Path:
    digest = hashlib.sha256()
    try:
        stream = storage.open_stream(upload["storage_key"])
        with open(path, "wb") as out:
            for chunk in stream.chunks:
                digest.update(chunk)
                out.write(chunk)
    except FileNotFoundError:
        raise FilesChanged(
            f"{upload['name']} is no longer in the store; upload the export again."
        ) from None
    if digest.hexdigest() != upload["sha256"]:
        raise FilesChanged(
            f"{upload['name']} changed since it was uploaded; upload the export again."
        )
    if upload.get("zip"):
        path = path.rename(path.with_suffix(".zip"))
    return path
