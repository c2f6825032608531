"""Setup links: the single-use link an administrator mints so one agent can set up (or, after
a reset, set up again) their authenticator app. Enrolling needs this link, not only the
emailed sign-in code, so nobody who merely reads an agent's mailbox enrols a second factor.

- :func:`mint` makes the link (72 hours; only its keyed hash is stored) and revokes the
  agent's older ones.
- :func:`open_link` is the link opened (http/routes/agent.py): it returns the *setup pass*
  ``<link id>.<keyed hash of link id and browser>``, which the route keeps in an HttpOnly
  cookie. A tab's connection carries only ``<link id>.<keyed hash of that>``
  (``pass_digest``, put there by the tab-binding middleware), so a copy of the state store
  cannot make the cookie.
- :func:`live_link` is what the agent sign-in checks before it offers enrolment: the pass's
  digest presented by the same browser, for this agent, its link still live.
- :func:`use_up` marks it used when the enrolment is confirmed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from clientcenter import routes
from clientcenter.models import Agent, StaffEnrolmentLink
from clientcenter.models.base import utcnow
from clientcenter.services.access import is_active_agent
from clientcenter.services.auth.sessions import as_utc
from clientcenter.services.auth.tokens import keyed_hash, new_token, same_hash
from clientcenter.services.errors import NotAllowed

log = logging.getLogger("clientcenter.security")

LINK_HOURS = 72
PURPOSES = ("invite", "reset")

ASK = "Ask your agency's administrator for a new setup link."
NOT_VALID = f"This setup link is not valid. {ASK}"
EXPIRED = f"This setup link has expired. {ASK}"
USED = f"This setup link was already used. {ASK}"
NOT_SET_UP = (
    "Your authenticator app is not set up yet. Ask your agency's administrator for a setup link."
)
OTHER_BROWSER = (
    "This setup link was opened in another browser. Open the link from your email again "
    "in this browser."
)


class LinkRefused(NotAllowed):
    """A setup link that cannot be used: the message says why and what to do."""


def _hash(token: str) -> str:
    return keyed_hash("staff-setup-link", token)


def _link_id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _bound(link_id: int, browser: str) -> str:
    return keyed_hash("staff-setup-browser", f"{link_id}:{browser}")


def pass_digest(setup_pass: str) -> str | None:
    """What a tab's connection carries instead of the setup cookie."""
    link_id, _, mac = setup_pass.partition(".")
    if _link_id(link_id) is None or len(mac) != 64:
        return None
    return f"{link_id}.{keyed_hash('staff-setup-pass', mac)}"


def link_url(token: str) -> str:
    return routes.absolute_url(routes.agent_setup_path(token))


def mint(
    db: Session,
    agent: Agent,
    purpose: str,
    *,
    created_by: Agent | None,
    now: datetime | None = None,
) -> str:
    """A new link for ``agent`` (its token, shown or emailed once); older live links die."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    now = now or utcnow()
    revoke_all(db, agent, now=now)
    token = new_token()
    db.add(
        StaffEnrolmentLink(
            agent_id=agent.id,
            token_hash=_hash(token),
            purpose=purpose,
            created_by_agent_id=created_by.id if created_by else None,
            created_at=now,
            expires_at=now + timedelta(hours=LINK_HOURS),
        )
    )
    db.flush()
    return token


def revoke_all(db: Session, agent: Agent, *, now: datetime | None = None) -> None:
    """The agent's unused links stop working (a new link, a deactivation)."""
    db.execute(
        update(StaffEnrolmentLink)
        .where(
            StaffEnrolmentLink.agent_id == agent.id,
            StaffEnrolmentLink.used_at.is_(None),
            StaffEnrolmentLink.revoked_at.is_(None),
        )
        .values(revoked_at=now or utcnow())
    )


def _check(db: Session, link: StaffEnrolmentLink | None, now: datetime) -> StaffEnrolmentLink:
    if link is None or link.revoked_at is not None:
        raise LinkRefused(NOT_VALID)
    if link.used_at is not None:
        raise LinkRefused(USED)
    if as_utc(link.expires_at) <= now:
        raise LinkRefused(EXPIRED)
    agent = db.get(Agent, link.agent_id)
    if not is_active_agent(agent):
        raise LinkRefused(NOT_VALID)
    return link


def open_link(
    db: Session, token: str, *, browser: str, now: datetime | None = None
) -> tuple[str, int]:
    """The link opened in a browser: the setup pass for that browser's cookie, and how many
    seconds the cookie should live (as long as the link)."""
    now = now or utcnow()
    found = None
    if token and len(token) <= 128:
        found = db.exec(
            select(StaffEnrolmentLink).where(StaffEnrolmentLink.token_hash == _hash(token))
        ).first()
    link = _check(db, found, now)
    seconds = max(1, int((as_utc(link.expires_at) - now).total_seconds()))
    return f"{link.id}.{_bound(link.id, browser)}", seconds


def live_link(
    db: Session,
    setup_digest: str | None,
    *,
    browser: str | None,
    agent: Agent,
    now: datetime | None = None,
) -> StaffEnrolmentLink:
    """The live link this browser presents (``pass_digest`` of its cookie) for this agent;
    refused with the reason."""
    now = now or utcnow()
    link_id, _, presented = (setup_digest or "").partition(".")
    wanted = _link_id(link_id)
    link = db.get(StaffEnrolmentLink, wanted) if wanted is not None else None
    if link is None or link.agent_id != agent.id:
        raise LinkRefused(NOT_SET_UP)
    expected = keyed_hash("staff-setup-pass", _bound(link.id, browser)) if browser else None
    if not same_hash(presented, expected):
        log.warning(
            "setup link %s presented by another browser than the one that opened it", link.id
        )
        raise LinkRefused(OTHER_BROWSER)
    return _check(db, link, now)


def use_up(db: Session, link: StaffEnrolmentLink, *, now: datetime | None = None) -> None:
    """Enrolment confirmed: the link never works again (atomic, so two tabs cannot both)."""
    done = db.execute(
        update(StaffEnrolmentLink)
        .where(StaffEnrolmentLink.id == link.id, StaffEnrolmentLink.used_at.is_(None))
        .values(used_at=now or utcnow())
    )
    if done.rowcount != 1:
        raise LinkRefused(USED)
    log.info("setup link %s used by agent %s", link.id, link.agent_id)
