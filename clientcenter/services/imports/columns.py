"""Our fields for each kind of row, and which of a file's headers feeds which field.

Headers are matched case-, space- and punctuation-insensitively ("Customer ID", "customer_id",
"CustomerId" are one header) against each field's name, label and the synonyms the big
management-system exports use. A saved mapping (services/imports/mappings.py) comes first:
it names a header's field outright, or "" to ignore it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from clientcenter.services.imports.reader import FileRefused
from clientcenter.services.imports.values import fold

IGNORE = ""


@dataclass(frozen=True)
class Column:
    name: str  # our field, and the template's header
    required: bool
    parse: Callable[[str], Any]
    synonyms: tuple[str, ...] = ()
    format: str = "text"  # in words, for docs/import.md

    def spellings(self) -> set[str]:
        return {fold(self.name), *(fold(s) for s in self.synonyms)}


@dataclass(frozen=True)
class HeaderMap:
    index: dict[str, int]  # our field -> position in the row
    width: int  # how many headers
    unmatched: list[str] = field(default_factory=list)  # headers no field took

    def present(self, name: str) -> bool:
        return name in self.index


def map_headers(
    file: str,
    headers: Sequence[str],
    columns: Sequence[Column],
    saved: Mapping[str, str] | None = None,
) -> HeaderMap:
    """Which header feeds which field; refuses a missing required column, a header mapped
    to a field we do not have, and two headers feeding one field."""
    by_name = {c.name: c for c in columns}
    by_spelling = {s: c.name for c in columns for s in c.spellings()}
    saved_folded = {fold(header): target for header, target in (saved or {}).items()}
    index: dict[str, int] = {}
    unmatched: list[str] = []
    for position, header in enumerate(headers):
        target = saved_folded.get(fold(header))
        if target is None:
            target = by_spelling.get(fold(header))
        elif target != IGNORE and target not in by_name:
            raise FileRefused(
                file,
                f'the mapping sends column "{header}" to "{target}", '
                "which is not one of our fields.",
            )
        if target is None:
            unmatched.append(header)
            continue
        if target == IGNORE:
            continue
        if target in index:
            raise FileRefused(
                file,
                f'columns "{headers[index[target]]}" and "{header}" both map to "{target}"; '
                "map one of them to another field or ignore it.",
            )
        index[target] = position
    missing = [c.name for c in columns if c.required and c.name not in index]
    if missing:
        raise FileRefused(
            file,
            "required column missing: "
            + ", ".join(missing)
            + (f" (unmatched columns: {', '.join(unmatched)})" if unmatched else ""),
        )
    return HeaderMap(index, len(headers), unmatched)
