"""Profile → "Log out everywhere" over the websocket: the tab that confirms it is sent through
the logout route; another browser's tab of the same login is refused at its next event; an
agent's read-only view cannot do it. Demo data, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from clientcenter.services.auth.sessions import check_session
from clientcenter.state.base import SessionEnded
from clientcenter.state.portal.passkeys import PasskeysState
from tests.support.demo import RIVERA, SAM
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session, customer_session


def test_the_other_browsers_tab_is_refused_at_its_next_event(demo):
    here, phone, sam = customer_session(demo), customer_session(demo), customer_session(demo, SAM)
    mine = page_state(PasskeysState, here.cookie, path="/profile")
    theirs = page_state(PasskeysState, phone.cookie, path="/profile")
    settle(theirs.load())
    leave = settle(mine.log_out_everywhere())
    assert "/auth/logout" in str(leave) and "everywhere" in str(leave)
    with pytest.raises(SessionEnded):
        settle(theirs.load())
    demo.expire_all()
    assert check_session(demo, sam.token).ok  # Sam's own login is not Pat's


def test_a_read_only_view_cannot_log_the_customer_out_everywhere(demo):
    pat = customer_session(demo)
    view = page_state(PasskeysState, agent_session(demo, RIVERA).cookie, path="/profile")
    assert settle(view.log_out_everywhere()) is None
    assert view.error.startswith("Read-only mode")
    demo.expire_all()
    assert check_session(demo, pat.token).ok
