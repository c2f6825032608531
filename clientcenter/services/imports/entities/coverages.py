"""coverages.csv: each policy's coverages, keyed on the policy + the coverage's name (+ the
VIN of the vehicle it belongs to, for an auto policy's per-vehicle coverages)."""

from __future__ import annotations

from functools import partial

from sqlmodel import Session, select

from clientcenter.models import Coverage, Vehicle
from clientcenter.services.imports import values as v
from clientcenter.services.imports.claims import Claims
from clientcenter.services.imports.columns import Column
from clientcenter.services.imports.entities.base import Book, ParsedRow, PolicyRef, one_of
from clientcenter.services.imports.entities.policy_children import PolicyChild
from clientcenter.services.imports.entities.policy_refs import policy_ref_columns
from clientcenter.services.imports.entities.vehicles import vin_column
from clientcenter.services.imports.reader import Row

_NEW_VEHICLE = object()  # a vehicle a dry run would create: no coverage names it yet


def _premium(value: str) -> int:
    cents = v.amount_cents(value)
    if cents < 0:
        raise v.CellRefused("a premium cannot be negative")
    return cents


class Coverages(PolicyChild):
    name = "coverages"
    file = "coverages.csv"
    model = Coverage
    noun = "coverage"
    key_column = "coverage"
    columns = (
        *policy_ref_columns(),
        Column(
            "coverage",
            True,
            partial(v.text, max_len=120),
            (
                "Coverage",
                "Coverage Name",
                "Coverage Description",
                "Coverage Type",
                "Cov",
                "Cov Desc",
            ),
            'the coverage\'s name, e.g. "Bodily Injury Liability" (with the policy, its key)',
        ),
        Column(
            "limit",
            False,
            partial(v.text, max_len=80),
            ("Limit", "Limits", "Coverage Limit", "Limit Amount", "Limit 1"),
            'as written, e.g. "$100,000/$300,000"',
        ),
        Column(
            "deductible",
            False,
            partial(v.text, max_len=40),
            ("Deductible", "Ded", "Deductible Amount", "Deductible 1"),
            'as written, e.g. "$500"',
        ),
        Column(
            "premium",
            False,
            _premium,
            ("Premium", "Coverage Premium", "Cov Premium", "Written Premium"),
            "an amount, e.g. $312.00",
        ),
        vin_column(
            "the VIN of the vehicle on the same policy the coverage belongs to (vehicles.csv "
            "or already imported); empty for the policy's own coverages"
        ),
    )

    def start(self) -> None:
        super().start()
        self._vehicle_of: dict[int, object] = {}  # row line -> vehicle id (or _NEW_VEHICLE)
        self._positions = Claims()  # policy handle -> coverages so far
        self._position_of: dict[int, int] = {}  # row line -> its place on the policy
        self._skipped_here: list[tuple[int, int]] = []  # this chunk's (line, policy id)
        # The rows so far per policy as the cells name it (a digest's part, digests.py).
        self._named_so_far = Claims()

    def end_chunk(self) -> None:
        super().end_chunk()
        self._positions.end_chunk()
        self._named_so_far.end_chunk()
        self._vehicle_of.clear()
        self._position_of.clear()

    def digest_contexts(self, chunk: list[Row], positions: list[int]) -> list[str]:
        """A coverage's place on its policy is part of what the row sets: a row added above
        it on the same policy changes its digest too."""
        policies = []
        for row in chunk:
            cells = row.cells
            named = [cells[p].strip() if 0 <= p < len(cells) else "" for p in positions[:3]]
            policies.append(
                ("id", named[0]) if named[0] else ("number", v.fold(named[2]), named[1])
            )
        self._named_so_far.prefetch(policies)
        contexts = []
        for policy in policies:
            place = self._named_so_far.get(policy, 0) + 1
            self._named_so_far[policy] = place
            contexts.append(f"\x1e{place}")
        return contexts

    def skipped(self, line: int, extra: tuple) -> None:
        self._skipped_here.append((line, extra[0]))

    def own_key(self, row: ParsedRow):
        return (v.fold(row.values["coverage"]), row.values.get("vin"))

    def before_match(self, session: Session, rows: list[ParsedRow], book: Book) -> None:
        """Each VIN must name a vehicle on the row's policy: this import's or one on file."""
        wanted = [r for r in rows if r.values.get("vin")]
        on_file: dict[tuple, int] = {}
        policy_ids = {self.policy_of(r).id for r in wanted} - {None}
        if policy_ids:
            for vehicle_id, policy_id, vin in session.exec(
                select(Vehicle.id, Vehicle.policy_id, Vehicle.vin)
                .where(one_of(session, Vehicle.policy_id, policy_ids))
                .where(one_of(session, Vehicle.vin, {r.values["vin"] for r in wanted}))
                .order_by(Vehicle.id)
            ):
                on_file.setdefault((policy_id, vin), vehicle_id)
        for row in wanted:
            handle = (self.policy_of(row).handle, row.values["vin"])
            if handle in book.vehicles:
                found = book.vehicles[handle]
                self._vehicle_of[row.line] = _NEW_VEHICLE if found is None else found
            elif handle in on_file:
                self._vehicle_of[row.line] = on_file[handle]
            else:
                row.refuse("vin", "no vehicle on this policy has this VIN")
        # Rows skipped as unchanged (digests.py) hold their places on their policies.
        skipped, self._skipped_here = self._skipped_here, []
        self._positions.prefetch(
            [p for _line, p in skipped]
            + [self.policy_of(r).handle for r in rows if r.refusal is None]
        )
        before = 0
        for row in rows:
            if row.refusal is None:
                while before < len(skipped) and skipped[before][0] < row.line:
                    self._next_place(skipped[before][1])
                    before += 1
                self._vehicle_of.setdefault(row.line, None)
                self._position_of[row.line] = self._next_place(self.policy_of(row).handle)
        for _line, policy_id in skipped[before:]:
            self._next_place(policy_id)

    def _next_place(self, handle) -> int:
        place = self._positions.get(handle, 0) + 1
        self._positions[handle] = place
        return place

    def match(self, row: ParsedRow, ref: PolicyRef, on_policy: list[Coverage]) -> Coverage | None:
        vehicle_id = self._vehicle_of[row.line]
        if vehicle_id is _NEW_VEHICLE:
            return None
        name = v.fold(row.values["coverage"])
        return next(
            (c for c in on_policy if v.fold(c.name) == name and c.vehicle_id == vehicle_id), None
        )

    def attributes(self, row: ParsedRow, book: Book) -> dict:
        values = row.values
        vehicle_id = self._vehicle_of[row.line]
        attrs = {
            "name": values["coverage"],
            "vehicle_id": None if vehicle_id is _NEW_VEHICLE else vehicle_id,
            "position": self._position_of[row.line],
        }
        for column, field in (("limit", "limit"), ("deductible", "deductible")):
            if row.has(column):
                attrs[field] = values[column] or ""
        if row.has("premium"):
            attrs["premium_cents"] = values["premium"]
        return attrs
