"""The private file store: bytes under settings.storage_dir, named by the server.

Nothing here is served statically; files leave only through the authorised download route.

A file is written before the row that names it is committed (its bytes must be safe on disk
first). Saved with the session that will commit that row, it is deleted again if the session's
transaction ends without a commit (rolled back, failed to commit, or closed), so a failed
upload leaves no unreferenced file. A process killed between the two can still leave one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.storage")

# session.info key: storage keys saved in the session's current transaction, not yet committed.
_UNCOMMITTED = "cc_storage_uncommitted"
# session.info key: storage keys whose rows this transaction deletes; the files go on commit.
_DELETED = "cc_storage_deleted"


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    size_bytes: int
    sha256: str


def _root() -> Path:
    root = get_settings().storage_dir
    root.mkdir(parents=True, exist_ok=True)
    return root


def _path(storage_key: str) -> Path:
    if not storage_key.isalnum():  # server-chosen keys only; refuses any path trick
        raise ValueError("invalid storage key")
    return _root() / storage_key[:2] / storage_key


def save_bytes(data: bytes, *, session: Session | None = None) -> StoredFile:
    """Store ``data`` under a new key. With ``session``, the file stays only if that session's
    current transaction commits."""
    if session is not None:
        session.connection()  # begin the transaction whose end decides the file's fate
    key = secrets.token_hex(20)
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
    except BaseException:  # a full disk must not leave half a file behind
        tmp.unlink(missing_ok=True)
        raise
    if session is not None:
        session.info.setdefault(_UNCOMMITTED, []).append(key)
    return StoredFile(key, len(data), hashlib.sha256(data).hexdigest())


def read_bytes(storage_key: str) -> bytes:
    return _path(storage_key).read_bytes()


def delete(storage_key: str) -> None:
    _path(storage_key).unlink(missing_ok=True)


def delete_after_commit(session: Session, storage_key: str) -> None:
    """Delete the file once the transaction that deletes its row commits (a rollback keeps
    both). A process killed between the two leaves an unreferenced file, never a row without
    its file."""
    _path(storage_key)  # refuse a bad key now, not after the commit
    session.info.setdefault(_DELETED, []).append(storage_key)


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session: Session) -> None:
    if not session.in_nested_transaction():  # a released SAVEPOINT commits nothing yet
        session.info.pop(_UNCOMMITTED, None)
        for key in session.info.pop(_DELETED, ()):
            try:
                delete(key)
            except OSError:
                log.exception("could not delete file %s", key)


@event.listens_for(Session, "after_transaction_end")
def _delete_uncommitted_files(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a SAVEPOINT: the outer transaction decides
        return
    session.info.pop(_DELETED, None)  # after a commit already emptied; after a rollback, kept
    for key in session.info.pop(_UNCOMMITTED, ()):
        try:
            delete(key)
        except OSError:
            log.exception("could not delete uncommitted file %s", key)
