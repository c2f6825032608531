"""Entering and leaving a customer's Client Center in read-only mode: session rotation, the
Agent Section's "Logs in" / "Log off" rows, and the refusals."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clientcenter.models import ActivityLog, Contact
from clientcenter.services.agency import read_only
from clientcenter.services.auth.sessions import check_session, principal_from_token
from clientcenter.services.errors import InvalidInput, NotAllowed
from clientcenter.services.principal import Principal
from tests.support.demo import PAT, PRIYA, QUINN, RIVERA, account_named
from tests.support.logins import agent_session


def test_enter_and_leave_rotate_the_session_and_are_recorded(demo):
    principal, token, _ = agent_session(demo)
    rivera = account_named(demo, RIVERA)
    grant = read_only.view_grant(demo, principal, rivera.id)
    entered = read_only.enter_view(demo, grant=grant, token=token, client_ip="10.0.0.1")
    demo.commit()
    assert entered.destination == "/home"
    assert principal_from_token(demo, token) is None  # the agency token died
    viewing = principal_from_token(demo, entered.token)
    assert (viewing.kind, viewing.read_only, viewing.account_id) == ("agent", True, rivera.id)
    login_row = demo.exec(select(ActivityLog).where(ActivityLog.action_key == "agent.login")).one()
    assert (login_row.account_id, login_row.actor_agent_id, login_row.read_only) == (
        rivera.id,
        principal.agent_id,
        True,
    )
    # The same grant cannot be used twice (its session is gone).
    with pytest.raises(NotAllowed):
        read_only.enter_view(demo, grant=grant, token=token, client_ip="10.0.0.1")

    left = read_only.exit_view(demo, token=entered.token, client_ip="10.0.0.1")
    demo.commit()
    assert left.destination == f"/agent/account?id={rivera.id}"
    assert principal_from_token(demo, entered.token) is None
    back = principal_from_token(demo, left.token)
    assert (back.read_only, back.account_id, back.agent_id) == (False, None, principal.agent_id)
    logoff = demo.exec(select(ActivityLog).where(ActivityLog.action_key == "agent.logoff")).one()
    assert logoff.account_id == rivera.id and logoff.read_only
    # The 12-hour limit still counts from the sign-in.
    first = check_session(demo, left.token)
    assert first.ok


def test_entering_is_refused_without_the_right_session(demo):
    principal, token, _ = agent_session(demo)
    other_principal, other_token, _ = agent_session(demo, email=PRIYA)
    rivera = account_named(demo, RIVERA)
    grant = read_only.view_grant(demo, principal, rivera.id)
    with pytest.raises(NotAllowed):  # another agent's browser
        read_only.enter_view(demo, grant=grant, token=other_token, client_ip="")
    with pytest.raises(NotAllowed):  # no cookie at all
        read_only.enter_view(demo, grant=grant, token=None, client_ip="")
    with pytest.raises(NotAllowed):  # forged grant
        read_only.enter_view(demo, grant=grant[:-3] + "abc", token=token, client_ip="")
    with pytest.raises(InvalidInput, match="no active policy"):
        read_only.view_grant(demo, principal, account_named(demo, QUINN).id)
    contact = demo.exec(select(Contact).where(Contact.email == PAT)).one()
    with pytest.raises(NotAllowed):
        read_only.view_grant(demo, Principal.customer(contact.account_id, contact.id), rivera.id)
    with pytest.raises(NotAllowed):
        read_only.exit_view(demo, token=token, client_ip="")
    assert demo.exec(select(ActivityLog)).all() == []
