"""Profile → "Log out everywhere" (docs/login.md): a lost phone, a shared computer left
signed in. Every live session of this customer login (its email: every account it opens,
every browser, this one included) ends on the server, and every remembered browser of the
login is revoked, so each browser asks "email or text?" again. Sessions are re-checked on
every event, so another browser's open tab is refused at its next click.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session

from clientcenter.models import UserSession
from clientcenter.models.base import utcnow
from clientcenter.services.access import refuse_read_only
from clientcenter.services.auth import remembered
from clientcenter.services.errors import NotAllowed
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal

log = logging.getLogger("clientcenter.security")

ACTION = "customer.logout_everywhere"


@dataclass(frozen=True)
class LoggedOutEverywhere:
    sessions: int  # sessions ended, this one included
    browsers: int  # remembered browsers revoked


def log_out_everywhere(
    db: Session, principal: Principal, *, now: datetime | None = None
) -> LoggedOutEverywhere:
    """End every session of the login behind ``principal``'s session and revoke its
    remembered browsers; recorded in the account's activity log. Only the customer
    themself (never an agent's read-only view)."""
    refuse_read_only(principal, ACTION)
    now = now or utcnow()
    record = db.get(UserSession, principal.session_id) if principal.session_id else None
    if record is None or record.kind != "customer" or record.revoked_at is not None:
        raise NotAllowed("Your session has ended already. Log in again.")
    email = record.email
    # Recorded first: the entry names this session's contact and account, still live.
    record_action(
        db,
        principal,
        ACTION,
        summary="Logged out on every browser and device, and forgot remembered browsers.",
    )
    ended = db.execute(
        update(UserSession)
        .where(
            UserSession.kind == "customer",
            UserSession.email == email,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    browsers = remembered.revoke_all(db, subject_kind="customer", email=email, now=now)
    db.flush()
    log.info(
        "customer session %s logged out everywhere: %s sessions, %s remembered browsers",
        record.id,
        ended.rowcount,
        browsers,
    )
    return LoggedOutEverywhere(ended.rowcount or 0, browsers)
