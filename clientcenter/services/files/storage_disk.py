"""The private store on this machine's disk: settings.storage_dir/<first two characters>/<key>.

Right for one machine. Several app machines need one shared store: storage_s3.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path


class DiskStore:
    name = "disk"

    def __init__(self, root: Path):
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def write(self, key: str, data: bytes) -> None:
        path = self.path(key)
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

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def chunks(self, key: str, chunk_bytes: int) -> Iterator[bytes]:
        with open(self.path(key), "rb") as fh:
            while chunk := fh.read(chunk_bytes):
                yield chunk

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def check(self) -> str:
        return f"disk, {self.root}"
