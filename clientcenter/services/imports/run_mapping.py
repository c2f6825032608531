"""An import run's mapping as the engine takes it (services/imports/columns.map_headers)."""

from __future__ import annotations

from collections.abc import Mapping

from clientcenter.models.imports import ImportRun
from clientcenter.services.imports.columns import IGNORE


def explicit(file: dict, chosen: Mapping[str, str]) -> dict[str, str]:
    """The page's choices: each header named outright, "" for one the agent left out; a header
    nothing matched and nobody mapped is left unnamed, so the engine's messages and the report
    list it ("columns not imported")."""
    return {
        header: target
        for header, target in chosen.items()
        if target != IGNORE or file["auto"].get(header)
    }


def engine_mapping(run: ImportRun) -> dict[str, dict[str, str]]:
    return {
        entity: explicit(file, run.mapping.get(entity, {})) for entity, file in run.files.items()
    }
