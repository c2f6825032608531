"""The audit trail page's handlers, called as a tab calls them: an administrator's search of
the trail carries the tab's client IP into the rows it records, and a role that may not read
or export the trail is refused by the server, whatever the page showed."""

from __future__ import annotations

from sqlmodel import select

from clientcenter.models.audit import AuditEvent
from clientcenter.services.agency.roles import Permission, refusal
from clientcenter.state.agency.audit import AgentAuditState
from clientcenter.state.agency.desk import AgentSearchState
from tests.support.demo import LEE_CHEN
from tests.support.handlers import CLIENT_IP, page_state, settle
from tests.support.logins import agent_session

RANGE = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def _state(db, cls, email=None):
    token = (agent_session(db, email=email) if email else agent_session(db)).token
    return page_state(cls, f"cc_session={token}", path="/agent/admin/audit")


def test_a_tab_s_search_is_recorded_with_its_client_ip(demo):
    search = _state(demo, AgentSearchState)
    settle(AgentSearchState.event_handlers["submit"].fn(search, {"query": "Rivera"}))
    demo.expire_all()
    [event] = demo.exec(select(AuditEvent)).all()
    assert (event.action, event.client_ip) == ("search.run", CLIENT_IP)
    trail = _state(demo, AgentAuditState)
    settle(AgentAuditState.event_handlers["open_page"].fn(trail))
    assert trail.error == "" and [r.action for r in trail.rows] == ["search.run"]
    spec = settle(AgentAuditState.event_handlers["export"].fn(trail, RANGE))
    assert trail.export_error == "" and "/exports/audit" in str(spec)


def test_a_role_without_the_trail_is_refused_by_the_server(demo):
    state = _state(demo, AgentAuditState, LEE_CHEN)  # customer service
    settle(AgentAuditState.event_handlers["open_page"].fn(state))
    assert state.error == refusal(Permission.AUDIT_TRAIL) and state.rows == []
    assert settle(AgentAuditState.event_handlers["export"].fn(state, RANGE)) is None
    assert state.export_error == refusal(Permission.EXPORT_AUDIT)


def test_a_bad_range_is_refused_on_the_page(demo):
    state = _state(demo, AgentAuditState)
    bad = {"date_from": "2026-03-31", "date_to": "2026-03-01"}
    assert settle(AgentAuditState.event_handlers["export"].fn(state, bad)) is None
    assert state.export_error == "The end date is before the start date."
