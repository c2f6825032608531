"""An ImportReport as JSON (kept on the import run) and back again."""

from __future__ import annotations

import dataclasses
from typing import Any

from clientcenter.services.imports.report import EntityReport, ImportReport, RowError


def report_to_json(report: ImportReport) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    data.pop("planned", None)  # the dry run's own working state, not part of what it reports
    return data


def report_from_json(data: dict[str, Any]) -> ImportReport:
    """Fields a later version added or dropped are tolerated, so old runs still show."""
    known = {f.name for f in dataclasses.fields(ImportReport)}
    values = {k: v for k, v in data.items() if k in known and k not in ("entities", "errors")}
    return ImportReport(
        **values,
        entities=[_make(EntityReport, e) for e in data.get("entities", [])],
        errors=[_make(RowError, e) for e in data.get("errors", [])],
    )


def _make(cls, data: dict[str, Any]):
    known = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})
