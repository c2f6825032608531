"""Documents through the API: a file is added internal-only after the upload's own checks,
published by the agency's Policies/Invoices action (the customer then sees it), and
unpublished; the documents scope is needed, and refusals store nothing."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from clientcenter.models import ActivityLog, Document
from clientcenter.services.access import ScopeMissing
from clientcenter.services.api import resources
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.portal import documents as portal_documents
from tests.services.api.conftest import make_key
from tests.support.demo import PAT, RIVERA, account_named, customer
from tests.support.files import EXE_HEAD, sample_pdf


@pytest.fixture
def filer(demo):
    return make_key(demo, "documents")[1]


def _count(db) -> int:
    return db.exec(select(func.count()).select_from(Document)).one()


def _titles(db) -> set[str]:
    return {d.title for d in portal_documents.list_documents(db, customer(db, PAT))}


def test_added_then_published_then_unpublished(demo, filer):
    account = account_named(demo, RIVERA)
    added = resources.add_document(
        demo,
        filer,
        account.id,
        sample_pdf(),
        title="Renewal 2027",
        category="declarations",
        policy_id=None,
    )
    assert (added["published"], added["content_type"], added["scan_status"]) == (
        False,
        "application/pdf",
        "clean",
    )
    assert "Renewal 2027" not in _titles(demo)
    published = resources.publish_document(demo, filer, added["id"])
    assert published["published"] and "Renewal 2027" in _titles(demo)
    entry = demo.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "agency.publish_policies_invoices"
    assert resources.publish_document(demo, filer, added["id"])["published"]  # again: no-op
    assert not resources.unpublish_document(demo, filer, added["id"])["published"]
    assert "Renewal 2027" not in _titles(demo)


@pytest.mark.parametrize(
    "data, kw, field",
    [
        (b"", {}, "file"),
        (EXE_HEAD, {}, "file"),
        (sample_pdf(), {"category": "customer_upload"}, "category"),
        (sample_pdf(), {"title": " "}, "title"),
    ],
)
def test_refusals_store_nothing(demo, filer, data, kw, field):
    before = _count(demo)
    args = {"title": "x", "category": "other", "policy_id": None, **kw}
    with pytest.raises(InvalidInput) as refused:
        resources.add_document(demo, filer, account_named(demo, RIVERA).id, data, **args)
    assert refused.value.field == field and _count(demo) == before


def test_missing_ids_and_scopes(demo, filer):
    with pytest.raises(NotFound):
        resources.add_document(
            demo, filer, 99999, sample_pdf(), title="x", category="other", policy_id=None
        )
    with pytest.raises(NotFound):
        resources.publish_document(demo, filer, 99999)
    _, reader = make_key(demo, "read", "write", name="No documents")
    with pytest.raises(ScopeMissing, match='"documents"'):
        resources.publish_document(demo, reader, 1)


def test_an_accounts_documents_are_listed_a_page_at_a_time(demo, filer):
    account = account_named(demo, RIVERA)
    added = resources.add_document(
        demo, filer, account.id, sample_pdf(), title="Listed", category="other", policy_id=None
    )
    on_file = demo.exec(
        select(func.count()).select_from(Document).where(Document.account_id == account.id)
    ).one()
    seen, cursor = [], None
    while True:
        page = resources.list_documents(demo, filer, account.id, limit=2, cursor=cursor)
        seen += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == on_file == len({d["id"] for d in seen})
    assert {"id": added["id"], "internal": False, "published": False}.items() <= next(
        d for d in seen if d["id"] == added["id"]
    ).items()
    with pytest.raises(NotFound):
        resources.list_documents(demo, filer, 99999)
    with pytest.raises(InvalidInput):  # another list's cursor
        other = resources.list_documents(demo, filer, account.id, limit=1).next_cursor
        resources.list_documents(demo, filer, account.id + 1, cursor=other)
    _, reader = make_key(demo, "read", name="Reader")
    with pytest.raises(ScopeMissing, match='"documents"'):
        resources.list_documents(demo, reader, account.id)
