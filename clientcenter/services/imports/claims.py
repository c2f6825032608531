"""What a pass over a file must remember of every row until the file ends (the first line of
each key, number, email or place on a policy) without its memory growing with the file: a
dict while it is small, then a private temporary SQLite database on disk (with a small page
cache), looked up a chunk of rows at a time.

Keys are kept as their 64-bit hashes (Python's own: SipHash for text, and a pass lives in one
process, so they stay the same while it runs): two keys of one file sharing one is a chance
of about one in 10^7 for a million keys, and would refuse a row as a repeat, never apply a
wrong one. Keys are strings, or tuples of strings and ints; values are ints, strings, or
tuples of them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Hashable, Iterable
from typing import Any

SPILL_AT = 50_000  # keys kept in a dict before they move to disk
_MISSING = object()
_BATCH = 900  # variables per look-up (older SQLite allows 999)


def _digest(key: Hashable) -> int:
    # A sixth of the cost of a blake2b of the key's repr, over a million rows' keys.
    return hash(key)


class Claims:
    """A mapping of key to value for one pass. Call ``prefetch`` with a chunk's keys before
    asking for them (one query instead of one per key), and ``end_chunk`` after it."""

    def __init__(self) -> None:
        self._memory: dict[int, Any] | None = {}
        self._db: sqlite3.Connection | None = None
        self._chunk: dict[int, Any] = {}  # looked up or set during this chunk (on disk)
        self._known: set[int] = set()  # looked up during this chunk, found or not
        self._new: dict[int, Any] = {}  # set during this chunk, to write at its end

    def prefetch(self, keys: Iterable[Hashable]) -> None:
        if self._db is not None:
            self._load({_digest(k) for k in keys} - self._known)

    def get(self, key: Hashable, default: Any = None) -> Any:
        digest = _digest(key)
        if self._memory is not None:
            return self._memory.get(digest, default)
        if digest not in self._known:
            self._load({digest})
        return self._chunk.get(digest, default)

    def setdefault(self, key: Hashable, value: Any) -> Any:
        found = self.get(key, _MISSING)
        if found is _MISSING:
            self[key] = value
            return value
        return found

    def __setitem__(self, key: Hashable, value: Any) -> None:
        digest = _digest(key)
        if self._memory is not None:
            self._memory[digest] = value
            if len(self._memory) >= SPILL_AT:
                self._spill()
            return
        self._known.add(digest)
        self._chunk[digest] = self._new[digest] = value

    def end_chunk(self) -> None:
        if self._db is not None and self._new:
            self._db.executemany(
                "INSERT OR REPLACE INTO claims (k, v) VALUES (?, ?)",
                [(k, _stored(v)) for k, v in self._new.items()],
            )
        self._chunk.clear()
        self._known.clear()
        self._new.clear()

    def _spill(self) -> None:
        # "" opens a private temporary database, deleted when the connection closes.
        self._db = sqlite3.connect("", check_same_thread=False)  # a pass is one thread
        self._db.execute("PRAGMA cache_size = -4096")  # KiB: the rest stays on disk
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE claims (k INTEGER PRIMARY KEY, v)")
        self._db.executemany(
            "INSERT INTO claims (k, v) VALUES (?, ?)",
            [(k, _stored(v)) for k, v in self._memory.items()],
        )
        self._memory = None

    def _load(self, digests: set[int]) -> None:
        self._known |= digests
        wanted = list(digests)
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            for k, v in self._db.execute(
                f"SELECT k, v FROM claims WHERE k IN ({marks})",  # noqa: S608 - marks only
                batch,
            ):
                self._chunk[k] = _loaded(v)


def _stored(value: Any) -> Any:
    return value if isinstance(value, int) else json.dumps(value)


def _loaded(value: Any) -> Any:
    if isinstance(value, int):
        return value
    loaded = json.loads(value)
    return tuple(loaded) if isinstance(loaded, list) else loaded
