"""Receipts leave through the authorised download route: a signed link for this session and
account, the session cookie re-checked, an attachment no cache keeps. Demo data, SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter.http import build_http_app
from clientcenter.http.cookies import session_cookie_name
from clientcenter.models import ActivityLog, Payment
from clientcenter.services.billing import invoices as billing
from clientcenter.services.files import download_links
from tests.support.demo import MORGAN, RIVERA
from tests.support.files import pdf_text
from tests.support.logins import agent_session, customer_session


def _paid(db, account_id) -> Payment:
    return db.exec(
        select(Payment)
        .where(Payment.account_id == account_id, Payment.status == "succeeded")
        .order_by(Payment.id)
    ).first()


@pytest.fixture
def client(demo):
    with TestClient(build_http_app(), base_url="http://localhost:3000") as c:
        yield c


def _get(client, path, token):
    client.cookies.clear()
    return client.get(path, cookies={session_cookie_name(): token})


def test_customer_downloads_a_receipt(demo, client):
    principal, token, _ = customer_session(demo)
    [row, *_] = billing.payment_history(demo, principal)
    assert row.has_receipt
    response = _get(client, download_links.sign(principal, "receipt", row.id), token)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith(
        f'attachment; filename="receipt-{row.receipt_number}.pdf"'
    )
    text = pdf_text(response.content)
    assert f"Payment receipt {row.receipt_number}" in text and row.amount in text
    demo.expire_all()
    logged = demo.exec(
        select(ActivityLog).where(ActivityLog.action_key == "customer.download_documents")
    ).all()
    assert [e.details["category"] for e in logged] == ["receipt"]


def test_a_receipt_link_is_useless_to_another_account_or_session(demo, client):
    pat, pat_token, _ = customer_session(demo)
    morgan, morgan_token, _ = customer_session(demo, MORGAN)
    payment = _paid(demo, pat.account_id)
    path = download_links.sign(pat, "receipt", payment.id)
    assert _get(client, path, morgan_token).status_code == 404  # someone else's browser
    # a link Morgan signs for Pat's payment is refused by the service's account check
    assert (
        _get(client, download_links.sign(morgan, "receipt", payment.id), morgan_token).status_code
        == 404
    )
    assert _get(client, path, pat_token).status_code == 200


def test_agent_in_read_only_mode_downloads_the_customers_receipt(demo, client):
    principal, token, _ = agent_session(demo, RIVERA)
    payment = _paid(demo, principal.account_id)
    response = _get(client, download_links.sign(principal, "receipt", payment.id), token)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    demo.expire_all()
    assert (
        demo.exec(
            select(ActivityLog).where(ActivityLog.action_key == "agent.download_documents")
        ).first()
        is not None
    )
