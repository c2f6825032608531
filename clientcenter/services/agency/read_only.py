"""Read-only Client Center: an agent opens exactly what a customer sees, and changes nothing.

Entering rotates the agent's session into a read-only session bound to the account (the
agency-side token stops working; the 12-hour limit still counts from the agent's sign-in);
leaving rotates it back. Both are recorded through record_action as the Agent Section's
"Logs in" and "Log off" (docs/actions-and-matrix.md). While in it, every customer service refuses writes
(services/access.py), and the refusal goes to the security log with agent and account;
tests/services/agency/test_read_only_enforcement.py proves it for every handler and route.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from clientcenter import routes
from clientcenter.models import Contact, UserSession
from clientcenter.models.accounts import ContactRole
from clientcenter.models.base import utcnow
from clientcenter.services.access import require_permission, viewable_account
from clientcenter.services.accounts import is_account_active
from clientcenter.services.agency import audit
from clientcenter.services.agency.info_pane import get_account
from clientcenter.services.agency.roles import Permission
from clientcenter.services.auth.sessions import (
    SessionStarted,
    SessionStatus,
    check_session,
    rotate_session,
    session_started,
)
from clientcenter.services.auth.tokens import sign, unsign
from clientcenter.services.errors import InvalidInput, NotAllowed
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal

VIEW_GRANT = "agent-view"
GRANT_TTL_SECONDS = 60


def view_grant(session: Session, principal: Principal, account_id: object) -> str:
    """From the info pane: a short-lived grant for the HTTP route that enters the view.
    Bound to this very session, so it cannot be replayed from another browser."""
    require_permission(session, principal, Permission.READ_ONLY_VIEW)
    account = get_account(session, account_id)
    if not is_account_active(session, account.id):
        raise InvalidInput(
            f"{account.name} has no active policy, so its Client Center is "
            "closed: there is nothing the customer could see."
        )
    if principal.session_id is None:
        raise NotAllowed("Sign in again to open a customer's Client Center.")
    return sign(VIEW_GRANT, {"s": principal.session_id, "a": account.id}, GRANT_TTL_SECONDS)


def enter_view(
    session: Session,
    *,
    grant: str,
    token: str | None,
    client_ip: str,
    user_agent: str = "",
    now: datetime | None = None,
) -> SessionStarted:
    """HTTP route: the agency-side session becomes a read-only session on the account."""
    now = now or utcnow()
    payload = unsign(VIEW_GRANT, grant or "")
    check = check_session(session, token, now=now, touch=False)
    principal = check.principal
    if (
        payload is None
        or check.status != SessionStatus.OK
        or principal is None
        or not principal.is_agent
        or principal.read_only
        or payload.get("s") != check.session_id
        or not isinstance(payload.get("a"), int)
    ):
        raise NotAllowed(
            "That link to a customer's Client Center is no longer valid. Open it "
            "again from the customer's info pane."
        )
    # Checked again here: the role may have changed since the grant was minted.
    require_permission(session, principal, Permission.READ_ONLY_VIEW)
    account = get_account(session, payload["a"])
    if not is_account_active(session, account.id):
        raise InvalidInput(f"{account.name} has no active policy, so its Client Center is closed.")
    record = session.get(UserSession, check.session_id)
    rotated = rotate_session(
        session,
        record,
        now=now,
        read_only=True,
        account_id=account.id,
        client_ip=client_ip,
        user_agent=user_agent,
    )
    if rotated is None:
        raise NotAllowed("That link was already used.")
    new_record, new_token = rotated
    viewing = Principal.agent_viewing(principal.agent_id, account.id, session_id=new_record.id)
    audit.record_read(
        session,
        viewing,
        "read_only.enter",
        account.id,
        "Opened the customer's Client Center in read-only mode.",
        client_ip,
    )
    record_action(
        session,
        viewing,
        "agent.login",
        summary="Opened the customer's Client Center in read-only mode.",
    )
    return session_started(new_record, new_token, routes.CUSTOMER_HOME, now)


def exit_view(
    session: Session,
    *,
    token: str | None,
    client_ip: str,
    user_agent: str = "",
    now: datetime | None = None,
) -> SessionStarted:
    """HTTP route: leave the read-only view, back to the account's info pane."""
    now = now or utcnow()
    check = check_session(session, token, now=now, touch=False)
    principal = check.principal
    if check.status != SessionStatus.OK or principal is None or not principal.read_only:
        raise NotAllowed("You are not viewing a customer's Client Center.")
    record_action(
        session,
        principal,
        "agent.logoff",
        summary="Left the customer's Client Center (read-only mode).",
    )
    record = session.get(UserSession, check.session_id)
    rotated = rotate_session(
        session,
        record,
        now=now,
        read_only=False,
        account_id=None,
        client_ip=client_ip,
        user_agent=user_agent,
    )
    if rotated is None:
        raise NotAllowed("This view has already ended.")
    new_record, new_token = rotated
    return session_started(
        new_record, new_token, routes.agent_account_path(principal.account_id), now
    )


def record_logout(session: Session, token: str | None, now: datetime | None = None) -> None:
    """Logging out from inside a read-only view is also the Agent Section's "Log off"."""
    check = check_session(session, token, now=now, touch=False)
    if (
        check.status == SessionStatus.OK
        and check.principal is not None
        and check.principal.read_only
    ):
        record_action(
            session,
            check.principal,
            "agent.logoff",
            summary="Logged out while viewing the customer's Client Center.",
        )


def viewed_contact(session: Session, principal: Principal) -> Contact | None:
    """Whose Profile an agent sees in the read-only view: the account's primary applicant
    (the first contact when there is none), shown as that customer sees it, never editable."""
    if not principal.read_only:
        raise NotAllowed("Only the read-only view shows a customer's profile to an agent.")
    account = viewable_account(session, principal)
    contacts = session.exec(
        select(Contact).where(Contact.account_id == account.id).order_by(Contact.id)
    ).all()
    primary = [c for c in contacts if c.role == ContactRole.PRIMARY]
    return (primary or list(contacts) or [None])[0]
