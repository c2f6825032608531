"""Documents: listing, search, download and uploads, with every refusal and its matrix effect."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from clientcenter.db import session_scope
from clientcenter.models import ActivityLog, Agent, Document, OutboxMessage, Task
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ReadOnlyRefused
from clientcenter.services.files import storage, storage_disk
from clientcenter.services.files.scanning import ScanVerdict, basic_scan
from clientcenter.services.portal import documents
from clientcenter.services.portal.documents import UploadRefused
from clientcenter.services.principal import Principal
from tests.support.checks import count, footprint
from tests.support.demo import (
    LEE,
    PAT,
    RIVERA,
    SAM,
    account_named,
    agent_viewing,
    customer,
    policy_of,
)
from tests.support.files import EXE_HEAD, JPEG_HEAD, PNG_1PX, sample_docx, sample_pdf


def _add_doc(
    session,
    account_name,
    *,
    title,
    shared=True,
    scan="clean",
    days_ago=0,
    category="correspondence",
    policy=None,
):
    account = account_named(session, account_name)
    stored = storage.save_bytes(sample_pdf(title))
    doc = Document(
        account_id=account.id,
        policy_id=policy.id if policy else None,
        category=category,
        title=title,
        filename=f"{title}.pdf",
        storage_key=stored.storage_key,
        content_type="application/pdf",
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        shared_with_customer=shared,
        scan_status=scan,
        created_at=datetime.now(UTC) - timedelta(days=days_ago),
    )
    session.add(doc)
    session.commit()
    return doc


# --- listing -------------------------------------------------------------------------------


def test_list_is_newest_first_and_only_shared_clean_documents(demo):
    pat = customer(demo, PAT)
    fresh = _add_doc(demo, RIVERA, title="Welcome letter", days_ago=0)
    hidden = _add_doc(demo, RIVERA, title="Internal underwriting notes", shared=False)
    pending = _add_doc(demo, RIVERA, title="Unscanned upload", scan="pending")
    rejected = _add_doc(demo, RIVERA, title="Rejected upload", scan="rejected")
    items = documents.list_documents(demo, pat)
    ids = [i.id for i in items]
    assert ids[0] == fresh.id
    assert hidden.id not in ids and pending.id not in ids and rejected.id not in ids
    stamps = [i.created_at for i in items]
    assert stamps == sorted(stamps, reverse=True)
    account = account_named(demo, RIVERA)
    expected = demo.exec(
        select(Document.id).where(
            Document.account_id == account.id,
            Document.shared_with_customer == True,  # noqa: E712
            Document.scan_status == "clean",
        )
    ).all()
    assert sorted(ids) == sorted(expected)


def test_filter_by_policy_and_category(demo):
    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    by_policy = documents.list_documents(demo, pat, policy_id=auto.id)
    assert by_policy and all(i.policy_id == auto.id for i in by_policy)
    assert all(auto.number in i.policy_label for i in by_policy)
    invoices = documents.list_documents(demo, pat, category="invoice")
    assert invoices and {i.category for i in invoices} == {"invoice"}
    both = documents.list_documents(demo, pat, policy_id=auto.id, category="declarations")
    assert len(both) == 1 and both[0].category_label == "Declarations"
    with pytest.raises(InvalidInput, match="category"):
        documents.list_documents(demo, pat, category="secret_stuff")


def test_search_matches_title_policy_number_carrier_and_category(demo):
    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    assert {i.policy_id for i in documents.list_documents(demo, pat, query=auto.number)} == {
        auto.id
    }
    decl = documents.list_documents(demo, pat, query="DECLARATIONS")
    assert decl and all("declarations" in i.title.lower() for i in decl)
    assert {i.category for i in documents.list_documents(demo, pat, query="invoice")} == {
        "invoice"
    }
    assert documents.list_documents(demo, pat, query="no such thing at all") == []
    # LIKE wildcards are searched for literally, not as patterns.
    assert documents.list_documents(demo, pat, query="%") == []
    assert documents.list_documents(demo, pat, query="_") == []
    with pytest.raises(InvalidInput, match="at most"):
        documents.list_documents(demo, pat, query="x" * 101)


def test_another_accounts_documents_never_appear(demo):
    pat = customer(demo, PAT)
    jordan_doc = _add_doc(demo, LEE, title="Jordan private letter")
    jordan_auto = policy_of(demo, LEE, "auto")
    assert jordan_doc.id not in [i.id for i in documents.list_documents(demo, pat)]
    assert documents.list_documents(demo, pat, query="Jordan private") == []
    assert documents.list_documents(demo, pat, policy_id=jordan_auto.id) == []
    policies, _ = documents.document_filters(demo, pat)
    assert jordan_auto.id not in [pid for pid, _ in policies]


def test_filters_offer_the_accounts_policies_and_present_categories(demo):
    policies, categories = documents.document_filters(demo, customer(demo, PAT))
    assert {label.split(" · ")[1] for _, label in policies} == {
        policy_of(demo, RIVERA, line).number for line in ("auto", "home", "umbrella")
    }
    assert ("declarations", "Declarations") in categories
    assert "customer_upload" not in dict(categories)


# --- download ------------------------------------------------------------------------------


def test_download_returns_the_bytes_and_logs_only(demo):
    pat = customer(demo, PAT)
    item = documents.list_documents(demo, pat, category="declarations")[0]
    before = footprint(demo)
    sent = documents.download_document(demo, pat, item.id)
    demo.commit()
    assert b"".join(sent.data.chunks).startswith(b"%PDF") and sent.filename.endswith(".pdf")
    assert sent.content_type == "application/pdf"
    after = footprint(demo)
    # The default matrix for customer.download_documents: activity log only.
    assert after["activity"] == before["activity"] + 1
    assert (after["tasks"], after["outbox"]) == (before["tasks"], before["outbox"])
    entry = demo.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "customer.download_documents"
    assert entry.details["document_id"] == item.id and not entry.read_only


def test_agent_read_only_download_is_the_agent_action(demo):
    agent = agent_viewing(demo, RIVERA)
    item = documents.list_documents(demo, agent)[0]
    documents.download_document(demo, agent, item.id)
    demo.commit()
    entry = demo.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "agent.download_documents" and entry.read_only
    assert entry.actor_agent_id == agent.agent_id


@pytest.mark.parametrize("which", ["other_account", "unshared", "pending", "missing"])
def test_download_refusals_look_absent_and_record_nothing(demo, which):
    pat = customer(demo, PAT)
    doc_id = {
        "other_account": lambda: _add_doc(demo, LEE, title="Jordan letter").id,
        "unshared": lambda: _add_doc(demo, RIVERA, title="Internal", shared=False).id,
        "pending": lambda: _add_doc(demo, RIVERA, title="Scanning", scan="pending").id,
        "missing": lambda: 987_654,
    }[which]()
    before = footprint(demo)
    with pytest.raises(NotFound, match="couldn't find that document"):
        documents.download_document(demo, pat, doc_id)
    with pytest.raises(NotFound):
        documents.get_document(demo, pat, doc_id)
    assert footprint(demo) == before


# --- upload --------------------------------------------------------------------------------


def test_upload_a_pdf_stores_privately_and_notifies_per_the_matrix(demo):
    sam = customer(demo, SAM)
    auto = policy_of(demo, RIVERA, "auto")
    data = sample_pdf()
    before = footprint(demo)
    item = documents.upload_document(
        demo,
        sam,
        original_name="../../etc/Window sticker!.pdf",
        data=data,
        title="New car window sticker",
        policy_id=auto.id,
    )
    demo.commit()
    doc = demo.get(Document, item.id)
    assert doc.category == "customer_upload" and doc.scan_status == "clean"
    assert doc.uploaded_by_contact_id == sam.contact_id and doc.policy_id == auto.id
    # Server-chosen names: a random storage key; a display name with no path or odd characters.
    assert doc.filename == "Window sticker.pdf" and doc.storage_key.isalnum()
    assert storage.read_bytes(doc.storage_key) == data
    path = next(storage.store().root.rglob(doc.storage_key))
    assert ".web" not in path.parts and "uploaded_files" not in path.parts
    # The customer sees their own upload at the top of the list.
    assert documents.list_documents(demo, sam)[0].id == doc.id
    after = footprint(demo)
    assert after["documents"] == before["documents"] + 1 and after["files"] == before["files"] + 1
    entry = demo.exec(
        select(ActivityLog).where(ActivityLog.action_key == "customer.upload_documents")
    ).one()
    assert entry.details["document_id"] == doc.id and entry.actor_contact_id == sam.contact_id
    assert count(demo, Task, Task.activity_id == entry.id) == 1
    kinds = {
        m.recipient_kind
        for m in demo.exec(
            select(OutboxMessage).where(OutboxMessage.activity_id == entry.id)
        ).all()
    }
    # AE to the producer, CE to Sam, PA to Pat because a co-applicant acted.
    assert kinds == {"agent", "customer", "primary"}


def _stored_path(db, item) -> Path:
    path = next(storage.store().root.rglob(db.get(Document, item.id).storage_key))
    assert path.read_bytes()
    return path


def _duplicate_agent(db) -> None:
    """A row the database refuses when the transaction commits (its email is taken)."""
    taken = db.exec(select(Agent.email)).first()
    db.add(Agent(email=taken, first_name="Dup", last_name="Licate"))


class _CommitRefused(OperationalError):
    def __init__(self):
        super().__init__("COMMIT", {}, Exception("the database refused the commit"))


@pytest.mark.parametrize("failure", ["a row is refused", "COMMIT is refused"])
def test_an_upload_whose_transaction_does_not_commit_leaves_no_file(demo, failure):
    """The state's unit of work (session_scope) as the upload and attach handlers use it."""
    pat = customer(demo, PAT)
    before = footprint(demo)
    engine = demo.get_bind()

    def refuse_commit(_conn):
        raise _CommitRefused()

    with pytest.raises(IntegrityError if failure == "a row is refused" else OperationalError):
        with session_scope() as db:
            item = documents.upload_document(db, pat, original_name="a.pdf", data=sample_pdf())
            path = _stored_path(db, item)
            if failure == "a row is refused":
                _duplicate_agent(db)
            else:
                event.listen(db.get_bind(), "commit", refuse_commit)
    if failure == "COMMIT is refused":
        event.remove(engine, "commit", refuse_commit)
    assert not path.exists()
    assert footprint(demo) == before


def test_an_upload_in_a_session_closed_without_commit_leaves_no_file(demo):
    pat = customer(demo, PAT)
    before = footprint(demo)
    with Session(demo.get_bind()) as db:
        path = _stored_path(
            db, documents.upload_document(db, pat, original_name="a.pdf", data=sample_pdf())
        )
    assert not path.exists()
    assert footprint(demo) == before


# PostgreSQL only: pysqlite opens no transaction before the first write, so there a SAVEPOINT
# begins the transaction and its RELEASE commits it.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.postgres
def test_an_upload_in_a_released_savepoint_goes_with_the_outer_rollback(demo):
    pat = customer(demo, PAT)
    before = footprint(demo)
    with Session(demo.get_bind()) as db:
        with db.begin_nested():
            path = _stored_path(
                db, documents.upload_document(db, pat, original_name="a.pdf", data=sample_pdf())
            )
        assert path.exists()  # released, not committed
        db.rollback()
        assert not path.exists()
    assert footprint(demo) == before


def test_a_committed_upload_keeps_its_file_whatever_the_session_does_next(demo):
    pat = customer(demo, PAT)
    with Session(demo.get_bind()) as db:
        item = documents.upload_document(db, pat, original_name="a.pdf", data=sample_pdf())
        path = _stored_path(db, item)
        db.commit()
        _duplicate_agent(db)
        with pytest.raises(IntegrityError):
            db.commit()
        db.rollback()
    assert path.exists() and demo.get(Document, item.id) is not None


def test_a_failed_write_leaves_no_partial_file(demo, monkeypatch):
    pat = customer(demo, PAT)
    before = footprint(demo)

    def disk_full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage_disk.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        documents.upload_document(demo, pat, original_name="a.pdf", data=sample_pdf())
    assert footprint(demo) == before


def test_a_photo_named_pdf_is_stored_as_what_it_is(demo):
    pat = customer(demo, PAT)
    item = documents.upload_document(demo, pat, original_name="scan.pdf", data=PNG_1PX)
    assert item.content_type == "image/png" and item.filename == "scan.png"
    jpeg = documents.upload_document(demo, pat, original_name="IMG_0001", data=JPEG_HEAD)
    assert jpeg.content_type == "image/jpeg" and jpeg.filename == "IMG_0001.jpg"
    word = documents.upload_document(demo, pat, original_name="letter.docx", data=sample_docx())
    assert word.filename == "letter.docx"


@pytest.mark.parametrize(
    "name,make,message",
    [
        ("statement.pdf", lambda: EXE_HEAD, "can't be uploaded"),  # a program named like a PDF
        ("notes.pdf", lambda: b"just some text pretending to be a PDF", "can't be uploaded"),
        ("archive.zip", lambda: sample_docx().replace(b"word/", b"wxyz/"), "can't be uploaded"),
        ("empty.pdf", lambda: b"", "empty"),
        (
            "script.pdf",
            lambda: sample_pdf().replace(b"/Type /Catalog", b"/Type /Catalog /JavaScript 1 0 R"),
            "scripts",
        ),
        ("macro.docx", lambda: sample_docx(with_macros=True), "macros"),
    ],
)
def test_refused_uploads_say_why_and_store_nothing(demo, name, make, message):
    pat = customer(demo, PAT)
    before = footprint(demo)
    with pytest.raises(UploadRefused, match=message):
        documents.upload_document(demo, pat, original_name=name, data=make())
    demo.commit()
    assert footprint(demo) == before


def test_too_large_is_refused_with_the_limit(demo, monkeypatch):
    monkeypatch.setenv("CC_SECURITY__UPLOAD_MAX_BYTES", "2048")
    from clientcenter.settings import reset_settings_cache

    reset_settings_cache()
    pat = customer(demo, PAT)
    before = footprint(demo)
    big = sample_pdf("x" * 5000)
    assert len(big) > 2048
    with pytest.raises(UploadRefused, match=r"too large .* limit is 2 KB"):
        documents.upload_document(demo, pat, original_name="big.pdf", data=big)
    assert footprint(demo) == before


def test_read_only_agent_cannot_upload_and_the_attempt_is_logged(demo, caplog):
    agent = agent_viewing(demo, RIVERA)
    before = footprint(demo)
    with caplog.at_level(logging.WARNING, logger="clientcenter.security"):
        with pytest.raises(ReadOnlyRefused, match="Read-only"):
            documents.upload_document(demo, agent, original_name="a.pdf", data=sample_pdf())
    assert footprint(demo) == before
    assert any(
        "refused write in read-only mode: action=customer.upload_documents" in r.getMessage()
        and f"agent_id={agent.agent_id}" in r.getMessage()
        and f"account_id={agent.account_id}" in r.getMessage()
        for r in caplog.records
    )
    agency_side = Principal.agency(agent.agent_id)
    with pytest.raises(NotAllowed):
        documents.upload_document(demo, agency_side, original_name="a.pdf", data=sample_pdf())


def test_upload_to_another_accounts_policy_is_refused(demo):
    pat = customer(demo, PAT)
    before = footprint(demo)
    with pytest.raises(NotFound):
        documents.upload_document(
            demo,
            pat,
            original_name="a.pdf",
            data=sample_pdf(),
            policy_id=policy_of(demo, LEE, "auto").id,
        )
    assert footprint(demo) == before


def test_title_is_cleaned_and_bounded(demo):
    pat = customer(demo, PAT)
    item = documents.upload_document(
        demo, pat, original_name="a.pdf", data=sample_pdf(), title="  Proof\x00 of\n address  "
    )
    assert item.title == "Proof of address"
    with pytest.raises(InvalidInput, match="under 120"):
        documents.upload_document(
            demo, pat, original_name="a.pdf", data=sample_pdf(), title="y" * 121
        )


def pending_scanner(data: bytes, content_type: str) -> ScanVerdict:
    return ScanVerdict("pending")


def test_a_pluggable_scanner_can_hold_files_back_until_clean(demo, monkeypatch):
    from clientcenter.settings import reset_settings_cache

    monkeypatch.setenv(
        "CC_SECURITY__UPLOAD_SCANNER", "tests.services.portal.test_documents:pending_scanner"
    )
    reset_settings_cache()
    pat = customer(demo, PAT)
    item = documents.upload_document(demo, pat, original_name="a.pdf", data=sample_pdf())
    demo.commit()
    assert demo.get(Document, item.id).scan_status == "pending"
    assert item.id not in [i.id for i in documents.list_documents(demo, pat)]
    with pytest.raises(NotFound):
        documents.download_document(demo, pat, item.id)
    demo.get(Document, item.id).scan_status = "clean"  # what a real scanner does later
    demo.commit()
    assert documents.list_documents(demo, pat)[0].id == item.id


def test_basic_scan_passes_ordinary_files():
    assert basic_scan(PNG_1PX, "image/png").status == "clean"
    assert (
        basic_scan(
            sample_docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ).status
        == "clean"
    )
    truncated = sample_pdf()[:-200]
    assert basic_scan(truncated, "application/pdf").status == "rejected"
