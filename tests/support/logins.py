"""Logging in without a browser: live sessions made by ``create_session`` the way the login
routes make them (committed), and the steps of the code flow (the code sent, the grant)."""

from __future__ import annotations

import re
from typing import NamedTuple

from sqlmodel import Session, select

from clientcenter.http.cookies import session_cookie_name
from clientcenter.models import OutboxMessage, UserSession
from clientcenter.models.base import utcnow
from clientcenter.services.accounts import loginable_contacts
from clientcenter.services.auth import login
from clientcenter.services.auth.sessions import create_session
from clientcenter.services.principal import Principal
from tests.support.demo import AGENT, PAT, account_named, agent_named
from tests.support.handlers import tab_browser_digest


class Login(NamedTuple):
    principal: Principal  # what the session's checks yield
    token: str  # what the session cookie holds
    record: UserSession

    @property
    def cookie(self) -> str:
        """The Cookie header of a browser holding this session."""
        return f"{session_cookie_name()}={self.token}"


def customer_session(
    db: Session, email: str = PAT, account_name: str | None = None, **session_args
) -> Login:
    """A customer's session on one of the accounts ``email`` may log in to (``account_name``
    when it may log in to more than one)."""
    pairs = [
        (contact, account)
        for contact, account in loginable_contacts(db, email)
        if account_name is None or account.name == account_name
    ]
    assert pairs, f"{email} cannot log in to {account_name or 'any account'}"
    contact, account = pairs[0]
    record, token = create_session(
        db,
        kind="customer",
        email=email,
        contact_id=contact.id,
        account_id=account.id,
        **session_args,
    )
    db.commit()
    principal = Principal.customer(account.id, contact.id, session_id=record.id, view=contact.sees)
    return Login(principal, token, record)


def agent_session(
    db: Session,
    account_name: str | None = None,
    email: str = AGENT,
    *,
    second_factor: bool = True,
    **session_args,
) -> Login:
    """An agent's session: in ``account_name``'s Client Center read-only, or on the agency
    side without one; its second factor done unless ``second_factor=False``."""
    agent = agent_named(db, email)
    account = account_named(db, account_name) if account_name else None
    record, token = create_session(
        db,
        kind="agent",
        email=agent.email,
        agent_id=agent.id,
        account_id=account.id if account else None,
        read_only=account is not None,
        second_factor_at=utcnow() if second_factor else None,
        **session_args,
    )
    db.commit()
    if account is None:
        principal = Principal.agency(agent.id, session_id=record.id)
    else:
        principal = Principal.agent_viewing(agent.id, account.id, session_id=record.id)
    return Login(principal, token, record)


def last_code(db: Session, address: str) -> str:
    """The code in the latest message to ``address``, as its reader would type it."""
    body = db.exec(
        select(OutboxMessage.body_text)
        .where(OutboxMessage.to_address == address)
        .order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"\b(\d{6})\b", body).group(1)


def grant_for(db: Session, email: str, client_ip: str = "198.51.100.1"):
    """Run the code flow up to the grant, as the login page does: (attempt id, verified)."""
    attempt, step = login.start(db, email=email, client_ip=client_ip)
    if step.step == "choose_channel":
        login.choose_channel(db, attempt_id=attempt, channel="email", client_ip=client_ip)
    verified = login.verify(
        db,
        attempt_id=attempt,
        browser=tab_browser_digest(),
        code=last_code(db, email),
        client_ip=client_ip,
    )
    db.commit()
    return attempt, verified


class OpenedLink(NamedTuple):
    """An agent's setup link opened in the tests' browser, as its route does."""

    setup_pass: str  # what the link's cookie holds
    browser: str  # the keyed hash of that browser's key

    @property
    def steps(self) -> dict[str, str]:
        """The keyword arguments the enrolment steps of agent_login take."""
        from clientcenter.services.agency.setup_links import pass_digest

        return {"setup_digest": pass_digest(self.setup_pass), "browser": self.browser}

    @property
    def cookie(self) -> str:
        """The Cookie header of the browser that opened it."""
        from clientcenter.services.auth.connection import setup_cookie_name

        return f"{setup_cookie_name()}={self.setup_pass}"


def opened_setup_link(db: Session, email: str = AGENT, *, now=None) -> OpenedLink:
    """A new setup link for the agent with ``email``, opened in the tests' browser
    (committed)."""
    from clientcenter.services.agency import setup_links

    token = setup_links.mint(db, agent_named(db, email), "invite", created_by=None, now=now)
    setup_pass, _seconds = setup_links.open_link(db, token, browser=tab_browser_digest(), now=now)
    db.commit()
    return OpenedLink(setup_pass, tab_browser_digest())
