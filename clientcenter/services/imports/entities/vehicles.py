"""vehicles.csv: the vehicles on each auto policy, keyed on the policy + the export's vehicle
id, or the policy + VIN when the export has no vehicle ids."""

from __future__ import annotations

from functools import partial

from sqlalchemy import exists

from clientcenter.models import Coverage, Vehicle
from clientcenter.services.imports import values as v
from clientcenter.services.imports.bulk import NewRecord
from clientcenter.services.imports.columns import Column
from clientcenter.services.imports.entities.base import Book, ParsedRow, PolicyRef
from clientcenter.services.imports.entities.policy_children import PolicyChild, claimable
from clientcenter.services.imports.entities.policy_refs import policy_ref_columns

VIN_SYNONYMS = (
    "VIN",
    "VIN Number",
    "Vehicle VIN",
    "Vehicle Identification Number",
    "Serial Number",
)
_USAGE_CODES = {
    v.fold(code): label
    for code, label in (
        ("P", "Pleasure"),
        ("C", "Commute"),
        ("W", "Commute"),
        ("B", "Business"),
        ("F", "Farm"),
        ("R", "Rideshare"),
    )
}


def vin_column(format: str) -> Column:
    return Column("vin", False, v.vin, VIN_SYNONYMS, format)


def _usage(value: str) -> str:
    return _USAGE_CODES.get(v.fold(value)) or v.text(value, max_len=40)


class Vehicles(PolicyChild):
    name = "vehicles"
    file = "vehicles.csv"
    model = Vehicle
    noun = "vehicle"
    key_column = "vin"
    columns = (
        *policy_ref_columns(),
        Column(
            "vehicle_id",
            False,
            partial(v.text, max_len=64),
            ("Vehicle ID", "Vehicle Number", "Veh ID", "Veh #", "Vehicle Key", "Unit Number"),
            "the management system's vehicle id (else the VIN is the key)",
        ),
        Column(
            "year",
            True,
            v.model_year,
            ("Year", "Model Year", "Veh Year", "Vehicle Year", "Yr"),
            "a model year, e.g. 2021",
        ),
        Column(
            "make",
            True,
            partial(v.text, max_len=40),
            ("Make", "Vehicle Make", "Veh Make", "Manufacturer"),
        ),
        Column(
            "model", True, partial(v.text, max_len=60), ("Model", "Vehicle Model", "Veh Model")
        ),
        vin_column(
            "17 letters and digits, no I, O or Q (the check digit is not enforced); "
            "needed without a vehicle id"
        ),
        Column(
            "usage",
            False,
            _usage,
            ("Use", "Usage", "Vehicle Use", "Use Code", "Vehicle Usage"),
            "text, or a code: P pleasure, C or W commute, B business, F farm (default Commute)",
        ),
    )

    def own_key(self, row: ParsedRow):
        if row.values.get("vehicle_id"):
            return ("id", row.values["vehicle_id"])
        if row.values.get("vin"):
            return ("vin", row.values["vin"])
        return None

    def refuse_unkeyed(self, row: ParsedRow) -> None:
        row.refuse("vin", "a vehicle needs its VIN or the export's vehicle id to be found again")

    def match(self, row: ParsedRow, ref: PolicyRef, on_policy: list[Vehicle]) -> Vehicle | None:
        vehicle_id, vin = row.values.get("vehicle_id"), row.values.get("vin")
        if vehicle_id:
            by_id = next((x for x in on_policy if x.external_id == vehicle_id), None)
            if by_id is not None:
                return by_id
        if vin:
            return next(
                (x for x in on_policy if x.vin == vin and claimable(x.external_id, vehicle_id)),
                None,
            )
        return None

    def attributes(self, row: ParsedRow, book: Book) -> dict:
        values = row.values
        attrs = {"year": values["year"], "make": values["make"], "model": values["model"]}
        if values.get("vehicle_id"):
            attrs["external_id"] = values["vehicle_id"]
        if row.has("vin"):
            attrs["vin"] = values["vin"] or ""
        if values.get("usage"):
            attrs["usage"] = values["usage"]
        return attrs

    def new(self, attrs: dict, book: Book) -> Vehicle:
        return Vehicle(**{"vin": "", **attrs})

    def new_record(self, attrs: dict, book: Book) -> NewRecord:
        return NewRecord(Vehicle, {"vin": "", **attrs})

    def memo(self, row: ParsedRow, record) -> tuple | None:
        """(policy handle, VIN): how coverages.csv names the vehicle."""
        vin = row.values.get("vin")
        return (self.policy_of(row).handle, vin) if vin else None

    def remember(self, key, record_id: int | None, memo, book: Book) -> None:
        if memo is not None:
            book.vehicles[memo] = record_id

    def referenced(self):
        return (exists().where(Coverage.vehicle_id == Vehicle.id),)
