"""Change requests, general requests and Contact Us messages from the portal.

A request changes no coverage: it records what the customer asked for, gives them a reference
number, and (through the matrix) tells the producer and opens a task. The agency then works it
and moves its status along; the customer follows it in "My requests".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from clientcenter.models import ChangeRequest, Document, Driver, Policy, Vehicle
from clientcenter.models.accounts import AccountKind
from clientcenter.models.engagement import REQUEST_KINDS, RequestStatus
from clientcenter.models.policies import POLICY_LINES, PolicyStatus
from clientcenter.services import form_input as fi
from clientcenter.services.access import acting_contact, viewable_account, writable_account
from clientcenter.services.errors import InvalidFields, InvalidInput, NotAllowed, NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.references import new_reference
from clientcenter.services.portal.request_forms import FormField, RequestForm, form_for
from clientcenter.services.principal import Principal

NO_COVERAGE_CHANGE_NOTICE = (
    "Nothing about your coverage changes until your agency confirms the change with you."
)
ACTION_KEYS = {
    "personal": "customer.personal_change_request",
    "commercial": "customer.commercial_change_request",
    "general": "customer.general_request",
    "contact_us": "customer.contact_us",
}
STATUS_LABELS = {
    RequestStatus.SUBMITTED: "Received",
    RequestStatus.IN_REVIEW: "In review",
    RequestStatus.DONE: "Completed",
    RequestStatus.DECLINED: "Declined",
}
# Policies a customer can ask to change: in force now, or about to be.
CHANGEABLE_POLICY_STATUSES = (PolicyStatus.ACTIVE, PolicyStatus.PENDING)
AUTO_LINES = ("auto",)
BACKDATE_DAYS = 30
FORWARD_DAYS = 365


@dataclass(frozen=True)
class RequestView:
    id: int
    reference: str
    kind: str
    kind_label: str
    title: str
    summary: str
    status: str
    status_label: str
    created_at: datetime
    account_id: int = 0
    status_note: str = ""  # the agency's note on the latest move, for the customer
    status_changed_at: datetime | None = None


def submit_request(
    session: Session,
    principal: Principal,
    kind: str,
    subtype: str,
    data: dict[str, Any] | None,
    *,
    attachment_document_id: int | None = None,
) -> ChangeRequest:
    """Record one request from a guided form. Refusals change nothing."""
    form = form_for(kind, subtype)
    if form is None or kind not in ACTION_KEYS:
        raise InvalidInput("That kind of request is not offered.")
    action_key = ACTION_KEYS[kind]
    account = writable_account(session, principal, action_key)
    if kind in (AccountKind.PERSONAL, AccountKind.COMMERCIAL) and account.kind != kind:
        other = "Commercial" if kind == "personal" else "Personal"
        raise NotAllowed(
            f"{REQUEST_KINDS[kind]}s are for {kind} accounts; "
            f"use a {other} Change Request for {account.name}."
        )
    contact = acting_contact(session, principal)
    parsed, shown, policy_id = _parse_form(session, account.id, form, data)
    attachment = _attachment(session, account.id, attachment_document_id, kind)

    request = ChangeRequest(
        account_id=account.id,
        contact_id=contact.id,
        policy_id=policy_id,
        kind=kind,
        subtype=subtype,
        reference=new_reference(session, kind),
        summary=_summary(form, parsed, shown)[:200],
        details={
            "form": form.title,
            "fields": [
                {"key": f.key, "label": f.label, "value": shown[f.key]}
                for f in form.fields
                if f.key in shown
            ],
        },
        attachment_document_id=attachment.id if attachment else None,
    )
    session.add(request)
    session.flush()
    # Pairs, not a dict keyed by label: labels such as "ZIP code" are not detail keys.
    public = [[f.label, shown[f.key]] for f in form.fields if f.key in shown and not f.private]
    record_action(
        session,
        principal,
        action_key,
        account_id=account.id,
        summary=f"{REQUEST_KINDS[kind]} {request.reference}: {request.summary}",
        details={
            "reference": request.reference,
            "request_type": REQUEST_KINDS[kind],
            "form": form.title,
            "fields": public,
            "attachment": attachment.title if attachment else None,
        },
    )
    return request


def list_requests(session: Session, principal: Principal) -> list[RequestView]:
    """My requests: everything sent from this account, newest first."""
    account = viewable_account(session, principal)
    rows = session.exec(
        select(ChangeRequest)
        .where(ChangeRequest.account_id == account.id)
        .order_by(ChangeRequest.created_at.desc(), ChangeRequest.id.desc())
    ).all()
    return [view_of(r) for r in rows]


def get_request(session: Session, principal: Principal, reference: str) -> RequestView:
    account = viewable_account(session, principal)
    row = session.exec(
        select(ChangeRequest).where(
            ChangeRequest.reference == str(reference).strip().upper(),
            ChangeRequest.account_id == account.id,
        )
    ).first()
    if row is None:
        raise NotFound("No request with that reference on this account.")
    return view_of(row)


def view_of(row: ChangeRequest) -> RequestView:
    return RequestView(
        id=row.id,
        reference=row.reference,
        kind=row.kind,
        kind_label=REQUEST_KINDS.get(row.kind, row.kind),
        title=(row.details or {}).get("form") or REQUEST_KINDS.get(row.kind, row.kind),
        summary=row.summary,
        status=row.status,
        status_label=STATUS_LABELS.get(row.status, row.status.replace("_", " ").title()),
        created_at=row.created_at,
        account_id=row.account_id,
        status_note=row.status_note or "",
        status_changed_at=row.status_changed_at,
    )


@dataclass(frozen=True)
class Choices:
    """The account's own records a form may point at, as (id, label) pairs."""

    policies: list[tuple[str, str]]
    auto_policies: list[tuple[str, str]]
    vehicles: list[tuple[str, str]]
    drivers: list[tuple[str, str]]


def form_choices(session: Session, principal: Principal) -> Choices:
    account = viewable_account(session, principal)
    policies = _changeable_policies(session, account.id)
    by_id = {p.id: p for p in policies}
    vehicles = session.exec(
        select(Vehicle).where(Vehicle.policy_id.in_(list(by_id) or [-1])).order_by(Vehicle.id)
    ).all()
    drivers = session.exec(
        select(Driver).where(Driver.policy_id.in_(list(by_id) or [-1])).order_by(Driver.id)
    ).all()
    return Choices(
        policies=[(str(p.id), policy_label(p)) for p in policies],
        auto_policies=[(str(p.id), policy_label(p)) for p in policies if p.line in AUTO_LINES],
        vehicles=[
            (str(v.id), f"{vehicle_label(v)} · {by_id[v.policy_id].number}") for v in vehicles
        ],
        drivers=[
            (str(d.id), f"{d.first_name} {d.last_name} · {by_id[d.policy_id].number}")
            for d in drivers
        ],
    )


@dataclass(frozen=True)
class Overview:
    """What the requests pages show: the account's kind, its requests, the form choices."""

    account_kind: str
    read_only: bool
    requests: list[RequestView]
    choices: Choices


def overview(session: Session, principal: Principal) -> Overview:
    account = viewable_account(session, principal)
    return Overview(
        account_kind=account.kind,
        read_only=principal.read_only,
        requests=list_requests(session, principal),
        choices=form_choices(session, principal),
    )


def policy_label(policy: Policy) -> str:
    return f"{POLICY_LINES.get(policy.line, policy.line)} · {policy.number}"


def vehicle_label(vehicle: Vehicle) -> str:
    return f"{vehicle.year} {vehicle.make} {vehicle.model}"


# --- parsing -------------------------------------------------------------------------------


def _changeable_policies(session: Session, account_id: int) -> list[Policy]:
    return list(
        session.exec(
            select(Policy)
            .where(Policy.account_id == account_id, Policy.status.in_(CHANGEABLE_POLICY_STATUSES))
            .order_by(Policy.line, Policy.number)
        ).all()
    )


def _parse_form(
    session: Session, account_id: int, form: RequestForm, data: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, str], int | None]:
    """Parsed values, their display text, and the policy the request is about. Every field
    is checked before any refusal: one answer names each bad field (InvalidFields)."""
    values = fi.allowed(data, form.keys)  # extra keys are dropped here, unread
    parsed: dict[str, Any] = {}
    shown: dict[str, str] = {}
    policy_id: int | None = None
    refused: dict[str, str] = {}
    for field in form.fields:
        try:
            value, display = _parse_field(session, account_id, field, values)
        except InvalidInput as exc:
            refused[exc.field or field.key] = exc.message
            continue
        if value is None or value == "":
            continue
        parsed[field.key] = value
        shown[field.key] = display
        if isinstance(value, Policy):
            policy_id = value.id
        elif isinstance(value, (Vehicle, Driver)):
            policy_id = value.policy_id
    if refused:
        raise InvalidFields(refused)
    return parsed, shown, policy_id


def _parse_field(
    session: Session, account_id: int, f: FormField, values: dict[str, Any]
) -> tuple[Any, str]:
    today = date.today()
    k, label, req = f.key, f.label, f.required
    match f.kind:
        case "text":
            v = fi.text(values, k, label, max_len=f.max_len, required=req)
            return v, v
        case "textarea":
            v = fi.text(values, k, label, max_len=f.max_len, required=req, multiline=True)
            return v, v
        case "select":
            v = fi.choice(values, k, label, dict(f.options), required=req)
            return v, dict(f.options).get(v, "")
        case "state":
            v = fi.us_state(values, k, label, required=req)
            return v, v
        case "zip":
            v = fi.postal_code(values, k, label, required=req)
            return v, v
        case "vin":
            v = fi.vin(values, k, label, required=req)
            return v, v
        case "year":
            v = fi.integer(values, k, label, minimum=1981, maximum=today.year + 2, required=req)
            return v, "" if v is None else str(v)
        case "integer":
            v = fi.integer(values, k, label, minimum=0, maximum=1_000_000, required=req)
            return v, "" if v is None else f"{v:,}"
        case "money":
            v = fi.money_cents(values, k, label, maximum_dollars=100_000_000, required=req)
            return v, "" if v is None else f"${v / 100:,.2f}"
        case "email":
            v = fi.email(values, k, label, required=req)
            return v, v or ""
        case "phone":
            v = fi.mobile(values, k, label, required=req)
            return v, v or ""
        case "date":
            if k == "birth_date":
                v = fi.iso_date(
                    values,
                    k,
                    label,
                    earliest=_years_ago(today, 110),
                    latest=_years_ago(today, 14),
                    required=req,
                )
            else:
                v = fi.iso_date(
                    values,
                    k,
                    label,
                    earliest=today - timedelta(days=BACKDATE_DAYS),
                    latest=today + timedelta(days=FORWARD_DAYS),
                    required=req,
                )
            return v, "" if v is None else v.isoformat()
        case "policy" | "auto_policy":
            pid = fi.record_id(values, k, label, required=req)
            if pid is None:
                return None, ""
            policy = _own_policy(session, account_id, pid, k, label)
            if f.kind == "auto_policy" and policy.line not in AUTO_LINES:
                raise InvalidInput(f"{label}: choose one of your auto policies.", field=k)
            return policy, policy_label(policy)
        case "vehicle":
            vid = fi.record_id(values, k, label, required=req)
            if vid is None:
                return None, ""
            vehicle, policy = _on_own_policy(session, account_id, Vehicle, vid, k, label)
            return vehicle, f"{vehicle_label(vehicle)} (VIN {vehicle.vin}) · {policy.number}"
        case "driver":
            did = fi.record_id(values, k, label, required=req)
            if did is None:
                return None, ""
            driver, policy = _on_own_policy(session, account_id, Driver, did, k, label)
            return driver, f"{driver.first_name} {driver.last_name} · {policy.number}"
    raise ValueError(f"unknown field kind {f.kind!r}")  # a bug in request_forms, not input


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - years, day=28)


def _own_policy(session: Session, account_id: int, policy_id: int, key: str, label: str) -> Policy:
    policy = session.get(Policy, policy_id)
    # Another account's policy and a missing one get the same answer.
    if policy is None or policy.account_id != account_id:
        raise NotFound(f"{label}: that is not one of your policies.")
    if policy.status not in CHANGEABLE_POLICY_STATUSES:
        raise InvalidInput(
            f"{label}: policy {policy.number} is {policy.status}; "
            "only policies in force can be changed.",
            field=key,
        )
    return policy


def _on_own_policy(
    session: Session,
    account_id: int,
    model: type[Vehicle] | type[Driver],
    row_id: int,
    key: str,
    label: str,
) -> tuple[Vehicle | Driver, Policy]:
    """A vehicle or driver on one of this account's policies, and that policy, in force."""
    row = session.get(model, row_id)
    owner = session.get(Policy, row.policy_id) if row else None
    if owner is None or owner.account_id != account_id:
        raise NotFound(f"That {model.__name__.lower()} is not on your policies.")
    return row, _own_policy(session, account_id, row.policy_id, key, label)


def _attachment(
    session: Session, account_id: int, document_id: int | None, kind: str
) -> Document | None:
    if document_id is None:
        return None
    if kind != "general":
        raise InvalidInput("Attachments go with a General Request.")
    doc = session.get(Document, document_id)
    if doc is None or doc.account_id != account_id:
        raise NotFound("That attachment is not on your account.")
    return doc


def _summary(form: RequestForm, parsed: dict[str, Any], shown: dict[str, str]) -> str:
    """One line an agent can triage from, built from the form's most telling fields."""
    if {"year", "make", "model"} <= parsed.keys():
        what = f"{parsed['year']} {parsed['make']} {parsed['model']}"
        if form.subtype == "vehicle_replace":
            old = parsed["vehicle_id"]
            return f"Replace {vehicle_label(old)} with {what}"
        if "action" in parsed:
            return f"{shown['action']} business vehicle {what}"
        return f"{form.title}: {what}"
    if form.subtype == "vehicle_remove":
        return f"Remove {vehicle_label(parsed['vehicle_id'])}"
    if form.subtype == "driver_add":
        return f"Add driver {parsed['first_name']} {parsed['last_name']}"
    if form.subtype == "driver_remove":
        d = parsed["driver_id"]
        return f"Remove driver {d.first_name} {d.last_name}"
    if "street" in parsed:
        head = shown.get("action") or form.title
        who = f"{parsed['name']}, " if "name" in parsed else ""
        return f"{head}: {who}{parsed['street']}, {parsed['city']}, {parsed['state']}"
    if form.subtype == "equipment":
        return f"{shown['action']} equipment: {parsed['description']}"
    if form.subtype == "payroll":
        return (
            f"Employees {shown['full_time']} full-time, {shown['part_time']} part-time; "
            f"payroll {shown['annual_payroll']}"
        )
    if "subject" in parsed:
        return parsed["subject"]
    if form.kind == "contact_us":
        return f"{shown['topic']}: {_first_line(parsed['message'])}"
    if "change" in parsed:
        return f"{form.title}: {_first_line(parsed['change'])}"
    return form.title


def _first_line(value: str, limit: int = 120) -> str:
    line = value.strip().splitlines()[0] if value.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
