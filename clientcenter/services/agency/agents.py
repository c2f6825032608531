"""Agency staff as principals: who may act on the agency side."""

from __future__ import annotations

from sqlmodel import Session, select

from clientcenter.models import Agent
from clientcenter.services.accounts import normalize_email
from clientcenter.services.errors import NotAllowed, ReadOnlyRefused
from clientcenter.services.principal import Principal


def require_agent(session: Session, principal: Principal | None) -> Agent:
    """The acting agent on the agency side, re-read from the database. A customer, a read-only
    Client Center session or a deactivated agent is refused."""
    if principal is None or not principal.is_agent or principal.agent_id is None:
        raise NotAllowed("Only agency staff can do this.")
    if principal.read_only:
        raise ReadOnlyRefused("Leave the read-only Client Center view to work on the agency side.")
    agent = session.get(Agent, principal.agent_id)
    if agent is None or not agent.is_active:
        raise NotAllowed("This agent account is not active.")
    return agent


def active_agent_by_email(session: Session, email: str) -> Agent | None:
    return session.exec(
        select(Agent).where(Agent.email == normalize_email(email), Agent.is_active == True)  # noqa: E712
    ).first()


def active_agents(session: Session) -> list[Agent]:
    """Everyone a task can be handed to, by name."""
    return list(
        session.exec(
            select(Agent)
            .where(Agent.is_active == True)  # noqa: E712
            .order_by(Agent.last_name, Agent.first_name, Agent.id)
        ).all()
    )
