"""An account's activity log for agents: newest first, filtered by action and by actor,
paginated. Reads only; record_action is the one writer."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from clientcenter.models import ActivityLog
from clientcenter.services.access import require_permission
from clientcenter.services.agency import audit
from clientcenter.services.agency.info_pane import (
    ActivityRow,
    activity_rows,
    actor_names,
    get_account,
)
from clientcenter.services.agency.roles import Permission
from clientcenter.services.errors import InvalidInput
from clientcenter.services.notify.catalog import CATALOG
from clientcenter.services.principal import Principal

PER_PAGE = 20
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class ActivityPage:
    account_id: int
    account_name: str
    rows: list[ActivityRow]
    total: int
    page: int
    per_page: int
    action_options: list[Option]  # the actions present in this account's log
    actor_options: list[Option]  # "customer", "agent", and each person who acted

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _actor_clause(actor: str):
    """ "customer" / "agent" (everyone of that kind), "contact:<id>" or "agent:<id>"."""
    if actor in ("customer", "agent"):
        return ActivityLog.actor_kind == actor
    kind, _, raw_id = actor.partition(":")
    if kind in ("contact", "agent") and raw_id.isdigit():
        column = ActivityLog.actor_contact_id if kind == "contact" else ActivityLog.actor_agent_id
        return column == int(raw_id)
    raise InvalidInput("Pick who acted from the list.", field="actor")


def activity_page(
    session: Session,
    principal: Principal,
    account_id: object,
    *,
    action: str = "",
    actor: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> ActivityPage:
    require_permission(session, principal, Permission.ACTIVITY)
    account = get_account(session, account_id)
    if action and action not in CATALOG:
        raise InvalidInput("Pick an action from the list.", field="action")
    audit.record_read(session, principal, "activity.view", account.id, "Read the activity log.")
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    page = max(1, int(page))
    filters = [ActivityLog.account_id == account.id]
    if action:
        filters.append(ActivityLog.action_key == action)
    if actor:
        filters.append(_actor_clause(actor))
    total = session.exec(select(func.count()).select_from(ActivityLog).where(*filters)).one()
    rows = session.exec(
        select(ActivityLog)
        .where(*filters)
        .order_by(ActivityLog.created_at.desc(), ActivityLog.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return ActivityPage(
        account_id=account.id,
        account_name=account.name,
        rows=activity_rows(session, list(rows)),
        total=total,
        page=page,
        per_page=per_page,
        action_options=_action_options(session, account.id),
        actor_options=_actor_options(session, account.id),
    )


def _action_options(session: Session, account_id: int) -> list[Option]:
    keys = session.exec(
        select(ActivityLog.action_key).where(ActivityLog.account_id == account_id).distinct()
    ).all()
    options = [Option(k, CATALOG[k].label if k in CATALOG else k) for k in keys]
    return sorted(options, key=lambda o: (o.value.split(".")[0], o.label))


def _actor_options(session: Session, account_id: int) -> list[Option]:
    pairs = session.exec(
        select(ActivityLog.actor_contact_id, ActivityLog.actor_agent_id)
        .where(ActivityLog.account_id == account_id)
        .distinct()
    ).all()
    stand_ins = [ActivityLog(actor_contact_id=c, actor_agent_id=a) for c, a in pairs]
    names = actor_names(session, stand_ins)
    options = [Option("customer", "Any customer"), Option("agent", "Any agent")]
    for (kind, ident), name in sorted(
        names.items(), key=lambda kv: (kv[0][0] != "contact", kv[1])
    ):
        options.append(
            Option(f"{kind}:{ident}", f"{name} ({'customer' if kind == 'contact' else 'agent'})")
        )
    return options
