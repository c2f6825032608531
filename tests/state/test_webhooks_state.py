"""The webhooks page's and the agency Requests page's handlers, called directly as a
browser's websocket would: the service decides, a role that may not is refused on the server,
and the new signing secret never enters the tab's state (it rides one script only)."""

from __future__ import annotations

import pickle

from sqlmodel import select

from clientcenter.models import ChangeRequest, WebhookEndpoint
from clientcenter.services.agency.roles import Permission, refusal
from clientcenter.services.portal import requests as rq
from clientcenter.state.agency.requests import AgentRequestsState
from clientcenter.state.agency.webhooks import WebhooksState
from tests.support.demo import PAT, PRIYA, RIVERA, account_named, customer
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session


def _webhooks(db, email=None):
    login = agent_session(db, **({"email": email} if email else {}))
    return page_state(WebhooksState, login.cookie, path="/agent/admin/webhooks")


def test_register_shows_the_secret_by_script_and_keeps_it_out_of_state(demo):
    state = _webhooks(demo)
    settle(state.open_page())
    assert state.refused == "" and state.endpoints == []
    events = settle(
        state.register(
            {
                "url": "https://hooks.example.com/in",
                "description": "AMS",
                "event:change_request.filed": "on",
                "event:not-an-event": "on",
            }
        )
    )
    assert state.error == "" and "not shown again" in state.notice
    [row] = state.endpoints
    assert row.url == "https://hooks.example.com/in" and row.events == "change_request.filed"
    assert state.secret_for == row.url
    scripts = " ".join(str(e) for e in events)
    assert "whsec_" in scripts
    assert b"whsec_" not in pickle.dumps(state.dict())

    settle(state.send_test(row.id))
    assert state.endpoints[0].pending == 1
    settle(state.set_active(row.id, False))
    assert not state.endpoints[0].active
    settle(state.ask_delete(row.id))
    settle(state.delete())
    assert state.notice == "Endpoint deleted." and state.endpoints == []
    demo.expire_all()
    assert demo.exec(select(WebhookEndpoint)).all() == []


def test_a_bad_url_and_a_producer_are_refused(demo):
    state = _webhooks(demo)
    settle(state.register({"url": "http://hooks.example.com", "event:document.uploaded": "on"}))
    assert "must use https://" in state.error and state.secret_for == ""
    producer = _webhooks(demo, PRIYA)
    settle(producer.open_page())
    assert producer.refused == refusal(Permission.MANAGE_WEBHOOKS)
    settle(producer.register({"url": "https://x.example.com", "event:document.uploaded": "on"}))
    assert producer.error == refusal(Permission.MANAGE_WEBHOOKS)
    demo.expire_all()
    assert demo.exec(select(WebhookEndpoint)).all() == []


def test_an_agent_moves_a_request_through_the_handlers(demo):
    filed = rq.submit_request(
        demo, customer(demo, PAT), "general", "general", {"subject": "Proof", "message": "x"}
    )
    demo.commit()
    login = agent_session(demo)
    rivera = account_named(demo, RIVERA)
    state = page_state(
        AgentRequestsState, login.cookie, path="/agent/account/requests", id=str(rivera.id)
    )
    settle(state.open_page())
    row = next(r for r in state.requests if r.reference == filed.reference)
    assert row.can_review and row.can_complete and row.can_decline and not row.reopens
    settle(state.set_status({"request_id": str(row.id), "status": "declined", "note": ""}))
    assert "why you are declining" in state.error
    settle(state.set_status({"request_id": str(row.id), "status": "declined", "note": "No."}))
    assert state.notice == f"Request {filed.reference} is now declined."
    row = next(r for r in state.requests if r.reference == filed.reference)
    assert row.reopens and row.can_review and not row.can_complete
    demo.expire_all()
    assert demo.get(ChangeRequest, filed.id).status_note == "No."
