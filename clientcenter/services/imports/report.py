"""What an import did (or, in a dry run, would do): counts per entity and every refused row."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RowError:
    file: str
    line: int | None
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        column = f", column {self.column}" if self.column else ""
        value = f" ({self.value!r})" if self.value else ""
        return f"{where}{column}{value}: {self.reason}"


@dataclass
class EntityReport:
    entity: str
    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    retired: int = 0
    applied: bool = False  # false in a dry run, or when the file was refused as a whole
    unmatched_columns: list[str] = field(default_factory=list)
    note: str = ""

    def line(self, dry_run: bool) -> str:
        would = "would be " if dry_run or not self.applied else ""
        parts = [
            f"{self.created} {would}created",
            f"{self.updated} {would}updated",
            f"{self.unchanged} unchanged",
            f"{self.refused} refused",
        ]
        if self.retired:
            parts.append(f"{self.retired} {would}retired")
        text = f"{self.entity} ({self.file}): " + ", ".join(parts)
        if self.unmatched_columns:
            text += f"; columns not imported: {', '.join(self.unmatched_columns)}"
        return text + (f"; {self.note}" if self.note else "")


@dataclass
class Planned:
    """What a dry run would create, by the management system's keys, so that a later step of
    the same dry run (the documents manifest) can name it as the apply will."""

    customer_ids: set[str] = field(default_factory=set)
    # ("policy_id" | "policy_number", value) -> the customer id of the policy's account
    policies: dict[tuple[str, str], str | None] = field(default_factory=dict)


@dataclass
class ImportReport:
    dry_run: bool
    notify: bool = False  # asked to notify (ImportOptions.notify)
    entities: list[EntityReport] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Imports notify no customer unless asked (ImportOptions.notify); a dry run counts the
    # emails and texts the matrix would send, an applied import those it wrote to the outbox
    # and the customers they reach.
    customers_to_email: int = 0
    customers_to_text: int = 0
    customers_notified: int = 0
    planned: Planned = field(default_factory=Planned)  # filled by a dry run

    def notices(self) -> str:
        if not self.notify:
            return "customers notified: 0 (not asked: --notify sends the Policies/Invoices notice)"
        messages = f"{self.customers_to_email} by email, {self.customers_to_text} by text"
        if self.dry_run:
            return f"customers notified: 0 (a dry run); applied, the notice would go {messages}"
        return f"customers notified: {self.customers_notified} ({messages})"

    @property
    def refused_rows(self) -> int:
        return sum(e.refused for e in self.entities)

    def entity(self, name: str) -> EntityReport | None:
        return next((e for e in self.entities if e.entity == name), None)

    def text(self) -> str:
        head = "Dry run: nothing was written." if self.dry_run else "Import applied."
        lines = [head, *(e.line(self.dry_run) for e in self.entities)]
        lines.append(self.notices())
        if self.errors:
            lines.append(f"{len(self.errors)} refused:")
            lines.extend(f"  {error}" for error in self.errors)
        return "\n".join(lines)

    def errors_csv(self) -> str:
        """The refused rows as CSV for a spreadsheet, with formula-like cells made inert."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["file", "line", "column", "value", "reason"])
        for e in self.errors:
            writer.writerow(
                [_inert(c) for c in (e.file, str(e.line or ""), e.column, e.value, e.reason)]
            )
        return out.getvalue()


def _inert(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell
