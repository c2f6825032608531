"""The account page's Documents handlers, called as the browser would: upload through the
service (bytes to the private store, never /_upload's folder), publish, and refusals."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
import reflex as rx

from clientcenter import routes
from clientcenter.state.agency.documents import AgentDocumentsState
from clientcenter.state.base import SessionEnded
from tests.support.checks import footprint
from tests.support.demo import LEE, LEE_CHEN, RIVERA, account_named, policy_of
from tests.support.files import EXE_HEAD, sample_pdf
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session, customer_session

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _file(data: bytes, name: str = "dec.pdf") -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))


def _state(demo, account: str, email=None):
    login = agent_session(demo, **({"email": email} if email else {}))
    state = page_state(
        AgentDocumentsState,
        login.cookie,
        path=routes.AGENT_ACCOUNT,
        id=account_named(demo, account).id,
    )
    settle(state.open_page())
    return state


def test_upload_then_publish(demo):
    state = _state(demo, RIVERA)
    assert [k.value for k in state.kinds][:3] == ["declarations", "id_card", "endorsement"]
    auto = policy_of(demo, RIVERA, "auto")
    assert str(auto.id) in {p.value for p in state.policies}
    asyncio.run(
        state.handle_upload([_file(sample_pdf())], "2026 Auto Dec", "declarations", str(auto.id))
    )
    assert state.docs_error == "" and "as a draft" in state.docs_notice
    top = state.documents[0]
    assert (top.title, top.status, top.may_publish) == ("2026 Auto Dec", "draft", True)
    upload_dir = rx.get_upload_dir()  # Reflex's public /_upload folder: never written
    assert not upload_dir.exists() or not any(upload_dir.rglob("*"))
    settle(state.publish(top.id))
    assert state.docs_error == "" and "Published 1 document" in state.docs_notice
    assert state.documents[0].status == "published"
    asyncio.run(state.handle_upload([_file(sample_pdf())], "Notes", "internal_note"))
    assert state.documents[0].status == "internal"
    settle(state.publish(state.documents[0].id))
    assert "internal to the agency" in state.docs_error


def test_refusals_change_nothing(demo):
    state = _state(demo, RIVERA)
    other = _state(demo, LEE)
    asyncio.run(other.handle_upload([_file(sample_pdf())], "Lee's", "declarations"))
    lee_doc = other.documents[0].id
    before = footprint(demo)
    asyncio.run(state.handle_upload([_file(EXE_HEAD, "x.pdf")], "Program", "other"))
    assert "can't be uploaded" in state.docs_error
    asyncio.run(state.handle_upload([_file(sample_pdf()), _file(sample_pdf())], "Two", "x"))
    assert "one file" in state.docs_error
    settle(state.publish(lee_doc))  # another account's document, from this account's page
    assert "not on this account" in state.docs_error
    demo.expire_all()
    assert footprint(demo) == before


def test_service_role_uploads_but_does_not_publish(demo):
    state = _state(demo, RIVERA, LEE_CHEN)
    asyncio.run(state.handle_upload([_file(sample_pdf())], "Endorsement", "endorsement"))
    settle(state.publish(state.documents[0].id))
    assert "does not allow you to publish" in state.docs_error


def test_a_customer_session_reaches_nothing(demo):
    state = page_state(AgentDocumentsState, customer_session(demo).cookie, id=1)
    with pytest.raises(SessionEnded):
        settle(state.open_page())
    with pytest.raises(SessionEnded):
        asyncio.run(state.handle_upload([_file(sample_pdf())], "x", "other"))
    with pytest.raises(SessionEnded):
        settle(state.publish(1))
