"""The household's rules with a browser's cookie, as the websocket would call the handlers:
a limited contact calling handlers outside their view, and a non-manager calling the invite
and revoke handlers directly, are refused (and logged) and change nothing."""

from __future__ import annotations

import logging
import re

import pytest
from sqlmodel import select

from clientcenter.models import Contact, OutboxMessage
from clientcenter.services.portal import household
from clientcenter.state.portal.billing import BillingState
from clientcenter.state.portal.documents import DocumentsState
from clientcenter.state.portal.home import HomeState
from clientcenter.state.portal.household import HouseholdState, JoinState
from clientcenter.state.portal.profile_edit import ProfileEditState
from clientcenter.state.portal.requests import RequestsState
from tests.support.checks import footprint
from tests.support.demo import PAT, RIVERA, SAM, account_named, contact_on
from tests.support.handlers import page_state, settle
from tests.support.logins import customer_session

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

INVITE = {
    "first_name": "Riley",
    "last_name": "Rivera",
    "email": "teen@example.com",
    "role": "additional",
    "sees": "documents",
}


def _token(db, email="teen@example.com") -> str:
    msg = db.exec(
        select(OutboxMessage).where(
            OutboxMessage.template == "household_invite", OutboxMessage.to_address == email
        )
    ).first()
    return re.search(r"/join/([0-9]+\.[A-Za-z0-9_-]+)", msg.body_text).group(1)


def _invite_and_join(db) -> str:
    """Pat invites Riley from Profile; Riley accepts on the link's page. Riley's cookie."""
    pat = page_state(HouseholdState, customer_session(db, PAT).cookie, path="/profile")
    settle(pat.load())
    assert pat.can_manage and pat.shown
    settle(pat.invite(INVITE))
    assert pat.error == "" and pat.field_errors == {}, (pat.error, pat.field_errors)
    assert "teen@example.com" in pat.notice
    db.expire_all()
    token = _token(db)
    join = page_state(JoinState, path=f"/join/{token}")
    settle(join.open_page())
    assert join.state == "open" and join.account_name == RIVERA
    settle(join.confirm())
    assert join.state == "done"
    db.expire_all()
    return customer_session(db, "teen@example.com").cookie


def test_a_limited_contact_is_refused_outside_their_view_and_logged(demo, caplog):
    riley = _invite_and_join(demo)
    docs = page_state(DocumentsState, riley, path="/documents")
    settle(docs.load())
    assert docs.error == "" and docs.items and docs.card_policies
    caplog.set_level(logging.WARNING, "clientcenter.security")
    before = footprint(demo)
    home = page_state(HomeState, riley, path="/home")
    settle(home.load())
    assert "does not include this" in home.error and home.current == []
    billing = page_state(BillingState, riley, path="/billing")
    settle(billing.load())
    assert "does not include this" in billing.error and billing.invoices == []
    reqs = page_state(RequestsState, riley, path="/requests")
    settle(reqs.load_list())
    assert "does not include this" in reqs.error
    prof = page_state(ProfileEditState, riley, path="/profile")
    settle(prof.load())
    assert "does not include this" in prof.profile_error and prof.co.first_name == ""
    hh = page_state(HouseholdState, riley, path="/profile")
    settle(hh.invite({**INVITE, "email": "friend@example.com"}))
    assert "does not include this" in hh.error
    assert footprint(demo)["outbox"] == before["outbox"]
    assert footprint(demo)["tasks"] == before["tasks"]
    assert "refused outside the contact's view" in caplog.text


def test_a_limited_contacts_home_page_sends_them_to_documents(demo):
    riley = _invite_and_join(demo)
    home = page_state(HomeState, riley, path="/home")
    result = settle(home.require_login())
    assert home.contact_view == "documents"
    assert "/documents" in str(result)
    docs = page_state(DocumentsState, riley, path="/documents")
    assert settle(docs.require_login()) is None


def test_a_non_manager_calling_invite_and_revoke_is_refused_and_logged(demo, caplog):
    sam = page_state(HouseholdState, customer_session(demo, SAM).cookie, path="/profile")
    settle(sam.load())
    assert sam.shown and not sam.can_manage
    caplog.set_level(logging.WARNING, "clientcenter.security")
    before = footprint(demo)
    settle(sam.invite(INVITE))
    assert "Only the primary" in sam.error
    pat_id = contact_on(demo, account_named(demo, RIVERA)).id
    settle(sam.revoke(pat_id))
    assert "Only the primary" in sam.error
    settle(sam.change_access(pat_id, "documents"))
    assert "Only the primary" in sam.error
    assert footprint(demo) == before
    assert demo.get(Contact, pat_id).may_log_in
    assert caplog.text.count("refused household change by a non-manager") == 3


def test_the_primary_revokes_and_the_limited_session_ends(demo):
    riley = _invite_and_join(demo)
    riley_id = demo.exec(select(Contact).where(Contact.email == "teen@example.com")).one().id
    pat = page_state(HouseholdState, customer_session(demo, PAT).cookie, path="/profile")
    settle(pat.load())
    settle(pat.revoke(riley_id))
    assert pat.error == "" and "can no longer log in" in pat.notice
    docs = page_state(DocumentsState, riley, path="/documents")
    result = settle(docs.require_login())
    assert result is not None  # sent to the login page
    assert household.REVOKE


def test_the_primary_cannot_revoke_themselves_over_the_websocket(demo):
    pat_id = contact_on(demo, account_named(demo, RIVERA)).id
    pat = page_state(HouseholdState, customer_session(demo, PAT).cookie, path="/profile")
    before = footprint(demo)
    settle(pat.revoke(pat_id))
    assert "your own access" in pat.error
    assert footprint(demo) == before and demo.get(Contact, pat_id).may_log_in
