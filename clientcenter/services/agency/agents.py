"""Agency staff: look-ups of active agents, the signed-in agent, and what their role allows.
Who may act on the agency side is decided in services/access.py (require_permission)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from clientcenter.models import Agent
from clientcenter.services.access import agent_may, require_agency_agent
from clientcenter.services.accounts import normalize_email
from clientcenter.services.agency.roles import ROLE_LABELS, Permission, role_of
from clientcenter.services.principal import Principal


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


def signed_in_agent(session: Session, principal: Principal) -> Agent:
    """The agent on the agency side, whatever their role: their own details, the permission
    table, and what the agency pages show them."""
    return require_agency_agent(session, principal)


@dataclass(frozen=True)
class AgentAccess:
    """The signed-in agent's role and what it allows, for the pages to hide the rest (the
    services refuse it anyway)."""

    role: str
    role_label: str
    permissions: list[Permission]
    name: str  # who is signed in, for the agency pages' header


def agent_access(session: Session, principal: Principal) -> AgentAccess:
    agent = signed_in_agent(session, principal)
    known = role_of(agent.role)
    return AgentAccess(
        role=agent.role,
        role_label=ROLE_LABELS[known] if known else agent.role,
        permissions=[p for p in Permission if agent_may(agent, p)],
        name=agent.full_name,
    )
