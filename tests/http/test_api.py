"""The REST API through the HTTP app Reflex serves (the same middleware): keys and scopes,
bad input refused by name, 404 not 500, 413 before reading, Idempotency-Key replays, 429
with Retry-After, and a rate limit that holds across workers through Redis."""

from __future__ import annotations

import re
import uuid

import pytest
import redis
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter import routes
from clientcenter.http import build_http_app
from clientcenter.models import Account
from clientcenter.services.api import keys, rate_limit
from tests.support.demo import agency_agent
from tests.support.settings import use_settings

BASE = "http://localhost:3000" + routes.API_PREFIX
ACCOUNT = {"customer_id": "C901", "name": "Lobster Pot LLC", "kind": "commercial"}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    rate_limit.reset()
    yield
    rate_limit.reset()


@pytest.fixture
def client(demo):
    with TestClient(build_http_app(), base_url=BASE) as c:
        yield c


def _key(db, *scopes, name="AMS sync") -> str:
    created = keys.create_key(db, agency_agent(db), name, scopes or ("read", "write"))
    db.commit()
    return created.secret


def _auth(secret: str, **extra) -> dict:
    return {"Authorization": f"Bearer {secret}", **extra}


def _post(client, path, body, secret, key=None, **kw):
    headers = _auth(secret, **{"Idempotency-Key": key or str(uuid.uuid4())})
    return client.post(path, json=body, headers=headers, **kw)


def _operations(client) -> list[tuple[str, str]]:
    schema = client.get(routes.API_OPENAPI).json()
    return [
        (
            method,
            re.sub(r"\{[a-z_]+\}", "1", path),
        )
        for path, ops in schema["paths"].items()
        for method in ops
    ]


def test_every_operation_refuses_a_call_without_a_valid_key(demo, client):
    secret = _key(demo)
    keys.revoke_key(demo, agency_agent(demo), keys.list_keys(demo, agency_agent(demo))[0].id)
    demo.commit()
    operations = _operations(client)
    assert len(operations) == 35
    for method, path in operations:
        for headers in ({}, _auth("cck_not-a-key"), _auth(secret)):
            response = client.request(method, path, headers=headers, json=ACCOUNT)
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["detail"]


def test_a_read_key_reads_and_is_refused_writes_naming_the_scope(demo, client):
    secret = _key(demo, "read")
    listed = client.get("/accounts", headers=_auth(secret), params={"limit": 2})
    assert listed.status_code == 200 and len(listed.json()["items"]) == 2
    assert listed.json()["next_cursor"]
    assert listed.headers["cache-control"] == "no-store"
    refused = _post(client, "/accounts", ACCOUNT, secret)
    assert refused.status_code == 403
    assert refused.json()["scope"] == "write"
    assert '"write" scope' in refused.json()["detail"]


def test_an_id_that_does_not_exist_is_404(demo, client):
    secret = _key(demo)
    for path in (
        "/accounts/99999",
        "/contacts/99999",
        "/policies/99999",
        "/accounts/99999/activity",
    ):
        response = client.get(path, headers=_auth(secret))
        assert response.status_code == 404, path
        assert "99999" in response.json()["detail"]
    for path in ("/accounts/0", "/accounts/99999999999999999999", "/accounts/abc"):
        assert client.get(path, headers=_auth(secret)).status_code == 422, path


def test_unknown_fields_are_refused_by_name_and_nothing_is_written(demo, client):
    secret = _key(demo)
    response = _post(client, "/accounts", {**ACCOUNT, "acount_type": "x", "colour": "red"}, secret)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Unknown fields: acount_type, colour"
    assert {e["field"] for e in body["errors"]} == {"acount_type", "colour"}
    assert demo.exec(select(Account).where(Account.external_id == "C901")).first() is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({**ACCOUNT, "name": 12}, "name"),
        ({"name": "x"}, "customer_id"),
        ({**ACCOUNT, "state": "Maine"}, "state"),
    ],
)
def test_wrong_types_missing_and_bad_values_name_the_field(demo, client, body, field):
    response = _post(client, "/accounts", body, _key(demo))
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


def test_a_body_that_is_not_json_is_422(demo, client):
    headers = _auth(_key(demo), **{"Idempotency-Key": "a", "Content-Type": "application/json"})
    response = client.post("/accounts", content=b"{not json", headers=headers)
    assert response.status_code == 422


def test_an_oversize_body_is_413_before_it_is_read(demo, client):
    secret = _key(demo)
    huge = {**ACCOUNT, "name": "x" * (70 * 1024)}
    response = _post(client, "/accounts", huge, secret)
    assert response.status_code == 413
    assert "at most 64 KiB" in response.json()["detail"]


def test_a_retry_gets_the_first_answer(demo, client):
    secret = _key(demo)
    first = _post(client, "/accounts", ACCOUNT, secret, key="retry-1")
    assert first.status_code == 201
    again = _post(client, "/accounts", ACCOUNT, secret, key="retry-1")
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    other = _post(client, "/accounts", {**ACCOUNT, "name": "Other"}, secret, key="retry-1")
    assert other.status_code == 409 and "different request" in other.json()["detail"]
    fresh = _post(client, "/accounts", {**ACCOUNT, "city": "Bath"}, secret)
    assert fresh.status_code == 200 and fresh.json()["city"] == "Bath"
    missing = client.post("/accounts", json=ACCOUNT, headers=_auth(secret))
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "Idempotency-Key"


def test_a_revoked_key_stops_on_its_next_call(demo, client):
    secret = _key(demo)
    assert client.get("/accounts", headers=_auth(secret)).status_code == 200
    keys.revoke_key(demo, agency_agent(demo), keys.list_keys(demo, agency_agent(demo))[0].id)
    demo.commit()
    assert client.get("/accounts", headers=_auth(secret)).status_code == 401


def test_too_many_calls_are_429_with_retry_after(demo, client, monkeypatch):
    use_settings(monkeypatch, API__RATE_LIMIT_PER_MINUTE="3")
    secret = _key(demo)
    codes = [client.get("/accounts", headers=_auth(secret)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/accounts", headers=_auth(secret))
    assert 1 <= int(refused.headers["retry-after"]) <= 61
    other = _key(demo, name="Another")  # each key has its own allowance
    assert client.get("/accounts", headers=_auth(other)).status_code == 200


def test_the_limit_holds_across_workers_through_redis(demo, monkeypatch):
    url = "redis://127.0.0.1:6379/15"
    redis.Redis.from_url(url).flushdb()
    use_settings(monkeypatch, API__RATE_LIMIT_PER_MINUTE="5", API__REDIS_URL=url)
    one, two = rate_limit.RedisCounter(url), rate_limit.RedisCounter(url)  # two workers
    window = 123456
    counts = [(one if i % 2 else two).incr(42, window) for i in range(6)]
    assert counts == [1, 2, 3, 4, 5, 6]
    assert isinstance(rate_limit.counter(), rate_limit.RedisCounter)
    verdicts = [rate_limit.take(7, now=window * 60.0).allowed for _ in range(6)]
    assert verdicts == [True] * 5 + [False]
    redis.Redis.from_url(url).flushdb()


def test_without_redis_each_worker_counts_in_memory(monkeypatch):
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    assert isinstance(rate_limit.counter(), rate_limit.MemoryCounter)


def test_the_schema_and_the_readable_docs_are_served(client):
    schema = client.get(routes.API_OPENAPI)
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "Client Center API"
    assert "HTTPBearer" in schema.json()["components"]["securitySchemes"]
    docs = client.get(routes.API_DOCS)
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert "/api/v1/accounts" in docs.text and "<script" not in docs.text


def test_an_unknown_query_parameter_is_refused_by_name(demo, client):
    response = client.get(
        "/accounts", headers=_auth(_key(demo)), params={"updated_snce": "2026-01-01"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Unknown query parameter: 'updated_snce'"
    assert response.json()["errors"][0]["field"] == "updated_snce"


def test_a_document_is_uploaded_as_bytes_and_published(demo, client):
    from tests.support.demo import RIVERA, account_named
    from tests.support.files import sample_pdf

    secret = _key(demo, "documents")
    account = account_named(demo, RIVERA)
    params = {"account_id": account.id, "title": "Renewal 2027", "category": "declarations"}
    headers = _auth(secret, **{"Idempotency-Key": "doc-1", "Content-Type": "application/pdf"})
    pdf = sample_pdf()  # made once: each call makes other bytes (its creation time)
    added = client.post(routes.API_DOCUMENTS, content=pdf, params=params, headers=headers)
    assert added.status_code == 201 and added.json()["published"] is False
    again = client.post(routes.API_DOCUMENTS, content=pdf, params=params, headers=headers)
    assert again.json().get("id") == added.json()["id"], again.json()  # nothing stored twice
    path = routes.API_DOCUMENT_PUBLISH.replace("{document_id}", str(added.json()["id"]))
    published = client.post(path, headers=_auth(secret, **{"Idempotency-Key": "pub-1"}))
    assert published.status_code == 200 and published.json()["published"] is True
    wrong = client.post(
        routes.API_DOCUMENTS,
        content=b"MZ\x90\x00" * 64,
        params=params,
        headers=_auth(secret, **{"Idempotency-Key": "doc-2"}),
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "file"


def test_a_document_over_the_upload_limit_is_413_unread(demo, client, monkeypatch):
    use_settings(monkeypatch, SECURITY__UPLOAD_MAX_BYTES="2048")
    secret = _key(demo, "documents")
    params = {"account_id": 1, "title": "Big", "category": "other"}
    headers = _auth(secret, **{"Idempotency-Key": "big"})
    response = client.post(
        routes.API_DOCUMENTS, content=b"x" * 4096, params=params, headers=headers
    )
    assert response.status_code == 413


def test_a_vehicle_is_upserted_read_and_refused_by_name(demo, client):
    secret = _key(demo)
    assert _post(client, "/accounts", {**ACCOUNT, "customer_id": "C902"}, secret).is_success
    policy = {
        "customer_id": "C902",
        "policy_id": "P902",
        "policy_number": "PA-902",
        "carrier": "Casco Mutual",
        "line": "auto",
        "effective_date": "2026-01-15",
        "expiration_date": "2027-01-15",
        "status": "active",
        "premium": "900.00",
    }
    assert _post(client, "/policies", policy, secret).status_code == 201
    vehicle = {
        "policy_id": "P902",
        "year": 2020,
        "make": "Ford",
        "model": "F-150",
        "vin": "1FTEW1EP5LFA12345",
    }
    created = _post(client, "/vehicles", vehicle, secret, key="veh-1")
    assert created.status_code == 201, created.text
    again = _post(client, "/vehicles", vehicle, secret, key="veh-2")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    got = client.get(f"/vehicles/{created.json()['id']}", headers=_auth(secret))
    assert got.json() == again.json()
    listed = client.get(
        "/vehicles",
        headers=_auth(secret),
        params={"policy_record_id": got.json()["policy_record_id"]},
    )
    assert [v["id"] for v in listed.json()["items"]] == [created.json()["id"]]
    refused = _post(client, "/vehicles", {**vehicle, "vin": "SHORT"}, secret)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "vin"
    unknown = _post(client, "/vehicles", {**vehicle, "colour": "red"}, secret)
    assert unknown.status_code == 422 and unknown.json()["detail"] == "Unknown field: colour"
    since = client.get("/vehicles", headers=_auth(secret), params={"updated_since": "2026-01-01"})
    assert since.status_code == 200 and created.json()["id"] in [
        v["id"] for v in since.json()["items"]
    ]
    for path in (
        "/vehicles/99999",
        "/coverages/99999",
        "/drivers/99999",
        "/invoices/99999",
        "/certificate-holders/99999",
    ):
        missing = client.get(path, headers=_auth(secret))
        assert missing.status_code == 404 and "99999" in missing.json()["detail"], path


def test_a_change_requests_status_is_set_once_per_idempotency_key(demo, client):
    from clientcenter.models import ChangeRequest

    account = demo.exec(select(Account).order_by(Account.id)).first()
    request = ChangeRequest(
        account_id=account.id,
        kind="personal",
        subtype="add_vehicle",
        reference="CR-API-3",
        summary="Add a car",
        details={},
    )
    demo.add(request)
    demo.commit()
    secret = _key(demo)
    path = f"/change-requests/{request.id}/status"
    body = {"status": "declined", "note": "The carrier does not write this vehicle."}
    done = _post(client, path, body, secret, key="st-1")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "declined" and done.json()["status_note"] == body["note"]
    replay = _post(client, path, body, secret, key="st-1")
    assert replay.json() == done.json() and replay.headers["idempotent-replayed"] == "true"
    no_note = _post(client, path, {"status": "in_review"}, secret)
    assert no_note.status_code == 422 and no_note.json()["errors"][0]["field"] == "note"
    assert _post(client, "/change-requests/99999/status", body, secret).status_code == 404
    reader = _key(demo, "read", name="Reader")
    assert _post(client, path, {"status": "in_review", "note": "x"}, reader).status_code == 403


def test_webhook_endpoints_are_the_webhooks_scopes_and_the_secret_is_told_once(demo, client):
    hooks = {"url": "https://ams.example.com/hooks", "events": ["change_request.filed"]}
    reader = _key(demo, "read", "write", name="No webhooks")
    refused = _post(client, routes.API_WEBHOOK_ENDPOINTS, hooks, reader)
    assert refused.status_code == 403 and "webhooks" in refused.json()["detail"]
    secret = _key(demo, "webhooks", name="Hooks")
    key = str(uuid.uuid4())
    made = _post(client, routes.API_WEBHOOK_ENDPOINTS, hooks, secret, key=key)
    assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
    again = _post(client, routes.API_WEBHOOK_ENDPOINTS, hooks, secret, key=key)
    assert again.status_code == 201 and again.json()["id"] == made.json()["id"]
    assert again.json()["secret"] is None  # the stored answer never held it
    listed = client.get(routes.API_WEBHOOK_ENDPOINTS, headers=_auth(secret)).json()
    assert [(e["url"], e["events"]) for e in listed] == [(hooks["url"], hooks["events"])]
    for bad, field in (
        ({**hooks, "url": "http://ams.example.com/hooks"}, "url"),
        ({**hooks, "events": ["payment.refunded"]}, "events"),
        ({**hooks, "colour": "red"}, "colour"),
    ):
        answer = _post(client, routes.API_WEBHOOK_ENDPOINTS, bad, secret)
        assert answer.status_code == 422 and field in str(answer.json()), answer.json()
    path = routes.API_WEBHOOK_ENDPOINT_DELETE.format(endpoint_id=made.json()["id"])
    gone = _post(client, path, None, secret)
    assert gone.status_code == 200 and gone.json()["url"] == hooks["url"]
    assert client.get(routes.API_WEBHOOK_ENDPOINTS, headers=_auth(secret)).json() == []
    missing = _post(
        client, routes.API_WEBHOOK_ENDPOINT_DELETE.format(endpoint_id=99999), None, secret
    )
    assert missing.status_code == 404
