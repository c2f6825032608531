"""One CSV file, streamed: never read whole, refused up front when too large, UTF-8 only."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

DELIMITERS = ",;\t|"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# Byte-order marks of the encodings we refuse (UTF-32 first: its LE mark starts like UTF-16's).
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


class FileRefused(Exception):
    """The whole file is refused (nothing in it is applied); the message names file and line."""

    def __init__(self, file: str, reason: str, line: int | None = None):
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {reason}")
        self.file = file
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Row:
    line: int  # the line the record starts on (a quoted cell may span lines)
    cells: list[str]


class CsvFile:
    """Headers first, then rows, from a binary stream of ``size`` bytes named ``name``."""

    def __init__(
        self,
        stream: BinaryIO,
        name: str,
        *,
        size: int,
        max_bytes: int,
        delimiter: str | None = None,
    ):
        if size > max_bytes:
            raise FileRefused(
                name,
                f"the file is {size / 2**20:,.1f} MB; the limit is {max_bytes / 2**20:,.0f} MB. "
                "Split it, or raise the limit.",
            )
        self.name = name
        buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)
        start = buffered.peek(4)[:4]
        for bom, encoding in _FOREIGN_BOMS:
            if start.startswith(bom):
                raise FileRefused(name, f"the file is {encoding}; save it as UTF-8 (CSV UTF-8).")
        # utf-8-sig reads a file with or without the UTF-8 byte-order mark.
        self._text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="strict", newline="")
        first = self._read_first_line()
        self.delimiter = delimiter or _sniff(first)
        self._reader = csv.reader(
            _prepend(first, self._text), delimiter=self.delimiter, strict=True
        )
        self._last_line = 0
        header = self._next()
        if header is None or not any(cell.strip() for cell in header.cells):
            raise FileRefused(name, "the file is empty: the first line must hold the headers.")
        self.headers = [cell.strip() for cell in header.cells]

    def _read_first_line(self) -> str:
        try:
            return self._text.readline()
        except UnicodeDecodeError:
            raise self._not_utf8(1) from None

    def _not_utf8(self, line: int) -> FileRefused:
        return FileRefused(
            self.name,
            "the file is not UTF-8 (it looks like Windows-1252 or Latin-1); "
            "save it as UTF-8 (CSV UTF-8) and import it again.",
            line,
        )

    def _next(self) -> Row | None:
        start = self._last_line + 1
        try:
            cells = next(self._reader)
        except StopIteration:
            return None
        except UnicodeDecodeError:
            raise self._not_utf8(start) from None
        except csv.Error as exc:
            raise FileRefused(
                self.name,
                f"a quoted cell is not closed, or a quote is misplaced ({exc}).",
                start,
            ) from None
        self._last_line = self._reader.line_num
        return Row(start, cells)

    def rows(self) -> Iterator[Row]:
        while (row := self._next()) is not None:
            if "".join(row.cells).strip():  # blank lines at the end are common
                yield row


def _sniff(header_line: str) -> str:
    """The delimiter the header line uses most (headers rarely hold any of them)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _prepend(first: str, rest: io.TextIOWrapper) -> Iterator[str]:
    # An open quote makes csv swallow the rest of the file into one cell until its field
    # limit (128 KB) or the end of the file: either way csv.Error, reported above.
    yield first
    yield from rest
