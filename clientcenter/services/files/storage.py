"""The private file store: bytes under names the server chose, on disk or in an S3 bucket.

settings.storage.backend picks the store: "disk" (settings.storage_dir, storage_disk.py) for
one machine, "s3" (storage_s3.py) when several machines serve the app. Both behave alike:
keys are random (never a user's file name), a missing file raises FileNotFoundError, and
nothing is served statically; files leave only through the authorised download route,
streamed in chunks.

A file is written before the row that names it is committed (its bytes must be safe in the
store first). Saved with the session that will commit that row, it is deleted again if the
session's transaction ends without a commit (rolled back, failed to commit, or closed), so a
failed upload leaves no unreferenced file. A process killed between the two can still leave one.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from clientcenter.services.files.storage_disk import DiskStore
from clientcenter.settings import FileStorage, get_settings

log = logging.getLogger("clientcenter.storage")

# session.info key: storage keys saved in the session's current transaction, not yet committed.
_UNCOMMITTED = "cc_storage_uncommitted"
# session.info key: storage keys whose rows this transaction deletes; the files go on commit.
_DELETED = "cc_storage_deleted"
CHUNK_BYTES = 64 * 1024


class Store(Protocol):
    """What a backend does with a server-chosen key; a missing file is FileNotFoundError."""

    name: str

    def write(self, key: str, data: bytes) -> None: ...
    def size(self, key: str) -> int: ...
    def chunks(self, key: str, chunk_bytes: int) -> Iterator[bytes]: ...
    def read(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...  # an absent file is no error
    def check(self) -> str: ...  # a description; raises when the store cannot be reached


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class StoredStream:
    """A stored file to send: its size now, its bytes read chunk by chunk as they are sent."""

    size_bytes: int
    chunks: Iterator[bytes]


def store() -> Store:
    settings = get_settings()
    return _store_for(settings.storage, settings.storage_dir)


@lru_cache(maxsize=4)
def _store_for(config: FileStorage, root: Path) -> Store:
    if config.backend == "s3":
        from clientcenter.services.files.storage_s3 import S3Store  # boto3 only when used

        return S3Store(config)
    return DiskStore(root)


def _checked(storage_key: str) -> str:
    if not storage_key.isalnum():  # server-chosen keys only; refuses any path trick
        raise ValueError("invalid storage key")
    return storage_key


def save_bytes(data: bytes, *, session: Session | None = None) -> StoredFile:
    """Store ``data`` under a new key. With ``session``, the file stays only if that session's
    current transaction commits."""
    if session is not None:
        session.connection()  # begin the transaction whose end decides the file's fate
    key = secrets.token_hex(20)
    store().write(key, data)
    if session is not None:
        session.info.setdefault(_UNCOMMITTED, []).append(key)
    return StoredFile(key, len(data), hashlib.sha256(data).hexdigest())


def read_bytes(storage_key: str) -> bytes:
    return store().read(_checked(storage_key))


def open_stream(storage_key: str) -> StoredStream:
    """The file's size (FileNotFoundError now if it is gone); its bytes once iterated."""
    chosen, key = store(), _checked(storage_key)
    return StoredStream(chosen.size(key), chosen.chunks(key, CHUNK_BYTES))


def delete(storage_key: str) -> None:
    store().delete(_checked(storage_key))


def delete_after_commit(session: Session, storage_key: str) -> None:
    """Delete the file once the transaction that deletes its row commits (a rollback keeps
    both). A process killed between the two leaves an unreferenced file, never a row without
    its file."""
    _checked(storage_key)  # refuse a bad key now, not after the commit
    session.info.setdefault(_DELETED, []).append(storage_key)


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session: Session) -> None:
    if not session.in_nested_transaction():  # a released SAVEPOINT commits nothing yet
        session.info.pop(_UNCOMMITTED, None)
        for key in session.info.pop(_DELETED, ()):
            try:
                delete(key)
            except Exception:  # a disk or S3 error: the row is gone, the file is only orphaned
                log.exception("could not delete file %s", key)


@event.listens_for(Session, "after_transaction_end")
def _delete_uncommitted_files(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a SAVEPOINT: the outer transaction decides
        return
    session.info.pop(_DELETED, None)  # after a commit already emptied; after a rollback, kept
    for key in session.info.pop(_UNCOMMITTED, ()):
        try:
            delete(key)
        except Exception:  # a disk or S3 error must not mask how the transaction ended
            log.exception("could not delete uncommitted file %s", key)
