"""drivers.csv: the drivers on each auto policy, keyed on the policy + the export's driver id,
or the policy + first name, last name and birth date when the export has no driver ids."""

from __future__ import annotations

from datetime import date
from functools import partial

from clientcenter.models import Driver
from clientcenter.services.imports import values as v
from clientcenter.services.imports.columns import Column
from clientcenter.services.imports.entities.base import Book, ParsedRow, PolicyRef
from clientcenter.services.imports.entities.contacts import person_name
from clientcenter.services.imports.entities.policy_children import PolicyChild, claimable
from clientcenter.services.imports.entities.policy_refs import policy_ref_columns

_RELATIONSHIPS = {
    v.fold(code): label
    for code, label in (
        ("I", "Named insured"),
        ("N", "Named insured"),
        ("Insured", "Named insured"),
        ("Named Insured", "Named insured"),
        ("Self", "Named insured"),
        ("S", "Spouse"),
        ("Spouse", "Spouse"),
        ("C", "Child"),
        ("Child", "Child"),
        ("P", "Parent"),
        ("Parent", "Parent"),
        ("E", "Employee"),
        ("Employee", "Employee"),
        ("O", "Other"),
        ("Other", "Other"),
    )
}


def _relationship(value: str) -> str:
    return _RELATIONSHIPS.get(v.fold(value)) or v.text(value, max_len=40)


def _birth_date(value: str) -> date:
    born = v.a_date(value)
    if born > date.today():
        raise v.CellRefused("a birth date cannot be in the future")
    if born.year < 1900:
        raise v.CellRefused("a birth date before 1900 is a typing slip")
    return born


class Drivers(PolicyChild):
    name = "drivers"
    file = "drivers.csv"
    model = Driver
    noun = "driver"
    key_column = "last_name"
    columns = (
        *policy_ref_columns(),
        Column(
            "driver_id",
            False,
            partial(v.text, max_len=64),
            ("Driver ID", "Driver Number", "Driver #", "Drv ID", "Driver Key"),
            "the management system's driver id (else first name, last name and birth date "
            "are the key)",
        ),
        Column(
            "first_name",
            True,
            person_name,
            ("First", "First Name", "Given Name", "FName", "Driver First Name"),
        ),
        Column(
            "last_name",
            True,
            person_name,
            ("Last", "Last Name", "Surname", "Family Name", "LName", "Driver Last Name"),
        ),
        Column(
            "birth_date",
            False,
            _birth_date,
            ("Birth Date", "Date of Birth", "DOB", "Birthdate", "Driver DOB"),
            "a date, not in the future",
        ),
        Column(
            "license_state",
            False,
            v.us_state,
            ("License State", "Licence State", "DL State", "Lic State", "License ST"),
            "a US state's two letters",
        ),
        Column(
            "relationship",
            False,
            _relationship,
            ("Relationship", "Relation", "Relationship to Insured", "Rel", "Driver Relationship"),
            "text, or a code: I named insured, S spouse, C child, P parent, E employee, "
            "O other (default Named insured)",
        ),
    )

    def repeated_column(self, row: ParsedRow) -> str:
        return "driver_id" if row.values.get("driver_id") else "last_name"

    def own_key(self, row: ParsedRow):
        values = row.values
        if values.get("driver_id"):
            return ("id", values["driver_id"])
        return (
            "name",
            v.fold(values["first_name"]),
            v.fold(values["last_name"]),
            values.get("birth_date"),
        )

    def refuse_unkeyed(self, row: ParsedRow) -> None:  # pragma: no cover - names are required
        row.refuse("last_name", "a driver needs a name")

    def match(self, row: ParsedRow, ref: PolicyRef, on_policy: list[Driver]) -> Driver | None:
        values = row.values
        driver_id = values.get("driver_id")
        if driver_id:
            by_id = next((d for d in on_policy if d.external_id == driver_id), None)
            if by_id is not None:
                return by_id
        first, last = v.fold(values["first_name"]), v.fold(values["last_name"])
        return next(
            (
                d
                for d in on_policy
                if v.fold(d.first_name) == first
                and v.fold(d.last_name) == last
                and d.birth_date == values.get("birth_date")
                and claimable(d.external_id, driver_id)
            ),
            None,
        )

    def attributes(self, row: ParsedRow, book: Book) -> dict:
        values = row.values
        attrs = {"first_name": values["first_name"], "last_name": values["last_name"]}
        if values.get("driver_id"):
            attrs["external_id"] = values["driver_id"]
        if row.has("birth_date"):
            attrs["birth_date"] = values["birth_date"]
        if row.has("license_state"):
            attrs["license_state"] = values["license_state"] or ""
        if values.get("relationship"):
            attrs["relationship"] = values["relationship"]
        return attrs
