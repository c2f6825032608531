"""The audit trail over HTTP: an agent's download in read-only view is one read, and the CSV
export answers only our own pages and a role that may export, streamed and never cached."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter import routes
from clientcenter.http import build_http_app
from clientcenter.http.cookies import session_cookie_name
from clientcenter.models.audit import AuditEvent
from clientcenter.services.agency.roles import Permission, refusal
from clientcenter.services.files import download_links
from clientcenter.services.portal import documents
from tests.support.demo import LEE_CHEN, RIVERA, account_named
from tests.support.logins import agent_session, customer_session

ORIGIN = "http://localhost:3000"
RANGE = {"date_from": "2026-03-01", "date_to": "2026-03-01"}


@pytest.fixture
def client(demo):
    with TestClient(build_http_app(), base_url=ORIGIN, headers={"origin": ORIGIN}) as c:
        yield c


def _as(client, token):
    client.cookies.clear()
    if token:
        client.cookies.set(session_cookie_name(), token)
    return client


def _events(db) -> list[AuditEvent]:
    db.expire_all()
    return list(db.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def test_an_agent_download_in_read_only_view_is_one_read(demo, client):
    principal, token, _ = agent_session(demo, RIVERA)
    doc = documents.list_documents(demo, principal)[0]
    response = _as(client, token).get(download_links.sign(principal, "document", doc.id))
    assert response.status_code == 200
    [event] = _events(demo)
    assert (event.kind, event.action, event.agent_id, event.account_id) == (
        "read",
        "document.download",
        principal.agent_id,
        account_named(demo, RIVERA).id,
    )
    assert event.client_ip == "testclient"  # Starlette's test peer


def test_a_customer_download_leaves_the_trail_alone(demo, client):
    principal, token, _ = customer_session(demo)
    doc = documents.list_documents(demo, principal)[0]
    assert _as(client, token).get(download_links.sign(principal, "document", doc.id)).is_success
    assert _events(demo) == []


def _seed(db):
    db.add(
        AuditEvent(
            created_at=datetime(2026, 3, 1, 10, tzinfo=UTC),
            kind="read",
            action="info_pane.open",
            summary="=cmd|' /C calc'!A0",
        )
    )
    db.commit()


def test_the_export_streams_a_csv_that_no_cache_keeps(demo, client):
    _seed(demo)
    _, token, _ = agent_session(demo)  # Alex Morgan, administrator
    response = _as(client, token).post(routes.AUDIT_EXPORT_ROUTE, data=RANGE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["cache-control"] == "no-store"
    assert "audit-2026-03-01-to-2026-03-01.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["action"], r["summary"]) for r in rows] == [
        ("info_pane.open", "'=cmd|' /C calc'!A0")
    ]
    # The export itself is in the trail.
    assert [e.action for e in _events(demo)][-1] == "audit.export"


def test_the_export_refuses_a_role_that_may_not(demo, client):
    _seed(demo)
    _, token, _ = agent_session(demo, email=LEE_CHEN)  # customer service
    response = _as(client, token).post(routes.AUDIT_EXPORT_ROUTE, data=RANGE)
    assert response.status_code == 403
    assert refusal(Permission.EXPORT_AUDIT) in response.text
    assert "info_pane.open" not in response.text and len(_events(demo)) == 1


@pytest.mark.parametrize("who", ["nobody", "customer", "read-only view"])
def test_the_export_refuses_anyone_but_an_agency_agent(demo, client, who):
    token = {
        "nobody": None,
        "customer": lambda: customer_session(demo).token,
        "read-only view": lambda: agent_session(demo, RIVERA).token,
    }[who]
    response = _as(client, token() if token else None).post(routes.AUDIT_EXPORT_ROUTE, data=RANGE)
    assert response.status_code == 403 and "text/csv" not in response.headers["content-type"]


def test_the_export_refuses_another_origin(demo, client):
    _seed(demo)
    _, token, _ = agent_session(demo)
    response = _as(client, token).post(
        routes.AUDIT_EXPORT_ROUTE, data=RANGE, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403 and "info_pane.open" not in response.text


def test_the_export_says_what_is_wrong_with_the_range(demo, client):
    _, token, _ = agent_session(demo)
    response = _as(client, token).post(
        routes.AUDIT_EXPORT_ROUTE, data={"date_from": "2026-03-02", "date_to": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "The end date is before the start date." in response.text
    assert _events(demo) == []
