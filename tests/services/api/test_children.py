"""Vehicles, coverages, drivers, invoices and certificate holders through the API: upserted on
the import's own keys (a second call finds the same record), read back as sent, refused by the
import entity's column with nothing written, listed by what changed since; and change requests'
statuses set through the task queue's own service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from clientcenter.models import (
    CertificateHolder,
    ChangeRequest,
    Coverage,
    Driver,
    Invoice,
    Vehicle,
)
from clientcenter.services.access import ScopeMissing
from clientcenter.services.api import resources
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.imports.single_row import RowRefused
from tests.services.api.conftest import make_key
from tests.services.api.test_resources import ACCOUNT, POLICY

ON_POLICY = {"policy_id": "P900"}
VEHICLE = {
    **ON_POLICY,
    "vehicle_id": "V1",
    "year": 2021,
    "make": "Subaru",
    "model": "Outback",
    "vin": "4S4BTGPD0M3123456",
    "usage": "P",
}
COVERAGE = {
    **ON_POLICY,
    "coverage": "Collision",
    "deductible": "$500",
    "premium": "312.00",
    "vin": "4S4BTGPD0M3123456",
}
DRIVER = {
    **ON_POLICY,
    "driver_id": "D1",
    "first_name": "Dana",
    "last_name": "Whitfield",
    "birth_date": "1985-04-02",
    "license_state": "ME",
    "relationship": "I",
}
INVOICE = {
    "customer_id": "C900",
    "invoice_id": "I900",
    "invoice_number": "INV-900",
    "policy_number": "PA-900",
    "carrier": "Casco Mutual",
    "amount": "412.00",
    "due_date": "2027-02-01",
    "status": "Due",
}
HOLDER = {
    "customer_id": "C900",
    "holder_id": "H1",
    "name": "Harbor Property Management LLC",
    "state": "ME",
    "email": "certs@harbor.example",
}
MODELS = (Vehicle, Coverage, Driver, Invoice, CertificateHolder)


@pytest.fixture
def writer(demo):
    principal = make_key(demo, "read", "write")[1]
    resources.upsert(demo, principal, "accounts", ACCOUNT)
    resources.upsert(demo, principal, "policies", POLICY)
    return principal


def _counts(db) -> dict:
    return {m: db.exec(select(func.count()).select_from(m)).one() for m in MODELS}


@pytest.mark.parametrize(
    "resource, body, changed",
    [
        ("vehicles", VEHICLE, {"model": "Forester"}),
        ("coverages", COVERAGE, {"deductible": "$1,000"}),
        ("drivers", DRIVER, {"license_state": "NH"}),
        ("invoices", INVOICE, {"amount": "450.00"}),
        ("certificate_holders", HOLDER, {"city": "Portland"}),
    ],
)
def test_each_is_upserted_on_the_imports_keys_and_read_back(demo, writer, resource, body, changed):
    if resource == "coverages":
        resources.upsert(demo, writer, "vehicles", VEHICLE)
    created = resources.upsert(demo, writer, resource, body)
    assert (created.created, created.changed) == (True, True)
    same = resources.upsert(demo, writer, resource, body)
    assert (same.created, same.changed, same.item) == (False, False, created.item)
    updated = resources.upsert(demo, writer, resource, {**body, **changed})
    assert (updated.created, updated.changed) == (False, True)
    assert updated.item["id"] == created.item["id"]
    assert resources.get_record(demo, writer, resource, created.item["id"]) == updated.item
    page = resources.list_records(demo, writer, resource, customer_id="C900")
    assert [i["id"] for i in page.items] == [created.item["id"]]
    assert resources.list_records(demo, writer, resource, customer_id="NOBODY").items == []
    # updated_since: the update above is seen; a re-upsert that changes nothing moves nothing.
    mark = datetime.fromisoformat(updated.item["updated_at"])
    since = resources.list_records(demo, writer, resource, updated_since=mark)
    assert [i["id"] for i in since.items] == [created.item["id"]]
    resources.upsert(demo, writer, resource, {**body, **changed})
    assert resources.get_record(demo, writer, resource, created.item["id"]) == updated.item
    later = resources.list_records(
        demo, writer, resource, updated_since=mark + timedelta(seconds=1)
    )
    assert later.items == []
    with pytest.raises(NotFound, match="has id 99999"):
        resources.get_record(demo, writer, resource, 99999)


def test_values_are_parsed_by_the_imports_columns(demo, writer):
    vehicle = resources.upsert(demo, writer, "vehicles", VEHICLE).item
    assert vehicle["usage"] == "Pleasure" and vehicle["policy_id"] == "P900"
    assert vehicle["policy_number"] == "PA-900" and vehicle["customer_id"] == "C900"
    coverage = resources.upsert(demo, writer, "coverages", COVERAGE).item
    assert coverage["vehicle_record_id"] == vehicle["id"] and coverage["premium"] == "312.00"
    driver = resources.upsert(demo, writer, "drivers", DRIVER).item
    assert driver["relationship"] == "Named insured" and driver["birth_date"] == "1985-04-02"
    invoice = resources.upsert(demo, writer, "invoices", INVOICE).item
    assert invoice["status"] == "open" and invoice["amount"] == "412.00"
    assert invoice["policy_record_id"] == vehicle["policy_record_id"] and invoice["published"]
    policy_id = vehicle["policy_record_id"]
    for resource in ("vehicles", "coverages", "drivers", "invoices"):
        page = resources.list_records(demo, writer, resource, policy_record_id=policy_id)
        assert len(page.items) == 1, resource
        assert resources.list_records(demo, writer, resource, policy_record_id=99999).items == []


@pytest.mark.parametrize(
    "resource, body, column",
    [
        ("vehicles", {**VEHICLE, "policy_id": "NOPE"}, "policy_id"),
        ("vehicles", {k: v for k, v in VEHICLE.items() if k != "policy_id"}, "policy_number"),
        ("vehicles", {**VEHICLE, "year": 1700}, "year"),
        ("vehicles", {**VEHICLE, "vin": "NOT-A-VIN"}, "vin"),
        ("vehicles", {**VEHICLE, "vehicle_id": None, "vin": None}, "vin"),
        ("vehicles", {**VEHICLE, "colour": "red"}, "colour"),
        ("coverages", {**COVERAGE, "vin": "1HGCM82633A004352"}, "vin"),
        ("coverages", {**COVERAGE, "premium": "-1"}, "premium"),
        ("coverages", {**COVERAGE, "coverage": ""}, "coverage"),
        ("drivers", {**DRIVER, "birth_date": "2999-01-01"}, "birth_date"),
        ("drivers", {**DRIVER, "license_state": "Maine"}, "license_state"),
        ("invoices", {**INVOICE, "amount": "0"}, "amount"),
        ("invoices", {**INVOICE, "customer_id": "NOPE"}, "customer_id"),
        ("invoices", {**INVOICE, "status": "lost"}, "status"),
        ("invoices", {**INVOICE, "policy_number": "NOPE-1"}, "policy_number"),
        ("certificate_holders", {**HOLDER, "customer_id": "NOPE"}, "customer_id"),
        ("certificate_holders", {**HOLDER, "email": "not an email"}, "email"),
        ("certificate_holders", {**HOLDER, "postal_code": "12"}, "postal_code"),
    ],
)
def test_refusals_name_the_import_column_and_write_nothing(demo, writer, resource, body, column):
    resources.upsert(demo, writer, "vehicles", VEHICLE)
    before = _counts(demo)
    with pytest.raises(RowRefused) as refused:
        resources.upsert(demo, writer, resource, body)
    assert refused.value.field == column and refused.value.message.startswith(column + ":")
    assert _counts(demo) == before


def test_a_read_key_cannot_upsert_them(demo, writer):
    _, reader = make_key(demo, "read", name="Reader")
    with pytest.raises(ScopeMissing, match='"write"'):
        resources.upsert(demo, reader, "vehicles", VEHICLE)
    assert resources.list_records(demo, reader, "vehicles").next_cursor is None


def _request(demo) -> ChangeRequest:
    account_id = resources.list_records(
        demo, make_key(demo, "read", name="R")[1], "accounts", limit=1
    ).items[0]["id"]
    request = ChangeRequest(
        account_id=account_id,
        kind="personal",
        subtype="add_vehicle",
        reference="CR-API-2",
        summary="Add a 2024 Subaru",
        details={},
    )
    demo.add(request)
    demo.flush()
    return request


def test_a_status_is_set_with_its_note_through_the_task_queues_rules(demo, writer):
    request = _request(demo)
    mark = datetime.now(UTC) - timedelta(seconds=1)
    done = resources.set_status(demo, writer, request.id, "done", "Added to the policy.")
    assert (done["status"], done["status_note"]) == ("done", "Added to the policy.")
    assert done["status_changed_at"] is not None
    assert resources.get_record(demo, writer, "change_requests", request.id) == done
    # updated_since sees the move though the request was made before the moment
    request.created_at = datetime.now(UTC) - timedelta(days=3)
    demo.flush()
    since = resources.list_records(demo, writer, "change_requests", updated_since=mark)
    assert request.id in {i["id"] for i in since.items}
    with pytest.raises(InvalidInput) as refused:  # reopening needs a note
        resources.set_status(demo, writer, request.id, "in_review", "")
    assert refused.value.field == "note"
    with pytest.raises(InvalidInput) as refused:
        resources.set_status(demo, writer, request.id, "lost", "")
    assert refused.value.field == "status"
    with pytest.raises(NotFound):
        resources.set_status(demo, writer, 99999, "done", "")
    _, reader = make_key(demo, "read", name="Reader")
    with pytest.raises(ScopeMissing, match='"write"'):
        resources.set_status(demo, reader, request.id, "in_review", "Why")
    assert demo.get(ChangeRequest, request.id).status == "done"
