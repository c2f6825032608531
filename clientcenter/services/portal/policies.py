"""Read-only views of the account's policies for the customer (and an agent viewing read-only).

Only what a customer may see leaves this module: plain dataclasses, never ORM rows, and no
driver birth dates. Another account's policy id looks exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from clientcenter.models import Account, Contact, Coverage, Driver, Invoice, Policy, Vehicle
from clientcenter.models.billing import InvoiceStatus
from clientcenter.models.policies import POLICY_LINES, PolicyStatus
from clientcenter.services.access import account_in_view
from clientcenter.services.accounts import information_as_of
from clientcenter.services.dates import date_text
from clientcenter.services.errors import NotFound
from clientcenter.services.principal import Principal

# In force or about to be: shown first. Everything else (expired, cancelled) is set apart.
CURRENT_STATUSES = (PolicyStatus.ACTIVE, PolicyStatus.PENDING)
STATUS_LABELS = {
    PolicyStatus.ACTIVE: "Active",
    PolicyStatus.PENDING: "Starts soon",
    PolicyStatus.EXPIRED: "Expired",
    PolicyStatus.CANCELLED: "Cancelled",
}
AUTO_LINES = ("auto", "commercial_auto")


def format_money(cents: int, currency: str = "USD") -> str:
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{symbol}{cents / 100:,.2f}"


def format_date(day: date) -> str:
    return date_text(day)


def format_term(start: date, end: date) -> str:
    return f"{format_date(start)} – {format_date(end)}"


@dataclass(frozen=True)
class PolicySummary:
    id: int
    number: str
    line: str
    line_label: str
    carrier: str
    effective_date: date
    expiration_date: date
    status: str
    status_label: str
    premium: str
    is_current: bool
    has_id_cards: bool

    @property
    def term(self) -> str:
        return format_term(self.effective_date, self.expiration_date)


@dataclass(frozen=True)
class PolicyOverview:
    current: list[PolicySummary]
    past: list[PolicySummary]  # expired and cancelled, set apart


@dataclass(frozen=True)
class CoverageLine:
    name: str
    limit: str
    deductible: str
    applies_to: str  # "" for the whole policy, else the vehicle it covers


@dataclass(frozen=True)
class VehicleLine:
    id: int
    year: int
    make: str
    model: str
    vin: str
    usage: str

    @property
    def label(self) -> str:
        return f"{self.year} {self.make} {self.model}"


@dataclass(frozen=True)
class DriverLine:
    name: str
    relationship: str
    license_state: str


@dataclass(frozen=True)
class PolicyDetail:
    policy: PolicySummary
    coverages: list[CoverageLine] = field(default_factory=list)
    vehicles: list[VehicleLine] = field(default_factory=list)
    drivers: list[DriverLine] = field(default_factory=list)
    as_of: str = ""  # accounts.information_as_of


@dataclass(frozen=True)
class InvoiceSummary:
    open_count: int
    open_total: str
    next_due: date | None


def policy_summary(p: Policy) -> PolicySummary:
    return PolicySummary(
        id=p.id,
        number=p.number,
        line=p.line,
        line_label=POLICY_LINES.get(p.line, p.line),
        carrier=p.carrier,
        effective_date=p.effective_date,
        expiration_date=p.expiration_date,
        status=p.status,
        status_label=STATUS_LABELS.get(p.status, p.status.title()),
        premium=format_money(p.premium_cents, p.currency),
        is_current=p.status in CURRENT_STATUSES,
        has_id_cards=p.line in AUTO_LINES and p.status == PolicyStatus.ACTIVE,
    )


def _sort_key(p: Policy):
    # Active before pending; within a group, by line label then policy number.
    rank = CURRENT_STATUSES.index(p.status) if p.status in CURRENT_STATUSES else 9
    return rank, POLICY_LINES.get(p.line, p.line), p.number


def list_policies(session: Session, principal: Principal) -> PolicyOverview:
    account = account_in_view(session, principal)
    rows = session.exec(select(Policy).where(Policy.account_id == account.id)).all()
    current = sorted((p for p in rows if p.status in CURRENT_STATUSES), key=_sort_key)
    # The most recently ended first among the past ones.
    past = sorted(
        (p for p in rows if p.status not in CURRENT_STATUSES),
        key=lambda p: (p.expiration_date, p.number),
        reverse=True,
    )
    return PolicyOverview([policy_summary(p) for p in current], [policy_summary(p) for p in past])


def get_policy_row(session: Session, principal: Principal, policy_id: int) -> Policy:
    """The policy if it is on the principal's account; otherwise it does not exist."""
    account = account_in_view(session, principal)
    policy = session.get(Policy, policy_id) if isinstance(policy_id, int) else None
    if policy is None or policy.account_id != account.id:
        raise NotFound("We couldn't find that policy on your account.")
    return policy


def policy_detail(session: Session, principal: Principal, policy_id: int) -> PolicyDetail:
    policy = get_policy_row(session, principal, policy_id)
    vehicles = session.exec(
        select(Vehicle).where(Vehicle.policy_id == policy.id).order_by(Vehicle.id)
    ).all()
    labels = {v.id: f"{v.year} {v.make} {v.model}" for v in vehicles}
    coverages = session.exec(
        select(Coverage)
        .where(Coverage.policy_id == policy.id)
        .order_by(Coverage.position, Coverage.id)
    ).all()
    drivers = session.exec(
        select(Driver).where(Driver.policy_id == policy.id).order_by(Driver.id)
    ).all()
    return PolicyDetail(
        as_of=information_as_of(session.get(Account, policy.account_id)),
        policy=policy_summary(policy),
        coverages=[
            CoverageLine(c.name, c.limit, c.deductible, labels.get(c.vehicle_id, ""))
            for c in coverages
        ],
        vehicles=[VehicleLine(v.id, v.year, v.make, v.model, v.vin, v.usage) for v in vehicles],
        drivers=[
            DriverLine(f"{d.first_name} {d.last_name}", d.relationship, d.license_state)
            for d in drivers
        ],
    )


def open_invoices(session: Session, principal: Principal) -> InvoiceSummary:
    """The small billing card on Home: published open invoices (payments are elsewhere)."""
    account = account_in_view(session, principal)
    count, total, next_due = session.exec(
        # What is still owed: a partly paid invoice counts for its balance.
        select(
            func.count(Invoice.id),
            func.coalesce(func.sum(Invoice.amount_cents - Invoice.paid_cents), 0),
            func.min(Invoice.due_date),
        ).where(
            Invoice.account_id == account.id,
            Invoice.status == InvoiceStatus.OPEN,
            Invoice.published == True,
        )  # noqa: E712
    ).one()
    return InvoiceSummary(int(count), format_money(int(total)), next_due)


@dataclass(frozen=True)
class HomeView:
    account_name: str
    greeting_name: str  # the customer's first name; "" for an agent viewing read-only
    read_only: bool
    policies: PolicyOverview
    invoices: InvoiceSummary


def home_view(session: Session, principal: Principal) -> HomeView:
    """Everything the Home page shows, in one call."""
    account = account_in_view(session, principal)
    contact = session.get(Contact, principal.contact_id) if principal.contact_id else None
    first_name = contact.first_name if contact and contact.account_id == account.id else ""
    return HomeView(
        account.name,
        first_name,
        principal.read_only,
        list_policies(session, principal),
        open_invoices(session, principal),
    )
