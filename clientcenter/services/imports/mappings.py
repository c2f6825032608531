"""Column mappings saved under a name, for unattended re-imports (`--mapping NAME`)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session, select

from clientcenter.models.base import utcnow
from clientcenter.models.imports import ImportMapping
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.imports.columns import IGNORE
from clientcenter.services.imports.entities import ENTITIES

# The mapping every import can use: headers matched by our names and synonyms alone.
AUTOMATIC = "auto"


def validate(columns: Mapping) -> dict[str, dict[str, str]]:
    """{"accounts": {"Client Code": "customer_id", "Notes": ""}}; refuses anything else by name."""
    fields = {e.name: {c.name for c in e.columns} for e in ENTITIES}
    clean: dict[str, dict[str, str]] = {}
    for entity, headers in dict(columns).items():
        if entity not in fields:
            raise InvalidInput(
                f'"{entity}" is not something we import; use one of ' + ", ".join(fields)
            )
        if not isinstance(headers, Mapping):
            raise InvalidInput(f'"{entity}" must map headers to fields')
        for header, target in headers.items():
            if target != IGNORE and target not in fields[entity]:
                raise InvalidInput(
                    f'{entity}: "{header}" maps to "{target}", which is not one of our fields'
                )
        clean[entity] = {str(h): str(t) for h, t in headers.items()}
    return clean


def save_mapping(session: Session, name: str, columns: Mapping) -> ImportMapping:
    name = name.strip()
    if not name or len(name) > 80 or name == AUTOMATIC:
        raise InvalidInput(
            f'A mapping needs a name of 1 to 80 characters, other than "{AUTOMATIC}".'
        )
    clean = validate(columns)
    mapping = session.exec(select(ImportMapping).where(ImportMapping.name == name)).first()
    if mapping is None:
        mapping = ImportMapping(name=name, columns=clean)
        session.add(mapping)
    else:
        mapping.columns = clean
        mapping.updated_at = utcnow()
    session.flush()
    return mapping


def load_mapping(session: Session, name: str) -> dict[str, dict[str, str]]:
    if name == AUTOMATIC:
        return {}
    mapping = session.exec(select(ImportMapping).where(ImportMapping.name == name)).first()
    if mapping is None:
        raise NotFound(
            f'No import mapping is saved as "{name}" (use "{AUTOMATIC}" for '
            "headers matched by name alone)."
        )
    return mapping.columns
