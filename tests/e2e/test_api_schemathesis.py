"""The REST API's OpenAPI schema, run by schemathesis against the built app (one process, one
port, pages and API alike): every operation, with valid and schema-violating requests made
from the schema, answers without a 5xx, with a status code, content type and body the schema
documents, and refuses what violates it; and every operation refuses a call without a key or
with a bad one. Bounded (EXAMPLES per operation and mode) so the run stays well under a
minute."""

from __future__ import annotations

import time

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from clientcenter import routes
from clientcenter.services.api import keys
from tests.support.demo import agency_agent

EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


def _secret(app) -> str:
    with app.db() as db:
        created = keys.create_key(
            db, agency_agent(db), "schemathesis", ["read", "write", "documents"]
        )
        db.commit()
    return created.secret


def _run(operation, mode, call) -> tuple[int, str | None]:
    count = [0]

    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        count[0] += 1
        call(case)

    try:
        run()
    except Exception as exc:  # schemathesis' failure group, reported per operation
        return count[0], f"{operation.label} ({mode.value}): {exc}"[:3000]
    return count[0], None


def test_the_schema_holds_against_the_running_app(app):
    base = app.url + routes.API_PREFIX
    schema = schemathesis.openapi.from_url(base + routes.API_OPENAPI)
    secret = _secret(app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 35

    def with_key(mode):
        def call(case):
            response = case.call(base_url=base, headers={"Authorization": f"Bearer {secret}"})
            extra = (
                [negative_data_rejection] if mode is schemathesis.GenerationMode.NEGATIVE else []
            )
            case.validate_response(response, checks=CHECKS + extra)

        return call

    started = time.monotonic()
    examples, failures = 0, []
    for operation in operations:
        for mode in MODES:
            count, failure = _run(operation, mode, with_key(mode))
            examples += count
            if failure:
                failures.append(failure)
    elapsed = time.monotonic() - started
    print(
        f"\nschemathesis: {len(operations)} operations, {examples} examples, "
        f"{len(failures)} failures, {elapsed:.1f} s"
    )
    assert failures == [], "\n\n".join(failures)
    assert examples >= len(operations) * len(MODES)


@pytest.mark.parametrize("authorization", [None, "Bearer cck_not-a-key", "Basic YTpi"])
def test_every_operation_refuses_without_a_valid_key(app, authorization):
    base = app.url + routes.API_PREFIX
    schema = schemathesis.openapi.from_url(base + routes.API_OPENAPI)
    refused = []

    def call(case):
        headers = dict(case.headers or {})
        headers.pop("Authorization", None)
        if authorization:
            headers["Authorization"] = authorization
        case.headers = headers
        response = case.call(base_url=base)
        if response.status_code != 401:
            refused.append(f"{case.operation.label}: {response.status_code}")

    for result in schema.get_all_operations():
        count, failure = _run(result.ok(), schemathesis.GenerationMode.POSITIVE, call)
        assert failure is None, failure
    assert refused == []


def test_the_readable_docs_are_served(app):
    response = httpx.get(app.url + routes.API_PREFIX + routes.API_DOCS)
    assert response.status_code == 200 and "Client Center API" in response.text
