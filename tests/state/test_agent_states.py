"""Agent pages' handlers serve agents on the agency side only: a customer's session, an agent's
read-only view, an agent without second factor and no session at all are all sent away before
any service runs. Handlers are found by walking the agent state classes."""

from __future__ import annotations

import pytest

from clientcenter.state.base import SessionEnded
from tests.support.demo import PAT, RIVERA, account_named
from tests.support.handler_arguments import (
    account_ids,
    argument_sets,
    route_params,
)
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session, customer_session


def agent_states():
    import clientcenter.clientcenter  # noqa: F401
    from clientcenter.state.agency.desk import AgentState

    found, todo = [], [AgentState]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        found.append(cls)
    return found


def _tokens(db):
    rivera = account_named(db, RIVERA)
    customer = customer_session(db, PAT, RIVERA).token
    viewing = agent_session(db, RIVERA).token
    half = agent_session(db, second_factor=False).token
    return rivera, {
        "customer": customer,
        "read-only view": viewing,
        "no second factor": half,
        "no session": "nothing",
    }


def test_every_agent_handler_sends_non_agents_away(demo):
    rivera, tokens = _tokens(demo)
    ids = account_ids(demo, rivera.id)
    params = {**route_params(ids), "id": str(rivera.id)}
    for who, token in tokens.items():
        for cls in agent_states():
            for name, handler in cls.event_handlers.items():
                if name in ("setvar", "require_agent_login") or name.startswith("_"):
                    continue
                for args in argument_sets(handler.fn, ids)[:2]:
                    state = page_state(cls, f"cc_session={token}", path="/agent", **params)
                    with pytest.raises(SessionEnded):
                        settle(handler.fn(state, *args))
                    assert not getattr(state, "results", None) and not getattr(state, "name", "")


def test_the_on_load_guard_leaves_for_the_right_page(demo):
    from clientcenter.state.agency.desk import AgentState

    _rivera, tokens = _tokens(demo)
    where = {}
    for who, token in tokens.items():
        guard = AgentState.event_handlers["require_agent_login"].fn
        spec = settle(guard(page_state(AgentState, f"cc_session={token}", path="/agent")))
        where[who] = str(spec)
    assert "/home" in where["read-only view"]
    assert "/agent/login" in where["customer"] and "/agent/login" in where["no session"]
