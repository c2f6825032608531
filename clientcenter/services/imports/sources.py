"""Where an import's files come from: a directory or a zip holding accounts.csv,
contacts.csv, policies.csv, vehicles.csv… (each entity's file). Zip member names are matched, never used as paths, and each
member is streamed out of the archive (never extracted to disk)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from clientcenter.services.imports.entities import ENTITIES
from clientcenter.services.imports.reader import FileRefused

MAX_ZIP_MEMBERS = 100
MAX_COMPRESSION_RATIO = 200  # CSV compresses ~10:1; far more is a zip bomb


@dataclass(frozen=True)
class ImportFile:
    name: str
    size: int
    open: Callable[[], BinaryIO]  # a context manager yielding the bytes


@dataclass
class ImportSource:
    files: dict[str, ImportFile]  # by entity name
    ignored: list[str] = field(default_factory=list)


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
        entity = _BY_FILE_NAME.get(entry.name.lower())
        if entity is None or not entry.is_file():
            source.ignored.append(entry.name)
            continue
        source.files[entity] = ImportFile(entry.name, entry.stat().st_size, _opener(entry))
    return source


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
        for info in members:
            name = PurePosixPath(info.filename)
            entity = _BY_FILE_NAME.get(name.name.lower())
            # Only files at the top of the archive, and nothing that climbs out of it.
            if entity is None or len(name.parts) != 1 or info.is_dir():
                source.ignored.append(info.filename)
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
                raise FileRefused(
                    f"{path.name}:{info.filename}",
                    "compressed too well to be a CSV export (a zip bomb?); refused unread",
                )
            source.files[entity] = ImportFile(
                info.filename, info.file_size, _member_opener(path, info.filename)
            )
    return source


def _member_opener(path: Path, member: str):
    @contextmanager
    def _open() -> Iterator[BinaryIO]:
        with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
            yield stream

    return _open
