"""Every home/policy/document handler, called as the browser would, with another account's ids:
nothing is read, nothing is changed. Also the read-only agent's upload refusal."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import select

from clientcenter import routes
from clientcenter.models import Vehicle
from clientcenter.services.portal import documents
from clientcenter.services.principal import Principal
from clientcenter.state.portal.documents import DocumentsState
from clientcenter.state.portal.home import HomeState
from clientcenter.state.portal.policy import PolicyState
from tests.support.checks import footprint
from tests.support.demo import LEE, RIVERA, account_named, contact_on, policy_of
from tests.support.files import PNG_1PX, sample_pdf
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session, customer_session

# SQLite only here: these tests are about the handlers, and every service they call is
# already tested on SQLite and PostgreSQL.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _upload(data: bytes, name: str = "photo.pdf") -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))


def _jordan_ids(db):
    jordan = account_named(db, LEE)
    principal = Principal.customer(jordan.id, contact_on(db, jordan).id)
    doc = documents.list_documents(db, principal)[0]
    auto = policy_of(db, LEE, "auto")
    vehicle = db.exec(select(Vehicle).where(Vehicle.policy_id == auto.id)).first()
    return doc.id, auto, vehicle


def test_home_shows_only_the_sessions_account(demo):
    state = page_state(HomeState, customer_session(demo).cookie)
    settle(state.load())
    numbers = {row.number for row in state.current + state.past}
    assert numbers == {
        policy_of(demo, RIVERA, line).number for line in ("auto", "home", "umbrella")
    }
    assert state.greeting_name == "Pat" and not state.read_only


def test_policy_page_with_another_accounts_id_shows_nothing(demo):
    _, jordan_auto, _ = _jordan_ids(demo)
    state = page_state(PolicyState, customer_session(demo).cookie, policy_id=jordan_auto.id)
    settle(state.load())
    assert "couldn't find that policy" in state.error
    assert state.policy.number == "" and state.coverages == [] and state.vehicles == []
    for bad in ("abc", "-1", "1 OR 1=1", ""):
        state = page_state(PolicyState, customer_session(demo).cookie, policy_id=bad)
        settle(state.load())
        assert state.error and state.coverages == []


def test_own_policy_page_loads(demo):
    auto = policy_of(demo, RIVERA, "auto")
    state = page_state(PolicyState, customer_session(demo).cookie, policy_id=auto.id)
    settle(state.load())
    assert state.error == "" and state.policy.number == auto.number
    assert len(state.vehicles) == 2 and state.coverages


def test_id_card_handlers_refuse_other_accounts_policies_and_vehicles(demo):
    _, jordan_auto, jordan_vehicle = _jordan_ids(demo)
    own_auto = policy_of(demo, RIVERA, "auto")
    cookie = customer_session(demo).cookie
    before = footprint(demo)

    policy_state = page_state(PolicyState, cookie, policy_id=own_auto.id)
    assert settle(policy_state.download_cards(jordan_auto.id, False)) is None
    assert "couldn't find that policy" in policy_state.card_error
    settle(policy_state.toggle_vehicle(jordan_vehicle.id, True))
    assert settle(policy_state.download_cards(own_auto.id, True)) is None
    assert "vehicle" in policy_state.card_error

    docs_state = page_state(DocumentsState, cookie)
    assert settle(docs_state.download_cards(jordan_auto.id, 0)) is None
    assert settle(docs_state.download_cards(own_auto.id, jordan_vehicle.id)) is None
    assert docs_state.card_error
    demo.expire_all()
    assert footprint(demo) == before

    # The own policy hands out a link for this session, and records nothing until it is used.
    spec = settle(docs_state.download_cards(own_auto.id, 0))
    assert routes.FILES_PREFIX in str(spec)
    assert footprint(demo) == before


def test_document_handlers_refuse_other_accounts_documents_and_policies(demo):
    jordan_doc, jordan_auto, _ = _jordan_ids(demo)
    state = page_state(DocumentsState, customer_session(demo).cookie)
    settle(state.load())
    assert state.items and jordan_doc not in {row.id for row in state.items}
    before = footprint(demo)
    assert settle(state.download(jordan_doc)) is None
    assert "couldn't find that document" in state.error
    settle(state.set_filter_policy(str(jordan_auto.id)))
    assert state.items == []
    settle(state.search_form({"q": "Jordan"}))
    assert state.items == []
    demo.expire_all()
    assert footprint(demo) == before
    # ?policy=<someone else's policy> in the URL falls back to all of mine.
    state = page_state(DocumentsState, customer_session(demo).cookie, policy=jordan_auto.id)
    settle(state.load())
    assert state.filter_policy == "all" and state.items


def test_upload_handler_with_another_accounts_policy_stores_nothing(demo):
    _, jordan_auto, _ = _jordan_ids(demo)
    state = page_state(DocumentsState, customer_session(demo).cookie)
    before = footprint(demo)
    asyncio.run(state.handle_upload([_upload(sample_pdf())], "Sticker", str(jordan_auto.id)))
    assert "couldn't find that policy" in state.upload_error
    demo.expire_all()
    assert footprint(demo) == before


def test_upload_handler_stores_through_the_service(demo):
    state = page_state(DocumentsState, customer_session(demo).cookie)
    auto = policy_of(demo, RIVERA, "auto")
    asyncio.run(
        state.handle_upload([_upload(sample_pdf(), "sticker.pdf")], "Window sticker", str(auto.id))
    )
    assert state.upload_error == "" and "Window sticker" in state.upload_notice
    assert state.items[0].title == "Window sticker" and state.items[0].yours


def test_a_late_progress_report_does_not_hide_the_finished_upload(demo):
    # Progress goes over the websocket, the file over HTTP: a report sent before the upload
    # finished can be handled after it. It must neither clear the notice nor reopen the bar.
    state = page_state(DocumentsState, customer_session(demo).cookie)
    settle(state.upload_started())
    settle(state.upload_progress({"progress": 0.4}))
    assert state.uploading and state.upload_percent == 40
    asyncio.run(state.handle_upload([_upload(sample_pdf(), "sticker.pdf")], "Window sticker"))
    settle(state.upload_progress({"progress": 0.97}))
    assert not state.uploading and state.upload_percent == 100
    assert "Window sticker" in state.upload_notice
    settle(state.upload_started())  # the next pick starts clean
    assert state.upload_notice == "" and state.upload_percent == 0


def test_upload_handler_refuses_an_oversized_file_without_reading_it_all(demo, monkeypatch):
    monkeypatch.setenv("CC_SECURITY__UPLOAD_MAX_BYTES", "4096")
    from clientcenter.settings import reset_settings_cache

    reset_settings_cache()
    state = page_state(DocumentsState, customer_session(demo).cookie)
    before = footprint(demo)
    big = PNG_1PX + bytes(9000)
    asyncio.run(state.handle_upload([_upload(big, "big.png")]))
    assert "too large" in state.upload_error
    demo.expire_all()
    assert footprint(demo) == before


def test_read_only_agent_upload_is_refused_on_the_server(demo):
    state = page_state(DocumentsState, agent_session(demo, RIVERA).cookie)
    settle(state.load())
    assert state.read_only and state.items  # sees what the customer sees
    before = footprint(demo)
    asyncio.run(state.handle_upload([_upload(sample_pdf())], "Sneaky"))
    assert "Read-only" in state.upload_error
    demo.expire_all()
    assert footprint(demo) == before


@pytest.mark.parametrize("handler", ["load", "download", "search", "upload"])
def test_no_session_reaches_nothing(demo, handler):
    from clientcenter.state.base import SessionEnded

    state = page_state(DocumentsState, "cc_session=forged")
    doc = documents.list_documents(
        demo,
        Principal.customer(
            account_named(demo, RIVERA).id, contact_on(demo, account_named(demo, RIVERA)).id
        ),
    )[0]
    call = {
        "load": lambda: settle(state.load()),
        "download": lambda: settle(state.download(doc.id)),
        "search": lambda: settle(state.search_form({"q": "x"})),
        "upload": lambda: asyncio.run(state.handle_upload([_upload(sample_pdf())])),
    }[handler]
    with pytest.raises(SessionEnded):
        call()
    assert state.items == []
