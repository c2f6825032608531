"""Whose accounts new ones become when the file names no producer (the command line)."""

from __future__ import annotations

from sqlmodel import Session, select

from clientcenter.models import Agent
from clientcenter.services.accounts import normalize_email
from clientcenter.services.agency.roles import Role
from clientcenter.services.errors import InvalidInput


def default_producer_id(session: Session, email: str | None) -> int:
    """The agent named by ``--producer``, else the first active administrator."""
    query = select(Agent).where(Agent.is_active == True)  # noqa: E712
    if email:
        query = query.where(Agent.email == normalize_email(email))
    else:
        query = query.where(Agent.role == Role.ADMINISTRATOR).order_by(Agent.id)
    agent = session.exec(query).first()
    if agent is None:
        raise InvalidInput(
            f"no active agent has the email {email}"
            if email
            else "no active administrator: name the producer with --producer EMAIL"
        )
    return agent.id
