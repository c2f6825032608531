"""The notification matrix in force: the packaged default (matrix.toml) with the agency's
overrides from settings.matrix applied cell by cell."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from clientcenter.services.notify.catalog import ACTIONS, SECTION_TITLES, Action
from clientcenter.services.notify.matrix_cells import COLUMNS, Cells, MatrixError, check_cells
from clientcenter.settings import get_settings


@lru_cache(maxsize=1)
def default_matrix() -> dict[str, Cells]:
    raw = tomllib.loads(
        resources.files("clientcenter.services.notify").joinpath("matrix.toml").read_text()
    )
    check_cells(raw, "matrix.toml")
    missing = [a.key for a in ACTIONS if a.key not in raw]
    if missing:
        raise MatrixError(f"matrix.toml: no row for {', '.join(missing)}")
    incomplete = [k for k, cells in raw.items() if set(cells) != set(COLUMNS)]
    if incomplete:
        raise MatrixError(f"matrix.toml: every column must be set for {', '.join(incomplete)}")
    return {a.key: Cells(**raw[a.key]) for a in ACTIONS}


def apply_overrides(overrides: dict[str, dict[str, bool]]) -> dict[str, Cells]:
    check_cells(overrides, "matrix")
    merged = dict(default_matrix())
    for key, cells in overrides.items():
        merged[key] = replace(merged[key], **cells)
    return merged


def matrix_in_force(settings=None) -> dict[str, Cells]:
    if settings is None:
        settings = get_settings()
    return apply_overrides(settings.matrix)


def cells_for(action_key: str, settings=None) -> Cells:
    return matrix_in_force(settings)[action_key]


@dataclass(frozen=True)
class MatrixRow:
    section: str
    section_title: str
    key: str
    label: str
    cells: dict[str, bool]
    overridden: tuple[str, ...]  # columns the agency changed from the default


def matrix_rows(settings=None) -> list[MatrixRow]:
    """The matrix in force, one table per section as in docs/actions-and-matrix.md, for the
    agents' page and the command."""
    in_force = matrix_in_force(settings)
    default = default_matrix()
    rows = []
    for action in ACTIONS:
        cells = in_force[action.key].as_dict()
        changed = tuple(c for c in COLUMNS if cells[c] != getattr(default[action.key], c))
        rows.append(
            MatrixRow(
                action.section,
                SECTION_TITLES[action.section],
                action.key,
                action.label,
                cells,
                changed,
            )
        )
    return rows


def format_matrix(settings=None) -> str:
    """Plain-text tables like those of docs/actions-and-matrix.md, a check mark where the effect happens;
    an asterisk marks a cell the agency overrode."""
    rows = matrix_rows(settings)
    width = max(len(r.label) for r in rows)
    heads = ["AE", "CE", "PA", "T", "L"]
    out: list[str] = []
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            if out:
                out.append("")
            out.append(row.section_title)
            out.append(f"{'Action'.ljust(width)} | " + " | ".join(h.center(3) for h in heads))
            out.append("-" * (width + 1) + "|" + "|".join("-----" for _ in heads))
        marks = []
        for column in COLUMNS:
            mark = "✓" if row.cells[column] else " "
            mark += "*" if column in row.overridden else " "
            marks.append(mark.center(3))
        out.append(f"{row.label.ljust(width)} | " + " | ".join(marks))
    out.append("")
    out.append(
        "AE agent email · CE customer email · PA primary-applicant email · T task/note · "
        "L activity log"
        + (" · * changed by the agency" if any(r.overridden for r in rows) else "")
    )
    return "\n".join(out)


def describe_action(action: Action) -> str:
    return f"{action.label} ({action.key})"
