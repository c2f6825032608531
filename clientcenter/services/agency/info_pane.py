"""The customer info pane: what an agent sees after picking an account in Super Search —
contacts, policies, open invoices, recent activity and open tasks, plus what the agency-side
actions need (documents to share, certificates, who an invitation would reach)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from clientcenter.models import (
    Account,
    ActivityLog,
    Agent,
    Certificate,
    CertificateHolder,
    Contact,
    Document,
    Invoice,
    OutboxMessage,
    Payment,
    Policy,
    Task,
)
from clientcenter.models.accounts import CONTACT_ROLE_LABELS, ContactRole
from clientcenter.models.activity import TaskStatus
from clientcenter.models.billing import InvoiceStatus, PaymentStatus
from clientcenter.models.documents import DOCUMENT_CATEGORIES, ScanStatus
from clientcenter.models.policies import POLICY_LINES, PolicyStatus
from clientcenter.models.search_index import display_phone
from clientcenter.services.access import require_permission
from clientcenter.services.accounts import information_as_of, is_account_active, when
from clientcenter.services.agency import audit
from clientcenter.services.agency.roles import Permission
from clientcenter.services.dates import date_text
from clientcenter.services.errors import NotFound
from clientcenter.services.notify.phrasing import sentence
from clientcenter.services.notify.task_writer import payment_of
from clientcenter.services.portal.policies import STATUS_LABELS, format_money, format_term
from clientcenter.services.principal import Principal

OPEN_INVOICE_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PENDING)
RECENT_ACTIVITY = 8
INVITE_TEMPLATE = "portal_invite"


@dataclass(frozen=True)
class PaneContact:
    id: int
    name: str
    role: str
    role_label: str
    email: str
    phone: str
    may_log_in: bool


@dataclass(frozen=True)
class PanePolicy:
    id: int
    number: str
    line: str
    carrier: str
    status: str
    status_label: str
    term: str
    premium: str


@dataclass(frozen=True)
class PaneInvoice:
    id: int
    number: str
    description: str
    amount: str
    due: str
    status: str
    published: bool
    pending_payment_id: int = 0  # a bank transfer or check waiting for Confirm received


@dataclass(frozen=True)
class ActivityRow:
    id: int
    when: str
    label: str
    actor: str
    summary: str
    channel: str
    read_only: bool


@dataclass(frozen=True)
class TaskRow:
    id: int
    title: str
    body: str
    assigned_to: str
    assigned_agent_id: int
    created: str
    status: str
    account_id: int | None
    account_name: str
    payment_id: int = 0  # the offline payment this task reported, while it waits


@dataclass(frozen=True)
class PaneDocument:
    id: int
    title: str
    category: str
    shared: bool
    created: str


@dataclass(frozen=True)
class PaneCertificate:
    id: int
    holder: str
    holder_email: str
    description: str
    issued: str


@dataclass(frozen=True)
class InfoPane:
    account_id: int
    name: str
    kind: str
    business_name: str
    address: str
    producer: str
    active: bool
    contacts: list[PaneContact]
    policies: list[PanePolicy]
    open_invoices: list[PaneInvoice]
    unpublished_invoices: int
    recent_activity: list[ActivityRow]
    open_tasks: list[TaskRow]
    documents: list[PaneDocument]  # what Share Document may share: clean, not internal
    certificates: list[PaneCertificate]
    last_invited: str  # "" if never
    as_of: str = ""  # accounts.information_as_of: "" until an import sent the account


def get_account(session: Session, account_id: object) -> Account:
    try:
        account = session.get(Account, int(account_id))
    except (TypeError, ValueError):
        account = None
    if account is None:
        raise NotFound("No such customer account.")
    return account


def actor_names(session: Session, rows: list[ActivityLog]) -> dict[tuple[str, int], str]:
    contact_ids = {r.actor_contact_id for r in rows if r.actor_contact_id}
    agent_ids = {r.actor_agent_id for r in rows if r.actor_agent_id}
    names: dict[tuple[str, int], str] = {}
    if contact_ids:
        for c in session.exec(select(Contact).where(Contact.id.in_(contact_ids))).all():
            names[("contact", c.id)] = c.full_name
    if agent_ids:
        for a in session.exec(select(Agent).where(Agent.id.in_(agent_ids))).all():
            names[("agent", a.id)] = a.full_name
    return names


def activity_rows(session: Session, rows: list[ActivityLog]) -> list[ActivityRow]:
    names = actor_names(session, rows)
    out = []
    for r in rows:
        if r.actor_contact_id:
            actor = names.get(("contact", r.actor_contact_id), "A customer")
        elif r.actor_agent_id:
            actor = names.get(("agent", r.actor_agent_id), "An agent")
        elif r.actor_kind == "holder":
            actor = "Certificate holder"
        else:
            actor = "System"
        # In people's words: "Pat Rivera uploaded a document" (services/notify/phrasing.py).
        who = {"Certificate holder": "A certificate holder", "System": "The system"}
        label = sentence(who.get(actor, actor), r.action_key, r.details)
        if r.actor_agent_id and r.read_only:
            actor += " (read-only view)"
        out.append(
            ActivityRow(
                id=r.id,
                when=when(r.created_at),
                label=label,
                actor=actor,
                summary=r.summary,
                channel=r.channel,
                read_only=r.read_only,
            )
        )
    return out


def task_rows(session: Session, tasks: list[Task]) -> list[TaskRow]:
    agents = (
        {
            a.id: a.full_name
            for a in session.exec(
                select(Agent).where(Agent.id.in_({t.assigned_agent_id for t in tasks}))
            ).all()
        }
        if tasks
        else {}
    )
    accounts = (
        {
            a.id: a.name
            for a in session.exec(
                select(Account).where(
                    Account.id.in_({t.account_id for t in tasks if t.account_id})
                )
            ).all()
        }
        if tasks
        else {}
    )
    waiting = _waiting_payments(session, tasks)
    return [
        TaskRow(
            id=t.id,
            title=t.title,
            body=t.body,
            assigned_to=agents.get(t.assigned_agent_id, ""),
            assigned_agent_id=t.assigned_agent_id,
            created=when(t.created_at),
            status=t.status,
            account_id=t.account_id,
            account_name=accounts.get(t.account_id, ""),
            payment_id=waiting.get(t.id, 0),
        )
        for t in tasks
    ]


def _waiting_payments(session: Session, tasks: list[Task]) -> dict[int, int]:
    """task id -> the offline payment it reported, for those still waiting for the agency."""
    activity_ids = {t.activity_id for t in tasks if t.activity_id and t.status == "open"}
    if not activity_ids:
        return {}
    logs = {
        a.id: payment_of(a)
        for a in session.exec(select(ActivityLog).where(ActivityLog.id.in_(activity_ids))).all()
    }
    payment_ids = {p for p in logs.values() if p}
    pending = pending_offline(session, payment_ids)
    return {
        t.id: logs[t.activity_id]
        for t in tasks
        if t.activity_id in logs and logs[t.activity_id] in pending
    }


def pending_offline(session: Session, payment_ids: set[int]) -> set[int]:
    if not payment_ids:
        return set()
    return set(
        session.exec(
            select(Payment.id).where(
                Payment.id.in_(payment_ids),
                Payment.status == PaymentStatus.PENDING,
                Payment.provider == "offline",
            )
        ).all()
    )


def info_pane(session: Session, principal: Principal, account_id: object) -> InfoPane:
    """Everything the pane shows for one account. Agents on the agency side only."""
    require_permission(session, principal, Permission.INFO_PANE)
    account = get_account(session, account_id)
    audit.record_read(session, principal, "info_pane.open", account.id, "Opened the info pane.")
    producer = session.get(Agent, account.producer_id)
    contacts = session.exec(
        select(Contact)
        .where(Contact.account_id == account.id)
        .order_by(
            Contact.role != ContactRole.PRIMARY,
            Contact.role != ContactRole.CO_APPLICANT,
            Contact.id,
        )
    ).all()
    policies = session.exec(
        select(Policy)
        .where(Policy.account_id == account.id)
        .order_by(Policy.status != PolicyStatus.ACTIVE, Policy.expiration_date.desc())
    ).all()
    invoices = session.exec(
        select(Invoice)
        .where(Invoice.account_id == account.id, Invoice.status.in_(OPEN_INVOICE_STATUSES))
        .order_by(Invoice.due_date)
    ).all()
    waiting_by_invoice = {
        p.invoice_id: p.id
        for p in session.exec(
            select(Payment)
            .where(
                Payment.invoice_id.in_([i.id for i in invoices]),
                Payment.status == PaymentStatus.PENDING,
                Payment.provider == "offline",
            )
            .order_by(Payment.id)
        ).all()
    }
    unpublished = session.exec(
        select(Invoice.id).where(Invoice.account_id == account.id, Invoice.published == False)
    ).all()  # noqa: E712
    activity = session.exec(
        select(ActivityLog)
        .where(ActivityLog.account_id == account.id)
        .order_by(ActivityLog.created_at.desc(), ActivityLog.id.desc())
        .limit(RECENT_ACTIVITY)
    ).all()
    tasks = session.exec(
        select(Task)
        .where(Task.account_id == account.id, Task.status == TaskStatus.OPEN)
        .order_by(Task.created_at.desc(), Task.id.desc())
    ).all()
    documents = session.exec(
        select(Document)
        .where(Document.account_id == account.id)
        .order_by(Document.created_at.desc(), Document.id.desc())
    ).all()
    certificates = session.exec(
        select(Certificate, CertificateHolder)
        .join(CertificateHolder, CertificateHolder.id == Certificate.holder_id, isouter=True)
        .where(Certificate.account_id == account.id)
        .order_by(Certificate.issued_on.desc())
    ).all()
    last_invite = session.exec(
        select(OutboxMessage.created_at)
        .where(OutboxMessage.account_id == account.id, OutboxMessage.template == INVITE_TEMPLATE)
        .order_by(OutboxMessage.created_at.desc())
    ).first()
    address = ", ".join(
        p
        for p in (account.street, account.city, f"{account.state} {account.postal_code}".strip())
        if p
    )
    return InfoPane(
        as_of=information_as_of(account),
        account_id=account.id,
        name=account.name,
        kind=account.kind,
        business_name=account.business_name or "",
        address=address,
        producer=producer.full_name if producer else "",
        active=is_account_active(session, account.id),
        contacts=[
            PaneContact(
                id=c.id,
                name=c.full_name,
                role=c.role,
                role_label=CONTACT_ROLE_LABELS.get(c.role, c.role),
                email=c.email or "",
                phone=display_phone(c.mobile) if c.mobile else "",
                may_log_in=c.may_log_in,
            )
            for c in contacts
        ],
        policies=[
            PanePolicy(
                id=p.id,
                number=p.number,
                line=POLICY_LINES.get(p.line, p.line),
                carrier=p.carrier,
                status=p.status,
                status_label=STATUS_LABELS.get(p.status, p.status.title()),
                term=format_term(p.effective_date, p.expiration_date),
                premium=format_money(p.premium_cents, p.currency),
            )
            for p in policies
        ],
        open_invoices=[
            PaneInvoice(
                id=i.id,
                number=i.number,
                description=i.description,
                amount=format_money(i.amount_cents, i.currency),
                due=f"{date_text(i.due_date)}",
                status=i.status,
                published=i.published,
                pending_payment_id=waiting_by_invoice.get(i.id, 0),
            )
            for i in invoices
        ],
        unpublished_invoices=len(unpublished),
        recent_activity=activity_rows(session, list(activity)),
        open_tasks=task_rows(session, list(tasks)),
        documents=[
            PaneDocument(
                id=d.id,
                title=d.title,
                category=DOCUMENT_CATEGORIES.get(d.category, d.category),
                shared=d.shared_with_customer,
                created=when(d.created_at),
            )
            for d in documents
            if d.scan_status == ScanStatus.CLEAN and not d.internal
        ],
        certificates=[
            PaneCertificate(
                id=c.id,
                holder=h.name if h else "",
                holder_email=(h.email or "") if h else "",
                description=c.description,
                issued=f"{date_text(c.issued_on)}",
            )
            for c, h in certificates
        ],
        last_invited=when(last_invite),
    )


def action_page(
    session: Session, principal: Principal, account_id: object, permission: Permission
) -> InfoPane:
    """The pane behind one of its action pages (share, publish, certificates, payments): the
    agent's role must allow that action as well as the pane, or the page opens on the
    refusal instead of a form its every button would be refused."""
    require_permission(session, principal, permission)
    return info_pane(session, principal, account_id)
