"""The API's reads and upserts: cursor pages that neither skip nor repeat, updated_since, upserts
through the import's own rules (the same keys, the same refusals naming the column), one audit
event per call naming the key, and remembered answers for retried POSTs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from clientcenter.models import Account, ApiIdempotency, ChangeRequest, Contact, Policy
from clientcenter.models.audit import AuditEvent
from clientcenter.services.access import ScopeMissing
from clientcenter.services.api import idempotency, resources
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.imports.single_row import RowRefused
from tests.services.api.conftest import make_key

ACCOUNT = {"customer_id": "C900", "name": "Dana Whitfield", "kind": "personal", "state": "ME"}
POLICY = {
    "customer_id": "C900",
    "policy_id": "P900",
    "policy_number": "PA-900",
    "carrier": "Casco Mutual",
    "line": "AUTOP",
    "effective_date": "2026-01-15",
    "expiration_date": "2027-01-15",
    "status": "In Force",
    "premium": "1,234.50",
}


@pytest.fixture
def writer(demo):
    return make_key(demo, "read", "write")[1]


def _count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def test_pages_cover_every_account_once(demo, writer):
    total = _count(demo, Account)
    seen, cursor = [], None
    while True:
        page = resources.list_records(demo, writer, "accounts", limit=3, cursor=cursor)
        seen += [item["id"] for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == total == len(set(seen)) and seen == sorted(seen)


def test_a_cursor_is_ours_and_for_its_own_list(demo, writer):
    page = resources.list_records(demo, writer, "accounts", limit=1)
    for bad in ("nonsense", page.next_cursor + "x"):
        with pytest.raises(InvalidInput) as refused:
            resources.list_records(demo, writer, "accounts", cursor=bad)
        assert refused.value.field == "cursor"
    with pytest.raises(InvalidInput):
        resources.list_records(demo, writer, "policies", cursor=page.next_cursor)
    for limit in (0, 201):
        with pytest.raises(InvalidInput, match="between 1 and 200"):
            resources.list_records(demo, writer, "accounts", limit=limit)


def test_updated_since_keeps_what_changed(demo, writer):
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert resources.list_records(demo, writer, "accounts", updated_since=later).items == []
    mark = datetime.now(UTC) - timedelta(seconds=1)
    account = demo.exec(select(Account).order_by(Account.id)).first()
    old = {
        a["id"]
        for a in resources.list_records(
            demo, writer, "accounts", limit=200, updated_since=mark
        ).items
    }
    account.city = "Somewhere Else"
    demo.flush()
    page = resources.list_records(demo, writer, "accounts", limit=200, updated_since=mark)
    assert account.id in {a["id"] for a in page.items}
    assert old <= {a["id"] for a in page.items}


def test_an_unchanged_update_does_not_touch_updated_at(demo, writer):
    done = resources.upsert(demo, writer, "accounts", ACCOUNT)
    stamp = demo.get(Account, done.item["id"]).updated_at
    again = resources.upsert(demo, writer, "accounts", ACCOUNT)
    assert (again.created, again.changed) == (False, False)
    assert demo.get(Account, done.item["id"]).updated_at == stamp


def test_upserts_are_keyed_like_the_import(demo, writer):
    created = resources.upsert(demo, writer, "accounts", ACCOUNT)
    assert created.created and created.item["customer_id"] == "C900"
    assert created.item["producer_email"] == "agent@example.com"  # the key's administrator
    updated = resources.upsert(demo, writer, "accounts", {**ACCOUNT, "city": "Bath"})
    assert (updated.created, updated.changed, updated.item["id"]) == (
        False,
        True,
        created.item["id"],
    )
    assert updated.item["state"] == "ME"  # a field not sent stays as it was
    policy = resources.upsert(demo, writer, "policies", POLICY)
    assert policy.item["premium"] == "1234.50" and policy.item["status"] == "active"
    assert policy.item["line"] == "auto" and policy.item["account_id"] == created.item["id"]
    contact = resources.upsert(
        demo,
        writer,
        "contacts",
        {
            "customer_id": "C900",
            "contact_id": "K1",
            "first_name": "Dana",
            "last_name": "W",
            "email": "Dana.W@Example.org",
            "may_log_in": True,
        },
    )
    assert contact.item["email"] == "dana.w@example.org" and contact.item["may_log_in"]
    assert demo.get(Account, created.item["id"]).data_as_of is not None


@pytest.mark.parametrize(
    "resource, body, column",
    [
        ("accounts", {"name": "No key"}, "customer_id"),
        ("accounts", {**ACCOUNT, "state": "Maine"}, "state"),
        ("accounts", {**ACCOUNT, "producer_email": "nobody@example.org"}, "producer_email"),
        ("accounts", {**ACCOUNT, "name": "bad\x00name"}, "name"),
        ("policies", {**POLICY, "customer_id": "NOPE"}, "customer_id"),
        ("policies", {**POLICY, "premium": "-5"}, "premium"),
        ("policies", {**POLICY, "expiration_date": "2025-01-01"}, "expiration_date"),
        ("policies", {**POLICY, "line": "spaceship"}, "line"),
        ("contacts", {"customer_id": "C900", "first_name": "A", "last_name": "B"}, "email"),
    ],
)
def test_refusals_name_the_column_and_change_nothing(demo, writer, resource, body, column):
    if resource != "accounts":
        resources.upsert(demo, writer, "accounts", ACCOUNT)
    before = {m: _count(demo, m) for m in (Account, Contact, Policy)}
    with pytest.raises(RowRefused) as refused:
        resources.upsert(demo, writer, resource, body)
    assert refused.value.field == column and refused.value.message.startswith(column + ":")
    assert {m: _count(demo, m) for m in (Account, Contact, Policy)} == before


def test_a_read_key_cannot_write_and_a_missing_id_is_not_found(demo):
    _, reader = make_key(demo, "read")
    with pytest.raises(ScopeMissing):
        resources.upsert(demo, reader, "accounts", ACCOUNT)
    with pytest.raises(NotFound, match="No policy has id 99999"):
        resources.get_record(demo, reader, "policies", 99999)
    with pytest.raises(NotFound):
        resources.list_activity(demo, reader, 99999)
    _, writer_only = make_key(demo, "write", name="Writer")
    with pytest.raises(ScopeMissing, match='"read"'):
        resources.list_records(demo, writer_only, "accounts")


def test_every_call_is_in_the_audit_trail_with_the_keys_name(demo, writer):
    resources.list_records(demo, writer, "accounts", limit=2)
    done = resources.upsert(demo, writer, "accounts", ACCOUNT)
    resources.get_record(demo, writer, "accounts", done.item["id"])
    events = demo.exec(select(AuditEvent).where(AuditEvent.api_key_id == writer.api_key_id)).all()
    assert [(e.kind, e.action) for e in events] == [
        ("read", "api.accounts.list"),
        ("write", "api.accounts.upsert"),
        ("read", "api.accounts.get"),
    ]
    assert all(e.summary.startswith('API key "AMS sync": ') for e in events)
    assert events[2].account_id == done.item["id"] and events[0].client_ip == "203.0.113.9"


def test_a_retry_gets_the_first_answer_and_a_reused_key_is_refused(demo, writer):
    first = idempotency.Stored(201, '{"id": 1}')
    args = (demo, writer.api_key_id, "k-1", "POST /api/v1/accounts")
    assert idempotency.replay(*args, "h1") is None
    idempotency.remember(*args, "h1", first)
    assert idempotency.replay(*args, "h1") == first
    with pytest.raises(idempotency.IdempotencyConflict, match="different request"):
        idempotency.replay(*args, "h2")
    with pytest.raises(idempotency.IdempotencyConflict):
        idempotency.replay(demo, writer.api_key_id, "k-1", "POST /api/v1/policies", "h1")
    later = datetime.now(UTC) + timedelta(hours=25)
    assert idempotency.prune(demo, now=later) == 1
    assert _count(demo, ApiIdempotency) == 0


def test_change_requests_are_read_with_their_account_key(demo, writer):
    account = demo.exec(select(Account).order_by(Account.id)).first()
    demo.add(
        ChangeRequest(
            account_id=account.id,
            kind="personal",
            subtype="add_vehicle",
            reference="CR-API-1",
            summary="Add a 2024 Subaru",
            details={"vin": "JF1ABC"},
        )
    )
    demo.flush()
    page = resources.list_records(demo, writer, "change_requests", limit=200)
    assert page.items and page.next_cursor is None
    first = page.items[0]
    assert resources.get_record(demo, writer, "change_requests", first["id"]) == first
    assert {"reference", "kind", "status", "details"} <= set(first)
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert resources.list_records(demo, writer, "change_requests", updated_since=later).items == []
