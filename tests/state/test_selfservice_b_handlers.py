"""The requests, certificates, proposals, engagement, profile and integrations handlers, called
as the browser would: each resolves the session cookie itself, refuses another account's ids
(also ids planted in its own state vars), and changes nothing when it refuses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import reflex as rx
from sqlmodel import select

from clientcenter import routes
from clientcenter.models import (
    Certificate,
    CertificateHolder,
    ChangeRequest,
    Claim,
    Policy,
    Proposal,
    Vehicle,
)
from clientcenter.state.base import SessionEnded
from clientcenter.state.portal.certificates import CertificatesState
from clientcenter.state.portal.engagement import ClaimRow, EngagementState
from clientcenter.state.portal.integrations import IntegrationsState
from clientcenter.state.portal.menu import MenuState
from clientcenter.state.portal.profile_edit import ProfileEditState
from clientcenter.state.portal.proposals import ProposalRow, ProposalsState
from clientcenter.state.portal.requests import RequestsState
from tests.support.checks import table_counts
from tests.support.demo import BAKERY, JORDAN, LEE, RIVERA, STUDIO, account_named
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session, customer_session


@pytest.fixture
def database_url(tmp_path, monkeypatch, databases) -> str:
    """SQLite only: these tests are about the handlers; the services they call are tested on
    SQLite and PostgreSQL."""
    import shutil

    from clientcenter import db
    from clientcenter.settings import reset_settings_cache

    url = databases.new_database("sqlite", "demo", tmp_path)
    shutil.copytree(databases.demo_files, tmp_path / "files", dirs_exist_ok=True)
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings_cache()
    db.reset_engine_cache()
    return url


def _unchanged(db, before):
    db.expire_all()
    assert table_counts(db) == before


def test_requests_handlers(demo):
    s = demo
    jordan_auto = s.exec(
        select(Policy).where(Policy.account_id == account_named(s, LEE).id, Policy.line == "auto")
    ).one()
    jordan_vehicle = s.exec(select(Vehicle).where(Vehicle.policy_id == jordan_auto.id)).first()
    state = page_state(RequestsState, customer_session(s).cookie, type="vehicle_remove")
    settle(state.load_personal())
    assert state.subtype == "vehicle_remove" and state.account_kind == "personal"
    assert str(jordan_vehicle.id) not in {v[0] for v in state.vehicles}
    before = table_counts(s)
    settle(
        state.submit(
            {
                "vehicle_id": str(jordan_vehicle.id),
                "reason": "sold",
                "effective_date": date.today().isoformat(),
            }
        )
    )
    assert "not on your policies" in state.form_error and state.sent_reference == ""
    _unchanged(s, before)
    settle(state.choose("teleport"))
    assert state.subtype == ""
    settle(state.submit({"anything": "x"}))
    assert "Choose what you would like to change" in state.form_error
    _unchanged(s, before)

    state = page_state(RequestsState, customer_session(s).cookie)
    settle(state.load_general())
    settle(state.submit({"subject": "Hello", "message": "World", "account_id": "1"}))
    assert state.sent_reference.startswith("GR-") and state.requests[0].title == "General request"
    assert s.exec(select(ChangeRequest)).one().account_id == account_named(s, RIVERA).id


def test_read_only_agent_handlers_refuse_every_write(demo):
    s = demo
    cookie = agent_session(s, RIVERA).cookie
    before = table_counts(s)
    requests_state = page_state(RequestsState, cookie)
    settle(requests_state.load_general())
    assert requests_state.read_only
    settle(requests_state.submit({"subject": "a", "message": "b"}))
    assert "Read-only" in requests_state.form_error
    profile_state = page_state(ProfileEditState, cookie)
    settle(profile_state.load())
    assert profile_state.read_only and not profile_state.is_customer
    settle(
        profile_state.save_personal(
            {"first_name": "X", "last_name": "Y", "email": "x@example.com"}
        )
    )
    settle(profile_state.save_preferences({"notify_by_sms": "on"}))
    settle(
        profile_state.save_co_applicant(
            {"first_name": "X", "last_name": "Y", "email": "x@example.com"}
        )
    )
    assert profile_state.form_error
    engagement_state = page_state(EngagementState, cookie)
    settle(engagement_state.feedback({"rating": "5"}))
    assert "Read-only" in engagement_state.form_error
    proposals_state = page_state(
        ProposalsState, cookie, proposal_id=s.exec(select(Proposal.id)).first()
    )
    settle(proposals_state.load_one())
    settle(proposals_state.decide({"decision": "accept"}))
    assert "Read-only" in proposals_state.form_error
    _unchanged(s, before)


def test_certificate_handlers_refuse_another_accounts_records(demo):
    s = demo
    bakery = account_named(s, BAKERY)
    bakery_cert = s.exec(select(Certificate).where(Certificate.account_id == bakery.id)).first()
    bakery_holder = s.exec(
        select(CertificateHolder).where(CertificateHolder.account_id == bakery.id)
    ).first()
    state = page_state(CertificatesState, customer_session(s, JORDAN, STUDIO).cookie)
    settle(state.load())
    own = state.certificates[0]
    before = table_counts(s)
    assert settle(state.download(bakery_cert.id)) is None
    assert "not on your account" in state.download_error
    assert settle(state.download("1 OR 1=1")) is None
    settle(
        state.request_certificate(
            {
                "holder_id": str(bakery_holder.id),
                "operations": "x",
                "due_date": (date.today() + timedelta(days=3)).isoformat(),
            }
        )
    )
    assert "not on your account" in state.request_error
    _unchanged(s, before)
    spec = settle(state.download(own.id))
    assert routes.FILES_PREFIX in str(spec)
    _unchanged(s, before)  # the link records nothing until the route serves it


def test_proposal_and_survey_handlers_with_planted_ids(demo):
    s = demo
    victim_proposal = s.exec(select(Proposal)).first()  # the Riveras'
    victim_claim = s.exec(select(Claim)).first()
    cookie = customer_session(s, JORDAN, LEE).cookie
    state = page_state(ProposalsState, cookie, proposal_id=victim_proposal.id)
    settle(state.load_one())
    assert "not on your account" in state.error and state.coverages == []
    state.proposal = ProposalRow(id=victim_proposal.id, open_for_decision=True)  # via setvar
    before = table_counts(s)
    settle(state.decide({"decision": "accept"}))
    assert "not on your account" in state.form_error
    survey = page_state(EngagementState, cookie, claim_id=victim_claim.id)
    settle(survey.load_survey())
    assert "not on your account" in survey.error
    survey.claim = ClaimRow(id=victim_claim.id)
    settle(survey.survey({"rating": "5"}))
    assert "not on your account" in survey.form_error
    _unchanged(s, before)
    s.refresh(victim_proposal)
    assert victim_proposal.status == "published"


def test_menu_and_links_show_only_the_sessions_account(demo):
    s = demo
    menu = page_state(MenuState, customer_session(s, JORDAN, LEE).cookie)
    settle(menu.load())
    assert menu.menu_loaded and menu.claims_to_rate == [] and menu.open_proposals == 0
    rivera_menu = page_state(MenuState, customer_session(s).cookie)
    settle(rivera_menu.load())
    assert rivera_menu.open_proposals == 1 and len(rivera_menu.claims_to_rate) == 1
    links_state = page_state(IntegrationsState, customer_session(s, JORDAN, STUDIO).cookie)
    settle(links_state.load())
    assert all("boat" not in row.label for row in links_state.cross_sell)


@pytest.mark.parametrize(
    "cls,handler",
    [
        (RequestsState, "load_list"),
        (RequestsState, "submit"),
        (CertificatesState, "load"),
        (CertificatesState, "download"),
        (ProposalsState, "decide"),
        (EngagementState, "feedback"),
        (ProfileEditState, "save_personal"),
        (IntegrationsState, "load"),
        (MenuState, "load"),
    ],
)
def test_no_session_reaches_nothing(demo, cls, handler):
    state = page_state(cls, "cc_session=forged")
    fn = getattr(state, handler)
    args = {
        "submit": ({},),
        "download": (1,),
        "decide": ({},),
        "feedback": ({},),
        "save_personal": ({},),
    }.get(handler, ())
    before = table_counts(demo)
    with pytest.raises(SessionEnded):
        settle(fn(*args))
    _unchanged(demo, before)


def _upload(data: bytes, name: str = "note.pdf") -> rx.UploadFile:
    import io
    from pathlib import Path

    return rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))


def test_general_request_attachment(demo):
    import asyncio

    from clientcenter.models import Document
    from tests.support.files import sample_pdf

    s = demo
    state = page_state(RequestsState, customer_session(s).cookie)
    settle(state.load_general())
    asyncio.run(state.attach([_upload(b"MZ not a pdf", "virus.exe")]))
    assert "can't be uploaded" in state.attachment_error and state.attachment_id == 0
    asyncio.run(state.attach([_upload(sample_pdf(), "bill.pdf")]))
    assert state.attachment_error == "" and state.attachment_name == "bill.pdf"
    doc = s.get(Document, state.attachment_id)
    assert doc.account_id == account_named(s, RIVERA).id and doc.category == "customer_upload"
    settle(state.submit({"subject": "See attached", "message": "My bill"}))
    request = s.exec(select(ChangeRequest)).one()
    assert request.attachment_document_id == doc.id and state.attachment_id == 0

    # An id planted in the state (setvar) that belongs to another account is refused.
    jordan_doc = s.exec(
        select(Document).where(Document.account_id == account_named(s, LEE).id)
    ).first()
    state.attachment_id = jordan_doc.id
    before = table_counts(s)
    settle(state.submit({"subject": "Theirs", "message": "x"}))
    assert "attachment is not on your account" in state.form_error
    _unchanged(s, before)


def test_read_only_agent_cannot_attach(demo):
    import asyncio

    from tests.support.files import sample_pdf

    s = demo
    state = page_state(RequestsState, agent_session(s, RIVERA).cookie)
    settle(state.load_general())
    before = table_counts(s)
    asyncio.run(state.attach([_upload(sample_pdf())]))
    assert "Read-only" in state.attachment_error
    _unchanged(s, before)
