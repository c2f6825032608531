"""The audit trail: every agent read of customer data and every agent write, with agent,
account, time and client IP (GLBA Safeguards 314.4(c)(8); docs/administration.md).

Reads are recorded where they happen (the info pane, the read-only view, a download by an
agent, a search); writes in one place, ``record_action`` (services/notify/activity.py), in the
transaction of the change. An auditor or administrator reads the trail page by page
(``audit_page``) and exports a date range as CSV (``export_csv``), streamed from the database
in chunks. Customer self-service stays in activity_log; the export can add it.
"""

from __future__ import annotations

import csv
import heapq
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import func, or_
from sqlmodel import Session, select

from clientcenter.models import Account, ActivityLog, Agent, Contact
from clientcenter.models.audit import AuditEvent
from clientcenter.models.base import utcnow
from clientcenter.services.access import require_permission
from clientcenter.services.agency.roles import Permission
from clientcenter.services.auth.tokens import keyed_hash
from clientcenter.services.dates import time_text
from clientcenter.services.errors import InvalidInput
from clientcenter.services.principal import Principal
from clientcenter.settings import Settings, get_settings

PER_PAGE = 50
EXPORT_CHUNK_ROWS = 500  # rows per streamed piece, and per database fetch
SEARCH_HASH_PURPOSE = "audit-search-query"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = (
    "time_utc",
    "source",
    "kind",
    "action",
    "agent_id",
    "agent",
    "account_id",
    "account",
    "customer",
    "summary",
    "query_hash",
    "client_ip",
)


_AGENT_NAME = (Agent.first_name + " " + Agent.last_name).label("agent_name")


class AuditKind(StrEnum):
    READ = "read"
    WRITE = "write"


KIND_LABELS = {AuditKind.READ: "Read", AuditKind.WRITE: "Change"}


# --------------------------------------------------------------------------- recording


def record_read(
    session: Session,
    principal: Principal,
    action: str,
    account_id: int | None,
    summary: str = "",
    client_ip: str | None = None,
    query: str | None = None,
    settings: Settings | None = None,
) -> AuditEvent:
    """One agent read of customer data. ``query`` (a search's words) is kept as the settings
    say (``audit.search_queries``): a keyed hash by default."""
    summary, query_hash = _query_fields(summary, query, settings or get_settings())
    return _record(
        session, principal, AuditKind.READ, action, account_id, summary, client_ip, query_hash
    )


def record_write(
    session: Session,
    principal: Principal,
    action: str,
    account_id: int | None,
    summary: str = "",
    client_ip: str | None = None,
) -> AuditEvent:
    """One agent change, in the transaction of the change."""
    return _record(session, principal, AuditKind.WRITE, action, account_id, summary, client_ip)


def _record(
    session: Session,
    principal: Principal,
    kind: AuditKind,
    action: str,
    account_id: int | None,
    summary: str,
    client_ip: str | None,
    query_hash: str | None = None,
) -> AuditEvent:
    if principal.is_api_key:  # a new kind of actor: the trail names the key that called
        summary = f'API key "{principal.api_key_name}": {summary}'
    event = AuditEvent(
        created_at=utcnow(),
        agent_id=principal.agent_id,
        api_key_id=principal.api_key_id,
        account_id=account_id,
        kind=kind,
        action=action[:48],
        summary=" ".join(summary.split())[:300],
        query_hash=query_hash,
        # The caller's IP when it passes one, else the one the principal came with ("" when
        # the path cannot know it, e.g. a job with no request behind it).
        client_ip=(client_ip if client_ip is not None else principal.client_ip)[:64],
    )
    session.add(event)
    session.flush()
    return event


def _query_fields(summary: str, query: str | None, settings: Settings) -> tuple[str, str | None]:
    if query is None:
        return summary, None
    words = " ".join(query.split())
    mode = settings.audit.search_queries
    if mode == "plain":
        return f"{summary} {words!r}".strip(), None
    if mode == "hash":
        return summary, keyed_hash(SEARCH_HASH_PURPOSE, words.casefold())
    return summary, None


def search_query_hash(query: str) -> str:
    """The hash a search for these words left, so an examiner can look for one query."""
    return keyed_hash(SEARCH_HASH_PURPOSE, " ".join(query.split()).casefold())


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class AuditFilter:
    agent_id: int | None = None
    account: str = ""  # part of the account's name, or its number
    date_from: date | None = None
    date_to: date | None = None
    kind: str = ""  # "" | read | write


def parse_filter(data: dict | None) -> AuditFilter:
    """The page's filter form (strings) as a filter; InvalidInput names the bad field."""
    data = data or {}
    agent = str(data.get("agent_id") or "").strip()
    if agent and not agent.isdigit():
        raise InvalidInput("Choose an agent from the list.", "agent_id")
    kind = str(data.get("kind") or "").strip()
    if kind and kind not in tuple(AuditKind):
        raise InvalidInput("Choose reads, changes or both.", "kind")
    date_from = _date(data.get("date_from"), "date_from")
    date_to = _date(data.get("date_to"), "date_to")
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("The end date is before the start date.", "date_to")
    return AuditFilter(
        agent_id=int(agent) if agent else None,
        account=str(data.get("account") or "").strip()[:160],
        date_from=date_from,
        date_to=date_to,
        kind=kind,
    )


def _date(value: object, field: str) -> date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("Enter the date as YYYY-MM-DD.", field) from None


def day_start(day: date) -> datetime:
    """Dates are UTC days: the trail stores UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def _where(query, f: AuditFilter):
    if f.agent_id is not None:
        query = query.where(AuditEvent.agent_id == f.agent_id)
    if f.kind:
        query = query.where(AuditEvent.kind == f.kind)
    if f.date_from:
        query = query.where(AuditEvent.created_at >= day_start(f.date_from))
    if f.date_to:
        query = query.where(AuditEvent.created_at < day_start(f.date_to + timedelta(days=1)))
    if f.account:
        named = select(Account.id).where(func.lower(Account.name).contains(f.account.lower()))
        match = AuditEvent.account_id.in_(named)
        if f.account.isdigit():
            match = or_(match, AuditEvent.account_id == int(f.account))
        query = query.where(match)
    return query


# --------------------------------------------------------------------------- the page


@dataclass(frozen=True)
class AuditRow:
    id: int
    when: str
    kind: str
    kind_label: str
    action: str
    agent: str
    account: str
    account_id: int
    summary: str
    client_ip: str


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class AgentChoice:
    id: int
    name: str


def agent_choices(session: Session, principal: Principal) -> list[AgentChoice]:
    """Every agent, deactivated ones too: the trail outlives their access."""
    require_permission(session, principal, Permission.AUDIT_TRAIL)
    agents = session.exec(select(Agent).order_by(Agent.first_name, Agent.last_name)).all()
    return [AgentChoice(a.id, a.full_name) for a in agents]


def audit_page(
    session: Session, principal: Principal, f: AuditFilter, page: int = 1, per_page: int = PER_PAGE
) -> AuditPage:
    """One page of the trail, newest first."""
    require_permission(session, principal, Permission.AUDIT_TRAIL)
    total = session.exec(_where(select(func.count()).select_from(AuditEvent), f)).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    stmt = (
        _where(select(AuditEvent, _AGENT_NAME, Account.name), f)
        .outerjoin(Agent, Agent.id == AuditEvent.agent_id)
        .outerjoin(Account, Account.id == AuditEvent.account_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = [
        AuditRow(
            id=e.id,
            when=time_text(e.created_at),
            kind=e.kind,
            kind_label=KIND_LABELS.get(e.kind, e.kind),
            action=e.action,
            agent=agent_name or (f"Agent #{e.agent_id}" if e.agent_id else ""),
            account=account_name or (f"Account #{e.account_id}" if e.account_id else ""),
            account_id=e.account_id or 0,
            summary=e.summary,
            client_ip=e.client_ip,
        )
        for e, agent_name, account_name in session.exec(stmt).all()
    ]
    return AuditPage(rows=rows, total=total, page=page, pages=pages)


# --------------------------------------------------------------------------- the export


@dataclass(frozen=True)
class ExportRange:
    date_from: date
    date_to: date
    include_customers: bool


def parse_export(data: dict | None) -> ExportRange:
    """The export form: both dates required (a bounded range), customer activity optional."""
    f = parse_filter({k: v for k, v in (data or {}).items() if k in ("date_from", "date_to")})
    if f.date_from is None:
        raise InvalidInput("Enter the first day to export.", "date_from")
    if f.date_to is None:
        raise InvalidInput("Enter the last day to export.", "date_to")
    flag = str((data or {}).get("include_customers") or "").strip().lower()
    return ExportRange(f.date_from, f.date_to, flag in ("1", "on", "true", "yes"))


def require_export(session: Session, principal: Principal | None) -> None:
    require_permission(session, principal, Permission.EXPORT_AUDIT)


def export_filename(r: ExportRange) -> str:
    return f"audit-{r.date_from.isoformat()}-to-{r.date_to.isoformat()}.csv"


def neutralise(cell: object) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def export_csv(session: Session, principal: Principal, r: ExportRange) -> Iterator[str]:
    """The range as CSV, oldest first, in pieces of EXPORT_CHUNK_ROWS rows: the database
    hands rows over in batches (``yield_per``), so memory stays flat whatever the range."""
    require_export(session, principal)
    start, end = day_start(r.date_from), day_start(r.date_to + timedelta(days=1))
    rows = _audit_rows(session, start, end)
    if r.include_customers:
        rows = heapq.merge(rows, _customer_rows(session, start, end), key=lambda row: row[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([neutralise(c) for c in (_iso(row[0]), *row[1:])])
        count += 1
        if count % EXPORT_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _audit_rows(session: Session, start: datetime, end: datetime) -> Iterator[tuple]:
    stmt = (
        select(
            AuditEvent.created_at,
            AuditEvent.kind,
            AuditEvent.action,
            AuditEvent.agent_id,
            _AGENT_NAME,
            AuditEvent.account_id,
            Account.name,
            AuditEvent.summary,
            AuditEvent.query_hash,
            AuditEvent.client_ip,
        )
        .outerjoin(Agent, Agent.id == AuditEvent.agent_id)
        .outerjoin(Account, Account.id == AuditEvent.account_id)
        .where(AuditEvent.created_at >= start, AuditEvent.created_at < end)
        .order_by(AuditEvent.created_at, AuditEvent.id)
        .execution_options(yield_per=EXPORT_CHUNK_ROWS)
    )
    for at, kind, action, agent_id, agent, account_id, account, summary, qh, ip in session.execute(
        stmt
    ):
        yield (
            at,
            "audit",
            kind,
            action,
            agent_id,
            agent,
            account_id,
            account,
            "",
            summary,
            qh,
            ip,
        )


def _customer_rows(session: Session, start: datetime, end: datetime) -> Iterator[tuple]:
    """Customer self-service from the activity log (no IP is kept there)."""
    stmt = (
        select(
            ActivityLog.created_at,
            ActivityLog.action_key,
            ActivityLog.account_id,
            Account.name,
            (Contact.first_name + " " + Contact.last_name).label("contact"),
            ActivityLog.summary,
        )
        .outerjoin(Account, Account.id == ActivityLog.account_id)
        .outerjoin(Contact, Contact.id == ActivityLog.actor_contact_id)
        .where(
            ActivityLog.actor_kind == "customer",
            ActivityLog.created_at >= start,
            ActivityLog.created_at < end,
        )
        .order_by(ActivityLog.created_at, ActivityLog.id)
        .execution_options(yield_per=EXPORT_CHUNK_ROWS)
    )
    for at, action, account_id, account, contact, summary in session.execute(stmt):
        yield (
            at,
            "activity",
            "customer",
            action,
            "",
            "",
            account_id,
            account,
            contact,
            summary,
            "",
            "",
        )
