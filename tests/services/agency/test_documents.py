"""Documents from the agency side: upload a draft or internal document, publish a draft.

The customer sees a document only once published, never an internal one (list, download
route, shared link); publishing is the Policies/Invoices row; every refusal stores nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter.http import build_http_app
from clientcenter.http.cookies import session_cookie_name
from clientcenter.models import ActivityLog, Document, OutboxMessage
from clientcenter.models.audit import AuditEvent
from clientcenter.services.agency import documents as agency_documents
from clientcenter.services.agency.actions import publishable, share_document
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.files import download_links
from clientcenter.services.portal import documents as portal_documents
from tests.support.demo import (
    AGENT,
    LEE,
    LEE_CHEN,
    RIVERA,
    ROBIN,
    account_named,
    agency_agent,
    policy_of,
)
from tests.support.files import EXE_HEAD, sample_pdf
from tests.support.logins import customer_session


def _upload(session, principal, account, **overrides):
    fields = dict(
        original_name="Dec page.pdf",
        data=sample_pdf("2026 declarations"),
        kind="declarations",
        title="2026 Auto Declarations",
        internal=False,
    )
    fields.update(overrides)
    return agency_documents.upload_agency_document(session, principal, account.id, **fields)


def _stored(root: Path) -> set[str]:
    return {p.name for p in (root / "files").rglob("*") if p.is_file()}


def _customer_titles(session, principal) -> list[str]:
    return [d.title for d in portal_documents.list_documents(session, principal)]


def test_upload_is_a_draft_then_publish_shows_it_and_tells_the_customer(demo):
    agent = agency_agent(demo, AGENT)
    rivera = account_named(demo, RIVERA)
    auto = policy_of(demo, RIVERA, "auto")
    pat, _, _ = customer_session(demo)
    outbox_before = len(demo.exec(select(OutboxMessage)).all())

    item = _upload(demo, agent, rivera, policy_id=auto.id)
    demo.commit()
    assert (item.status, item.status_label, item.may_publish) == ("draft", "Draft", True)
    assert item.policy_label.endswith(auto.number)
    doc = demo.get(Document, item.id)
    assert (doc.shared_with_customer, doc.internal, doc.uploaded_by_agent_id) == (
        False,
        False,
        agent.agent_id,
    )
    assert doc.filename == "Dec page.pdf"
    assert "2026 Auto Declarations" not in _customer_titles(demo, pat)
    # Logged (and in the audit trail as a write), nobody told.
    entry = demo.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "agency.upload_document" and entry.details["document_id"] == doc.id
    audit = demo.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert audit.action == "agency.upload_document" and audit.kind == "write"
    assert len(demo.exec(select(OutboxMessage)).all()) == outbox_before
    # It is among what the Publish page offers, too.
    assert (doc.id, doc.title) in publishable(demo, agent, rivera.id).documents

    done = agency_documents.publish_document(demo, agent, rivera.id, doc.id)
    demo.commit()
    assert "Published 1 document" in done.message
    assert "2026 Auto Declarations" in _customer_titles(demo, pat)
    entry = demo.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "agency.publish_policies_invoices"
    assert entry.details["document_ids"] == [doc.id]
    assert len(demo.exec(select(OutboxMessage)).all()) > outbox_before  # the customer's email
    listed = {d.id: d for d in agency_documents.account_documents(demo, agent, rivera.id)}
    assert listed[doc.id].status == "published" and not listed[doc.id].may_publish
    with pytest.raises(InvalidInput, match="published already"):
        agency_documents.publish_document(demo, agent, rivera.id, doc.id)


def test_internal_stays_agency_only_for_good(demo, isolated_settings):
    agent = agency_agent(demo, AGENT)
    rivera = account_named(demo, RIVERA)
    pat, token, _ = customer_session(demo)
    internal = _upload(demo, agent, rivera, title="Claim call notes", internal=True)
    note = _upload(demo, agent, rivera, title="Underwriter note", kind="internal_note")
    demo.commit()
    assert internal.status == note.status == "internal" and not internal.may_publish
    assert demo.get(Document, note.id).internal  # an internal note is internal whatever asked
    for doc_id in (internal.id, note.id):
        with pytest.raises(InvalidInput, match="internal to the agency"):
            agency_documents.publish_document(demo, agent, rivera.id, doc_id)
        with pytest.raises(InvalidInput, match="internal to the agency"):
            share_document(demo, agent, rivera.id, doc_id, "email")
    demo.rollback()
    assert doc_ids_not_in(publishable(demo, agent, rivera.id).documents, internal.id, note.id)
    # Even set shared by hand, an internal document reaches no customer.
    row = demo.get(Document, internal.id)
    row.shared_with_customer = True
    demo.add(row)
    demo.commit()
    assert "Claim call notes" not in _customer_titles(demo, pat)
    with pytest.raises(NotFound):
        portal_documents.download_document(demo, pat, internal.id)
    with TestClient(build_http_app(), base_url="http://localhost:3000") as client:
        for doc_id in (internal.id, _upload(demo, agent, rivera, title="Draft").id):
            demo.commit()
            link = download_links.sign(pat, "document", doc_id)
            client.cookies.clear()
            response = client.get(link, cookies={session_cookie_name(): token})
            assert response.status_code == 404, doc_id


def doc_ids_not_in(pairs, *ids) -> bool:
    return not ({i for i, _ in pairs} & set(ids))


def test_refusals_store_nothing(demo, isolated_settings):
    agent = agency_agent(demo, AGENT)
    rivera = account_named(demo, RIVERA)
    lee_policy = policy_of(demo, LEE, "auto") if _has_auto(demo, LEE) else None
    before = _stored(isolated_settings)
    cases = [
        (dict(data=EXE_HEAD, original_name="setup.pdf"), "can't be uploaded"),
        (dict(data=b""), "empty"),
        (dict(kind="customer_upload"), "what kind"),
        (dict(kind="horoscope"), "what kind"),
        (dict(title="   "), "title"),
        (dict(title="x" * 200), "under"),
        (dict(policy_id=999_999), "not on this account"),
        (dict(policy_id="abc"), "not on this account"),
    ]
    if lee_policy is not None:
        cases.append((dict(policy_id=lee_policy.id), "not on this account"))
    for overrides, message in cases:
        with pytest.raises((InvalidInput, NotFound), match=message):
            _upload(demo, agent, rivera, **overrides)
        demo.rollback()
    with pytest.raises(NotFound, match="No such customer account"):
        agency_documents.upload_agency_document(
            demo,
            agent,
            999_999,
            original_name="a.pdf",
            data=sample_pdf(),
            kind="other",
            title="x",
            internal=False,
        )
    demo.rollback()
    assert _stored(isolated_settings) == before
    assert not demo.exec(select(Document).where(Document.uploaded_by_agent_id.is_not(None))).all()


def _has_auto(session, name) -> bool:
    try:
        policy_of(session, name, "auto")
    except Exception:
        return False
    return True


def test_a_rollback_deletes_the_stored_bytes(demo, isolated_settings):
    before = _stored(isolated_settings)
    _upload(demo, agency_agent(demo, AGENT), account_named(demo, RIVERA))
    assert len(_stored(isolated_settings) - before) == 1
    demo.rollback()
    assert _stored(isolated_settings) == before


def test_another_accounts_document_cannot_be_published_from_this_one(demo):
    agent = agency_agent(demo, AGENT)
    rivera, lee = account_named(demo, RIVERA), account_named(demo, LEE)
    draft = _upload(demo, agent, lee, title="Lee's declarations")
    demo.commit()
    with pytest.raises(NotFound, match="not on this account"):
        agency_documents.publish_document(demo, agent, rivera.id, draft.id)
    with pytest.raises(NotFound, match="not on this account"):
        agency_documents.publish_document(demo, agent, rivera.id, "nonsense")
    demo.rollback()
    assert not demo.get(Document, draft.id).shared_with_customer
    assert draft.id not in {
        d.id for d in agency_documents.account_documents(demo, agent, rivera.id)
    }


def test_roles(demo):
    rivera = account_named(demo, RIVERA)
    service = agency_agent(demo, LEE_CHEN)  # customer service: uploads, does not publish
    draft = _upload(demo, service, rivera)
    demo.commit()
    with pytest.raises(NotAllowed, match="publish"):
        agency_documents.publish_document(demo, service, rivera.id, draft.id)
    auditor = agency_agent(demo, ROBIN)
    with pytest.raises(NotAllowed, match="share documents"):
        _upload(demo, auditor, rivera)
    with pytest.raises(NotAllowed, match="share documents"):
        agency_documents.account_documents(demo, auditor, rivera.id)
    with pytest.raises(NotAllowed):
        agency_documents.upload_agency_document(
            demo,
            None,
            rivera.id,
            original_name="a.pdf",
            data=sample_pdf(),
            kind="other",
            title="x",
            internal=False,
        )


def test_the_list_stops_at_the_newest(demo, monkeypatch):
    monkeypatch.setattr(agency_documents, "MAX_LISTED", 2)
    agent = agency_agent(demo, AGENT)
    rivera = account_named(demo, RIVERA)
    newest = _upload(demo, agent, rivera, title="Newest")
    listed = agency_documents.account_documents(demo, agent, rivera.id)
    assert len(listed) == 2 and listed[0].id == newest.id
