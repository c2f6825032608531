"""Agency staff: look-ups of active agents. Who may act on the agency side is decided in
services/access.py (require_agency_agent)."""

from __future__ import annotations

from sqlmodel import Session, select

from clientcenter.models import Agent
from clientcenter.services.accounts import normalize_email


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
