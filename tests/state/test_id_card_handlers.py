"""The ID card page's handlers, called the way a browser would (any of them, with any value):
each re-derives the principal from the connection's cookie, and another account's ids reach
nothing. Demo data, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clientcenter.models import ActivityLog, Document, Vehicle
from clientcenter.state.base import SessionEnded
from clientcenter.state.portal.id_card import IdCardState
from tests.support.checks import footprint
from tests.support.demo import LEE, MORGAN, RIVERA, policy_of
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session, customer_session


def _views(db):
    db.expire_all()
    return db.exec(select(ActivityLog).where(ActivityLog.action_key.like("%id_card%"))).all()


def test_without_a_session_every_handler_sends_the_tab_to_login(demo):
    state = page_state(IdCardState, None)
    for call in (
        state.load,
        lambda: state.download_pdf(1, 1),
        lambda: state.download_carrier_card(1),
        lambda: state.download_pass(1),
    ):
        with pytest.raises(SessionEnded):
            settle(call())
    assert _views(demo) == []


def test_load_shows_the_cards_records_one_view_and_asks_the_worker_to_keep_them(demo):
    state = page_state(IdCardState, customer_session(demo).cookie)
    kept = settle(state.load())
    auto = policy_of(demo, RIVERA, "auto")
    assert [c.policy_number for c in state.cards] == [auto.number, auto.number]
    assert not state.apple_wallet and all(c.google_url == "" for c in state.cards)
    assert kept is not None  # the SAVE_FOR_OFFLINE script
    settle(state.load())  # a refresh
    assert len(_views(demo)) == 1


def test_an_agents_read_only_view_keeps_nothing_on_the_device(demo):
    state = page_state(IdCardState, agent_session(demo, RIVERA).cookie)
    assert settle(state.load()) is None
    assert state.cards and [v.action_key for v in _views(demo)] == ["agent.download_id_cards"]


def test_another_accounts_ids_reach_nothing(demo):
    state = page_state(IdCardState, customer_session(demo, MORGAN).cookie)
    settle(state.load())
    assert state.cards == []
    lee_auto = policy_of(demo, LEE, "auto")
    lee_vehicle = demo.exec(select(Vehicle).where(Vehicle.policy_id == lee_auto.id)).first()
    doc = demo.exec(select(Document).where(Document.account_id == lee_auto.account_id)).first()
    before = footprint(demo)
    assert settle(state.download_pdf(lee_auto.id, lee_vehicle.id)) is None
    assert "couldn't find" in state.action_error.lower()
    state.action_error = ""
    assert settle(state.download_carrier_card(doc.id)) is None
    assert state.action_error
    state.action_error = ""
    assert settle(state.download_pass(lee_vehicle.id)) is None
    assert "not offered" in state.action_error
    assert settle(state.download_pdf("1; drop", "x")) is None
    assert footprint(demo) == before
