"""The matrix's vocabulary: its columns, one action's cells, and the check of a table of
cells against the catalog. It depends on the catalog alone, so settings can validate the
agency's overrides with it while matrix.py (which reads settings) builds the matrix in force."""

from __future__ import annotations

from dataclasses import dataclass

from clientcenter.services.notify.catalog import CATALOG

# Column keys, in the order and with the headings of docs/actions-and-matrix.md.
COLUMNS: dict[str, str] = {
    "agent_email": "Agent Email",
    "customer_email": "Customer Email",
    "primary_email": "Primary Applicant Email",
    "task": "Task/Note Created",
    "log": "Activity/System Log",
}


@dataclass(frozen=True)
class Cells:
    agent_email: bool = False
    customer_email: bool = False
    primary_email: bool = False
    task: bool = False
    log: bool = False

    def as_dict(self) -> dict[str, bool]:
        return {c: getattr(self, c) for c in COLUMNS}


class MatrixError(ValueError):
    """The matrix data names an action or a column that does not exist."""


def check_cells(table: dict[str, dict[str, object]], where: str) -> None:
    """Refuse unknown actions, unknown columns and non-boolean cells, naming each one."""
    problems = []
    for key, cells in table.items():
        if key not in CATALOG:
            problems.append(
                f"{where}: unknown action {key!r} (known: see `python -m clientcenter.cli matrix`)"
            )
            continue
        if not isinstance(cells, dict):
            problems.append(f"{where}.{key}: must be a table of columns")
            continue
        for column, value in cells.items():
            if column not in COLUMNS:
                problems.append(
                    f"{where}.{key}: unknown column {column!r} (columns: {', '.join(COLUMNS)})"
                )
            elif not isinstance(value, bool):
                problems.append(f"{where}.{key}.{column}: must be true or false")
    if problems:
        raise MatrixError("; ".join(problems))
