"""policies.csv: keyed on the management system's policy id, or on carrier + policy number
when the export has no ids. A status change flows through: an account whose last active
policy is cancelled or expired is closed (services/accounts.py, is_account_active)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from sqlmodel import Session, or_, select

from clientcenter.models import Account, Policy
from clientcenter.models.policies import POLICY_LINES, PolicyStatus
from clientcenter.services.imports import values as v
from clientcenter.services.imports.bulk import NewRecord
from clientcenter.services.imports.claims import Claims
from clientcenter.services.imports.columns import Column
from clientcenter.services.imports.entities.accounts import OPEN_STATUSES, customer_id_column
from clientcenter.services.imports.entities.base import (
    Book,
    Entity,
    ParsedRow,
    PolicyRef,
    chunked,
    one_of,
    stored,
)
from clientcenter.services.imports.entities.policy_refs import policy_keys

_STATUSES = {
    **{v.fold(k): PolicyStatus.ACTIVE for k in ("active", "in force", "inforce", "A", "renewed")},
    **{v.fold(k): PolicyStatus.PENDING for k in ("pending", "future", "bound", "issued", "P")},
    **{v.fold(k): PolicyStatus.EXPIRED for k in ("expired", "non-renewed", "nonrenewed", "E")},
    **{
        v.fold(k): PolicyStatus.CANCELLED
        for k in ("cancelled", "canceled", "cancel", "rewritten", "C", "X")
    },
}
_LINE_CODES = {
    "auto": ("AUTOP", "PPA", "PA", "Auto", "Private Passenger Auto"),
    "home": ("HOME", "HO", "HO3", "Homeowner"),
    "renters": ("HO4", "Renter"),
    "umbrella": ("PUMBR", "UMBRP", "Umbrella", "PUP"),
    "boat": ("BOAT", "Watercraft", "Yacht"),
    "bop": ("BOP", "Businessowners"),
    "general_liability": ("CGL", "GL", "Liability"),
    "commercial_auto": ("AUTOB", "CA", "Business Auto"),
    "workers_comp": ("WORK", "WC", "Workers Compensation", "Workers Comp"),
    "commercial_property": ("CPROP", "PROP", "Property"),
}
_LINES = {
    **{v.fold(label): key for key, label in POLICY_LINES.items()},
    **{v.fold(key): key for key in POLICY_LINES},
    **{v.fold(code): key for key, codes in _LINE_CODES.items() for code in codes},
}
_BILL = {
    **{v.fold(k): "agency" for k in ("agency", "agency bill", "AB", "A")},
    **{v.fold(k): "direct" for k in ("direct", "direct bill", "DB", "D")},
}


def _naic(value: str) -> str:
    if not (value.isdigit() and len(value) == 5):
        raise v.CellRefused("an NAIC company code is 5 digits")
    return value


def _premium(value: str) -> int:
    cents = v.amount_cents(value)
    if cents < 0:
        raise v.CellRefused("a premium cannot be negative")
    return cents


class Policies(Entity):
    name = "policies"
    file = "policies.csv"
    model = Policy
    publishes = True
    columns = (
        customer_id_column(),
        Column(
            "policy_id",
            False,
            partial(v.text, max_len=64),
            ("Policy ID", "PolicyId", "Policy Key", "Policy Code"),
            "the management system's policy id (else carrier + number is the key)",
        ),
        Column(
            "policy_number",
            True,
            partial(v.text, max_len=40),
            ("Policy Number", "PolicyNo", "Policy No", "Pol #", "Pol No", "Policy #", "Number"),
        ),
        Column(
            "carrier",
            True,
            partial(v.text, max_len=120),
            ("Carrier", "Company", "Insurer", "Carrier Name", "Writing Company"),
        ),
        Column("carrier_naic", False, _naic, ("NAIC", "NAIC Code", "Carrier NAIC"), "5 digits"),
        Column(
            "line",
            True,
            partial(v.choice, synonyms=_LINES, what="line of business"),
            ("Line", "LOB", "Line of Business", "Policy Type", "Coverage Line"),
            "one of " + ", ".join(POLICY_LINES) + " (or its name, or a common code)",
        ),
        Column(
            "effective_date",
            True,
            v.a_date,
            ("Effective", "Effective Date", "Eff Date", "Eff", "Inception", "Term Start"),
            "a date",
        ),
        Column(
            "expiration_date",
            True,
            v.a_date,
            ("Expiration", "Expiration Date", "Exp Date", "Exp", "Term End", "Expiry"),
            "a date",
        ),
        Column(
            "status",
            True,
            partial(v.choice, synonyms=_STATUSES, what="policy status"),
            ("Status", "Policy Status"),
            "active, pending, expired or cancelled (In Force, Canceled, Non-Renewed… too)",
        ),
        Column(
            "premium",
            True,
            _premium,
            ("Premium", "Annual Premium", "Written Premium", "Total Premium"),
            "an amount, e.g. $1,234.50",
        ),
        Column(
            "bill_method",
            False,
            partial(v.choice, synonyms=_BILL, what="bill method (agency or direct)"),
            ("Bill Method", "Billing", "Bill Type", "Billing Type"),
            "agency or direct",
        ),
    )

    def key(self, row: ParsedRow):
        if row.values.get("policy_id"):
            return ("id", row.values["policy_id"])
        return ("number", v.fold(row.values["carrier"]), row.values["policy_number"])

    def start(self) -> None:
        self._numbers_in_file = Claims()  # number -> first line

    def end_chunk(self) -> None:
        self._numbers_in_file.end_chunk()

    def resolve(self, session: Session, rows: list[ParsedRow], book: Book) -> None:
        ids = [r.values["policy_id"] for r in rows if r.values.get("policy_id")]
        numbers = [r.values["policy_number"] for r in rows]
        self._numbers_in_file.prefetch(numbers)
        found = stored(
            session,
            Policy,
            or_(one_of(session, Policy.external_id, ids), one_of(session, Policy.number, numbers)),
        )
        by_id = {p.external_id: p for p in found if p.external_id}
        by_number = {p.number: p for p in found}
        for row in rows:
            self._resolve_one(row, book, by_id, by_number)

    def _resolve_one(self, row: ParsedRow, book: Book, by_id: dict, by_number: dict) -> None:
        values = row.values
        if values["customer_id"] not in book.accounts:
            row.refuse("customer_id", "no account has this customer id")
            return
        if values["expiration_date"] < values["effective_date"]:
            row.refuse("expiration_date", "the policy expires before it takes effect")
            return
        number = values["policy_number"]
        first_line = self._numbers_in_file.setdefault(number, row.line)
        if first_line != row.line:
            row.refuse("policy_number", f"line {first_line} has the same policy number")
            return
        existing = by_id.get(values.get("policy_id"))
        holder = by_number.get(number)
        if existing is None and holder is not None:
            if v.fold(holder.carrier) != v.fold(values["carrier"]):
                row.refuse("policy_number", f"this number is already {holder.carrier}'s policy")
                return
            if holder.external_id and values.get("policy_id"):
                row.refuse("policy_number", "this number is another policy id's")
                return
            existing = holder
        elif existing is not None and holder is not None and holder is not existing:
            row.refuse("policy_number", "this number belongs to another policy")
            return
        row.existing = existing

    def target(self, row: ParsedRow, book: Book) -> dict:
        values = row.values
        attrs = {
            "account_id": book.accounts[values["customer_id"]],
            "number": values["policy_number"],
            "carrier": values["carrier"],
            "line": values["line"],
            "effective_date": values["effective_date"],
            "expiration_date": values["expiration_date"],
            "status": values["status"],
            "premium_cents": values["premium"],
        }
        if values.get("policy_id"):
            attrs["external_id"] = values["policy_id"]
        for name in ("carrier_naic", "bill_method"):
            if row.has(name):
                attrs[name] = values[name]
        return attrs

    def new(self, attrs: dict, book: Book) -> Policy:
        return Policy(**attrs)

    def memo(self, row: ParsedRow, record) -> tuple:
        values = row.values
        return (
            values["customer_id"],
            values["carrier"],
            values["policy_number"],
            values.get("policy_id"),
        )

    def remember(self, key, record_id: int | None, memo: tuple, book: Book) -> None:
        """Coverages, vehicles, drivers and invoices name the policy by id or number."""
        customer_id, carrier, number, policy_id = memo
        ref = PolicyRef(record_id, book.accounts.get(customer_id), customer_id, number)
        for ref_key in policy_keys(policy_id, carrier, number):
            book.policies[ref_key] = ref

    def new_record(self, attrs: dict, book: Book) -> NewRecord:
        return NewRecord(Policy, dict(attrs))

    def open_imported(self, session: Session) -> set[int]:
        return set(
            session.exec(
                select(Policy.id)
                .join(Account, Account.id == Policy.account_id)
                .where(Account.external_id.is_not(None), Policy.status.in_(OPEN_STATUSES))
            )
        )

    def retire(self, session: Session, ids: Iterable[int]) -> None:
        """A policy absent from a full export is cancelled (its account may close)."""
        for batch in chunked(ids):
            for policy in session.exec(select(Policy).where(Policy.id.in_(batch))):
                policy.status = PolicyStatus.CANCELLED
            session.flush()
