"""The download route: signed link + the browser's own live session + the account, every time."""

from __future__ import annotations

import time

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter import routes
from clientcenter.http import build_http_app
from clientcenter.http.cookies import session_cookie_name
from clientcenter.http.deps import content_disposition
from clientcenter.models import ActivityLog, Vehicle
from clientcenter.services.auth.sessions import revoke_token
from clientcenter.services.files import download_links
from clientcenter.services.portal import documents
from tests.support.checks import footprint
from tests.support.demo import (
    JORDAN,
    LEE,
    RIVERA,
    policy_of,
)
from tests.support.files import pdf_text
from tests.support.logins import agent_session, customer_session


@pytest.fixture
def client(demo):
    with TestClient(build_http_app(), base_url="http://localhost:3000") as c:
        yield c


def _get(client, path, token=None):
    cookies = {session_cookie_name(): token} if token else {}
    client.cookies.clear()
    return client.get(path, cookies=cookies)


def _assert_safe_headers(response):
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_document_download_end_to_end(demo, client):
    principal, token, _ = customer_session(demo)
    doc = documents.list_documents(demo, principal, category="declarations")[0]
    response = _get(client, download_links.sign(principal, "document", doc.id), token)
    assert response.status_code == 200
    _assert_safe_headers(response)
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) == doc.size_bytes
    demo.expire_all()
    entry = demo.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "customer.download_documents"
    assert entry.details["document_id"] == doc.id


def test_id_cards_download_carries_the_vins(demo, client):
    principal, token, _ = customer_session(demo)
    auto = policy_of(demo, RIVERA, "auto")
    vehicles = demo.exec(select(Vehicle).where(Vehicle.policy_id == auto.id)).all()
    one = _get(
        client,
        download_links.sign(principal, "idcards", auto.id, vehicle_ids=[vehicles[1].id]),
        token,
    )
    assert one.status_code == 200
    _assert_safe_headers(one)
    assert "attachment" in one.headers["content-disposition"]
    text = pdf_text(one.content)
    assert vehicles[1].vin in text and vehicles[0].vin not in text
    every = _get(client, download_links.sign(principal, "idcards", auto.id), token)
    assert all(v.vin in pdf_text(every.content) for v in vehicles)
    demo.expire_all()
    keys = demo.exec(select(ActivityLog.action_key).order_by(ActivityLog.id.desc())).all()[:2]
    assert keys == ["customer.id_card_download"] * 2


def test_agent_in_read_only_mode_downloads_as_the_agent(demo, client):
    principal, token, _ = agent_session(demo, RIVERA)
    doc = documents.list_documents(demo, principal)[0]
    response = _get(client, download_links.sign(principal, "document", doc.id), token)
    assert response.status_code == 200
    demo.expire_all()
    entry = demo.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "agent.download_documents" and entry.read_only


def test_refused_links_look_alike_and_record_nothing(demo, client):
    principal, token, _ = customer_session(demo)
    doc = documents.list_documents(demo, principal)[0]
    good = download_links.sign(principal, "document", doc.id)
    _, other_token, _ = customer_session(demo)  # the same person in another browser
    jordan, jordan_token, _ = customer_session(demo, JORDAN, LEE)
    jordan_doc = documents.list_documents(demo, jordan)[0]
    jordan_auto = policy_of(demo, LEE, "auto")
    before = footprint(demo)
    cases = {
        "no cookie": (good, None),
        "another session": (good, other_token),
        "another account's session": (good, jordan_token),
        "garbage cookie": (good, "x" * 43),
        # A link minted for my session but naming another account's objects.
        "other account's document": (
            download_links.sign(principal, "document", jordan_doc.id),
            token,
        ),
        "other account's policy": (
            download_links.sign(principal, "idcards", jordan_auto.id),
            token,
        ),
        "missing document": (download_links.sign(principal, "document", 10**7), token),
    }
    for name, (path, cookie) in cases.items():
        response = _get(client, path, cookie)
        assert response.status_code == 404, name
        assert "not available" in response.text, name
        assert "content-disposition" not in response.headers, name
        _assert_safe_headers(response)
    demo.expire_all()
    assert footprint(demo) == before


def test_tampered_and_expired_links(demo, client):
    principal, token, _ = customer_session(demo)
    doc = documents.list_documents(demo, principal)[0]
    good = download_links.sign(principal, "document", doc.id)
    body, mac = good[len(routes.FILES_PREFIX) :].split(".")
    other = documents.list_documents(demo, principal)[1]
    forged_body = download_links.sign(principal, "document", other.id)[len(routes.FILES_PREFIX) :]
    tampered = routes.FILES_PREFIX + forged_body.split(".")[0] + "." + mac
    assert _get(client, tampered, token).status_code == 404
    assert _get(client, routes.FILES_PREFIX + body + "." + mac[::-1], token).status_code == 404
    expired = download_links.sign(
        principal, "document", doc.id, now=time.time() - download_links.LINK_TTL_SECONDS - 5
    )
    response = _get(client, expired, token)
    assert response.status_code == 410 and "expired" in response.text
    _assert_safe_headers(response)
    assert _get(client, good, token).status_code == 200  # the real one still works


def test_logout_kills_outstanding_links(demo, client):
    principal, token, _ = customer_session(demo)
    doc = documents.list_documents(demo, principal)[0]
    path = download_links.sign(principal, "document", doc.id)
    revoke_token(demo, token)
    demo.commit()
    assert _get(client, path, token).status_code == 404


def test_content_disposition_is_safe_for_any_name():
    header = content_disposition('Déclarations "2026"\r\n.pdf')
    assert header.startswith('attachment; filename="D_clarations _2026___.pdf"')
    assert "filename*=UTF-8''D%C3%A9clarations%20%222026%22%0D%0A.pdf" in header
    assert "\r" not in header and "\n" not in header


def test_upload_endpoint_refuses_oversized_bodies_before_reading(client):
    too_big = str(10 * 1024 * 1024 + 65 * 1024)
    response = client.post("/_upload", headers={"content-length": too_big}, content=b"")
    assert response.status_code == 413
    response = client.post("/_upload", content=iter([b"x" * 10]))  # chunked: no length
    assert response.status_code == 411
