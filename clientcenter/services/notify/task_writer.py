"""The matrix's T column: the producer's task for an action, titled in people's words.

Repeated edits of the same thing gather into one open task ("Pat Rivera updated their
personal information" once, not three times); the task is updated with each one. Actions with
their own subject (a request, a payment, a proposal) keep one task each, so closing one —
confirming a payment, say — leaves the others alone."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from clientcenter.models import Account, ActivityLog, Task
from clientcenter.models.activity import TaskStatus
from clientcenter.models.base import utcnow
from clientcenter.services.dates import time_text
from clientcenter.services.notify.catalog import Action
from clientcenter.services.notify.phrasing import sentence

# action -> the details key that names "the same thing" (None: anything of this kind on the
# account). Actions not listed get a task each.
GATHERED: dict[str, str | None] = {
    "customer.edit_personal_info": "contact_id",
    "customer.edit_coapplicant_info": "contact_id",
    "customer.edit_contact_preferences": None,
    "customer.upload_documents": None,
    "customer.download_documents": None,
    "customer.id_card_download": None,
    "customer.cross_sell_integration": None,
    "customer.feedback": None,
}
MAX_TITLE, MAX_BODY = 200, 4000
PAYMENT_ACTIONS = ("customer.payments", "agent.payments")


def _same_thing(action: Action, a: dict[str, Any], b: dict[str, Any]) -> bool:
    key = GATHERED[action.key]
    return key is None or a.get(key) == b.get(key)


def _open_task_for(
    session: Session, account: Account, action: Action, details: dict[str, Any]
) -> Task | None:
    if action.key not in GATHERED:
        return None
    candidates = session.exec(
        select(Task)
        .where(
            Task.account_id == account.id,
            Task.action_key == action.key,
            Task.status == TaskStatus.OPEN,
        )
        .order_by(Task.id.desc())
    ).all()
    for task in candidates:
        first = session.get(ActivityLog, task.activity_id) if task.activity_id else None
        if _same_thing(action, first.details if first else {}, details):
            return task
    return None


def _times_since(
    session: Session, task: Task, action: Action, details: dict[str, Any], entry: ActivityLog
) -> int:
    """How many of these the open task stands for, this one included."""
    rows = session.exec(
        select(ActivityLog).where(
            ActivityLog.account_id == task.account_id,
            ActivityLog.action_key == action.key,
            # From the entry that opened the task (ids grow; its clock may not).
            ActivityLog.id >= task.activity_id
            if task.activity_id
            else ActivityLog.created_at >= task.created_at,
        )
    ).all()
    seen = sum(1 for r in rows if r.id != entry.id and _same_thing(action, r.details, details))
    return seen + 1


def write_task(
    session: Session,
    *,
    account: Account,
    action: Action,
    entry: ActivityLog,
    actor_name: str,
    summary: str,
    details: dict[str, Any],
) -> Task:
    """Open a task for this action, or fold it into the open one about the same thing."""
    line = f"{time_text(entry.created_at)}: {summary}" if summary else ""
    task = _open_task_for(session, account, action, details)
    if task is None:
        task = Task(
            account_id=account.id,
            assigned_agent_id=account.producer_id,
            activity_id=entry.id,
            action_key=action.key,
            title=sentence(actor_name, action.key, details)[:MAX_TITLE],
            body=line[:MAX_BODY],
        )
    else:
        count = _times_since(session, task, action, details, entry)
        task.title = sentence(actor_name, action.key, details, count)[:MAX_TITLE]
        task.body = "\n".join(p for p in (task.body, line) if p)[:MAX_BODY]
    session.add(task)
    return task


def close_payment_tasks(session: Session, account_id: int, payment_id: int) -> int:
    """Confirming (or refusing) an offline payment settles the task its report opened."""
    rows = session.exec(
        select(Task, ActivityLog)
        .join(ActivityLog, Task.activity_id == ActivityLog.id)
        .where(
            Task.account_id == account_id,
            Task.status == TaskStatus.OPEN,
            ActivityLog.action_key.in_(PAYMENT_ACTIONS),
        )
    ).all()
    closed = 0
    for task, activity in rows:
        if (activity.details or {}).get("payment_id") == payment_id:
            task.status, task.completed_at = TaskStatus.DONE, utcnow()
            session.add(task)
            closed += 1
    session.flush()
    return closed


def payment_of(activity: ActivityLog | None) -> int | None:
    """The payment a task's action reported, if it was one."""
    if activity is None or activity.action_key not in PAYMENT_ACTIONS:
        return None
    found = (activity.details or {}).get("payment_id")
    return found if isinstance(found, int) else None
