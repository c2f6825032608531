"""Change requests move: an agent sets a customer's request to in review, done or declined,
with a note the customer reads on My requests.

The rules (docs/administration.md, "Change requests"):
- Who: an agent on the agency side whose role works the task queue (Permission.TASK_QUEUE).
- What: ``in_review``, ``done`` or ``declined``. "Received" (``submitted``) is where every
  request starts; nobody sets it back.
- From where: a received request may go to any of the three; one in review to done or
  declined. Done and declined are final: the only way out is *reopening*, back to in review,
  with a note saying why. Setting the status a request already has is refused.
- The note: up to 1,000 characters, required to decline and to reopen (the customer deserves
  a reason), optional otherwise. The latest note replaces the earlier one on My requests; each
  move stays in the activity log with its note.
- One catalog action, ``agency.update_request``: the matrix tells the customer by default
  (CE) and logs it; the audit trail records the write.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from clientcenter.models import Account, ChangeRequest
from clientcenter.models.base import utcnow
from clientcenter.models.engagement import REQUEST_KINDS, RequestStatus
from clientcenter.services import form_input as fi
from clientcenter.services.access import require_permission
from clientcenter.services.agency.roles import Permission
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.requests import STATUS_LABELS, RequestView, view_of
from clientcenter.services.principal import Principal

ACTION_KEY = "agency.update_request"
NOTE_MAX = 1000
SETTABLE = (RequestStatus.IN_REVIEW, RequestStatus.DONE, RequestStatus.DECLINED)
FINAL = (RequestStatus.DONE, RequestStatus.DECLINED)
# status now → the statuses an agent may set from it
NEXT: dict[str, tuple[RequestStatus, ...]] = {
    RequestStatus.SUBMITTED: SETTABLE,
    RequestStatus.IN_REVIEW: (RequestStatus.DONE, RequestStatus.DECLINED),
    RequestStatus.DONE: (RequestStatus.IN_REVIEW,),
    RequestStatus.DECLINED: (RequestStatus.IN_REVIEW,),
}


@dataclass(frozen=True)
class StatusChange:
    request: RequestView
    previous_status: str
    message: str  # what the agent's page shows


def next_statuses(status: str) -> tuple[RequestStatus, ...]:
    return NEXT.get(status, ())


def set_request_status(
    session: Session,
    principal: Principal,
    request_id: int,
    status: str,
    note: str = "",
) -> StatusChange:
    """Move one request to ``status`` with ``note`` (rules above). Refusals change nothing;
    the change, its log row, the customer's message and the audit row share the caller's
    transaction (never committed here)."""
    agent = require_permission(session, principal, Permission.TASK_QUEUE)
    status = str(status or "").strip().lower()
    if status not in SETTABLE:
        raise InvalidInput(
            "Status must be one of in_review, done or declined.",
            field="status",
        )
    note = fi.text(
        {"note": note}, "note", "Note", max_len=NOTE_MAX, required=False, multiline=True
    )
    note = note.strip()
    try:
        rid = int(request_id)
    except (TypeError, ValueError):
        rid = None
    row = (
        session.exec(
            select(ChangeRequest).where(ChangeRequest.id == rid).with_for_update()
        ).first()
        if rid is not None
        else None
    )
    # An agent looking at one account reaches only that account's requests; a missing id and
    # another account's look the same.
    if row is None or (
        principal.account_id is not None and row.account_id != principal.account_id
    ):
        raise NotFound("No such request.")
    session.refresh(row)  # the status as committed, not as this session last saw it
    previous = row.status
    if status == previous:
        raise InvalidInput(
            f"Request {row.reference} is already {STATUS_LABELS[status].lower()}.", field="status"
        )
    if status not in next_statuses(previous):
        raise InvalidInput(
            f"Request {row.reference} is {STATUS_LABELS.get(previous, previous).lower()}: "
            "reopen it (set it back to in review, with a note) before changing it again.",
            field="status",
        )
    reopening = previous in FINAL
    if not note and (status == RequestStatus.DECLINED or reopening):
        why = "declining a request" if status == RequestStatus.DECLINED else "reopening it"
        raise InvalidInput(f"Note: tell the customer why you are {why}.", field="note")

    # Guarded on the status read: two agents moving one request leave one change.
    changed = session.execute(
        update(ChangeRequest)
        .where(ChangeRequest.id == row.id, ChangeRequest.status == previous)
        .values(
            status=status,
            status_note=note,
            status_changed_at=utcnow(),
            status_changed_by_agent_id=agent.id,
        )
    ).rowcount
    if changed != 1:
        raise InvalidInput("Someone else changed this request just now; reload and try again.")
    session.refresh(row)
    label = STATUS_LABELS[status]
    kind = REQUEST_KINDS.get(row.kind, row.kind)
    record_action(
        session,
        principal,
        ACTION_KEY,
        account_id=row.account_id,
        summary=f"{kind} {row.reference}: {label}" + (f" — {note}" if note else ""),
        details={
            "reference": row.reference,
            "request_type": kind,
            "status": status,
            "status_label": label,
            "previous_status": previous,
            "reopened": reopening,
            "note": note,
        },
    )
    return StatusChange(
        view_of(row),
        previous,
        f"Request {row.reference} is now {label.lower()}" + (" (reopened)." if reopening else "."),
    )


@dataclass(frozen=True)
class QueuedRequest:
    view: RequestView
    next_statuses: tuple[str, ...]


@dataclass(frozen=True)
class AccountRequests:
    account_id: int
    name: str
    rows: list[QueuedRequest]


def account_requests(
    session: Session, principal: Principal, account_id: object
) -> AccountRequests:
    """One account's requests for the agency side, newest first, with the moves each allows."""
    require_permission(session, principal, Permission.TASK_QUEUE)
    try:
        account = session.get(Account, int(account_id))
    except (TypeError, ValueError):
        account = None
    if account is None:
        raise NotFound("No such customer account.")
    rows = session.exec(
        select(ChangeRequest)
        .where(ChangeRequest.account_id == account.id)
        .order_by(ChangeRequest.created_at.desc(), ChangeRequest.id.desc())
        .execution_options(populate_existing=True)
    ).all()
    return AccountRequests(
        account.id,
        account.name,
        [QueuedRequest(view_of(r), tuple(next_statuses(r.status))) for r in rows],
    )
