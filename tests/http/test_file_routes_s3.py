"""The download route with the S3 store: the signed, session-checked route streams the object
from the bucket (moto's server on 127.0.0.1) with its length and the usual headers."""

from __future__ import annotations

import os

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter.http import build_http_app
from clientcenter.http.cookies import session_cookie_name
from clientcenter.models import ActivityLog, Document
from clientcenter.services.files import download_links, storage
from clientcenter.services.portal import documents
from tests.support.logins import customer_session
from tests.support.s3 import s3_server, s3_store  # noqa: F401  (fixtures)


@pytest.fixture
def client(demo):
    with TestClient(build_http_app(), base_url="http://localhost:3000") as c:
        yield c


def _download(client, link, token):
    client.cookies.clear()
    return client.get(link, cookies={session_cookie_name(): token})


def test_a_document_in_the_bucket_downloads_through_the_signed_route(demo, client, s3_store):
    principal, token, _ = customer_session(demo)
    item = documents.list_documents(demo, principal, category="declarations")[0]
    data = b"%PDF-1.4\n" + os.urandom(5 * storage.CHUNK_BYTES)  # several chunks' worth
    stored = storage.save_bytes(data, session=demo)
    doc = demo.get(Document, item.id)
    doc.storage_key, doc.size_bytes = stored.storage_key, stored.size_bytes
    demo.commit()
    assert s3_store.object_keys() == {f"files/{stored.storage_key[:2]}/{stored.storage_key}"}

    link = download_links.sign(principal, "document", item.id)
    response = _download(client, link, token)
    assert response.status_code == 200 and response.content == data
    assert response.headers["content-length"] == str(len(data))
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    demo.expire_all()
    entry = demo.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "customer.download_documents"

    # The link stays bound to the browser's session; a gone object is a plain 404.
    assert _download(client, link, "another-session").status_code == 404
    s3_store.client.delete_object(Bucket=s3_store.name, Key=next(iter(s3_store.object_keys())))
    assert _download(client, link, token).status_code == 404
