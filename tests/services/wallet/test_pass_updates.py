"""What makes a Wallet push due, on both databases: the agency's changes reach the passes
whichever way they come — a file import run again with a changed vehicle, a policy it
cancels, the REST API's upsert (the import's single-row path) — and an unchanged re-import
makes nothing due."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from clientcenter.models import Policy, Vehicle
from clientcenter.services.imports.single_row import apply_row
from clientcenter.services.wallet import pass_updates, passkit
from clientcenter.services.wallet.web_service import pass_token
from tests.services.imports.conftest import (
    ACCOUNTS,
    CONTACTS,
    POLICIES,
    producer_id,
    run,
    write_export,
)
from tests.services.imports.test_children import VEHICLES
from tests.support.wallet import PASS_TYPE, configure_apple, make_chain

DEVICE = "d" * 32
TOKEN = "ab" * 32


@pytest.fixture
def imported(demo, tmp_path, monkeypatch):
    session = demo
    configure_apple(monkeypatch, make_chain(tmp_path), WALLET__APPLE_WEB_SERVICE="true")
    files = {
        "accounts": ACCOUNTS,
        "contacts": CONTACTS,
        "policies": POLICIES,
        "vehicles": VEHICLES,
    }
    run(session, write_export(tmp_path / "first", **files))
    policy = session.exec(select(Policy).where(Policy.number == "PA-9000001")).one()
    vehicles = session.exec(
        select(Vehicle).where(Vehicle.policy_id == policy.id).order_by(Vehicle.id)
    ).all()
    for vehicle in vehicles:
        serial = f"{policy.number}-{vehicle.id}"
        passkit.register(
            session,
            DEVICE,
            PASS_TYPE,
            serial,
            f"ApplePass {pass_token(serial)}",
            json.dumps({"pushToken": TOKEN}).encode(),
        )
    session.commit()
    return files


def _due(session) -> list[int]:
    session.expire_all()
    return sorted(r for push in pass_updates.due_pushes(session) for r in push.registrations)


def test_an_unchanged_reimport_makes_nothing_due(demo, tmp_path, imported):
    run(demo, write_export(tmp_path / "again", **imported))
    assert _due(demo) == []


def test_a_reimport_that_changes_a_vehicle_makes_its_pass_due(demo, tmp_path, imported):
    changed = dict(imported, vehicles=imported["vehicles"].replace("Outback", "Forester"))
    run(demo, write_export(tmp_path / "changed", **changed))
    [due] = pass_updates.due_pushes(demo)
    assert due.push_token == TOKEN and len(due.registrations) == 1
    vehicle = demo.exec(select(Vehicle).where(Vehicle.model == "Forester")).one()
    [serials] = [passkit.updated_serials(demo, DEVICE, PASS_TYPE, None)]
    assert f"PA-9000001-{vehicle.id}" in serials.serial_numbers


def test_a_reimport_that_cancels_the_policy_makes_every_pass_due(demo, tmp_path, imported):
    cancelled = dict(imported, policies=imported["policies"].replace("In Force", "Cancelled"))
    run(demo, write_export(tmp_path / "cancelled", **cancelled))
    assert len(_due(demo)) == 2


def test_the_rest_apis_upsert_makes_the_pass_due(demo, imported):
    apply_row(
        demo,
        "vehicles",
        {
            "policy_id": "X1",
            "vehicle_id": "V2",
            "year": "2018",
            "make": "Toyota",
            "model": "Camry",
            "vin": "2T1BURHE5JC034461",
        },
        default_producer_id=producer_id(demo),
    )
    demo.commit()
    assert len(_due(demo)) == 1
