"""PortalState resolves the principal from this connection's cookie on every call."""

from __future__ import annotations

from datetime import timedelta

import pytest
import reflex as rx

from clientcenter.models import UserSession
from clientcenter.models.base import utcnow
from clientcenter.services.auth.sessions import create_session
from clientcenter.state.base import (
    PortalState,
    SessionEnded,
    handle_backend_exception,
    location_for,
)
from tests.support.demo import JORDAN
from tests.support.handlers import page_state, settle
from tests.support.logins import customer_session


@pytest.fixture
def db(demo):
    """A session on the demo agency (the README's logins)."""
    return demo


class _ProbeState(PortalState):
    """A page state as other modules write them."""

    seen_account: int = 0

    @rx.event
    def load(self):
        self.seen_account = self._require_account_principal().account_id


def test_principal_comes_from_the_cookie_of_this_connection(db):
    login = customer_session(db)
    record, token = login.record, login.token
    state = page_state(_ProbeState, f"theme=dark; cc_session={token}; other=1")
    principal = state._require_principal()
    assert principal.session_id == record.id and principal.account_id == record.account_id
    assert state._client_ip() == "203.0.113.9"
    settle(state.load())
    assert state.seen_account == record.account_id


def test_each_call_rechecks_the_database(db):
    login = customer_session(db)
    record = login.record
    state = page_state(_ProbeState, login.cookie)
    assert state._require_principal()
    row = db.get(UserSession, record.id)
    row.revoked_at = utcnow()
    db.add(row)
    db.commit()
    with pytest.raises(SessionEnded) as ended:
        settle(state.load())
    assert ended.value.location == "/?signed_out=revoked"


@pytest.mark.parametrize("cookie", [None, "cc_session=", "cc_session=forged", "other=1"])
def test_no_valid_cookie_means_the_login_page(db, cookie):
    state = page_state(_ProbeState, cookie)
    with pytest.raises(SessionEnded) as ended:
        state._require_principal()
    assert ended.value.location == "/?signed_out=login"


def test_an_idle_session_is_sent_to_login_with_its_reason(db):
    idle = customer_session(db, now=utcnow() - timedelta(minutes=31))
    with pytest.raises(SessionEnded) as ended:
        page_state(_ProbeState, idle.cookie)._require_principal()
    assert ended.value.location == "/?signed_out=idle"


def test_verified_but_no_account_chosen_goes_to_the_account_list(db):
    _, token = create_session(db, kind="customer", email=JORDAN)
    db.commit()
    with pytest.raises(SessionEnded) as ended:
        page_state(_ProbeState, f"cc_session={token}")._require_principal()
    assert ended.value.location == "/accounts"


def test_on_load_guard_leaves_with_a_fresh_tab_or_stays(db):
    assert settle(page_state(_ProbeState, customer_session(db).cookie).require_login()) is None
    spec = settle(page_state(_ProbeState).require_login())
    assert "signed_out=login" in str(spec) and "sessionStorage.removeItem" in str(spec)


def test_backend_exception_handler_turns_session_ended_into_the_navigation():
    from clientcenter.services.auth.sessions import SessionCheck

    spec = handle_backend_exception(SessionEnded(SessionCheck("expired", kind="customer")))
    assert "/?signed_out=expired" in str(spec)
    other = handle_backend_exception(RuntimeError("boom"))
    assert "/?signed_out" not in str(other)


def test_agent_sessions_go_to_the_agent_login():
    from clientcenter.services.auth.sessions import SessionCheck

    assert location_for(SessionCheck("idle", kind="agent")) == "/agent/login?signed_out=idle"
