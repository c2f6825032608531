"""What the REST API reads and writes: accounts, contacts, policies, vehicles, coverages,
drivers, invoices and certificate holders (read and upserted), change requests (read, and
their status set), an account's activity and documents (read).

Reads need the ``read`` scope (the INFO_PANE and ACTIVITY permissions), upserts the ``write``
scope (IMPORT_DATA): ``access.require_permission`` checks both the key's scope and its
creator's role. Upserts are one import row each (services/imports/single_row.py), keyed on
the agency's identifiers like the import. Every call leaves one audit event naming the key.

Lists are pages in id order with an opaque cursor (a signed value naming the last id and the
resource, so a cursor cannot be forged or carried to another list); ``updated_since`` keeps
records changed at or after a moment (``updated_at``, indexed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, or_, select

from clientcenter.models import (
    Account,
    ActivityLog,
    Agent,
    CertificateHolder,
    ChangeRequest,
    Contact,
    Coverage,
    Document,
    Driver,
    Invoice,
    Policy,
    Vehicle,
)
from clientcenter.services.access import require_permission
from clientcenter.services.agency import documents
from clientcenter.services.agency.audit import record_read, record_write
from clientcenter.services.agency.change_requests import set_request_status
from clientcenter.services.agency.roles import Permission
from clientcenter.services.auth.tokens import sign, unsign
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.imports.single_row import apply_row
from clientcenter.services.principal import Principal

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
CURSOR_TTL_SECONDS = 7 * 24 * 3600
BAD_CURSOR = (
    "This cursor is not one of ours, is for another list, or expired; start again without one."
)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


@dataclass(frozen=True)
class Upserted:
    item: dict[str, Any]
    created: bool
    changed: bool


# --------------------------------------------------------------------------- views


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def account_view(account: Account, producer_email: str | None) -> dict[str, Any]:
    return {
        "id": account.id,
        "customer_id": account.external_id,
        "name": account.name,
        "kind": account.kind,
        "business_name": account.business_name,
        "producer_email": producer_email,
        "street": account.street,
        "city": account.city,
        "state": account.state,
        "postal_code": account.postal_code,
        "data_as_of": _iso(account.data_as_of),
        "created_at": _iso(account.created_at),
        "updated_at": _iso(account.updated_at),
    }


def contact_view(contact: Contact, customer_id: str | None) -> dict[str, Any]:
    return {
        "id": contact.id,
        "account_id": contact.account_id,
        "customer_id": customer_id,
        "contact_id": contact.external_id,
        "role": contact.role,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "mobile": contact.mobile,
        "may_log_in": contact.may_log_in,
        "created_at": _iso(contact.created_at),
        "updated_at": _iso(contact.updated_at),
    }


def _cents(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def policy_view(policy: Policy, customer_id: str | None) -> dict[str, Any]:
    return {
        "id": policy.id,
        "account_id": policy.account_id,
        "customer_id": customer_id,
        "policy_id": policy.external_id,
        "policy_number": policy.number,
        "carrier": policy.carrier,
        "carrier_naic": policy.carrier_naic,
        "line": policy.line,
        "effective_date": policy.effective_date.isoformat(),
        "expiration_date": policy.expiration_date.isoformat(),
        "status": policy.status,
        "premium": _cents(policy.premium_cents),
        "bill_method": policy.bill_method,
        "created_at": _iso(policy.created_at),
        "updated_at": _iso(policy.updated_at),
    }


def activity_view(entry: ActivityLog) -> dict[str, Any]:
    return {
        "id": entry.id,
        "account_id": entry.account_id,
        "action": entry.action_key,
        "actor_kind": entry.actor_kind,
        "summary": entry.summary,
        "created_at": _iso(entry.created_at),
    }


def change_request_view(request: ChangeRequest, customer_id: str | None) -> dict[str, Any]:
    return {
        "id": request.id,
        "account_id": request.account_id,
        "customer_id": customer_id,
        "reference": request.reference,
        "kind": request.kind,
        "subtype": request.subtype,
        "summary": request.summary,
        "details": request.details or {},
        "policy_id": request.policy_id,
        "status": request.status,
        "due_date": request.due_date.isoformat() if request.due_date else None,
        "status_note": request.status_note,
        "status_changed_at": _iso(request.status_changed_at),
        "created_at": _iso(request.created_at),
    }


def document_view(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "account_id": document.account_id,
        "policy_id": document.policy_id,
        "category": document.category,
        "title": document.title,
        "filename": document.filename,
        "content_type": document.content_type,
        "size_bytes": document.size_bytes,
        "sha256": document.sha256,
        "published": document.shared_with_customer,
        "internal": document.internal,
        "scan_status": document.scan_status,
        "created_at": _iso(document.created_at),
    }


def _on_policy(policy: Policy, customer_id: str | None) -> dict[str, Any]:
    """How a vehicle, coverage or driver names its policy: as its upsert does (the management
    system's policy id, or carrier + number), and our ids of the policy and its account."""
    return {
        "account_id": policy.account_id,
        "customer_id": customer_id,
        "policy_record_id": policy.id,
        "policy_id": policy.external_id,
        "policy_number": policy.number,
        "carrier": policy.carrier,
    }


def vehicle_view(vehicle: Vehicle, policy: Policy, customer_id: str | None) -> dict[str, Any]:
    return {
        "id": vehicle.id,
        **_on_policy(policy, customer_id),
        "vehicle_id": vehicle.external_id,
        "year": vehicle.year,
        "make": vehicle.make,
        "model": vehicle.model,
        "vin": vehicle.vin or None,
        "usage": vehicle.usage,
        "updated_at": _iso(vehicle.updated_at),
    }


def coverage_view(
    coverage: Coverage, policy: Policy, customer_id: str | None, vin: str | None
) -> dict[str, Any]:
    return {
        "id": coverage.id,
        **_on_policy(policy, customer_id),
        "coverage": coverage.name,
        "limit": coverage.limit,
        "deductible": coverage.deductible,
        "premium": None if coverage.premium_cents is None else _cents(coverage.premium_cents),
        "vin": vin or None,
        "vehicle_record_id": coverage.vehicle_id,
        "updated_at": _iso(coverage.updated_at),
    }


def driver_view(driver: Driver, policy: Policy, customer_id: str | None) -> dict[str, Any]:
    return {
        "id": driver.id,
        **_on_policy(policy, customer_id),
        "driver_id": driver.external_id,
        "first_name": driver.first_name,
        "last_name": driver.last_name,
        "birth_date": driver.birth_date.isoformat() if driver.birth_date else None,
        "license_state": driver.license_state or None,
        "relationship": driver.relationship,
        "updated_at": _iso(driver.updated_at),
    }


def invoice_view(
    invoice: Invoice, customer_id: str | None, policy: Policy | None
) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "account_id": invoice.account_id,
        "customer_id": customer_id,
        "invoice_id": invoice.external_id,
        "invoice_number": invoice.number,
        "policy_record_id": invoice.policy_id,
        "policy_id": policy.external_id if policy else None,
        "policy_number": policy.number if policy else None,
        "carrier": policy.carrier if policy else None,
        "description": invoice.description,
        "amount": _cents(invoice.amount_cents),
        "paid": _cents(invoice.paid_cents),
        "currency": invoice.currency,
        "due_date": invoice.due_date.isoformat(),
        "status": invoice.status,
        "published": invoice.published,
        "created_at": _iso(invoice.created_at),
        "updated_at": _iso(invoice.updated_at),
    }


def certificate_holder_view(holder: CertificateHolder, customer_id: str | None) -> dict[str, Any]:
    return {
        "id": holder.id,
        "account_id": holder.account_id,
        "customer_id": customer_id,
        "holder_id": holder.external_id,
        "name": holder.name,
        "street": holder.street,
        "city": holder.city,
        "state": holder.state,
        "postal_code": holder.postal_code,
        "email": holder.email,
        "created_at": _iso(holder.created_at),
        "updated_at": _iso(holder.updated_at),
    }


def _policy_child(model: type):
    return lambda: (
        select(model, Policy, Account.external_id)
        .join(Policy, Policy.id == model.policy_id)
        .join(Account, Account.id == Policy.account_id)
    )


@dataclass(frozen=True)
class Resource:
    name: str  # the list's path segment and the import entity
    model: type
    query: Callable[[], Any]  # select(model, extra columns for the view)
    view: Callable[..., dict[str, Any]]
    label: str  # "account"
    # The column updated_since compares; None where the table keeps no time of change.
    changed: str | None = "updated_at"


RESOURCES: dict[str, Resource] = {
    "accounts": Resource(
        "accounts",
        Account,
        lambda: select(Account, Agent.email).outerjoin(Agent, Agent.id == Account.producer_id),
        account_view,
        "account",
    ),
    "contacts": Resource(
        "contacts",
        Contact,
        lambda: select(Contact, Account.external_id).join(
            Account, Account.id == Contact.account_id
        ),
        contact_view,
        "contact",
    ),
    "policies": Resource(
        "policies",
        Policy,
        lambda: select(Policy, Account.external_id).join(Account, Account.id == Policy.account_id),
        policy_view,
        "policy",
    ),
    "vehicles": Resource("vehicles", Vehicle, _policy_child(Vehicle), vehicle_view, "vehicle"),
    "coverages": Resource(
        "coverages",
        Coverage,
        lambda: (
            select(Coverage, Policy, Account.external_id, Vehicle.vin)
            .join(Policy, Policy.id == Coverage.policy_id)
            .join(Account, Account.id == Policy.account_id)
            .outerjoin(Vehicle, Vehicle.id == Coverage.vehicle_id)
        ),
        coverage_view,
        "coverage",
    ),
    "drivers": Resource("drivers", Driver, _policy_child(Driver), driver_view, "driver"),
    "invoices": Resource(
        "invoices",
        Invoice,
        lambda: (
            select(Invoice, Account.external_id, Policy)
            .join(Account, Account.id == Invoice.account_id)
            .outerjoin(Policy, Policy.id == Invoice.policy_id)
        ),
        invoice_view,
        "invoice",
    ),
    "certificate_holders": Resource(
        "certificate_holders",
        CertificateHolder,
        lambda: select(CertificateHolder, Account.external_id).join(
            Account, Account.id == CertificateHolder.account_id
        ),
        certificate_holder_view,
        "certificate holder",
    ),
    # Statuses are set through set_status below; updated_since compares the later of when
    # the request was made and when its status last changed.
    "change_requests": Resource(
        "change_requests",
        ChangeRequest,
        lambda: select(ChangeRequest, Account.external_id).join(
            Account, Account.id == ChangeRequest.account_id
        ),
        change_request_view,
        "change request",
        changed="created_at",
    ),
}


# --------------------------------------------------------------------------- cursors


def make_cursor(resource: str, last_id: int) -> str:
    return sign("api-cursor", {"r": resource, "after": last_id}, CURSOR_TTL_SECONDS)


def read_cursor(resource: str, cursor: str | None) -> int:
    if not cursor:
        return 0
    payload = unsign("api-cursor", cursor)
    if not payload or payload.get("r") != resource or not isinstance(payload.get("after"), int):
        raise InvalidInput(BAD_CURSOR, "cursor")
    return payload["after"]


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit is between 1 and {MAX_LIMIT}.", "limit")
    return limit


def _aware(moment: datetime | str) -> datetime:
    """``updated_since`` in UTC (a time without an offset is UTC)."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            raise InvalidInput(
                "updated_since is a time in ISO 8601, e.g. 2026-12-01T00:00:00Z.", "updated_since"
            ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInput("updated_since is out of range.", "updated_since") from None


# --------------------------------------------------------------------------- reads


def _changed_since(spec: Resource, since: datetime):
    if spec.changed is None:
        raise InvalidInput(
            f"{spec.name} keep no time of change; list them without updated_since.",
            "updated_since",
        )
    if spec.model is ChangeRequest:  # made since, or its status moved since
        return or_(ChangeRequest.created_at >= since, ChangeRequest.status_changed_at >= since)
    return getattr(spec.model, spec.changed) >= since


def _account_of(item: dict[str, Any]) -> int:
    return item["account_id"] if "account_id" in item else item["id"]


def list_records(
    session: Session,
    principal: Principal,
    resource: str,
    *,
    limit: int | None = None,
    cursor: str | None = None,
    updated_since: datetime | str | None = None,
    customer_id: str | None = None,
    policy_record_id: int | None = None,
) -> Page:
    require_permission(session, principal, Permission.INFO_PANE)
    spec = RESOURCES[resource]
    size = check_limit(limit)
    after = read_cursor(resource, cursor)
    stmt = spec.query().where(spec.model.id > after)
    if updated_since is not None:
        stmt = stmt.where(_changed_since(spec, _aware(updated_since)))
    if customer_id is not None:
        stmt = stmt.where(Account.external_id == customer_id)
    if policy_record_id is not None:  # a policy's vehicles, coverages, drivers or invoices
        stmt = stmt.where(spec.model.policy_id == policy_record_id)
    rows = session.exec(stmt.order_by(spec.model.id).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    items = [spec.view(*row) for row in rows]
    record_read(
        session,
        principal,
        f"api.{resource}.list",
        None,
        f"Listed {len(items)} {resource}" + (" (more follow)" if more else ""),
    )
    return Page(items, make_cursor(resource, rows[-1][0].id) if more else None)


def get_record(session: Session, principal: Principal, resource: str, record_id: int) -> dict:
    require_permission(session, principal, Permission.INFO_PANE)
    spec = RESOURCES[resource]
    row = session.exec(spec.query().where(spec.model.id == record_id)).first()
    if row is None:
        raise NotFound(f"No {spec.label} has id {record_id}.")
    item = spec.view(*row)
    record_read(
        session,
        principal,
        f"api.{resource}.get",
        _account_of(item),
        f"Read {spec.label} #{record_id}",
    )
    return item


def list_activity(
    session: Session,
    principal: Principal,
    account_id: int,
    *,
    limit: int | None = None,
    cursor: str | None = None,
    updated_since: datetime | str | None = None,
) -> Page:
    """An account's activity log, oldest first (``updated_since``: entries made since)."""
    require_permission(session, principal, Permission.ACTIVITY)
    if session.get(Account, account_id) is None:
        raise NotFound(f"No account has id {account_id}.")
    size = check_limit(limit)
    name = f"activity:{account_id}"
    after = read_cursor(name, cursor)
    stmt = select(ActivityLog).where(ActivityLog.account_id == account_id, ActivityLog.id > after)
    if updated_since is not None:
        stmt = stmt.where(ActivityLog.created_at >= _aware(updated_since))
    rows = session.exec(stmt.order_by(ActivityLog.id).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    record_read(
        session, principal, "api.activity.list", account_id, f"Listed {len(rows)} activity entries"
    )
    return Page([activity_view(r) for r in rows], make_cursor(name, rows[-1].id) if more else None)


# --------------------------------------------------------------------------- upserts


def _cell(value: Any) -> str | None:
    """A JSON value as the import's cell: dates in ISO form, booleans as yes/no."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def upsert(
    session: Session, principal: Principal, resource: str, body: dict[str, Any]
) -> Upserted:
    """Create or update the record the body's keys name, through the import's rules. Only the
    fields sent are compared and set."""
    agent = require_permission(session, principal, Permission.IMPORT_DATA)
    spec = RESOURCES[resource]
    cells = {name: _cell(value) for name, value in body.items()}
    applied = apply_row(session, resource, cells, default_producer_id=agent.id)
    record = applied.record
    session.refresh(record)
    item = spec.view(*session.exec(spec.query().where(spec.model.id == record.id)).one())
    verb = "Created" if applied.created else ("Updated" if applied.changed else "Unchanged")
    record_write(
        session,
        principal,
        f"api.{resource}.upsert",
        _account_of(item),
        f"{verb} {spec.label} #{record.id} through the API",
    )
    return Upserted(item, applied.created, applied.changed)


# --------------------------------------------------------------------------- change requests


def set_status(
    session: Session, principal: Principal, request_id: int, status: str, note: str
) -> dict[str, Any]:
    """The task queue's own move (services/agency/change_requests.py: who may, from where to
    where, when a note is required, the customer's message, the log and the audit row)."""
    set_request_status(session, principal, request_id, status, note)
    spec = RESOURCES["change_requests"]
    return spec.view(*session.exec(spec.query().where(ChangeRequest.id == request_id)).one())


# --------------------------------------------------------------------------- documents


def add_document(
    session: Session,
    principal: Principal,
    account_id: int,
    data: bytes,
    *,
    title: str | None,
    category: str,
    policy_id: int | None,
) -> dict[str, Any]:
    """Scope: documents. The agency side's own upload (services/agency/documents.py): a
    draft the customer does not see until it is published; an internal note stays internal."""
    if category not in documents.AGENCY_KINDS:  # the page's "kind" is the API's category
        raise InvalidInput(
            "category is one of " + ", ".join(documents.AGENCY_KINDS) + ".", "category"
        )
    added = documents.upload_agency_document(
        session,
        principal,
        account_id,
        original_name=title or "",
        data=data,
        kind=category,
        title=title or "",
        internal=False,
        policy_id=policy_id,
    )
    return document_view(session.get(Document, added.id))


def list_documents(
    session: Session,
    principal: Principal,
    account_id: int,
    *,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page:
    """Scope: documents, like the info pane's list (every document on the account: drafts,
    published, internal, the customer's own uploads), in id order a page at a time."""
    require_permission(session, principal, Permission.SHARE_DOCUMENTS)
    if session.get(Account, account_id) is None:
        raise NotFound(f"No account has id {account_id}.")
    size = check_limit(limit)
    name = f"documents:{account_id}"
    after = read_cursor(name, cursor)
    rows = session.exec(
        select(Document)
        .where(Document.account_id == account_id, Document.id > after)
        .order_by(Document.id)
        .limit(size + 1)
    ).all()
    more = len(rows) > size
    rows = rows[:size]
    record_read(
        session, principal, "api.documents.list", account_id, f"Listed {len(rows)} documents"
    )
    return Page([document_view(d) for d in rows], make_cursor(name, rows[-1].id) if more else None)


def publish_document(session: Session, principal: Principal, document_id: int) -> dict[str, Any]:
    """The agency's Policies/Invoices action for one document: the customer sees it, and is
    told as the matrix says. Publishing a published document changes nothing."""
    document = documents.agency_document(session, principal, document_id)
    if not document.shared_with_customer:
        documents.publish_document(session, principal, document.account_id, document.id)
    else:
        record_write(
            session, principal, "document.publish", document.account_id, "Already published"
        )
    return document_view(document)


def unpublish_document(session: Session, principal: Principal, document_id: int) -> dict[str, Any]:
    return document_view(documents.unpublish_document(session, principal, document_id))
