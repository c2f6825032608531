"""Staff management, for administrators (Permission.MANAGE_STAFF): invite an agent, change a
role, deactivate, reset a second factor, and the list with each agent's last sign-in.

Two rules keep the agency able to run itself: the last active administrator can be neither
demoted nor deactivated, and an administrator never deactivates or resets themselves (another
administrator does, or ``python -m clientcenter.cli admin create --force``).

An invitation or a reset mints a setup link (services/agency/setup_links.py) and emails it
through the outbox; the administrator also sees it once, to hand over another way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from clientcenter.models import Account, Agent, Task, UserSession
from clientcenter.models.activity import TaskStatus
from clientcenter.models.base import utcnow
from clientcenter.services import form_input
from clientcenter.services.access import is_active_agent, require_permission
from clientcenter.services.agency import audit, setup_links
from clientcenter.services.agency.roles import ROLE_LABELS, Permission, Role, role_of
from clientcenter.services.auth import totp
from clientcenter.services.dates import time_text
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.notify import outbox
from clientcenter.services.principal import Principal

log = logging.getLogger("clientcenter.security")

ROLE_CHOICES = {role.value: label for role, label in ROLE_LABELS.items()}
LAST_ADMINISTRATOR = (
    "This is the agency's last active administrator: make another agent an administrator "
    "first, so someone can still manage staff."
)
NOT_YOURSELF = "Ask another administrator to {what} your own sign-in."
NO_AGENT = "That agent is not on staff."
INACTIVE = "This agent is deactivated."


@dataclass(frozen=True)
class StaffRow:
    agent_id: int
    name: str
    email: str
    role: str
    role_label: str
    active: bool
    enrolled: bool
    last_sign_in_at: datetime | None


@dataclass(frozen=True)
class Minted:
    """An agent with a new setup link: ``link`` is shown once (it was also emailed)."""

    agent_id: int
    name: str
    email: str
    link: str


@dataclass(frozen=True)
class OpenTask:
    task_id: int
    title: str
    account_id: int | None


@dataclass(frozen=True)
class ProducedAccount:
    account_id: int
    name: str


@dataclass(frozen=True)
class Deactivated:
    """What a deactivation left for others: every open task and account to reassign."""

    agent_id: int
    name: str
    sessions_ended: int
    open_tasks: list[OpenTask]
    accounts: list[ProducedAccount]


# --------------------------------------------------------------------------- reads


def staff_list(session: Session, principal: Principal) -> list[StaffRow]:
    require_permission(session, principal, Permission.MANAGE_STAFF)
    agents = session.exec(
        select(Agent).order_by(Agent.is_active.desc(), Agent.last_name, Agent.first_name)
    ).all()
    return [_row(a) for a in agents]


def _row(agent: Agent) -> StaffRow:
    return StaffRow(
        agent_id=agent.id,
        name=agent.full_name,
        email=agent.email,
        role=agent.role,
        role_label=ROLE_LABELS.get(role_of(agent.role), agent.role),
        active=is_active_agent(agent),
        enrolled=totp.is_enrolled(agent),
        last_sign_in_at=agent.last_sign_in_at,
    )


def _agent(session: Session, agent_id: object) -> Agent:
    text = (
        str(agent_id) if isinstance(agent_id, int | str) and not isinstance(agent_id, bool) else ""
    )
    wanted = int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None
    agent = session.get(Agent, wanted) if wanted else None
    if agent is None:
        raise NotFound(NO_AGENT)
    return agent


def _active_administrators(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(Agent)
        .where(Agent.role == Role.ADMINISTRATOR, Agent.is_active == True)  # noqa: E712
    ).one()


def _refuse_last_administrator(session: Session, agent: Agent) -> None:
    if (
        is_active_agent(agent)
        and agent.role == Role.ADMINISTRATOR
        and _active_administrators(session) <= 1
    ):
        raise NotAllowed(LAST_ADMINISTRATOR)


def _set_active(session: Session, agent: Agent, active: bool, at: datetime | None) -> None:
    session.execute(
        update(Agent).where(Agent.id == agent.id).values(is_active=active, deactivated_at=at)
    )
    session.refresh(agent)


def _end_sessions(session: Session, agent: Agent, now: datetime) -> int:
    """Every live session of the agent ends now, in one statement."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.agent_id == agent.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount


# --------------------------------------------------------------------------- invite


def _expiry_words(now: datetime) -> str:
    expires = now + timedelta(hours=setup_links.LINK_HOURS)
    return time_text(expires)


def send_setup_link(
    session: Session,
    agent: Agent,
    *,
    created_by: Agent | None,
    purpose: str = "invite",
    now: datetime | None = None,
) -> str:
    """Mint ``agent``'s setup link and email it (the outbox): the link's address."""
    now = now or utcnow()
    token = setup_links.mint(session, agent, purpose, created_by=created_by, now=now)
    sender = created_by if created_by is not None and created_by.id != agent.id else None
    outbox.enqueue(
        session,
        channel="email",
        to_address=agent.email,
        to_name=agent.full_name,
        template="staff_invite" if purpose == "invite" else "staff_reset",
        recipient_kind="agent",
        context={
            "first_name": agent.first_name,
            "admin_name": sender.full_name if sender else "Your agency",
            "role_label": ROLE_LABELS.get(role_of(agent.role), agent.role),
            "email": agent.email,
            "expires": _expiry_words(now),
            "url": setup_links.link_url(token),
            "url_label": "Set up your sign-in",
        },
    )
    return setup_links.link_url(token)


def invite(
    session: Session, principal: Principal, data: dict | None, *, now: datetime | None = None
) -> Minted:
    """A new agent with a setup link, emailed. An address already on staff is refused."""
    admin = require_permission(session, principal, Permission.MANAGE_STAFF)
    now = now or utcnow()
    data = form_input.allowed(data, ("email", "first_name", "last_name", "role"))
    email = form_input.email(data, "email")
    first = form_input.name(data, "first_name", "First name")
    last = form_input.name(data, "last_name", "Last name")
    role = form_input.choice(data, "role", "Role", ROLE_CHOICES)
    existing = session.exec(select(Agent).where(Agent.email == email)).first()
    if existing is not None:
        state = "on staff" if is_active_agent(existing) else "on staff, deactivated"
        raise InvalidInput(f"{email} is already {state} ({existing.full_name}).", "email")
    agent = Agent(
        email=email, first_name=first, last_name=last, role=role, title=ROLE_CHOICES[role]
    )
    session.add(agent)
    session.flush()
    link = send_setup_link(session, agent, created_by=admin, now=now)
    log.info("agent %s invited agent %s as %s", admin.id, agent.id, role)
    audit.record_write(
        session, principal, "staff.invite", None, f"Invited {agent.full_name} <{email}> as {role}"
    )
    return Minted(agent.id, agent.full_name, agent.email, link)


# --------------------------------------------------------------------------- changes


def change_role(
    session: Session, principal: Principal, agent_id: object, role: object
) -> StaffRow:
    admin = require_permission(session, principal, Permission.MANAGE_STAFF)
    agent = _agent(session, agent_id)
    new_role = form_input.choice({"role": role}, "role", "Role", ROLE_CHOICES)
    if not is_active_agent(agent):
        raise InvalidInput(f"{INACTIVE} Its role cannot change.", "role")
    if new_role != agent.role:
        if agent.role == Role.ADMINISTRATOR:
            _refuse_last_administrator(session, agent)
        log.info(
            "agent %s changed agent %s's role from %s to %s",
            admin.id,
            agent.id,
            agent.role,
            new_role,
        )
        audit.record_write(
            session,
            principal,
            "staff.role_change",
            None,
            f"{agent.full_name}: role {agent.role} → {new_role}",
        )
        agent.role = new_role
        session.add(agent)
        session.flush()
    return _row(agent)


def deactivate(
    session: Session, principal: Principal, agent_id: object, *, now: datetime | None = None
) -> Deactivated:
    """The agent can no longer sign in; every session ends now and unused setup links die.
    Returns their open tasks and accounts, to hand to others."""
    admin = require_permission(session, principal, Permission.MANAGE_STAFF)
    agent = _agent(session, agent_id)
    now = now or utcnow()
    if agent.id == admin.id:
        raise NotAllowed(NOT_YOURSELF.format(what="deactivate"))
    if not is_active_agent(agent):
        raise InvalidInput(f"{agent.full_name} is already deactivated.")
    _refuse_last_administrator(session, agent)
    _set_active(session, agent, False, now)
    ended = _end_sessions(session, agent, now)
    setup_links.revoke_all(session, agent, now=now)
    session.flush()
    log.warning("agent %s deactivated agent %s (%d sessions ended)", admin.id, agent.id, ended)
    audit.record_write(
        session,
        principal,
        "staff.deactivate",
        None,
        f"Deactivated {agent.full_name} ({ended} sessions ended)",
    )
    return Deactivated(agent.id, agent.full_name, ended, *_left_behind(session, agent))


def _left_behind(session: Session, agent: Agent) -> tuple[list[OpenTask], list[ProducedAccount]]:
    tasks = session.exec(
        select(Task)
        .where(Task.assigned_agent_id == agent.id, Task.status == TaskStatus.OPEN)
        .order_by(Task.created_at)
    ).all()
    accounts = session.exec(
        select(Account).where(Account.producer_id == agent.id).order_by(Account.name)
    ).all()
    return (
        [OpenTask(t.id, t.title, t.account_id) for t in tasks],
        [ProducedAccount(a.id, a.name) for a in accounts],
    )


def left_behind(session: Session, principal: Principal, agent_id: object) -> Deactivated:
    """The reassignment list of an agent again (the staff page after a reload)."""
    require_permission(session, principal, Permission.MANAGE_STAFF)
    agent = _agent(session, agent_id)
    return Deactivated(agent.id, agent.full_name, 0, *_left_behind(session, agent))


def reset_second_factor(
    session: Session, principal: Principal, agent_id: object, *, now: datetime | None = None
) -> Minted:
    """Lost phone: the authenticator and recovery codes go, every session ends, and a new
    setup link is emailed to the agent."""
    admin = require_permission(session, principal, Permission.MANAGE_STAFF)
    agent = _agent(session, agent_id)
    now = now or utcnow()
    if agent.id == admin.id:
        raise NotAllowed(NOT_YOURSELF.format(what="reset"))
    if not is_active_agent(agent):
        raise InvalidInput(f"{INACTIVE} It cannot sign in, so there is nothing to reset.")
    totp.reset(session, agent)
    ended = _end_sessions(session, agent, now)
    link = send_setup_link(session, agent, created_by=admin, purpose="reset", now=now)
    log.warning(
        "agent %s reset agent %s's second factor (%d sessions ended)", admin.id, agent.id, ended
    )
    audit.record_write(
        session,
        principal,
        "staff.reset_second_factor",
        None,
        f"Reset {agent.full_name}'s second factor ({ended} sessions ended)",
    )
    return Minted(agent.id, agent.full_name, agent.email, link)


# --------------------------------------------------------------------------- bootstrap


def create_first_administrator(
    session: Session, *, email: str, full_name: str, force: bool = False
) -> Minted:
    """The CLI's ``admin create``: an administrator and a setup link, without anyone signed in
    (the operator has the server). Refused when an active administrator exists, unless forced
    (the CLI asks for a typed confirmation first)."""
    if _active_administrators(session) and not force:
        raise NotAllowed(
            "An administrator already exists: invite agents from the staff page, or run "
            "again with --force to add another administrator."
        )
    clean = form_input.email({"email": email}, "email")
    names = " ".join(full_name.split()).rsplit(" ", 1)
    if len(names) != 2:
        raise InvalidInput("Give the full name: first and last name.", "full_name")
    first = form_input.name({"n": names[0]}, "n", "First name")
    last = form_input.name({"n": names[1]}, "n", "Last name")
    agent = session.exec(select(Agent).where(Agent.email == clean)).first()
    if agent is None:
        agent = Agent(email=clean, first_name=first, last_name=last)
    elif is_active_agent(agent) and agent.role == Role.ADMINISTRATOR and totp.is_enrolled(agent):
        raise InvalidInput(f"{clean} is already an administrator who can sign in.", "email")
    # An existing agent (a locked-out agency's) becomes an active administrator, enrols again.
    agent.role, agent.title = Role.ADMINISTRATOR, ROLE_CHOICES[Role.ADMINISTRATOR]
    session.add(agent)
    session.flush()
    _set_active(session, agent, True, None)
    totp.reset(session, agent)
    _end_sessions(session, agent, utcnow())
    token = setup_links.mint(session, agent, "invite", created_by=None)
    log.warning("administrator %s created from the command line", agent.id)
    return Minted(agent.id, agent.full_name, agent.email, setup_links.link_url(token))
