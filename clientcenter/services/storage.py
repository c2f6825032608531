"""The private file store: bytes under settings.storage_dir, named by the server.

Nothing here is served statically; files leave only through the authorised download route.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from clientcenter.settings import get_settings


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


def save_bytes(data: bytes) -> StoredFile:
    key = secrets.token_hex(20)
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    return StoredFile(key, len(data), hashlib.sha256(data).hexdigest())


def read_bytes(storage_key: str) -> bytes:
    return _path(storage_key).read_bytes()


def delete(storage_key: str) -> None:
    _path(storage_key).unlink(missing_ok=True)
