"""The producers' work queue: tasks/notes that record_action created, to be done, reopened
or handed to a colleague. (Creating tasks is record_action's job alone.)"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, select

from clientcenter.models import Agent, Task
from clientcenter.models.activity import TaskStatus
from clientcenter.models.base import utcnow
from clientcenter.services.access import is_active_agent, require_permission
from clientcenter.services.agency.info_pane import TaskRow, task_rows
from clientcenter.services.agency.roles import Permission
from clientcenter.services.billing.paying import confirm_offline_payment
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.principal import Principal

PER_PAGE = 20
STATUSES = tuple(TaskStatus)


@dataclass(frozen=True)
class TaskPage:
    rows: list[TaskRow]
    total: int
    page: int
    per_page: int
    status: str
    scope: str  # mine | all

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def task_queue(
    session: Session,
    principal: Principal,
    *,
    status: str = TaskStatus.OPEN,
    scope: str = "mine",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> TaskPage:
    """Open (oldest first: the queue) or done (newest first) tasks, mine or everyone's."""
    agent = require_permission(session, principal, Permission.TASK_QUEUE)
    if status not in STATUSES:
        raise InvalidInput("Show open or done tasks.", field="status")
    if scope not in ("mine", "all"):
        raise InvalidInput("Show your tasks or everyone's.", field="scope")
    filters = [Task.status == status]
    if scope == "mine":
        filters.append(Task.assigned_agent_id == agent.id)
    page = max(1, int(page))
    per_page = max(1, min(int(per_page), 100))
    order = (
        (Task.created_at, Task.id)
        if status == TaskStatus.OPEN
        else (Task.completed_at.desc(), Task.id.desc())
    )
    total = session.exec(select(func.count()).select_from(Task).where(*filters)).one()
    tasks = session.exec(
        select(Task).where(*filters).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return TaskPage(task_rows(session, list(tasks)), total, page, per_page, status, scope)


def _task(session: Session, task_id: object) -> Task:
    try:
        task = session.get(Task, int(task_id))
    except (TypeError, ValueError):
        task = None
    if task is None:
        raise NotFound("That task no longer exists.")
    return task


def complete_task(session: Session, principal: Principal, task_id: object) -> TaskRow:
    require_permission(session, principal, Permission.TASK_QUEUE)
    task = _task(session, task_id)
    # Conditional: two agents ticking the same task leave one completion time.
    session.execute(
        update(Task)
        .where(Task.id == task.id, Task.status == TaskStatus.OPEN)
        .values(status=TaskStatus.DONE, completed_at=utcnow())
    )
    session.refresh(task)
    return task_rows(session, [task])[0]


def reopen_task(session: Session, principal: Principal, task_id: object) -> TaskRow:
    require_permission(session, principal, Permission.TASK_QUEUE)
    task = _task(session, task_id)
    task.status, task.completed_at = TaskStatus.OPEN, None
    session.add(task)
    session.flush()
    return task_rows(session, [task])[0]


def reassign_task(
    session: Session, principal: Principal, task_id: object, agent_id: object
) -> TaskRow:
    require_permission(session, principal, Permission.TASK_QUEUE)
    task = _task(session, task_id)
    try:
        target = session.get(Agent, int(agent_id))
    except (TypeError, ValueError):
        target = None
    if not is_active_agent(target):
        raise InvalidInput("Pick an active colleague to hand this task to.", field="agent")
    if task.status != TaskStatus.OPEN:
        raise InvalidInput("Reopen the task before handing it to someone else.", field="agent")
    task.assigned_agent_id = target.id
    session.add(task)
    session.flush()
    return task_rows(session, [task])[0]


def confirm_received(session: Session, principal: Principal, payment_id: object) -> str:
    """Confirm received, from the info pane or the task: the bank transfer or check arrived.
    The permission check and the task's closing happen in confirm_offline_payment."""
    try:
        ident = int(payment_id)
    except (TypeError, ValueError):
        raise NotFound("There is no such payment.") from None
    if principal is None or not principal.is_agent or principal.read_only:
        raise NotAllowed("Confirm received is taken on the agency side.")
    return confirm_offline_payment(session, principal, ident).message
